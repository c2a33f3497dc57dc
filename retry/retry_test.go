package retry

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestWaitIsEqualJitterOfTheCappedSchedule(t *testing.T) {
	p := Policy{Attempts: 10, Base: 100 * time.Millisecond, Max: time.Second}
	for _, tt := range []struct {
		n    int
		want time.Duration // the schedule's delay d; the wait is in [d/2, d)
	}{{1, 100 * time.Millisecond}, {2, 200 * time.Millisecond}, {4, 800 * time.Millisecond}, {5, time.Second}, {60, time.Second}} {
		for range 200 {
			if got := p.Wait(tt.n); got < tt.want/2 || got >= tt.want {
				t.Fatalf("Wait(%d) = %s, want in [%s, %s)", tt.n, got, tt.want/2, tt.want)
			}
		}
	}
}

var errTransient = errors.New("throttled")

func transient(err error) bool { return errors.Is(err, errTransient) }

func TestDo(t *testing.T) {
	p := Policy{Attempts: 4, Base: time.Millisecond, Max: 2 * time.Millisecond}
	permanent := errors.New("denied")
	for _, tt := range []struct {
		name      string
		errs      []error // what the attempts return, in order; nil after the list
		wantCalls int
		want      error
	}{
		{"first try", nil, 1, nil},
		{"after transient failures", []error{errTransient, errTransient}, 3, nil},
		{"a permanent error is not retried", []error{errTransient, permanent}, 2, permanent},
		{"attempts run out", []error{errTransient, errTransient, errTransient, errTransient, errTransient}, 4, errTransient},
	} {
		t.Run(tt.name, func(t *testing.T) {
			calls, retries := 0, 0
			err := Do(context.Background(), p, transient, func(int, time.Duration, error) { retries++ }, func() error {
				calls++
				if calls <= len(tt.errs) {
					return tt.errs[calls-1]
				}
				return nil
			})
			if !errors.Is(err, tt.want) || (tt.want == nil && err != nil) || calls != tt.wantCalls || retries != calls-1 {
				t.Errorf("err %v after %d calls and %d retries; want %v after %d calls", err, calls, retries, tt.want, tt.wantCalls)
			}
		})
	}
}

func TestDoStopsWaitingWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(20*time.Millisecond, cancel)
	start := time.Now()
	err := Do(ctx, Policy{Attempts: 5, Base: time.Minute, Max: time.Minute}, transient, nil, func() error { return errTransient })
	if !errors.Is(err, context.Canceled) || time.Since(start) > 5*time.Second {
		t.Fatalf("Do returned %v after %s; want context.Canceled at once", err, time.Since(start))
	}
}

func TestPollerBacksOffAndEndsAtTheDeadline(t *testing.T) {
	start := time.Now()
	p := NewPoller(Backoff{First: 10 * time.Millisecond, Max: 40 * time.Millisecond}, start.Add(150*time.Millisecond))
	var waits []time.Duration
	for {
		before := time.Now()
		if err := p.Wait(context.Background()); err != nil {
			if !errors.Is(err, ErrDeadline) {
				t.Fatal(err)
			}
			break
		}
		waits = append(waits, time.Since(before))
	}
	// 10, 20, 40, 40, 40: 150 ms, the last one cut short by the deadline.
	if len(waits) < 4 || waits[0] >= waits[1] || waits[1] >= waits[2] || time.Since(start) > time.Second {
		t.Errorf("waits %v over %s; want growing waits ending at the 150 ms deadline", waits, time.Since(start))
	}
	if waits[0] > 35*time.Millisecond {
		t.Errorf("first wait %s; want about 10 ms", waits[0])
	}
}

func TestUntil(t *testing.T) {
	b := Backoff{First: time.Millisecond, Max: 5 * time.Millisecond}
	checks := 0
	err := Until(context.Background(), b, time.Second, func() (bool, error) { checks++; return checks == 3, nil })
	if err != nil || checks != 3 {
		t.Errorf("Until = %v after %d checks; want done at the third", err, checks)
	}
	err = Until(context.Background(), b, 20*time.Millisecond, func() (bool, error) { return false, nil })
	if !errors.Is(err, ErrDeadline) {
		t.Errorf("Until past its timeout = %v; want ErrDeadline", err)
	}
	boom := errors.New("boom")
	if err := Until(context.Background(), b, time.Second, func() (bool, error) { return false, boom }); !errors.Is(err, boom) {
		t.Errorf("Until = %v; want the check's error", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Until(ctx, b, time.Minute, func() (bool, error) { return false, nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("Until cancelled = %v; want context.Canceled", err)
	}
}
