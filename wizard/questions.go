package wizard

import (
	"context"
	"errors"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"onboard/onboarding"
	"onboard/securitycenter"
	"onboard/tencent"
)

// job is IO a model asks for. It runs inside a tea.Cmd under the program's context, which Run owns: no
// model holds a context.
type job func(ctx context.Context) tea.Msg

// spawn turns a job into the command that runs it.
type spawn func(job) tea.Cmd

// replyMsg carries the result of a questions page's IO: set applies what was read (pure), err refuses the
// page's answers, note is shown (and logged in accessible mode) once the page is left.
type replyMsg struct {
	gen  int
	then replyThen
	note string
	err  error
	set  func(q *questions)
}

type replyThen int

const (
	thenShow replyThen = iota // a list the page shows has arrived: show its form
	thenNext                  // a live check of the answers passed: go to the next page
)

// pageID names a questions page; tests and fixes refer to pages by it.
type pageID string

// The questions pages, in the order of Security Center's console procedure.
const (
	pgSetup          pageID = "setup"
	pgFeatures       pageID = "features"
	pgGrants         pageID = "grants"
	pgTencent        pageID = "tencent-key"
	pgTencentTyped   pageID = "tencent-typed"
	pgOrg            pageID = "organization"
	pgMembers        pageID = "members"
	pgLighthouse     pageID = "lighthouse"
	pgUser           pageID = "sub-user"
	pgAuditRegion    pageID = "audit-region"
	pgAuditLogset    pageID = "audit-logset"
	pgAuditTopic     pageID = "audit-topic"
	pgSOCLogs        pageID = "soc-logs"
	pgSecurityCenter pageID = "security-center"
	pgAlibabaTyped   pageID = "alibaba-typed"
	pgAccountName    pageID = "account-name"
	pgRegions        pageID = "regions"
	pgFrequencies    pageID = "frequencies"
)

// page is one form of questions, as data: its fields are built from the answers so far (so that going
// back shows what was chosen) and committed back once answered.
type page struct {
	id    pageID
	title string
	skip  func(q *questions) bool
	// load reads what the fields list (regions, logsets), on entry; nil for nothing.
	load func(q *questions) (busy string, j job)
	// fields builds the form's fields, bound to q.v.
	fields func(q *questions) []huh.Field
	// commit writes q.v into the answers.
	commit func(q *questions)
	// check verifies the committed answers live; its reply decides whether to go on. nil for none.
	check func(q *questions) (busy string, j job)
}

// formValues are what the huh fields of the current page write to; one value for the wizard's life.
type formValues struct {
	site, mode                         string
	features                           []string
	cspm, lighthouse                   string
	tencentSource, secretID, secretKey string
	scope                              string
	members                            []string
	subUser                            string
	auditRegion, kafka, logset, topic  string
	socLogs                            string
	alibabaSource, keyID, keySecret    string
	accountName                        string
	regions                            []string
	regionManagement                   string
	hostSync, cloudSync, akCheck       string
}

// questions is the first phase: one huh form per page, live checks between pages.
type questions struct {
	deps  Deps
	ans   Answers
	v     *formValues
	pages []page
	cur   int
	form  *huh.Form
	first huh.Field // the page's first field: shift+tab there goes back a page
	gen   int       // bumped on every page change, so that a late reply to a left page is dropped

	busy   string
	errMsg string
	notes  []string // what the last check found, shown on the next page
	// log is every note in order, for accessible mode, which prints a note after its question.
	log []string

	tencentRegions []tencent.Region
	logsets        []tencent.Logset
	topics         []tencent.Topic
	// lighthouse is how many Lighthouse servers the chosen key found, -1 when it could not tell; read with
	// the key when hosts are chosen.
	lighthouse int
	// socSources are the account's WAF and Cloud Firewall log sources; nil until read.
	socSources *onboarding.SOCSources
	// socSourcesErr says why they could not be read; the question then starts off.
	socSourcesErr string
	scRegions     []securitycenter.RegionChoice

	width, height int
	done          bool
	// plain marks accessible mode: a prompt says its default, and an empty answer keeps it.
	plain bool
}

func newQuestions(deps Deps, width, height int) questions {
	return questions{deps: deps, ans: startAnswers(deps.Start), v: &formValues{}, pages: pages(), width: width, height: height, cur: -1}
}

func (q *questions) page() page {
	if q.cur < 0 || q.cur >= len(q.pages) {
		return page{}
	}
	return q.pages[q.cur]
}

// position is the current page's number among the pages these answers use, and their count.
func (q *questions) position() (int, int) {
	pos, total := 0, 0
	for i, p := range q.pages {
		if p.skip != nil && p.skip(q) {
			continue
		}
		total++
		if i <= q.cur {
			pos++
		}
	}
	return pos, total
}

// enter moves to page i, or the nearest one in direction dir that these answers use; past the last page
// the questions are done.
func (q questions) enter(i, dir int, do spawn) (questions, tea.Cmd) {
	for i >= 0 && i < len(q.pages) && q.pages[i].skip != nil && q.pages[i].skip(&q) {
		i += dir
	}
	if i < 0 {
		return q, nil
	}
	if i >= len(q.pages) {
		q.done = true
		return q, nil
	}
	q.cur, q.gen, q.errMsg, q.form = i, q.gen+1, "", nil
	if p := q.page(); p.load != nil {
		busy, j := p.load(&q)
		if j != nil {
			q.busy = busy
			return q, do(q.reply(j, thenShow))
		}
	}
	return q.show()
}

