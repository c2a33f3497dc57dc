package inventory

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"onboard/store"
	"onboard/tencent"
)

// benchSeed is about 100,000 assets over 25 regions.
const benchSeed = "regions=25,cvm=50000,lighthouse=10000,vpc=2000,subnet=8000,security_group=10000,disk=15000,clb=3000,cdb=2000,cam_user=100"

// benchMillionSeed is benchSeed ten times over: about 1,000,000 assets over the same 25 regions.
const benchMillionSeed = "regions=25,cvm=500000,lighthouse=100000,vpc=20000,subnet=80000,security_group=100000,disk=150000,clb=30000,cdb=20000,cam_user=1000"

// benchAccountSeed is one account of the multi-account scenario: about 5,000 assets, benchSeed's mix
// over the same 25 regions, so that its 20 accounts hold benchSeed's 100,000 assets between them.
const benchAccountSeed = "regions=25,cvm=2500,lighthouse=500,vpc=100,subnet=400,security_group=500,disk=750,clb=150,cdb=100,cam_user=5"

// benchAccounts is how many accounts the multi-account scenario syncs at once.
const benchAccounts = 20

// benchFaults injects 5 % faults in all: throttling, HTTP 500 and dropped connections in equal parts.
const benchFaults = "fault=RequestLimitExceeded,p=0.0167;fault=http500,p=0.0167;fault=drop,p=0.0167"

// benchRTT is the emulator's latency, the round trip the bound allows for.
const benchRTT = 30 * time.Millisecond

// BenchmarkSync measures a sync of about 100,000 assets against `onboard emulator` run as its own process
// (so its memory is not ours), with 30 ms ± 10 ms latency.
//
//	go test ./inventory -run '^$' -bench BenchmarkSync -benchtime 1x
//
// quota: published rate limits per account and action. bound_s is, over actions, the largest of pages
// divided by rate, plus one round trip; bound_ratio = wall_s / bound_s (target ≤ 1.15).
// quota_faults: the same with 5 % injected faults; the asset set must equal the fault-free one (target ≤ 1.4).
// latency: rate limits off; seq_speedup = the sync at concurrency 1 divided by ours (target ≥ 10).
// Every scenario: peak_rss_MB ≤ 150, and a second sync with nothing changed writes no rows.
//
// The million-asset scenarios take minutes and run only when the -bench pattern names them (CI and
// -bench BenchmarkSync run the others):
//
//	go test ./inventory -run '^$' -bench 'BenchmarkSync/million' -benchtime 1x -timeout 60m        # both
//	go test ./inventory -run '^$' -bench 'BenchmarkSync/million_quota' -benchtime 1x -timeout 60m  # one
//
// accounts: 20 accounts of about 5,000 assets each (an organization's management account and 19 members
// in one emulator process, each account with its own published limits), synced at once as sync --all does, under the default cap of requests in flight. max_bound_s
// is the largest single-account bound (as bound_s above); multi_bound_ratio = wall_s / max_bound_s
// (target ≤ 1.3); sum_bound_s is what syncing them one after another would cost at best; peak_rss_MB ≤ 200;
// store_busy_s is how long at least one write was in flight in the store (which commits the writes of
// all accounts that meet in one transaction), so when it nears wall_s, the store is what bounds the sync.
// cpu_s is the sync's CPU time, emulators_cpu_s the emulator's, other_cpu_s that of every other process
// meanwhile; cpu_floor_ratio = (cpu_s + emulators_cpu_s) / cores / max_bound_s is the least
// multi_bound_ratio the machine's cores allow, whatever the rate limits.
// It takes minutes, and runs only when named:
//
//	go test ./inventory -run '^$' -bench 'BenchmarkSync/accounts' -benchtime 1x -timeout 30m
//
// million: about 1,000,000 assets, rate limits off. linear_ratio = its wall_s / the wall of the 100,000
// seed synced the same way in the same run (target ≤ 11); resync_ratio = a second sync with nothing
// changed / the first (target ≤ 0.5).
// million_quota: the same seed at the published limits; bound_ratio as in quota (target ≤ 1.05).
func BenchmarkSync(b *testing.B) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(MemoryLimit)) // as `onboard sync` runs
	bin := buildOnboard(b)
	var cleanSet map[string]bool
	b.Run("quota", func(b *testing.B) {
		for b.Loop() {
			cleanSet = quotaScenario(b, bin, benchSeed, "", 1.15, nil)
		}
	})
	b.Run("quota_faults", func(b *testing.B) {
		for b.Loop() {
			quotaScenario(b, bin, benchSeed, benchFaults, 1.4, cleanSet)
		}
	})
	b.Run("million", func(b *testing.B) {
		skipUnlessNamed(b, "million")
		for b.Loop() {
			millionScenario(b, bin)
		}
	})
	b.Run("million_quota", func(b *testing.B) {
		skipUnlessNamed(b, "million")
		for b.Loop() {
			quotaScenario(b, bin, benchMillionSeed, "", 1.05, nil)
		}
	})
	b.Run("accounts", func(b *testing.B) {
		skipUnlessNamed(b, "accounts")
		for b.Loop() {
			accountsScenario(b, bin)
		}
	})
	b.Run("latency", func(b *testing.B) {
		for b.Loop() {
			latencyScenario(b, bin)
		}
	})
}

