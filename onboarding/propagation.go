package onboarding

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"onboard/retry"
	"onboard/tencent"
)

// ErrPropagation means CAM had not applied the run's new key or grants when the engine stopped waiting.
// Tencent Cloud documents CAM as eventually consistent: a change reaches the services once CAM's cache
// expires, currently after about a minute (https://www.tencentcloud.com/document/product/436/12469).
var ErrPropagation = errors.New("CAM has not applied the new key or grants yet")

// camPollInterval is the longest wait before a refused probe is tried again while CAM applies a change.
// The first wait is camFirstPoll, each next one twice the last: a change CAM applies at once (or
// within a second) costs a few tens of milliseconds, one that takes CAM's minute is asked about twice
// a second, as before.
const camPollInterval = 500 * time.Millisecond

// camFirstPoll is the first wait of every poll while CAM applies a change.
const camFirstPoll = 50 * time.Millisecond

// revalidateInterval is how often Security Center is asked to validate a key again while CAM applies a
// change: a twentieth of the wait, between camPollInterval and 5 s, since each asks Security Center to
// check every module of the key against Tencent Cloud anew.
func revalidateInterval(wait time.Duration) time.Duration {
	return min(max(wait/20, camPollInterval), 5*time.Second)
}

// camWait waits, within one deadline (Engine.PropagationWait from its start), for CAM to apply a new
// key and grants to every probe of one step. The first wait is announced once, so the person knows why
// the step takes long.
type camWait struct {
	limit    time.Duration       // Engine.PropagationWait
	announce func(detail string) // emits the waiting step's running event
	deadline time.Time
	told     sync.Once // probes may wait at once; the wait is announced once
}

// newCAMWait starts the wait's deadline for the running step.
func (r *run) newCAMWait() *camWait {
	s := r.current
	return newCAMWait(r.e.PropagationWait, func(detail string) {
		r.emit(Event{Step: s.ID, Title: s.Title, Status: "running", Detail: detail})
	})
}

// newCAMWait starts a wait of limit whose first pause calls announce.
func newCAMWait(limit time.Duration, announce func(detail string)) *camWait {
	return &camWait{limit: limit, announce: announce, deadline: time.Now().Add(limit)}
}

// camWaitText is the event detail while the engine waits for CAM.
func camWaitText(limit time.Duration) string {
	return fmt.Sprintf("waiting for CAM to apply the grants (up to %g s)", limit.Seconds())
}

// expired is the error after the deadline: ErrPropagation, naming the wait, with the last refusal's text
// (not its sentinel: the new key is not wrong, only not applied yet). Without a wait (PropagationWait 0)
// it is the refusal itself.
func (w *camWait) expired(last error) error {
	if w.limit <= 0 {
		return last
	}
	return fmt.Errorf("%w: still refused after waiting %g s for CAM to apply the grants (Tencent Cloud documents about a minute): %v",
		ErrPropagation, w.limit.Seconds(), last)
}

// poller paces one poll under the wait's deadline: camFirstPoll first, doubling up to longest.
func (w *camWait) poller(longest time.Duration) *retry.Poller {
	return retry.NewPoller(retry.Backoff{First: min(camFirstPoll, longest), Max: longest}, w.deadline)
}

// pause announces the wait once and sleeps for p's next interval, ending at the deadline; it fails with
// retry.ErrDeadline once the deadline has passed, and with ctx's error.
func (w *camWait) pause(ctx context.Context, p *retry.Poller) error {
	if time.Now().Before(w.deadline) {
		w.told.Do(func() { w.announce(camWaitText(w.limit)) })
	}
	return p.Wait(ctx)
}

// until runs probe until it passes, fails otherwise than as refused says, or the deadline has passed.
func (w *camWait) until(ctx context.Context, refused func(error) bool, probe func() error) error {
	p := w.poller(camPollInterval)
	for {
		err := probe()
		if err == nil || !refused(err) {
			return err
		}
		if perr := w.pause(ctx, p); errors.Is(perr, retry.ErrDeadline) {
			return w.expired(err)
		} else if perr != nil {
			return perr
		}
	}
}

// refusedByCAM is how a Tencent Cloud call answers while CAM has not applied a key (unknown key) or a
// grant (unauthorised operation).
func refusedByCAM(err error) bool {
	return errors.Is(err, tencent.ErrAuth) || errors.Is(err, tencent.ErrDenied)
}
