package onboarding

import (
	"context"
	"errors"
	"strings"
	"testing"

	"onboard/inventory"
	"onboard/tencent"
)

func rootKeyRequest(choice string) Request {
	return Request{Mode: ModeManual, Features: []string{"host"}, SubUser: "sas-reader", SecurityCenter: SecurityCenterSkip,
		SkipSync: true, RootKey: choice}
}

// confirmed is req with the root key's retirement confirmed, as the person types it.
func (f *fixture) confirmed(req Request) Request {
	req.RootKeyConfirm = RootKeyLast4(f.env.TencentSecretID)
	return req
}

// rootKeyWorks reports whether the emulated account's root key still signs calls.
func (f *fixture) rootKeyWorks(t *testing.T) bool {
	t.Helper()
	_, err := f.admin.CallerIdentity(context.Background())
	if err != nil && !errors.Is(err, tencent.ErrAuth) {
		t.Fatal(err)
	}
	return err == nil
}

func TestRootKeyIsKeptByDefaultWithAReminder(t *testing.T) {
	f := newFixture(t)
	f.engine.OperatorKeyID = f.env.TencentSecretID
	res, err := f.engine.Apply(context.Background(), rootKeyRequest(""), nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.RootKey != RootKeyKept || !strings.Contains(strings.Join(res.NextSteps, "\n"), "choosing to disable or delete it") || !f.rootKeyWorks(t) {
		t.Errorf("root key %q, next steps %v", res.RootKey, res.NextSteps)
	}
}

func TestRootKeyDisableIsTheLastStep(t *testing.T) {
	f := newFixture(t)
	f.engine.OperatorKeyID = f.env.TencentSecretID
	res, err := f.engine.Apply(context.Background(), f.confirmed(rootKeyRequest(RootKeyDisable)), nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.RootKey != RootKeyDisabled || f.rootKeyWorks(t) {
		t.Errorf("root key %q; still works: %v", res.RootKey, f.rootKeyWorks(t))
	}
	// Everything before it happened: the account is recorded with the sub-user's key.
	if a, err := f.engine.DB.Account(context.Background(), res.Account); err != nil || a.AccessKeyID == "" {
		t.Errorf("account record: %+v %v", a, err)
	}
}

func TestRootKeyDeleteDisablesWhenTencentRequiresItAndSaysSo(t *testing.T) {
	f := newFixture(t)
	f.engine.OperatorKeyID = f.env.TencentSecretID
	res, err := f.engine.Apply(context.Background(), f.confirmed(rootKeyRequest(RootKeyDelete)), nil)
	if err != nil {
		t.Fatal(err)
	}
	// The emulator, like the console, deletes a root key only once it is disabled.
	if res.RootKey != RootKeyDisabled || f.rootKeyWorks(t) || !strings.Contains(strings.Join(res.NextSteps, "\n"), "delete it in the CAM console") {
		t.Errorf("root key %q, next steps %v", res.RootKey, res.NextSteps)
	}
}

func TestRootKeyIsLeftAloneWhenAnEarlierStepFails(t *testing.T) {
	f := newFixture(t)
	f.engine.OperatorKeyID = f.env.TencentSecretID
	f.emu.FailNext("CreateAccessKey", "InternalError", 10)
	if _, err := f.engine.Apply(context.Background(), f.confirmed(rootKeyRequest(RootKeyDisable)), nil); err == nil {
		t.Fatal("the run succeeded although the key could not be created")
	}
	f.emu.ClearFaults()
	if !f.rootKeyWorks(t) {
		t.Error("the root key was disabled although the run failed")
	}
}

func TestASubUserCallerHasNoRootKeyToRetire(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	// An administrator sub-user runs the onboarding.
	admin, err := f.admin.CreateUser(ctx, tencent.UserSpec{Name: "ops-admin"})
	if err != nil {
		t.Fatal(err)
	}
	p, _ := f.admin.FindPolicy(ctx, tencent.ScopePreset, "AdministratorAccess")
	if err := f.admin.AttachUserPolicy(ctx, p.ID, admin.UIN); err != nil {
		t.Fatal(err)
	}
	k, _ := f.admin.CreateAccessKey(ctx, admin.UIN, "")
	c, err := tencent.New(tencent.Options{Credential: tencent.Credential{SecretID: k.ID, SecretKey: k.Secret}, Endpoint: f.env.TencentEndpoint})
	if err != nil {
		t.Fatal(err)
	}
	f.engine.Cloud, f.engine.OperatorKeyID = c, k.ID
	res, err := f.engine.Apply(ctx, f.confirmed(rootKeyRequest(RootKeyDelete)), nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.RootKey != RootKeyNotUsed || !f.rootKeyWorks(t) {
		t.Errorf("root key %q", res.RootKey)
	}
	if keys, _ := f.admin.ListAccessKeys(ctx, admin.UIN); len(keys) != 1 || keys[0].Status != "Active" {
		t.Errorf("the administrator's own key was touched: %+v", keys)
	}
}

func TestFirstSyncOnItsOwnAfterTheRootKeyIsRetired(t *testing.T) {
	f := newFixture(t)
	f.engine.OperatorKeyID = f.env.TencentSecretID
	ctx := context.Background()
	req := Request{Mode: ModeManual, Features: []string{"host"}, SubUser: "sas-reader", Site: "outside", SkipSync: true, RootKey: RootKeyDisable, RootKeyConfirm: RootKeyLast4(f.env.TencentSecretID)}
	res, err := f.engine.Apply(ctx, req, nil)
	if err != nil || res.FirstSync != nil || f.rootKeyWorks(t) {
		t.Fatalf("apply: %v, first sync %+v", err, res.FirstSync)
	}
	var events int
	sync, err := f.engine.FirstSync(ctx, res.Account, req, func(inventory.Progress) { events++ })
	if err != nil {
		t.Fatal(err)
	}
	if sync.Counts["cvm.instance"] != 3 || events == 0 || len(sync.SecurityCenter) != 1 {
		t.Errorf("first sync %+v after %d progress events", sync, events)
	}
	// Done once: a second call lists nothing again.
	f.emu.ResetCalls()
	again, err := f.engine.FirstSync(ctx, res.Account, req, nil)
	if err != nil || again.Earlier == nil {
		t.Fatalf("again: %+v %v", again, err)
	}
	for _, c := range f.emu.Calls() {
		if c.Action == "DescribeInstances" {
			t.Errorf("the second first sync listed again: %+v", c)
		}
	}
}
