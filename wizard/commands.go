package wizard

import (
	"context"
	"errors"
	"fmt"

	tea "charm.land/bubbletea/v2"
)

// Messages carrying the results of the IO started by commands. gen ties a reply to the screen visit that
// asked for it.
type (
	tencentCheckedMsg struct {
		gen int
		id  Identity
		err error
	}
	userCheckedMsg struct {
		gen    int
		status UserStatus
		err    error
	}
	alibabaCheckedMsg struct {
		gen     int
		err     error
		regions []Region
		listErr error
	}
	tencentRegionsMsg struct {
		regions []Region
		err     error
	}
	syncRegionsMsg struct {
		regions []Region
		err     error
	}
	logsetsMsg struct {
		region  string
		logsets []Logset
		err     error
	}
	topicsMsg struct {
		logsetID string
		topics   []Topic
		err      error
	}
	planMsg struct {
		plan Plan
		err  error
	}
	stepMsg      struct{ ev StepEvent }
	applyDoneMsg struct {
		outcome Outcome
		err     error
	}
	rollbackDoneMsg struct{ err error }
	rootKeyDoneMsg  struct {
		gen    int
		action string
		err    error
	}
	syncMsg     struct{ p SyncProgress }
	syncDoneMsg struct{ err error }
)

func commitTencent(m *Model, v values) {
	src := v["source"]
	if src == SourceTyped {
		m.ans.Tencent = Credential{Source: SourceTyped, ID: v["secret-id"], Secret: Secret(v["secret-key"])}
		return
	}
	if c, ok := findCredential(m.deps.FoundTencent, src); ok {
		m.ans.Tencent = c
	}
}

func commitSecurityCenter(m *Model, v values) {
	src := v["source"]
	m.ans.SkipSecurityCenter = src == SourceSkip
	m.ans.DisplayName = v["name"]
	switch src {
	case SourceSkip:
		m.ans.Alibaba = Credential{}
	case SourceTyped:
		m.ans.Alibaba = Credential{Source: SourceTyped, ID: v["key-id"], Secret: Secret(v["key-secret"])}
	default:
		if c, ok := findCredential(m.deps.FoundAlibaba, src); ok {
			m.ans.Alibaba = c
		}
	}
}

func commitRegions(m *Model, v values) {
	if !m.regionsLoaded() {
		return
	}
	m.ans.Regions = v.list("regions")
	m.ans.DefaultRegion = v["default"] == "yes"
}

func (m Model) regionsLoaded() bool { return len(m.syncRegions) > 0 }

func (m Model) akDefault() int {
	if m.visited[scrFreq] {
		return m.ans.AKCheckMinutes
	}
	return 1440
}

func checkTencent(m *Model) tea.Cmd {
	if m.deps.Credentials == nil {
		return nil
	}
	m.busy = "checking the Tencent Cloud key " + m.ans.Tencent.Masked() + "…"
	ctx, c, cred, gen := m.ctx, m.deps.Credentials, m.ans.Tencent, m.gen
	return func() tea.Msg {
		id, err := c.CheckTencent(ctx, cred)
		return tencentCheckedMsg{gen: gen, id: id, err: err}
	}
}

func checkUser(m *Model) tea.Cmd {
	if m.deps.Users == nil {
		return nil
	}
	m.busy = "looking up sub-user " + m.ans.UserName + "…"
	ctx, c, cred, name, gen := m.ctx, m.deps.Users, m.ans.Tencent, m.ans.UserName, m.gen
	return func() tea.Msg {
		st, err := c.CheckUser(ctx, cred, name)
		return userCheckedMsg{gen: gen, status: st, err: err}
	}
}

