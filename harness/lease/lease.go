// Package lease tells a live run from a dead one. A run holds a lease for its whole life: in a
// directory shared by the runs of this host, <run>.lock, which it keeps locked (flock), and
// <run>.json, its record (run id, host, process, cluster, start, heartbeat), which it renews.
// The kernel drops the lock when the process ends, however it ends (kill -9 too), so "the lock
// is held" is the liveness test on this host; the heartbeat tells a reader how fresh the
// record is, and is what other hosts can go by where the record is copied (the cluster's
// Lease object, fixtures/ownership.go).
package lease

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Record is what a lease says about its run.
type Record struct {
	RunID string `json:"runID"`
	Host  string `json:"host"`
	PID   int    `json:"pid"`
	// Cluster is the kind cluster the run uses ("" before it chose one, or none).
	Cluster string `json:"cluster,omitempty"`
	// Artifacts is the absolute path of the folder the run writes its reports to ("": none).
	Artifacts string    `json:"artifacts,omitempty"`
	Started   time.Time `json:"started"`
	Heartbeat time.Time `json:"heartbeat"`
}

func (r Record) String() string {
	s := fmt.Sprintf("run %s (host %s, pid %d, started %s", r.RunID, r.Host, r.PID, r.Started.Format(time.RFC3339))
	if !r.Heartbeat.IsZero() {
		s += fmt.Sprintf(", heartbeat %s ago", time.Since(r.Heartbeat).Round(time.Second))
	}
	return s + ")"
}

// Lease is a lease this process holds.
type Lease struct {
	dir  string
	lock *os.File
	mu   sync.Mutex
	rec  Record
	stop chan struct{}
	done chan struct{}
}

// Host is this machine's name as leases record it.
func Host() string {
	h, err := os.Hostname()
	if err != nil || h == "" {
		return "unknown-host"
	}
	return h
}

// Acquire takes the lease of run runID in dir (created, writable by every user, when
// missing) and renews its heartbeat every interval until Release. It fails when a live
// process holds that run id already.
func Acquire(dir, runID, cluster, artifacts string, every time.Duration) (*Lease, error) {
	if err := os.MkdirAll(dir, 0o777); err != nil {
		return nil, fmt.Errorf("creating the lease directory %s: %w: set EGRESS_LEASE_DIR to a directory every run on this host can write", dir, err)
	}
	_ = os.Chmod(dir, 0o777|os.ModeSticky) // shared by the runs of every user, like /tmp
	f, err := os.OpenFile(filepath.Join(dir, runID+".lock"), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("opening the lease of run %s in %s: %w", runID, dir, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		holder, _ := read(dir, runID)
		return nil, fmt.Errorf("run id %s is in use by a live %s: give this run another EGRESS_RUN_ID (or none: a random one)", runID, holder)
	}
	now := time.Now().UTC()
	l := &Lease{dir: dir, lock: f, stop: make(chan struct{}), done: make(chan struct{}),
		rec: Record{RunID: runID, Host: Host(), PID: os.Getpid(), Cluster: cluster, Artifacts: artifacts, Started: now, Heartbeat: now}}
	if err := l.write(); err != nil {
		l.unlock()
		return nil, err
	}
	go l.renew(every)
	return l, nil
}

// Record is the lease's current record.
func (l *Lease) Record() Record {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.rec
}

// SetCluster records the cluster the run uses.
func (l *Lease) SetCluster(name string) error {
	l.mu.Lock()
	l.rec.Cluster = name
	l.mu.Unlock()
	return l.write()
}

func (l *Lease) renew(every time.Duration) {
	defer close(l.done)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-t.C:
			l.mu.Lock()
			l.rec.Heartbeat = time.Now().UTC()
			l.mu.Unlock()
			_ = l.write() // a missed beat only ages the record; the lock still says "live"
		}
	}
}

