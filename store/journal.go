package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Journal entry states.
const (
	StepBegin  = "begin"
	StepDone   = "done"
	StepFailed = "failed"
	StepUndone = "undone"
)

// Run statuses.
const (
	RunRunning    = "running"
	RunDone       = "done"
	RunFailed     = "failed"
	RunRolledBack = "rolled_back"
)

// Run is one execution of a journaled operation (an onboarding, a rollback) for an account.
type Run struct {
	ID         int64
	Account    string
	Kind       string
	Status     string
	StartedAt  time.Time
	FinishedAt time.Time // zero while running or after a crash
}

// Finished reports whether the run reached an end (done, failed, rolled back); a crashed run did not.
func (r Run) Finished() bool { return !r.FinishedAt.IsZero() }

// Entry is one line of the journal: a step's state change, with the IDs of what it created.
type Entry struct {
	Seq   int64
	RunID int64
	Step  string
	State string
	IDs   map[string]string
	Error string
	At    time.Time
}

// StartRun records the start of a run and returns it. Every write of the journal is committed (and on
// disk, see Open) when the call returns: what the caller was told is recorded stays recorded.
func (db *DB) StartRun(ctx context.Context, account, kind string) (Run, error) {
	now := db.now()
	res, err := db.sql.ExecContext(ctx, `INSERT INTO runs(account, kind, status, started_at) VALUES (?,?,?,?)`,
		account, kind, RunRunning, formatTime(now))
	if err != nil {
		return Run{}, fmt.Errorf("start %s run for %q: %w", kind, account, err)
	}
	id, _ := res.LastInsertId()
	return Run{ID: id, Account: account, Kind: kind, Status: RunRunning, StartedAt: now}, nil
}

// FinishRun records the end of a run with its status.
func (db *DB) FinishRun(ctx context.Context, runID int64, status string) error {
	_, err := db.sql.ExecContext(ctx, `UPDATE runs SET status = ?, finished_at = ? WHERE id = ?`,
		status, formatTime(db.now()), runID)
	if err != nil {
		return fmt.Errorf("finish run %d: %w", runID, err)
	}
	return nil
}

// LatestRun returns the most recent run of that kind for the account, or ErrNotFound.
func (db *DB) LatestRun(ctx context.Context, account, kind string) (Run, error) {
	var r Run
	var started string
	var finished sql.NullString
	err := db.sql.QueryRowContext(ctx, `SELECT id, account, kind, status, started_at, finished_at FROM runs
		WHERE account = ? AND kind = ? ORDER BY id DESC LIMIT 1`, account, kind).
		Scan(&r.ID, &r.Account, &r.Kind, &r.Status, &started, &finished)
	if errors.Is(err, sql.ErrNoRows) {
		return Run{}, fmt.Errorf("no %s run for %q: %w", kind, account, ErrNotFound)
	}
	if err != nil {
		return Run{}, fmt.Errorf("read latest run of %q: %w", account, err)
	}
	r.StartedAt = parseTime(started)
	if finished.Valid {
		r.FinishedAt = parseTime(finished.String)
	}
	return r, nil
}

// JournalBegin records that a step is about to call the cloud.
func (db *DB) JournalBegin(ctx context.Context, runID int64, step string) error {
	return db.journal(ctx, runID, step, StepBegin, nil, "")
}

// JournalDone records that a step finished, with the IDs of what it created (kind → ID).
func (db *DB) JournalDone(ctx context.Context, runID int64, step string, ids map[string]string) error {
	return db.journal(ctx, runID, step, StepDone, ids, "")
}

// JournalFailed records that a step failed, with the error text; every known secret in it is masked.
func (db *DB) JournalFailed(ctx context.Context, runID int64, step, errText string) error {
	return db.journal(ctx, runID, step, StepFailed, nil, errText)
}

// JournalUndone records that what a step created was removed again.
func (db *DB) JournalUndone(ctx context.Context, runID int64, step string) error {
	return db.journal(ctx, runID, step, StepUndone, nil, "")
}

func (db *DB) journal(ctx context.Context, runID int64, step, state string, ids map[string]string, errText string) error {
	// The journal outlives the run: nothing a failure quoted may hold a secret.
	scrubbed := make(map[string]string, len(ids))
	for k, v := range ids {
		scrubbed[k] = Scrub(v)
	}
	data, err := json.Marshal(scrubbed)
	if err != nil {
		return err
	}
	_, err = db.sql.ExecContext(ctx, `INSERT INTO journal(run_id, step, state, ids, error, at) VALUES (?,?,?,?,?,?)`,
		runID, step, state, string(data), Scrub(errText), formatTime(db.now()))
	if err != nil {
		return fmt.Errorf("journal %s %s of run %d: %w", step, state, runID, err)
	}
	return nil
}

// Journal returns the entries of a run in the order they were written.
func (db *DB) Journal(ctx context.Context, runID int64) ([]Entry, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT seq, run_id, step, state, ids, error, at FROM journal
		WHERE run_id = ? ORDER BY seq`, runID)
	if err != nil {
		return nil, fmt.Errorf("read journal of run %d: %w", runID, err)
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		var e Entry
		var ids, at string
		if err := rows.Scan(&e.Seq, &e.RunID, &e.Step, &e.State, &ids, &e.Error, &at); err != nil {
			return nil, err
		}
		_ = json.Unmarshal([]byte(ids), &e.IDs)
		e.At = parseTime(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

// Runs returns every run of that kind for the account, oldest first.
func (db *DB) Runs(ctx context.Context, account, kind string) ([]Run, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT id, account, kind, status, started_at, finished_at FROM runs
		WHERE account = ? AND kind = ? ORDER BY id`, account, kind)
	if err != nil {
		return nil, fmt.Errorf("read the %s runs of %q: %w", kind, account, err)
	}
	defer rows.Close()
	var out []Run
	for rows.Next() {
		var r Run
		var started string
		var finished sql.NullString
		if err := rows.Scan(&r.ID, &r.Account, &r.Kind, &r.Status, &started, &finished); err != nil {
			return nil, err
		}
		r.StartedAt = parseTime(started)
		if finished.Valid {
			r.FinishedAt = parseTime(finished.String)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