// accountsScenario syncs benchAccounts accounts at once, each with its own published limits, with the
// runner sync --all uses. One emulator process holds them all: an organization's management account and
// its members, each its own account with its own state and rate limits, reached as sync --all reaches an
// organization's members after tencent --org. Twenty emulator processes would spend this machine's
// cores on twenty Go runtimes standing in for remote servers.
func accountsScenario(b *testing.B, bin string) {
	em := startEmulator(b, bin, fmt.Sprintf("%s,members=%d", benchAccountSeed, benchAccounts-1), "--rate-limits", "published")
	management := em.client(b)
	org, err := management.Organization(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	members, err := management.OrganizationMembers(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	clouds := []Cloud{management}
	for _, m := range members {
		if m.UIN == org.ManagerUIN {
			continue
		}
		cred, _, err := management.AssumeRole(context.Background(), tencent.MemberRoleARN(m.UIN, tencent.MemberAccessRole), "bench-"+m.UIN, time.Hour)
		if err != nil {
			b.Fatal(err)
		}
		c, err := tencent.New(tencent.Options{Credential: cred, Endpoint: em.Endpoint})
		if err != nil {
			b.Fatal(err)
		}
		clouds = append(clouds, c)
	}
	if len(clouds) != benchAccounts {
		b.Fatalf("the emulator holds %d accounts, want %d", len(clouds), benchAccounts)
	}
	db := openBenchDB(b)
	results := make([]Result, benchAccounts)
	busy := &busyStore{db: db}
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(AccountsMemoryLimit)) // as sync --all runs
	runtime.GC()
	resetPeakRSS()
	cpu0, emulators0, machine0 := processCPU(), childrenCPU(), machineCPU()
	start := time.Now()
	errs := SyncAccounts(context.Background(), benchAccounts, AccountsOptions{}, func(ctx context.Context, i int, gate func(Cloud) Cloud, concurrency int) error {
		var err error
		results[i], err = Sync(ctx, gate(clouds[i]), busy, Options{Account: fmt.Sprintf("bench-%02d", i), Concurrency: concurrency})
		return err
	})
	wall := time.Since(start)
	cpu, emulators, machine := processCPU()-cpu0, childrenCPU()-emulators0, machineCPU()-machine0
	rss := peakRSSMB()
	if err := errors.Join(errs...); err != nil {
		b.Fatal(err)
	}
	var maxBound, sumBound time.Duration
	assets := 0
	for _, res := range results {
		bound := syncBound(res)
		maxBound, sumBound = max(maxBound, bound), sumBound+bound
		assets += sum(res.Counts())
	}
	ratio := wall.Seconds() / maxBound.Seconds()
	b.ReportMetric(wall.Seconds(), "wall_s")
	b.ReportMetric(maxBound.Seconds(), "max_bound_s")
	b.ReportMetric(ratio, "multi_bound_ratio")
	b.ReportMetric(sumBound.Seconds(), "sum_bound_s")
	b.ReportMetric(rss, "peak_rss_MB")
	b.ReportMetric(float64(assets), "assets")
	b.ReportMetric(busy.busy.Seconds(), "store_busy_s")
	// What the CPUs allow: the sync's own CPU time and its emulators' cannot take less wall time than
	// their sum spread over every core, whatever the rate limits allow.
	cpuFloor := (cpu + emulators).Seconds() / float64(runtime.NumCPU())
	b.ReportMetric(cpu.Seconds(), "cpu_s")
	b.ReportMetric(emulators.Seconds(), "emulators_cpu_s")
	b.ReportMetric((machine - cpu - emulators).Seconds(), "other_cpu_s")
	b.ReportMetric(cpuFloor/maxBound.Seconds(), "cpu_floor_ratio")
	b.Logf("%d accounts, %d assets in %.2fs: largest single-account bound %.2fs, multi_bound_ratio %.2f (target ≤ 1.3); one after another ≥ %.2fs; peak RSS %.0f MB (≤ 200); the store was writing for %.2fs of it",
		benchAccounts, assets, wall.Seconds(), maxBound.Seconds(), ratio, sumBound.Seconds(), rss, busy.busy.Seconds())
	b.Logf("CPU: the sync %.2fs, the emulator %.2fs, other processes %.2fs; on %d cores the sync and emulator need at least %.2fs of wall time, %.2f times the bound",
		cpu.Seconds(), emulators.Seconds(), (machine - cpu - emulators).Seconds(), runtime.NumCPU(), cpuFloor, cpuFloor/maxBound.Seconds())
	if ratio > 1.3 || rss > 200 || assets < benchAccounts*4900 {
		b.Errorf("over a bound: multi_bound_ratio %.2f (≤ 1.3), peak RSS %.0f MB (≤ 200), %d assets", ratio, rss, assets)
	}
}

// busyStore measures how long the store is busy writing: the time during which at least one write of
// any account is in flight. Writes from the accounts' syncs reach the store at once, as sync --all makes
// them, and the store commits those that meet in one transaction.
type busyStore struct {
	db       *store.DB
	mu       sync.Mutex
	inFlight int
	since    time.Time
	busy     time.Duration
}

func (s *busyStore) timed(write func() error) error {
	s.mu.Lock()
	if s.inFlight == 0 {
		s.since = time.Now()
	}
	s.inFlight++
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.inFlight--; s.inFlight == 0 {
			s.busy += time.Since(s.since)
		}
	}()
	return write()
}

