package onboarding

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"onboard/tencent"
)

// Organization onboarding: the management account's key lists the organization's members and assumes
// each member's access role (STS AssumeRole); in each member the same engine runs the same request with
// the role's temporary credentials. Each member is an onboarding of its own: its own account record,
// lock, journal, ledger, plan and result, its own sub-user and key, and its own Security Center account
// holding that key. Facts: docs/facts/organization.md.

// OrganizationReader is what telling an organization's management account and listing its members asks
// of a key: reads only, which the wizard makes with the key the person chose.
type OrganizationReader interface {
	CallerIdentity(ctx context.Context) (tencent.Identity, error)
	Organization(ctx context.Context) (tencent.Organization, error)
	OrganizationMembers(ctx context.Context) ([]tencent.Member, error)
}

// Management is what an organization onboarding asks of the management account's key.
type Management interface {
	OrganizationReader
	AssumeRole(ctx context.Context, roleARN, session string, duration time.Duration) (tencent.Credential, time.Time, error)
}

// OrganizationInfo says whether the operator's key belongs to an organization's management account, and
// which member accounts it can onboard (the management account itself left out).
type OrganizationInfo struct {
	IsManagement  bool             `json:"is_management"`
	ManagementUIN string           `json:"management_uin"`
	Members       []tencent.Member `json:"members"`
}

// DescribeOrganization tells whether the key of m belongs to an organization's management account and,
// when it does, lists the members. A key of an account in no organization, or of a member, is not an
// error: IsManagement is false.
func DescribeOrganization(ctx context.Context, m OrganizationReader) (OrganizationInfo, error) {
	id, err := m.CallerIdentity(ctx)
	if err != nil {
		return OrganizationInfo{}, err
	}
	org, err := m.Organization(ctx)
	switch {
	case errors.Is(err, tencent.ErrNotFound):
		return OrganizationInfo{}, nil
	case err != nil:
		return OrganizationInfo{}, err
	case !org.IsManager:
		return OrganizationInfo{ManagementUIN: org.ManagerUIN}, nil
	}
	all, err := m.OrganizationMembers(ctx)
	if err != nil {
		return OrganizationInfo{}, err
	}
	info := OrganizationInfo{IsManagement: true, ManagementUIN: id.OwnerUIN, Members: []tencent.Member{}}
	for _, mem := range all {
		if mem.UIN != id.OwnerUIN {
			info.Members = append(info.Members, mem)
		}
	}
	return info, nil
}

// DefaultParallel is how many members are onboarded at once unless told otherwise: each member has its
// own rate limits, and the few calls the management account makes (AssumeRole) are far below STS's.
const DefaultParallel = 4

// memberSession is how long a member's temporary credentials last: AssumeRole's default, long enough for
// an onboarding with its propagation waits and first sync.
const memberSession = 2 * time.Hour

// OrganizationRequest is the onboarding of an organization's members.
type OrganizationRequest struct {
	// Request is run in every member; its Account must be empty (each member's record is named by its
	// UIN), and its AccountName, when given, is suffixed with the member's UIN.
	Request Request
	// Members are the UINs to onboard; empty means all of them.
	Members []string
	// Exclude are UINs left out.
	Exclude  []string
	Parallel int
	// DryRun plans every member and changes nothing.
	DryRun bool
	// Role is the member access role to assume; empty means tencent.MemberAccessRole.
	Role string
	// Plans are the members' reviewed plans, by UIN (OrganizationResult.Plans of a dry run): a member
	// that has one applies it, and a plan gone stale fails that member with a *StalePlanError; a member
	// without one plans and applies at once.
	Plans map[string]Plan
}

// Member outcomes.
const (
	MemberOnboarded  = "onboarded"
	MemberPartlyDone = "partly done"
	MemberFailed     = "failed"
	MemberPlanned    = "planned"
)

// MemberOutcome is what became of one member.
type MemberOutcome struct {
	UIN     string        `json:"uin"`
	Name    string        `json:"name"`
	Outcome string        `json:"outcome"`
	Error   string        `json:"error,omitempty"`
	Result  *Result       `json:"result,omitempty"`
	Plan    []PlannedStep `json:"plan,omitempty"`

	plan *Plan // the whole plan of a dry run, which an apply may execute
}

// OrganizationResult is every chosen member's outcome, in UIN order, and the members that failed.
type OrganizationResult struct {
	ManagementUIN string          `json:"management_uin"`
	Members       []MemberOutcome `json:"members"`
	// Failed are the UINs of the members that failed or were partly done: the ones a retry names.
	Failed []string `json:"failed"`
}

// Plans are the plans of the members a dry run planned, by UIN: what OrganizationRequest.Plans takes to
// apply just what was reviewed.
func (r OrganizationResult) Plans() map[string]Plan {
	out := map[string]Plan{}
	for _, m := range r.Members {
		if m.plan != nil {
			out[m.UIN] = *m.plan
		}
	}
	return out
}

