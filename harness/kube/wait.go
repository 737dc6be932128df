package kube

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	apiwait "k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/e2e-framework/klient/wait"
)

// DefaultWaitTimeout replaces a zero or negative timeout given to the Wait functions.
const DefaultWaitTimeout = 5 * time.Minute

func bounded(d time.Duration) time.Duration {
	if d <= 0 {
		return DefaultWaitTimeout
	}
	return d
}

// hopeless waiting reasons: the pod will not start without a change by someone.
var hopeless = map[string]string{
	"ErrImageNeverPull": "the image is not on the node and imagePullPolicy is Never: load it with `kind load docker-image IMAGE --name CLUSTER`",
	"InvalidImageName":  "the image reference is malformed: fix the manifest",
}

// WaitPodsReady waits until at least one pod matches selector in namespace and every matching
// pod that is not terminating or finished is Ready, and returns those pods. On timeout the
// error lists each pod that is not ready with its phase, failing conditions, container states
// and its last events (timeout ≤ 0 means DefaultWaitTimeout). It gives up early when a pod cannot start without outside help (image
// never pulled, malformed image name).
func (c *Client) WaitPodsReady(ctx context.Context, namespace, selector string, timeout time.Duration) ([]corev1.Pod, error) {
	timeout = bounded(timeout)
	var ready []corev1.Pod
	var lastPods []corev1.Pod
	var lastErr error
	err := wait.For(func(ctx context.Context) (bool, error) {
		list, err := c.Clientset.CoreV1().Pods(namespace).List(ctx, metav1.ListOptions{LabelSelector: selector})
		if err != nil {
			if apierrors.IsBadRequest(err) {
				return false, fmt.Errorf("listing pods with selector %q: %v: fix the label selector", selector, err)
			}
			lastErr = err // transient API trouble: keep polling
			return false, nil
		}
		lastErr = nil
		lastPods = activePods(list.Items)
		if len(lastPods) == 0 {
			return false, nil
		}
		for _, p := range lastPods {
			if !PodReady(&p) {
				if reason, hint := hopelessPod(&p); reason != "" {
					return false, fmt.Errorf("pod %s/%s cannot start: %s: %s", p.Namespace, p.Name, reason, hint)
				}
				return false, nil
			}
		}
		ready = lastPods
		return true, nil
	}, wait.WithContext(ctx), wait.WithTimeout(timeout), wait.WithInterval(c.poll()), wait.WithImmediate())
	if err == nil {
		return ready, nil
	}
	if !isWaitTimeout(err) {
		return nil, err
	}
	return nil, c.notReadyError(context.WithoutCancel(ctx), namespace, selector, timeout, lastPods, lastErr)
}

// Poll checks cond at the client's poll interval, at once first, until it is done, returns an
// error, or timeout passes (≤ 0: DefaultWaitTimeout) or ctx ends. timedOut tells the last two
// from a condition error, so callers can say what they were still waiting for.
func (c *Client) Poll(ctx context.Context, timeout time.Duration, cond func(ctx context.Context) (done bool, err error)) (timedOut bool, err error) {
	err = wait.For(cond, wait.WithContext(ctx), wait.WithTimeout(bounded(timeout)), wait.WithInterval(c.poll()), wait.WithImmediate())
	return err != nil && isWaitTimeout(err), err
}

// isWaitTimeout tells a wait that ran out of time (or was cancelled) from a condition error.
func isWaitTimeout(err error) bool {
	return apiwait.Interrupted(err) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled)
}

