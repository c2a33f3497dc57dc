package cmd

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"onboard/emulator"
	"onboard/emulator/tcloud"
	"onboard/onboarding"
	"onboard/tencent"
)

// orgOfFourMembers starts an organization of four members: the first three are onboarded from this
// installation (home), the fourth from another installation (its own ONBOARD_HOME) with the same
// emulators. It returns the emulators, this installation's environment and the members.
func orgOfFourMembers(t *testing.T) (*emulator.Env, map[string]string, []*tcloud.Server) {
	t.Helper()
	env, err := emulator.Start(context.Background(), emulator.Options{Seed: "random", SeedGen: "cvm=1,members=4"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { env.Close() })
	members := env.Tencent.Members()
	other := fmt.Sprint(members[3].OwnerUIN())
	vars := emulatorVars(env, t.TempDir())
	onboard := []string{"tencent", "--no-input", "--org", "--mode", "quick", "--skip-sync", "--security-center", "submit"}
	for _, tc := range []struct {
		vars map[string]string
		flag string
	}{{vars, "--exclude=" + other}, {emulatorVars(env, t.TempDir()), "--members=" + other}} {
		f, out, errOut := tencentTestFactory(tc.vars)
		if code := run(context.Background(), f, append(onboard, tc.flag)); code != ExitOK {
			t.Fatalf("onboard %s: exit %d\n%s\n%s", tc.flag, code, out.String(), errOut.String())
		}
	}
	return env, vars, members
}

// orgRunJSON is what a day-two --org command prints with --output json.
type orgRunJSON struct {
	ManagementUIN string         `json:"management_uin"`
	Members       []MemberDayTwo `json:"members"`
	Failed        []string       `json:"failed"`
	RetryCommand  string         `json:"retry_command"`
}

// memberKeys are the IDs of the keys of member m's sub-users.
func memberKeys(m *tcloud.Server) []string {
	var ids []string
	for _, u := range m.State().Users {
		for _, k := range u.Keys {
			ids = append(ids, k.ID)
		}
	}
	return ids
}

func stateOf(m *tcloud.Server) string {
	data, _ := json.Marshal(m.State())
	return string(data)
}

// repair --org, rotate-key --org and tencent --rollback --org, each in an organization of four members: one
// member whose access role no longer trusts the management account, one onboarded by another
// installation. The two others are repaired, rotated or rolled back in the emulator; the denied one is
// reported failed with exit 3 and named in the retry command, which finishes it once its role is
// trusted again; the other installation's member is listed as skipped and its account is exactly as it
// was.
func TestRepairRotateAndRollbackOfAnOrganizationsMembers(t *testing.T) {
	tests := []struct {
		name string
		args []string
		// prepare changes the members before the command (the drift a repair mends); it is given the
		// members and returns what the test compares after.
		prepare func(t *testing.T, endpoint string, members []*tcloud.Server) map[uint64][]string
		// done reports whether member m shows the command's effect, given what prepare returned.
		done func(m *tcloud.Server, before []string) bool
	}{
		{
			name: "repair",
			args: []string{"repair", "--org", "--no-input"},
			prepare: func(t *testing.T, endpoint string, members []*tcloud.Server) map[uint64][]string {
				before := map[uint64][]string{}
				for _, m := range members {
					u := m.State().Users[0]
					before[m.OwnerUIN()] = u.Attached
					detachAll(t, endpoint, m, u)
				}
				return before
			},
			done: func(m *tcloud.Server, attached []string) bool {
				return slices.Equal(m.State().Users[0].Attached, attached)
			},
		},
		{
			name: "rotate-key",
			args: []string{"rotate-key", "--org", "--no-input"},
			prepare: func(t *testing.T, endpoint string, members []*tcloud.Server) map[uint64][]string {
				before := map[uint64][]string{}
				for _, m := range members {
					before[m.OwnerUIN()] = memberKeys(m)
				}
				return before
			},
			done: func(m *tcloud.Server, keys []string) bool {
				now := memberKeys(m)
				return len(now) == 1 && len(keys) == 1 && now[0] != keys[0]
			},
		},
		{
			name: "rollback",
			args: []string{"tencent", "--rollback", "--org", "--no-input"},
			prepare: func(t *testing.T, endpoint string, members []*tcloud.Server) map[uint64][]string {
				return nil
			},
			done: func(m *tcloud.Server, _ []string) bool {
				st := m.State()
				return len(st.Users) == 0 && len(st.Policies) == 0
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, vars, members := orgOfFourMembers(t)
			before := tt.prepare(t, env.TencentEndpoint, members)
			denied, other := members[1], members[3]
			deniedUIN, otherUIN := fmt.Sprint(denied.OwnerUIN()), fmt.Sprint(other.OwnerUIN())
			otherState := stateOf(other)
			for _, m := range members {
				if tt.done(m, before[m.OwnerUIN()]) {
					t.Fatalf("member %d shows the command's effect before it ran: %s", m.OwnerUIN(), stateOf(m))
				}
			}
			// A UIN that is not a member is a usage error naming the members; without Alibaba Cloud
			// credentials the pre-flight stops before the first member. Nothing changes either way.
			noAlibaba := maps.Clone(vars)
			delete(noAlibaba, "ALIBABA_CLOUD_ACCESS_KEY_ID")
			delete(noAlibaba, "ALIBABA_CLOUD_ACCESS_KEY_SECRET")
			for _, bad := range []struct {
				vars map[string]string
				args []string
				code int
				want string
			}{
				{vars, []string{"--members", "100000100002,999"}, ExitUsage, fmt.Sprintf("999 (its members are %d, %d, %d, %d)",
					members[0].OwnerUIN(), members[1].OwnerUIN(), members[2].OwnerUIN(), members[3].OwnerUIN())},
				{noAlibaba, nil, ExitUsage, "Alibaba Cloud"},
			} {
				f, out, errOut := tencentTestFactory(bad.vars)
				if code := run(context.Background(), f, append(tt.args, bad.args...)); code != bad.code || !strings.Contains(errOut.String(), bad.want) {
					t.Errorf("%v: exit %d, want %d and %q\n%s\n%s", bad.args, code, bad.code, bad.want, out.String(), errOut.String())
				}
			}
			for _, m := range members {
				if tt.done(m, before[m.OwnerUIN()]) {
					t.Fatalf("member %d was changed by a refused run: %s", m.OwnerUIN(), stateOf(m))
				}
			}
			if err := env.Tencent.SetMemberAccess(denied.OwnerUIN(), false); err != nil {
				t.Fatal(err)
			}

			f, out, errOut := tencentTestFactory(vars)
			if code := run(context.Background(), f, append(tt.args, "--output", "json")); code != ExitPartial {
				t.Fatalf("exit %d, want %d\n%s\n%s", code, ExitPartial, out.String(), errOut.String())
			}
			var res orgRunJSON
			if err := json.Unmarshal([]byte(out.String()), &res); err != nil {
				t.Fatalf("%v\n%s", err, out.String())
			}
			outcomes := map[string]MemberDayTwo{}
			for _, m := range res.Members {
				outcomes[m.UIN] = m
			}
			if len(outcomes) != 4 || !slices.Equal(res.Failed, []string{deniedUIN}) {
				t.Fatalf("every member listed, the denied one failed: %s", out.String())
			}
			if o := outcomes[deniedUIN]; o.Outcome != onboarding.MemberFailed || !strings.Contains(o.Error, "UnauthorizedOperation") {
				t.Errorf("the denied member: %+v", o)
			}
			if o := outcomes[otherUIN]; o.Outcome != memberSkipped || !strings.Contains(o.Error, "not onboarded from here") {
				t.Errorf("the other installation's member: %+v", o)
			}
			for _, m := range []*tcloud.Server{members[0], members[2]} {
				if o := outcomes[fmt.Sprint(m.OwnerUIN())]; o.Outcome == onboarding.MemberFailed || o.Outcome == memberSkipped || !tt.done(m, before[m.OwnerUIN()]) {
					t.Errorf("member %d: outcome %+v, state %s", m.OwnerUIN(), o, stateOf(m))
				}
			}
			if tt.done(denied, before[denied.OwnerUIN()]) {
				t.Errorf("the denied member was changed: %s", stateOf(denied))
			}
			if !strings.HasSuffix(res.RetryCommand, "--members="+deniedUIN) || !strings.Contains(res.RetryCommand, "--org") ||
				!strings.Contains(res.RetryCommand, "--output=json") {
				t.Fatalf("retry command %q", res.RetryCommand)
			}

			if err := env.Tencent.SetMemberAccess(denied.OwnerUIN(), true); err != nil {
				t.Fatal(err)
			}
			f, out, errOut = tencentTestFactory(vars)
			if code := run(context.Background(), f, strings.Fields(strings.TrimPrefix(res.RetryCommand, "onboard "))); code != ExitOK {
				t.Fatalf("retry %q: exit %d\n%s\n%s", res.RetryCommand, code, out.String(), errOut.String())
			}
			if !tt.done(denied, before[denied.OwnerUIN()]) {
				t.Errorf("the retry did not finish the denied member: %s", stateOf(denied))
			}
			if tt.name == "rotate-key" {
				// Each member's record names its new key: the one its sub-user holds now.
				f, out, _ = tencentTestFactory(vars)
				if code := run(context.Background(), f, []string{"accounts", "list", "--output", "json"}); code != ExitOK {
					t.Fatalf("accounts list: exit %d", code)
				}
				var accounts []accountView
				if err := json.Unmarshal([]byte(out.String()), &accounts); err != nil || len(accounts) != 3 {
					t.Fatalf("accounts list: %v %s", err, out.String())
				}
				for _, a := range accounts {
					m := env.Tencent.Member(parseUIN(t, a.OwnerUIN))
					if keys := memberKeys(m); len(keys) != 1 || a.AccessKeyID != keys[0] {
						t.Errorf("account %s records key %s, its sub-user holds %v", a.Name, a.AccessKeyID, keys)
					}
				}
			}
			if got := stateOf(other); got != otherState {
				t.Errorf("the other installation's member was touched:\n%s\nwas:\n%s", got, otherState)
			}
			if len(env.Tencent.State().Users) != 0 {
				t.Errorf("the management account holds users: %+v", env.Tencent.State().Users)
			}
		})
	}
}

// detachAll detaches every policy of member m's sub-user u with m's own root key: the drift a repair mends.
func detachAll(t *testing.T, endpoint string, m *tcloud.Server, u tcloud.UserState) {
	t.Helper()
	id, secret := m.RootKey()
	cl, err := tencent.New(tencent.Options{Credential: tencent.Credential{SecretID: id, SecretKey: tencent.SecretKey(secret)}, Endpoint: endpoint})
	if err != nil {
		t.Fatal(err)
	}
	policies, err := cl.ListAttachedUserPolicies(context.Background(), u.UIN)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range policies {
		if err := cl.DetachUserPolicy(context.Background(), p.ID, u.UIN); err != nil {
			t.Fatal(err)
		}
	}
}

func parseUIN(t *testing.T, s string) uint64 {
	t.Helper()
	var uin uint64
	if _, err := fmt.Sscan(s, &uin); err != nil {
		t.Fatalf("UIN %q: %v", s, err)
	}
	return uin
}

// status, soc logs, agent install and tencent --rollback on the record of an organization member, run with
// the management account's key, act in that member through its access role, as --org does: the member's
// CAM is read and its key found working, its WAF logs are shipped, its hosts get the agent and its
// sub-user is rolled back, while the management account's own CAM, WAF and TAT are never called, and the
// other member is left as it was.
func TestDayTwoCommandsOnAMemberRecordActInTheMember(t *testing.T) {
	env, err := emulator.Start(context.Background(), emulator.Options{Seed: "random", SeedGen: "cvm=2,members=2"})
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	vars := emulatorVars(env, t.TempDir())
	f, out, errOut := tencentTestFactory(vars)
	if code := run(context.Background(), f, []string{"tencent", "--no-input", "--org", "--mode", "manual", "--features", "host,soc", "--sub-user", "sas-reader",
		"--site", "outside", "--regions", "ap-guangzhou", "--security-center", "submit"}); code != ExitOK {
		t.Fatalf("onboard: exit %d\n%s\n%s", code, out.String(), errOut.String())
	}
	member := env.Tencent.Members()[0]
	uin := fmt.Sprint(member.OwnerUIN())
	member.SeedWAFInstance(tcloud.WAFInstanceSeed{ID: "waf_ent01", Name: "shop", Region: "gz", Level: 3})
	member.SeedWAFDomain(tcloud.WAFDomainSeed{Domain: "shop.example.com", InstanceID: "waf_ent01"})
	// services are the Tencent Cloud services account s served since the last reset.
	services := func(s *tcloud.Server) map[string]int {
		out := map[string]int{}
		for _, c := range s.Calls() {
			out[c.Service]++
		}
		return out
	}

	env.Tencent.ResetCalls()
	member.ResetCalls()
	f, out, errOut = tencentTestFactory(vars)
	if code := run(context.Background(), f, []string{"status", "--account", uin, "--output", "json"}); code == ExitFailed || code == ExitUsage {
		t.Fatalf("status: exit %d\n%s\n%s", code, out.String(), errOut.String())
	}
	var statuses []onboarding.AccountStatus
	if err := json.Unmarshal([]byte(out.String()), &statuses); err != nil || len(statuses) != 1 {
		t.Fatalf("status: %v %s", err, out.String())
	}
	for _, c := range statuses[0].Checks {
		if c.Verdict == onboarding.VerdictBroken {
			t.Errorf("status of member %s: %+v", uin, c)
		}
	}
	if n := services(member)["cam"]; n == 0 {
		t.Errorf("status read no CAM of member %s: %v", uin, services(member))
	}
	if n := services(env.Tencent)["cam"]; n != 0 {
		t.Errorf("status read the management account's CAM %d times", n)
	}

	env.Tencent.ResetCalls()
	f, out, errOut = tencentTestFactory(vars)
	if code := run(context.Background(), f, []string{"soc", "logs", "--account", uin, "--waf"}); code != ExitOK {
		t.Fatalf("soc logs: exit %d\n%s\n%s", code, out.String(), errOut.String())
	}
	if member.WAFFlowCount() == 0 || !member.WAFSwitches()["access-log:shop.example.com"] {
		t.Errorf("member %s: %d WAF flows, switches %v", uin, member.WAFFlowCount(), member.WAFSwitches())
	}
	if n := env.Tencent.WAFFlowCount() + services(env.Tencent)["waf"]; n != 0 {
		t.Errorf("soc logs called the management account's WAF: %v", services(env.Tencent))
	}

	env.Tencent.ResetCalls()
	f, out, errOut = tencentTestFactory(vars)
	if code := run(context.Background(), f, []string{"agent", "install", "--account", uin, "--all", "--timeout", "30s"}); code != ExitOK {
		t.Fatalf("agent install: exit %d\n%s\n%s", code, out.String(), errOut.String())
	}
	if len(member.TATTargets()) == 0 {
		t.Errorf("agent install ran nothing in member %s:\n%s\n%s", uin, out.String(), errOut.String())
	}
	if n := len(env.Tencent.TATTargets()) + services(env.Tencent)["tat"]; n != 0 {
		t.Errorf("agent install called the management account's TAT: %v", services(env.Tencent))
	}
	otherMember := env.Tencent.Members()[1]
	otherState := stateOf(otherMember)
	env.Tencent.ResetCalls()
	f, out, errOut = tencentTestFactory(vars)
	if code := run(context.Background(), f, []string{"tencent", "--rollback", "--account", uin, "--no-input"}); code != ExitOK {
		t.Fatalf("rollback: exit %d\n%s\n%s", code, out.String(), errOut.String())
	}
	if st := member.State(); len(st.Users) != 0 || len(st.Policies) != 0 {
		t.Errorf("member %s after its rollback: %s", uin, stateOf(member))
	}
	if n := services(env.Tencent)["cam"]; n != 0 || stateOf(otherMember) != otherState {
		t.Errorf("the rollback of member %s called the management account's CAM %d times, or changed the other member", uin, n)
	}
}

// A member onboarded through another access identity's role (--member-role) is reached through that role
// again by the commands on its record, without --member-role: the record keeps it.
func TestAMemberRecordKeepsTheRoleItWasOnboardedThrough(t *testing.T) {
	env, err := emulator.Start(context.Background(), emulator.Options{Seed: "random", SeedGen: "cvm=1,members=1"})
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	member := env.Tencent.Members()[0]
	uin := fmt.Sprint(member.OwnerUIN())
	if err := env.Tencent.SetMemberRoleName(member.OwnerUIN(), "SecOpsAccess"); err != nil {
		t.Fatal(err)
	}
	vars := emulatorVars(env, t.TempDir())
	f, out, errOut := tencentTestFactory(vars)
	if code := run(context.Background(), f, []string{"tencent", "--no-input", "--org", "--member-role", "SecOpsAccess", "--mode", "manual",
		"--features", "host", "--sub-user", "sas-reader", "--site", "outside", "--regions", "ap-guangzhou", "--security-center", "submit"}); code != ExitOK {
		t.Fatalf("onboard: exit %d\n%s\n%s", code, out.String(), errOut.String())
	}
	for _, args := range [][]string{{"status", "--account", uin}, {"repair", "--account", uin, "--no-input"}, {"status", "--org"}} {
		f, out, errOut := tencentTestFactory(vars)
		if code := run(context.Background(), f, args); code != ExitOK {
			t.Errorf("%v: exit %d\n%s\n%s", args, code, out.String(), errOut.String())
		}
	}
	f, out, errOut = tencentTestFactory(vars)
	if code := run(context.Background(), f, []string{"offboard", "--account", uin, "--yes", "--no-input"}); code != ExitOK {
		t.Fatalf("offboard: exit %d\n%s\n%s", code, out.String(), errOut.String())
	}
	if users := member.State().Users; len(users) != 0 {
		t.Errorf("the member's sub-user is left: %+v", users)
	}
}
