package cluster

import (
	"context"
	"errors"
	"fmt"
	"slices"

	kindcluster "sigs.k8s.io/kind/pkg/cluster"
)

// This file is what happens to an existing cluster: delete it, export its logs, list them.

// Delete removes the cluster's nodes and its kubeconfig entries. Deleting a cluster that does
// not exist (any more) is not an error, so Delete may be called twice. The entries are removed
// from the file Ensure wrote when this process created or reused the cluster; otherwise from
// the default kubeconfig ($KUBECONFIG or ~/.kube/config), as `kind delete cluster` does.
func Delete(ctx context.Context, name string) error {
	if err := validateName(name); err != nil {
		return err
	}
	_, err := run(ctx, &name, "deleting kind cluster "+name, func() (struct{}, error) {
		return struct{}{}, deleteCluster(newProvider(nil), name, kubeconfigOf(name))
	})
	return err
}

func deleteCluster(p *kindcluster.Provider, name, kubeconfig string) error {
	if err := p.Delete(name, kubeconfig); err != nil {
		return fmt.Errorf("deleting kind cluster %q: %s: is Docker running? remove its nodes by hand with `docker rm -f $(docker ps -aq --filter label=io.x-k8s.kind.cluster=%s)`",
			name, kindMessage(err), name)
	}
	return nil
}

// ExportLogs writes kind's log bundle (node journals, container and pod logs) under dir.
func ExportLogs(ctx context.Context, name, dir string) error {
	if err := validateName(name); err != nil {
		return err
	}
	if dir == "" {
		return errors.New("ExportLogs: empty directory: pass the run's artifacts directory")
	}
	_, err := run(ctx, &name, "exporting the logs of kind cluster "+name, func() (struct{}, error) {
		p := newProvider(nil)
		names, err := listClusters(p)
		if err != nil {
			return struct{}{}, err
		}
		if !slices.Contains(names, name) {
			return struct{}{}, fmt.Errorf("no kind cluster named %q (existing: %v): nothing to export", name, names)
		}
		if err := p.CollectLogs(name, dir); err != nil {
			return struct{}{}, fmt.Errorf("exporting the logs of kind cluster %q to %s: %s (some files may have been written)", name, dir, kindMessage(err))
		}
		return struct{}{}, nil
	})
	return err
}

// List returns the names of the kind clusters on the Docker engine (nodes running or not).
func List(ctx context.Context) ([]string, error) {
	return run(ctx, nil, "listing kind clusters", func() ([]string, error) {
		return listClusters(newProvider(nil))
	})
}

func listClusters(p *kindcluster.Provider) ([]string, error) {
	names, err := p.List()
	if err != nil {
		return nil, fmt.Errorf("listing kind clusters: %s: check that `docker ps` works", kindMessage(err))
	}
	return names, nil
}
