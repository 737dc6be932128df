// Package poll is the one wait loop of the harness and the fixtures: check a condition at
// once, then at an interval, until it holds, fails, its bound passes or the context ends.
package poll

import (
	"context"
	"time"
)

// Until checks cond at once and then every interval until cond says done, returns an error,
// bound has passed or ctx ends. cond is checked once more after bound has passed, never
// after a wait that could not hold (so a bound shorter than the interval still gives two
// checks), and gets ctx itself: a check in flight at the bound finishes, and the caller can
// say what it was still waiting for from what its last check saw.
//
// timedOut is true when bound passed with cond never done (err is then nil); err is cond's
// error, or ctx's when it ended first.
func Until(ctx context.Context, bound, interval time.Duration, cond func(ctx context.Context) (done bool, err error)) (timedOut bool, err error) {
	deadline := time.Now().Add(bound)
	var t *time.Timer
	for {
		done, err := cond(ctx)
		if err != nil || done {
			return false, err
		}
		if !time.Now().Before(deadline) {
			return true, nil
		}
		wait := min(interval, max(time.Until(deadline), 0)+time.Millisecond)
		if t == nil {
			t = time.NewTimer(wait)
			defer t.Stop()
		} else {
			t.Reset(wait)
		}
		select {
		case <-ctx.Done():
			return false, ctx.Err()
		case <-t.C:
		}
	}
}
