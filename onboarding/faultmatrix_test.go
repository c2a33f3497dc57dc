package onboarding

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// mutatingCall is one successful mutating call of a clean run: its cloud, action and occurrence.
type mutatingCall struct {
	cloud  string // tencent or security-center
	action string
	nth    int
}

func (c mutatingCall) String() string { return fmt.Sprintf("%s:%s#%d", c.cloud, c.action, c.nth) }

// mutatingCallsOf lists the mutating calls the fixture's emulators served, each with its occurrence.
func (f *fixture) mutatingCallsOf() []mutatingCall {
	var out []mutatingCall
	seen := map[string]int{}
	for _, c := range f.emu.Calls() {
		if c.Mutating && c.Code == "" {
			seen["tencent"+c.Action]++
			out = append(out, mutatingCall{"tencent", c.Action, seen["tencent"+c.Action]})
		}
	}
	for _, c := range f.env.SecurityCenter.Calls() {
		if slices.Contains(sasMutating, c.Action) && c.Code == "" {
			seen["sc"+c.Action]++
			out = append(out, mutatingCall{"security-center", c.Action, seen["sc"+c.Action]})
		}
	}
	return out
}

// killAtCall kills the run at that call: the call is made, its answer lost, the run's context cancelled.
func (f *fixture) killAtCall(t *testing.T, c mutatingCall) context.Context {
	// Each call counts every occurrence of its action, including failed ones; a clean run has none.
	if c.cloud == "tencent" {
		return f.killAt(t, c.action, c.nth)
	}
	return f.killAtSecurityCenter(t, c.action, c.nth)
}

// shape is what a clean onboarding leaves, without the IDs that differ from run to run.
func (f *fixture) shape(t *testing.T) string {
	t.Helper()
	st := f.emu.State()
	var b strings.Builder
	for _, u := range st.Users {
		fmt.Fprintf(&b, "user %s %q keys=%d attached=%v\n", u.Name, u.Remark, len(u.Keys), u.Attached)
	}
	for _, p := range st.Policies {
		fmt.Fprintf(&b, "policy %s %q\n", p.Name, p.Description)
	}
	for _, l := range st.Logsets {
		fmt.Fprintf(&b, "logset %s %s\n", l.Region, l.Name)
	}
	for _, tp := range st.Topics {
		fmt.Fprintf(&b, "topic %s %s kafka=%v\n", tp.Region, tp.Name, tp.Kafka)
	}
	fmt.Fprintf(&b, "tracks %d\n", len(st.Tracks))
	ss := f.siteState(t)
	for _, a := range ss.CloudAccounts {
		fmt.Fprintf(&b, "security center account %s %s status=%d uid=%s modules=%d\n", a.Alias, a.AkType, a.ServiceStatus, a.VendorUID, len(a.Modules))
	}
	regions, _ := json.Marshal(ss.SyncRegions)
	fmt.Fprintf(&b, "sync regions %s refresh configs %d audit-log settings %d\n", regions, len(ss.RefreshConfigs), len(ss.TrialConfigs))
	return b.String()
}

// The fault matrix: a full onboarding with every feature and Security Center is killed at each of its
// mutating calls, then resumed or rolled back. A resume ends in the clean state, and a re-run after it
// makes no mutating call; a rollback leaves both emulators as they were before the first run.
func TestFaultMatrixKillAtEveryMutatingCallThenResumeOrRollback(t *testing.T) {
	if testing.Short() {
		t.Skip("the fault matrix runs two onboardings per mutating call")
	}
	clean := newFixture(t)
	if _, err := clean.engine.Apply(context.Background(), fullRequest(), nil); err != nil {
		t.Fatal(err)
	}
	calls := clean.mutatingCallsOf()
	want := clean.shape(t)
	if len(calls) < 15 {
		t.Fatalf("a full onboarding made only %d mutating calls: %v", len(calls), calls)
	}
	for _, c := range calls {
		t.Run(c.String()+"/resume", func(t *testing.T) {
			f := newFixture(t)
			ctx := f.killAtCall(t, c)
			if _, err := f.engine.Apply(ctx, fullRequest(), nil); err == nil || ctx.Err() == nil {
				t.Fatalf("the run was not killed at %s: %v", c, err)
			}
			f.emu.ClearFaults()
			f.env.SecurityCenter.ClearFaults()
			if _, err := f.engine.Apply(context.Background(), fullRequest(), nil); err != nil {
				t.Fatalf("resume: %v", err)
			}
			if got := f.shape(t); got != want {
				t.Fatalf("after the resume:\n%s\nwant the clean state:\n%s", got, want)
			}
			f.emu.ResetCalls()
			n := len(f.env.SecurityCenter.Calls())
			if _, err := f.engine.Apply(context.Background(), fullRequest(), nil); err != nil {
				t.Fatalf("re-run: %v", err)
			}
			if m := append(f.mutatingCalls(), f.sasMutatingSince(n)...); len(m) != 0 {
				t.Fatalf("a re-run after the resume made mutating calls: %v", m)
			}
		})
		t.Run(c.String()+"/rollback", func(t *testing.T) {
			f := newFixture(t)
			before := f.cloudState()
			ctx := f.killAtCall(t, c)
			if _, err := f.engine.Apply(ctx, fullRequest(), nil); err == nil || ctx.Err() == nil {
				t.Fatalf("the run was not killed at %s: %v", c, err)
			}
			f.emu.ClearFaults()
			f.env.SecurityCenter.ClearFaults()
			rb, err := f.engine.Rollback(context.Background(), "acct", f.admin)
			if err != nil {
				t.Fatalf("rollback: %v (removed %v, left %v)", err, rb.Removed, rb.Left)
			}
			assertSameState(t, before, f.cloudState())
		})
	}
}
