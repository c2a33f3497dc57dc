package wizard

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"onboard/inventory"
	"onboard/onboarding"
	"onboard/securitycenter"
	"onboard/tencent"
)

// fakeTencent answers the wizard's reads as Tencent Cloud would for one account; wafDomains is how many
// WAF domains it has (behind one WAF instance), none by default.
type fakeTencent struct {
	root       bool
	wafDomains int
	lighthouse int // Lighthouse servers in ap-guangzhou
	// members is how many member accounts the organization the account manages has; 0: in none.
	members int
	// orgDenied: the key may not read the organization.
	orgDenied bool
}

func (f fakeTencent) CallerIdentity(ctx context.Context) (tencent.Identity, error) {
	return f.Identify(ctx)
}

func (f fakeTencent) Organization(context.Context) (tencent.Organization, error) {
	switch {
	case f.orgDenied:
		return tencent.Organization{}, fmt.Errorf("describe the organization: %w", tencent.ErrDenied)
	case f.members == 0:
		return tencent.Organization{}, fmt.Errorf("describe the organization: %w", tencent.ErrNotFound)
	}
	return tencent.Organization{IsManager: true, ManagerUIN: "100012345678"}, nil
}

// OrganizationMembers lists the management account itself too, as the emulator does.
func (f fakeTencent) OrganizationMembers(context.Context) ([]tencent.Member, error) {
	out := []tencent.Member{{UIN: "100012345678", Name: "management"}}
	for i := range f.members {
		out = append(out, tencent.Member{UIN: fmt.Sprint(100000100002 + i), Name: fmt.Sprintf("member-%d", i+1)})
	}
	return out, nil
}

func (f fakeTencent) Identify(context.Context) (tencent.Identity, error) {
	id := tencent.Identity{OwnerUIN: "100012345678", UserUIN: "100012345678"}
	if !f.root {
		id.UserUIN = "200000000001"
	}
	return id, nil
}
func (fakeTencent) GetUser(context.Context, string) (tencent.User, error) {
	return tencent.User{}, tencent.ErrNotFound
}
func (fakeTencent) ListAccessKeys(context.Context, uint64) ([]tencent.AccessKey, error) {
	return nil, nil
}
func (fakeTencent) Regions(context.Context, string) ([]tencent.Region, error) {
	return []tencent.Region{{ID: "ap-guangzhou", Name: "Guangzhou"}, {ID: "ap-shanghai", Name: "Shanghai"}}, nil
}
func (fakeTencent) ListLogsets(context.Context, string, string) ([]tencent.Logset, error) {
	return []tencent.Logset{{ID: "0f8e3c1a-1d4b-4c8e-9a77-5b2f1c3d4e5f", Name: "existing"}}, nil
}
func (fakeTencent) ListTopics(context.Context, string, string, string) ([]tencent.Topic, error) {
	return nil, nil
}

func (f fakeTencent) ListLighthouseInstances(_ context.Context, region string, _, _ int) (tencent.Page[tencent.LighthouseInstance], error) {
	if region != "ap-guangzhou" {
		return tencent.Page[tencent.LighthouseInstance]{}, nil
	}
	return tencent.Page[tencent.LighthouseInstance]{Items: make([]tencent.LighthouseInstance, f.lighthouse), Total: f.lighthouse}, nil
}
func (f fakeTencent) ListWAFInstances(context.Context, string) ([]tencent.WAFInstance, error) {
	if f.wafDomains == 0 {
		return nil, nil
	}
	return []tencent.WAFInstance{{}}, nil
}
func (f fakeTencent) ListWAFDomains(context.Context, string) ([]tencent.WAFDomain, error) {
	return make([]tencent.WAFDomain, f.wafDomains), nil
}
func (fakeTencent) ListCFWInstances(context.Context, string) ([]tencent.CFWInstance, error) {
	return nil, nil
}

type fakeSecurityCenter struct{}

func (fakeSecurityCenter) ListAccounts(context.Context, securitycenter.AccountFilter) ([]securitycenter.Account, error) {
	return nil, nil
}
func (fakeSecurityCenter) Regions(context.Context, securitycenter.Vendor) ([]securitycenter.RegionChoice, error) {
	return []securitycenter.RegionChoice{{RegionID: "ap-guangzhou"}, {RegionID: "ap-shanghai"}, {RegionID: "ap-tokyo", TakenByOtherSite: true}}, nil
}

