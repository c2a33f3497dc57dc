package store

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncWriter writes as a sync does, from several goroutines for a few seconds: it takes the account's
// lock in shared mode, stores batches of assets and records outcomes. It prints "ok", or the first error.
func syncWriter(path, id string) {
	ctx := context.Background()
	db, err := Open(ctx, path)
	if err != nil {
		fmt.Println("error open:", err)
		os.Exit(0)
	}
	release, err := db.AcquireRunLock(ctx, RunLock{Account: "acct-" + id, OwnerUIN: "100", Mode: LockShared, Purpose: "sync"})
	if err != nil {
		fmt.Println("error lock:", err)
		os.Exit(0)
	}
	defer release()
	var wg sync.WaitGroup
	var once sync.Once
	failed := func(err error) { once.Do(func() { fmt.Println("error:", err) }) }
	deadline := time.Now().Add(2 * time.Second)
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; time.Now().Before(deadline); i++ {
				acct := "acct-" + id
				if _, err := db.UpsertAssets(ctx, acct, testAssets(300, fmt.Sprintf("%d-%d", i, g)), time.Now()); err != nil {
					failed(err)
					return
				}
				if err := db.RecordSync(ctx, SyncOutcome{Account: acct, Kind: "cvm.instance", Region: "ap-guangzhou", Status: "done"}); err != nil {
					failed(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	once.Do(func() { fmt.Println("ok") })
	os.Exit(0)
}

// Concurrent syncs (separate processes, each writing from several goroutines) never see SQLITE_BUSY:
// each process has one writer, and waits for the others' short transactions.
func TestConcurrentSyncsNeverSeeBusy(t *testing.T) {
	path := filepath.Join(t.TempDir(), DBFile)
	var cmds []*exec.Cmd
	var outs []*strings.Builder
	for i := range 4 {
		c := helperCommand(t, "sync-writer", path)
		c.Env = append(c.Env, "STORE_ID="+strconv.Itoa(i))
		out := &strings.Builder{}
		c.Stdout = out
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		cmds, outs = append(cmds, c), append(outs, out)
	}
	for i, c := range cmds {
		if err := c.Wait(); err != nil {
			t.Fatal(err)
		}
		if got := strings.TrimSpace(outs[i].String()); got != "ok" {
			t.Errorf("writer %d: %s", i, got)
		}
	}
}
