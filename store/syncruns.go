package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Sync outcome statuses.
const (
	SyncOK        = "ok"
	SyncFailed    = "failed"
	SyncCancelled = "cancelled"
)

// SyncOutcome is the result of syncing one (kind, region) of an account.
type SyncOutcome struct {
	Account  string
	Kind     string
	Region   string
	Status   string
	Seen     int
	Stats    UpsertStats
	Gone     int
	Error    string
	Duration time.Duration
	At       time.Time
}

// RecordSync stores the outcome of one (kind, region) sync, committed together with the writes other
// goroutines make at the same time.
func (db *DB) RecordSync(ctx context.Context, o SyncOutcome) error {
	if o.At.IsZero() {
		o.At = db.now()
	}
	err := db.grouped(ctx, func(ctx context.Context, tx *sql.Tx) error {
		return db.insertSyncRun(ctx, tx, o)
	})
	if err != nil {
		return fmt.Errorf("record sync of %s in %s for %q: %w", o.Kind, o.Region, o.Account, err)
	}
	return nil
}

func (db *DB) insertSyncRun(ctx context.Context, tx *sql.Tx, o SyncOutcome) error {
	insert, err := db.prepared(ctx, tx, `INSERT INTO sync_runs
		(account, kind, region, status, seen, inserted, updated, unchanged, gone, error, duration_ms, at)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?)`)
	if err != nil {
		return err
	}
	defer insert.Close()
	_, err = insert.ExecContext(ctx,
		o.Account, o.Kind, o.Region, o.Status, o.Seen, o.Stats.Inserted, o.Stats.Updated, o.Stats.Unchanged,
		o.Gone, Scrub(o.Error), o.Duration.Milliseconds(), formatTime(o.At))
	return err
}

// SyncEnd is how the sync of one (kind, region) of an account ends: the rows not yet stored, the gone
// mark when the pass listed everything, and the outcome.
type SyncEnd struct {
	// Outcome names the account, kind and region, and says how the sync ended. EndSync adds what it
	// writes of Assets to its Stats, and sets its Gone.
	Outcome SyncOutcome
	Assets  []Asset // the (kind, region)'s last rows, as for UpsertAssets
	SeenAt  time.Time
	// MarkGone marks gone, at SeenAt, every stored row of the (kind, region) not in SeenIDs, as MarkGone
	// does: only for a pass that listed everything and whose other rows are already stored.
	MarkGone bool
	SeenIDs  []string // may be sorted
}

// EndSync ends the sync of one (kind, region) in one atomic write, committed together with the writes
// other goroutines make at the same time: it stores the last rows, marks gone what the pass no longer
// saw, and records the outcome, or, when it fails, does none of the three. So a (kind, region) costs one
// commit at its end rather than three, and a crash can never leave a gone mark without the rows the
// pass saw last. It returns the outcome as recorded.
func (db *DB) EndSync(ctx context.Context, e SyncEnd) (SyncOutcome, error) {
	o := e.Outcome
	if o.At.IsZero() {
		o.At = db.now()
	}
	var seen []string
	if e.MarkGone {
		seen = distinctIDs(e.SeenIDs)
	}
	seenAt := formatTime(e.SeenAt)
	var recorded SyncOutcome
	err := db.grouped(ctx, func(ctx context.Context, tx *sql.Tx) error {
		// It may run again (group.go): every result starts afresh from the caller's outcome.
		recorded = o
		if len(e.Assets) > 0 {
			stats, err := db.upsertAssets(ctx, tx, o.Account, e.Assets, seenAt)
			if err != nil {
				return fmt.Errorf("store %d assets: %w", len(e.Assets), err)
			}
			recorded.Stats = recorded.Stats.Add(stats)
		}
		if e.MarkGone {
			gone, err := db.markGone(ctx, tx, o.Account, o.Kind, o.Region, seen, seenAt)
			if err != nil {
				return fmt.Errorf("mark gone: %w", err)
			}
			recorded.Gone = gone
		}
		return db.insertSyncRun(ctx, tx, recorded)
	})
	if err != nil {
		return o, fmt.Errorf("end sync of %s in %s for %q: %w", o.Kind, o.Region, o.Account, err)
	}
	return recorded, nil
}

// SyncOutcomes returns the latest outcome per (kind, region) of an account.
func (db *DB) SyncOutcomes(ctx context.Context, account string) ([]SyncOutcome, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT account, kind, region, status, seen, inserted, updated,
		unchanged, gone, error, duration_ms, at FROM sync_runs
		WHERE seq IN (SELECT max(seq) FROM sync_runs WHERE account = ? GROUP BY kind, region)
		ORDER BY kind, region`, account)
	if err != nil {
		return nil, fmt.Errorf("read sync outcomes of %q: %w", account, err)
	}
	defer rows.Close()
	var out []SyncOutcome
	for rows.Next() {
		var o SyncOutcome
		var ms int64
		var at string
		if err := rows.Scan(&o.Account, &o.Kind, &o.Region, &o.Status, &o.Seen, &o.Stats.Inserted, &o.Stats.Updated,
			&o.Stats.Unchanged, &o.Gone, &o.Error, &ms, &at); err != nil {
			return nil, err
		}
		o.Duration = time.Duration(ms) * time.Millisecond
		o.At = parseTime(at)
		out = append(out, o)
	}
	return out, rows.Err()
}