// fakeEngine plans and applies as the engine reports: a Plan of typed changes, one event per step of
// StepsFor, and the error or result it is given.
type fakeEngine struct {
	mu       sync.Mutex
	planned  []onboarding.Request
	applyErr error
	result   onboarding.Result
	statuses map[string]onboarding.Status // per step; done when absent
	progress func(inventory.Progress)
}

func (e *fakeEngine) Plan(_ context.Context, req onboarding.Request) (onboarding.Plan, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.planned = append(e.planned, req)
	return onboarding.Plan{Request: req, Steps: []onboarding.PlannedStep{
		{Step: "user", Title: "CAM sub-user", Changes: []onboarding.Change{{Op: "create", Object: "user", Name: req.SubUser}}},
	}}, nil
}

func (e *fakeEngine) ApplyPlan(_ context.Context, p onboarding.Plan, emit func(onboarding.Event)) (onboarding.Result, error) {
	for _, s := range onboarding.StepsFor(p.Request) {
		emit(onboarding.Event{Step: s.ID, Title: s.Title, Status: onboarding.StatusRunning})
		if s.ID == stepFirstSync && e.progress != nil {
			e.progress(inventory.Progress{Kind: "cvm.instance", Region: "ap-guangzhou", Seen: 3, Total: 3, Done: true, Status: inventory.StatusDone})
		}
		st, ok := e.statuses[s.ID]
		if !ok {
			st = onboarding.StatusDone
		}
		ev := onboarding.Event{Step: s.ID, Title: s.Title, Status: st}
		if st == onboarding.StatusFailed {
			ev.Err = e.applyErr
			emit(ev)
			return onboarding.Result{}, e.applyErr
		}
		emit(ev)
	}
	if e.applyErr != nil {
		return onboarding.Result{}, e.applyErr
	}
	return e.result, nil
}

func testDeps(root bool, e *fakeEngine) Deps {
	return Deps{
		Tencent:        func(Credential) (TencentReader, error) { return fakeTencent{root: root}, nil },
		SecurityCenter: func(string, Credential) (SecurityCenterReader, error) { return fakeSecurityCenter{}, nil },
		Engine: func(_ Answers, progress func(inventory.Progress)) (Engine, error) {
			e.progress = progress
			return e, nil
		},
		FoundTencent: []Credential{{Source: "environment", ID: "AKIDexampleexampleAB12", Secret: "s3cr3t-tencent"}},
		FoundAlibaba: []Credential{{Source: "environment", ID: "LTAIexampleexample", Secret: "s3cr3t-alibaba"}},
	}
}

// syncDo runs a job at once, as the program would in a goroutine.
func syncDo(j job) tea.Cmd { return func() tea.Msg { return j(context.Background()) } }

// settle runs the commands a message returned, feeding their messages back, until none is left. A
// command that does not answer quickly (a cursor blink, a tick) is dropped; spinner ticks are dropped.
func settle(t *testing.T, m Model, cmd tea.Cmd) Model {
	t.Helper()
	queue := []tea.Cmd{cmd}
	for steps := 0; len(queue) > 0 && steps < 500; steps++ {
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		got := make(chan tea.Msg, 1)
		go func() { got <- c() }()
		var msg tea.Msg
		select {
		case msg = <-got:
		case <-time.After(300 * time.Millisecond):
			continue
		}
		if msg == nil {
			continue
		}
		if v := reflect.ValueOf(msg); v.Kind() == reflect.Slice && v.Type().Elem() == reflect.TypeOf(tea.Cmd(nil)) {
			for i := 0; i < v.Len(); i++ {
				queue = append(queue, v.Index(i).Interface().(tea.Cmd))
			}
			continue
		}
		switch msg.(type) {
		case spinner.TickMsg, tea.QuitMsg:
			continue
		}
		next, c2 := m.Update(msg)
		m = next.(Model)
		queue = append(queue, c2)
	}
	return m
}

