package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"
)

// queued waits until n writes wait in the group queue (the writer being held, none can be taken).
func queued(t *testing.T, db *DB, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		db.group.mu.Lock()
		got := len(db.group.queue)
		db.group.mu.Unlock()
		if got == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d writes queued, want %d", got, n)
		}
		time.Sleep(time.Millisecond)
	}
}

// holdWriter makes the next group transaction wait until the returned function is called, so that the
// writes submitted meanwhile are all committed in one transaction.
func holdWriter(t *testing.T, db *DB) (release func()) {
	t.Helper()
	ctx := context.Background()
	db.writer <- struct{}{}
	// One write is taken at once and waits for the writer; the next ones queue behind it.
	first := make(chan error, 1)
	go func() {
		first <- db.RecordSync(ctx, SyncOutcome{Account: "first", Kind: "k", Region: "r", Status: SyncOK})
	}()
	deadline := time.Now().Add(10 * time.Second)
	for {
		db.group.mu.Lock()
		taken := db.group.running && len(db.group.queue) == 0
		db.group.mu.Unlock()
		if taken {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the first write was not taken")
		}
		time.Sleep(time.Millisecond)
	}
	return func() {
		db.unlockWriter()
		if err := <-first; err != nil {
			t.Errorf("first write: %v", err)
		}
	}
}

