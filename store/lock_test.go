package store

import (
	"bufio"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Two runs for one Tencent Cloud account under two local names: the lock is on the account, so the
// second is refused while the first holds it, and its error names the holder.
func TestRunLockIsOnTheCloudIdentity(t *testing.T) {
	path := filepath.Join(t.TempDir(), DBFile)
	holder := helperCommand(t, "lock-holder", path)
	holder.Env = append(holder.Env, "STORE_LOCK_ACCOUNT=prod", "STORE_LOCK_UIN=100012345678")
	stdout, _ := holder.StdoutPipe()
	stdin, _ := holder.StdinPipe()
	if err := holder.Start(); err != nil {
		t.Fatal(err)
	}
	s := bufio.NewScanner(stdout)
	if !s.Scan() || s.Text() != "acquired" {
		t.Fatalf("holder: %q", s.Text())
	}
	db, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	_, err = db.AcquireRunLock(context.Background(), RunLock{Account: "production", OwnerUIN: "100012345678", Mode: LockExclusive, Purpose: "onboard"})
	var held *LockHeldError
	if !errors.As(err, &held) || held.Holder.PID != holder.Process.Pid || !strings.Contains(err.Error(), "100012345678") || !strings.Contains(err.Error(), `"prod"`) {
		t.Fatalf("second local name for the same account: %v", err)
	}
	// Another account under another name is free.
	release, err := db.AcquireRunLock(context.Background(), RunLock{Account: "staging", OwnerUIN: "100099999999", Mode: LockExclusive})
	if err != nil {
		t.Fatalf("another account: %v", err)
	}
	release()
	// The same local name for another account is refused too: one name records one account.
	if _, err := db.AcquireRunLock(context.Background(), RunLock{Account: "prod", OwnerUIN: "100099999999", Mode: LockExclusive}); !errors.As(err, &held) {
		t.Fatalf("the same local name: %v", err)
	}
	stdin.Close()
	holder.Wait()
	release, err = db.AcquireRunLock(context.Background(), RunLock{Account: "production", OwnerUIN: "100012345678", Mode: LockExclusive})
	if err != nil {
		t.Fatalf("after the holder ended: %v", err)
	}
	release()
}

// Syncs share the lock; an onboarding excludes them, and they it. A sync with a wait gets the lock once
// the onboarding ends.
func TestRunLockSharedAndExclusive(t *testing.T) {
	db, _ := openTestDB(t)
	ctx := context.Background()
	sync := RunLock{Account: "prod", OwnerUIN: "100", Mode: LockShared, Purpose: "sync"}
	onboard := RunLock{Account: "prod", OwnerUIN: "100", Mode: LockExclusive, Purpose: "onboard"}

	r1, err := db.AcquireRunLock(ctx, sync)
	if err != nil {
		t.Fatal(err)
	}
	r2, err := db.AcquireRunLock(ctx, sync)
	if err != nil {
		t.Fatalf("a second sync beside the first: %v", err)
	}
	var held *LockHeldError
	if _, err := db.AcquireRunLock(ctx, onboard); !errors.As(err, &held) || held.Holder.Purpose != "sync" {
		t.Fatalf("an onboarding during syncs: %v", err)
	}
	r1()
	r2()
	r3, err := db.AcquireRunLock(ctx, onboard)
	if err != nil {
		t.Fatal(err)
	}
	_, err = db.AcquireRunLock(ctx, sync)
	if !errors.As(err, &held) || !strings.Contains(err.Error(), "onboard") {
		t.Fatalf("a sync during an onboarding: %v", err)
	}
	go func() {
		time.Sleep(300 * time.Millisecond)
		r3()
	}()
	waiting := sync
	waiting.Wait = 10 * time.Second
	start := time.Now()
	r4, err := db.AcquireRunLock(ctx, waiting)
	if err != nil || time.Since(start) < 250*time.Millisecond {
		t.Fatalf("a waiting sync: %v after %s", err, time.Since(start))
	}
	r4()

	// A wait ends with the context.
	r5, _ := db.AcquireRunLock(ctx, onboard)
	defer r5()
	cctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	if _, err := db.AcquireRunLock(cctx, waiting); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a cancelled wait: %v", err)
	}
}

// A lock row whose PID now belongs to another process (the start time differs) is stale; one from
// another host is never presumed dead, and the refusal names that host and how to unlock.
func TestRunLockStaleAndForeignHolders(t *testing.T) {
	db, _ := openTestDB(t)
	ctx := context.Background()
	insert := func(host string, pid int, start string) {
		t.Helper()
		if err := db.exec(ctx, `INSERT INTO run_locks(token, resource, mode, owner_uin, account, purpose, host, pid, start, since)
			VALUES (?, 'tencent:100', 'exclusive', '100', 'prod', 'onboard', ?, ?, ?, ?)`, newLockToken(), host, pid, start, formatTime(time.Now())); err != nil {
			t.Fatal(err)
		}
	}
	lock := RunLock{Account: "other-name", OwnerUIN: "100", Mode: LockExclusive}

	// This test's parent (go test) is alive, but the row says it started at another time: a reused PID.
	insert(hostname(), os.Getppid(), "boot/1")
	release, err := db.AcquireRunLock(ctx, lock)
	if err != nil {
		t.Fatalf("a lock of a reused PID was not taken over: %v", err)
	}
	release()

	// The same PID with its real start time is alive and holds the lock.
	insert(hostname(), os.Getppid(), processStart(os.Getppid()))
	if _, err := db.AcquireRunLock(ctx, lock); err == nil {
		t.Fatal("a live holder's lock was taken over")
	}
	db.exec(ctx, `DELETE FROM run_locks`)

	insert("build-7.example", 4242, "boot/1")
	_, err = db.AcquireRunLock(ctx, lock)
	var held *LockHeldError
	if !errors.As(err, &held) || !strings.Contains(err.Error(), "build-7.example") || !strings.Contains(err.Error(), "onboard unlock --account prod") {
		t.Fatalf("a foreign holder: %v", err)
	}
	holders, err := db.RunLocks(ctx, "prod", "")
	if err != nil || len(holders) != 1 || holders[0].Host != "build-7.example" || holders[0].OnThisHost() {
		t.Fatalf("RunLocks: %+v %v", holders, err)
	}
	if err := db.RemoveRunLock(ctx, holders[0]); err != nil {
		t.Fatal(err)
	}
	release, err = db.AcquireRunLock(ctx, lock)
	if err != nil {
		t.Fatalf("after unlock: %v", err)
	}
	release()
}

// The start time is field 22 of /proc/PID/stat, read past a command name holding spaces and ')'.
func TestProcessStartReadsField22(t *testing.T) {
	data, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		t.Skip("no /proc on this system")
	}
	fields := strings.Fields(string(data)[strings.LastIndexByte(string(data), ')')+1:])
	start := processStart(os.Getpid())
	if !strings.HasSuffix(start, "/"+fields[19]) {
		t.Fatalf("start %q, want field 22 %q", start, fields[19])
	}
	if processStart(os.Getppid()) == start {
		t.Fatal("two processes with one start identity")
	}
	if got := processStart(1 << 30); got != "" {
		t.Fatalf("a missing process: %q", got)
	}
}