func press(t *testing.T, m Model, keys ...string) Model {
	t.Helper()
	for _, k := range keys {
		var msg tea.KeyPressMsg
		switch k {
		case "enter":
			msg = tea.KeyPressMsg{Code: tea.KeyEnter}
		case "down":
			msg = tea.KeyPressMsg{Code: tea.KeyDown}
		case "up":
			msg = tea.KeyPressMsg{Code: tea.KeyUp}
		case "right":
			msg = tea.KeyPressMsg{Code: tea.KeyRight}
		case "shift+tab":
			msg = tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift}
		case "ctrl+c":
			msg = tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}
		default:
			r := []rune(k)[0]
			msg = tea.KeyPressMsg{Code: r, Text: k}
		}
		next, cmd := m.Update(msg)
		m = settle(t, next.(Model), cmd)
	}
	return m
}

func start(t *testing.T, deps Deps) Model {
	t.Helper()
	m, cmd := New(deps, syncDo, 80, 24)
	return settle(t, m, cmd)
}

func screen(m Model) string { return ansi.Strip(m.render()) }

// toPage presses Enter until the wizard shows page id (or gives up).
func toPage(t *testing.T, m Model, id string) Model {
	t.Helper()
	for i := 0; i < 30 && m.Page() != id; i++ {
		m = press(t, m, "enter")
	}
	if m.Page() != id {
		t.Fatalf("never reached page %s; at %s:\n%s", id, m.Page(), screen(m))
	}
	return m
}

func TestStartsFromOnboardingDefaults(t *testing.T) {
	d := onboarding.Defaults()
	got := startAnswers(onboarding.Request{}).Request
	for _, f := range []struct{ name, got, want string }{
		{"site", got.Site, d.Site}, {"host-sync", got.HostSync, d.HostSync}, {"cloud-sync", got.CloudSync, d.CloudSync},
		{"ak-check", got.AKCheck, d.AKCheck}, {"kafka-network", got.KafkaNetwork, d.KafkaNetwork},
		{"audit-logset", got.AuditLogset, d.AuditLogset}, {"audit-topic", got.AuditTopic, d.AuditTopic},
		{"root-key", got.RootKey, d.RootKey}, {"cspm-policy", string(got.CSPMPolicy), string(d.CSPMPolicy)},
		{"security-center", got.SecurityCenter, d.SecurityCenter}, {"regions", strings.Join(got.Regions, ","), strings.Join(d.Regions, ",")},
	} {
		if f.got != f.want {
			t.Errorf("%s starts at %q, onboarding's default is %q", f.name, f.got, f.want)
		}
	}
	flags := onboarding.Request{HostSync: "off", Site: "outside", SubUser: "from-flag"}
	got = startAnswers(flags).Request
	if got.HostSync != "off" || got.Site != "outside" || got.SubUser != "from-flag" {
		t.Errorf("the flags' values do not start the wizard: %+v", got)
	}
}

// TestOffersEveryFlagChoice walks the frequency choices on the screen itself: every value the flags
// accept, off included, is offered, and the default shows first.
func TestOffersEveryFlagChoice(t *testing.T) {
	m := start(t, testDeps(false, &fakeEngine{}))
	if sc := screen(m); !strings.Contains(sc, siteLabels["mainland"]) || !strings.Contains(sc, siteLabels["outside"]) {
		t.Fatalf("the site page lacks a site:\n%s", sc)
	}
	m = press(t, m, "enter", "enter")
	sc := screen(m)
	for _, f := range onboarding.Features {
		if !strings.Contains(sc, featureLabels[f]) {
			t.Errorf("feature %s is not offered:\n%s", f, sc)
		}
	}
	m = press(t, m, "x", "down", "x", "enter") // host and cspm
	m = toPage(t, m, string(pgFrequencies))
	if !strings.Contains(screen(m), "← "+frequencyLabels[onboarding.Defaults().HostSync]+" →") {
		t.Fatalf("host sync does not start at the default:\n%s", screen(m))
	}
	seen := map[string]bool{}
	for i := 0; i < len(onboarding.Frequencies)+1; i++ {
		for label := range invert(frequencyLabels) {
			if strings.Contains(screen(m), "← "+label+" →") {
				seen[label] = true
			}
		}
		m = press(t, m, "right")
	}
	for _, f := range onboarding.Frequencies {
		if !seen[frequencyLabels[f]] {
			t.Errorf("frequency %s (%s) is not offered", f, frequencyLabels[f])
		}
	}
}

