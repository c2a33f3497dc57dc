package store

import (
	"context"
	"testing"
	"time"
)

// EndSync stores the last rows, marks gone what the pass no longer saw and records the outcome, with
// the stats of the rows it wrote added to those of the batches before; an unchanged end writes nothing.
func TestEndSyncWritesLastRowsGoneMarkAndOutcome(t *testing.T) {
	db, _ := openTestDB(t)
	ctx := context.Background()
	t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	all := testAssets(10, "v1")
	if _, err := db.UpsertAssets(ctx, "prod", all[:6], t0); err != nil {
		t.Fatal(err)
	}
	// A later pass saw rows 2..9: rows 0 and 1 are gone, 6..9 are its last, new rows.
	var seen []string
	for _, a := range all[2:] {
		seen = append(seen, a.ID)
	}
	end := SyncEnd{Outcome: SyncOutcome{Account: "prod", Kind: "cvm.instance", Region: "ap-guangzhou", Status: SyncOK,
		Seen: 8, Stats: UpsertStats{Unchanged: 4}}, Assets: testAssets(10, "v1")[6:], SeenAt: t0.Add(time.Hour),
		MarkGone: true, SeenIDs: seen}
	got, err := db.EndSync(ctx, end)
	if err != nil {
		t.Fatal(err)
	}
	if got.Stats != (UpsertStats{Inserted: 4, Unchanged: 4}) || got.Gone != 2 {
		t.Errorf("EndSync returned %+v, want 4 inserted, 4 unchanged, 2 gone", got)
	}
	live, _ := db.Assets(ctx, AssetFilter{Account: "prod"})
	withGone, _ := db.Assets(ctx, AssetFilter{Account: "prod", IncludeGone: true})
	if len(live) != 8 || len(withGone) != 10 || live[0].ID != all[2].ID {
		t.Errorf("%d live rows from %s, %d with the gone; want rows 2..9 live and 10 in all", len(live), live[0].ID, len(withGone))
	}
	out, err := db.SyncOutcomes(ctx, "prod")
	if err != nil || len(out) != 1 || out[0].Stats != got.Stats || out[0].Gone != 2 || out[0].Status != SyncOK {
		t.Fatalf("recorded outcomes %+v %v, want the one EndSync returned", out, err)
	}

	// The same pass again changes nothing and reports nothing written.
	end.Assets, end.SeenIDs, end.Outcome.Stats = testAssets(10, "v1")[6:], seen, UpsertStats{Unchanged: 4}
	again, err := db.EndSync(ctx, end)
	if err != nil || again.Stats.Written() != 0 || again.Gone != 0 {
		t.Errorf("an unchanged end: %+v %v, want nothing written", again, err)
	}
}

// A failing EndSync leaves none of its three parts, whichever of them failed, and later writes work.
func TestEndSyncThatFailsWritesNothing(t *testing.T) {
	for _, tc := range []struct{ name, trigger string }{
		{"a row", `CREATE TRIGGER refuse BEFORE INSERT ON inventory WHEN NEW.id = 'ins-00000009' BEGIN SELECT RAISE(ABORT, 'refused'); END`},
		{"the outcome", `CREATE TRIGGER refuse BEFORE INSERT ON sync_runs BEGIN SELECT RAISE(ABORT, 'refused'); END`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db, _ := openTestDB(t)
			ctx := context.Background()
			t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
			if _, err := db.UpsertAssets(ctx, "prod", testAssets(6, "v1"), t0); err != nil {
				t.Fatal(err)
			}
			if _, err := db.sql.ExecContext(ctx, tc.trigger); err != nil {
				t.Fatal(err)
			}
			// Rows 0 and 1 not seen (would be gone), 6..9 new (would be inserted).
			seen := []string{"ins-00000002", "ins-00000003", "ins-00000004", "ins-00000005",
				"ins-00000006", "ins-00000007", "ins-00000008", "ins-00000009"}
			_, err := db.EndSync(ctx, SyncEnd{Outcome: SyncOutcome{Account: "prod", Kind: "cvm.instance", Region: "ap-guangzhou",
				Status: SyncOK}, Assets: testAssets(10, "v1")[6:], SeenAt: t0.Add(time.Hour), MarkGone: true, SeenIDs: seen})
			if err == nil {
				t.Fatal("EndSync succeeded although a statement was refused")
			}
			withGone, _ := db.Assets(ctx, AssetFilter{Account: "prod", IncludeGone: true})
			live, _ := db.Assets(ctx, AssetFilter{Account: "prod"})
			out, _ := db.SyncOutcomes(ctx, "prod")
			if len(withGone) != 6 || len(live) != 6 || len(out) != 0 {
				t.Errorf("after a failed EndSync: %d rows, %d live, %d outcomes; want the 6 rows before it, all live, and no outcome",
					len(withGone), len(live), len(out))
			}
			if _, err := db.sql.ExecContext(ctx, `DROP TRIGGER refuse`); err != nil {
				t.Fatal(err)
			}
			if err := db.RecordSync(ctx, SyncOutcome{Account: "prod", Kind: "cvm.instance", Region: "ap-guangzhou", Status: SyncFailed}); err != nil {
				t.Errorf("a write after the failed one: %v", err)
			}
		})
	}
}

// An EndSync committed in one transaction with other writes keeps its own result when another fails.
func TestEndSyncGroupedWithAFailingWrite(t *testing.T) {
	db, _ := openTestDB(t)
	ctx := context.Background()
	if _, err := db.sql.ExecContext(ctx, `CREATE TRIGGER refuse BEFORE INSERT ON sync_runs WHEN NEW.account = 'bad'
		BEGIN SELECT RAISE(ABORT, 'refused'); END`); err != nil {
		t.Fatal(err)
	}
	release := holdWriter(t, db)
	bad, good := make(chan error, 1), make(chan error, 1)
	go func() {
		_, err := db.EndSync(ctx, SyncEnd{Outcome: SyncOutcome{Account: "bad", Kind: "cvm.instance", Region: "ap-guangzhou", Status: SyncOK},
			Assets: testAssets(3, "v1"), SeenAt: time.Now(), MarkGone: true, SeenIDs: []string{"ins-00000000", "ins-00000001", "ins-00000002"}})
		bad <- err
	}()
	queued(t, db, 1)
	go func() {
		_, err := db.EndSync(ctx, SyncEnd{Outcome: SyncOutcome{Account: "good", Kind: "cvm.instance", Region: "ap-guangzhou", Status: SyncOK},
			Assets: testAssets(3, "v1"), SeenAt: time.Now(), MarkGone: true, SeenIDs: []string{"ins-00000000", "ins-00000001", "ins-00000002"}})
		good <- err
	}()
	queued(t, db, 2)
	release()
	if err := <-bad; err == nil {
		t.Error("the refused EndSync succeeded")
	}
	if err := <-good; err != nil {
		t.Errorf("the EndSync beside a refused one: %v", err)
	}
	for account, want := range map[string]int{"bad": 0, "good": 3} {
		rows, _ := db.Assets(ctx, AssetFilter{Account: account})
		out, _ := db.SyncOutcomes(ctx, account)
		if len(rows) != want || len(out) != min(want, 1) {
			t.Errorf("%s: %d rows, %d outcomes; want %d and %d", account, len(rows), len(out), want, min(want, 1))
		}
	}
}
