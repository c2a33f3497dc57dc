package wizard

import (
	"cmp"
	"fmt"
	"io"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/progress"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
)

// SyncView is the live view of an asset sync: `onboard sync` and the wizard's first sync. Each account
// has one line with its bar and counts; its kinds, one line each, show under it when it is expanded.
// With one account, its kinds are shown from the start. Progress arrives as RegionProgress and
// SyncAccountEndMsg messages; Update never does IO.
type SyncView struct {
	accounts []*syncAccountLine
	cursor   int
	order    []string
	width    int
	height   int  // rows the view may use; 0 while unknown
	interact bool // keys can be read: the view shows how to move and expand
	scrub    func(string) string
	cancel   func()
	start    time.Time
	now      time.Time
	bar      progress.Model
	keys     syncKeyMap
	st       styles
	// stopping: the person asked to stop and the syncs are winding down; ended: SyncEndMsg arrived.
	stopping, ended bool
}

type syncAccountLine struct {
	name     string
	tally    *SyncTally
	expanded bool
	ended    bool
	err      error
}

// SyncAccountEndMsg says an account's sync is over; Err is why it was not synced or only partly.
type SyncAccountEndMsg struct {
	Account string
	Err     error
}

// SyncEndMsg says every sync is over: the view draws its last frame and the program ends. LiveSync sends
// it; a model that embeds the view ends the syncs its own way and never passes it on.
type SyncEndMsg struct{}

type syncTickMsg time.Time

// SyncViewOptions say what a SyncView shows.
type SyncViewOptions struct {
	// Accounts are the accounts synced, in the order their lines are shown.
	Accounts []string
	// KindOrder is the order of the kinds under an account (the inventory's order).
	KindOrder []string
	// Interactive says keys can be read, so lines can be expanded and the view says how.
	Interactive bool
	// Scrub, when set, masks every secret the process knows in the errors shown.
	Scrub func(string) string
	// Cancel, when set, is called when the person presses Ctrl+C; the syncs then end cancelled.
	Cancel func()
	// Width and Height are the terminal's size until the terminal says otherwise; 0 means 80×24.
	Width, Height int
	// Start is when the syncs started, for the elapsed time and the rates.
	Start time.Time
}

type syncKeyMap struct {
	Up, Down, Toggle, Stop key.Binding
}

// NewSyncView returns the view of the accounts' syncs, before any progress.
func NewSyncView(opts SyncViewOptions) SyncView {
	v := SyncView{order: opts.KindOrder, width: opts.Width, height: opts.Height, interact: opts.Interactive, scrub: opts.Scrub, cancel: opts.Cancel,
		start: opts.Start, now: opts.Start, st: newStyles(),
		bar: progress.New(progress.WithoutPercentage(), progress.WithFillCharacters('█', '░'),
			progress.WithColors(lipgloss.Color("#7D56F4")), progress.WithWidth(20)),
		keys: syncKeyMap{
			Up:     key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/↓", "move")),
			Down:   key.NewBinding(key.WithKeys("down", "j")),
			Toggle: key.NewBinding(key.WithKeys("enter", "space", "right", "left"), key.WithHelp("enter", "show or hide kinds")),
			Stop:   key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "stop")),
		}}
	if v.width <= 0 {
		v.width = 80
	}
	if v.start.IsZero() {
		v.start = time.Now()
		v.now = v.start
	}
	for _, a := range opts.Accounts {
		v.accounts = append(v.accounts, &syncAccountLine{name: a, tally: NewSyncTally(opts.KindOrder), expanded: len(opts.Accounts) == 1})
	}
	return v
}

// Init starts the clock that refreshes the elapsed time and the rates.
func (v SyncView) Init() tea.Cmd { return syncTick() }

func syncTick() tea.Cmd {
	return tea.Tick(250*time.Millisecond, func(t time.Time) tea.Msg { return syncTickMsg(t) })
}

// Update takes progress, account ends, the terminal's size, keys and the clock.
func (v SyncView) Update(msg tea.Msg) (tea.Model, tea.Cmd) { return v.UpdateSync(msg) }

