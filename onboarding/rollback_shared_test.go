package onboarding

import (
	"context"
	"strings"
	"testing"

	"onboard/emulator"
	"onboard/securitycenter"
	"onboard/tencent"
)

// Security Center's Tencent Cloud sync regions are one setting of the site, shared by every Tencent Cloud
// account connected there. Rolling back one account leaves them while another is still connected.
func TestARollbackKeepsTheSyncRegionsAnotherConnectedAccountUses(t *testing.T) {
	f := newFixture(t, emulator.Options{SeedGen: "members=1"})
	ctx := context.Background()
	first, err := f.engine.Apply(ctx, fullRequest(), nil)
	if err != nil {
		t.Fatal(err)
	}

	member := f.emu.Members()[0]
	member.SeedCVM("ap-guangzhou", 2)
	id, key := member.RootKey()
	memberCloud, err := tencent.New(tencent.Options{Credential: tencent.Credential{SecretID: id, SecretKey: tencent.SecretKey(key)}, Endpoint: f.env.TencentEndpoint})
	if err != nil {
		t.Fatal(err)
	}
	other := *f.engine
	other.Cloud = memberCloud
	req := fullRequest()
	req.Account, req.AccountName = "acct-member", "member"
	if _, err := other.Apply(ctx, req, nil); err != nil {
		t.Fatal(err)
	}

	res, err := f.engine.Rollback(ctx, first.Account, f.admin)
	if err != nil {
		t.Fatalf("rollback: %v (%+v)", err, res)
	}
	if got := f.siteState(t).SyncRegions["Tencent"]; !sameSet(got, req.Regions) {
		t.Errorf("sync regions %v after the first account's rollback, want %v, which the member's account still uses", got, req.Regions)
	}
	if !strings.Contains(strings.Join(res.Kept, "\n"), "1 other Tencent Cloud account(s) connected in Security Center use them") {
		t.Errorf("the rollback does not say why it kept the sync regions: kept %v, removed %v", res.Kept, res.Removed)
	}
	accounts, err := f.sc.ListAccounts(ctx, securitycenter.AccountFilter{Vendor: securitycenter.VendorTencent})
	if err != nil || len(accounts) != 1 || accounts[0].DisplayName != "member" {
		t.Fatalf("the member's Security Center account: %+v, %v", accounts, err)
	}
}

// Sync regions someone changed after onboard set them are theirs: a rollback leaves them and says so.
func TestARollbackLeavesSyncRegionsChangedSinceOnboardSetThem(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	first, err := f.engine.Apply(ctx, fullRequest(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.sc.SetSyncRegions(ctx, securitycenter.VendorTencent, []string{"ap-singapore"}, false); err != nil {
		t.Fatal(err)
	}

	res, err := f.engine.Rollback(ctx, first.Account, f.admin)
	if err != nil {
		t.Fatalf("rollback: %v (%+v)", err, res)
	}
	if got := f.siteState(t).SyncRegions["Tencent"]; !sameSet(got, []string{"ap-singapore"}) {
		t.Errorf("sync regions %v, want the ap-singapore someone set after onboarding", got)
	}
	if !strings.Contains(strings.Join(res.Kept, "\n"), "changed since onboard set them (now ap-singapore)") {
		t.Errorf("the rollback does not say why it kept the sync regions: kept %v, removed %v", res.Kept, res.Removed)
	}
	again, err := f.engine.Rollback(ctx, first.Account, f.admin)
	if err != nil || len(again.Removed) != 0 {
		t.Fatalf("a second rollback: %+v, %v", again, err)
	}
}
