package wizard

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// ErrCancelled is returned when the person cancels the wizard; nothing already created is forgotten,
// and the next run resumes from the journal.
var ErrCancelled = fmt.Errorf("onboarding cancelled: %w", context.Canceled)

// Result is what the wizard ends with.
type Result struct {
	Answers Answers
	Outcome Outcome
	// Applied reports whether the engine completed.
	Applied bool
}

// Model is the wizard's bubbletea model. Update is pure: IO happens only in the commands it returns.
type Model struct {
	ctx  context.Context
	deps Deps
	ans  Answers

	screens []screen
	cur     int
	fields  []field
	focus   int
	visited map[screenID]bool
	gen     int // bumped on every screen change, so that late replies to a left screen are dropped

	width, height int
	st            styles
	keys          keyMap
	help          help.Model
	spin          spinner.Model
	spinning      bool
	plain         bool // line prompts: no spinner ticks

	busy        string // non-empty while a live check runs: what is being checked
	errMsg      string
	notes       []string
	confirmQuit bool
	scroll      int

	tencentRegions []Region
	syncRegions    []Region
	logsets        []Logset
	topics         []Topic
	loadErr        string
	plan           *Plan
	planErr        error

	steps       []StepEvent
	applying    bool
	applyErr    error
	cancelling  bool
	events      chan tea.Msg
	cancel      context.CancelFunc
	outcome     Outcome
	applied     bool
	rollingBack bool
	rolledBack  bool

	syncs    []SyncProgress
	syncing  bool
	syncErr  error
	syncDone bool

	done      bool
	cancelled bool
	err       error
}

// New returns the wizard at its first screen. ctx bounds every live check and the engine run.
func New(ctx context.Context, deps Deps) Model {
	m := Model{
		ctx:     ctx,
		deps:    deps,
		screens: screens(),
		visited: map[screenID]bool{},
		width:   80,
		height:  24,
		st:      newStyles(),
		keys:    newKeyMap(),
		help:    help.New(),
		spin:    spinner.New(spinner.WithSpinner(spinner.MiniDot)),
		cur:     -1,
	}
	m.ans.Site = SiteMainland
	m.ans.Mode = ModeManual
	m.ans.Features = []string{"host", "cspm"}
	m.ans.CSPMMode = "preset"
	m.ans.KafkaNetwork = KafkaInternet
	m.ans.RootKey = RootKeyKeep
	if deps.Defaults != nil {
		deps.Defaults(&m.ans)
	}
	m.help.SetWidth(m.width)
	m, _ = m.enter(0, +1)
	return m
}

// Init starts the first screen's IO, if any.
func (m Model) Init() tea.Cmd {
	if s := m.screen(); s.Load != nil {
		mm := m
		return s.Load(&mm)
	}
	return nil
}

// Result returns the answers and the outcome, and ErrCancelled when the person cancelled.
func (m Model) Result() (Result, error) {
	r := Result{Answers: m.ans, Outcome: m.outcome, Applied: m.applied}
	if m.cancelled {
		return r, ErrCancelled
	}
	return r, m.err
}

// Answers returns the answers so far.
func (m Model) Answers() Answers { return m.ans }

// Screen returns the ID of the current screen.
func (m Model) Screen() string { return string(m.screen().ID) }

func (m Model) screen() screen {
	if m.cur < 0 || m.cur >= len(m.screens) {
		return screen{}
	}
	return m.screens[m.cur]
}

// values reads the current fields.
func (m Model) values() values {
	v := values{}
	for _, f := range m.fields {
		v[f.ID] = f.Value()
	}
	return v
}

func (m Model) shown(i int) bool {
	s := m.screen()
	if i < 0 || i >= len(m.fields) {
		return false
	}
	when := s.When[m.fields[i].ID]
	return when == nil || when(m.values())
}

// commit writes the fields into the answers without validating them.
func (m *Model) commit() {
	if s := m.screen(); s.Commit != nil && m.fields != nil {
		s.Commit(m, m.values())
	}
}