func invert(m map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		out[v] = k
	}
	return out
}

func TestQuickModeSaysWhatHappens(t *testing.T) {
	m := start(t, testDeps(true, &fakeEngine{}))
	m = press(t, m, "enter", "down")
	sc := strings.Join(strings.Fields(strings.ReplaceAll(screen(m), "┃", "")), " ")
	for _, want := range []string{"creates the sub-user AlibabaSasSubAccount_", "here", "Only the sub-user's key goes to Security Center",
		"the root key never leaves this machine"} {
		if !strings.Contains(sc, want) {
			t.Errorf("quick mode does not say %q:\n%s", want, screen(m))
		}
	}
	if strings.Contains(sc, "Security Center makes the sub-user") || strings.Contains(sc, "submit the root key") {
		t.Errorf("quick mode says the root key is submitted:\n%s", sc)
	}
}

// TestRootKeyNeedsItsLastFour: on the root-key question, Enter alone (or a wrong answer) never takes a
// disable or delete; the last four characters do, and the plan is made with them.
func TestRootKeyNeedsItsLastFour(t *testing.T) {
	e := &fakeEngine{}
	m := start(t, testDeps(true, e))
	m = press(t, m, "enter", "enter", "x", "enter")
	m = toPage(t, m, "root-key")
	m = press(t, m, "down", "down", "enter") // delete
	if !strings.Contains(screen(m), "type the last four characters") {
		t.Fatalf("delete did not ask for the confirmation:\n%s", screen(m))
	}
	m = press(t, m, "enter")
	if m.Page() != "root-key" || len(e.planned) != 0 {
		t.Fatalf("Enter alone went on (page %s, %d plans):\n%s", m.Page(), len(e.planned), screen(m))
	}
	if !strings.Contains(screen(m), "✗ type the last four characters of AKID****AB12") {
		t.Errorf("the refusal is not shown:\n%s", screen(m))
	}
	m = press(t, m, "w", "x", "y", "z", "enter")
	if m.Page() != "root-key" || len(e.planned) != 0 {
		t.Fatalf("a wrong confirmation went on:\n%s", screen(m))
	}
	for range 4 {
		m = press(t, m, "backspace")
	}
	m = press(t, m, "A", "B", "1", "2", "enter")
	if m.Page() != "review" || len(e.planned) != 1 {
		t.Fatalf("the confirmation was not taken (page %s):\n%s", m.Page(), screen(m))
	}
	if r := e.planned[0]; r.RootKey != onboarding.RootKeyDelete || r.RootKeyConfirm != "AB12" {
		t.Errorf("planned root key %q confirmed by %q", r.RootKey, r.RootKeyConfirm)
	}
}

// TestApplyShowsTypedStatuses: the counter is numbered against StepsFor from the start; reused and
// skipped steps are shown as such, not ticked; a failure shows its fix as a screen, never a flag.
func TestApplyShowsTypedStatuses(t *testing.T) {
	e := &fakeEngine{
		statuses: map[string]onboarding.Status{"grants": onboarding.StatusReused, "audit-logs": onboarding.StatusSkipped, "key": onboarding.StatusFailed},
		applyErr: fmt.Errorf("create user: %w", &onboarding.UserOwnershipError{User: "sas-reader"}),
	}
	m := start(t, testDeps(false, e))
	m = press(t, m, "enter", "enter", "x", "enter")
	m = toPage(t, m, "review")
	m = press(t, m, "enter")
	sc := screen(m)
	steps := onboarding.StepsFor(e.planned[0])
	if !strings.Contains(sc, fmt.Sprintf("Step 5 of %d · %s", len(steps), steps[4].Title)) {
		t.Errorf("the counter is not at the failed step of %d:\n%s", len(steps), sc)
	}
	for _, want := range []string{"= grants per feature", "already there", "– audit logs", "not part of this run", "✗ the sub-user's API key",
		"Fix: take over the existing user by name, or choose another sub-user name", "“Sub-user” screen"} {
		if !strings.Contains(sc, want) {
			t.Errorf("the apply screen lacks %q:\n%s", want, sc)
		}
	}
	if strings.Contains(sc, "--") {
		t.Errorf("the wizard names a flag:\n%s", sc)
	}
	m = press(t, m, "b")
	if m.Page() != string(pgUser) {
		t.Errorf("b went to %s, not the sub-user page", m.Page())
	}
}

