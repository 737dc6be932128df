package kube

import (
	"context"
	"fmt"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/e2e-framework/klient/wait"
)

// RestartedAtAnnotation is the pod template annotation `kubectl rollout restart` sets; a new
// value makes the Deployment roll out new pods.
const RestartedAtAnnotation = "kubectl.kubernetes.io/restartedAt"

// RolloutRestart does what `kubectl rollout restart deployment/<name>` does: it stamps the pod
// template with the current time, so the Deployment replaces every pod. It does not wait; use
// WaitDeploymentAvailable.
func (c *Client) RolloutRestart(ctx context.Context, namespace, name string) error {
	patch := fmt.Sprintf(`{"spec":{"template":{"metadata":{"annotations":{%q:%q}}}}}`, RestartedAtAnnotation, time.Now().UTC().Format(time.RFC3339Nano))
	_, err := c.Clientset.AppsV1().Deployments(namespace).Patch(ctx, name, types.StrategicMergePatchType, []byte(patch), metav1.PatchOptions{FieldManager: FieldManager})
	if err != nil {
		return fmt.Errorf("restarting deployment %s/%s: %v", namespace, name, err)
	}
	return nil
}

// DeletePod deletes a pod and waits (at most timeout; ≤ 0 means DefaultWaitTimeout) until it
// is gone, so a pod of the same name can be created again. An absent pod is fine.
func (c *Client) DeletePod(ctx context.Context, namespace, name string, timeout time.Duration) error {
	err := c.Clientset.CoreV1().Pods(namespace).Delete(ctx, name, metav1.DeleteOptions{})
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("deleting pod %s/%s: %v", namespace, name, err)
	}
	timeout = bounded(timeout)
	var last string
	err = wait.For(func(ctx context.Context) (bool, error) {
		p, err := c.Clientset.CoreV1().Pods(namespace).Get(ctx, name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return true, nil
		}
		if err != nil {
			last = err.Error()
		} else {
			last = fmt.Sprintf("phase %s, finalizers %v", p.Status.Phase, p.Finalizers)
		}
		return false, nil
	}, wait.WithContext(ctx), wait.WithTimeout(timeout), wait.WithInterval(c.poll()), wait.WithImmediate())
	if err != nil {
		return fmt.Errorf("pod %s/%s still present %s after deletion (%s): %v: look at its finalizers and its node (kubectl describe pod)", namespace, name, timeout, last, err)
	}
	return nil
}

// WaitNoTerminatingPods waits until no pod matching selector in namespace is terminating.
// A finished rollout can still leave old pods in their grace period, answering with the
// old configuration (CoreDNS's lame-duck period, for one).
func (c *Client) WaitNoTerminatingPods(ctx context.Context, namespace, selector string, timeout time.Duration) error {
	var old []string
	var lastErr error
	err := wait.For(func(ctx context.Context) (bool, error) {
		pods, err := c.Clientset.CoreV1().Pods(namespace).List(ctx, metav1.ListOptions{LabelSelector: selector})
		if err != nil {
			lastErr = err
			return false, nil
		}
		old = old[:0]
		for _, p := range pods.Items {
			if p.DeletionTimestamp != nil {
				old = append(old, p.Name)
			}
		}
		return len(old) == 0, nil
	}, wait.WithContext(ctx), wait.WithTimeout(timeout), wait.WithInterval(c.poll()), wait.WithImmediate())
	if err != nil {
		return fmt.Errorf("pods %v (%s in %s) still terminating after %s (last error: %v): they may still serve the old configuration", old, selector, namespace, timeout, lastErr)
	}
	return nil
}