// enter moves to screen i, or the nearest one in direction dir that is not skipped.
func (m Model) enter(i, dir int) (Model, tea.Cmd) {
	for i >= 0 && i < len(m.screens) && m.screens[i].Skip != nil && m.screens[i].Skip(m.ans) {
		i += dir
	}
	if i < 0 || i >= len(m.screens) {
		m.done = true
		return m, tea.Quit
	}
	m.cur = i
	m.gen++
	m.errMsg, m.scroll, m.busy = "", 0, ""
	s := m.screen()
	m.fields = nil
	if s.Fields != nil {
		m.fields = s.Fields(m)
	}
	m.focus = 0
	if dir < 0 && len(m.fields) > 0 {
		m.focus = len(m.fields) - 1
		for m.focus > 0 && !m.shown(m.focus) {
			m.focus--
		}
	} else {
		for m.focus < len(m.fields)-1 && !m.shown(m.focus) {
			m.focus++
		}
	}
	m.setFocus()
	m.visited[s.ID] = true
	var cmd tea.Cmd
	if s.Load != nil {
		cmd = s.Load(&m)
	}
	return m, cmd
}

// refresh rebuilds the current screen's fields after a live list arrived, keeping the values typed so far
// and the focused field.
func (m Model) refresh() Model {
	s := m.screen()
	if s.Fields == nil {
		return m
	}
	m.commit()
	focusID := ""
	if m.focus < len(m.fields) {
		focusID = m.fields[m.focus].ID
	}
	m.fields = s.Fields(m)
	for i, f := range m.fields {
		if f.ID == focusID {
			m.focus = i
		}
	}
	m.setFocus()
	return m
}

func (m *Model) setFocus() {
	fs := append([]field(nil), m.fields...)
	for i := range fs {
		if fs[i].Kind != kindText {
			continue
		}
		if i == m.focus {
			fs[i].Input.Focus()
		} else {
			fs[i].Input.Blur()
		}
	}
	m.fields = fs
}

func (m Model) next() (Model, tea.Cmd) { return m.enter(m.cur+1, +1) }

func (m Model) back() (Model, tea.Cmd) {
	if m.busy != "" {
		return m, nil
	}
	for i := m.focus - 1; i >= 0; i-- {
		if m.shown(i) {
			m.focus = i
			m.setFocus()
			m.errMsg = ""
			return m, nil
		}
	}
	if m.screen().NoBack {
		return m, nil
	}
	m.commit()
	m.notes = nil
	prev := m.cur - 1
	for prev >= 0 && m.screens[prev].Skip != nil && m.screens[prev].Skip(m.ans) {
		prev--
	}
	if prev < 0 {
		return m, nil
	}
	return m.enter(prev, -1)
}

// forward leaves the focused field: to the next shown field, or submits the screen from the last one.
func (m Model) forward() (Model, tea.Cmd) {
	if m.busy != "" {
		return m, nil
	}
	s := m.screen()
	var cmds []tea.Cmd
	if m.focus < len(m.fields) {
		f := m.fields[m.focus]
		if f.Kind == kindText && f.Validate != nil {
			if err := f.Validate(f.Value()); err != nil {
				m.errMsg = err.Error()
				return m, nil
			}
		}
		if load := s.Changed[f.ID]; load != nil {
			m.commit()
			cmds = append(cmds, load(&m))
		}
	}
	for i := m.focus + 1; i < len(m.fields); i++ {
		if m.shown(i) {
			m.focus = i
			m.setFocus()
			m.errMsg = ""
			return m, tea.Batch(cmds...)
		}
	}
	m, cmd := m.submit()
	return m, tea.Batch(append(cmds, cmd)...)
}

// submit commits and validates the screen, then checks it live or moves on.
func (m Model) submit() (Model, tea.Cmd) {
	s := m.screen()
	m.commit()
	if s.Validate != nil {
		if err := s.Validate(m); err != nil {
			m.errMsg = err.Error()
			return m, nil
		}
	}
	m.errMsg = ""
	if s.Check != nil {
		if cmd := s.Check(&m); cmd != nil {
			return m, tea.Batch(cmd, m.startSpinner())
		}
	}
	m.notes = nil
	return m.next()
}

