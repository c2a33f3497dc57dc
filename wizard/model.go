package wizard

import (
	"context"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"
	"github.com/charmbracelet/x/ansi"

	"onboard/onboarding"
)

// ErrCancelled is returned when the person cancels the wizard; nothing already created is forgotten,
// and the next run resumes from the journal.
var ErrCancelled = fmt.Errorf("onboarding cancelled: %w", context.Canceled)

// phase is where the wizard is; each has its own sub-model.
type phase int

const (
	phaseQuestions phase = iota
	phaseReview
	phaseApply
	phaseSync
	phaseSummary
)

// Result is what the wizard ends with: the answers, and the engine's result once ApplyPlan returned one.
type Result struct {
	Answers Answers
	Engine  *onboarding.Result
	// Agent is the agent installation the summary offered, when the person accepted it.
	Agent *onboarding.AgentResult
	// Organization is the result of the members' onboarding, when the answers chose members.
	Organization *onboarding.OrganizationResult
}

// Model is the wizard's bubbletea model. Update is pure: IO happens only in the commands it returns.
type Model struct {
	deps Deps
	do   spawn
	// events and stop belong to the running ApplyPlan or agent installation: its messages, and the way
	// to cancel it.
	events chan tea.Msg
	stop   func()

	phase phase
	q     questions
	rv    review
	ap    applyRun
	sy    SyncView
	ag    agentRun
	org   orgRun

	width, height int
	st            styles
	keys          keyMap
	help          help.Model
	spin          spinner.Model
	summaryScroll int

	res       *onboarding.Result
	orgRes    *onboarding.OrganizationResult
	orgRetry  string // the command that retries orgRes's failed members
	cancelled bool
	done      bool
	err       error
}

// New returns the wizard at its first question. do runs the IO the wizard asks for; Run gives it the
// program's context.
func New(deps Deps, do spawn, width, height int) (Model, tea.Cmd) {
	m := Model{deps: deps, do: do, width: width, height: height, st: newStyles(), keys: newKeyMap(), help: help.New(),
		spin: spinner.New(spinner.WithSpinner(spinner.MiniDot))}
	m.help.SetWidth(width)
	m.q = newQuestions(deps, width, height)
	q, cmd := m.q.enter(0, +1, do)
	m.q = q
	return m, tea.Batch(cmd, m.spin.Tick)
}

// Init is part of tea.Model; New already started the first page.
func (m Model) Init() tea.Cmd { return nil }

// Result returns the answers and the engine's result, and ErrCancelled when the person cancelled.
func (m Model) Result() (Result, error) {
	r := Result{Answers: m.q.ans, Engine: m.res, Agent: m.ag.res, Organization: m.orgRes}
	if m.cancelled {
		return r, ErrCancelled
	}
	return r, m.err
}

// Page is the current questions page, or the phase's name after the questions.
func (m Model) Page() string {
	switch m.phase {
	case phaseQuestions:
		return string(m.q.page().id)
	case phaseReview:
		if m.rv.root != nil {
			return "root-key"
		}
		return "review"
	case phaseApply:
		return "apply"
	case phaseSync:
		return "sync"
	}
	return "summary"
}

// Update handles one message. It never does IO.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.sy, _ = m.sy.UpdateSync(tea.WindowSizeMsg{Width: msg.Width, Height: m.bodyHeight() - 2})
		m.help.SetWidth(msg.Width)
		if m.rv.root != nil {
			m.rv.root = m.rv.root.WithWidth(msg.Width).WithHeight(max(msg.Height-6, 6))
		}
		q, cmd := m.q.update(msg, m.do)
		m.q = q
		return m, cmd
	case spinner.TickMsg:
		var cmd tea.Cmd
		m.spin, cmd = m.spin.Update(msg)
		return m, cmd
	case tea.KeyPressMsg:
		if msg.String() == "ctrl+c" {
			return m.cancel()
		}
	}
	var cmd tea.Cmd
	switch m.phase {
	case phaseQuestions:
		m.q, cmd = m.q.update(msg, m.do)
		if m.q.done {
			return m.enterReview(nil)
		}
	case phaseReview:
		m, cmd = m.updateReview(msg)
	case phaseApply, phaseSync:
		if m.org.active {
			m, cmd = m.updateOrgApply(msg)
			break
		}
		m, cmd = m.updateApply(msg)
		if _, isKey := msg.(tea.KeyPressMsg); m.phase == phaseSync && !isKey && !isApplyMsg(msg) {
			m.sy, cmd = m.sy.UpdateSync(msg) // its clock: the elapsed time and the rates
		}
	case phaseSummary:
		if k, ok := msg.(tea.KeyPressMsg); ok && !m.ag.running && !(m.ag.offered() && k.String() == "y") {
			if key.Matches(k, m.keys.Exit) {
				m.done = true
				return m, tea.Quit
			}
			m.summaryScroll = scrollBy(m.summaryScroll, k.String(), m.bodyHeight())
			return m, nil
		}
		m, cmd = m.updateAgents(msg)
	}
	return m, cmd
}

// cancel stops the wizard: a running ApplyPlan is cancelled first and the wizard waits for it to stop, so
// that the journal records where it was.
func (m Model) cancel() (Model, tea.Cmd) {
	if m.ap.running || m.ag.running {
		m.ap.cancelling, m.ag.cancelling = m.ap.running, m.ag.running
		if m.stop != nil {
			m.stop()
		}
		return m, nil
	}
	if m.phase == phaseSummary {
		m.done = true
		return m, tea.Quit
	}
	m.cancelled = true
	return m, tea.Quit
}