// UpdateSync is Update for a model that embeds the view (the wizard's first-sync screen): it returns
// the view itself rather than a tea.Model.
func (v SyncView) UpdateSync(msg tea.Msg) (SyncView, tea.Cmd) {
	switch msg := msg.(type) {
	case RegionProgress:
		v.line(msg.Account).tally.Add(msg)
	case SyncAccountEndMsg:
		a := v.line(msg.Account)
		a.ended, a.err = true, msg.Err
	case SyncEndMsg:
		v.ended = true
		return v, tea.Quit
	case syncTickMsg:
		v.now = time.Time(msg)
		return v, syncTick()
	case tea.WindowSizeMsg:
		v.width, v.height = msg.Width, msg.Height-1
	case tea.KeyPressMsg:
		return v.key(msg)
	}
	return v, nil
}

func (v SyncView) key(msg tea.KeyPressMsg) (SyncView, tea.Cmd) {
	switch {
	case key.Matches(msg, v.keys.Stop):
		if v.stopping || v.cancel == nil {
			return v, nil
		}
		v.stopping = true
		cancel := v.cancel
		return v, func() tea.Msg { cancel(); return nil }
	case key.Matches(msg, v.keys.Up):
		v.cursor = max(v.cursor-1, 0)
	case key.Matches(msg, v.keys.Down):
		v.cursor = min(v.cursor+1, len(v.accounts)-1)
	case key.Matches(msg, v.keys.Toggle) && len(v.accounts) > 0:
		a := v.accounts[v.cursor]
		switch msg.String() {
		case "right":
			a.expanded = true
		case "left":
			a.expanded = false
		default:
			a.expanded = !a.expanded
		}
	}
	return v, nil
}

// line returns an account's line, adding one for an account the view was not told of.
func (v *SyncView) line(account string) *syncAccountLine {
	for _, a := range v.accounts {
		if a.name == account {
			return a
		}
	}
	a := &syncAccountLine{name: account, tally: NewSyncTally(v.order)}
	v.accounts = append(v.accounts, a)
	return a
}

// Expanded reports whether an account's kinds are shown.
func (v SyncView) Expanded(account string) bool {
	for _, a := range v.accounts {
		if a.name == account {
			return a.expanded
		}
	}
	return false
}

// Kinds returns an account's line per kind so far.
func (v SyncView) Kinds(account string) []KindProgress {
	for _, a := range v.accounts {
		if a.name == account {
			return a.tally.Kinds()
		}
	}
	return nil
}

// View draws the view to the terminal's width.
func (v SyncView) View() tea.View { return tea.NewView(v.Render()) }

// Render is the view's text, every line cut to the terminal's width.
func (v SyncView) Render() string {
	var lines []string
	elapsed := v.now.Sub(v.start).Round(time.Second)
	if len(v.accounts) == 1 {
		lines = append(lines, v.st.Title.Render("Syncing "+v.accounts[0].name)+v.st.Muted.Render(fmt.Sprintf(" · %s", elapsed)))
	} else {
		synced, failed := 0, 0
		for _, a := range v.accounts {
			if a.ended && a.err == nil {
				synced++
			} else if a.ended {
				failed++
			}
		}
		head := fmt.Sprintf(" · %s · %d of %d synced", elapsed, synced, len(v.accounts))
		if failed > 0 {
			head += fmt.Sprintf(", %d failed or partly done", failed)
		}
		lines = append(lines, v.st.Title.Render(fmt.Sprintf("Syncing %d accounts", len(v.accounts)))+v.st.Muted.Render(head))
	}
	nameWidth := 12
	for _, a := range v.accounts {
		nameWidth = max(nameWidth, min(ansi.StringWidth(a.name), 24))
	}
	for _, k := range v.order {
		nameWidth = max(nameWidth, ansi.StringWidth(k)+2) // a kind's name starts two columns further in
	}
	blocks := make([][]string, len(v.accounts))
	for i, a := range v.accounts {
		blocks[i] = v.accountBlock(i, a, nameWidth)
	}
	var tail []string
	if v.stopping && !v.ended {
		tail = append(tail, v.st.Warn.Render("stopping: what was listed is being stored…"))
	}
	if v.interact && !v.ended {
		var hints []string
		if len(v.accounts) > 1 {
			hints = append(hints, "↑/↓ move", "enter show or hide kinds")
		}
		hints = append(hints, "ctrl+c stop")
		tail = append(tail, v.st.Muted.Render(strings.Join(hints, " · ")))
	}
	lines = append(lines, v.visible(blocks, v.height-len(lines)-len(tail))...)
	lines = append(lines, tail...)
	for i, l := range lines {
		lines[i] = ansi.Truncate(l, v.width, "…")
	}
	return strings.Join(lines, "\n") + "\n"
}

