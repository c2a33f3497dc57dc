package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"
)

// LockHeldError says another onboard process holds the run lock of an account.
type LockHeldError struct {
	Account string
	PID     int
	Host    string
	Since   time.Time
}

func (e *LockHeldError) Error() string {
	return fmt.Sprintf("account %q is in use by onboard (PID %d on %s) since %s; wait for it to finish or stop it",
		e.Account, e.PID, e.Host, e.Since.Format(time.RFC3339))
}

// AcquireRunLock takes the per-account run lock, so two processes never onboard or sync the same account
// at once. The lock is a row (PID, host, since) written in an immediate transaction; a row left by a
// process that no longer exists on this host is stale and taken over, so a kill -9 never wedges an
// account. release deletes the row if it is still ours.
func (db *DB) AcquireRunLock(ctx context.Context, account string) (release func() error, err error) {
	pid := os.Getpid()
	host, _ := os.Hostname()
	err = db.tx(ctx, func(tx *sql.Tx) error {
		var held LockHeldError
		var since string
		err := tx.QueryRowContext(ctx, `SELECT pid, host, since FROM locks WHERE account = ?`, account).
			Scan(&held.PID, &held.Host, &since)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return err
		case held.PID == pid && held.Host == host:
			return fmt.Errorf("account %q is already locked by this process", account)
		case held.Host != host || processAlive(held.PID):
			held.Account, held.Since = account, parseTime(since)
			return &held
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO locks(account, pid, host, since) VALUES (?,?,?,?)
			ON CONFLICT(account) DO UPDATE SET pid = excluded.pid, host = excluded.host, since = excluded.since`,
			account, pid, host, formatTime(db.now()))
		return err
	})
	if err != nil {
		var held *LockHeldError
		if errors.As(err, &held) {
			return nil, held
		}
		return nil, fmt.Errorf("lock account %q: %w", account, err)
	}
	return func() error {
		// The release must happen even if the run's context was cancelled.
		_, err := db.sql.ExecContext(context.WithoutCancel(ctx), `DELETE FROM locks WHERE account = ? AND pid = ? AND host = ?`, account, pid, host)
		return err
	}, nil
}

// processAlive reports whether a process with that PID exists on this host (signal 0 probes without
// sending anything; EPERM means it exists but belongs to someone else).
func processAlive(pid int) bool {
	if pid <= 0 {
		return false
	}
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
