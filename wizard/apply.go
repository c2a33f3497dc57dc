package wizard

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"onboard/inventory"
	"onboard/onboarding"
)

// Messages of a running ApplyPlan, which reach Update one at a time through a channel, so that the
// program stays responsive (Ctrl+C) while a step runs.
type (
	eventMsg     struct{ ev onboarding.Event }
	progressMsg  struct{ p inventory.Progress }
	applyDoneMsg struct {
		res onboarding.Result
		err error
	}
)

// stepFirstSync is the engine's first-sync step: while it runs, the sync phase shows its progress.
const stepFirstSync = "first-sync"

// applyRun is the third phase: the engine's steps, numbered from the start, with their statuses.
type applyRun struct {
	steps      []onboarding.StepInfo
	status     map[string]onboarding.Event
	running    bool
	cancelling bool
	err        error
	stale      []string // what changed, when the plan had gone stale
}

func newApplyRun(req onboarding.Request) applyRun {
	return applyRun{steps: onboarding.StepsFor(req), status: map[string]onboarding.Event{}}
}

// current is the number (from 1) of the step the run is at, and its title.
func (a applyRun) current() (int, string) {
	n, title := 1, ""
	if len(a.steps) > 0 {
		title = a.steps[0].Title
	}
	for i, s := range a.steps {
		if ev, ok := a.status[s.ID]; ok && ev.Status != onboarding.StatusPending {
			n, title = i+1, s.Title
		}
	}
	return n, title
}

// startApply runs the reviewed plan in its own goroutine; its events and the first sync's progress come
// back through a channel.
func (m Model) startApply() (Model, tea.Cmd) {
	plan := *m.rv.plan
	a, build := m.q.ans, m.deps.Engine
	m.phase, m.ap = phaseApply, newApplyRun(plan.Request)
	m.sy = m.newSyncView()
	m.ap.running = true
	var start tea.Cmd
	m, start = m.background(func(ctx context.Context, ch chan<- tea.Msg) {
		e, err := build(a, func(p inventory.Progress) { ch <- progressMsg{p} })
		if err != nil {
			ch <- applyDoneMsg{err: err}
			return
		}
		res, err := e.ApplyPlan(ctx, plan, func(ev onboarding.Event) { ch <- eventMsg{ev} })
		ch <- applyDoneMsg{res: res, err: err}
	})
	return m, tea.Batch(start, m.spin.Tick)
}

// background runs work in its own goroutine with the program's context, cancelled by m.stop; its
// messages reach Update one at a time through m.events (the returned command yields the first, wait the
// next), so that the program stays responsive while it runs.
func (m Model) background(work func(ctx context.Context, ch chan<- tea.Msg)) (Model, tea.Cmd) {
	ch := make(chan tea.Msg, 256)
	stop := make(chan struct{})
	var once sync.Once
	m.events, m.stop = ch, func() { once.Do(func() { close(stop) }) }
	return m, m.do(func(ctx context.Context) tea.Msg {
		ctx, cancel := context.WithCancel(ctx)
		go func() {
			select {
			case <-stop:
				cancel()
			case <-ctx.Done():
			}
		}()
		go func() {
			defer cancel()
			work(ctx, ch)
		}()
		return <-ch
	})
}

func wait(ch chan tea.Msg) tea.Cmd {
	return func() tea.Msg { return <-ch }
}

