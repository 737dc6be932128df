package bundle

import (
	"sync"
	"sync/atomic"
	"testing"
)

// TestClaimCapsAcrossClaimants: claimants racing on one folder (as the suite's parallel
// processes do) get exactly max claims between them; a cap of 0 allows none.
func TestClaimCapsAcrossClaimants(t *testing.T) {
	for _, max := range []int{0, 1, 5} {
		dir := t.TempDir()
		var got atomic.Int32
		var wg sync.WaitGroup
		for range 16 {
			wg.Go(func() {
				ok, err := Claim(dir, max)
				if err != nil {
					t.Error(err)
				}
				if ok {
					got.Add(1)
				}
			})
		}
		wg.Wait()
		if int(got.Load()) != max {
			t.Errorf("cap %d: %d claims granted", max, got.Load())
		}
	}
}