// checkAlibaba verifies the Alibaba key on the chosen site and fetches the region list in the same go,
// so that the regions screen opens ready.
func checkAlibaba(m *Model) tea.Cmd {
	if m.ans.SkipSecurityCenter {
		return nil
	}
	m.busy = "checking the Alibaba Cloud key " + m.ans.Alibaba.Masked() + " on Security Center…"
	ctx, a, r, site, cred, gen := m.ctx, m.deps.Alibaba, m.deps.Regions, m.ans.Site, m.ans.Alibaba, m.gen
	return func() tea.Msg {
		msg := alibabaCheckedMsg{gen: gen}
		if a != nil {
			if msg.err = a.CheckAlibaba(ctx, site, cred); msg.err != nil {
				return msg
			}
		}
		if r != nil {
			msg.regions, msg.listErr = r.SyncRegions(ctx, site, cred)
		}
		return msg
	}
}

func loadTencentRegions(m *Model) tea.Cmd {
	if m.deps.Regions == nil {
		return nil
	}
	var cmds []tea.Cmd
	if len(m.tencentRegions) == 0 {
		ctx, r, cred := m.ctx, m.deps.Regions, m.ans.Tencent
		cmds = append(cmds, func() tea.Msg {
			regions, err := r.TencentRegions(ctx, cred)
			return tencentRegionsMsg{regions: regions, err: err}
		})
	}
	if m.ans.AuditRegion != "" || len(m.tencentRegions) == 0 {
		cmds = append(cmds, loadLogsets(m))
	}
	return tea.Batch(cmds...)
}

func loadLogsets(m *Model) tea.Cmd {
	if m.deps.Logs == nil {
		return nil
	}
	region := m.ans.AuditRegion
	if region == "" {
		region = "ap-guangzhou"
	}
	ctx, l, cred := m.ctx, m.deps.Logs, m.ans.Tencent
	return func() tea.Msg {
		ls, err := l.Logsets(ctx, cred, region)
		return logsetsMsg{region: region, logsets: ls, err: err}
	}
}

func loadTopics(m *Model) tea.Cmd {
	if m.deps.Logs == nil || m.ans.LogsetID == "" {
		m.topics = nil
		return nil
	}
	ctx, l, cred, region, id := m.ctx, m.deps.Logs, m.ans.Tencent, m.ans.AuditRegion, m.ans.LogsetID
	return func() tea.Msg {
		ts, err := l.Topics(ctx, cred, region, id)
		return topicsMsg{logsetID: id, topics: ts, err: err}
	}
}

func loadSyncRegions(m *Model) tea.Cmd {
	if m.deps.Regions == nil || len(m.syncRegions) > 0 {
		return nil
	}
	ctx, r, site, cred := m.ctx, m.deps.Regions, m.ans.Site, m.ans.Alibaba
	return func() tea.Msg {
		regions, err := r.SyncRegions(ctx, site, cred)
		return syncRegionsMsg{regions: regions, err: err}
	}
}

func loadPlan(m *Model) tea.Cmd {
	m.plan, m.planErr = nil, nil
	if m.deps.Engine == nil {
		return nil
	}
	ctx, e, a := m.ctx, m.deps.Engine, m.ans
	return func() tea.Msg {
		p, err := e.Plan(ctx, a)
		return planMsg{plan: p, err: err}
	}
}

// startApply runs the engine in its own goroutine; its events come back one message at a time through
// a channel, so that the program stays responsive (Ctrl+C) while a step runs.
func startApply(m *Model) tea.Cmd {
	if m.deps.Engine == nil {
		m.applyErr = errNoEngine
		return nil
	}
	ctx, cancel := context.WithCancel(m.ctx)
	ch := make(chan tea.Msg, 64)
	m.cancel, m.events = cancel, ch
	m.applying, m.applyErr, m.cancelling = true, nil, false
	e, a := m.deps.Engine, m.ans
	run := func() tea.Msg {
		go func() {
			defer cancel()
			out, err := e.Apply(ctx, a, func(ev StepEvent) { ch <- stepMsg{ev} })
			ch <- applyDoneMsg{outcome: out, err: err}
		}()
		return <-ch
	}
	return tea.Batch(run, m.startSpinner())
}