func (m Model) updateApply(msg tea.Msg) (Model, tea.Cmd) {
	switch msg := msg.(type) {
	case eventMsg:
		m.ap.status[msg.ev.Step] = msg.ev
		if msg.ev.Step == stepFirstSync && msg.ev.Status == onboarding.StatusRunning && m.phase != phaseSync {
			m.phase, m.sy = phaseSync, m.newSyncView() // its clock starts with the sync
			return m, tea.Batch(wait(m.events), m.sy.Init())
		}
		return m, wait(m.events)
	case progressMsg:
		m.sy, _ = m.sy.UpdateSync(regionProgress(msg.p))
		return m, wait(m.events)
	case applyDoneMsg:
		m.ap.running = false
		if m.ap.cancelling || errors.Is(msg.err, context.Canceled) {
			m.cancelled = true
			if msg.err == nil {
				m.res = &msg.res
			}
			return m, tea.Quit
		}
		var stale *onboarding.StalePlanError
		switch {
		case errors.As(msg.err, &stale):
			m.phase, m.ap.stale = phaseApply, stale.What
			return m, nil
		case msg.err != nil:
			m.phase, m.ap.err = phaseApply, msg.err
			return m, nil
		}
		m.res = &msg.res
		m.phase, m.ag = phaseSummary, newAgentRun(msg.res, m.q.ans, m.deps)
		return m, nil
	case tea.KeyPressMsg:
		if m.ap.running {
			return m, nil // Ctrl+C is handled for every phase
		}
		switch {
		case m.ap.stale != nil && msg.String() == "enter":
			return m.enterReview(m.ap.stale)
		case m.ap.err != nil && msg.String() == "r":
			return m.enterReview(nil)
		case m.ap.err != nil && msg.String() == "b":
			if p, ok := m.fixPage(m.ap.err); ok {
				return m.toPage(p)
			}
		case msg.String() == "q" || msg.String() == "esc":
			m.err = m.ap.err
			if m.ap.stale != nil {
				m.err = &onboarding.StalePlanError{What: m.ap.stale}
			}
			return m, tea.Quit
		}
	}
	return m, nil
}

// toPage goes back to a questions page, to change the answer a fix names.
func (m Model) toPage(id pageID) (Model, tea.Cmd) {
	for i, p := range m.q.pages {
		if p.id == id {
			m.phase, m.q.done, m.q.notes = phaseQuestions, false, nil
			q, cmd := m.q.enter(i, +1, m.do)
			m.q = q
			if q.done {
				return m.enterReview(nil)
			}
			return m, cmd
		}
	}
	return m, nil
}

// fieldPages are the questions pages of the request's fields, in FixFor's flag spelling.
var fieldPages = map[string]pageID{
	"site": pgSetup, "mode": pgSetup, "features": pgFeatures, "cspm-policy": pgGrants, "lighthouse": pgLighthouse,
	"sub-user": pgUser, "adopt-user": pgUser,
	"audit-region": pgAuditRegion, "kafka-network": pgAuditRegion, "audit-logset": pgAuditLogset, "audit-topic": pgAuditTopic,
	"soc-logs":        pgSOCLogs,
	"members":         pgMembers,
	"security-center": pgSecurityCenter, "account-name": pgAccountName,
	"regions": pgRegions, "region-management": pgRegions,
	"host-sync": pgFrequencies, "cloud-sync": pgFrequencies, "ak-check": pgFrequencies,
	onboarding.FixTencentKey: pgTencent, onboarding.FixAlibabaKey: pgSecurityCenter,
}

// fixPage is the questions page where the fix for err is made, when there is one these answers show.
func (m Model) fixPage(err error) (pageID, bool) {
	fix, ok := onboarding.FixFor(err)
	if !ok {
		return "", false
	}
	id, ok := fieldPages[fix.Field]
	if !ok {
		return "", false
	}
	for _, p := range m.q.pages {
		if p.id == id && (p.skip == nil || !p.skip(&m.q)) {
			return id, true
		}
	}
	return "", false
}

// fixText is the engine's fix for err worded for the wizard: the screen to change, never a flag.
func (m Model) fixText(err error) (string, bool) {
	fix, ok := onboarding.FixFor(err)
	if !ok {
		return "", false
	}
	s := "Fix: " + fix.Say
	switch fix.Field {
	case "root-key", "confirm-root-key":
		s += " (the root-key question of the review)"
	default:
		if id, ok := m.fixPage(err); ok {
			s += " (press b to change it on the " + m.pageTitle(id) + " screen)"
		}
	}
	return s, true
}

func (m Model) pageTitle(id pageID) string {
	for _, p := range m.q.pages {
		if p.id == id {
			return "“" + p.title + "”"
		}
	}
	return string(id)
}