// MemberEvent is an engine event of one member's onboarding.
type MemberEvent struct {
	Member string
	Event
}

// NewMemberEngine builds the engine of one member from the member access role's credentials.
type NewMemberEngine func(cred tencent.Credential) (*Engine, error)

// OnboardOrganization onboards the chosen members of the organization whose management account m's key
// belongs to, Parallel at a time. A member that fails does not stop the others. The error is non-nil only
// when nothing could start (not a management account, an unknown member named, a bad request).
func OnboardOrganization(ctx context.Context, m Management, newEngine NewMemberEngine, req OrganizationRequest, emit func(MemberEvent)) (OrganizationResult, error) {
	if emit == nil {
		emit = func(MemberEvent) {}
	}
	if req.Request.Account != "" {
		return OrganizationResult{}, &FieldError{Field: "account", Message: "each member's record is named by its UIN: --account cannot name them all"}
	}
	info, chosen, err := ManagedMembers(ctx, m, req.Members, req.Exclude)
	if err != nil {
		return OrganizationResult{}, err
	}
	parallel := req.Parallel
	if parallel < 1 {
		parallel = DefaultParallel
	}
	role := req.Role
	if role == "" {
		role = tencent.MemberAccessRole
	}
	res := OrganizationResult{ManagementUIN: info.ManagementUIN, Members: make([]MemberOutcome, len(chosen)), Failed: []string{}}
	slots := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	for i, mem := range chosen {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case slots <- struct{}{}:
				defer func() { <-slots }()
			case <-ctx.Done():
				res.Members[i] = MemberOutcome{UIN: mem.UIN, Name: mem.Name, Outcome: MemberFailed, Error: "not started: " + ctx.Err().Error()}
				return
			}
			res.Members[i] = onboardMember(ctx, m, newEngine, req, role, mem, func(e Event) { emit(MemberEvent{Member: mem.UIN, Event: e}) })
		}()
	}
	wg.Wait()
	for _, o := range res.Members {
		if o.Outcome == MemberFailed || o.Outcome == MemberPartlyDone {
			res.Failed = append(res.Failed, o.UIN)
		}
	}
	return res, nil
}

// ManagedMembers reads the organization whose management account m's key belongs to, and chooses its
// members: those of only (all when empty), less those of exclude, in UIN order. A key that is not a
// management account's, or a UIN named that is not a member, is an error.
func ManagedMembers(ctx context.Context, m Management, only, exclude []string) (OrganizationInfo, []tencent.Member, error) {
	info, err := DescribeOrganization(ctx, m)
	if err != nil {
		return info, nil, err
	}
	if !info.IsManagement {
		if info.ManagementUIN != "" {
			return info, nil, fmt.Errorf("this key's account is a member of the organization managed by %s, not its management account: run --org with a key of the management account", info.ManagementUIN)
		}
		return info, nil, errors.New("this key's account belongs to no Tencent Cloud organization: use it without --org")
	}
	chosen, err := chooseMembers(info, only, exclude)
	return info, chosen, err
}

// AssumeMember gives temporary credentials acting in member uin through its access role (role; empty
// means tencent.MemberAccessRole), as an organization onboarding acts there: for the day-two commands
// (status, offboard) of a member, which the management account's own key cannot reach.
func AssumeMember(ctx context.Context, m Management, uin, role string) (tencent.Credential, error) {
	if role == "" {
		role = tencent.MemberAccessRole
	}
	cred, _, err := m.AssumeRole(ctx, tencent.MemberRoleARN(uin, role), "onboard-"+uin, memberSession)
	if err != nil {
		return tencent.Credential{}, fmt.Errorf("act in member %s: %w", uin, err)
	}
	return cred, nil
}

// chooseMembers applies --members and --exclude, in UIN order. A UIN named that is not a member is an
// error: a typo must not pass for a member onboarded.
func chooseMembers(info OrganizationInfo, only, exclude []string) ([]tencent.Member, error) {
	known := map[string]tencent.Member{}
	for _, m := range info.Members {
		known[m.UIN] = m
	}
	var unknown []string
	for _, uin := range append(slices.Clone(only), exclude...) {
		if _, ok := known[uin]; !ok {
			unknown = append(unknown, uin)
		}
	}
	if len(unknown) > 0 {
		valid := make([]string, len(info.Members))
		for i, m := range info.Members {
			valid[i] = m.UIN
		}
		slices.Sort(valid)
		if len(valid) > 20 {
			valid = append(valid[:20], fmt.Sprintf("and %d more", len(valid)-20))
		}
		return nil, &FieldError{Field: "members", Message: fmt.Sprintf("not member accounts of the organization managed by %s: %s (its members are %s)",
			info.ManagementUIN, strings.Join(unknown, ", "), strings.Join(valid, ", "))}
	}
	var out []tencent.Member
	for _, m := range info.Members {
		if (len(only) == 0 || slices.Contains(only, m.UIN)) && !slices.Contains(exclude, m.UIN) {
			out = append(out, m)
		}
	}
	if len(out) == 0 {
		return nil, &FieldError{Field: "members", Message: "no member account is left to onboard"}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].UIN < out[j].UIN })
	return out, nil
}