// visible returns the accounts' lines that fit in room rows, the cursor's account always among them,
// with a line saying how many accounts are left out above and below (the report printed after the view
// names every account).
func (v SyncView) visible(blocks [][]string, room int) []string {
	total := 0
	for _, b := range blocks {
		total += len(b)
	}
	if v.height <= 0 || total <= room {
		var out []string
		for _, b := range blocks {
			out = append(out, b...)
		}
		return out
	}
	room -= 2 // the lines that say what is above and below
	first, last := v.cursor, v.cursor
	used := min(len(blocks[v.cursor]), max(room, 1))
	for grown := true; grown; {
		grown = false
		if last+1 < len(blocks) && used+len(blocks[last+1]) <= room {
			last++
			used += len(blocks[last])
			grown = true
		}
		if first > 0 && used+len(blocks[first-1]) <= room {
			first--
			used += len(blocks[first])
			grown = true
		}
	}
	var out []string
	if first > 0 {
		out = append(out, v.st.Muted.Render(fmt.Sprintf("  ↑ %d more", first)))
	}
	for i := first; i <= last; i++ {
		b := blocks[i]
		if i == v.cursor && len(b) > max(room, 1) {
			b = b[:max(room, 1)]
		}
		out = append(out, b...)
	}
	if last < len(blocks)-1 {
		out = append(out, v.st.Muted.Render(fmt.Sprintf("  ↓ %d more", len(blocks)-1-last)))
	}
	return out
}

// accountBlock is an account's line and, when it is expanded, a line per kind.
func (v SyncView) accountBlock(i int, a *syncAccountLine, nameWidth int) []string {
	var lines []string
	if len(v.accounts) > 1 {
		lines = append(lines, v.accountLine(i, a, nameWidth))
		if a.ended && a.err != nil && a.tally.Sum().Seen == 0 {
			lines = append(lines, v.errorLines(a.err, "      ")...)
		}
	}
	if !a.expanded {
		return lines
	}
	indent := "  "
	if len(v.accounts) > 1 {
		indent = "      "
	}
	kinds := a.tally.Kinds()
	if len(kinds) == 0 && !a.ended {
		lines = append(lines, indent+v.st.Muted.Render("listing regions…"))
	}
	for _, k := range kinds {
		lines = append(lines, indent+v.kindLine(k, nameWidth-len(indent)+4))
		if k.Err != nil {
			lines = append(lines, indent+"  "+v.st.Bad.Render(v.clean(k.Err.Error())))
		}
	}
	if len(v.accounts) == 1 && a.ended && a.err != nil {
		lines = append(lines, v.errorLines(a.err, indent)...)
	}
	return lines
}

// maxErrorLines bounds the lines an account's error takes, so that one long error never pushes the
// other accounts out of view.
const maxErrorLines = 4

// errorLines is an error wrapped to the terminal's width under indent, at most maxErrorLines long.
func (v SyncView) errorLines(err error, indent string) []string {
	text := ansi.Wrap(v.clean(err.Error()), max(v.width-len(indent), 20), " ")
	lines := strings.Split(text, "\n")
	if len(lines) > maxErrorLines {
		lines = lines[:maxErrorLines]
		lines[maxErrorLines-1] += "…"
	}
	for i, l := range lines {
		lines[i] = indent + v.st.Bad.Render(l)
	}
	return lines
}

func (v SyncView) accountLine(i int, a *syncAccountLine, nameWidth int) string {
	cursor := "  "
	if v.interact && i == v.cursor && !v.ended {
		cursor = v.st.Cursor.Render("›") + " "
	}
	fold := "▸"
	if a.expanded {
		fold = "▾"
	}
	sum := a.tally.Sum()
	mark, status := " ", ""
	switch {
	case a.ended && a.err == nil:
		mark = v.st.Good.Render("✓")
	case a.ended && sum.Ended == sum.Failed && sum.Seen == 0:
		// Nothing of the account was listed (its key was refused, say): its error is the whole story.
		return fmt.Sprintf("%s%s %s %s %s", cursor, fold, v.st.Bad.Render("✗"), pad(a.name, nameWidth), v.st.Bad.Render("not synced"))
	case a.ended:
		mark, status = v.st.Warn.Render("!"), v.st.Warn.Render(fmt.Sprintf("partly done: %d of %d failed", sum.Failed, sum.Ended))
	}
	name := ansi.Truncate(a.name, nameWidth, "…")
	line := fmt.Sprintf("%s%s %s %s %s %s", cursor, fold, mark, pad(name, nameWidth), v.bar.ViewAs(sum.Fraction()), v.counts(sum))
	if status != "" {
		line += " " + status
	}
	return line
}