// stepMark is a step's status at a glance; reused and skipped steps are not ticked as done.
func (m Model) stepMark(ev onboarding.Event, seen bool) string {
	if !seen {
		return m.st.Muted.Render("·")
	}
	switch ev.Status {
	case onboarding.StatusRunning:
		return m.spin.View()
	case onboarding.StatusDone:
		return m.st.Good.Render("✓")
	case onboarding.StatusReused:
		return m.st.Good.Render("=")
	case onboarding.StatusSkipped:
		return m.st.Muted.Render("–")
	case onboarding.StatusFailed:
		return m.st.Bad.Render("✗")
	}
	return m.st.Muted.Render("·")
}

// statusNote says what a reused or skipped step did, next to its title.
func statusNote(s onboarding.Status) string {
	switch s {
	case onboarding.StatusReused:
		return "already there"
	case onboarding.StatusSkipped:
		return "not part of this run"
	}
	return ""
}

func (m Model) applyBody() string {
	var b strings.Builder
	w := m.width - 1
	switch {
	case m.ap.stale != nil:
		b.WriteString(m.st.Warn.Render("The account changed since you reviewed the plan, so nothing was applied:") + "\n")
		for _, c := range m.ap.stale {
			b.WriteString(wrapWords("  - "+c, w, "    ") + "\n")
		}
		b.WriteString(wrapWords("Enter goes back to the review, which plans again from what is there now.", w, "") + "\n\n")
	case m.ap.err != nil:
		b.WriteString(m.st.Bad.Render(wrapWords("✗ "+m.ap.err.Error(), w, "  ")) + "\n")
		if fix, ok := m.fixText(m.ap.err); ok {
			b.WriteString(wrapWords(fix, w, "  ") + "\n")
		}
		b.WriteString(wrapWords("What was made is recorded: the next run resumes from it.", w, "") + "\n\n")
	}
	for _, s := range m.ap.steps {
		ev, seen := m.ap.status[s.ID]
		detail := ev.Detail
		if n := statusNote(ev.Status); n != "" && detail == "" {
			detail = n
		}
		// The title gives way to what happened: a long title is shortened, the detail stays.
		title := s.Title
		if detail != "" {
			room := max(w-2-2-ansi.StringWidth(detail), w/2)
			title = ansi.Truncate(title, room, "…") + m.st.Muted.Render("  "+detail)
		}
		b.WriteString(m.stepMark(ev, seen) + " " + title + "\n")
	}
	if m.ap.cancelling {
		b.WriteString("\n" + m.st.Warn.Render("stopping: the current call finishes, then the run stops (the next run resumes)") + "\n")
	}
	return b.String()
}

// syncAccount names the one account of the first sync's view: the one being onboarded.
const syncAccount = "first sync"

func (m Model) newSyncView() SyncView {
	return NewSyncView(SyncViewOptions{Accounts: []string{syncAccount}, KindOrder: inventory.KindNames(), Scrub: m.deps.scrub,
		Width: m.width, Height: m.bodyHeight() - 2})
}

// regionProgress is the inventory's progress as the sync view takes it.
func regionProgress(p inventory.Progress) RegionProgress {
	return RegionProgress{Account: syncAccount, Kind: p.Kind, Region: p.Region, Seen: p.Seen, Total: p.Total,
		Done: p.Done, Failed: p.Done && p.Status != inventory.StatusDone, Err: p.Err}
}

// isApplyMsg reports the messages of a running ApplyPlan, which the apply phase takes.
func isApplyMsg(msg tea.Msg) bool {
	switch msg.(type) {
	case eventMsg, progressMsg, applyDoneMsg:
		return true
	}
	return false
}

func (m Model) syncBody() string {
	var b strings.Builder
	b.WriteString("Synchronising the assets of the chosen regions with the sub-user's key…\n\n")
	b.WriteString(m.sy.Render())
	if m.ap.cancelling {
		b.WriteString("\n" + m.st.Warn.Render("stopping…") + "\n")
	}
	return b.String()
}

// applyLine is the step counter: stable, numbered against every step of the request from the start.
func (m Model) applyLine() string {
	n, title := m.ap.current()
	return fmt.Sprintf("Step %d of %d · %s", n, len(m.ap.steps), title)
}
