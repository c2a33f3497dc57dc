// Package retry paces the two ways the tool waits on a cloud: trying a call again after a transient
// failure (throttling, a server error, a timeout, a dropped connection), and polling a state until it
// is reached (a key validated, a grant applied). Both start with a short interval and back off
// exponentially, and both stop the moment the context ends; a poll also stops at its deadline.
//
// It imports no other project package, so the cloud clients and the engine share it.
package retry

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"
)

// Policy says how a failed call is tried again: up to Attempts calls in all, the n-th wait drawn from
// an exponential schedule that starts at Base and doubles up to Max.
type Policy struct {
	Attempts int           // total attempts, at least 1
	Base     time.Duration // the schedule's first wait, before jitter
	Max      time.Duration // the schedule's cap, before jitter
}

// Wait is the wait after the n-th failed attempt (n from 1): the schedule's delay d = min(Base·2ⁿ⁻¹, Max)
// with "equal jitter", a uniform draw from [d/2, d). Half of d is always waited, so a throttled caller
// backs off for real; the other half spreads the clients that failed together so they do not come back
// in step.
func (p Policy) Wait(n int) time.Duration {
	d := exponential(p.Base, p.Max, n)
	if d <= 1 {
		return d
	}
	return d/2 + rand.N(d-d/2)
}

// exponential is base·2ⁿ⁻¹ capped at limit (no cap when limit is 0), without overflow.
func exponential(base, limit time.Duration, n int) time.Duration {
	d := base
	for i := 1; i < n && (limit <= 0 || d < limit) && d < time.Hour; i++ {
		d *= 2
	}
	if limit > 0 && d > limit {
		d = limit
	}
	return max(d, 0)
}

// Do calls op until it succeeds, fails with an error retryable rejects, or p.Attempts calls have failed,
// and returns op's last error. Between attempts it waits p.Wait(n), calling onRetry first (for a log
// line; it may be nil). When ctx ends, during a wait or an attempt, Do returns at once with an error
// that wraps ctx.Err() and names the last failure.
func Do(ctx context.Context, p Policy, retryable func(error) bool, onRetry func(attempt int, wait time.Duration, err error), op func() error) error {
	for attempt := 1; ; attempt++ {
		err := op()
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return fmt.Errorf("%w (after: %v)", ctx.Err(), err)
		}
		if attempt >= p.Attempts || !retryable(err) {
			return err
		}
		wait := p.Wait(attempt)
		if onRetry != nil {
			onRetry(attempt, wait, err)
		}
		if serr := Sleep(ctx, wait); serr != nil {
			return fmt.Errorf("%w (while waiting to retry after: %v)", serr, err)
		}
	}
}

// Sleep waits d, or until ctx ends, whose error it then returns.
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Backoff is a polling schedule: the first wait is First, each next one twice the last, up to Max. It
// has no jitter: a poll asks about one state of its own, so there is no crowd to spread.
type Backoff struct {
	First time.Duration
	Max   time.Duration
}

// ErrDeadline means a poll's deadline passed before its state was reached.
var ErrDeadline = errors.New("deadline passed")

// Poller paces one polling loop under a deadline: check, Wait, check again.
type Poller struct {
	b        Backoff
	deadline time.Time
	n        int
}

// NewPoller starts a poll that may wait until deadline; a zero deadline leaves the bound to the context.
func NewPoller(b Backoff, deadline time.Time) *Poller {
	return &Poller{b: b, deadline: deadline}
}

// Deadline is when the poll gives up.
func (p *Poller) Deadline() time.Time { return p.deadline }

// Wait sleeps before the next check: the schedule's next interval, shortened so as to end at the
// deadline. It returns ErrDeadline without sleeping once the deadline has passed (so the check before
// it was the last), and ctx's error when ctx ends.
func (p *Poller) Wait(ctx context.Context) error {
	p.n++
	wait := exponential(p.b.First, p.b.Max, p.n)
	if !p.deadline.IsZero() {
		left := time.Until(p.deadline)
		if left <= 0 {
			return ErrDeadline
		}
		wait = min(wait, left)
	}
	return Sleep(ctx, wait)
}

// Until calls check until it reports done or fails, waiting between checks as b says. When timeout
// passes first, it returns an error wrapping ErrDeadline; when ctx ends, ctx's error.
func Until(ctx context.Context, b Backoff, timeout time.Duration, check func() (done bool, err error)) error {
	p := NewPoller(b, time.Now().Add(timeout))
	for {
		done, err := check()
		if done || err != nil {
			return err
		}
		if err := p.Wait(ctx); err != nil {
			if errors.Is(err, ErrDeadline) {
				return fmt.Errorf("%w: not done after %s", ErrDeadline, timeout)
			}
			return err
		}
	}
}