func activePods(pods []corev1.Pod) []corev1.Pod {
	var out []corev1.Pod
	for _, p := range pods {
		if p.DeletionTimestamp != nil || p.Status.Phase == corev1.PodSucceeded || p.Status.Phase == corev1.PodFailed {
			continue
		}
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// PodReady reports whether the pod's Ready condition is True.
func PodReady(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

func hopelessPod(p *corev1.Pod) (reason, hint string) {
	all := append(append([]corev1.ContainerStatus{}, p.Status.InitContainerStatuses...), p.Status.ContainerStatuses...)
	for _, s := range all {
		if w := s.State.Waiting; w != nil {
			if h, ok := hopeless[w.Reason]; ok {
				return fmt.Sprintf("container %s: %s (%s)", s.Name, w.Reason, w.Message), h
			}
		}
	}
	return "", ""
}

// notReadyError explains why the pods are not ready. It uses a context that is not the
// expired one, bounded on its own, so that the explanation can still be fetched.
func (c *Client) notReadyError(ctx context.Context, namespace, selector string, timeout time.Duration, pods []corev1.Pod, lastErr error) error {
	var b strings.Builder
	fmt.Fprintf(&b, "pods in namespace %s with selector %q not ready after %s", namespace, selector, timeout)
	if lastErr != nil {
		fmt.Fprintf(&b, " (last API error: %v)", lastErr)
	}
	if len(pods) == 0 {
		fmt.Fprintf(&b, ": no pod matches: check that the workload was created and that its pod labels match the selector (kubectl get deploy,rs,pods -n %s --show-labels)", namespace)
		return errors.New(b.String())
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	b.WriteString(":")
	for i := range pods {
		p := &pods[i]
		if PodReady(p) {
			continue
		}
		b.WriteString("\n  ")
		b.WriteString(describePod(p))
		for _, e := range c.lastEvents(ctx, p, 3) {
			b.WriteString("\n    event: ")
			b.WriteString(e)
		}
	}
	return errors.New(b.String())
}

// describePod is one line about a pod that is not ready: phase, failing conditions, the
// containers that are not ready and why.
func describePod(p *corev1.Pod) string {
	parts := []string{fmt.Sprintf("pod %s: phase %s", p.Name, p.Status.Phase)}
	for _, c := range p.Status.Conditions {
		if c.Status == corev1.ConditionTrue {
			continue
		}
		s := fmt.Sprintf("%s=%s", c.Type, c.Status)
		if c.Reason != "" || c.Message != "" {
			s += fmt.Sprintf(" (%s)", strings.TrimSpace(c.Reason+" "+c.Message))
		}
		parts = append(parts, s)
	}
	describe := func(kind string, ss []corev1.ContainerStatus) {
		for _, s := range ss {
			if s.Ready {
				continue
			}
			st := ""
			switch {
			case s.State.Waiting != nil:
				st = "waiting: " + s.State.Waiting.Reason
				if s.State.Waiting.Message != "" {
					st += " (" + s.State.Waiting.Message + ")"
				}
			case s.State.Terminated != nil:
				t := s.State.Terminated
				st = fmt.Sprintf("terminated: %s, exit code %d", t.Reason, t.ExitCode)
				if t.Message != "" {
					st += " (" + t.Message + ")"
				}
			case s.State.Running != nil:
				st = "running, not ready (readiness probe failing?)"
			}
			if s.RestartCount > 0 {
				st += fmt.Sprintf(", %d restarts", s.RestartCount)
				if lt := s.LastTerminationState.Terminated; lt != nil {
					st += fmt.Sprintf(", last exit %d %s", lt.ExitCode, lt.Reason)
				}
			}
			parts = append(parts, fmt.Sprintf("%s %s %s", kind, s.Name, st))
		}
	}
	describe("init container", p.Status.InitContainerStatuses)
	describe("container", p.Status.ContainerStatuses)
	return strings.Join(parts, "; ")
}

// lastEvents returns the newest n events about the pod, oldest first.
func (c *Client) lastEvents(ctx context.Context, p *corev1.Pod, n int) []string {
	list, err := c.Clientset.CoreV1().Events(p.Namespace).List(ctx, metav1.ListOptions{
		FieldSelector: "involvedObject.kind=Pod,involvedObject.name=" + p.Name,
	})
	if err != nil {
		return []string{"(events could not be listed: " + err.Error() + ")"}
	}
	var evs []corev1.Event
	for _, e := range list.Items {
		if e.InvolvedObject.Name == p.Name && (e.InvolvedObject.UID == "" || p.UID == "" || e.InvolvedObject.UID == p.UID) {
			evs = append(evs, e)
		}
	}
	sort.SliceStable(evs, func(i, j int) bool { return EventTime(&evs[i]).Before(EventTime(&evs[j])) })
	if len(evs) > n {
		evs = evs[len(evs)-n:]
	}
	out := make([]string, 0, len(evs))
	for _, e := range evs {
		s := fmt.Sprintf("%s %s: %s", e.Type, e.Reason, strings.TrimSpace(e.Message))
		if e.Count > 1 {
			s += fmt.Sprintf(" (x%d)", e.Count)
		}
		out = append(out, s)
	}
	return out
}

// WaitDeploymentAvailable waits until the deployment's current generation is fully rolled
// out: observed, all replicas updated and available, condition Available true. On timeout the
// error gives the rollout status, its conditions and why its pods are not ready.
func (c *Client) WaitDeploymentAvailable(ctx context.Context, namespace, name string, timeout time.Duration) error {
	timeout = bounded(timeout)
	var last *appsv1.Deployment
	var lastErr error
	err := wait.For(func(ctx context.Context) (bool, error) {
		d, err := c.Clientset.AppsV1().Deployments(namespace).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			lastErr = err // not created yet, or API trouble: keep polling
			return false, nil
		}
		lastErr, last = nil, d
		return deploymentDone(d), nil
	}, wait.WithContext(ctx), wait.WithTimeout(timeout), wait.WithInterval(c.poll()), wait.WithImmediate())
	if err == nil {
		return nil
	}
	if !isWaitTimeout(err) {
		return err
	}
	if last == nil {
		hint := "check the namespace and name"
		if apierrors.IsNotFound(lastErr) {
			hint = "it was never created: check that the manifest was applied to this namespace"
		}
		return fmt.Errorf("deployment %s/%s not available after %s: %v: %s", namespace, name, timeout, lastErr, hint)
	}
	msg := fmt.Sprintf("deployment %s/%s not available after %s: %s", namespace, name, timeout, deploymentStatus(last))
	if last.Spec.Selector != nil {
		sel, err := metav1.LabelSelectorAsSelector(last.Spec.Selector)
		if err == nil {
			dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			defer cancel()
			if list, err := c.Clientset.CoreV1().Pods(namespace).List(dctx, metav1.ListOptions{LabelSelector: sel.String()}); err == nil {
				pe := c.notReadyError(dctx, namespace, sel.String(), timeout, activePods(list.Items), nil)
				msg += "\n" + pe.Error()
			}
		}
	}
	return errors.New(msg)
}

func deploymentDone(d *appsv1.Deployment) bool {
	want := int32(1)
	if d.Spec.Replicas != nil {
		want = *d.Spec.Replicas
	}
	if d.Status.ObservedGeneration < d.Generation || d.Status.UpdatedReplicas < want || d.Status.AvailableReplicas < want || d.Status.Replicas > want {
		return false
	}
	if want == 0 {
		return true
	}
	for _, c := range d.Status.Conditions {
		if c.Type == appsv1.DeploymentAvailable {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

func deploymentStatus(d *appsv1.Deployment) string {
	want := int32(1)
	if d.Spec.Replicas != nil {
		want = *d.Spec.Replicas
	}
	s := fmt.Sprintf("generation %d observed %d, replicas wanted %d, updated %d, available %d, total %d",
		d.Generation, d.Status.ObservedGeneration, want, d.Status.UpdatedReplicas, d.Status.AvailableReplicas, d.Status.Replicas)
	for _, c := range d.Status.Conditions {
		s += fmt.Sprintf("; %s=%s", c.Type, c.Status)
		if c.Reason != "" || c.Message != "" {
			s += fmt.Sprintf(" (%s)", strings.TrimSpace(c.Reason+" "+c.Message))
		}
	}
	return s
}

// CreateNamespace creates the namespace with labels; if it exists, the labels are added to it
// (existing labels are kept unless overridden). A namespace being deleted is an error.
func (c *Client) CreateNamespace(ctx context.Context, name string, labels map[string]string) error {
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels}}
	_, err := c.Clientset.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{FieldManager: FieldManager})
	if err == nil {
		return nil
	}
	if !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("creating namespace %s: %v", name, err)
	}
	err = retry.RetryOnConflict(retry.DefaultRetry, func() error {
		cur, err := c.Clientset.CoreV1().Namespaces().Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		if cur.DeletionTimestamp != nil {
			return fmt.Errorf("namespace %s is being deleted (phase %s): wait for it to go or use another name", name, cur.Status.Phase)
		}
		changed := false
		if cur.Labels == nil {
			cur.Labels = map[string]string{}
		}
		for k, v := range labels {
			if cur.Labels[k] != v {
				cur.Labels[k] = v
				changed = true
			}
		}
		if !changed {
			return nil
		}
		_, err = c.Clientset.CoreV1().Namespaces().Update(ctx, cur, metav1.UpdateOptions{FieldManager: FieldManager})
		return err
	})
	if err != nil {
		return fmt.Errorf("namespace %s exists; adding labels %v: %v", name, labels, err)
	}
	return nil
}

// DeleteNamespace deletes the namespace (absent is fine) and, when wait > 0, waits that long
// for it to be gone. The timeout error carries the namespace's deletion conditions, which name
// the resources or finalizers holding it.
func (c *Client) DeleteNamespace(ctx context.Context, name string, waitFor time.Duration) error {
	err := c.Clientset.CoreV1().Namespaces().Delete(ctx, name, metav1.DeleteOptions{})
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("deleting namespace %s: %v", name, err)
	}
	if waitFor <= 0 {
		return nil
	}
	var last *corev1.Namespace
	err = wait.For(func(ctx context.Context) (bool, error) {
		ns, err := c.Clientset.CoreV1().Namespaces().Get(ctx, name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return true, nil
		}
		if err == nil {
			last = ns
		}
		return false, nil
	}, wait.WithContext(ctx), wait.WithTimeout(waitFor), wait.WithInterval(c.poll()), wait.WithImmediate())
	if err == nil {
		return nil
	}
	msg := fmt.Sprintf("namespace %s still present %s after deletion", name, waitFor)
	if last != nil {
		msg += fmt.Sprintf(" (phase %s, finalizers %v", last.Status.Phase, last.Spec.Finalizers)
		for _, c := range last.Status.Conditions {
			if c.Status == corev1.ConditionTrue {
				msg += fmt.Sprintf("; %s: %s", c.Type, c.Message)
			}
		}
		msg += ")"
	}
	return errors.New(msg + ": look for resources with finalizers in it (kubectl api-resources --namespaced -o name | xargs -n1 kubectl get -n " + name + ")")
}
