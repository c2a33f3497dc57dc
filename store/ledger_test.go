package store

import (
	"context"
	"testing"
)

// An intent is on disk before the call; its outcome settles the same row, keeping what was known, and
// the ledger of an account spans its runs.
func TestLedgerRecordsIntentThenOutcomeAcrossRuns(t *testing.T) {
	db, _ := openTestDB(t)
	ctx := context.Background()
	first, _ := db.StartRun(ctx, "prod", "onboard")
	second, _ := db.StartRun(ctx, "prod", "onboard")
	other, _ := db.StartRun(ctx, "test", "onboard")
	topic, err := db.Intend(ctx, LedgerEntry{Account: "prod", RunID: first.ID, Action: LedgerCreate, Kind: "topic", Name: "onboard-audit",
		Parent: "ls-1", Region: "ap-guangzhou", Attrs: map[string]string{"a": "1"}})
	if err != nil || topic.Seq == 0 || topic.State != LedgerIntended {
		t.Fatalf("intend: %+v %v", topic, err)
	}
	lost, _ := db.Intend(ctx, LedgerEntry{Account: "prod", RunID: first.ID, Action: LedgerCreate, Kind: "user", Name: "sas-reader"})
	db.Intend(ctx, LedgerEntry{Account: "test", RunID: other.ID, Action: LedgerCreate, Kind: "user", Name: "elsewhere"})
	if err := db.Settle(ctx, topic.Seq, LedgerMade, "topic-1", map[string]string{"b": "2"}, ""); err != nil {
		t.Fatal(err)
	}
	if err := db.Settle(ctx, lost.Seq, LedgerMade, "200001", nil, ""); err != nil {
		t.Fatal(err)
	}
	// A later settle without an ID keeps the one recorded.
	if err := db.Settle(ctx, lost.Seq, LedgerDeleted, "", nil, ""); err != nil {
		t.Fatal(err)
	}
	refused, _ := db.Intend(ctx, LedgerEntry{Account: "prod", RunID: second.ID, Action: LedgerChange, Kind: "policy", Name: "cspmPolicy", ResourceID: "7"})
	if err := db.Settle(ctx, refused.Seq, LedgerFailed, "", nil, "cam UpdatePolicy: denied"); err != nil {
		t.Fatal(err)
	}
	entries, err := db.Ledger(ctx, "prod")
	if err != nil || len(entries) != 3 {
		t.Fatalf("ledger of prod: %+v %v", entries, err)
	}
	e := entries[0]
	if e.State != LedgerMade || e.ResourceID != "topic-1" || e.Parent != "ls-1" || e.Region != "ap-guangzhou" || e.Attrs["a"] != "1" || e.Attrs["b"] != "2" || e.RunID != first.ID {
		t.Errorf("topic entry: %+v", e)
	}
	if e := entries[1]; e.State != LedgerDeleted || e.ResourceID != "200001" {
		t.Errorf("user entry: %+v", e)
	}
	if e := entries[2]; e.State != LedgerFailed || e.Error != "cam UpdatePolicy: denied" || e.RunID != second.ID || e.ResourceID != "7" {
		t.Errorf("change entry: %+v", e)
	}
	if _, err := db.Intend(ctx, LedgerEntry{Account: "prod", RunID: first.ID, Action: "rename", Kind: "user"}); err == nil {
		t.Error("an unknown action was recorded")
	}
}