// bodyHeight is what the frame leaves to a phase's body: two header lines and a blank, a status line and
// the key hints.
func (m Model) bodyHeight() int { return max(m.height-5, 3) }

// View renders the current phase to fit the terminal.
func (m Model) View() tea.View {
	v := tea.NewView(m.render())
	v.AltScreen = true
	v.WindowTitle = "onboard"
	return v
}

func (m Model) render() string {
	var head, body, status string
	var hints []key.Binding
	scroll := 0
	switch m.phase {
	case phaseQuestions:
		pos, total := m.q.position()
		head = fmt.Sprintf("Question %d of %d · %s", pos, total, m.q.page().title)
		var b strings.Builder
		for _, n := range m.q.notes {
			b.WriteString(m.st.Good.Render(wrapWords("✓ "+n, m.width-1, "  ")) + "\n")
		}
		if m.q.form != nil && m.q.busy == "" {
			b.WriteString(m.q.form.View())
			hints = append(formKeys(m.q.form), m.keys.Back, m.keys.Quit)
		}
		body = b.String()
		switch {
		case m.q.busy != "":
			status = m.spin.View() + " " + m.q.busy
		case m.q.errMsg != "":
			status = m.st.Bad.Render("✗ " + m.q.errMsg)
		case m.q.form != nil && len(m.q.form.Errors()) > 0:
			status = m.st.Bad.Render("✗ " + m.q.form.Errors()[0].Error())
		}
	case phaseReview:
		head = "Review"
		body = m.reviewBody()
		scroll = m.rv.scroll
		if m.rv.root != nil {
			head = "Review · the root key"
			if errs := m.rv.root.Errors(); len(errs) > 0 {
				status = m.st.Bad.Render("✗ " + errs[0].Error())
			}
			hints = append(formKeys(m.rv.root), m.keys.Back, m.keys.Quit)
			scroll = 0
		} else if m.rv.ready() {
			hints = []key.Binding{m.keys.Apply, m.keys.Back, m.keys.Scroll, m.keys.Quit}
		} else {
			hints = []key.Binding{m.keys.Back, m.keys.Quit}
		}
	case phaseApply, phaseSync:
		head = m.applyLine()
		switch {
		case m.org.active:
			head, body = m.orgApplyLine(), m.orgApplyBody()
		case m.phase == phaseSync:
			body = m.syncBody()
		default:
			body = m.applyBody()
		}
		switch {
		case m.ap.running:
			hints = []key.Binding{m.keys.Stop}
		case m.ap.stale != nil:
			hints = []key.Binding{m.keys.ToReview, key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "quit"))}
		case m.ap.err != nil:
			hints = []key.Binding{m.keys.Retry}
			if _, ok := m.fixPage(m.ap.err); ok && !m.org.active {
				hints = append(hints, m.keys.Change)
			}
			hints = append(hints, key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "quit")))
		}
	case phaseSummary:
		head = "Summary"
		switch {
		case m.res != nil:
			body = m.agentBody() + Summary(*m.res, m.q.ans, m.width-1, m.deps.Sandbox)
		case m.orgRes != nil:
			body = OrgSummary(*m.orgRes, m.q.ans, m.orgRetry, m.width-1, m.deps.Sandbox)
		}
		scroll = m.summaryScroll
		switch {
		case m.ag.running:
			hints = []key.Binding{m.keys.Scroll, m.keys.Stop}
		case m.ag.offered():
			hints = []key.Binding{m.keys.Install, m.keys.Scroll, m.keys.Exit}
		default:
			hints = []key.Binding{m.keys.Scroll, m.keys.Exit}
		}
	}
	title := m.st.Title.Render("onboard · Tencent Cloud → Security Center")
	if m.deps.Sandbox {
		title += "  " + m.st.Banner.Render("SANDBOX: emulated clouds")
	}
	lines := []string{title, m.st.Step.Render(head), ""}
	lines = append(lines, m.clip(body, scroll)...)
	lines = append(lines, status, m.help.ShortHelpView(hints))
	for i, l := range lines {
		lines[i] = ansi.Truncate(m.deps.scrub(l), m.width, "…")
	}
	return strings.Join(lines, "\n")
}

// clip keeps a body within the lines the frame leaves it, scrolled by scroll; a scrolled body ends with
// a line that says where it is.
func (m Model) clip(body string, scroll int) []string {
	lines := strings.Split(strings.TrimRight(body, "\n"), "\n")
	h := m.bodyHeight()
	if len(lines) <= h {
		for len(lines) < h {
			lines = append(lines, "")
		}
		return lines
	}
	start := min(scroll, len(lines)-(h-1))
	end := start + h - 1
	out := append([]string(nil), lines[start:end]...)
	return append(out, m.st.Muted.Render(fmt.Sprintf("── lines %d–%d of %d · ↑/↓ pgup/pgdn scroll", start+1, end, len(lines))))
}

// formKeys are the focused field's key hints, without its own "back" (the frame adds one that also leaves
// the page).
func formKeys(f *huh.Form) []key.Binding {
	var out []key.Binding
	for _, b := range f.KeyBinds() {
		if b.Help().Key != "shift+tab" {
			out = append(out, b)
		}
	}
	return out
}
