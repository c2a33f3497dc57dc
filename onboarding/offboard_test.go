package onboarding

import (
	"context"
	"errors"
	"strings"
	"testing"

	"onboard/store"
	"onboard/tencent"
)

// TestOffboardAfterEveryKindOfRunLeavesTheCloudsAsBefore onboards with every feature into a logset the
// user gave, repairs, rotates the key (three runs that each make something), then offboards: both
// emulators hold what they held before, the logset is left and listed as reused, and nothing local is
// left. A second offboard does nothing.
func TestOffboardAfterEveryKindOfRunLeavesTheCloudsAsBefore(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	logset := f.emu.SeedLogset("ap-guangzhou", "team-logs")
	before := f.cloudState()
	req := fullRequest()
	req.AuditLogset = logset
	res, err := f.engine.Apply(ctx, req, nil)
	if err != nil {
		t.Fatal(err)
	}
	// A repair that makes something (the detached grant's attachment is made anew), then a rotation.
	p, err := f.admin.FindPolicy(ctx, tencent.ScopeCustom, "cspmPolicy")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.admin.DetachUserPolicy(ctx, p.ID, res.SubUserUIN); err != nil {
		t.Fatal(err)
	}
	if _, err := f.engine.Repair(ctx, res.Account, nil); err != nil {
		t.Fatal(err)
	}
	rot, err := f.engine.RotateKey(ctx, res.Account, 0, nil)
	if err != nil {
		t.Fatal(err)
	}

	plan, err := f.engine.PlanOffboard(ctx, res.Account)
	if err != nil {
		t.Fatal(err)
	}
	if !containsPrefix(plan.Planned, "remove sub-user sas-reader") || !containsPrefix(plan.Planned, "remove API key") {
		t.Fatalf("plan: %v", plan.Planned)
	}
	out, err := f.engine.Offboard(ctx, res.Account, f.admin, false)
	if err != nil {
		t.Fatalf("offboard: %v (%+v)", err, out)
	}
	assertSameState(t, before, f.cloudState())
	if !containsPrefix(out.Reused, "CLS logset "+logset) {
		t.Errorf("the reused logset is not listed: %v", out.Reused)
	}
	if _, err := f.engine.DB.Account(ctx, res.Account); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the account record is left: %v", err)
	}
	item := "tencent/" + res.OwnerUIN + "/sas-reader"
	if c, err := f.secrets.Get(ctx, item); !errors.Is(err, store.ErrSecretNotFound) {
		t.Errorf("the secret of %s is left: %v", c.SecretID, err)
	}
	if a, _ := f.engine.DB.Assets(ctx, store.AssetFilter{Account: res.Account}); len(a) != 0 {
		t.Errorf("%d assets are left", len(a))
	}
	if !strings.Contains(strings.Join(out.Removed, "\n"), rot.NewKeyID[len(rot.NewKeyID)-4:]) {
		t.Errorf("the rotated key is not among the removed: %v", out.Removed)
	}

	f.emu.ResetCalls()
	again, err := f.engine.Offboard(ctx, res.Account, f.admin, false)
	if err != nil {
		t.Fatalf("second offboard: %v", err)
	}
	if m := f.mutatingCalls(); len(m) != 0 || len(again.Removed) != 0 {
		t.Fatalf("a second offboard did something: %v %v", m, again.Removed)
	}
}

func TestOffboardKeepsTheInventoryWhenAsked(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	req := rotationRequest()
	req.SkipSync = false
	res, err := f.engine.Apply(ctx, req, nil)
	if err != nil {
		t.Fatal(err)
	}
	n, _ := f.engine.DB.Assets(ctx, store.AssetFilter{Account: res.Account})
	if len(n) == 0 {
		t.Fatal("the first sync found nothing")
	}
	if _, err := f.engine.Offboard(ctx, res.Account, f.admin, true); err != nil {
		t.Fatal(err)
	}
	if a, _ := f.engine.DB.Assets(ctx, store.AssetFilter{Account: res.Account}); len(a) != len(n) {
		t.Errorf("--keep-inventory kept %d of %d assets", len(a), len(n))
	}
}
