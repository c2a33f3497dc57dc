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
		_, err := tx.ExecContext(ctx, `INSERT INTO sync_runs
		(account, kind, region, status, seen, inserted, updated, unchanged, gone, error, duration_ms, at)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?)`,
			o.Account, o.Kind, o.Region, o.Status, o.Seen, o.Stats.Inserted, o.Stats.Updated, o.Stats.Unchanged,
			o.Gone, Scrub(o.Error), o.Duration.Milliseconds(), formatTime(o.At))
		return err
	})
	if err != nil {
		return fmt.Errorf("record sync of %s in %s for %q: %w", o.Kind, o.Region, o.Account, err)
	}
	return nil
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
