package onboarding

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"onboard/emulator/tcloud"
	"onboard/store"
)

// Two runs for one Tencent Cloud account under two local names: the lock is on the account, so while
// the first is on its way the second is refused, names the first, and creates nothing.
func TestTwoLocalNamesForOneAccountNeverRunTogether(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	// The second run has a database handle of its own, as a second process has.
	db2, err := store.Open(ctx, filepath.Join(f.home, store.DBFile))
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	second := *f.engine
	second.DB = db2

	req := Request{Mode: ModeQuick, Features: []string{"host"}, SecurityCenter: SecurityCenterSkip, SkipSync: true}
	inKeyStep, resume := make(chan struct{}), make(chan struct{})
	done := make(chan error)
	go func() {
		first := req
		first.Account = "prod"
		_, err := f.engine.Apply(ctx, first, func(e Event) {
			if e.Step == "key" && e.Status == "running" {
				close(inKeyStep)
				<-resume
			}
		})
		done <- err
	}()
	<-inKeyStep
	keysBefore := f.countCalls("CreateAccessKey")
	other := req
	other.Account = "production"
	_, err = second.Apply(ctx, other, nil)
	var held *store.LockHeldError
	if !errors.As(err, &held) || held.Holder.Account != "prod" || !strings.Contains(err.Error(), `"prod"`) {
		t.Fatalf("second local name while the first runs: %v", err)
	}
	if n := f.countCalls("CreateAccessKey"); n != keysBefore {
		t.Fatalf("the refused run created %d keys", n-keysBefore)
	}
	close(resume)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if n := f.countCalls("CreateAccessKey"); n != 1 {
		t.Fatalf("%d keys created, want 1", n)
	}
}

func (f *fixture) countCalls(action string) int {
	return len(slices.DeleteFunc(f.emu.Calls(), func(c tcloud.Call) bool { return c.Action != action || c.Code != "" }))
}