func TestStalePlanLeadsBackToReview(t *testing.T) {
	e := &fakeEngine{applyErr: &onboarding.StalePlanError{What: []string{"the sub-user sas-reader was created since the plan"}},
		statuses: map[string]onboarding.Status{"preflight": onboarding.StatusFailed}}
	m := start(t, testDeps(false, e))
	m = press(t, m, "enter", "enter", "x", "enter")
	m = toPage(t, m, "review")
	m = press(t, m, "enter")
	sc := screen(m)
	if !strings.Contains(sc, "the sub-user sas-reader was created since the plan") || !strings.Contains(sc, "Enter goes back to the review") {
		t.Fatalf("the stale plan is not explained:\n%s", sc)
	}
	m = press(t, m, "enter")
	if m.Page() != "review" || len(e.planned) != 2 || !strings.Contains(screen(m), "was created since the plan") {
		t.Errorf("Enter did not plan again at the review (page %s, %d plans):\n%s", m.Page(), len(e.planned), screen(m))
	}
}

// TestSummaryIsTheLastScreen: the summary screen and the printed summary are one text, with the first
// sync's counts and what became of the root key.
func TestSummaryIsTheLastScreen(t *testing.T) {
	e := &fakeEngine{result: onboarding.Result{Account: "100012345678", OwnerUIN: "100012345678", CallerIsRoot: true, RootKey: "disabled",
		SubUser: "sas-reader", FirstSync: &onboarding.SyncResult{Counts: map[string]int{"cvm.instance": 3}}}}
	m := start(t, testDeps(true, e))
	m = press(t, m, "enter", "enter", "x", "enter")
	m = toPage(t, m, "root-key")
	m = press(t, m, "down", "down", "enter", "A", "B", "1", "2", "enter")
	m = toPage(t, m, "review")
	m = press(t, m, "enter")
	if m.Page() != "summary" {
		t.Fatalf("not at the summary:\n%s", screen(m))
	}
	if ks := m.sy.Kinds(syncAccount); len(ks) != 1 || ks[0].Kind != "cvm.instance" || ks[0].Seen != 3 || !ks[0].Finished() {
		t.Errorf("the first-sync view did not take the sync's progress: %+v", ks)
	}
	res, err := m.Result()
	if err != nil || res.Engine == nil {
		t.Fatalf("result %v, %v", res.Engine, err)
	}
	printed := Summary(*res.Engine, res.Answers, 79, false)
	for _, want := range []string{"First sync: cvm.instance 3", "Root key: disabled, not deleted: Tencent Cloud refused the delete"} {
		if !strings.Contains(printed, want) {
			t.Errorf("the summary lacks %q:\n%s", want, printed)
		}
	}
	first := strings.Split(printed, "\n")[0]
	if !strings.Contains(screen(m), first) {
		t.Errorf("the last screen is not the summary:\n%s\nwant it to show:\n%s", screen(m), first)
	}
}

func TestRootKeyOutcomeWords(t *testing.T) {
	for _, tt := range []struct{ got, asked, want string }{
		{"deleted", onboarding.RootKeyDelete, "deleted"},
		{"disabled", onboarding.RootKeyDelete, "disabled, not deleted"},
		{"disabled", onboarding.RootKeyDisable, "disabled; delete it in the CAM console"},
		{"kept", onboarding.RootKeyKeep, "kept"},
	} {
		if got := RootKeyOutcome(onboarding.Result{RootKey: tt.got}, tt.asked); !strings.HasPrefix(got, tt.want) {
			t.Errorf("%s (asked %s) is worded %q", tt.got, tt.asked, got)
		}
	}
}

