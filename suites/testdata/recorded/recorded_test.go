// Package recorded records the reports package's test data (reports/testdata/README.md):
// the suite's real tree (package suites/tree, declared as suites/egress declares it) run on
// a scripted world (suites/testdata/script), because real outcomes need a cluster. By
// default it records mixed.json (the plain tree); with RECORD=upgrade, upgrade-mixed.json
// (the upgrade tree). It lives under testdata so `go build/vet/test ./...` never see it.
package recorded

import (
	"os"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	"github.com/onsi/gomega"

	"github.com/egressconformance/iec/fixtures"
	"github.com/egressconformance/iec/suites/testdata/script"
	"github.com/egressconformance/iec/suites/tree"
)

// recording is one recorded run: its scripted world, the timings its setup reports, what
// else its setup does, and its tree.
type recording struct {
	world   *script.World
	timings []fixtures.Timing
	setUp   func()
	declare func()
}

var rec recording

func TestRecorded(t *testing.T) {
	gomega.RegisterFailHandler(Fail)
	rec = mixed()
	if os.Getenv("RECORD") == "upgrade" {
		rec = upgrade()
	}
	rec.declare()
	RunSpecs(t, "Istio egress conformance")
}

// The setup records what the live suite's setup records (tree.RecordWorld).
var _ = SynchronizedBeforeSuite(func() []byte {
	tree.RecordWorld(rec.world.Properties(), rec.timings)
	rec.setUp()
	return nil
}, func([]byte) {})
