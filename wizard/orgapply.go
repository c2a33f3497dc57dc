package wizard

import (
	"context"
	"errors"
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"onboard/onboarding"
)

// Messages of a running organization onboarding, which reach Update one at a time through a channel.
type (
	memberEventMsg struct{ ev onboarding.MemberEvent }
	orgDoneMsg     struct {
		res onboarding.OrganizationResult
		err error
	}
)

// orgRun is the apply phase of an organization: one line per chosen member with its state, as the
// engine's events of that member say it.
type orgRun struct {
	active  bool
	members []onboarding.MemberOutcome // the reviewed members, in UIN order
	steps   []onboarding.StepInfo
	last    map[string]onboarding.Event // each member's latest event
}

// startOrgApply runs the same organization onboarding as tencent --org, with the plans reviewed, in its
// own goroutine; each member's events come back through a channel.
func (m Model) startOrgApply() (Model, tea.Cmd) {
	a, build, reviewed := m.q.ans, m.deps.Organization, *m.rv.org
	req := a.OrganizationRequest()
	req.Plans = reviewed.Plans()
	m.phase, m.ap = phaseApply, applyRun{running: true, status: map[string]onboarding.Event{}}
	m.org = orgRun{active: true, members: reviewed.Members, steps: onboarding.StepsFor(req.Request), last: map[string]onboarding.Event{}}
	var start tea.Cmd
	m, start = m.background(func(ctx context.Context, ch chan<- tea.Msg) {
		o, err := build(a)
		if err != nil {
			ch <- orgDoneMsg{err: err}
			return
		}
		res, err := o.Onboard(ctx, req, func(ev onboarding.MemberEvent) {
			if ev.Status != onboarding.StatusPending {
				ch <- memberEventMsg{ev}
			}
		})
		ch <- orgDoneMsg{res: res, err: err}
	})
	return m, tea.Batch(start, m.spin.Tick)
}

func (m Model) updateOrgApply(msg tea.Msg) (Model, tea.Cmd) {
	switch msg := msg.(type) {
	case memberEventMsg:
		m.org.last[msg.ev.Member] = msg.ev.Event
		return m, wait(m.events)
	case orgDoneMsg:
		m.ap.running = false
		if m.ap.cancelling || errors.Is(msg.err, context.Canceled) {
			m.cancelled = true
			if msg.err == nil {
				m.orgRes = &msg.res
			}
			return m, tea.Quit
		}
		if msg.err != nil {
			m.ap.err = msg.err
			return m, nil
		}
		m.orgRes, m.orgRetry = &msg.res, m.deps.RetryFor(m.q.ans, msg.res.Failed)
		m.phase = phaseSummary
		return m, nil
	case tea.KeyPressMsg:
		if m.ap.running {
			return m, nil
		}
		switch msg.String() {
		case "r":
			if m.ap.err != nil {
				return m.enterReview(nil)
			}
		case "q", "esc":
			m.err = m.ap.err
			return m, tea.Quit
		}
	}
	return m, nil
}

// finished reports whether a member's run has ended, by its latest event: a failure, or the last step
// settled.
func (o orgRun) finished(uin string) (ev onboarding.Event, ok bool) {
	ev, seen := o.last[uin]
	if !seen {
		return ev, false
	}
	if ev.Status == onboarding.StatusFailed {
		return ev, true
	}
	return ev, len(o.steps) > 0 && ev.Step == o.steps[len(o.steps)-1].ID && ev.Status != onboarding.StatusRunning
}

// orgApplyLine is the apply phase's head: how many members have finished.
func (m Model) orgApplyLine() string {
	n := 0
	for _, mem := range m.org.members {
		if _, ok := m.org.finished(mem.UIN); ok {
			n++
		}
	}
	return fmt.Sprintf("Organization · %d of %d members finished", n, len(m.org.members))
}

// orgApplyBody is one line per member: waiting, the step it is at, or how it ended.
func (m Model) orgApplyBody() string {
	var b strings.Builder
	w := m.width - 1
	if m.ap.err != nil {
		b.WriteString(m.st.Bad.Render(wrapWords("✗ "+m.ap.err.Error(), w, "  ")) + "\n\n")
	}
	index := map[string]int{}
	for i, s := range m.org.steps {
		index[s.ID] = i + 1
	}
	for _, mem := range m.org.members {
		ev, seen := m.org.last[mem.UIN]
		state := "waiting"
		mark := m.st.Muted.Render("·")
		if seen {
			state = ev.Title + ": " + string(ev.Status)
			if i := index[ev.Step]; i > 0 {
				state = fmt.Sprintf("step %d of %d, %s", i, len(m.org.steps), state)
			}
			if ev.Detail != "" {
				state += " (" + ev.Detail + ")"
			}
			mark = m.spin.View()
			if _, done := m.org.finished(mem.UIN); done {
				mark = m.stepMark(ev, true)
			}
		}
		line := fmt.Sprintf("%s %-14s %-16s %s", mark, mem.UIN, ansi.Truncate(mem.Name, 16, "…"), state)
		b.WriteString(ansi.Truncate(line, w, "…") + "\n")
	}
	if m.ap.cancelling {
		b.WriteString("\n" + m.st.Warn.Render("stopping: each member's current call finishes, then it stops (the next run resumes)") + "\n")
	}
	return b.String()
}
