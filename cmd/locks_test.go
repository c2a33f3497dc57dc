package cmd

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"onboard/emulator"
	"onboard/store"
)

// TestMain lets the test binary play a second onboard process (CMD_HELPER), for the tests of locks and
// signals.
func TestMain(m *testing.M) {
	switch os.Getenv("CMD_HELPER") {
	case "hold-lock":
		holdLock()
	case "interrupt":
		interruptHelper()
	default:
		os.Exit(m.Run())
	}
}

// holdLock takes the exclusive run lock an onboarding takes (CMD_ACCOUNT, CMD_OWNER_UIN) in the database
// of ONBOARD_HOME, prints "acquired", and holds it until its standard input closes.
func holdLock() {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(os.Getenv("ONBOARD_HOME"), store.DBFile))
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	release, err := db.AcquireRunLock(ctx, store.RunLock{Account: os.Getenv("CMD_ACCOUNT"), OwnerUIN: os.Getenv("CMD_OWNER_UIN"),
		Purpose: "onboard", Mode: store.LockExclusive})
	if err != nil {
		fmt.Println("refused", err)
		os.Exit(1)
	}
	fmt.Println("acquired")
	bufio.NewReader(os.Stdin).ReadString('\n')
	release()
	os.Exit(0)
}

// interruptHelper waits for the first signal, says so, then waits on something no context reaches.
func interruptHelper() {
	ctx, stop := interruptContext()
	defer stop()
	fmt.Println("ready")
	<-ctx.Done()
	fmt.Println("cancelled")
	select {}
}

// startLockHolder runs holdLock in another process and returns once it holds the lock; closing the
// returned function's result ends it.
func startLockHolder(t *testing.T, home, account, owner string) (cmd *exec.Cmd, release func()) {
	t.Helper()
	cmd = exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "CMD_HELPER=hold-lock", "ONBOARD_HOME="+home, "CMD_ACCOUNT="+account, "CMD_OWNER_UIN="+owner)
	stdout, _ := cmd.StdoutPipe()
	stdin, _ := cmd.StdinPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := bufio.NewScanner(stdout)
	if !s.Scan() || s.Text() != "acquired" {
		t.Fatalf("lock holder: %q", s.Text())
	}
	var once sync.Once
	release = func() { once.Do(func() { stdin.Close(); cmd.Wait() }) }
	t.Cleanup(release)
	return cmd, release
}

// onboardForSync onboards the emulator's account as "prod" and returns the variables later runs use.
func onboardForSync(t *testing.T) (*emulator.Env, map[string]string) {
	t.Helper()
	env, err := emulator.Start(context.Background(), emulator.Options{Seed: "demo"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { env.Close() })
	vars := emulatorVars(env, t.TempDir())
	f, _, errOut := tencentTestFactory(vars)
	if code := run(context.Background(), f, []string{"tencent", "--no-input", "--mode", "manual", "--features", "host", "--sub-user", "sas-reader",
		"--account", "prod", "--security-center", "skip", "--skip-sync"}); code != ExitOK {
		t.Fatalf("onboard: exit %d %s", code, errOut.String())
	}
	return env, vars
}

// During an onboarding of the account (under any local name, in another process), sync refuses at once
// and says what holds it, or with --wait waits for it; syncs of one account run side by side, and none
// of them, nor an onboarding beside them, ever reports the database busy.
func TestSyncSharesTheAccountLockAndWaitsForAnOnboarding(t *testing.T) {
	env, vars := onboardForSync(t)
	_, release := startLockHolder(t, vars["ONBOARD_HOME"], "production", env.OwnerUIN)

	f, _, errOut := tencentTestFactory(vars)
	start := time.Now()
	if code := run(context.Background(), f, []string{"sync", "--account", "prod", "--kinds", "cvm.instance"}); code != ExitFailed ||
		!strings.Contains(errOut.String(), "is in use by onboard (onboard, PID") || !strings.Contains(errOut.String(), "--wait") {
		t.Fatalf("sync during an onboarding: exit %d %s", code, errOut.String())
	}
	if time.Since(start) > 5*time.Second {
		t.Fatalf("the refusal took %s", time.Since(start))
	}
	go func() { time.Sleep(500 * time.Millisecond); release() }()
	f, _, errOut = tencentTestFactory(vars)
	if code := run(context.Background(), f, []string{"sync", "--account", "prod", "--kinds", "cvm.instance", "--wait", "30s"}); code != ExitOK {
		t.Fatalf("sync --wait: exit %d %s", code, errOut.String())
	}

	// Four syncs (waiting for an onboarding) and a re-run of the onboarding at once, each with its own
	// database handle as separate processes have: every sync is done, the onboarding is done or refused
	// by the lock the syncs share, and nothing reports the database busy.
	var wg sync.WaitGroup
	results := make([]string, 5)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			args := []string{"sync", "--account", "prod", "--kinds", "cvm.instance,vpc.vpc", "--wait", "60s"}
			if i == 0 {
				args = []string{"tencent", "--no-input", "--mode", "manual", "--features", "host", "--sub-user", "sas-reader", "--account", "prod",
					"--security-center", "skip", "--skip-sync"}
			}
			f, _, errOut := tencentTestFactory(vars)
			code := run(context.Background(), f, args)
			results[i] = fmt.Sprintf("%s exit %d: %s", args[0], code, errOut.String())
		}()
	}
	wg.Wait()
	for _, r := range results {
		if strings.Contains(r, "SQLITE_BUSY") || strings.Contains(r, "database is locked") {
			t.Errorf("busy: %s", r)
		}
		switch {
		case strings.HasPrefix(r, "sync exit 0"), strings.HasPrefix(r, "tencent exit 0"):
		case strings.HasPrefix(r, "tencent exit 1") && strings.Contains(r, "is in use by onboard (sync"):
		default:
			t.Errorf("neither done nor refused by the lock: %s", r)
		}
	}
}

