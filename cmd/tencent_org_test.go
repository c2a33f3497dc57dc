package cmd

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"onboard/emulator"
	"onboard/emulator/tcloud"
	"onboard/onboarding"
)

// An organization of ten members, one of whose access roles no longer trusts the management account:
// nine are onboarded, each as its own account; the tenth is reported with the command that retries it
// alone, and exit code 3. Once the member allows the role again, that command finishes it. Security
// Center then holds ten accounts, each with its member's own sub-user key, none the management
// account's.
func TestTencentOrgOnboardsMembersAndRetriesTheFailedOne(t *testing.T) {
	env, err := emulator.Start(context.Background(), emulator.Options{Seed: "random", SeedGen: "cvm=1,members=10"})
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	members := env.Tencent.Members()
	if len(members) != 10 {
		t.Fatalf("%d members seeded", len(members))
	}
	denied := members[6]
	if err := env.Tencent.SetMemberAccess(denied.OwnerUIN(), false); err != nil {
		t.Fatal(err)
	}
	home := t.TempDir()
	vars := emulatorVars(env, home)
	debugLog := filepath.Join(t.TempDir(), "debug.log")
	args := []string{"tencent", "--no-input", "--org", "--mode", "quick", "--skip-sync", "--security-center", "submit", "--parallel", "3", "--debug-log", debugLog}

	f, out, errOut := tencentTestFactory(vars)
	if code := run(context.Background(), f, args); code != ExitPartial {
		t.Fatalf("exit %d, want %d\n%s\n%s", code, ExitPartial, out.String(), errOut.String())
	}
	deniedUIN := fmt.Sprint(denied.OwnerUIN())
	text := out.String()
	if n := strings.Count(text, " "+onboarding.MemberOnboarded+" "); n != 9 {
		t.Errorf("%d members onboarded, want 9:\n%s", n, text)
	}
	failedLine := ""
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, deniedUIN) && strings.Contains(l, onboarding.MemberFailed) {
			failedLine = l
		}
	}
	if !strings.Contains(failedLine, "UnauthorizedOperation") {
		t.Errorf("the denied member's line does not say why: %q\n%s", failedLine, text)
	}
	retry := "onboard tencent --debug-log=" + debugLog + " --mode=quick --no-input --org --parallel=3 --security-center=submit --skip-sync --members=" + deniedUIN
	if !strings.Contains(text, retry) {
		t.Fatalf("no retry command %q in:\n%s", retry, text)
	}
	for _, m := range members {
		state := m.State()
		if m == denied {
			if len(state.Users) != 0 {
				t.Errorf("denied member %d holds users %+v", m.OwnerUIN(), state.Users)
			}
			continue
		}
		if len(state.Users) != 1 || len(state.Users[0].Keys) != 1 {
			t.Errorf("member %d: users %+v", m.OwnerUIN(), state.Users)
		}
	}
	if len(env.Tencent.State().Users) != 0 {
		t.Errorf("the management account got users: %+v", env.Tencent.State().Users)
	}

	// The member allows its role again; the retry command, as printed, finishes it alone.
	env.Tencent.SetMemberAccess(denied.OwnerUIN(), true)
	retryArgs := strings.Fields(strings.TrimPrefix(retry, "onboard "))
	retryArgs = append(retryArgs, "--output", "json")
	f, out, errOut = tencentTestFactory(vars)
	f.Output = "json"
	if code := run(context.Background(), f, retryArgs); code != ExitOK {
		t.Fatalf("retry: exit %d\n%s\n%s", code, out.String(), errOut.String())
	}
	var res onboarding.OrganizationResult
	if err := json.Unmarshal([]byte(out.String()), &res); err != nil {
		t.Fatalf("retry JSON: %v\n%s", err, out.String())
	}
	if len(res.Members) != 1 || res.Members[0].UIN != deniedUIN || res.Members[0].Outcome != onboarding.MemberOnboarded || len(res.Failed) != 0 {
		t.Fatalf("retry result: %+v", res)
	}

	// Security Center: one account per member, each holding its own member's sub-user key.
	rootMasks := map[string]bool{}
	for _, s := range append([]*tcloud.Server{env.Tencent}, members...) {
		for _, k := range s.State().RootKeys {
			rootMasks[k.ID[:8]] = true
		}
	}
	keysOf := map[string]string{} // member UIN → the 8 first characters of its sub-user's key
	for _, m := range members {
		keysOf[fmt.Sprint(m.OwnerUIN())] = m.State().Users[0].Keys[0].ID[:8]
	}
	seen := map[string]bool{}
	accounts := 0
	for _, a := range env.SecurityCenter.State().Accounts {
		for _, st := range a.Sites {
			for _, ca := range st.CloudAccounts {
				accounts++
				prefix := strings.TrimSuffix(ca.SecretID, "***")
				if want, ok := keysOf[ca.VendorUID]; !ok || prefix != want {
					t.Errorf("Security Center account %q (vendor UID %s) holds key %s, not its member's sub-user key", ca.Alias, ca.VendorUID, ca.SecretID)
				}
				if rootMasks[prefix] {
					t.Errorf("Security Center account %q holds a root key", ca.Alias)
				}
				if seen[ca.VendorUID] {
					t.Errorf("two Security Center accounts for member %s", ca.VendorUID)
				}
				seen[ca.VendorUID] = true
			}
		}
	}
	if accounts != 10 {
		t.Errorf("Security Center holds %d accounts, want 10", accounts)
	}

	// No member's temporary credentials reach the output, the debug log or the state folder.
	var secrets []string
	for _, m := range members {
		secrets = append(secrets, m.TemporarySecrets()...)
	}
	if len(secrets) != 2*10 {
		t.Fatalf("%d temporary secrets issued, want a key and a token for each of 10 role sessions", len(secrets))
	}
	sinks := map[string]string{"output": out.String(), "errors": errOut.String()}
	for _, dir := range []string{home, filepath.Dir(debugLog)} {
		filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				data, _ := os.ReadFile(path)
				sinks[path] = string(data)
			}
			return nil
		})
	}
	if !strings.Contains(sinks[debugLog], "AssumeRole") {
		t.Fatalf("the debug log holds no AssumeRole exchange:\n%.2000s", sinks[debugLog])
	}
	for name, text := range sinks {
		for _, s := range secrets {
			if strings.Contains(text, s) {
				t.Errorf("a temporary secret is in %s", name)
			}
		}
	}
}

