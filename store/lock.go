package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"
	"time"
)

// LockMode says whether a run lock is held alone or beside others of its kind.
type LockMode string

const (
	// LockExclusive is an onboarding's, a rollback's or a first sync's: it changes the cloud account, so
	// it runs alone.
	LockExclusive LockMode = "exclusive"
	// LockShared is an asset sync's: it only reads the cloud account with the stored key, so syncs may
	// run side by side, but never during an onboarding.
	LockShared LockMode = "shared"
)

// RunLock says what a run locks and who asks. The lock is on the cloud identity: the Tencent Cloud
// account (its owner UIN), whatever local name it goes by, so two runs under two local names for one
// account never both create keys. The local name is locked as well, so one name never records two
// accounts at once.
type RunLock struct {
	OwnerUIN string // the Tencent Cloud account; empty when not known yet
	Account  string // the local name
	SubUser  string // for the messages of runs that wait for this one
	Purpose  string // what the run does: onboard, rollback, sync, first sync
	Mode     LockMode
	// Wait is how long to wait for a conflicting holder to finish; 0 refuses at once.
	Wait time.Duration
}

// resources are the rows a lock takes: the cloud identity, then the local name.
func (l RunLock) resources() []string {
	var out []string
	if l.OwnerUIN != "" {
		out = append(out, "tencent:"+l.OwnerUIN)
	}
	if l.Account != "" {
		out = append(out, "account:"+l.Account)
	}
	return out
}

// LockHolder is a process that holds (or held) a run lock.
type LockHolder struct {
	Resource string
	Mode     LockMode
	OwnerUIN string
	Account  string
	SubUser  string
	Purpose  string
	Host     string
	PID      int
	// Start identifies the process beside its PID (boot ID and start time), so a PID the system
	// has since given to another process is not taken for the holder.
	Start string
	Since time.Time
	token string
}

// OnThisHost reports whether the holder ran on this machine.
func (h LockHolder) OnThisHost() bool { return h.Host == hostname() }

// Alive reports whether the holder still runs. A holder on another host cannot be checked from here,
// so it counts as alive until someone who knows removes it (onboard unlock).
func (h LockHolder) Alive() bool {
	if !h.OnThisHost() {
		return true
	}
	if !processAlive(h.PID) {
		return false
	}
	start := processStart(h.PID)
	return h.Start == "" || start == "" || start == h.Start
}

func (h LockHolder) describe() string {
	what := "Tencent Cloud account " + h.OwnerUIN
	if h.OwnerUIN == "" {
		what = fmt.Sprintf("account %q", h.Account)
	} else if h.Account != "" {
		what += fmt.Sprintf(" (local name %q)", h.Account)
	}
	if h.SubUser != "" {
		what += ", sub-user " + h.SubUser + ","
	}
	return what
}

// LockHeldError says another onboard process holds a conflicting run lock.
type LockHeldError struct {
	Holder LockHolder
}

func (e *LockHeldError) Error() string {
	h := e.Holder
	purpose := h.Purpose
	if purpose == "" {
		purpose = "a run"
	}
	msg := fmt.Sprintf("%s is in use by onboard (%s, PID %d on %s) since %s", h.describe(), purpose, h.PID, h.Host, h.Since.Format(time.RFC3339))
	if !h.OnThisHost() {
		return msg + fmt.Sprintf("; the lock was taken on host %s, so this machine cannot tell whether it still runs: once it has stopped there, run onboard unlock --account %s", h.Host, unlockName(h))
	}
	return msg + "; wait for it to finish or stop it"
}

func unlockName(h LockHolder) string {
	if h.Account != "" {
		return h.Account
	}
	return h.OwnerUIN
}

// lockPoll is how often a waiting run looks at the lock again.
const lockPoll = 200 * time.Millisecond

// AcquireRunLock takes the run lock l describes: every one of its resources in one immediate
// transaction, so two processes never onboard, or onboard and sync, the same account at once. Each
// holder is a row (host, PID, process start, since); a row left on this host by a process that no
// longer runs, or whose PID now belongs to another process, is stale and removed, so a kill -9 never
// wedges an account. A row from another host is never presumed dead. With l.Wait, a conflicting holder
// is waited for that long. release deletes this holder's rows.
func (db *DB) AcquireRunLock(ctx context.Context, l RunLock) (release func() error, err error) {
	if l.Mode != LockExclusive && l.Mode != LockShared {
		return nil, fmt.Errorf("lock %q: unknown mode %q", l.Account, l.Mode)
	}
	resources := l.resources()
	if len(resources) == 0 {
		return nil, errors.New("lock: no account named")
	}
	me := LockHolder{Mode: l.Mode, OwnerUIN: l.OwnerUIN, Account: l.Account, SubUser: l.SubUser, Purpose: l.Purpose,
		Host: hostname(), PID: os.Getpid(), Start: processStart(os.Getpid()), token: newLockToken()}
	deadline := time.Now().Add(l.Wait)
	for {
		err = db.tx(ctx, func(tx *sql.Tx) error { return db.tryLock(ctx, tx, resources, me) })
		var held *LockHeldError
		if !errors.As(err, &held) || time.Now().After(deadline) {
			break
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("wait for the lock of %s: %w", held.Holder.describe(), ctx.Err())
		case <-time.After(lockPoll):
		}
	}
	if err != nil {
		var held *LockHeldError
		if errors.As(err, &held) {
			return nil, held
		}
		return nil, fmt.Errorf("lock account %q: %w", l.Account, err)
	}
	return func() error {
		// The release must happen even if the run's context was cancelled.
		return db.exec(context.WithoutCancel(ctx), `DELETE FROM run_locks WHERE token = ?`, me.token)
	}, nil
}

