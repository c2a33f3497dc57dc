package onboarding

import "slices"

// Status is where a step stands.
type Status string

// Statuses of a step, in Event.Status.
const (
	StatusPending Status = "pending"
	StatusRunning Status = "running"
	StatusDone    Status = "done"    // it changed something
	StatusReused  Status = "reused"  // what it makes was already there: it changed nothing
	StatusSkipped Status = "skipped" // not part of this request (audit logs without feature audit, say)
	StatusFailed  Status = "failed"
)

// Event reports one step to the face that runs the engine (the flags' progress lines or the wizard).
// Each step emits StatusRunning (more than once when it has news while running, in Detail), then one of
// done, reused, skipped or failed. With StatusFailed, Err is the step's error itself, so a face finds
// its fix with FixFor; faces scrub Detail and Err before showing them.
type Event struct {
	Step   string `json:"step"`
	Title  string `json:"title"`
	Status Status `json:"status"`
	Detail string `json:"detail,omitempty"`
	Err    error  `json:"-"`
}

// StepInfo is one step of a run, as a face lists and numbers it ("3 of 11").
type StepInfo struct{ ID, Title string }

// stepPreflight is the first step of every run: the pre-flight check, which also identifies the caller.
var stepPreflight = StepInfo{ID: "preflight", Title: "pre-flight check: every input and precondition, before any change"}

// StepsFor lists, in order, every step Apply (or ApplyPlan) emits events for with req: none is added or
// dropped while it runs, so a face can number them from the start. A step that is not part of the request
// is listed too and ends StatusSkipped.
func StepsFor(req Request) []StepInfo {
	out := []StepInfo{stepPreflight}
	for _, s := range steps {
		out = append(out, StepInfo{ID: s.ID, Title: s.Title})
	}
	return slices.Clip(out)
}
