package wizard

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	tea "charm.land/bubbletea/v2"

	"onboard/onboarding"
)

// fakeOrganization plans and onboards members as onboarding.OnboardOrganization reports them: each
// chosen member planned (one change) or failed, with its events, and the failed ones named.
type fakeOrganization struct {
	mu     sync.Mutex
	reqs   []onboarding.OrganizationRequest
	denied string // the member whose access role cannot be assumed
}

func (o *fakeOrganization) Onboard(_ context.Context, req onboarding.OrganizationRequest, emit func(onboarding.MemberEvent)) (onboarding.OrganizationResult, error) {
	o.mu.Lock()
	o.reqs = append(o.reqs, req)
	o.mu.Unlock()
	if emit == nil {
		emit = func(onboarding.MemberEvent) {}
	}
	res := onboarding.OrganizationResult{ManagementUIN: "100012345678", Failed: []string{}}
	for _, uin := range req.Members {
		out := onboarding.MemberOutcome{UIN: uin, Name: "member " + uin}
		switch {
		case uin == o.denied:
			out.Outcome, out.Error = onboarding.MemberFailed, "act in member "+uin+": assume role: UnauthorizedOperation (RequestId r-1)"
			emit(onboarding.MemberEvent{Member: uin, Event: onboarding.Event{Step: "member", Title: "onboard member " + uin, Status: onboarding.StatusFailed, Detail: out.Error}})
			res.Failed = append(res.Failed, uin)
		case req.DryRun:
			out.Outcome = onboarding.MemberPlanned
			out.Plan = []onboarding.PlannedStep{{Step: "user", Title: "CAM sub-user", Changes: []onboarding.Change{{Op: "create", Object: "user", Name: req.Request.SubUser}}}}
		default:
			for _, s := range onboarding.StepsFor(req.Request) {
				emit(onboarding.MemberEvent{Member: uin, Event: onboarding.Event{Step: s.ID, Title: s.Title, Status: onboarding.StatusDone}})
			}
			out.Outcome = onboarding.MemberOnboarded
			out.Result = &onboarding.Result{Account: uin, OwnerUIN: uin, SubUser: req.Request.SubUser, AccessKeyID: "AKIDmember0000000" + uin[len(uin)-4:]}
		}
		res.Members = append(res.Members, out)
	}
	return res, nil
}

func orgDeps(members int, root bool, o *fakeOrganization) Deps {
	deps := testDeps(root, &fakeEngine{})
	deps.Tencent = func(Credential) (TencentReader, error) { return fakeTencent{root: root, members: members}, nil }
	deps.Organization = func(Answers) (Organization, error) { return o, nil }
	return deps
}

// visit answers every page with its default (feature host on the features page) until the review, and
// returns the pages seen.
func visit(t *testing.T, m Model, answer func(m Model) Model) (Model, []string) {
	t.Helper()
	var seen []string
	for i := 0; i < 40 && m.phase == phaseQuestions; i++ {
		if len(seen) == 0 || seen[len(seen)-1] != m.Page() {
			seen = append(seen, m.Page())
		}
		m = answer(m)
	}
	return m, seen
}

// TestOrganizationQuestionOnlyForAManagementKey: the question comes right after the key check when the
// key's account manages an organization with members, and says how many; a key of an account in no
// organization, or one that may not read it, gets no question and onboards its own account.
func TestOrganizationQuestionOnlyForAManagementKey(t *testing.T) {
	for _, tt := range []struct {
		name  string
		fake  fakeTencent
		asked bool
	}{
		{"management account", fakeTencent{members: 3}, true},
		{"no organization", fakeTencent{}, false},
		{"organization not readable", fakeTencent{members: 3, orgDenied: true}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			deps := testDeps(false, &fakeEngine{})
			deps.Tencent = func(Credential) (TencentReader, error) { return tt.fake, nil }
			m := start(t, deps)
			m = press(t, m, "enter", "enter", "x", "enter")
			var said string
			m, seen := visit(t, m, func(m Model) Model {
				if m.Page() == string(pgOrg) {
					said = strings.Join(strings.Fields(strings.ReplaceAll(screen(m), "┃", "")), " ")
				}
				return press(t, m, "enter")
			})
			if got := slices.Contains(seen, string(pgOrg)); got != tt.asked {
				t.Fatalf("asked = %v, want %v; pages %v", got, tt.asked, seen)
			}
			if slices.Contains(seen, string(pgMembers)) {
				t.Errorf("the member picker showed without members chosen: %v", seen)
			}
			if tt.asked {
				if i := slices.Index(seen, string(pgOrg)); seen[i-1] != string(pgTencent) {
					t.Errorf("the question does not follow the key: %v", seen)
				}
				for _, want := range []string{"This account (100012345678)", "All members of this organization (3 member accounts)", "manages an organization of 3 member accounts"} {
					if !strings.Contains(said, want) {
						t.Errorf("the question does not say %q:\n%s", want, said)
					}
				}
			}
			if m.q.ans.Org() || slices.Contains(m.q.ans.CommandArgs(false), "--org") {
				t.Errorf("the default onboards the members: %+v", m.q.ans.Members)
			}
		})
	}
}

