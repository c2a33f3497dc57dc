package cmd

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"onboard/emulator"
	"onboard/onboarding"
)

// status --org and offboard --org reach each member through its access role, as tencent --org did: the
// management account's own key cannot read or change a member's CAM. One member whose role no longer
// trusts the management account is reported broken (status) or failed (offboard) by name, the others
// are checked and offboarded, and the printed retry command finishes it once its role is trusted again.
// Security Center then holds no account of any member, and the management account was never touched.
func TestStatusAndOffboardOfAnOrganizationsMembers(t *testing.T) {
	env, err := emulator.Start(context.Background(), emulator.Options{Seed: "random", SeedGen: "cvm=1,members=3"})
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	vars := emulatorVars(env, t.TempDir())
	f, out, errOut := tencentTestFactory(vars)
	if code := run(context.Background(), f, []string{"tencent", "--no-input", "--org", "--mode", "quick", "--skip-sync", "--security-center", "submit"}); code != ExitOK {
		t.Fatalf("onboard: exit %d\n%s\n%s", code, out.String(), errOut.String())
	}
	members := env.Tencent.Members()
	denied := members[1]
	deniedUIN := fmt.Sprint(denied.OwnerUIN())

	statuses := func(wantCode int) map[string]onboarding.AccountStatus {
		t.Helper()
		f, out, errOut := tencentTestFactory(vars)
		if code := run(context.Background(), f, []string{"status", "--org", "--output", "json"}); code != wantCode {
			t.Fatalf("status --org: exit %d, want %d\n%s\n%s", code, wantCode, out.String(), errOut.String())
		}
		var all []onboarding.AccountStatus
		if err := json.Unmarshal([]byte(out.String()), &all); err != nil {
			t.Fatalf("%v\n%s", err, out.String())
		}
		got := map[string]onboarding.AccountStatus{}
		for _, st := range all {
			got[st.Account] = st
		}
		if len(got) != len(members) {
			t.Fatalf("status of %d members, want %d: %s", len(got), len(members), out.String())
		}
		return got
	}
	keyCheck := func(st onboarding.AccountStatus) string {
		for _, c := range st.Checks {
			if c.Area == onboarding.AreaKey && c.Name == "key" {
				return c.Verdict
			}
		}
		return "missing"
	}
	for uin, st := range statuses(ExitPartial) { // warnings only: no inventory synced yet
		if st.Verdict == onboarding.VerdictBroken || keyCheck(st) != onboarding.VerdictOK {
			t.Errorf("member %s: %+v", uin, st)
		}
	}
	if err := env.Tencent.SetMemberAccess(denied.OwnerUIN(), false); err != nil {
		t.Fatal(err)
	}
	for uin, st := range statuses(ExitFailed) {
		if uin == deniedUIN {
			if st.Verdict != onboarding.VerdictBroken || len(st.Checks) != 1 || !strings.Contains(st.Checks[0].Detail, "UnauthorizedOperation") {
				t.Errorf("the member whose role is denied: %+v", st)
			}
		} else if keyCheck(st) != onboarding.VerdictOK {
			t.Errorf("member %s: %+v", uin, st)
		}
	}

	f, out, errOut = tencentTestFactory(vars)
	if code := run(context.Background(), f, []string{"offboard", "--org", "--yes", "--no-input"}); code != ExitPartial {
		t.Fatalf("offboard --org: exit %d\n%s\n%s", code, out.String(), errOut.String())
	}
	// The retry command keeps every flag given and names only the failed member.
	retry := ""
	for _, l := range strings.Split(out.String(), "\n") {
		if l = strings.TrimSpace(l); strings.HasPrefix(l, "onboard offboard ") {
			retry = l
		}
	}
	if !strings.Contains(retry, "--org") || !strings.Contains(retry, "--yes") || !strings.HasSuffix(retry, "--members="+deniedUIN) {
		t.Fatalf("no retry command of member %s in:\n%s", deniedUIN, out.String())
	}
	for _, m := range members {
		users := len(m.State().Users)
		if (m == denied) != (users == 1) {
			t.Errorf("member %d holds %d users after offboard", m.OwnerUIN(), users)
		}
	}
	env.Tencent.SetMemberAccess(denied.OwnerUIN(), true)
	f, out, errOut = tencentTestFactory(vars)
	args := append(strings.Fields(strings.TrimPrefix(retry, "onboard ")), "--yes", "--no-input")
	if code := run(context.Background(), f, args); code != ExitOK {
		t.Fatalf("retry: exit %d\n%s\n%s", code, out.String(), errOut.String())
	}
	for _, m := range members {
		if len(m.State().Users) != 0 {
			t.Errorf("member %d still holds users %+v", m.OwnerUIN(), m.State().Users)
		}
	}
	for _, a := range env.SecurityCenter.State().Accounts {
		for _, st := range a.Sites {
			if len(st.CloudAccounts) != 0 {
				t.Errorf("Security Center still holds %+v", st.CloudAccounts)
			}
		}
	}
	if len(env.Tencent.State().Users) != 0 {
		t.Errorf("the management account holds users: %+v", env.Tencent.State().Users)
	}
	f, _, errOut = tencentTestFactory(vars)
	if code := run(context.Background(), f, []string{"status", "--org"}); code != ExitUsage || !strings.Contains(errOut.String(), "is onboarded from here") {
		t.Errorf("status --org once every member is offboarded: exit %d %s", code, errOut.String())
	}
}

func TestOrgDayTwoFlagsAreUsageErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"status", "--members", "1"}, "need --org"},
		{[]string{"status", "--org", "--account", "prod"}, "--org cannot be used with --account"},
		{[]string{"status", "--org", "--all"}, "--org cannot be used with --account or --all"},
		{[]string{"offboard", "--org", "--members", "12a", "--yes", "--no-input"}, `invalid member "12a"`},
		{[]string{"offboard", "--org", "--member-role", "a b", "--yes", "--no-input"}, "invalid --member-role"},
		{[]string{"repair", "--members", "1"}, "need --org"},
		{[]string{"repair", "--org", "--account", "prod", "--dry-run"}, "--org cannot be used with --account"},
		{[]string{"rotate-key", "--exclude", "1"}, "need --org"},
		{[]string{"rotate-key", "--org", "--members", "1,x"}, `invalid member "x"`},
		{[]string{"tencent", "--no-input", "--rollback", "--members", "1"}, "--members needs --org"},
	}
	for _, tt := range tests {
		f, _, errOut := tencentTestFactory(map[string]string{"ONBOARD_HOME": t.TempDir()})
		if code := run(context.Background(), f, tt.args); code != ExitUsage || !strings.Contains(errOut.String(), tt.want) {
			t.Errorf("%v: exit %d %q, want usage error %q", tt.args, code, errOut.String(), tt.want)
		}
	}
}

// offboard --org at a terminal lists the members and asks for the management account's UIN: another
// answer changes nothing, nor does --dry-run, which plans each member; the UIN offboards them.
func TestOffboardOrgAsksForTheManagementUIN(t *testing.T) {
	env, err := emulator.Start(context.Background(), emulator.Options{Seed: "random", SeedGen: "cvm=1,members=2"})
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	vars := emulatorVars(env, t.TempDir())
	f, out, errOut := tencentTestFactory(vars)
	if code := run(context.Background(), f, []string{"tencent", "--no-input", "--org", "--mode", "quick", "--skip-sync", "--security-center", "skip"}); code != ExitOK {
		t.Fatalf("onboard: exit %d\n%s\n%s", code, out.String(), errOut.String())
	}
	users := func() int {
		n := 0
		for _, m := range env.Tencent.Members() {
			n += len(m.State().Users)
		}
		return n
	}
	f, _, errOut = tencentTestFactory(vars)
	f.IO.SetTTY(true, true, true)
	f.IO.In = strings.NewReader(env.Tencent.Members()[0].State().Users[0].Name + "\n")
	if code := run(context.Background(), f, []string{"offboard", "--org"}); code != ExitFailed || !strings.Contains(errOut.String(), "does not match") ||
		!strings.Contains(errOut.String(), "member-1") || !strings.Contains(errOut.String(), env.OwnerUIN) {
		t.Fatalf("wrong answer: exit %d %s", code, errOut.String())
	}
	f, out, errOut = tencentTestFactory(vars)
	if code := run(context.Background(), f, []string{"offboard", "--org", "--dry-run"}); code != ExitOK || strings.Count(out.String(), " planned") != 2 ||
		!strings.Contains(out.String(), "remove sub-user AlibabaSasSubAccount_") {
		t.Fatalf("dry run: exit %d %s %s", code, out.String(), errOut.String())
	}
	if users() != 2 {
		t.Fatalf("a refused offboard or a dry run removed something: %d users left of 2", users())
	}
	f, out, errOut = tencentTestFactory(vars)
	f.IO.SetTTY(true, true, true)
	f.IO.In = strings.NewReader(env.OwnerUIN + "\n")
	if code := run(context.Background(), f, []string{"offboard", "--org"}); code != ExitOK || strings.Count(out.String(), " offboarded") != 2 {
		t.Fatalf("offboard: exit %d %s %s", code, out.String(), errOut.String())
	}
	if users() != 0 {
		t.Fatalf("%d users left in the members", users())
	}
}