// A lock left by a process that ended is removed by unlock, after confirmation: at a terminal it asks,
// without one it needs --yes. The lock of a process that still runs is never removed.
func TestUnlockAsksAndNeverRemovesALiveHoldersLock(t *testing.T) {
	env, vars := onboardForSync(t)
	holder, release := startLockHolder(t, vars["ONBOARD_HOME"], "prod", env.OwnerUIN)

	f, _, errOut := tencentTestFactory(vars)
	if code := run(context.Background(), f, []string{"unlock", "--account", "prod", "--yes"}); code != ExitFailed ||
		!strings.Contains(errOut.String(), fmt.Sprintf("PID %d on this machine", holder.Process.Pid)) || !strings.Contains(errOut.String(), "still runs") {
		t.Fatalf("unlock of a live holder: exit %d %s", code, errOut.String())
	}
	// The holder dies without releasing (kill -9): its lock stays in the database.
	holder.Process.Kill()
	release()

	f, _, errOut = tencentTestFactory(vars)
	if code := run(context.Background(), f, []string{"unlock", "--account", "prod", "--no-input"}); code != ExitUsage || !strings.Contains(errOut.String(), "--yes") {
		t.Fatalf("unlock --no-input without --yes: exit %d %s", code, errOut.String())
	}
	f, out, errOut := tencentTestFactory(vars)
	f.IO.SetTTY(true, true, true)
	f.IO.In = strings.NewReader("n\n")
	if code := run(context.Background(), f, []string{"unlock", "--account", "prod"}); code != ExitFailed ||
		!strings.Contains(errOut.String(), "Remove it?") || !strings.Contains(errOut.String(), fmt.Sprintf("PID %d", holder.Process.Pid)) ||
		!strings.Contains(errOut.String(), "the lock is kept") {
		t.Fatalf("declined: exit %d %s %s", code, out.String(), errOut.String())
	}
	if n := countLocks(t, vars, "prod", env.OwnerUIN); n != 1 {
		t.Fatalf("%d locks after declining, want 1", n)
	}
	f, out, errOut = tencentTestFactory(vars)
	f.IO.SetTTY(true, true, true)
	f.IO.In = strings.NewReader("y\n")
	if code := run(context.Background(), f, []string{"unlock", "--account", "prod"}); code != ExitOK || !strings.Contains(out.String(), "Removed 1 lock") {
		t.Fatalf("confirmed: exit %d %s %s", code, out.String(), errOut.String())
	}
	if n := countLocks(t, vars, "prod", env.OwnerUIN); n != 0 {
		t.Fatalf("%d locks after unlock", n)
	}
	f, out, _ = tencentTestFactory(vars)
	if code := run(context.Background(), f, []string{"unlock", "--account", "prod", "--no-input", "--yes"}); code != ExitOK || !strings.Contains(out.String(), "No lock") {
		t.Fatalf("nothing to unlock: exit %d %s", code, out.String())
	}
}

func countLocks(t *testing.T, vars map[string]string, name, owner string) int {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(vars["ONBOARD_HOME"], store.DBFile))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	holders, err := db.RunLocks(context.Background(), name, owner)
	if err != nil {
		t.Fatal(err)
	}
	return len(holders)
}

// The first SIGTERM cancels the run; a second one ends the process, even one that waits on something
// the cancellation does not reach.
func TestSecondSignalAlwaysEndsTheProcess(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "CMD_HELPER=interrupt")
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := bufio.NewScanner(stdout)
	if !s.Scan() || s.Text() != "ready" {
		t.Fatalf("helper: %q", s.Text())
	}
	cmd.Process.Signal(syscall.SIGTERM)
	if !s.Scan() || s.Text() != "cancelled" {
		t.Fatalf("helper after the first signal: %q", s.Text())
	}
	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGTERM {
			t.Fatalf("ended by %v, want SIGTERM", err)
		}
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		t.Fatal("the second SIGTERM did not end the process")
	}
}