// show builds the current page's form from the answers so far.
func (q questions) show() (questions, tea.Cmd) {
	q.busy = ""
	fields := q.page().fields(&q)
	q.first = fields[0]
	q.form = huh.NewForm(huh.NewGroup(fields...)).
		WithShowHelp(false).
		WithShowErrors(false). // the frame's status line shows them: the form keeps its height
		WithTheme(huh.ThemeFunc(huh.ThemeCharm)).
		WithWidth(q.width).
		WithHeight(q.formHeight())
	return q, q.form.Init()
}

// formHeight is what the frame leaves to the form: the header, the notes, a status line and the key hints.
func (q *questions) formHeight() int {
	notes := 0
	for _, n := range q.notes {
		notes += strings.Count(wrapWords("✓ "+n, q.width-1, "  "), "\n") + 1
	}
	return max(q.height-5-notes, 4)
}

// reply wraps a page's job so that its message names the page visit that asked.
func (q *questions) reply(j job, then replyThen) job {
	gen := q.gen
	return func(ctx context.Context) tea.Msg {
		msg := j(ctx)
		if r, ok := msg.(replyMsg); ok {
			r.gen, r.then = gen, then
			return r
		}
		return msg
	}
}

func (q questions) next(do spawn) (questions, tea.Cmd) { return q.enter(q.cur+1, +1, do) }

func (q questions) back(do spawn) (questions, tea.Cmd) {
	q.notes = nil
	prev := q.cur - 1
	for prev >= 0 && q.pages[prev].skip != nil && q.pages[prev].skip(&q) {
		prev--
	}
	if prev < 0 {
		return q, nil
	}
	return q.enter(prev, -1, do)
}

// answered commits the completed form and checks it live, or moves on.
func (q questions) answered(do spawn) (questions, tea.Cmd) {
	p := q.page()
	if q.plain {
		// huh's plain multi-select prompts again and again on a refused answer, past the end of the
		// input: the answer is checked here instead, and the page asked again.
		for _, f := range []struct {
			what string
			got  []string
			on   pageID
		}{{"feature", q.v.features, pgFeatures}, {"region", q.v.regions, pgRegions}, {"member", q.v.members, pgMembers}} {
			if p.id == f.on && len(f.got) == 0 {
				q.errMsg = "choose at least one " + f.what
				return q.show()
			}
		}
	}
	p.commit(&q)
	q.notes = nil
	if p.check != nil {
		if busy, j := p.check(&q); j != nil {
			q.busy = busy
			return q, do(q.reply(j, thenNext))
		}
	}
	return q.next(do)
}

// update handles one message of the questions phase.
func (q questions) update(msg tea.Msg, do spawn) (questions, tea.Cmd) {
	switch msg := msg.(type) {
	case replyMsg:
		if msg.gen != q.gen {
			return q, nil
		}
		q.busy = ""
		if msg.err != nil {
			q.errMsg = msg.err.Error()
			return q.show() // the answers stay; the person changes them
		}
		if msg.set != nil {
			msg.set(&q)
		}
		if msg.note != "" {
			q.log = append(q.log, msg.note)
		}
		if msg.then == thenShow {
			return q.show()
		}
		q, cmd := q.next(do)
		if msg.note != "" {
			q.notes = []string{msg.note}
			if q.form != nil {
				q.form = q.form.WithHeight(q.formHeight())
			}
		}
		return q, cmd
	case tea.WindowSizeMsg:
		q.width, q.height = msg.Width, msg.Height
		if q.form != nil {
			q.form = q.form.WithWidth(q.width).WithHeight(q.formHeight())
		}
	case tea.KeyPressMsg:
		if q.busy != "" || q.form == nil {
			return q, nil
		}
		q.errMsg = ""
		if msg.String() == "shift+tab" && q.form.GetFocusedField() == q.first {
			return q.back(do)
		}
	}
	if q.form == nil {
		return q, nil
	}
	m, cmd := q.form.Update(msg)
	q.form = m.(*huh.Form)
	if q.form.State == huh.StateCompleted {
		return q.answered(do)
	}
	return q, tea.Batch(cmd, refocus(q.form))
}

// refocus focuses the form's field again when it refused its answer: huh leaves the field it could not
// leave blurred, and the focus marker would vanish from the screen.
func refocus(f *huh.Form) tea.Cmd {
	if len(f.Errors()) == 0 {
		return nil
	}
	if field := f.GetFocusedField(); field != nil {
		return field.Focus()
	}
	return nil
}

// input is a text question. In accessible mode the prompt says what Enter keeps, and an empty answer
// keeps it (huh's plain prompt validates the empty line before taking the default).
func (q *questions) input(title string, value *string, validate func(string) error, hidden bool) *huh.Input {
	in := huh.NewInput().Value(value)
	if hidden {
		in = in.EchoMode(huh.EchoModePassword)
	}
	if !q.plain || *value == "" {
		return in.Title(title).Validate(validate)
	}
	keep := *value
	if hidden {
		keep = "the one given"
	}
	return in.Title(title + " (Enter keeps " + keep + ")").Validate(func(s string) error {
		if s == "" {
			return nil
		}
		return validate(s)
	})
}

// atLeastOne refuses an empty multi-select in the full-screen form (see answered for the plain prompts).
func (q *questions) atLeastOne(what string) func([]string) error {
	return func(xs []string) error {
		if q.plain {
			return nil
		}
		if len(xs) == 0 {
			return errors.New("choose at least one " + what)
		}
		return nil
	}
}
