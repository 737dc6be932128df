package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/egressconformance/iec/fixtures"
	"github.com/egressconformance/iec/harness/cluster"
	"github.com/egressconformance/iec/harness/container"
	"github.com/egressconformance/iec/harness/dockerx"
	"github.com/egressconformance/iec/harness/kube"
)

// sweepCmd removes what runs left behind, also after kill -9, and says what it removed:
//   - containers and networks carrying the run label (any run);
//   - kind clusters this suite created (their nodes carry its label);
//   - inside other kind clusters (reused ones): namespaces with the run label and CoreDNS
//     hosts blocks of any run.
//
// With -run ID only that run's containers and networks are removed, and clusters are left
// alone (they carry no run id).
func sweepCmd(ctx context.Context, args []string, w io.Writer) error {
	fs := flag.NewFlagSet("sweep", flag.ContinueOnError)
	runID := fs.String("run", "", "sweep only this run's containers and networks")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	var errs []error
	removed, err := dockerx.RemoveByLabel(ctx, container.RunLabel, *runID)
	for _, r := range removed {
		fmt.Fprintln(w, "removed", r)
	}
	if err != nil {
		return err // Docker unreachable: nothing else can be swept either
	}
	if *runID != "" {
		if len(removed) == 0 {
			fmt.Fprintln(w, "nothing to sweep for run", *runID)
		}
		return nil
	}
	names, err := cluster.List(ctx)
	if err != nil {
		return err
	}
	swept := len(removed)
	for _, name := range names {
		if ok, _ := cluster.Owned(ctx, name); ok {
			if err := cluster.Delete(ctx, name); err != nil {
				errs = append(errs, err)
				continue
			}
			fmt.Fprintln(w, "removed kind-cluster/"+name)
			swept++
			continue
		}
		n, err := sweepInside(ctx, name, w)
		swept += n
		if err != nil {
			errs = append(errs, fmt.Errorf("cleaning inside kind cluster %s: %w", name, err))
		}
	}
	if swept == 0 && len(errs) == 0 {
		fmt.Fprintln(w, "nothing to sweep")
	}
	return errors.Join(errs...)
}

// sweepInside cleans what runs left inside a kind cluster the suite did not create, and
// returns how many things it removed.
func sweepInside(ctx context.Context, name string, w io.Writer) (int, error) {
	k, done, err := kubeFor(name)
	if err != nil {
		return 0, err
	}
	defer done()
	nss, err := k.Clientset.CoreV1().Namespaces().List(ctx, metav1.ListOptions{LabelSelector: container.RunLabel})
	if err != nil {
		return 0, fmt.Errorf("listing namespaces: %w", err)
	}
	n := 0
	for _, ns := range nss.Items {
		if err := k.DeleteNamespace(ctx, ns.Name, 2*time.Minute); err != nil {
			return n, err
		}
		fmt.Fprintf(w, "removed %s/namespace/%s\n", name, ns.Name)
		n++
	}
	has, err := fixtures.CoreDNSHasHosts(ctx, k, "*")
	if err != nil {
		return n, nil // no CoreDNS ConfigMap: nothing of ours there
	}
	if has {
		if err := fixtures.RemoveCoreDNSHosts(ctx, k, "*"); err != nil {
			return n, err
		}
		fmt.Fprintf(w, "removed %s/coredns hosts entries of killed runs\n", name)
		n++
	}
	return n, nil
}

// kubeFor is a client for kind cluster name through a kubeconfig in a temporary file, which
// done removes.
func kubeFor(name string) (k *kube.Client, done func(), err error) {
	path, done, err := kubeconfigFor(name)
	if err != nil {
		return nil, nil, err
	}
	if k, err = kube.New(path); err != nil {
		done()
		return nil, nil, fmt.Errorf("a client for kind cluster %s: %w", name, err)
	}
	return k, done, nil
}

// kubeconfigFor writes kind cluster name's kubeconfig to a temporary file; done removes it.
func kubeconfigFor(name string) (path string, done func(), err error) {
	raw, err := cluster.Kubeconfig(name)
	if err != nil {
		return "", nil, err
	}
	dir, err := os.MkdirTemp("", "egress-kube-")
	if err != nil {
		return "", nil, err
	}
	done = func() { os.RemoveAll(dir) }
	path = filepath.Join(dir, "kubeconfig")
	if err := os.WriteFile(path, []byte(raw), 0o600); err != nil {
		done()
		return "", nil, err
	}
	return path, done, nil
}
