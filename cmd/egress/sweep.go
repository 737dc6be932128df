package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/egressconformance/iec/fixtures"
	"github.com/egressconformance/iec/harness/cluster"
	"github.com/egressconformance/iec/harness/config"
	"github.com/egressconformance/iec/harness/container"
	"github.com/egressconformance/iec/harness/dockerx"
	"github.com/egressconformance/iec/harness/lease"
)

// sweepCmd removes what runs that are gone left behind (also after kill -9), and never what a
// live run owns: each run holds a lease while it lives (fixtures.Claim), and objects carry
// their run's id. It says what it removed and what it kept, and whose it is:
//   - containers and networks carrying the run label, decided run by run;
//   - kind clusters this suite created (their nodes carry its label) that no live run uses;
//   - inside other kind clusters (reused ones): gone runs' namespaces and CoreDNS hosts blocks;
//   - gone runs' lease files.
//
// -run ID limits it to that run's containers, networks and lease; -dry-run only says what it would
// remove; -include-live removes live runs' things too (their runs then fail).
func sweepCmd(ctx context.Context, args []string, w io.Writer) error {
	fs := flag.NewFlagSet("sweep", flag.ContinueOnError)
	runID := fs.String("run", "", "sweep only this run's containers and networks")
	dry := fs.Bool("dry-run", false, "say what would be removed, remove nothing")
	includeLive := fs.Bool("include-live", false, "remove what live runs own too (they fail)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := config.FromEnv()
	if err != nil {
		return err
	}
	s := &sweeper{w: w, leaseDir: cfg.LeaseDir, dry: *dry, includeLive: *includeLive}
	if err := s.docker(ctx, *runID); err != nil {
		return err // Docker unreachable: nothing else can be swept either
	}
	if *runID == "" {
		s.clusters(ctx)
	}
	s.leases(*runID)
	if s.acted == 0 && len(s.errs) == 0 {
		fmt.Fprintln(w, "nothing to sweep")
	}
	return errors.Join(s.errs...)
}

type sweeper struct {
	w                io.Writer
	leaseDir         string
	dry, includeLive bool
	acted            int // removed, or would be
	errs             []error
}

// keep says whether what (owned by o) stays, and prints why.
func (s *sweeper) keep(what string, o fixtures.Owner) bool {
	if !o.Live {
		return false
	}
	if s.includeLive {
		fmt.Fprintf(s.w, "taking %s from its %s (-include-live)\n", what, o.Why)
		return false
	}
	fmt.Fprintf(s.w, "kept %s: %s (-include-live to remove it)\n", what, o.Why)
	return true
}

// remove runs f unless this is a dry run, and reports it.
func (s *sweeper) remove(what string, f func() error) {
	s.acted++
	if s.dry {
		fmt.Fprintln(s.w, "would remove", what)
		return
	}
	if err := f(); err != nil {
		s.errs = append(s.errs, fmt.Errorf("removing %s: %w", what, err))
		return
	}
	fmt.Fprintln(s.w, "removed", what)
}

func (s *sweeper) docker(ctx context.Context, only string) error {
	objs, err := dockerx.ListLabelled(ctx, container.RunLabel)
	if err != nil {
		return err
	}
	var gone []dockerx.Labelled
	for _, o := range objs {
		if only != "" && o.Labels[container.RunLabel] != only {
			continue
		}
		owner, err := fixtures.OwnerOf(s.leaseDir, o.Labels)
		if err != nil {
			return err
		}
		if !s.keep(o.String(), owner) {
			gone = append(gone, o)
		}
	}
	for _, o := range gone {
		s.remove(o.String(), func() error {
			_, err := dockerx.RemoveLabelled(ctx, []dockerx.Labelled{o})
			return err
		})
	}
	return nil
}

func (s *sweeper) clusters(ctx context.Context) {
	names, err := cluster.List(ctx)
	if err != nil {
		s.errs = append(s.errs, err)
		return
	}
	for _, name := range names {
		if ok, _ := cluster.Owned(ctx, name); !ok {
			s.inside(ctx, name)
			continue
		}
		users, err := fixtures.ClusterUsers(s.leaseDir, name)
		if err != nil {
			s.errs = append(s.errs, err)
			continue
		}
		what := "kind-cluster/" + name
		if len(users) > 0 && s.keep(what, fixtures.Owner{Live: true, Why: "used by live " + users[0].String()}) {
			continue
		}
		if r, ok := s.leaseHolder(ctx, name); ok && s.keep(what, fixtures.Owner{Live: true, Why: "used by live " + r.String() + ", by its Lease in the cluster"}) {
			continue
		}
		s.remove(what, func() error { return cluster.Delete(ctx, name) })
	}
}

// inside cleans what gone runs left inside a kind cluster the suite did not create.
func (s *sweeper) inside(ctx context.Context, name string) {
	k, done, err := fixtures.ClusterClient(name)
	if err != nil {
		s.errs = append(s.errs, err)
		return
	}
	defer done()
	nss, err := k.Clientset.CoreV1().Namespaces().List(ctx, metav1.ListOptions{LabelSelector: container.RunLabel})
	if err != nil {
		s.errs = append(s.errs, fmt.Errorf("listing namespaces in kind cluster %s: %w", name, err))
		return
	}
	holders, stale, err := fixtures.ClusterLeases(ctx, k.Clientset, "")
	if err != nil {
		s.errs = append(s.errs, fmt.Errorf("kind cluster %s: %w", name, err))
		return
	}
	owner := func(runID string) (fixtures.Owner, error) {
		for _, r := range holders {
			if r.RunID == runID {
				return fixtures.Owner{RunID: runID, Live: true, Record: r, Why: "live " + r.String() + ", by its Lease in the cluster"}, nil
			}
		}
		return fixtures.OwnerOf(s.leaseDir, map[string]string{container.RunLabel: runID})
	}
	for _, ns := range nss.Items {
		what := name + "/namespace/" + ns.Name
		if o, err := owner(ns.Labels[container.RunLabel]); err != nil || s.keep(what, o) {
			s.errs = appendErr(s.errs, err)
			continue
		}
		s.remove(what, func() error { return k.DeleteNamespace(ctx, ns.Name, 2*time.Minute) })
	}
	runs, err := fixtures.CoreDNSRuns(ctx, k)
	if err != nil {
		return // no CoreDNS ConfigMap: nothing of ours there
	}
	for _, id := range runs {
		what := fmt.Sprintf("%s/coredns hosts of run %s", name, id)
		if o, err := owner(id); err != nil || s.keep(what, o) {
			s.errs = appendErr(s.errs, err)
			continue
		}
		s.remove(what, func() error { return fixtures.RemoveCoreDNSHosts(ctx, k, id) })
	}
	for _, l := range stale {
		s.remove(name+"/lease/"+l, func() error { return fixtures.DeleteClusterLease(ctx, k.Clientset, l) })
	}
}

// leaseHolder is a live run by the Leases inside kind cluster name, if any can be read.
func (s *sweeper) leaseHolder(ctx context.Context, name string) (lease.Record, bool) {
	k, done, err := fixtures.ClusterClient(name)
	if err != nil {
		return lease.Record{}, false // an unreadable cluster has no live run to tell of
	}
	defer done()
	holders, _, err := fixtures.ClusterLeases(ctx, k.Clientset, "")
	if err != nil || len(holders) == 0 {
		return lease.Record{}, false
	}
	return holders[0], true
}

// leases forgets the lease files of gone runs (only run only's, when given).
func (s *sweeper) leases(only string) {
	ids, err := lease.RunIDs(s.leaseDir)
	s.errs = appendErr(s.errs, err)
	for _, id := range ids {
		if only != "" && id != only {
			continue
		}
		if _, live, err := lease.Live(s.leaseDir, id); err != nil || live {
			s.errs = appendErr(s.errs, err)
			continue
		}
		s.remove("lease/"+id, func() error { _, err := lease.Forget(s.leaseDir, id); return err })
	}
}

func appendErr(errs []error, err error) []error {
	if err != nil {
		return append(errs, err)
	}
	return errs
}
