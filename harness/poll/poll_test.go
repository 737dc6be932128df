package poll

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestUntil(t *testing.T) {
	ctx := context.Background()
	n := 0
	timedOut, err := Until(ctx, time.Second, time.Millisecond, func(context.Context) (bool, error) { n++; return n == 3, nil })
	if timedOut || err != nil || n != 3 {
		t.Errorf("done on the third check: timedOut %v err %v after %d checks", timedOut, err, n)
	}

	boom := errors.New("boom")
	n = 0
	if timedOut, err = Until(ctx, time.Second, time.Millisecond, func(context.Context) (bool, error) { n++; return false, boom }); timedOut || !errors.Is(err, boom) || n != 1 {
		t.Errorf("a condition error ends the wait at once: timedOut %v err %v after %d checks", timedOut, err, n)
	}

	n = 0
	start := time.Now()
	timedOut, err = Until(ctx, 30*time.Millisecond, time.Hour, func(context.Context) (bool, error) { n++; return false, nil })
	if !timedOut || err != nil || n != 2 || time.Since(start) > time.Second {
		t.Errorf("bound shorter than the interval: want a check at once and one at the bound, got %d checks, timedOut %v err %v in %s", n, timedOut, err, time.Since(start))
	}

	cctx, cancel := context.WithCancel(ctx)
	n = 0
	timedOut, err = Until(cctx, time.Hour, time.Millisecond, func(context.Context) (bool, error) {
		if n++; n == 2 {
			cancel()
		}
		return false, nil
	})
	if timedOut || !errors.Is(err, context.Canceled) {
		t.Errorf("an ended context ends the wait with its error: timedOut %v err %v", timedOut, err)
	}
}