// TestCtrlCCancelsEachPhase: Ctrl+C in the questions and the review ends the wizard as cancelled; during
// apply it cancels the engine first.
func TestCtrlCCancelsEachPhase(t *testing.T) {
	m := start(t, testDeps(false, &fakeEngine{}))
	if _, err := press(t, m, "ctrl+c").Result(); !errors.Is(err, ErrCancelled) {
		t.Errorf("questions: %v", err)
	}
	m = press(t, m, "enter", "enter", "x", "enter")
	m = toPage(t, m, "review")
	if _, err := press(t, m, "ctrl+c").Result(); !errors.Is(err, ErrCancelled) {
		t.Errorf("review: %v", err)
	}
	m.phase, m.ap.running = phaseApply, true
	stopped := false
	m.stop = func() { stopped = true }
	m = press(t, m, "ctrl+c")
	if !stopped || !m.ap.cancelling {
		t.Errorf("apply: the engine run was not stopped")
	}
	next, _ := m.Update(applyDoneMsg{err: context.Canceled})
	if _, err := next.(Model).Result(); !errors.Is(err, ErrCancelled) {
		t.Errorf("apply: %v", err)
	}
}

// TestScreensFit: no line of any screen is wider than the terminal, and the focused control shows.
func TestScreensFit(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {100, 30}} {
		e := &fakeEngine{result: onboarding.Result{Account: "a", OwnerUIN: "1", FirstSync: &onboarding.SyncResult{Counts: map[string]int{"cvm.instance": 3}}}}
		m, cmd := New(testDeps(false, e), syncDo, size[0], size[1])
		m = settle(t, m, cmd)
		m = press(t, m, "enter", "enter", "x", "down", "x", "down", "x", "down", "x", "enter")
		for i := 0; i < 40 && m.Page() != "summary"; i++ {
			sc := screen(m)
			lines := strings.Split(sc, "\n")
			if len(lines) > size[1] {
				t.Errorf("%dx%d %s: %d lines", size[0], size[1], m.Page(), len(lines))
			}
			for _, l := range lines {
				if ansi.StringWidth(l) > size[0] {
					t.Errorf("%dx%d %s: line wider than the terminal: %q", size[0], size[1], m.Page(), l)
				}
			}
			if m.phase == phaseQuestions && !strings.Contains(sc, "┃") {
				t.Errorf("%dx%d %s: no focused control:\n%s", size[0], size[1], m.Page(), sc)
			}
			m = press(t, m, "enter")
		}
		if m.Page() != "summary" {
			t.Errorf("%dx%d: never reached the summary; at %s", size[0], size[1], m.Page())
		}
	}
}

func TestCommandWrapsBetweenTokens(t *testing.T) {
	a := startAnswers(onboarding.Request{Mode: onboarding.ModeManual, Features: []string{"host", "cspm", "audit"}, SubUser: "sas-reader",
		AuditRegion: "ap-guangzhou", Regions: []string{"ap-beijing", "ap-guangzhou"}, AccountName: "it's mine"})
	args := a.CommandArgs(true)
	if !slices.Contains(args, "--sandbox") {
		t.Errorf("no --sandbox in %v", args)
	}
	for _, width := range []int{40, 79, 99} {
		var back []string
		for _, l := range wrapCommand(args, width) {
			if len(l) > width {
				t.Errorf("line of %d > %d: %q", len(l), width, l)
			}
			back = append(back, strings.TrimSpace(strings.TrimSuffix(l, " \\")))
		}
		if got := strings.Join(back, " "); got != strings.Join(args, " ") {
			t.Errorf("width %d: the command changed:\n%s\n%s", width, got, strings.Join(args, " "))
		}
	}
}

// TestNoContextInModel: the models hold no context.Context; IO gets the program's from Run.
func TestNoContextInModel(t *testing.T) {
	ctxType := reflect.TypeOf((*context.Context)(nil)).Elem()
	var walk func(reflect.Type, string, map[reflect.Type]bool)
	walk = func(ty reflect.Type, path string, seen map[reflect.Type]bool) {
		if seen[ty] {
			return
		}
		seen[ty] = true
		if ty == ctxType || (ty.Kind() == reflect.Struct && ty.Implements(ctxType)) {
			t.Errorf("%s holds a context", path)
		}
		if ty.Kind() == reflect.Struct && ty.PkgPath() == reflect.TypeOf(Model{}).PkgPath() {
			for i := 0; i < ty.NumField(); i++ {
				walk(ty.Field(i).Type, path+"."+ty.Field(i).Name, seen)
			}
		}
	}
	walk(reflect.TypeOf(Model{}), "Model", map[reflect.Type]bool{})
}

