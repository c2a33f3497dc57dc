package onboarding

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"onboard/emulator"
	"onboard/inventory"
	"onboard/policy"
	"onboard/securitycenter"
	"onboard/store"
	"onboard/tencent"
)

// benchRTT is the emulators' mean latency per call, the round trip the bound allows for.
const benchRTT = 30 * time.Millisecond

// BenchmarkOnboard measures a full onboarding with every feature (hosts, CSPM, Agentic SOC, audit logs,
// Security Center and the first sync) against both emulators in-process, every call on both clouds
// delayed 30 ms ± 10 ms, with the clients' real retry and poll settings, then the re-run that has
// nothing to do.
//
//	go test ./onboarding -run '^$' -bench BenchmarkOnboard -benchtime 1x
//
// calls: the calls both emulators answered, the Security Center emulator's own checks against Tencent
// Cloud included. dependent_round_trips: the longest chain of those calls in which each starts after
// the one before it ended, from the emulators' call logs. bound_s = dependent_round_trips × 30 ms plus the
// emulators' own waits (none: CAM applies changes at once here, and neither emulator waits otherwise);
// bound_ratio = wall_s / bound_s (target ≤ 2). rerun_wall_s, rerun_calls and rerun_mutating_calls (must be
// 0) are the re-run's.
func BenchmarkOnboard(b *testing.B) {
	for b.Loop() {
		env, engine := benchEnv(b)
		req := Request{Mode: ModeManual, Features: []string{policy.FeatureHost, policy.FeatureCSPM, policy.FeatureSOC, policy.FeatureAudit},
			CSPMPolicy: policy.CSPMCustom, SubUser: "sas-reader", Site: "outside", AuditRegion: "ap-guangzhou"}
		ctx := context.Background()

		start := time.Now()
		if _, err := engine.Apply(ctx, req, nil); err != nil {
			b.Fatal(err)
		}
		wall := time.Since(start)
		calls := benchCalls(env)
		depth := dependentRoundTrips(calls)
		bound := time.Duration(depth) * benchRTT
		ratio := wall.Seconds() / bound.Seconds()

		env.Tencent.ResetCalls()
		env.SecurityCenter.ResetCalls()
		start = time.Now()
		if _, err := engine.Apply(ctx, req, nil); err != nil {
			b.Fatal(err)
		}
		rerunWall := time.Since(start)
		rerun := benchCalls(env)
		mutating := 0
		for _, c := range rerun {
			if c.mutating {
				mutating++
			}
		}

		b.ReportMetric(wall.Seconds(), "wall_s")
		b.ReportMetric(float64(len(calls)), "calls")
		b.ReportMetric(float64(depth), "dependent_round_trips")
		b.ReportMetric(bound.Seconds(), "bound_s")
		b.ReportMetric(ratio, "bound_ratio")
		b.ReportMetric(rerunWall.Seconds(), "rerun_wall_s")
		b.ReportMetric(float64(len(rerun)), "rerun_calls")
		b.ReportMetric(float64(mutating), "rerun_mutating_calls")
		b.Logf("onboarding %.2fs, %d calls, %d dependent round trips: bound %.2fs, bound_ratio %.2f (≤ 2); re-run %.2fs, %d calls, %d mutating (0)",
			wall.Seconds(), len(calls), depth, bound.Seconds(), ratio, rerunWall.Seconds(), len(rerun), mutating)
		if ratio > 2 || mutating != 0 {
			b.Errorf("over a bound: bound_ratio %.2f (≤ 2), %d mutating calls in the re-run (0)", ratio, mutating)
		}
	}
}

// benchEnv starts both emulators with 30 ms ± 10 ms latency and an engine wired as `onboard tencent`
// wires it against an emulator (the clients' default retries, a 100 ms poll cap, the sync's rate limits
// off).
func benchEnv(b *testing.B) (*emulator.Env, *Engine) {
	b.Helper()
	env, err := emulator.Start(context.Background(), emulator.Options{Latency: benchRTT, Jitter: 10 * time.Millisecond})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { env.Close() })
	env.Tencent.SeedCVM("ap-guangzhou", 30)
	env.Tencent.SeedCVM("ap-shanghai", 20)
	env.Tencent.SeedVPC("ap-guangzhou", 3)
	env.Tencent.SeedDisks("ap-guangzhou", 10)
	newClient := func(c tencent.Credential) (*tencent.Client, error) {
		return tencent.New(tencent.Options{Credential: c, Endpoint: env.TencentEndpoint})
	}
	admin, err := newClient(tencent.Credential{SecretID: env.TencentSecretID, SecretKey: tencent.SecretKey(env.TencentSecretKey)})
	if err != nil {
		b.Fatal(err)
	}
	cred, err := securitycenter.StaticCredentials(env.AlibabaAccessKeyID, securitycenter.Secret(env.AlibabaAccessKeySecret), "", "bench")
	if err != nil {
		b.Fatal(err)
	}
	sc, err := securitycenter.New(securitycenter.Options{Credentials: cred, Endpoint: env.SecurityCenterEndpoint, PollInterval: 100 * time.Millisecond})
	if err != nil {
		b.Fatal(err)
	}
	home := b.TempDir()
	db, err := store.Open(context.Background(), filepath.Join(home, store.DBFile))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	installation, err := store.InstallationID(home)
	if err != nil {
		b.Fatal(err)
	}
	return env, &Engine{Cloud: admin, DB: db, Secrets: store.NewMemoryStore(), PropagationWait: 90 * time.Second, SecurityCenter: sc,
		InventoryUnlimited: true, Installation: installation,
		NewVerifier:  func(c tencent.Credential) (Verifier, error) { return newClient(c) },
		NewInventory: func(c tencent.Credential) (inventory.Cloud, error) { return newClient(c) }}
}

// benchCall is one call either emulator answered.
type benchCall struct {
	name       string
	start, end time.Time
	mutating   bool
}

// benchCalls merges both emulators' call logs.
func benchCalls(env *emulator.Env) []benchCall {
	var out []benchCall
	for _, c := range env.Tencent.Calls() {
		out = append(out, benchCall{name: c.Service + ":" + c.Action, start: c.Start, end: c.Time, mutating: c.Mutating})
	}
	for _, c := range env.SecurityCenter.Calls() {
		out = append(out, benchCall{name: "sas:" + c.Action, start: c.Time, end: c.End, mutating: c.Mutating})
	}
	return out
}

// dependentRoundTrips is the length of the longest chain of calls in which each starts after the one
// before it has ended: the round trips that had to happen one after another.
func dependentRoundTrips(calls []benchCall) int {
	calls = slices.Clone(calls)
	slices.SortFunc(calls, func(a, b benchCall) int { return a.end.Compare(b.end) })
	depth := make([]int, len(calls)) // longest chain ending with calls[i]
	longest := 0
	for i, c := range calls {
		depth[i] = 1
		for j := range i {
			if !calls[j].end.After(c.start) {
				depth[i] = max(depth[i], depth[j]+1)
			}
		}
		longest = max(longest, depth[i])
	}
	return longest
}