// onboardMember runs the engine in one member through its access role.
func onboardMember(ctx context.Context, m Management, newEngine NewMemberEngine, req OrganizationRequest, role string, mem tencent.Member, emit func(Event)) MemberOutcome {
	out := MemberOutcome{UIN: mem.UIN, Name: mem.Name, Outcome: MemberFailed}
	fail := func(err error) MemberOutcome {
		out.Error = err.Error()
		emit(Event{Step: "member", Title: "onboard member " + mem.UIN, Status: StatusFailed, Detail: out.Error, Err: err})
		return out
	}
	cred, err := AssumeMember(ctx, m, mem.UIN, role)
	if err != nil {
		return fail(err)
	}
	engine, err := newEngine(cred)
	if err != nil {
		return fail(err)
	}
	engine.MemberRole = role
	r := memberRequest(req.Request, mem)
	if req.DryRun {
		plan, err := engine.Plan(ctx, r)
		if err != nil {
			return fail(err)
		}
		out.Outcome, out.Plan, out.plan = MemberPlanned, plan.Steps, &plan
		return out
	}
	var result Result
	if plan, ok := req.Plans[mem.UIN]; ok {
		result, err = engine.ApplyPlan(ctx, plan, emit)
	} else {
		result, err = engine.Apply(ctx, r, emit)
	}
	if err != nil {
		if result.Account != "" {
			out.Result = &result // what the run made before it failed
		}
		return fail(err)
	}
	out.Result, out.Outcome = &result, MemberOnboarded
	if len(result.PartlyDone) > 0 {
		out.Outcome = MemberPartlyDone
		out.Error = strings.Join(result.PartlyDone, "; ")
	}
	return out
}

// memberRequest is the request as one member runs it. Its Security Center display name names the member,
// so that no two members' accounts share one: Security Center would otherwise list several accounts of
// one name, and a run finds a not yet validated account of its own by that name.
func memberRequest(req Request, mem tencent.Member) Request {
	base := req.AccountName
	if base == "" {
		base = mem.Name
	}
	if base == "" {
		base = "tencent"
	}
	suffix := " (" + mem.UIN + ")"
	if runes := []rune(base); len(runes)+len([]rune(suffix)) > 64 {
		base = string(runes[:64-len([]rune(suffix))])
	}
	req.AccountName = base + suffix
	return req
}

// Organization is an organization's onboarding as a face drives it: the management account's key, and
// the builder of each member's engine from its access role's credentials.
type Organization struct {
	Management Management
	NewEngine  NewMemberEngine
}

// Onboard is OnboardOrganization with o's key and engines.
func (o Organization) Onboard(ctx context.Context, req OrganizationRequest, emit func(MemberEvent)) (OrganizationResult, error) {
	return OnboardOrganization(ctx, o.Management, o.NewEngine, req, emit)
}

// Summary words the result the same way in every face: one line per member with its outcome, then each
// member's plan (dry run), then retry, the command that retries the failed members, when given.
func (r OrganizationResult) Summary(dryRun bool, retry string) string {
	var b strings.Builder
	counts := map[string]int{}
	for _, m := range r.Members {
		counts[m.Outcome]++
	}
	var parts []string
	for _, o := range []string{MemberPlanned, MemberOnboarded, MemberPartlyDone, MemberFailed} {
		if counts[o] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[o], o))
		}
	}
	if dryRun {
		b.WriteString("Plan (dry run: nothing was changed). ")
	}
	fmt.Fprintf(&b, "Organization managed by %s: %d members, %s.\n", r.ManagementUIN, len(r.Members), strings.Join(parts, ", "))
	for _, m := range r.Members {
		line := fmt.Sprintf("  %-14s %-20s %-11s", m.UIN, m.Name, m.Outcome)
		switch res := m.Result; {
		case m.Error != "":
			line += " " + m.Error
		case res != nil:
			line += fmt.Sprintf(" sub-user %s, key %s", res.SubUser, tencent.MaskID(res.AccessKeyID))
			if sc := res.SecurityCenter; sc != nil && sc.Submitted {
				line += fmt.Sprintf(", Security Center account %q (AuthId %d)", sc.DisplayName, sc.AuthID)
			}
		}
		b.WriteString(strings.TrimRight(line, " ") + "\n")
	}
	if dryRun {
		for _, m := range r.Members {
			if len(m.Plan) == 0 {
				continue
			}
			fmt.Fprintf(&b, "Member %s:\n", m.UIN)
			for _, p := range m.Plan {
				fmt.Fprintf(&b, "  %s:\n    - %s\n", p.Title, strings.Join(p.Lines(), "\n    - "))
			}
		}
	}
	if retry != "" {
		fmt.Fprintf(&b, "Retry just the members that failed, once the cause is fixed:\n  %s\n", retry)
	}
	return b.String()
}
