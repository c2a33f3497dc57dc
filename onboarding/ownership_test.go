package onboarding

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"strings"
	"testing"

	"onboard/emulator"
	"onboard/policy"
	"onboard/securitycenter"
	"onboard/store"
	"onboard/tencent"
)

// camKeyDescription is CreateAccessKey's documented Description pattern.
var camKeyDescription = regexp.MustCompile(`^[\w+=,.@:/-]*$`)

// keyDeletionReadings are the two readings of whether CAM deletes a sub-user's active key; every test
// that deletes a key runs under both.
var keyDeletionReadings = []struct {
	name string
	opts emulator.Options
}{{"active keys deletable", emulator.Options{}}, {"active keys refused", emulator.Options{RefuseActiveKeyDeletion: true}}}

func TestWhatTheToolCreatesCarriesItsMarkers(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	res, err := f.engine.Apply(ctx, Request{Mode: ModeManual, Features: []string{"cspm"}, CSPMPolicy: policy.CSPMCustom, SubUser: "marked",
		SecurityCenter: SecurityCenterSkip, SkipSync: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	keys, _ := f.admin.ListAccessKeys(ctx, res.SubUserUIN)
	if len(keys) != 1 || keys[0].Description != "managed-by=onboard,installation="+f.engine.Installation || !camKeyDescription.MatchString(keys[0].Description) {
		t.Fatalf("key description %+v, want managed-by=onboard,installation=%s within CAM's pattern", keys, f.engine.Installation)
	}
	p, _ := f.admin.FindPolicy(ctx, tencent.ScopeCustom, policy.CSPMPolicy)
	live, _ := f.admin.GetPolicy(ctx, p.ID)
	if !strings.Contains(live.Description, "managed-by=onboard,installation="+f.engine.Installation) {
		t.Fatalf("policy description %q does not carry the marker", live.Description)
	}
}

func TestTheEmulatorRefusesAKeyDescriptionOutsideCAMsPattern(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	u, _ := f.admin.CreateUser(ctx, tencent.UserSpec{Name: "pattern"})
	_, err := f.admin.CreateAccessKey(ctx, u.UIN, legacyKeyDescription)
	var api *tencent.APIError
	if !errors.As(err, &api) || api.Code != "InvalidParameter.ParamError" {
		t.Fatalf("a description with a space: %v, want InvalidParameter.ParamError", err)
	}
}

// An engineer who followed the console procedure earlier has a cspmPolicy of their own, attached to
// others. onboard shows who holds it and the difference, and changes it only when adopted by name.
func TestAStrangersPolicyIsChangedOnlyWhenAdopted(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	console := `{"version":"2.0","statement":[{"effect":"allow","action":["cvm:DescribeInstances"],"resource":["*"]}]}`
	pid, err := f.admin.CreatePolicy(ctx, tencent.PolicySpec{Name: policy.CSPMPolicy, Description: "made in the console", Document: console})
	if err != nil {
		t.Fatal(err)
	}
	alice, _ := f.admin.CreateUser(ctx, tencent.UserSpec{Name: "alice"})
	if err := f.admin.AttachUserPolicy(ctx, pid, alice.UIN); err != nil {
		t.Fatal(err)
	}
	req := Request{Mode: ModeManual, Features: []string{"cspm"}, CSPMPolicy: policy.CSPMCustom, SubUser: "adopter", SecurityCenter: SecurityCenterSkip, SkipSync: true}
	if _, err := f.engine.Plan(ctx, req); err == nil || !strings.Contains(err.Error(), "Take cspmPolicy over by name") {
		t.Fatalf("plan: %v, want the refusal", err)
	}
	f.emu.ResetCalls()
	_, err = f.engine.Apply(ctx, req, nil)
	var pe *PolicyOwnershipError
	if !errors.As(err, &pe) {
		t.Fatalf("error %v, want a PolicyOwnershipError", err)
	}
	if !slices.ContainsFunc(pe.AttachedTo, func(s string) bool { return strings.Contains(s, "alice") }) ||
		!slices.ContainsFunc(pe.Drift, func(s string) bool { return strings.HasPrefix(s, "+ allow cam:ListUsers") }) {
		t.Fatalf("the refusal does not show alice and the diff: %+v", pe)
	}
	if m := f.mutatingCalls(); len(m) != 0 {
		t.Fatalf("the refusal came after %v; it must come before any change", m)
	}
	if live, _ := f.admin.GetPolicy(ctx, pid); live.Document != console || live.Description != "made in the console" {
		t.Fatalf("the stranger's policy changed: %+v", live)
	}

	req.AdoptPolicies = []string{policy.CSPMPolicy}
	if plan, err := f.engine.Plan(ctx, req); err != nil || !slices.ContainsFunc(flatten(plan), func(s string) bool {
		return strings.HasPrefix(s, "update policy cspmPolicy") && strings.Contains(s, "alice")
	}) {
		t.Fatalf("plan with --adopt-policy: %v %v; want the update naming alice", flatten(plan), err)
	}
	res, err := f.engine.Apply(ctx, req, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(res.Created, func(s string) bool {
		return strings.Contains(s, "policy cspmPolicy adopted") && strings.Contains(s, "sub-user alice")
	}) {
		t.Fatalf("the result does not say it adopted the policy and whom the change reached: %v", res.Created)
	}
	live, _ := f.admin.GetPolicy(ctx, pid)
	if !policyManaged(live.Description) {
		t.Fatalf("the adopted policy is not marked: %q", live.Description)
	}
	// Marked, it is onboard's on every later run: no flag needed, nothing to change.
	req.AdoptPolicies = nil
	f.emu.ResetCalls()
	if _, err := f.engine.Apply(ctx, req, nil); err != nil {
		t.Fatal(err)
	}
	if m := f.mutatingCalls(); len(m) != 0 {
		t.Fatalf("a re-run after adoption made %v", m)
	}
}

func TestAStrangersPolicyThatMatchesIsUsedUnchanged(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	want, _ := policy.Render(policy.CSPMPolicy, policy.Values{RootAccountID: f.env.OwnerUIN})
	pid, err := f.admin.CreatePolicy(ctx, tencent.PolicySpec{Name: policy.CSPMPolicy, Description: "console", Document: string(want)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.engine.Apply(ctx, Request{Mode: ModeManual, Features: []string{"cspm"}, CSPMPolicy: policy.CSPMCustom, SubUser: "same",
		SecurityCenter: SecurityCenterSkip, SkipSync: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if live, _ := f.admin.GetPolicy(ctx, pid); live.Description != "console" {
		t.Fatalf("a matching stranger's policy was changed: %+v", live)
	}
}

// loseSecret makes the store forget the account's key, as a crash between create and store would.
func loseSecret(t *testing.T, f *fixture, res Result) {
	t.Helper()
	if err := f.secrets.Delete(context.Background(), "tencent/"+res.OwnerUIN+"/"+res.SubUser); err != nil {
		t.Fatal(err)
	}
}

func TestALostKeyOfThisInstallationIsDeletedOnlyOnceItsReplacementWorks(t *testing.T) {
	for _, reading := range keyDeletionReadings {
		t.Run(reading.name, func(t *testing.T) {
			f := newFixture(t, reading.opts)
			ctx := context.Background()
			req := Request{Mode: ModeManual, Features: []string{"host"}, SubUser: "lost", SkipSync: true}
			first, err := f.engine.Apply(ctx, req, nil)
			if err != nil {
				t.Fatal(err)
			}
			loseSecret(t, f, first)
			var order []string
			res, err := f.engine.Apply(ctx, req, func(e Event) {
				if e.Status == "done" {
					order = append(order, e.Step)
				}
			})
			if err != nil {
				t.Fatal(err)
			}
			keys, _ := f.admin.ListAccessKeys(ctx, res.SubUserUIN)
			if len(keys) != 1 || keys[0].ID != res.AccessKeyID || res.AccessKeyID == first.AccessKeyID {
				t.Fatalf("keys %+v; want only the new key %s", keys, res.AccessKeyID)
			}
			if i, j := slices.Index(order, "security-center"), slices.Index(order, "retire-keys"); i < 0 || j < i {
				t.Fatalf("steps %v: the old key must go only after Security Center has the new one", order)
			}
			accounts, _ := f.sc.ListAccounts(ctx, securitycenter.AccountFilter{Vendor: securitycenter.VendorTencent})
			if len(accounts) != 1 || accounts[0].MaskedSecretID != res.AccessKeyID[:8]+"***" {
				t.Fatalf("Security Center accounts %+v; want one holding %s", accounts, res.AccessKeyID)
			}
		})
	}
}

// refusingStore cannot store a new key (a full disk, a keyring that stops answering).
type refusingStore struct{ *store.MemoryStore }

func (refusingStore) Put(context.Context, string, store.Credential) error {
	return errors.New("the secret store refused the item")
}

// #19.5: the store cannot hold the replacement. The live key (the one Security Center uses) must
// survive; only the new, unstored key goes.
func TestAStoreThatCannotHoldTheNewKeyLeavesTheLiveKey(t *testing.T) {
	for _, reading := range keyDeletionReadings {
		t.Run(reading.name, func(t *testing.T) {
			f := newFixture(t, reading.opts)
			ctx := context.Background()
			req := Request{Mode: ModeManual, Features: []string{"host"}, SubUser: "live", SkipSync: true}
			first, err := f.engine.Apply(ctx, req, nil)
			if err != nil {
				t.Fatal(err)
			}
			loseSecret(t, f, first)
			f.engine.Secrets = refusingStore{f.secrets}
			if _, err := f.engine.Apply(ctx, req, nil); err == nil {
				t.Fatal("a store that refuses the key did not fail the run")
			}
			keys, _ := f.admin.ListAccessKeys(ctx, first.SubUserUIN)
			if len(keys) != 1 || keys[0].ID != first.AccessKeyID || keys[0].Status != "Active" {
				t.Fatalf("keys after the failed run %+v; want only the live key %s, active", keys, first.AccessKeyID)
			}
			accounts, _ := f.sc.ListAccounts(ctx, securitycenter.AccountFilter{Vendor: securitycenter.VendorTencent})
			if len(accounts) != 1 || accounts[0].MaskedSecretID != first.AccessKeyID[:8]+"***" {
				t.Fatalf("Security Center accounts %+v; want the one holding the live key", accounts)
			}
		})
	}
}

func TestAKeyOfAnotherInstallationIsNeverDeleted(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	u, _ := f.admin.CreateUser(ctx, tencent.UserSpec{Name: "shared", Remark: userRemark})
	elsewhere, err := f.admin.CreateAccessKey(ctx, u.UIN, keyDescription("0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	req := Request{Mode: ModeManual, Features: []string{"host"}, SubUser: "shared", SecurityCenter: SecurityCenterSkip, SkipSync: true}
	res, err := f.engine.Apply(ctx, req, nil)
	if err != nil {
		t.Fatal(err)
	}
	keys, _ := f.admin.ListAccessKeys(ctx, u.UIN)
	if len(keys) != 2 || !slices.ContainsFunc(keys, func(k tencent.AccessKey) bool { return k.ID == elsewhere.ID }) {
		t.Fatalf("keys %+v; the other installation's key must stay", keys)
	}
	if !slices.ContainsFunc(res.NextSteps, func(s string) bool { return strings.Contains(s, "installation 0123456789abcdef") }) {
		t.Errorf("the result does not explain the other installation's key: %v", res.NextSteps)
	}
	// Both slots taken, neither secret here: explained, nothing deleted.
	loseSecret(t, f, res)
	f.admin.DeleteAccessKey(ctx, u.UIN, res.AccessKeyID)
	legacy, err := f.admin.CreateAccessKey(ctx, u.UIN, "managed-by=onboard")
	if err != nil {
		t.Fatal(err)
	}
	f.emu.ResetCalls()
	_, err = f.engine.Apply(ctx, req, nil)
	if !errors.Is(err, tencent.ErrKeyLimit) || !strings.Contains(err.Error(), "installation 0123456789abcdef") ||
		!strings.Contains(err.Error(), "Run onboard where") {
		t.Fatalf("error %v, want the key limit explained with the other installation", err)
	}
	if m := f.mutatingCalls(); slices.Contains(m, "DeleteAccessKey") || slices.Contains(m, "UpdateAccessKey") {
		t.Fatalf("a key not of this installation was touched: %v", m)
	}
	if keys, _ := f.admin.ListAccessKeys(ctx, u.UIN); len(keys) != 2 || keys[1].ID != legacy.ID && keys[0].ID != legacy.ID {
		t.Fatalf("keys %+v", keys)
	}
}

// Keys marked the old way ("managed-by: onboard") are still this tool's: the one this installation's
// account record names is replaced and deleted like any of its own.
func TestALegacyMarkedKeyThisInstallationRecordedIsStillOurs(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	req := Request{Mode: ModeManual, Features: []string{"host"}, SubUser: "old", SecurityCenter: SecurityCenterSkip, SkipSync: true}
	first, err := f.engine.Apply(ctx, req, nil)
	if err != nil {
		t.Fatal(err)
	}
	f.emu.SetKeyDescription(first.AccessKeyID, legacyKeyDescription)
	loseSecret(t, f, first)
	res, err := f.engine.Apply(ctx, req, nil)
	if err != nil {
		t.Fatal(err)
	}
	keys, _ := f.admin.ListAccessKeys(ctx, res.SubUserUIN)
	if len(keys) != 1 || keys[0].ID != res.AccessKeyID {
		t.Fatalf("keys %+v; want the legacy key replaced", keys)
	}
}

// Switching between keyring and file store moves the secret; the key is reused, never revoked.
func TestSwitchingTheSecretStoreKeepsTheKey(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	req := Request{Mode: ModeManual, Features: []string{"host"}, SubUser: "switch", SkipSync: true}
	first, err := f.engine.Apply(ctx, req, nil)
	if err != nil {
		t.Fatal(err)
	}
	chosen := store.NewMemoryStore()
	f.engine.Secrets = store.NewMigratingStore(chosen, f.secrets)
	f.emu.ResetCalls()
	res, err := f.engine.Apply(ctx, req, nil)
	if err != nil {
		t.Fatal(err)
	}
	if m := f.mutatingCalls(); len(m) != 0 || res.AccessKeyID != first.AccessKeyID {
		t.Fatalf("after a store switch: calls %v, key %s; want the key %s reused and nothing changed", m, res.AccessKeyID, first.AccessKeyID)
	}
	if c, err := chosen.Get(ctx, "tencent/"+first.OwnerUIN+"/switch"); err != nil || c.SecretID != first.AccessKeyID {
		t.Fatalf("the chosen store does not hold the moved secret: %v", err)
	}
}

func TestRollbackDeletesTheKeyUnderEitherReading(t *testing.T) {
	for _, reading := range keyDeletionReadings {
		t.Run(reading.name, func(t *testing.T) {
			f := newFixture(t, reading.opts)
			ctx := context.Background()
			res, err := f.engine.Apply(ctx, Request{Mode: ModeManual, Features: []string{"host"}, SubUser: "gone", Account: "acct",
				SecurityCenter: SecurityCenterSkip, SkipSync: true}, nil)
			if err != nil {
				t.Fatal(err)
			}
			f.emu.ResetCalls()
			if _, err := f.engine.Rollback(ctx, "acct", f.admin); err != nil {
				t.Fatal(err)
			}
			calls := f.mutatingCalls()
			if !slices.Contains(calls, "DeleteAccessKey") {
				t.Fatalf("calls %v: the key was not deleted as a key", calls)
			}
			// Disabled first exactly when CAM refuses to delete an active key: the switch is really on.
			if disabled := slices.Contains(calls, "UpdateAccessKey"); disabled != reading.opts.RefuseActiveKeyDeletion {
				t.Fatalf("calls %v: disabled first %v under %q", calls, disabled, reading.name)
			}
			if keys, err := f.admin.ListAccessKeys(ctx, res.SubUserUIN); err == nil && len(keys) != 0 {
				t.Fatalf("keys left: %+v", keys)
			}
		})
	}
}