// Whatever --members, --exclude and --member-role hold, status and offboard --org never panic on them,
// and what they accept are UINs and a CAM role name.
func FuzzOrgDayTwoSelection(f *testing.F) {
	for _, s := range []string{"all", "100000100002,100000100003", " 12 ,", "12x", "", "-1", "１２"} {
		f.Add(s, s, "OrganizationAccessControlRole")
	}
	f.Fuzz(func(t *testing.T, members, exclude, role string) {
		sel := orgSelection{Org: true, Members: strings.Split(members, ","), Exclude: strings.Split(exclude, ","), MemberRole: role}
		if sel.usage("", false) != nil {
			return
		}
		for _, uin := range append(memberList(sel.Members), sel.Exclude...) {
			if !uinPattern.MatchString(uin) {
				t.Fatalf("accepted member %q", uin)
			}
		}
		if role != "" && !roleName.MatchString(role) {
			t.Fatalf("accepted role %q", role)
		}
	})
}

// A sandbox session over the demo organization, each command its own process: tencent --org onboards the
// members, status --org finds each member's key working (the members' emulated accounts outlive the
// process that changed them), and offboard --org leaves every member as the seed made it.
func TestSandboxSessionOfAnOrganization(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the command")
	}
	bin := buildOnboard(t)
	home := t.TempDir()
	onboard := func(args ...string) (string, int) {
		t.Helper()
		out, _, code := runBuilt(t, bin, []string{"PATH=/usr/bin:/bin", "HOME=" + t.TempDir(), envHome + "=" + home}, args...)
		return out, code
	}
	if out, code := onboard("tencent", "--org", "--sandbox", "--no-input", "--mode", "quick"); code != ExitOK || strings.Count(out, " onboarded ") != 3 {
		t.Fatalf("tencent --org --sandbox: exit %d\n%s", code, out)
	}
	out, code := onboard("status", "--org", "--sandbox", "--output", "json")
	var all []onboarding.AccountStatus
	if err := json.Unmarshal([]byte(out), &all); err != nil || code == ExitFailed || len(all) != 3 {
		t.Fatalf("status --org --sandbox: exit %d %v\n%s", code, err, out)
	}
	for _, st := range all {
		if st.Verdict == onboarding.VerdictBroken {
			t.Errorf("member %s: %+v", st.Account, st)
		}
	}
	if out, code := onboard("offboard", "--org", "--sandbox", "--yes", "--no-input"); code != ExitOK || strings.Count(out, " offboarded") != 3 {
		t.Fatalf("offboard --org --sandbox: exit %d\n%s", code, out)
	}
	fresh, saved := freshAndSavedSandbox(t, home)
	for i, m := range saved.Tencent.Members() {
		want, _ := json.Marshal(fresh.Tencent.Members()[i].State())
		if got, _ := json.Marshal(m.State()); string(got) != string(want) {
			t.Errorf("member %d after offboard:\n%s\nwant as new:\n%s", m.OwnerUIN(), got, want)
		}
	}
}
