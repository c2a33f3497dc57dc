package inventory

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"onboard/emulator/tcloud"
	"onboard/store"
	"onboard/tencent"
)

// accountsFixture is one emulated Tencent Cloud account per index, behind servers that count the
// requests in flight over all of them and the accounts with a request in flight at once.
type accountsFixture struct {
	emus    []*tcloud.Server
	clouds  []*tencent.Client
	urls    []string
	db      *store.DB
	mu      sync.Mutex
	active  map[int]int // account → its requests in flight
	maxReqs int
	maxAccs int
}

func newAccountsFixture(t *testing.T, n, cvmPerAccount int, latency time.Duration) *accountsFixture {
	t.Helper()
	f := &accountsFixture{active: map[int]int{}}
	for i := range n {
		emu := tcloud.New(tcloud.Options{OwnerUIN: uint64(100000000100 + i), Latency: func() time.Duration { return latency }})
		emu.SeedCVM("ap-guangzhou", cvmPerAccount)
		hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			f.enter(i)
			defer f.leave(i)
			emu.ServeHTTP(w, r)
		}))
		t.Cleanup(hs.Close)
		id, key := emu.RootKey()
		c, err := tencent.New(tencent.Options{Credential: tencent.Credential{SecretID: id, SecretKey: tencent.SecretKey(key)}, Endpoint: hs.URL})
		if err != nil {
			t.Fatal(err)
		}
		f.emus, f.clouds, f.urls = append(f.emus, emu), append(f.clouds, c), append(f.urls, hs.URL)
	}
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "onboard.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	f.db = db
	return f
}

func (f *accountsFixture) enter(i int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.active[i]++
	reqs := 0
	for _, n := range f.active {
		reqs += n
	}
	f.maxReqs, f.maxAccs = max(f.maxReqs, reqs), max(f.maxAccs, len(f.active))
}

func (f *accountsFixture) leave(i int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.active[i]--; f.active[i] == 0 {
		delete(f.active, i)
	}
}

func (f *accountsFixture) syncAll(ctx context.Context, opts AccountsOptions) []error {
	return SyncAccounts(ctx, len(f.clouds), opts, func(ctx context.Context, i int, gate func(Cloud) Cloud, concurrency int) error {
		_, err := Sync(ctx, gate(f.clouds[i]), f.db, Options{Account: accountName(i), Kinds: []string{"cvm.instance"}, Regions: []string{"ap-guangzhou"},
			Concurrency: concurrency, Unlimited: true})
		return err
	})
}

func accountName(i int) string { return "acct-" + string(rune('a'+i)) }

func TestAccountsSyncAtOnceUnderOneCapOfRequestsInFlight(t *testing.T) {
	f := newAccountsFixture(t, 4, 1000, 10*time.Millisecond)
	errs := f.syncAll(context.Background(), AccountsOptions{Concurrency: 3})
	for i, err := range errs {
		if err != nil {
			t.Errorf("%s: %v", accountName(i), err)
		}
		if n := storedCVMs(t, f.db, accountName(i)); n != 1000 {
			t.Errorf("%s: %d instances stored, want 1000", accountName(i), n)
		}
	}
	if f.maxReqs > 3 {
		t.Errorf("%d requests in flight at once over the accounts, above --concurrency 3", f.maxReqs)
	}
	if f.maxAccs < 2 {
		t.Errorf("at most %d account had requests in flight at once: the accounts ran one after another", f.maxAccs)
	}
}

func TestAccountsConcurrencyOneSyncsOneAccountAtATime(t *testing.T) {
	f := newAccountsFixture(t, 3, 300, 5*time.Millisecond)
	for i, err := range f.syncAll(context.Background(), AccountsOptions{Accounts: 1}) {
		if err != nil {
			t.Errorf("%s: %v", accountName(i), err)
		}
	}
	if f.maxAccs != 1 || f.maxReqs < 2 {
		t.Errorf("%d accounts and %d requests in flight at once, want 1 account with several requests", f.maxAccs, f.maxReqs)
	}
}

// A rejected key fails its own account; the others are synced in full.
func TestOneAccountsRejectedKeyLeavesTheOthersSynced(t *testing.T) {
	f := newAccountsFixture(t, 3, 250, 5*time.Millisecond)
	id, _ := f.emus[1].RootKey()
	bad, err := tencent.New(tencent.Options{Credential: tencent.Credential{SecretID: id, SecretKey: "not-the-key"}, Endpoint: f.urls[1]})
	if err != nil {
		t.Fatal(err)
	}
	f.clouds[1] = bad
	errs := f.syncAll(context.Background(), AccountsOptions{})
	if errs[0] != nil || errs[2] != nil {
		t.Fatalf("the good accounts failed: %v", errs)
	}
	if !errors.Is(errs[1], ErrPartial) || !strings.Contains(errs[1].Error(), "AuthFailure") {
		t.Errorf("the account with a rejected key: %v", errs[1])
	}
	if a, c := storedCVMs(t, f.db, accountName(0)), storedCVMs(t, f.db, accountName(2)); a != 250 || c != 250 {
		t.Errorf("stored %d and %d instances, want 250 each", a, c)
	}
}

// A cancelled run starts no further account.
func TestCancelledAccountsSyncStartsNoFurtherAccount(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var started atomic.Int32
	errs := SyncAccounts(ctx, 5, AccountsOptions{Accounts: 1}, func(ctx context.Context, i int, _ func(Cloud) Cloud, _ int) error {
		started.Add(1)
		if i == 1 {
			cancel()
		}
		return ctx.Err()
	})
	if started.Load() != 2 {
		t.Errorf("%d accounts started, want 2", started.Load())
	}
	for i, err := range errs[1:] {
		if !errors.Is(err, context.Canceled) {
			t.Errorf("account %d: %v, want cancelled", i+1, err)
		}
	}
}

func storedCVMs(t *testing.T, db *store.DB, account string) int {
	t.Helper()
	assets, err := db.Assets(context.Background(), store.AssetFilter{Account: account, Kind: "cvm.instance"})
	if err != nil {
		t.Fatal(err)
	}
	return len(assets)
}