func (s *busyStore) UpsertAssets(ctx context.Context, account string, assets []store.Asset, seenAt time.Time) (stats store.UpsertStats, err error) {
	err = s.timed(func() error { stats, err = s.db.UpsertAssets(ctx, account, assets, seenAt); return err })
	return stats, err
}

func (s *busyStore) EndSync(ctx context.Context, e store.SyncEnd) (o store.SyncOutcome, err error) {
	err = s.timed(func() error { o, err = s.db.EndSync(ctx, e); return err })
	return o, err
}

func (s *busyStore) RecordSync(ctx context.Context, o store.SyncOutcome) error {
	return s.timed(func() error { return s.db.RecordSync(ctx, o) })
}

// skipUnlessNamed skips a scenario too long for every run unless the -bench pattern names it.
func skipUnlessNamed(b *testing.B, name string) {
	if pattern := flag.Lookup("test.bench").Value.String(); !strings.Contains(pattern, name) {
		b.Skipf("takes minutes: run it with -bench 'BenchmarkSync/%s' (the pattern %q does not name it)", name, pattern)
	}
}

// millionScenario syncs the 100,000 and the 1,000,000 seeds with rate limits off, then the large one again.
func millionScenario(b *testing.B, bin string) {
	sync := func(em benchEmulator, db *store.DB) (Result, time.Duration) {
		start := time.Now()
		res, err := Sync(context.Background(), em.client(b), db, Options{Account: "bench", Unlimited: true})
		if err != nil {
			b.Fatal(err)
		}
		return res, time.Since(start)
	}
	small := startEmulator(b, bin, benchSeed, "--rate-limits", "off")
	_, smallWall := sync(small, openBenchDB(b))
	big := startEmulator(b, bin, benchMillionSeed, "--rate-limits", "off")
	db := openBenchDB(b)
	resetPeakRSS()
	res, wall := sync(big, db)
	again, resyncWall := sync(big, db)
	rss := peakRSSMB()
	assets := sum(res.Counts())
	linear, resync := wall.Seconds()/smallWall.Seconds(), resyncWall.Seconds()/wall.Seconds()
	b.ReportMetric(wall.Seconds(), "wall_s")
	b.ReportMetric(smallWall.Seconds(), "wall_100k_s")
	b.ReportMetric(rss, "peak_rss_MB")
	b.ReportMetric(linear, "linear_ratio")
	b.ReportMetric(resync, "resync_ratio")
	b.ReportMetric(float64(assets), "assets")
	b.ReportMetric(float64(again.Written()), "second_sync_rows_written")
	b.Logf("%d assets in %.2fs (100,000-seed %.2fs): linear_ratio %.2f (≤ 11); second sync %.2fs: resync_ratio %.2f (≤ 0.5), %d rows written; peak RSS %.0f MB (≤ 150)",
		assets, wall.Seconds(), smallWall.Seconds(), linear, resyncWall.Seconds(), resync, again.Written(), rss)
	if linear > 11 || resync > 0.5 || rss > 150 || again.Written() != 0 || assets < 1000000 {
		b.Errorf("over a bound: linear_ratio %.2f (≤ 11), resync_ratio %.2f (≤ 0.5), peak RSS %.0f MB (≤ 150), second sync %d rows (0), %d assets",
			linear, resync, rss, again.Written(), assets)
	}
}