// Many goroutines writing at once each get their own, correct result, and everything is stored.
func TestGroupedWritesFromManyGoroutines(t *testing.T) {
	db, _ := openTestDB(t)
	ctx := context.Background()
	const writers, rounds, rows = 20, 10, 30
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for g := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			account := fmt.Sprintf("acct-%02d", g)
			// Each account has its own number of rows, so a result given to the wrong caller shows.
			n := rows + g
			for r := range rounds {
				want := UpsertStats{Inserted: n}
				if r > 0 {
					want = UpsertStats{Updated: n}
				}
				got, err := db.UpsertAssets(ctx, account, testAssets(n, fmt.Sprint(r)), time.Now())
				if err != nil || got != want {
					errs <- fmt.Errorf("%s round %d: %+v, %v; want %+v", account, r, got, err, want)
					return
				}
				if err := db.RecordSync(ctx, SyncOutcome{Account: account, Kind: "cvm.instance", Region: "ap-guangzhou", Status: SyncOK, Seen: r}); err != nil {
					errs <- err
					return
				}
			}
			gone, err := db.MarkGone(ctx, account, "cvm.instance", "ap-guangzhou", []string{"ins-00000000"}, time.Now())
			if err != nil || gone != n-1 {
				errs <- fmt.Errorf("%s: %d gone, %v; want %d", account, gone, err, n-1)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for g := range writers {
		account := fmt.Sprintf("acct-%02d", g)
		all, err := db.Assets(ctx, AssetFilter{Account: account, IncludeGone: true})
		if err != nil || len(all) != rows+g {
			t.Errorf("%s: %d assets stored, %v; want %d", account, len(all), err, rows+g)
		}
		outcomes, err := db.SyncOutcomes(ctx, account)
		if err != nil || len(outcomes) != 1 || outcomes[0].Seen != rounds-1 {
			t.Errorf("%s: outcomes %+v, %v; want the last round's", account, outcomes, err)
		}
	}
}

// In one group transaction, a write that fails (or breaks the transaction) gets its error, and its rows
// are not stored; every other write of the group is stored and told so.
func TestGroupedFailureStaysWithItsCaller(t *testing.T) {
	bad := errors.New("bad batch")
	failing := map[string]func(ctx context.Context, tx *sql.Tx) error{
		"a write that fails after writing": func(ctx context.Context, tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, `INSERT INTO sync_runs (account, kind, region, status, at) VALUES ('bad','k','r','ok','now')`); err != nil {
				return err
			}
			return bad
		},
		"a write that ends the transaction": func(ctx context.Context, tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, `INSERT INTO sync_runs (account, kind, region, status, at) VALUES ('bad','k','r','ok','now')`); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `ROLLBACK`); err != nil {
				return err
			}
			return bad
		},
		"a statement that fails": func(ctx context.Context, tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, `INSERT INTO sync_runs (account, kind, region, status, at) VALUES ('bad','k','r','ok','now')`); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO ledger (account, run_id, action, kind, state, at, updated_at) VALUES ('bad', 1, 'nonsense', 'k', 'made', 'now', 'now')`)
			return err
		},
	}
	for name, fail := range failing {
		t.Run(name, func(t *testing.T) {
			db, _ := openTestDB(t)
			ctx := context.Background()
			release := holdWriter(t, db)
			const good = 10
			results := make(chan error, good)
			badResult := make(chan error, 1)
			for g := range good {
				if g == good/2 {
					go func() { badResult <- db.grouped(ctx, fail) }()
				}
				go func() {
					_, err := db.UpsertAssets(ctx, fmt.Sprintf("acct-%d", g), testAssets(5, "v1"), time.Now())
					results <- err
				}()
			}
			queued(t, db, good+1)
			release()
			for range good {
				if err := <-results; err != nil {
					t.Errorf("a good write failed: %v", err)
				}
			}
			if err := <-badResult; err == nil {
				t.Error("the failing write reported success")
			}
			all, err := db.Assets(ctx, AssetFilter{})
			if err != nil || len(all) != good*5 {
				t.Errorf("%d assets stored, %v; want %d", len(all), err, good*5)
			}
			if bad, err := db.SyncOutcomes(ctx, "bad"); err != nil || len(bad) != 0 {
				t.Errorf("the failing write's row was stored: %+v, %v", bad, err)
			}
		})
	}
}

// A caller that gives up while its write waits gets its context's error, and the write is not made.
func TestGroupedWriteWithdrawnWhenCancelled(t *testing.T) {
	db, _ := openTestDB(t)
	release := holdWriter(t, db)
	ctx, cancel := context.WithCancel(context.Background())
	result := make(chan error, 1)
	go func() {
		_, err := db.UpsertAssets(ctx, "gave-up", testAssets(3, "v1"), time.Now())
		result <- err
	}()
	queued(t, db, 1)
	cancel()
	if err := <-result; !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled write: %v, want context.Canceled", err)
	}
	release()
	if all, err := db.Assets(context.Background(), AssetFilter{Account: "gave-up"}); err != nil || len(all) != 0 {
		t.Errorf("a withdrawn write was stored: %d assets, %v", len(all), err)
	}
}

// BenchmarkConcurrentSyncWrites writes as sync --all does: 20 accounts at once, each one (kind, region)
// after another, ending each with one EndSync (its rows, the gone mark and the outcome), each write
// waiting for the one before. It reports the wall time of all accounts against that of one, and the rows
// and writes per second the store took. BenchmarkSync/accounts needs the 20 accounts' 100,000 rows stored
// within its bound of about 1.3 s, beside the decoding of the answers.
//
//	go test ./store -run '^$' -bench BenchmarkConcurrentSyncWrites -benchtime 1x
func BenchmarkConcurrentSyncWrites(b *testing.B) {
	const units, rows = 225, 22 // about 5,000 assets over 225 (kind, region)s, as one account of BenchmarkSync/accounts
	ctx := context.Background()
	// The rows are made and hashed beforehand, as the sync's fetching goroutines do.
	batches := make([][]Asset, units)
	for u := range batches {
		batches[u] = testAssets(rows, "v1")
		for i := range batches[u] {
			a := &batches[u][i]
			a.Kind = fmt.Sprintf("kind-%03d", u)
			a.Hash = ContentHash(a.Name, a.Attributes)
		}
	}
	syncAccounts := func(db *DB, prefix string, accounts int) time.Duration {
		start := time.Now()
		var wg sync.WaitGroup
		for g := range accounts {
			wg.Add(1)
			go func() {
				defer wg.Done()
				account := fmt.Sprintf("%s-%02d", prefix, g)
				for _, batch := range batches {
					assets := slices.Clone(batch)
					seen := make([]string, len(assets))
					for i := range assets {
						seen[i] = assets[i].ID
					}
					_, err := db.EndSync(ctx, SyncEnd{
						Outcome: SyncOutcome{Account: account, Kind: assets[0].Kind, Region: "ap-guangzhou", Status: SyncOK, Seen: rows},
						Assets:  assets, SeenAt: time.Now(), MarkGone: true, SeenIDs: seen,
					})
					if err != nil {
						b.Error(err)
						return
					}
				}
			}()
		}
		wg.Wait()
		return time.Since(start)
	}
	for b.Loop() {
		db, _ := openTestDB(b)
		one := syncAccounts(db, "one", 1)
		cpu0 := processCPU()
		all := syncAccounts(db, "all", 20)
		cpu := processCPU() - cpu0
		b.ReportMetric(one.Seconds(), "one_account_s")
		b.ReportMetric(all.Seconds(), "20_accounts_s")
		b.ReportMetric(cpu.Seconds(), "20_accounts_cpu_s")
		b.ReportMetric(all.Seconds()/one.Seconds(), "ratio")
		b.ReportMetric(float64(20*units)/all.Seconds(), "writes/s")
		b.ReportMetric(float64(20*units*rows)/all.Seconds(), "rows/s")
	}
}

// processCPU is the CPU time this process has used, user and system.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
