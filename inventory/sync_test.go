package inventory

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
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

type fixture struct {
	emu   *tcloud.Server
	url   string
	cloud *tencent.Client
	db    *store.DB
	// inFlight and maxInFlight count concurrent requests; offsets records each listing's Offset per
	// action and region, in the order the requests arrived.
	inFlight, maxInFlight atomic.Int64
	mu                    sync.Mutex
	offsets               map[string][]int
}

func newFixture(t *testing.T, emu *tcloud.Server) *fixture {
	t.Helper()
	f := &fixture{emu: emu, offsets: map[string][]int{}}
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := f.inFlight.Add(1)
		defer f.inFlight.Add(-1)
		for {
			m := f.maxInFlight.Load()
			if n <= m || f.maxInFlight.CompareAndSwap(m, n) {
				break
			}
		}
		body, _ := io.ReadAll(r.Body)
		var in struct{ Offset any }
		json.Unmarshal(body, &in)
		if in.Offset != nil {
			var off int
			json.Unmarshal([]byte(strings.Trim(mustJSON(in.Offset), `"`)), &off)
			f.mu.Lock()
			key := r.Header.Get("X-TC-Action") + "@" + r.Header.Get("X-TC-Region")
			f.offsets[key] = append(f.offsets[key], off)
			f.mu.Unlock()
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		emu.ServeHTTP(w, r)
	}))
	t.Cleanup(hs.Close)
	f.url = hs.URL
	id, key := emu.RootKey()
	f.cloud = f.client(t, id, key)
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "onboard.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	f.db = db
	return f
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func (f *fixture) client(t *testing.T, id, secret string) *tencent.Client {
	t.Helper()
	c, err := tencent.New(tencent.Options{Credential: tencent.Credential{SecretID: id, SecretKey: tencent.SecretKey(secret)},
		Endpoint: f.url, Retry: tencent.Retry{Attempts: 4, Base: 5 * time.Millisecond, Max: 20 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (f *fixture) stored(t *testing.T, kind, region string, gone bool) int {
	t.Helper()
	assets, err := f.db.Assets(context.Background(), store.AssetFilter{Account: "acme", Kind: kind, Region: region, IncludeGone: gone})
	if err != nil {
		t.Fatal(err)
	}
	return len(assets)
}

func outcome(t *testing.T, res Result, kind, region string) Outcome {
	t.Helper()
	for _, o := range res.Outcomes {
		if o.Kind == kind && o.Region == region {
			return o
		}
	}
	t.Fatalf("no outcome for %s in %q among %+v", kind, region, res.Outcomes)
	return Outcome{}
}

func TestPagingEdgesListEveryAssetWithTheFewestRequests(t *testing.T) {
	emu := tcloud.New(tcloud.Options{})
	counts := map[string]int{"ap-guangzhou": 0, "ap-shanghai": 1, "ap-beijing": 100, "ap-tokyo": 101}
	for region, n := range counts {
		emu.SeedCVM(region, n)
	}
	f := newFixture(t, emu)
	res, err := Sync(context.Background(), f.cloud, f.db, Options{Account: "acme", Kinds: []string{"cvm.instance"}})
	if err != nil {
		t.Fatal(err)
	}
	for region, n := range counts {
		o := outcome(t, res, "cvm.instance", region)
		if o.Status != StatusDone || o.Seen != n || o.Total != n || f.stored(t, "cvm.instance", region, false) != n {
			t.Errorf("%s: %+v, stored %d; want %d", region, o, f.stored(t, "cvm.instance", region, false), n)
		}
	}
	// One page each, two for 101.
	if res.Requests != 5 {
		t.Errorf("%d listing requests, want 5", res.Requests)
	}
}

func TestEveryKindIsStoredAndASecondSyncWritesNothing(t *testing.T) {
	emu := tcloud.New(tcloud.Options{})
	sd, _ := tcloud.ParseSeedGen("regions=3,cvm=250,lighthouse=30,vpc=6,subnet=12,security_group=9,disk=210,clb=5,cdb=4,cam_user=7")
	if err := emu.Apply(context.Background(), sd); err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, emu)
	ctx := context.Background()
	res, err := Sync(ctx, f.cloud, f.db, Options{Account: "acme"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"cvm.instance": 250, "lighthouse.instance": 30, "vpc.vpc": 6, "vpc.subnet": 12, "vpc.security_group": 9,
		"cbs.disk": 210, "clb.load_balancer": 5, "cdb.instance": 4, "cam.user": 7}
	for kind, n := range want {
		if got := res.Counts()[kind]; got != n || f.stored(t, kind, "", false) != n {
			t.Errorf("%s: counted %d, stored %d, want %d", kind, got, f.stored(t, kind, "", false), n)
		}
	}
	if res.Written() != 533 {
		t.Errorf("first sync wrote %d rows, want 533", res.Written())
	}
	again, err := Sync(ctx, f.cloud, f.db, Options{Account: "acme"})
	if err != nil || again.Written() != 0 {
		t.Errorf("second sync wrote %d rows (%v), want none", again.Written(), err)
	}
	outcomes, _ := f.db.SyncOutcomes(ctx, "acme")
	if len(outcomes) != len(res.Outcomes) {
		t.Errorf("%d recorded outcomes, want %d", len(outcomes), len(res.Outcomes))
	}
}

func TestConcurrencyOneSendsOneRequestAtATimeInPageOrder(t *testing.T) {
	emu := tcloud.New(tcloud.Options{Latency: func() time.Duration { return 2 * time.Millisecond }})
	emu.SeedCVM("ap-guangzhou", 450)
	emu.SeedDisks("ap-guangzhou", 230)
	f := newFixture(t, emu)
	if _, err := Sync(context.Background(), f.cloud, f.db, Options{Account: "acme", Kinds: []string{"cvm.instance", "cbs.disk"}, Concurrency: 1, Unlimited: true}); err != nil {
		t.Fatal(err)
	}
	if m := f.maxInFlight.Load(); m != 1 {
		t.Errorf("%d requests were in flight at once, want 1", m)
	}
	if got := mustJSON(f.offsets["DescribeInstances@ap-guangzhou"]); got != "[0,100,200,300,400]" {
		t.Errorf("CVM offsets %s", got)
	}
	if got := mustJSON(f.offsets["DescribeDisks@ap-guangzhou"]); got != "[0,100,200]" {
		t.Errorf("CBS offsets %s", got)
	}
}

func TestARegionFailingForGoodIsReportedWhileTheOthersFinish(t *testing.T) {
	emu := tcloud.New(tcloud.Options{})
	for _, r := range []string{"ap-guangzhou", "ap-shanghai", "ap-tokyo"} {
		emu.SeedCVM(r, 150)
	}
	emu.AddFaults([]tcloud.FaultRule{{Region: "ap-tokyo", Action: "cvm:DescribeInstances", Fault: "InternalError", Probability: 1}})
	f := newFixture(t, emu)
	res, err := Sync(context.Background(), f.cloud, f.db, Options{Account: "acme", Kinds: []string{"cvm.instance"}})
	if !errors.Is(err, ErrPartial) || !strings.Contains(err.Error(), "cvm.instance in ap-tokyo") {
		t.Fatalf("error %v, want a partial sync naming cvm.instance in ap-tokyo", err)
	}
	if o := outcome(t, res, "cvm.instance", "ap-tokyo"); o.Status != StatusFailed || !errors.Is(o.Err, tencent.ErrUnavailable) && !strings.Contains(o.Err.Error(), "InternalError") {
		t.Errorf("ap-tokyo: %+v", o)
	}
	for _, r := range []string{"ap-guangzhou", "ap-shanghai"} {
		if o := outcome(t, res, "cvm.instance", r); o.Status != StatusDone || f.stored(t, "cvm.instance", r, false) != 150 {
			t.Errorf("%s: %+v", r, o)
		}
	}
}

func TestTransientFaultsAreRetriedToTheSameAssets(t *testing.T) {
	emu := tcloud.New(tcloud.Options{})
	emu.SeedCVM("ap-guangzhou", 1000)
	emu.AddFaults([]tcloud.FaultRule{{Fault: "RequestLimitExceeded", Nth: 2}, {Fault: tcloud.FaultHTTP500, Nth: 4}, {Fault: tcloud.FaultDrop, Nth: 6}, {Fault: "InternalError", Nth: 8}})
	f := newFixture(t, emu)
	res, err := Sync(context.Background(), f.cloud, f.db, Options{Account: "acme", Kinds: []string{"cvm.instance"}})
	if err != nil || res.Counts()["cvm.instance"] != 1000 || f.stored(t, "cvm.instance", "", false) != 1000 {
		t.Fatalf("%v: counted %d", err, res.Counts()["cvm.instance"])
	}
	faulted := 0
	for _, c := range emu.Calls() {
		if c.Code != "" {
			faulted++
		}
	}
	if faulted != 4 {
		t.Errorf("%d calls were answered with a fault, want the 4 injected", faulted)
	}
}

func TestCancellationKeepsWhatWasStoredAndMarksNothingGone(t *testing.T) {
	emu := tcloud.New(tcloud.Options{Latency: func() time.Duration { return 5 * time.Millisecond }})
	emu.SeedCVM("ap-guangzhou", 3000)
	f := newFixture(t, emu)
	ctx, cancel := context.WithCancel(context.Background())
	pages := 0
	res, err := Sync(ctx, f.cloud, f.db, Options{Account: "acme", Kinds: []string{"cvm.instance"}, Concurrency: 1, Unlimited: true,
		BatchSize: 50, Progress: func(p Progress) {
			if pages++; pages == 3 {
				cancel()
			}
		}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want cancelled", err)
	}
	o := outcome(t, res, "cvm.instance", "ap-guangzhou")
	stored := f.stored(t, "cvm.instance", "", true)
	if o.Status != StatusCancelled || stored < 300 || stored >= 3000 || stored != o.Seen {
		t.Errorf("outcome %+v, %d rows stored", o, stored)
	}
	if gone := stored - f.stored(t, "cvm.instance", "", false); gone != 0 {
		t.Errorf("%d rows marked gone by a cancelled pass", gone)
	}
	for _, o := range res.Outcomes {
		if o.Kind == "" || o.Status == "" {
			t.Errorf("a unit ended without an outcome: %+v", res.Outcomes)
		}
	}
}

func TestAssetsNoLongerListedAreMarkedGoneNotDeleted(t *testing.T) {
	before := tcloud.New(tcloud.Options{})
	before.SeedCVM("ap-guangzhou", 5)
	f := newFixture(t, before)
	ctx := context.Background()
	if _, err := Sync(ctx, f.cloud, f.db, Options{Account: "acme", Kinds: []string{"cvm.instance"}}); err != nil {
		t.Fatal(err)
	}
	// The same account later has three of the five hosts (the seed is deterministic).
	after := tcloud.New(tcloud.Options{})
	after.SeedCVM("ap-guangzhou", 3)
	g := newFixture(t, after)
	res, err := Sync(ctx, g.cloud, f.db, Options{Account: "acme", Kinds: []string{"cvm.instance"}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Written() != 2 {
		t.Errorf("the sync that marked two hosts gone reports %d rows written, want 2", res.Written())
	}
	if o := outcome(t, res, "cvm.instance", "ap-guangzhou"); o.Gone != 2 || f.stored(t, "cvm.instance", "", false) != 3 || f.stored(t, "cvm.instance", "", true) != 5 {
		t.Errorf("outcome %+v; %d present, %d with gone", o, f.stored(t, "cvm.instance", "", false), f.stored(t, "cvm.instance", "", true))
	}
}

func TestAKeyLackingOneKindsPermissionFailsThatKindOnly(t *testing.T) {
	emu := tcloud.New(tcloud.Options{})
	emu.SeedCVM("ap-guangzhou", 20)
	emu.SeedLighthouse("ap-guangzhou", 4)
	f := newFixture(t, emu)
	ctx := context.Background()
	u, err := f.cloud.CreateUser(ctx, tencent.UserSpec{Name: "hosts-only"})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"QcloudCVMReadOnlyAccess"} {
		p, err := f.cloud.FindPolicy(ctx, tencent.ScopePreset, name)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.cloud.AttachUserPolicy(ctx, p.ID, u.UIN); err != nil {
			t.Fatal(err)
		}
	}
	k, err := f.cloud.CreateAccessKey(ctx, u.UIN, "")
	if err != nil {
		t.Fatal(err)
	}
	sub := f.client(t, k.ID, k.Secret.Reveal())
	res, err := Sync(ctx, sub, f.db, Options{Account: "acme", Kinds: []string{"cvm.instance", "lighthouse.instance"}, Regions: []string{"ap-guangzhou"}})
	if !errors.Is(err, ErrPartial) {
		t.Fatalf("error %v, want partial", err)
	}
	if o := outcome(t, res, "cvm.instance", "ap-guangzhou"); o.Status != StatusDone || o.Seen != 20 {
		t.Errorf("cvm: %+v", o)
	}
	// The key cannot even list Lighthouse's regions: the kind fails as a whole, naming the permission.
	o := outcome(t, res, "lighthouse.instance", "")
	if o.Status != StatusFailed || !errors.Is(o.Err, tencent.ErrDenied) || !strings.Contains(o.Err.Error(), "lighthouse:DescribeRegions") {
		t.Errorf("lighthouse: %+v, want a denial naming lighthouse:DescribeRegions", o)
	}
}

func TestAKeyThatMayListRegionsButNotAKindFailsThatKindPerRegion(t *testing.T) {
	emu := tcloud.New(tcloud.Options{})
	emu.SeedCVM("ap-guangzhou", 3)
	emu.SeedDisks("ap-guangzhou", 3)
	f := newFixture(t, emu)
	ctx := context.Background()
	u, _ := f.cloud.CreateUser(ctx, tencent.UserSpec{Name: "no-disks"})
	pid, err := f.cloud.CreatePolicy(ctx, tencent.PolicySpec{Name: "cvm-only", Document: `{"version":"2.0","statement":[{"effect":"allow","action":["cvm:DescribeInstances","cvm:DescribeRegions"],"resource":["*"]}]}`})
	if err != nil {
		t.Fatal(err)
	}
	f.cloud.AttachUserPolicy(ctx, pid, u.UIN)
	k, _ := f.cloud.CreateAccessKey(ctx, u.UIN, "")
	res, err := Sync(ctx, f.client(t, k.ID, k.Secret.Reveal()), f.db, Options{Account: "acme", Kinds: []string{"cvm.instance", "cbs.disk"}})
	if !errors.Is(err, ErrPartial) || !strings.Contains(err.Error(), "cbs:DescribeDisks") {
		t.Fatalf("error %v, want a partial sync naming cbs:DescribeDisks", err)
	}
	if o := outcome(t, res, "cbs.disk", "ap-guangzhou"); o.Status != StatusFailed || !errors.Is(o.Err, tencent.ErrDenied) {
		t.Errorf("disks: %+v", o)
	}
	if o := outcome(t, res, "cvm.instance", "ap-guangzhou"); o.Status != StatusDone || o.Seen != 3 {
		t.Errorf("cvm: %+v", o)
	}
}

func TestUnknownRegionsAndKindsAreRefusedBeforeAnyListing(t *testing.T) {
	emu := tcloud.New(tcloud.Options{})
	emu.SeedCVM("ap-shanghai", 1)
	f := newFixture(t, emu)
	_, err := Sync(context.Background(), f.cloud, f.db, Options{Account: "acme", Kinds: []string{"cvm.instance"}, Regions: []string{"ap-shangai"}})
	if err == nil || !strings.Contains(err.Error(), `unknown region "ap-shangai": valid regions are ap-guangzhou, ap-shanghai`) {
		t.Errorf("unknown region: %v", err)
	}
	_, err = Sync(context.Background(), f.cloud, f.db, Options{Account: "acme", Kinds: []string{"cvm.instances"}})
	if err == nil || !strings.Contains(err.Error(), `unknown kind "cvm.instances": valid kinds are cvm.instance, lighthouse.instance`) {
		t.Errorf("unknown kind: %v", err)
	}
	for _, c := range f.emu.Calls() {
		if c.Action == "DescribeInstances" {
			t.Errorf("a listing was sent: %+v", c)
		}
	}
}

func TestKindRatesAreTheEmulatorsPublishedRates(t *testing.T) {
	for _, k := range Kinds {
		if r, ok := tcloud.PublishedRates[k.Action]; !ok || r != k.Rate {
			t.Errorf("%s: %s at %v/s here, %v/s (listed %v) in the emulator", k.Name, k.Action, k.Rate, r, ok)
		}
	}
}

func TestRegionsNoProductOffersCanBeSkippedAndNamed(t *testing.T) {
	emu := tcloud.New(tcloud.Options{})
	emu.SeedCVM("ap-shanghai", 2)
	f := newFixture(t, emu)
	res, err := Sync(context.Background(), f.cloud, f.db, Options{Account: "acme", Kinds: []string{"cvm.instance"},
		Regions: []string{"ap-shanghai", "eu-moscow"}, SkipUnofferedRegions: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.UnofferedRegions) != 1 || res.UnofferedRegions[0] != "eu-moscow" || res.Counts()["cvm.instance"] != 2 || len(res.Outcomes) != 1 {
		t.Errorf("unoffered %v, counts %v, outcomes %+v", res.UnofferedRegions, res.Counts(), res.Outcomes)
	}
}

// A finished (kind, region) leaves nothing in the writer: its rows are written and neither they, the
// batch they went through nor its IDs are held while the rest of the sync goes on.
func TestTheWriterHoldsNoRowsOfAFinishedKindAndRegion(t *testing.T) {
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "onboard.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s := &syncer{db: db, opts: Options{Account: "a", BatchSize: 1000}, seenAt: time.Now()}
	kind := Kinds[0]
	finished, inFlight := newUnit(kind, "ap-one"), newUnit(kind, "ap-two")
	w := newWriter(context.Background(), s, []*unit{finished, inFlight})
	rows := func(region string, n int) []store.Asset {
		out := make([]store.Asset, n)
		for i := range out {
			out[i] = store.Asset{Kind: kind.Name, Region: region, ID: fmt.Sprintf("ins-%04d", i), Name: "n", Attributes: "{}"}
		}
		return out
	}
	// Three full pages of one unit and one page of the other, fewer rows than a batch: all are held.
	for range 3 {
		finished.listed.Add(1)
	}
	finished.total.Store(300)
	w.add(pageRows{u: finished, rows: rows("ap-one", 300)})
	w.add(pageRows{u: inFlight, rows: rows("ap-two", 100)})
	w.end(finished)
	w.wait()

	if o := w.outcomes[finished]; o.Status != StatusDone || o.Stats.Inserted != 300 {
		t.Fatalf("finished unit: %+v, want done with 300 rows inserted", o)
	}
	if st, ok := w.states[finished]; ok && (cap(st.pending) > 0 || len(st.seen) > 0) {
		t.Errorf("the writer still holds %d rows (batch capacity) and %d IDs of a finished unit", cap(st.pending), len(st.seen))
	}
	if w.held != 100 || len(w.states[inFlight].pending) != 100 {
		t.Errorf("held %d rows, %d of the unit in flight; want the 100 of the unit in flight", w.held, len(w.states[inFlight].pending))
	}
}

// orderStore checks that the writes of one (kind, region) reach the store in order: no batch is in
// flight or comes after its EndSync. Its batches are slow, so that a write let run early would overtake.
type orderStore struct {
	*store.DB
	failEnd  string // a region whose EndSync fails
	mu       sync.Mutex
	inFlight map[string]int
	ended    map[string]bool
	problems []string
}

func (s *orderStore) UpsertAssets(ctx context.Context, account string, assets []store.Asset, seenAt time.Time) (store.UpsertStats, error) {
	region := assets[0].Region
	s.mu.Lock()
	s.inFlight[region]++
	if s.ended[region] {
		s.problems = append(s.problems, "a batch of "+region+" after its end")
	}
	s.mu.Unlock()
	time.Sleep(5 * time.Millisecond)
	defer func() { s.mu.Lock(); s.inFlight[region]--; s.mu.Unlock() }()
	return s.DB.UpsertAssets(ctx, account, assets, seenAt)
}

func (s *orderStore) EndSync(ctx context.Context, e store.SyncEnd) (store.SyncOutcome, error) {
	region := e.Outcome.Region
	s.mu.Lock()
	if s.inFlight[region] > 0 {
		s.problems = append(s.problems, "the end of "+region+" while a batch of it was in flight")
	}
	s.ended[region] = true
	s.mu.Unlock()
	if region == s.failEnd {
		return e.Outcome, errors.New("disk full")
	}
	return s.DB.EndSync(ctx, e)
}

// The writer goes on while writes commit, yet each (kind, region)'s batches commit before its end, and
// an end that fails leaves the rows it carried unwritten, marks nothing gone, and is recorded as failed.
func TestWritesOfOneKindAndRegionKeepTheirOrder(t *testing.T) {
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "onboard.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ctx := context.Background()
	kind := Kinds[0]
	rows := func(region string, from, n int) []store.Asset {
		out := make([]store.Asset, n)
		for i := range out {
			out[i] = store.Asset{Kind: kind.Name, Region: region, ID: fmt.Sprintf("ins-%04d", from+i), Name: "n", Attributes: "{}"}
		}
		return out
	}
	// Before: a row each region's pass will no longer see.
	for _, region := range []string{"ap-one", "ap-two", "ap-three"} {
		if _, err := db.UpsertAssets(ctx, "a", rows(region, 9000, 1), time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	st := &orderStore{DB: db, failEnd: "ap-two", inFlight: map[string]int{}, ended: map[string]bool{}}
	s := &syncer{db: st, opts: Options{Account: "a", BatchSize: 50}, seenAt: time.Now()}
	units := []*unit{newUnit(kind, "ap-one"), newUnit(kind, "ap-two"), newUnit(kind, "ap-three")}
	w := newWriter(ctx, s, units)
	for _, u := range units {
		u.total.Store(230)
		for page := range 3 { // the last page holds fewer rows than a batch: the end writes them
			u.listed.Add(1)
			w.add(pageRows{u: u, rows: rows(u.region, page*100, min(100, 230-page*100))})
		}
	}
	for _, u := range units {
		w.end(u)
	}
	w.wait()
	if len(st.problems) > 0 {
		t.Errorf("writes out of order: %v", st.problems)
	}
	for _, u := range units {
		o := w.outcomes[u]
		live, _ := db.Assets(ctx, store.AssetFilter{Account: "a", Region: u.region})
		if u.region == "ap-two" {
			// Its batches stand; the end's 30 rows and its gone mark do not.
			if o.Status != StatusFailed || len(live) != 201 {
				t.Errorf("%s, whose end failed: %+v, %d live rows; want failed and 200 rows + the unseen one live", u.region, o, len(live))
			}
			continue
		}
		if o.Status != StatusDone || o.Stats.Inserted != 230 || o.Gone != 1 || len(live) != 230 {
			t.Errorf("%s: %+v, %d live rows; want done, 230 inserted, 1 gone", u.region, o, len(live))
		}
	}
	out, err := db.SyncOutcomes(ctx, "a")
	if err != nil || len(out) != 3 {
		t.Fatalf("recorded outcomes %+v %v, want one per region", out, err)
	}
	for _, o := range out {
		if (o.Region == "ap-two") != (o.Status == store.SyncFailed) {
			t.Errorf("recorded %s as %s", o.Region, o.Status)
		}
	}
}