// TestMemberPickerStartsWithAllAndRefusesNone: choosing the members shows every member by name and UIN,
// all ticked; with none ticked Enter is refused saying why; the members ticked are the request's, and
// the command for scripts says --org, with --members only when not all are chosen.
func TestMemberPickerStartsWithAllAndRefusesNone(t *testing.T) {
	m := start(t, orgDeps(3, false, &fakeOrganization{}))
	m = press(t, m, "enter", "enter", "x", "enter")
	m = toPage(t, m, string(pgOrg))
	m = press(t, m, "down", "enter")
	if m.Page() != string(pgMembers) {
		t.Fatalf("choosing the members did not show the picker:\n%s", screen(m))
	}
	sc := screen(m)
	for _, want := range []string{"member-1  100000100002", "member-2  100000100003", "member-3  100000100004"} {
		if !strings.Contains(sc, want) {
			t.Errorf("the picker lacks %q:\n%s", want, sc)
		}
	}
	if strings.Contains(sc, "management") {
		t.Errorf("the picker offers the management account itself:\n%s", sc)
	}
	all := []string{"100000100002", "100000100003", "100000100004"}
	if !slices.Equal(m.q.v.members, all) {
		t.Fatalf("ticked at first: %v, want all %v", m.q.v.members, all)
	}
	m = press(t, m, "x", "down", "x", "down", "x", "enter")
	if m.Page() != string(pgMembers) || !strings.Contains(screen(m), "✗ choose at least one member") {
		t.Fatalf("none ticked was not refused (page %s):\n%s", m.Page(), screen(m))
	}
	m = press(t, m, "x", "enter") // the third alone
	if m.Page() == string(pgMembers) {
		t.Fatalf("one member ticked was refused:\n%s", screen(m))
	}
	if !slices.Equal(m.q.ans.Members, []string{"100000100004"}) || !m.q.ans.Org() {
		t.Fatalf("members chosen: %v", m.q.ans.Members)
	}
	args := strings.Join(m.q.ans.CommandArgs(false), " ")
	if !strings.Contains(args, "--org --members 100000100004") {
		t.Errorf("the command for scripts does not name the member: %s", args)
	}
	m.q.ans.Members = all
	if args := strings.Join(m.q.ans.CommandArgs(false), " "); !strings.Contains(args, "--org") || strings.Contains(args, "--members") {
		t.Errorf("all members: %s", args)
	}
}

