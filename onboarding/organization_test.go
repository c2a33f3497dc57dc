package onboarding

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"onboard/emulator"
	"onboard/tencent"
)

// DescribeOrganization tells the wizard whether the operator's key belongs to an organization's
// management account, and lists the members it can onboard (the management account itself left out).
func TestDescribeOrganizationTellsManagementFromMemberAndNone(t *testing.T) {
	f := newFixture(t, emulator.Options{SeedGen: "members=3"})
	ctx := context.Background()
	info, err := DescribeOrganization(ctx, f.admin)
	if err != nil {
		t.Fatal(err)
	}
	if !info.IsManagement || len(info.Members) != 3 || info.ManagementUIN != fmt.Sprint(f.emu.OwnerUIN()) {
		t.Fatalf("management account: %+v", info)
	}
	for _, m := range info.Members {
		if m.UIN == info.ManagementUIN {
			t.Fatalf("the management account is listed among the members: %+v", info.Members)
		}
	}

	member := f.emu.Members()[0]
	id, key := member.RootKey()
	memberClient, err := tencent.New(tencent.Options{Credential: tencent.Credential{SecretID: id, SecretKey: tencent.SecretKey(key)}, Endpoint: f.env.TencentEndpoint})
	if err != nil {
		t.Fatal(err)
	}
	info, err = DescribeOrganization(ctx, memberClient)
	if err != nil || info.IsManagement || info.ManagementUIN != fmt.Sprint(f.emu.OwnerUIN()) || len(info.Members) != 0 {
		t.Fatalf("member account: %+v, %v", info, err)
	}
	_, err = OnboardOrganization(ctx, memberClient, nil, OrganizationRequest{Request: Request{Mode: ModeQuick}}, nil)
	if err == nil || !strings.Contains(err.Error(), "not its management account") {
		t.Fatalf("--org with a member's key: %v", err)
	}

	alone := newFixture(t)
	info, err = DescribeOrganization(ctx, alone.admin)
	if err != nil || info.IsManagement || info.ManagementUIN != "" {
		t.Fatalf("account in no organization: %+v, %v", info, err)
	}
}

func TestChooseMembersRefusesUINsThatAreNotMembers(t *testing.T) {
	info := OrganizationInfo{IsManagement: true, ManagementUIN: "1", Members: []tencent.Member{{UIN: "30"}, {UIN: "20"}, {UIN: "10"}}}
	got, err := chooseMembers(info, nil, []string{"20"})
	if err != nil || len(got) != 2 || got[0].UIN != "10" || got[1].UIN != "30" {
		t.Fatalf("all but 20: %+v, %v", got, err)
	}
	var fe *FieldError
	if _, err := chooseMembers(info, []string{"10", "99"}, nil); !errors.As(err, &fe) || !strings.Contains(err.Error(), "99") {
		t.Fatalf("unknown member: %v", err)
	}
	if _, err := chooseMembers(info, []string{"10"}, []string{"10"}); !errors.As(err, &fe) {
		t.Fatalf("nothing left: %v", err)
	}
}

// Each member's Security Center name names the member, within Security Center's 64 characters.
func TestMemberRequestNamesTheMember(t *testing.T) {
	long := strings.Repeat("é", 70)
	for _, tc := range []struct{ accountName, member, want string }{
		{"", "finance", "finance (100000100002)"},
		{"prod", "finance", "prod (100000100002)"},
		{"", "", "tencent (100000100002)"},
		{long, "", strings.Repeat("é", 64-len(" (100000100002)")) + " (100000100002)"},
	} {
		got := memberRequest(Request{AccountName: tc.accountName}, tencent.Member{UIN: "100000100002", Name: tc.member}).AccountName
		if got != tc.want {
			t.Errorf("%q, %q: %q, want %q", tc.accountName, tc.member, got, tc.want)
		}
		if err := (&Request{Mode: ModeQuick, AccountName: got}).Validate(); err != nil {
			t.Errorf("%q is not a valid account name: %v", got, err)
		}
	}
}

