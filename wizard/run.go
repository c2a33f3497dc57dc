package wizard

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"

	"onboard/inventory"
	"onboard/onboarding"
)

// Options say how the wizard meets the terminal.
type Options struct {
	In  io.Reader
	Out io.Writer
	// Accessible asks with plain line prompts instead of the full-screen interface (screen readers, dumb
	// terminals).
	Accessible bool
	// NoColor drops colour (NO_COLOR); the marks carry the meaning.
	NoColor bool
	// Width and Height, when set, fix the initial size (tests).
	Width, Height int
}

// Run shows the wizard until the person finishes or cancels it. The caller has already decided that a
// person is at a terminal. A cancellation returns ErrCancelled (exit code 130), with the engine's result
// when ApplyPlan had finished. Nothing is printed after the wizard: the caller prints Summary once.
func Run(ctx context.Context, deps Deps, opts Options) (Result, error) {
	if opts.Accessible {
		return runAccessible(ctx, deps, opts)
	}
	do := func(j job) tea.Cmd { return func() tea.Msg { return j(ctx) } }
	w, h := opts.Width, opts.Height
	if w == 0 || h == 0 {
		w, h = 80, 24
	}
	m, first := New(deps, do, w, h)
	po := []tea.ProgramOption{tea.WithContext(ctx), tea.WithInput(opts.In), tea.WithOutput(opts.Out)}
	if opts.NoColor {
		po = append(po, tea.WithColorProfile(colorprofile.Ascii))
	}
	if opts.Width > 0 && opts.Height > 0 {
		po = append(po, tea.WithWindowSize(opts.Width, opts.Height))
	}
	final, err := tea.NewProgram(starter{m, first}, po...).Run()
	fm, _ := final.(Model)
	if s, ok := final.(starter); ok {
		fm = s.Model
	}
	if err != nil {
		r, _ := fm.Result()
		if errors.Is(err, tea.ErrInterrupted) || errors.Is(err, tea.ErrProgramKilled) || ctx.Err() != nil {
			return r, ErrCancelled
		}
		return r, fmt.Errorf("run the wizard: %w", err)
	}
	return fm.Result()
}

// starter gives the program the command New returned as its Init.
type starter struct {
	Model
	first tea.Cmd
}

func (s starter) Init() tea.Cmd { return s.first }

// runAccessible asks the same pages as plain prompts (huh's accessible mode), runs the same checks and
// the same ApplyPlan, and prints each step as a line once it happened. It prints no key hints: there are
// no keys but the answers.
func runAccessible(ctx context.Context, deps Deps, opts Options) (Result, error) {
	in, lr := newLineReader(opts.In)
	out := scrubbingWriter{w: opts.Out, scrub: deps.scrub}
	do := func(j job) tea.Cmd { return func() tea.Msg { return j(ctx) } }
	q := newQuestions(deps, 80, 24)
	q.plain = true
	q, cmd := q.enter(0, +1, do)
	q = drainQuestions(q, cmd, do)
	logged := 0
	for !q.done {
		if ctx.Err() != nil || lr.eof {
			return Result{Answers: q.ans}, ErrCancelled
		}
		if q.form == nil { // a list could not be read: say so and stop
			return Result{Answers: q.ans}, errors.New(q.errMsg)
		}
		pos, total := q.position()
		fmt.Fprintf(out, "\n== Question %d of %d: %s\n", pos, total, q.page().title)
		if q.errMsg != "" {
			fmt.Fprintln(out, "error: "+q.errMsg)
		}
		if err := q.form.WithAccessible(true).WithInput(in).WithOutput(out).Run(); err != nil {
			return Result{Answers: q.ans}, ErrCancelled
		}
		if lr.eof {
			return Result{Answers: q.ans}, ErrCancelled
		}
		q, cmd = q.answered(do)
		q = drainQuestions(q, cmd, do)
		for ; logged < len(q.log); logged++ {
			fmt.Fprintln(out, "ok: "+q.log[logged])
		}
	}
	a := q.ans
	if a.Org() {
		return runAccessibleOrg(ctx, deps, a, in, out)
	}
	if a.Identity.IsRoot() {
		if !askRootKey(&a, in, out) {
			return Result{Answers: a}, ErrCancelled
		}
	}
	e, err := deps.Engine(a, func(inventory.Progress) {})
	if err != nil {
		return Result{Answers: a}, err
	}
	plan, err := e.Plan(ctx, a.Resolved())
	if err != nil {
		printError(out, err)
		return Result{Answers: a}, err
	}
	printReviewHead(out, a)
	for _, s := range plan.Steps {
		for _, c := range s.Changes {
			fmt.Fprintln(out, "  "+s.Title+": "+c.String())
		}
	}
	fmt.Fprintln(out, "The same, for scripts: "+a.CommandLine(deps.Sandbox))
	if !confirm("Apply this plan?", in, out) { // changes to the account need a typed yes
		return Result{Answers: a}, ErrCancelled
	}
	steps, index := stepNumbers(plan.Request)
	fmt.Fprintln(out, "\n== Apply")
	res, err := e.ApplyPlan(ctx, plan, func(ev onboarding.Event) {
		if ev.Status == onboarding.StatusRunning || ev.Status == onboarding.StatusPending {
			return
		}
		line := fmt.Sprintf("step %d of %d, %s: %s", index[ev.Step], len(steps), ev.Title, ev.Status)
		if ev.Detail != "" {
			line += " (" + ev.Detail + ")"
		}
		fmt.Fprintln(out, line)
	})
	if err != nil {
		var stale *onboarding.StalePlanError
		if errors.As(err, &stale) {
			fmt.Fprintln(out, "The account changed since the plan, so nothing was applied: "+strings.Join(stale.What, "; ")+". Run again to plan anew.")
		} else {
			printError(out, err)
		}
		if errors.Is(err, context.Canceled) {
			return Result{Answers: a}, ErrCancelled
		}
		return Result{Answers: a}, err
	}
	r := Result{Answers: a, Engine: &res}
	if g := newAgentRun(res, a, deps); g.offered() {
		return askAgents(ctx, deps, r, g.hosts, in, out)
	}
	return r, nil
}