// TestOrganizationReviewAndApply: with members chosen and a root key, no root-key question is asked (a
// member is reached through its role); the review shows each member's plan in Change.String's words, and
// the member that could not be planned; Enter applies through the organization onboarding with the same
// request and the reviewed plans; the apply shows a line per member, and the summary every member's
// outcome and the command that retries the failed one.
func TestOrganizationReviewAndApply(t *testing.T) {
	o := &fakeOrganization{denied: "100000100003"}
	deps := orgDeps(3, true, o)
	deps.RetryCommand = func(args, members []string) string {
		return strings.Join(args, " ") + " --members=" + strings.Join(members, ",")
	}
	m := start(t, deps)
	m = press(t, m, "enter", "enter", "x", "enter")
	m = toPage(t, m, string(pgOrg))
	m = press(t, m, "down", "enter", "enter")
	m = toPage(t, m, "review")
	if len(o.reqs) != 1 || !o.reqs[0].DryRun {
		t.Fatalf("the review did not plan the organization: %+v", o.reqs)
	}
	req := o.reqs[0]
	if !slices.Equal(req.Members, []string{"100000100002", "100000100003", "100000100004"}) || req.Request.RootKey != onboarding.RootKeyKeep ||
		req.Request.SubUser != onboarding.DefaultManualSubUser || strings.Join(req.Request.Features, ",") != "host" {
		t.Errorf("planned %+v", req)
	}
	sc := screen(m)
	change := onboarding.Change{Op: "create", Object: "user", Name: onboarding.DefaultManualSubUser}.String()
	for _, want := range []string{"Member 100000100002 (member 100000100002)", change, "✗ Member 100000100003", "UnauthorizedOperation",
		"Accounts", "3 of the 3 members"} {
		if !strings.Contains(sc, want) {
			t.Errorf("the review lacks %q:\n%s", want, sc)
		}
	}
	if strings.Contains(sc, "Root key") {
		t.Errorf("the review speaks of the root key:\n%s", sc)
	}
	m = press(t, m, "enter")
	if len(o.reqs) != 2 || o.reqs[1].DryRun || !slices.Equal(o.reqs[1].Members, req.Members) {
		t.Fatalf("the apply was not the reviewed run: %+v", o.reqs)
	}
	if m.Page() != "summary" {
		t.Fatalf("not at the summary:\n%s", screen(m))
	}
	res, err := m.Result()
	if err != nil || res.Organization == nil || res.Engine != nil {
		t.Fatalf("result %+v, %v", res, err)
	}
	sc = screen(m)
	for _, want := range []string{"Organization managed by 100012345678: 3 members, 2 onboarded, 1 failed.",
		"Retry just the members that failed", "--members=100000100003", "The same, for scripts"} {
		if !strings.Contains(sc, want) {
			t.Errorf("the summary lacks %q:\n%s", want, sc)
		}
	}
	printed := OrgSummary(*res.Organization, res.Answers, deps.RetryFor(res.Answers, res.Organization.Failed), 79, false)
	if first := strings.Split(printed, "\n")[0]; !strings.Contains(sc, first) {
		t.Errorf("the last screen is not the printed summary:\n%s\nwant:\n%s", sc, first)
	}
}

// TestOrganizationApplyShowsEachMember: while the members run, one line per member says where it is.
func TestOrganizationApplyShowsEachMember(t *testing.T) {
	m := start(t, orgDeps(2, false, &fakeOrganization{}))
	m = press(t, m, "enter", "enter", "x", "enter")
	m = toPage(t, m, string(pgOrg))
	m = press(t, m, "down", "enter", "enter")
	m = toPage(t, m, "review")
	m.phase, m.ap = phaseApply, applyRun{running: true}
	m.org = orgRun{active: true, members: []onboarding.MemberOutcome{{UIN: "100000100002", Name: "member-1"}, {UIN: "100000100003", Name: "member-2"}},
		steps: onboarding.StepsFor(m.q.ans.Resolved()), last: map[string]onboarding.Event{}}
	m.events = make(chan tea.Msg, 1)
	steps := m.org.steps
	next, _ := m.Update(memberEventMsg{onboarding.MemberEvent{Member: "100000100002", Event: onboarding.Event{Step: steps[1].ID, Title: steps[1].Title, Status: onboarding.StatusRunning}}})
	m = next.(Model)
	sc := screen(m)
	for _, want := range []string{"Organization · 0 of 2 members finished", fmt.Sprintf("100000100002   member-1         step 2 of %d, %s", len(steps), steps[1].Title[:12]),
		"100000100003   member-2         waiting"} {
		if !strings.Contains(sc, want) {
			t.Errorf("the apply lacks %q:\n%s", want, sc)
		}
	}
	last := steps[len(steps)-1]
	next, _ = m.Update(memberEventMsg{onboarding.MemberEvent{Member: "100000100002", Event: onboarding.Event{Step: last.ID, Title: last.Title, Status: onboarding.StatusDone}}})
	if sc := screen(next.(Model)); !strings.Contains(sc, "1 of 2 members finished") {
		t.Errorf("a finished member is not counted:\n%s", sc)
	}
}