func (v SyncView) kindLine(k KindProgress, nameWidth int) string {
	mark := " "
	switch {
	case k.Finished() && k.Failed > 0:
		mark = v.st.Bad.Render("✗")
	case k.Finished():
		mark = v.st.Good.Render("✓")
	}
	return fmt.Sprintf("%s %s %s %s", mark, pad(k.Kind, nameWidth), v.bar.ViewAs(k.Fraction()), v.counts(k))
}

// counts is "seen/total" (or the count alone while a total is unknown) and the rate.
func (v SyncView) counts(k KindProgress) string {
	count := fmt.Sprintf("%7d", k.Seen)
	if k.TotalKnown && k.Total > 0 {
		count = fmt.Sprintf("%7d/%-7d", k.Seen, k.Total)
	}
	if secs := v.now.Sub(v.start).Seconds(); secs >= 1 && !k.Finished() {
		count += v.st.Muted.Render(fmt.Sprintf(" %5.0f/s", float64(k.Seen)/secs))
	}
	return count
}

func (v SyncView) clean(s string) string {
	if v.scrub != nil {
		s = v.scrub(s)
	}
	// An error from a cloud may carry control characters; the view shows one line of plain text.
	return strings.Join(strings.Fields(ansi.Strip(s)), " ")
}

func pad(s string, width int) string {
	if w := ansi.StringWidth(s); w < width {
		return s + strings.Repeat(" ", width-w)
	}
	return s
}

// LiveSync is a SyncView running on a terminal while syncs go on. Its methods may be called from any
// goroutine.
type LiveSync struct {
	p    *tea.Program
	done chan struct{}
	err  error
}

// LiveSyncOptions say how a LiveSync meets the terminal.
type LiveSyncOptions struct {
	SyncViewOptions
	// In is where keys are read from; nil reads none (the view then does not offer any).
	In io.Reader
	// Out is the terminal the view is drawn on.
	Out io.Writer
	// NoColor drops colour (NO_COLOR); the marks carry the meaning.
	NoColor bool
}

// StartSync draws the view on the terminal until Close. The caller has already decided that Out is a
// terminal. Ctrl+C calls Cancel; an interrupt signal is left to the caller's context.
func StartSync(opts LiveSyncOptions) *LiveSync {
	opts.Interactive = opts.In != nil
	// The size is the fallback for an output that is not a terminal (tests); a terminal's own size wins.
	po := []tea.ProgramOption{tea.WithInput(opts.In), tea.WithOutput(opts.Out), tea.WithoutSignalHandler(),
		tea.WithWindowSize(cmp.Or(opts.Width, 80), cmp.Or(opts.Height, 24))}
	if opts.NoColor {
		po = append(po, tea.WithColorProfile(colorprofile.Ascii))
	}
	l := &LiveSync{p: tea.NewProgram(NewSyncView(opts.SyncViewOptions), po...), done: make(chan struct{})}
	go func() {
		defer close(l.done)
		_, l.err = l.p.Run()
	}()
	return l
}

// Progress shows one (kind, region)'s progress.
func (l *LiveSync) Progress(p RegionProgress) { l.p.Send(p) }

// AccountEnded shows an account's sync over, failed or partly done when err is set.
func (l *LiveSync) AccountEnded(account string, err error) {
	l.p.Send(SyncAccountEndMsg{Account: account, Err: err})
}

// Close draws the last frame, gives the terminal back and waits for the view to end.
func (l *LiveSync) Close() error {
	l.p.Send(SyncEndMsg{})
	<-l.done
	if l.err != nil {
		return fmt.Errorf("sync progress view: %w", l.err)
	}
	return nil
}