// TestWrapWordsNeverBreaksAWord: lines fit the width, and the words come back as they were (a list of
// regions may break after its commas).
func TestWrapWordsNeverBreaksAWord(t *testing.T) {
	s := "  - Security Center sync regions: ap-guangzhou,ap-shanghai,ap-beijing,ap-chengdu,ap-chongqing,ap-nanjing,ap-hongkong,ap-singapore " +
		"(new regions join automatically: no) and a sentence long enough to wrap more than once at forty columns"
	for _, width := range []int{40, 79, 99} {
		out := wrapWords(s, width, "    ")
		for _, l := range strings.Split(out, "\n") {
			if ansi.StringWidth(l) > width {
				t.Errorf("width %d: %q", width, l)
			}
		}
		joined := strings.Join(strings.Fields(out), " ")
		if strings.ReplaceAll(joined, ", ", ",") != strings.Join(strings.Fields(s), " ") {
			t.Errorf("width %d: the words changed:\n%s", width, out)
		}
	}
}

// TestSOCLogsQuestionStartsOnWhenThereAreSources: with feature soc, the wizard asks whether to ship WAF
// and Cloud Firewall logs, on by default when the key finds WAF domains or Cloud Firewall instances and
// off when it finds none; the answer is the request's SOCLogs and the command for scripts says it.
func TestSOCLogsQuestionStartsOnWhenThereAreSources(t *testing.T) {
	for _, tt := range []struct {
		domains int
		want    bool
		says    string
	}{{2, true, "found 2 WAF domain(s)"}, {0, false, "found no WAF domain"}} {
		deps := testDeps(false, &fakeEngine{})
		deps.Tencent = func(Credential) (TencentReader, error) { return fakeTencent{wafDomains: tt.domains}, nil }
		m := start(t, deps)
		m = press(t, m, "enter", "enter", "down", "down", "x", "enter") // feature soc alone
		m = toPage(t, m, string(pgSOCLogs))
		if sc := strings.Join(strings.Fields(strings.ReplaceAll(screen(m), "┃", "")), " "); !strings.Contains(sc, tt.says) {
			t.Fatalf("%d domains: the question does not say %q:\n%s", tt.domains, tt.says, screen(m))
		}
		m = press(t, m, "enter")
		if m.Page() == string(pgSOCLogs) {
			t.Fatalf("Enter did not accept the default:\n%s", screen(m))
		}
		if got := m.q.ans.Request.SOCLogs; got != tt.want {
			t.Errorf("%d domains: SOCLogs = %v, want %v", tt.domains, got, tt.want)
		}
		if got := slices.Contains(m.q.ans.CommandArgs(false), "--soc-logs"); got != tt.want {
			t.Errorf("%d domains: --soc-logs in the command for scripts = %v, want %v", tt.domains, got, tt.want)
		}
	}
}

// TestLighthouseIsAskedWhenTheKeyFindsServers: with feature host, the Lighthouse question comes only when
// the chosen key finds Lighthouse servers, and says how many and why it matters; without servers the
// request keeps Lighthouse off and no question is asked.
func TestLighthouseIsAskedWhenTheKeyFindsServers(t *testing.T) {
	for _, servers := range []int{3, 0} {
		deps := testDeps(false, &fakeEngine{})
		deps.Tencent = func(Credential) (TencentReader, error) { return fakeTencent{lighthouse: servers}, nil }
		m := start(t, deps)
		m = press(t, m, "enter", "enter", "x", "enter") // feature host alone
		asked := false
		for i := 0; i < 30 && m.Page() != string(pgFrequencies); i++ {
			if m.Page() == string(pgLighthouse) {
				asked = true
				sc := strings.Join(strings.Fields(strings.ReplaceAll(screen(m), "┃", "")), " ")
				if !strings.Contains(sc, "found 3 Lighthouse server(s)") || !strings.Contains(sc, "QcloudCVMReadOnlyAccess only") {
					t.Fatalf("the question does not say what was found and why:\n%s", screen(m))
				}
				m = press(t, m, "down", "enter") // yes
				continue
			}
			m = press(t, m, "enter")
		}
		if asked != (servers > 0) {
			t.Fatalf("%d servers: asked = %v", servers, asked)
		}
		if got := m.q.ans.Resolved().Lighthouse; got != (servers > 0) {
			t.Errorf("%d servers: Lighthouse = %v", servers, got)
		}
	}
}