// TestAccessibleOrganization: in plain prompts the same question and picker come, each member's plan is
// printed, and a typed yes applies them through the organization onboarding, printing each member's
// steps; the result is the organization's.
func TestAccessibleOrganization(t *testing.T) {
	o := &fakeOrganization{denied: "100000100003"}
	answers := []string{"", "", "1", "0", "", "2", "0", "", "", "", "", "0", "", "", "", "y"}
	var out bytes.Buffer
	res, err := runAccessible(context.Background(), orgDeps(2, false, o), Options{In: strings.NewReader(strings.Join(answers, "\n") + "\n"), Out: &out})
	text := out.String()
	if err != nil || res.Organization == nil || res.Engine != nil {
		t.Fatalf("%v, %+v:\n%s", err, res, text)
	}
	if len(o.reqs) != 2 || !o.reqs[0].DryRun || o.reqs[1].DryRun || !slices.Equal(o.reqs[1].Members, []string{"100000100002", "100000100003"}) {
		t.Fatalf("organization runs: %+v", o.reqs)
	}
	change := onboarding.Change{Op: "create", Object: "user", Name: onboarding.DefaultManualSubUser}.String()
	for _, want := range []string{"All members of this organization (2 member accounts)", "member 100000100002, CAM sub-user: " + change,
		"member 100000100003: could not be planned", "--org", "member 100000100002, step 1 of ", "member 100000100003, onboard member 100000100003: failed"} {
		if !strings.Contains(text, want) {
			t.Errorf("the output lacks %q:\n%s", want, text)
		}
	}
	if strings.Join(res.Organization.Failed, ",") != "100000100003" {
		t.Errorf("failed: %v", res.Organization.Failed)
	}
}

// TestCtrlCStopsTheMembers: Ctrl+C while the members run stops them and waits; the wizard ends cancelled
// with the organization's result, which says where each member stopped.
func TestCtrlCStopsTheMembers(t *testing.T) {
	m := start(t, orgDeps(2, false, &fakeOrganization{}))
	m.phase, m.ap, m.org = phaseApply, applyRun{running: true}, orgRun{active: true, last: map[string]onboarding.Event{}}
	stopped := false
	m.stop = func() { stopped = true }
	m = press(t, m, "ctrl+c")
	if !stopped || !m.ap.cancelling {
		t.Fatalf("the members' run was not stopped")
	}
	next, _ := m.Update(orgDoneMsg{res: onboarding.OrganizationResult{Members: []onboarding.MemberOutcome{{UIN: "100000100002", Outcome: onboarding.MemberFailed, Error: "not started: context canceled"}}}})
	res, err := next.(Model).Result()
	if !errors.Is(err, ErrCancelled) || res.Organization == nil || len(res.Organization.Members) != 1 {
		t.Errorf("%v, %+v", err, res.Organization)
	}
}

// Flags that name one account's objects (--account, a logset or topic ID) cannot serve every member: the
// question of the accounts says which would go unused, so choosing the members drops nothing unsaid.
func TestOrganizationQuestionSaysWhichFlagsTheMembersLeaveOut(t *testing.T) {
	deps := orgDeps(3, false, &fakeOrganization{})
	deps.Start.Account, deps.Start.AuditLogset = "prod", "7f07f189-c8fa-469a-d314-26ed1cb4646c"
	m := start(t, deps)
	m = press(t, m, "enter", "enter", "x", "enter")
	var said string
	visit(t, m, func(m Model) Model {
		if m.Page() == string(pgOrg) {
			said = strings.Join(strings.Fields(strings.ReplaceAll(screen(m), "┃", "")), " ")
		}
		return press(t, m, "enter")
	})
	for _, want := range []string{"--account prod (each member's record is named by its UIN)",
		"--audit-logset 7f07f189-c8fa-469a-d314-26ed1cb4646c (each member gets a logset and topic of its own)"} {
		// The screen wraps a long ID at its hyphens: compare without the spaces.
		if nospace := func(s string) string { return strings.Join(strings.Fields(s), "") }; !strings.Contains(nospace(said), nospace(want)) {
			t.Errorf("the question does not say %q:\n%s", want, said)
		}
	}
	if got := unusedWithMembers(onboarding.Defaults()); got != "" {
		t.Errorf("with no such flag the question adds %q", got)
	}
}
