package store

import (
	"context"
	"path/filepath"
	"testing"
	"time"
)

func TestDeleteInventoryRemovesOnlyThatAccountsAssetsAndSyncs(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), DBFile))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, acct := range []string{"prod", "dev"} {
		if _, err := db.UpsertAssets(ctx, acct, []Asset{{Kind: "cvm.instance", Region: "ap-guangzhou", ID: "ins-1", Name: "a"}}, time.Now()); err != nil {
			t.Fatal(err)
		}
		if err := db.RecordSync(ctx, SyncOutcome{Account: acct, Kind: "cvm.instance", Region: "ap-guangzhou", Status: SyncOK}); err != nil {
			t.Fatal(err)
		}
	}
	n, err := db.DeleteInventory(ctx, "prod")
	if err != nil || n != 1 {
		t.Fatalf("deleted %d: %v", n, err)
	}
	if a, _ := db.Assets(ctx, AssetFilter{Account: "prod"}); len(a) != 0 {
		t.Errorf("prod's assets are left: %v", a)
	}
	if o, _ := db.SyncOutcomes(ctx, "prod"); len(o) != 0 {
		t.Errorf("prod's sync outcomes are left: %v", o)
	}
	if a, _ := db.Assets(ctx, AssetFilter{Account: "dev"}); len(a) != 1 {
		t.Errorf("dev's assets: %v", a)
	}
}