// --dry-run plans every member and changes nothing in any of them.
func TestTencentOrgDryRunPlansEveryMember(t *testing.T) {
	env, err := emulator.Start(context.Background(), emulator.Options{Seed: "random", SeedGen: "members=3"})
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	f, out, errOut := tencentTestFactory(emulatorVars(env, t.TempDir()))
	f.Output = "json"
	exclude := fmt.Sprint(env.Tencent.Members()[0].OwnerUIN())
	if code := run(context.Background(), f, []string{"tencent", "--no-input", "--org", "--mode", "quick", "--skip-sync", "--dry-run", "--exclude", exclude, "--output", "json"}); code != ExitOK {
		t.Fatalf("exit %d\n%s\n%s", code, out.String(), errOut.String())
	}
	var res onboarding.OrganizationResult
	if err := json.Unmarshal([]byte(out.String()), &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Members) != 2 {
		t.Fatalf("planned %d members, want 2 (one excluded): %+v", len(res.Members), res)
	}
	for _, m := range res.Members {
		if m.Outcome != onboarding.MemberPlanned || len(m.Plan) == 0 || m.UIN == exclude {
			t.Errorf("member %+v", m)
		}
	}
	for _, m := range env.Tencent.Members() {
		if len(m.State().Users) != 0 {
			t.Errorf("dry run changed member %d", m.OwnerUIN())
		}
	}
}

func TestTencentOrgFlagsAreUsageErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--members", "1"}, "--members needs --org"},
		{[]string{"--parallel", "2"}, "--parallel needs --org"},
		{[]string{"--org", "--parallel", "0"}, "--parallel"},
		{[]string{"--org", "--members", "12x"}, "12x"},
		{[]string{"--org", "--account", "prod"}, "--account"},
		{[]string{"--org", "--rollback", "--parallel", "2"}, "--parallel cannot be used with --rollback"},
		{[]string{"--org", "--rollback", "--dry-run"}, "--rollback and --dry-run"},
		{[]string{"--member-role", "Admin"}, "--member-role needs --org"},
		{[]string{"--org", "--member-role", "no spaces"}, "--member-role"},
	}
	for _, tc := range tests {
		f, _, errOut := tencentTestFactory(map[string]string{"ONBOARD_HOME": t.TempDir()})
		args := append([]string{"tencent", "--no-input", "--mode", "quick"}, tc.args...)
		if code := run(context.Background(), f, args); code != ExitUsage || !strings.Contains(errOut.String(), tc.want) {
			t.Errorf("%v: exit %d, %q", tc.args, code, errOut.String())
		}
	}
}

// Whatever --members and --exclude hold, the check never panics, and a value it accepts is a UIN.
func FuzzOrgMembers(f *testing.F) {
	for _, s := range []string{"all", "100000100002,100000100003", " 12 ,", "12x", "", "-1", "１２"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, members string) {
		opts := &TencentOptions{Org: true, Parallel: 1, Members: strings.Split(members, ",")}
		if len(orgUsage(opts)) > 0 {
			return
		}
		for _, uin := range memberList(opts.Members) {
			if !uinPattern.MatchString(uin) {
				t.Fatalf("accepted member %q", uin)
			}
		}
	})
}

// The retry command quotes what a shell would split or expand.
func TestShellQuote(t *testing.T) {
	for in, want := range map[string]string{"quick": "quick", "a b": "'a b'", "it's": `'it'\''s'`, "$HOME": "'$HOME'", "": "''"} {
		if got := shellQuote(in); got != want {
			t.Errorf("shellQuote(%q) = %s, want %s", in, got, want)
		}
	}
}

// The sandbox's demo account manages an organization: tencent --org --sandbox onboards each of its
// members, each recorded under its UIN in the sandbox's state, where accounts list --sandbox finds them.
func TestTencentOrgInTheSandbox(t *testing.T) {
	vars := map[string]string{"ONBOARD_HOME": t.TempDir()}
	f, out, errOut := tencentTestFactory(vars)
	if code := run(context.Background(), f, []string{"tencent", "--org", "--sandbox", "--no-input", "--mode", "quick", "--skip-sync", "--output", "json"}); code != ExitOK {
		t.Fatalf("exit %d\n%s\n%s", code, out.String(), errOut.String())
	}
	var res onboarding.OrganizationResult
	if err := json.Unmarshal([]byte(out.String()), &res); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if res.ManagementUIN != "100012345678" || len(res.Members) < 3 || len(res.Failed) != 0 {
		t.Fatalf("the sandbox organization: %+v", res)
	}
	var uins []string
	for _, m := range res.Members {
		if m.Outcome != onboarding.MemberOnboarded || m.Result == nil || m.Result.Account != m.UIN || m.UIN == res.ManagementUIN {
			t.Errorf("member %+v", m)
		}
		uins = append(uins, m.UIN)
	}
	f, out, errOut = tencentTestFactory(vars)
	if code := run(context.Background(), f, []string{"accounts", "list", "--sandbox", "--output", "json"}); code != ExitOK {
		t.Fatalf("accounts list: exit %d %s", code, errOut.String())
	}
	for _, uin := range uins {
		if !strings.Contains(out.String(), `"`+uin+`"`) {
			t.Errorf("accounts list lacks member %s:\n%s", uin, out.String())
		}
	}
}