func (db *DB) tryLock(ctx context.Context, tx *sql.Tx, resources []string, me LockHolder) error {
	for _, res := range resources {
		holders, err := queryLocks(ctx, tx, `WHERE resource = ?`, res)
		if err != nil {
			return err
		}
		for _, h := range holders {
			if !h.Alive() {
				if _, err := tx.ExecContext(ctx, `DELETE FROM run_locks WHERE token = ?`, h.token); err != nil {
					return err
				}
				continue
			}
			if me.Mode == LockExclusive || h.Mode == LockExclusive {
				return &LockHeldError{Holder: h}
			}
		}
	}
	for _, res := range resources {
		_, err := tx.ExecContext(ctx, `INSERT INTO run_locks(token, resource, mode, owner_uin, account, sub_user, purpose, host, pid, start, since)
			VALUES (?,?,?,?,?,?,?,?,?,?,?)`, me.token, res, string(me.Mode), me.OwnerUIN, me.Account, me.SubUser, me.Purpose,
			me.Host, me.PID, me.Start, formatTime(db.now()))
		if err != nil {
			return err
		}
	}
	return nil
}

const lockColumns = `token, resource, mode, owner_uin, account, sub_user, purpose, host, pid, start, since`

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func queryLocks(ctx context.Context, q querier, where string, args ...any) ([]LockHolder, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+lockColumns+` FROM run_locks `+where+` ORDER BY since`, args...)
	if err != nil {
		return nil, fmt.Errorf("read run locks: %w", err)
	}
	defer rows.Close()
	var out []LockHolder
	for rows.Next() {
		var h LockHolder
		var mode, since string
		if err := rows.Scan(&h.token, &h.Resource, &mode, &h.OwnerUIN, &h.Account, &h.SubUser, &h.Purpose, &h.Host, &h.PID, &h.Start, &since); err != nil {
			return nil, fmt.Errorf("read run locks: %w", err)
		}
		h.Mode, h.Since = LockMode(mode), parseTime(since)
		out = append(out, h)
	}
	return out, rows.Err()
}

// RunLocks returns the holders of the locks of the account known locally as name: of its local name,
// and of its Tencent Cloud account (ownerUIN, when known), one entry per holder.
func (db *DB) RunLocks(ctx context.Context, name, ownerUIN string) ([]LockHolder, error) {
	holders, err := queryLocks(ctx, db.sql, `WHERE resource = ? OR resource = ? OR account = ?`, "account:"+name, "tencent:"+ownerUIN, name)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []LockHolder
	for _, h := range holders {
		if !seen[h.token] {
			seen[h.token] = true
			out = append(out, h)
		}
	}
	return out, nil
}

// RemoveRunLock removes every row of that holder (as RunLocks returned it). It is for a holder that is
// known to be gone, such as one on another host; the caller makes sure of that.
func (db *DB) RemoveRunLock(ctx context.Context, h LockHolder) error {
	if err := db.exec(ctx, `DELETE FROM run_locks WHERE token = ?`, h.token); err != nil {
		return fmt.Errorf("remove the lock of PID %d on %s: %w", h.PID, h.Host, err)
	}
	return nil
}

func newLockToken() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func hostname() string {
	h, _ := os.Hostname()
	return h
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

// processStart identifies when the process started, so that a PID reused by another process is not
// taken for the holder: on Linux, the boot ID and field 22 (starttime, in clock ticks since boot) of
// /proc/PID/stat, see proc_pid_stat(5). Elsewhere it is empty and the PID alone is checked.
func processStart(pid int) string {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return ""
	}
	// Field 2, the command name, is in parentheses and may hold spaces or parentheses itself: the
	// fields after it are counted from the last ')'.
	i := strings.LastIndexByte(string(data), ')')
	if i < 0 {
		return ""
	}
	fields := strings.Fields(string(data[i+1:]))
	const starttime = 22 - 3 // field 3 (state) is the first after ')'
	if len(fields) <= starttime {
		return ""
	}
	boot, _ := os.ReadFile("/proc/sys/kernel/random/boot_id")
	return strings.TrimSpace(string(boot)) + "/" + fields[starttime]
}