// runAccessibleOrg plans each chosen member as tencent --org --dry-run does, prints the plans, and once a
// typed yes accepts them applies them, printing each member's steps as they happen.
func runAccessibleOrg(ctx context.Context, deps Deps, a Answers, in io.Reader, out io.Writer) (Result, error) {
	if deps.Organization == nil {
		return Result{Answers: a}, errors.New("this build cannot onboard an organization's members")
	}
	o, err := deps.Organization(a)
	if err != nil {
		return Result{Answers: a}, err
	}
	req := a.OrganizationRequest()
	req.DryRun = true
	planned, err := o.Onboard(ctx, req, nil)
	if err != nil {
		printError(out, err)
		return Result{Answers: a}, err
	}
	printReviewHead(out, a)
	for _, mem := range planned.Members {
		if mem.Error != "" {
			fmt.Fprintln(out, "  member "+mem.UIN+": could not be planned: "+mem.Error)
			continue
		}
		for _, s := range mem.Plan {
			for _, c := range s.Changes {
				fmt.Fprintln(out, "  member "+mem.UIN+", "+s.Title+": "+c.String())
			}
		}
	}
	fmt.Fprintln(out, "The same, for scripts: "+a.CommandLine(deps.Sandbox))
	req.DryRun, req.Plans = false, planned.Plans()
	if plannedMembers(planned) == 0 {
		return Result{Answers: a}, errors.New("no member of the organization could be planned: " + strings.Join(planned.Failed, ", "))
	}
	if !confirm(fmt.Sprintf("Apply these plans to %d members?", len(planned.Members)), in, out) {
		return Result{Answers: a}, ErrCancelled
	}
	steps, index := stepNumbers(req.Request)
	fmt.Fprintln(out, "\n== Apply")
	var mu sync.Mutex
	res, err := o.Onboard(ctx, req, func(ev onboarding.MemberEvent) {
		if ev.Status == onboarding.StatusRunning || ev.Status == onboarding.StatusPending {
			return
		}
		line := fmt.Sprintf("member %s, %s: %s", ev.Member, ev.Title, ev.Status)
		if i := index[ev.Step]; i > 0 {
			line = fmt.Sprintf("member %s, step %d of %d, %s: %s", ev.Member, i, len(steps), ev.Title, ev.Status)
		}
		if ev.Detail != "" {
			line += " (" + ev.Detail + ")"
		}
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintln(out, line)
	})
	if err != nil {
		printError(out, err)
		return Result{Answers: a}, err
	}
	r := Result{Answers: a, Organization: &res}
	if ctx.Err() != nil {
		return r, ErrCancelled
	}
	return r, nil
}

// askAgents offers the agent on the synced hosts in a plain prompt and, once accepted, installs it,
// printing each host when it settles.
func askAgents(ctx context.Context, deps Deps, r Result, hosts int, in io.Reader, out io.Writer) (Result, error) {
	if !confirm(fmt.Sprintf("Install the Security Center agent on %d hosts now?", hosts), in, out) {
		return r, nil
	}
	agents, err := deps.Agents(r.Answers)
	if err != nil {
		return r, fmt.Errorf("install the agent: %w", err)
	}
	fmt.Fprintln(out, "\n== Security Center agent")
	res, err := agents.Run(ctx, onboarding.AgentRequest{Account: r.Engine.Account, All: true}, func(ev onboarding.AgentEvent) {
		switch h := ev.Host; h.Outcome {
		case onboarding.HostInstalled, onboarding.HostAlready, onboarding.HostSkipped, onboarding.HostFailed:
			fmt.Fprintln(out, strings.TrimSpace(h.InstanceID+": "+h.Outcome+" "+h.Reason))
		}
	})
	if len(res.Hosts) > 0 || err == nil {
		r.Agent = &res
	}
	if err == nil {
		r.Engine = afterAgentInstall(r.Engine, res)
	}
	switch {
	case errors.Is(err, context.Canceled):
		return r, ErrCancelled
	case err != nil:
		return r, fmt.Errorf("install the agent: %w", err)
	}
	return r, nil
}