func (m *Model) startSpinner() tea.Cmd {
	if m.spinning || m.plain {
		return nil
	}
	m.spinning = true
	return m.spin.Tick
}

func (m Model) needsSpinner() bool {
	return m.busy != "" || m.applying || m.syncing || m.rollingBack
}

// Update handles one message. It never does IO.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.help.SetWidth(msg.Width)
		return m, nil
	case spinner.TickMsg:
		if !m.needsSpinner() {
			m.spinning = false
			return m, nil
		}
		var cmd tea.Cmd
		m.spin, cmd = m.spin.Update(msg)
		return m, cmd
	case tea.PasteMsg:
		if m.focus < len(m.fields) && m.fields[m.focus].Kind == kindText {
			fs := append([]field(nil), m.fields...)
			var cmd tea.Cmd
			fs[m.focus].Input, cmd = fs[m.focus].Input.Update(msg)
			m.fields = fs
			return m, cmd
		}
		return m, nil
	case tea.KeyPressMsg:
		return m.key(msg)
	}
	return m.reply(msg)
}

func (m Model) key(msg tea.KeyPressMsg) (Model, tea.Cmd) {
	if m.confirmQuit {
		switch {
		case key.Matches(msg, m.keys.Yes):
			m.confirmQuit = false
			return m.quit()
		case key.Matches(msg, m.keys.No), key.Matches(msg, m.keys.Quit):
			m.confirmQuit = false
		}
		return m, nil
	}
	// A filter being typed takes every key, Esc included.
	if m.focus < len(m.fields) && m.fields[m.focus].Filtering {
		return m.fieldKey(msg)
	}
	s := m.screen()
	switch {
	case key.Matches(msg, m.keys.Quit):
		if s.ID == scrSummary {
			m.done = true
			return m, tea.Quit
		}
		if m.cancelling {
			return m, nil
		}
		m.confirmQuit = true
		return m, nil
	case msg.String() == "?":
		if m.focus >= len(m.fields) || m.fields[m.focus].Kind != kindText {
			m.help.ShowAll = !m.help.ShowAll
			return m, nil
		}
	}
	if s.Keys != nil {
		if mm, cmd, ok := s.Keys(m, msg); ok {
			return mm, cmd
		}
	}
	switch {
	case key.Matches(msg, m.keys.Next):
		if len(m.fields) == 0 {
			if m.busy != "" || m.applying || m.syncing {
				return m, nil
			}
			return m.submit()
		}
		return m.forward()
	case key.Matches(msg, m.keys.Back):
		return m.back()
	}
	if len(m.fields) == 0 {
		return m.scrollKey(msg), nil
	}
	return m.fieldKey(msg)
}

func (m Model) fieldKey(msg tea.KeyPressMsg) (Model, tea.Cmd) {
	if m.busy != "" || m.focus >= len(m.fields) {
		return m, nil
	}
	fs := append([]field(nil), m.fields...)
	f, cmd, used := fs[m.focus].update(msg, m.keys)
	if used {
		fs[m.focus] = f
		m.fields = fs
		m.errMsg = ""
	}
	return m, cmd
}

func (m Model) scrollKey(msg tea.KeyPressMsg) Model {
	page := m.bodyHeight() - 1
	switch msg.String() {
	case "up", "k":
		m.scroll--
	case "down", "j":
		m.scroll++
	case "pgup", "b":
		m.scroll -= page
	case "pgdown", "f", "space":
		m.scroll += page
	case "home", "g":
		m.scroll = 0
	case "end", "G":
		m.scroll = 1 << 20
	}
	if m.scroll < 0 {
		m.scroll = 0
	}
	return m
}

// quit ends the wizard after the person confirmed. An engine run is cancelled first and the wizard
// waits for it to stop, so that the journal records where it was.
func (m Model) quit() (Model, tea.Cmd) {
	if m.applying || m.syncing || m.rollingBack {
		m.cancelling = true
		if m.cancel != nil {
			m.cancel()
		}
		return m, nil
	}
	if m.screen().ID == scrSummary || m.applied && m.syncDone {
		m.done = true
		return m, tea.Quit
	}
	m.cancelled = true
	m.done = true
	return m, tea.Quit
}