// write replaces the record atomically (a reader never sees half of one).
func (l *Lease) write() error {
	l.mu.Lock()
	b, err := json.Marshal(l.rec)
	l.mu.Unlock()
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(l.dir, "."+l.rec.RunID+".json.*")
	if err != nil {
		return fmt.Errorf("writing the lease record of run %s: %w", l.rec.RunID, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return fmt.Errorf("writing the lease record of run %s: %w", l.rec.RunID, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), filepath.Join(l.dir, l.rec.RunID+".json"))
}

// Release ends the lease: its files are removed and the lock dropped.
func (l *Lease) Release() error {
	select {
	case <-l.stop:
		return nil // released already
	default:
	}
	close(l.stop)
	<-l.done
	err := os.Remove(filepath.Join(l.dir, l.rec.RunID+".json"))
	if errors.Is(err, os.ErrNotExist) {
		err = nil
	}
	_ = os.Remove(filepath.Join(l.dir, l.rec.RunID+".lock"))
	l.unlock()
	return err
}

func (l *Lease) unlock() {
	_ = syscall.Flock(int(l.lock.Fd()), syscall.LOCK_UN)
	l.lock.Close()
}

// Live reports whether run runID holds its lease in dir now, with its record.
func Live(dir, runID string) (Record, bool, error) {
	f, err := os.OpenFile(filepath.Join(dir, runID+".lock"), os.O_RDWR, 0)
	if errors.Is(err, os.ErrNotExist) {
		return Record{}, false, nil
	}
	if err != nil {
		return Record{}, false, fmt.Errorf("checking the lease of run %s in %s: %w", runID, dir, err)
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err == nil {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		rec, _ := read(dir, runID)
		return rec, false, nil // nobody holds it: the run is gone
	} else if !errors.Is(err, syscall.EWOULDBLOCK) {
		return Record{}, false, fmt.Errorf("checking the lease of run %s in %s: %w", runID, dir, err)
	}
	rec, err := read(dir, runID)
	if err != nil {
		rec = Record{RunID: runID, Host: Host()} // held, record not written yet
	}
	return rec, true, nil
}

// RunIDs are the runs that have lease files in dir, live or not, in name order.
func RunIDs(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("listing leases in %s: %w", dir, err)
	}
	var ids []string
	for _, e := range entries {
		if id, ok := strings.CutSuffix(e.Name(), ".lock"); ok {
			ids = append(ids, id)
		}
	}
	return ids, nil
}

// LiveRuns are the records of every run holding its lease in dir, oldest first.
func LiveRuns(dir string) ([]Record, error) {
	ids, err := RunIDs(dir)
	if err != nil {
		return nil, err
	}
	var out []Record
	for _, id := range ids {
		rec, live, err := Live(dir, id)
		if err != nil {
			return nil, err
		}
		if live {
			out = append(out, rec)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Started.Equal(out[j].Started) {
			return out[i].Started.Before(out[j].Started)
		}
		return out[i].RunID < out[j].RunID
	})
	return out, nil
}

func read(dir, runID string) (Record, error) {
	var r Record
	b, err := os.ReadFile(filepath.Join(dir, runID+".json"))
	if err != nil {
		return Record{RunID: runID}, err
	}
	if err := json.Unmarshal(b, &r); err != nil {
		return Record{RunID: runID}, fmt.Errorf("lease record of run %s: %w", runID, err)
	}
	return r, nil
}

// Forget removes the files of run runID's lease when no process holds it (a run that was
// killed leaves them); it reports whether it removed them.
func Forget(dir, runID string) (bool, error) {
	if _, live, err := Live(dir, runID); err != nil || live {
		return false, err
	}
	var errs []error
	removed := false
	for _, ext := range []string{".json", ".lock"} {
		err := os.Remove(filepath.Join(dir, runID+ext))
		switch {
		case err == nil:
			removed = true
		case !errors.Is(err, os.ErrNotExist):
			errs = append(errs, err)
		}
	}
	return removed, errors.Join(errs...)
}
