package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"
)

// Ledger actions: what a recorded call does to its resource.
const (
	// LedgerCreate makes a resource: once made it is this tool's until a rollback deletes it, whichever
	// run later reuses it.
	LedgerCreate = "create"
	// LedgerChange changes something that exists (an update, a setting); Before holds what it was.
	LedgerChange = "change"
	// LedgerDelete removes a resource.
	LedgerDelete = "delete"
)

// Ledger states: where a recorded call stands.
const (
	// LedgerIntended: the call is about to be made, or was made and its answer never came (a kill, a
	// dropped connection). The next run resolves it by finding the resource by its name or marker.
	LedgerIntended = "intended"
	// LedgerMade: the call succeeded; for a create, ResourceID is what it made.
	LedgerMade = "made"
	// LedgerFailed: the service answered that it did nothing.
	LedgerFailed = "failed"
	// LedgerAbsent: an unanswered call was found, on a later run, to have made nothing.
	LedgerAbsent = "absent"
	// LedgerUnknown: an unanswered change or delete; what it did cannot be told, and nothing depends on it.
	LedgerUnknown = "unknown"
	// LedgerDeleted: what a create made was removed again (by a rollback, or because it was useless).
	LedgerDeleted = "deleted"
)

// LedgerEntry is one mutating call of the tool: written before the call (intended), settled as soon as
// it returns. The ledger of an account spans every run, so what any run created stays known.
type LedgerEntry struct {
	Seq        int64
	Account    string
	RunID      int64
	Action     string // create, change or delete
	Kind       string // user, policy, attachment, key, logset, topic, ...
	Name       string // its name, e.g. the policy's or the topic's
	Parent     string // what it belongs to, e.g. the logset of a topic, the user UIN of a key
	Region     string
	ResourceID string
	// Attrs are further facts for finding or removing it (never a secret), e.g. the SecretId submitted to
	// a Security Center account, or the value a change replaced.
	Attrs     map[string]string
	State     string
	Error     string
	At        time.Time // when the intent was recorded
	UpdatedAt time.Time
}

// Intend records that a run is about to make a mutating call, and returns the entry with its Seq. Like
// the journal, it is on disk when the call returns.
func (db *DB) Intend(ctx context.Context, e LedgerEntry) (LedgerEntry, error) {
	attrs, err := json.Marshal(nonNilMap(e.Attrs))
	if err != nil {
		return e, err
	}
	now := db.now()
	res, err := db.sql.ExecContext(ctx, `INSERT INTO ledger(account, run_id, action, kind, name, parent, region, resource_id, attrs, state, error, at, updated_at)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)`, e.Account, e.RunID, e.Action, e.Kind, e.Name, e.Parent, e.Region, e.ResourceID,
		string(attrs), LedgerIntended, "", formatTime(now), formatTime(now))
	if err != nil {
		return e, fmt.Errorf("record intent to %s %s %q: %w", e.Action, e.Kind, e.Name, err)
	}
	e.Seq, _ = res.LastInsertId()
	e.State, e.At, e.UpdatedAt = LedgerIntended, now, now
	return e, nil
}

// Settle records where a recorded call stands now: its state, the ID of what it made (kept when empty),
// attributes to add, and the error text (scrubbed of every secret the process knows).
func (db *DB) Settle(ctx context.Context, seq int64, state, resourceID string, attrs map[string]string, errText string) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		var old string
		if err := tx.QueryRowContext(ctx, `SELECT attrs FROM ledger WHERE seq = ?`, seq).Scan(&old); err != nil {
			return fmt.Errorf("settle ledger entry %d: %w", seq, err)
		}
		merged := map[string]string{}
		_ = json.Unmarshal([]byte(old), &merged)
		for k, v := range attrs {
			merged[k] = v
		}
		data, err := json.Marshal(merged)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE ledger SET state = ?, resource_id = CASE WHEN ? = '' THEN resource_id ELSE ? END,
			attrs = ?, error = ?, updated_at = ? WHERE seq = ?`, state, resourceID, resourceID, string(data), Scrub(errText), formatTime(db.now()), seq)
		if err != nil {
			return fmt.Errorf("settle ledger entry %d: %w", seq, err)
		}
		return nil
	})
}

// Ledger returns every entry of the account, across all its runs, in the order they were written.
func (db *DB) Ledger(ctx context.Context, account string) ([]LedgerEntry, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT seq, account, run_id, action, kind, name, parent, region, resource_id, attrs,
		state, error, at, updated_at FROM ledger WHERE account = ? ORDER BY seq`, account)
	if err != nil {
		return nil, fmt.Errorf("read the ledger of %q: %w", account, err)
	}
	defer rows.Close()
	var out []LedgerEntry
	for rows.Next() {
		var e LedgerEntry
		var attrs, at, updated string
		if err := rows.Scan(&e.Seq, &e.Account, &e.RunID, &e.Action, &e.Kind, &e.Name, &e.Parent, &e.Region, &e.ResourceID,
			&attrs, &e.State, &e.Error, &at, &updated); err != nil {
			return nil, fmt.Errorf("read the ledger of %q: %w", account, err)
		}
		_ = json.Unmarshal([]byte(attrs), &e.Attrs)
		e.At, e.UpdatedAt = parseTime(at), parseTime(updated)
		out = append(out, e)
	}
	return out, rows.Err()
}

func nonNilMap(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}