// An apply given the members' reviewed plans executes them: a member whose account changed since its
// review fails alone with a *StalePlanError and is named for the retry, unchanged; the other member is
// onboarded as reviewed.
func TestOnboardOrganizationAppliesTheReviewedPlans(t *testing.T) {
	f := newFixture(t, emulator.Options{SeedGen: "members=2"})
	ctx := context.Background()
	members := f.emu.Members()
	newEngine := func(c tencent.Credential) (*Engine, error) {
		cl, err := tencent.New(tencent.Options{Credential: c, Endpoint: f.env.TencentEndpoint})
		if err != nil {
			return nil, err
		}
		e := *f.engine
		e.Cloud, e.OperatorKeyID, e.SecurityCenter = cl, c.SecretID, nil
		return &e, nil
	}
	req := OrganizationRequest{Request: Request{Mode: ModeManual, Features: []string{"host"}, SubUser: "sas-reader", SecurityCenter: SecurityCenterSkip, SkipSync: true}, DryRun: true}
	reviewed, err := OnboardOrganization(ctx, f.admin, newEngine, req, nil)
	if err != nil {
		t.Fatal(err)
	}
	if plans := reviewed.Plans(); len(plans) != 2 {
		t.Fatalf("reviewed plans: %d, want 2: %+v", len(plans), reviewed)
	}
	changed := fmt.Sprint(members[0].OwnerUIN())
	id, key := members[0].RootKey()
	memberRoot, err := tencent.New(tencent.Options{Credential: tencent.Credential{SecretID: id, SecretKey: tencent.SecretKey(key)}, Endpoint: f.env.TencentEndpoint})
	if err != nil {
		t.Fatal(err)
	}
	// The sub-user appears as an earlier run of onboard would have made it: the pre-flight accepts it.
	if _, err := memberRoot.CreateUser(ctx, tencent.UserSpec{Name: "sas-reader", Remark: userRemark}); err != nil {
		t.Fatal(err)
	}
	req.DryRun, req.Plans = false, reviewed.Plans()
	res, err := OnboardOrganization(ctx, f.admin, newEngine, req, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Failed) != 1 || res.Failed[0] != changed {
		t.Fatalf("failed: %v, want %s alone: %+v", res.Failed, changed, res)
	}
	for _, m := range res.Members {
		switch {
		case m.UIN == changed && !strings.Contains(m.Error, "the sub-user was created since the plan"):
			t.Errorf("the changed member: %+v", m)
		case m.UIN != changed && m.Outcome != MemberOnboarded:
			t.Errorf("member %s: %+v", m.UIN, m)
		}
	}
	if users := members[0].State().Users; len(users) != 1 || len(users[0].Keys) != 0 {
		t.Errorf("the stale member was changed: %+v", users)
	}
}

// A member whose role cannot be assumed fails alone; the others are onboarded in parallel, each in its own
// account with its own record.
func TestOnboardOrganizationOneMemberFailsAlone(t *testing.T) {
	f := newFixture(t, emulator.Options{SeedGen: "members=4"})
	ctx := context.Background()
	members := f.emu.Members()
	f.emu.SetMemberAccess(members[1].OwnerUIN(), false)
	newEngine := func(c tencent.Credential) (*Engine, error) {
		cl, err := tencent.New(tencent.Options{Credential: c, Endpoint: f.env.TencentEndpoint})
		if err != nil {
			return nil, err
		}
		e := *f.engine
		e.Cloud, e.OperatorKeyID, e.SecurityCenter = cl, c.SecretID, nil
		return &e, nil
	}
	var mu sync.Mutex
	seen := map[string]bool{}
	res, err := OnboardOrganization(ctx, f.admin, newEngine, OrganizationRequest{Request: Request{Mode: ModeQuick, SecurityCenter: SecurityCenterSkip, SkipSync: true}, Parallel: 2},
		func(e MemberEvent) { mu.Lock(); seen[e.Member] = true; mu.Unlock() })
	if err != nil {
		t.Fatal(err)
	}
	failed := fmt.Sprint(members[1].OwnerUIN())
	if len(res.Members) != 4 || len(res.Failed) != 1 || res.Failed[0] != failed {
		t.Fatalf("result: %+v", res)
	}
	for _, m := range res.Members {
		switch {
		case m.UIN == failed && (m.Outcome != MemberFailed || !strings.Contains(m.Error, "UnauthorizedOperation")):
			t.Errorf("denied member: %+v", m)
		case m.UIN != failed && (m.Outcome != MemberOnboarded || m.Result.OwnerUIN != m.UIN || m.Result.CallerIsRoot):
			t.Errorf("member %s: %+v", m.UIN, m)
		}
		if !seen[m.UIN] {
			t.Errorf("no event for member %s", m.UIN)
		}
		if _, err := f.engine.DB.Account(ctx, m.UIN); (err == nil) == (m.UIN == failed) {
			t.Errorf("record of member %s: %v", m.UIN, err)
		}
	}
}