func startRollback(m *Model) tea.Cmd {
	ctx, cancel := context.WithCancel(m.ctx)
	ch := make(chan tea.Msg, 64)
	m.cancel, m.events = cancel, ch
	m.rollingBack = true
	e, a := m.deps.Engine, m.ans
	run := func() tea.Msg {
		go func() {
			defer cancel()
			err := e.Rollback(ctx, a, func(ev StepEvent) { ch <- stepMsg{ev} })
			ch <- rollbackDoneMsg{err: err}
		}()
		return <-ch
	}
	return tea.Batch(run, m.startSpinner())
}

func startSync(m *Model) tea.Cmd {
	if m.deps.Syncer == nil || !m.applied {
		m.syncDone = true
		return nil
	}
	if m.syncing || m.syncDone {
		return nil
	}
	ctx, cancel := context.WithCancel(m.ctx)
	ch := make(chan tea.Msg, 64)
	m.cancel, m.events = cancel, ch
	m.syncing = true
	s, a := m.deps.Syncer, m.ans
	run := func() tea.Msg {
		go func() {
			defer cancel()
			err := s.Sync(ctx, a, func(p SyncProgress) { ch <- syncMsg{p} })
			ch <- syncDoneMsg{err: err}
		}()
		return <-ch
	}
	return tea.Batch(run, m.startSpinner())
}

func retireRootKey(m *Model) tea.Cmd {
	if m.ans.RootKey == RootKeyKeep || m.ans.RootKey == "" || m.deps.RootKey == nil {
		return nil
	}
	m.busy = map[string]string{RootKeyDisable: "disabling", RootKeyDelete: "deleting"}[m.ans.RootKey] + " the root key…"
	ctx, r, a, gen := m.ctx, m.deps.RootKey, m.ans, m.gen
	return func() tea.Msg {
		return rootKeyDoneMsg{gen: gen, action: a.RootKey, err: r.RetireRootKey(ctx, a, a.RootKey)}
	}
}

func wait(ch chan tea.Msg) tea.Cmd {
	return func() tea.Msg { return <-ch }
}