func (m Model) bodyHeight() int {
	h := m.height - 7
	if h < 5 {
		h = 5
	}
	return h
}

// View renders the current screen to fit the terminal.
func (m Model) View() tea.View {
	v := tea.NewView(m.render())
	v.WindowTitle = "onboard · " + m.screen().Title
	return v
}

func (m Model) render() string {
	s := m.screen()
	var b strings.Builder
	title := m.st.Title.Render("onboard · Tencent Cloud → Security Center")
	if m.deps.Sandbox {
		title += "  " + m.st.Banner.Render("SANDBOX: emulated clouds")
	}
	b.WriteString(title + "\n")
	pos, total := m.position()
	b.WriteString(m.st.Step.Render(fmt.Sprintf("Step %d of %d · %s", pos, total, s.Title)) + "\n\n")

	var body strings.Builder
	for _, n := range m.notes {
		body.WriteString(m.st.Good.Render(wrap("✓ "+n, m.width-1)) + "\n")
	}
	if s.Body != nil {
		body.WriteString(s.Body(m))
	} else {
		rows := m.bodyHeight() - 2*len(m.fields) - len(m.notes) - 2
		if rows < 3 {
			rows = 3
		}
		for i, f := range m.fields {
			if !m.shown(i) {
				continue
			}
			body.WriteString(f.view(m.st, i == m.focus, rows, m.width))
		}
	}
	b.WriteString(m.clip(body.String()))

	b.WriteString("\n")
	switch {
	case m.busy != "":
		b.WriteString(m.spin.View() + " " + m.busy + "\n")
	case m.errMsg != "":
		b.WriteString(m.st.Bad.Render("✗ "+wrap(m.errMsg, m.width-2)) + "\n")
	case m.loadErr != "":
		b.WriteString(m.st.Warn.Render("! "+wrap(m.loadErr, m.width-2)) + "\n")
	}
	if m.confirmQuit {
		q := "Cancel onboarding? Anything created is recorded; the next run resumes. (y/N)"
		if m.applying {
			q = "Stop applying? The current step finishes or is undone; the next run resumes. (y/N)"
		}
		b.WriteString(m.st.Warn.Render(wrap(q, m.width)) + "\n")
	} else if m.cancelling {
		b.WriteString(m.st.Warn.Render("stopping…") + "\n")
	} else {
		b.WriteString(m.help.View(m.keys))
	}
	if m.deps.Scrub != nil {
		// An error from either cloud is shown as it came; any secret the process knows is masked in it.
		return m.deps.Scrub(b.String())
	}
	return b.String()
}

// clip keeps a body within the screen, scrolled by m.scroll on screens that scroll.
func (m Model) clip(body string) string {
	lines := strings.Split(strings.TrimRight(body, "\n"), "\n")
	for i, l := range lines {
		lines[i] = ansi.Truncate(l, m.width, "…")
	}
	h := m.bodyHeight()
	if len(lines) <= h {
		return strings.Join(lines, "\n") + "\n"
	}
	start := m.scroll
	if start > len(lines)-h+1 {
		start = len(lines) - h + 1
	}
	if start < 0 {
		start = 0
	}
	end := start + h - 1
	if end > len(lines) {
		end = len(lines)
	}
	out := strings.Join(lines[start:end], "\n") + "\n"
	return out + m.st.Muted.Render(fmt.Sprintf("── lines %d–%d of %d · ↑/↓ pgup/pgdn scroll", start+1, end, len(lines))) + "\n"
}

// position is the current screen's number among the screens these answers use.
func (m Model) position() (int, int) {
	pos, total := 0, 0
	for i, s := range m.screens {
		if s.Skip != nil && s.Skip(m.ans) {
			continue
		}
		total++
		if i <= m.cur {
			pos++
		}
	}
	return pos, total
}

func wrap(s string, width int) string {
	if width < 20 {
		width = 20
	}
	return ansi.Wrap(s, width, " ")
}

var errNoEngine = errors.New("no onboarding engine")