// askRootKey asks the root-key question in plain prompts: the action, then the confirmation for disable
// or delete.
func askRootKey(a *Answers, in io.Reader, out io.Writer) bool {
	v := &rootValues{action: a.Request.RootKey}
	if v.action == "" {
		v.action = onboarding.RootKeyKeep
	}
	action := huh.NewForm(huh.NewGroup(huh.NewSelect[string]().
		Title("The key you chose is the root key of account " + a.Identity.OwnerUIN + ". Once everything else has succeeded, what happens to it?").
		Options(choices(onboarding.RootKeyActions, rootKeyLabels)...).Value(&v.action)))
	if action.WithAccessible(true).WithInput(in).WithOutput(out).Run() != nil || ended(in) {
		return false
	}
	if v.action != onboarding.RootKeyKeep {
		want := last4(a.Tencent.ID)
		confirm := huh.NewForm(huh.NewGroup(huh.NewInput().
			Title("To " + v.action + " the root key " + a.Tencent.Masked() + ", type the last four characters of its SecretId:").
			Value(&v.confirm).Validate(func(s string) error {
			if strings.TrimSpace(s) != want {
				return fmt.Errorf("type the last four characters of %s to %s it", a.Tencent.Masked(), v.action)
			}
			return nil
		})))
		if confirm.WithAccessible(true).WithInput(in).WithOutput(out).Run() != nil || ended(in) {
			return false
		}
	}
	a.Request.RootKey, a.Request.RootKeyConfirm = v.action, strings.TrimSpace(v.confirm)
	return true
}

// drainQuestions runs commands one after another and feeds their messages to the questions until none
// is left: accessible mode's event loop.
func drainQuestions(q questions, cmd tea.Cmd, do spawn) questions {
	queue := []tea.Cmd{cmd}
	for len(queue) > 0 {
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		msg := c()
		switch msg := msg.(type) {
		case tea.BatchMsg:
			queue = append(queue, msg...)
			continue
		case replyMsg:
			var next tea.Cmd
			q, next = q.update(msg, do)
			queue = append(queue, next)
		}
	}
	return q
}

// lineReader hands huh's prompts one byte at a time, so that each prompt's own buffered scanner never
// reads ahead into the next answer; it remembers the end of the input (a cancelled session).
type lineReader struct {
	r   io.Reader
	eof bool
}

func (l *lineReader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	n, err := l.r.Read(p[:1])
	if errors.Is(err, io.EOF) {
		l.eof = true
	}
	return n, err
}

// ttyLineReader is a lineReader over a terminal: its descriptor passes through, for huh's hidden
// (password) prompts.
type ttyLineReader struct {
	*lineReader
	fd uintptr
}

func (t ttyLineReader) Fd() uintptr { return t.fd }

// newLineReader wraps r, keeping its terminal descriptor when it has one.
func newLineReader(r io.Reader) (io.Reader, *lineReader) {
	l := &lineReader{r: r}
	if f, ok := r.(interface{ Fd() uintptr }); ok {
		return ttyLineReader{lineReader: l, fd: f.Fd()}, l
	}
	return l, l
}

// ended reports whether the input behind r has ended.
func ended(r io.Reader) bool {
	switch l := r.(type) {
	case *lineReader:
		return l.eof
	case ttyLineReader:
		return l.eof
	}
	return false
}

// scrubbingWriter masks secrets, and drops styling, in what accessible mode writes.
type scrubbingWriter struct {
	w     io.Writer
	scrub func(string) string
}

func (s scrubbingWriter) Write(p []byte) (int, error) {
	if _, err := io.WriteString(s.w, s.scrub(ansi.Strip(string(p)))); err != nil {
		return 0, err
	}
	return len(p), nil
}

// printError says what failed, and the fix when the error has one.
func printError(out io.Writer, err error) {
	fmt.Fprintln(out, "error: "+err.Error())
	if fix, ok := onboarding.FixFor(err); ok {
		fmt.Fprintln(out, "Fix: "+fix.Say)
	}
}

// printReviewHead starts the plain review: the answers, then the plan's heading.
func printReviewHead(out io.Writer, a Answers) {
	fmt.Fprintln(out, "\n== Review")
	for _, l := range answerLines(a) {
		fmt.Fprintln(out, strings.TrimSpace(l))
	}
	fmt.Fprintln(out, "Plan:")
}

// confirm asks a yes/no question in plain prompts; an ended input is a no.
func confirm(title string, in io.Reader, out io.Writer) bool {
	yes := false
	err := huh.NewForm(huh.NewGroup(huh.NewConfirm().Title(title).Value(&yes))).
		WithAccessible(true).WithInput(in).WithOutput(out).Run()
	return err == nil && !ended(in) && yes
}

// stepNumbers lists the steps of a run of req and numbers them by ID from 1, for "step i of n".
func stepNumbers(req onboarding.Request) ([]onboarding.StepInfo, map[string]int) {
	steps := onboarding.StepsFor(req)
	index := map[string]int{}
	for i, s := range steps {
		index[s.ID] = i + 1
	}
	return steps, index
}