// reply handles the messages that carry IO results.
func (m Model) reply(msg tea.Msg) (Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tencentCheckedMsg:
		if msg.gen != m.gen {
			return m, nil
		}
		m.busy = ""
		if msg.err != nil {
			m.errMsg = "Tencent Cloud refused the key: " + msg.err.Error()
			return m, nil
		}
		if m.ans.Mode == ModeQuick && !msg.id.Root {
			m.errMsg = "quick configuration needs the root account's key; this is " + msg.id.Describe() + ". Choose another key or go back and pick manual."
			return m, nil
		}
		if m.ans.Identity.AccountID != msg.id.AccountID {
			// Another account: lists fetched for the previous one no longer apply.
			m.tencentRegions, m.logsets, m.topics = nil, nil, nil
		}
		m.ans.Identity = msg.id
		note := "Tencent Cloud key " + m.ans.Tencent.Masked() + " (" + m.ans.Tencent.Source + "): " + msg.id.Describe()
		m, cmd := m.next()
		m.notes = []string{note}
		return m, cmd
	case userCheckedMsg:
		if msg.gen != m.gen {
			return m, nil
		}
		m.busy = ""
		if msg.err != nil {
			m.errMsg = fmt.Sprintf("look up sub-user %s: %s", m.ans.UserName, msg.err)
			return m, nil
		}
		note := "sub-user " + m.ans.UserName + " does not exist yet: onboard will create it"
		if msg.status.Exists {
			note = fmt.Sprintf("sub-user %s exists (UIN %s, %d of 2 keys): onboard will reuse it", m.ans.UserName, msg.status.UIN, msg.status.Keys)
			if msg.status.Keys >= 2 {
				m.errMsg = "sub-user " + m.ans.UserName + " already has 2 API keys, CAM's limit: delete one in the CAM console, or choose another name"
				return m, nil
			}
		}
		m, cmd := m.next()
		m.notes = []string{note}
		return m, cmd
	case alibabaCheckedMsg:
		if msg.gen != m.gen {
			return m, nil
		}
		m.busy = ""
		if msg.err != nil {
			m.errMsg = "Security Center refused the Alibaba Cloud key: " + msg.err.Error()
			return m, nil
		}
		if msg.listErr != nil {
			m.loadErr = "list regions: " + msg.listErr.Error()
		} else if len(msg.regions) > 0 {
			m.syncRegions = msg.regions
		}
		m, cmd := m.next()
		m.notes = []string{"Alibaba Cloud key " + m.ans.Alibaba.Masked() + " accepted on the " + siteName(m.ans.Site) + " site"}
		return m, cmd
	case tencentRegionsMsg:
		if msg.err != nil {
			m.loadErr = "list Tencent Cloud regions: " + msg.err.Error()
			return m, nil
		}
		m.tencentRegions = msg.regions
		return m.refresh(), nil
	case syncRegionsMsg:
		if msg.err != nil {
			m.loadErr = "list Security Center regions: " + msg.err.Error()
			return m, nil
		}
		m.syncRegions = msg.regions
		return m.refresh(), nil
	case logsetsMsg:
		if msg.err != nil {
			m.loadErr = "list CLS logsets in " + msg.region + ": " + msg.err.Error()
			return m, nil
		}
		if m.ans.AuditRegion != "" && msg.region != m.ans.AuditRegion {
			return m, nil
		}
		m.logsets, m.loadErr = msg.logsets, ""
		return m.refresh(), nil
	case topicsMsg:
		if msg.err != nil {
			m.loadErr = "list CLS topics of " + msg.logsetID + ": " + msg.err.Error()
			return m, nil
		}
		if msg.logsetID != m.ans.LogsetID {
			return m, nil
		}
		m.topics = msg.topics
		return m.refresh(), nil
	case planMsg:
		p := msg.plan
		m.plan, m.planErr = &p, msg.err
		return m, nil
	case stepMsg:
		m.steps = upsertStep(m.steps, msg.ev)
		return m, wait(m.events)
	case applyDoneMsg:
		m.applying = false
		if m.cancelling || errors.Is(msg.err, context.Canceled) {
			m.cancelled, m.done = true, true
			return m, tea.Quit
		}
		if msg.err != nil {
			m.applyErr = msg.err
			return m, nil
		}
		m.outcome, m.applied = msg.outcome, true
		return m.next()
	case rollbackDoneMsg:
		m.rollingBack = false
		if msg.err != nil {
			m.applyErr = fmt.Errorf("roll back: %w", msg.err)
			return m, nil
		}
		m.rolledBack = true
		m.err = fmt.Errorf("onboarding failed and was rolled back: %w", m.applyErr)
		m.done = true
		return m, tea.Quit
	case rootKeyDoneMsg:
		if msg.gen != m.gen {
			return m, nil
		}
		m.busy = ""
		if msg.err != nil {
			m.errMsg = msg.action + " the root key: " + msg.err.Error() + " (choose Keep to go on)"
			return m, nil
		}
		m, cmd := m.next()
		m.notes = []string{"root key " + map[string]string{RootKeyDisable: "disabled", RootKeyDelete: "deleted"}[msg.action]}
		return m, cmd
	case syncMsg:
		m.syncs = upsertSync(m.syncs, msg.p)
		return m, wait(m.events)
	case syncDoneMsg:
		m.syncing, m.syncDone, m.syncErr = false, true, msg.err
		if m.cancelling {
			// The onboarding itself is complete; only the first sync was stopped.
			m.done = true
			return m, tea.Quit
		}
		return m, nil
	}
	return m, nil
}

func upsertStep(steps []StepEvent, ev StepEvent) []StepEvent {
	out := append([]StepEvent(nil), steps...)
	for i := range out {
		if out[i].ID == ev.ID {
			if ev.Title == "" {
				ev.Title = out[i].Title
			}
			out[i] = ev
			return out
		}
	}
	return append(out, ev)
}

func upsertSync(ps []SyncProgress, p SyncProgress) []SyncProgress {
	out := append([]SyncProgress(nil), ps...)
	for i := range out {
		if out[i].Kind == p.Kind {
			out[i] = p
			return out
		}
	}
	return append(out, p)
}