func quotaScenario(b *testing.B, bin, seed, faults string, maxRatio float64, want map[string]bool) map[string]bool {
	em := startEmulator(b, bin, seed, "--rate-limits", "published", "--faults", faults)
	db := openBenchDB(b)
	resetPeakRSS()
	start := time.Now()
	res, err := Sync(context.Background(), em.client(b), db, Options{Account: "bench"})
	wall := time.Since(start)
	if err != nil {
		b.Fatal(err)
	}
	bound := syncBound(res)
	ratio := wall.Seconds() / bound.Seconds()
	assets := sum(res.Counts())
	b.ReportMetric(bound.Seconds(), "bound_s")
	b.ReportMetric(wall.Seconds(), "wall_s")
	b.ReportMetric(ratio, "bound_ratio")
	b.ReportMetric(float64(assets), "assets")
	again, err := Sync(context.Background(), em.client(b), db, Options{Account: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	rss := peakRSSMB()
	b.ReportMetric(rss, "peak_rss_MB")
	b.ReportMetric(float64(again.Written()), "second_sync_rows_written")
	b.Logf("bound %.2fs, wall %.2fs, bound_ratio %.3f (target ≤ %.2f), %d assets, peak RSS %.0f MB (≤ 150), second sync wrote %d rows",
		bound.Seconds(), wall.Seconds(), ratio, maxRatio, assets, rss, again.Written())
	if ratio > maxRatio || rss > 150 || again.Written() != 0 || assets < 100000 {
		b.Errorf("over a bound: bound_ratio %.3f (≤ %.2f), peak RSS %.0f MB (≤ 150), second sync %d rows (0), %d assets", ratio, maxRatio, rss, again.Written(), assets)
	}
	if faults != "" {
		injected := injectedFaults(b, em.Endpoint)
		b.ReportMetric(float64(injected), "injected_faults")
		b.Logf("%d faults injected (throttling, HTTP 500, dropped connections)", injected)
		if injected == 0 {
			b.Error("no fault was injected")
		}
	}
	set := assetSet(b, db)
	if want != nil && !sameSet(set, want) {
		b.Errorf("with faults the sync stored %d assets, %d without, and the sets differ", len(set), len(want))
	}
	return set
}

func latencyScenario(b *testing.B, bin string) {
	em := startEmulator(b, bin, benchSeed, "--rate-limits", "off")
	resetPeakRSS()
	start := time.Now()
	res, err := Sync(context.Background(), em.client(b), openBenchDB(b), Options{Account: "bench", Unlimited: true})
	ours := time.Since(start)
	if err != nil {
		b.Fatal(err)
	}
	rss := peakRSSMB()
	start = time.Now()
	if _, err := Sync(context.Background(), em.client(b), openBenchDB(b), Options{Account: "bench", Unlimited: true, Concurrency: 1}); err != nil {
		b.Fatal(err)
	}
	seq := time.Since(start)
	speedup := seq.Seconds() / ours.Seconds()
	b.ReportMetric(speedup, "seq_speedup")
	b.ReportMetric(ours.Seconds(), "wall_s")
	b.ReportMetric(seq.Seconds(), "seq_wall_s")
	b.ReportMetric(rss, "peak_rss_MB")
	b.Logf("ours %.2fs, concurrency 1 %.2fs: seq_speedup %.1f (target ≥ 10), %d assets, peak RSS %.0f MB (≤ 150)",
		ours.Seconds(), seq.Seconds(), speedup, sum(res.Counts()), rss)
	if speedup < 10 || rss > 150 {
		b.Errorf("over a bound: seq_speedup %.1f (≥ 10), peak RSS %.0f MB (≤ 150)", speedup, rss)
	}
}

// syncBound is the best possible duration under the published rates: for each action, its pages
// divided by its rate; the largest of these, plus one round trip.
func syncBound(res Result) time.Duration {
	pages := map[string]int{}
	rates := map[string]float64{}
	for _, o := range res.Outcomes {
		k, _ := kindByName(o.Kind)
		n := 1
		if k.PageMax > 0 && o.Total > k.PageMax {
			n = (o.Total + k.PageMax - 1) / k.PageMax
		}
		pages[k.Action] += n
		rates[k.Action] = k.Rate
	}
	var worst float64
	for action, n := range pages {
		worst = max(worst, float64(n)/rates[action])
	}
	return time.Duration(worst*float64(time.Second)) + benchRTT
}

type benchEmulator struct {
	Endpoint string `json:"tencent_endpoint"`
	ID       string `json:"tencent_secret_id"`
	Key      string `json:"tencent_secret_key"`
}

func (e benchEmulator) client(b *testing.B) *tencent.Client {
	c, err := tencent.New(tencent.Options{Credential: tencent.Credential{SecretID: e.ID, SecretKey: tencent.SecretKey(e.Key)}, Endpoint: e.Endpoint})
	if err != nil {
		b.Fatal(err)
	}
	return c
}

func buildOnboard(b *testing.B) string {
	bin := filepath.Join(b.TempDir(), "onboard")
	out, err := exec.Command("go", "build", "-o", bin, "onboard/cmd/onboard").CombinedOutput()
	if err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func startEmulator(b *testing.B, bin, seed string, args ...string) benchEmulator {
	em, err := startBenchEmulator(b, bin, seed, args...)
	if err != nil {
		b.Fatal(err)
	}
	return em
}

// startBenchEmulator starts `onboard emulator` as its own process until the benchmark ends; it may be
// called from several goroutines at once.
func startBenchEmulator(b *testing.B, bin, seed string, args ...string) (benchEmulator, error) {
	args = append([]string{"emulator", "--seed", "random", "--seed-gen", seed, "--latency", "30ms±10ms"}, args...)
	for i := 0; i < len(args); i++ {
		if args[i] == "--faults" && args[i+1] == "" {
			args = append(args[:i], args[i+2:]...)
		}
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "ONBOARD_HOME="+b.TempDir())
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return benchEmulator{}, err
	}
	if err := cmd.Start(); err != nil {
		return benchEmulator{}, err
	}
	b.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	line, err := bufio.NewReader(out).ReadBytes('\n')
	if err != nil {
		return benchEmulator{}, fmt.Errorf("onboard emulator printed no line: %w", err)
	}
	var em benchEmulator
	if err := json.Unmarshal(line, &em); err != nil {
		return benchEmulator{}, fmt.Errorf("onboard emulator line %q: %w", line, err)
	}
	return em, nil
}

// injectedFaults counts the calls the emulator answered with an injected fault, from its call log.
func injectedFaults(b *testing.B, endpoint string) int {
	resp, err := http.Get(endpoint + "/_emulator/calls")
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	var calls []struct{ Code string }
	if err := json.NewDecoder(resp.Body).Decode(&calls); err != nil {
		b.Fatal(err)
	}
	n := 0
	for _, c := range calls {
		if c.Code == "RequestLimitExceeded" || c.Code == "http500" || c.Code == "drop" {
			n++
		}
	}
	return n
}

func openBenchDB(b *testing.B) *store.DB {
	db, err := store.Open(context.Background(), filepath.Join(b.TempDir(), "onboard.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return db
}

func assetSet(b *testing.B, db *store.DB) map[string]bool {
	set := map[string]bool{}
	err := db.EachAsset(context.Background(), store.AssetFilter{Account: "bench"}, func(_ string, a store.Asset) error {
		set[a.Kind+"|"+a.Region+"|"+a.ID] = true
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return set
}

func sameSet(a, b map[string]bool) bool {
	if len(a) != len(b) {
		return false
	}
	for k := range a {
		if !b[k] {
			return false
		}
	}
	return true
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// resetPeakRSS starts a new peak resident set size measurement for this process (Linux).
func resetPeakRSS() { os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// peakRSSMB is this process's peak resident set size since the last reset, in MB (Linux VmHWM).
func peakRSSMB() float64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb / 1024
		}
	}
	return -1
}

// processCPU is the CPU time this process has used, user and system.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// clockTick is the unit of /proc's CPU times (USER_HZ, 100 on Linux).
const clockTick = 10 * time.Millisecond

// machineCPU is the CPU time every process of the machine has used since boot, idle and I/O wait
// left out (the first line of /proc/stat).
func machineCPU() time.Duration {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	fields := strings.Fields(strings.SplitN(string(data), "\n", 2)[0])
	var ticks int64
	for i, v := range fields[1:] {
		if i == 3 || i == 4 { // idle, iowait
			continue
		}
		n, _ := strconv.ParseInt(v, 10, 64)
		ticks += n
	}
	return time.Duration(ticks) * clockTick
}

// childrenCPU is the CPU time this process's running children (the emulators) have used.
func childrenCPU() time.Duration {
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	var ticks int64
	for _, path := range stats {
		data, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		// The fields after the command name, which is in parentheses and may hold spaces: state, ppid,
		// ..., utime (the 14th field of the line) and stime.
		line := string(data)
		fields := strings.Fields(line[strings.LastIndex(line, ")")+1:])
		if len(fields) < 13 {
			continue
		}
		if ppid, _ := strconv.Atoi(fields[1]); ppid != os.Getpid() {
			continue
		}
		utime, _ := strconv.ParseInt(fields[11], 10, 64)
		stime, _ := strconv.ParseInt(fields[12], 10, 64)
		ticks += utime + stime
	}
	return time.Duration(ticks) * clockTick
}
