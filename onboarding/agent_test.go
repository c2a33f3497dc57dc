package onboarding

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"onboard/emulator"
	"onboard/emulator/tcloud"
	"onboard/policy"
	"onboard/securitycenter"
	"onboard/store"
	"onboard/tencent"
)

// agentFixture is an account of 200 hosts over four regions (CVM and Lighthouse), 10 % of them with TAT's
// agent offline and 5 % whose commands fail, its inventory synced into the store.
type agentFixture struct {
	*fixture
	installer       *AgentInstaller
	offline, failed []string
	all             []string
}

// clientOf is a client with a new AccessKey of the sub-user uin, as an operator with only that user's
// policies calls.
func (f *fixture) clientOf(t *testing.T, uin uint64) *tencent.Client {
	t.Helper()
	key, err := f.admin.CreateAccessKey(context.Background(), uin, "test")
	if err != nil {
		t.Fatal(err)
	}
	cl, err := tencent.New(tencent.Options{Credential: tencent.Credential{SecretID: key.ID, SecretKey: key.Secret}, Endpoint: f.env.TencentEndpoint})
	if err != nil {
		t.Fatal(err)
	}
	return cl
}

func newAgentFixture(t *testing.T) *agentFixture {
	t.Helper()
	f := newFixture(t) // three CVM hosts in ap-guangzhou
	f.emu.SeedCVM("ap-guangzhou", 57)
	f.emu.SeedCVM("ap-shanghai", 50)
	f.emu.SeedCVM("ap-singapore", 40)
	f.emu.SeedLighthouse("ap-guangzhou", 30)
	f.emu.SeedLighthouse("ap-tokyo", 20)
	offline, failing := f.emu.SeedTAT(10, 18)
	f.emu.SetTATTaskDelay(30 * time.Millisecond)
	all := syncInventory(t, f, "ap-guangzhou", "ap-shanghai", "ap-singapore", "ap-tokyo")
	if len(all) != 200 || len(offline) != 20 || len(failing) != 10 {
		t.Fatalf("seed: %d hosts, %d offline, %d failing", len(all), len(offline), len(failing))
	}
	in := &AgentInstaller{TAT: f.admin, SecurityCenter: f.sc, DB: f.engine.DB, PollFirst: 20 * time.Millisecond, PollMax: 100 * time.Millisecond}
	return &agentFixture{fixture: f, installer: in, offline: offline, failed: failing, all: all}
}

// syncInventory lists the regions' CVM and Lighthouse instances into the store as account "prod", as a
// sync does, and returns their IDs.
func syncInventory(t *testing.T, f *fixture, regions ...string) []string {
	t.Helper()
	ctx := context.Background()
	var all []string
	for _, region := range regions {
		var assets []store.Asset
		for offset := 0; ; offset += 100 {
			page, err := f.admin.ListCVMInstances(ctx, region, offset, 100)
			if err != nil {
				t.Fatal(err)
			}
			for _, in := range page.Items {
				assets = append(assets, store.Asset{Kind: "cvm.instance", Region: region, ID: in.ID, Name: in.Name, Attributes: string(in.Raw)})
			}
			if offset+100 >= page.Total {
				break
			}
		}
		page, err := f.admin.ListLighthouseInstances(ctx, region, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		for _, in := range page.Items {
			assets = append(assets, store.Asset{Kind: "lighthouse.instance", Region: region, ID: in.ID, Name: in.Name, Attributes: string(in.Raw)})
		}
		if _, err := f.engine.DB.UpsertAssets(ctx, "prod", assets, time.Now()); err != nil {
			t.Fatal(err)
		}
		for _, a := range assets {
			all = append(all, a.ID)
		}
	}
	return all
}

func outcomes(res AgentResult) map[string]HostOutcome {
	out := map[string]HostOutcome{}
	for _, h := range res.Hosts {
		out[h.InstanceID] = h
	}
	return out
}

func onlineInSecurityCenter(t *testing.T, sc *securitycenter.Client) map[string]bool {
	t.Helper()
	hosts, err := sc.Hosts(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, h := range hosts {
		out[h.InstanceID] = h.Online()
	}
	return out
}

func TestAgentInstallOnTwoHundredHostsThenRerunTouchesOnlyWhatIsNotDone(t *testing.T) {
	f := newAgentFixture(t)
	ctx := context.Background()
	var events []AgentEvent
	res, err := f.installer.Run(ctx, AgentRequest{Account: "prod", All: true, Timeout: 30 * time.Second}, func(e AgentEvent) { events = append(events, e) })
	if err != nil {
		t.Fatal(err)
	}
	got := outcomes(res)
	online := onlineInSecurityCenter(t, f.sc)
	for _, id := range f.all {
		h := got[id]
		switch {
		case slices.Contains(f.offline, id):
			if h.Outcome != HostSkipped || h.Reason != "TAT agent offline" {
				t.Errorf("%s (TAT offline): %+v", id, h)
			}
		case slices.Contains(f.failed, id):
			if h.Outcome != HostFailed || !strings.Contains(h.Output, "could not reach the download site") || !strings.Contains(h.Reason, "exit code 1") {
				t.Errorf("%s (failing): %+v", id, h)
			}
		default:
			if h.Outcome != HostInstalled || !online[id] {
				t.Errorf("%s: %+v, online in Security Center: %v", id, h, online[id])
			}
		}
	}
	if res.Counts[HostInstalled] != 170 || res.Counts[HostSkipped] != 20 || res.Counts[HostFailed] != 10 || res.Done() {
		t.Errorf("counts %v, done %v", res.Counts, res.Done())
	}
	// The progress events end, for every host, on its outcome: what a live view shows last is the result.
	last := map[string]string{}
	for _, e := range events {
		last[e.Host.InstanceID] = e.Host.Outcome
	}
	for id, h := range got {
		if last[id] != h.Outcome {
			t.Errorf("%s: last event %q, outcome %q", id, last[id], h.Outcome)
		}
	}
	// One instance kind per call, at most 100 instances per call.
	var runs int
	for _, c := range f.emu.Calls() {
		if c.Action == "RunCommand" && c.Code == "" {
			runs++
		}
	}
	if targets := f.emu.TATTargets(); len(targets) != 180 || runs < 5 {
		t.Errorf("RunCommand: %d calls over %d instances", runs, len(targets))
	}

	// A second run runs the command only where it is not done: the failing hosts.
	before := len(f.emu.TATTargets())
	res2, err := f.installer.Run(ctx, AgentRequest{Account: "prod", All: true, Timeout: 30 * time.Second}, nil)
	if err != nil {
		t.Fatal(err)
	}
	again := f.emu.TATTargets()[before:]
	slices.Sort(again)
	want := slices.Clone(f.failed)
	slices.Sort(want)
	if !slices.Equal(again, want) {
		t.Errorf("the second run ran the command on %v, want only the failing hosts %v", again, want)
	}
	if res2.Counts[HostAlready] != 170 {
		t.Errorf("second run: %v", res2.Counts)
	}
}

func TestAgentInstallRidesOutThrottlingAndADroppedPoll(t *testing.T) {
	f := newAgentFixture(t)
	// The same specification --faults takes (onboard emulator --faults, emulator.Options.Faults).
	rules, err := tcloud.ParseFaults("action=tat:RunCommand,fault=RequestLimitExceeded,nth=1;" +
		"action=tat:RunCommand,fault=RequestLimitExceeded,nth=3;action=tat:DescribeInvocationTasks,fault=drop,nth=2")
	if err != nil {
		t.Fatal(err)
	}
	f.emu.AddFaults(rules)
	res, err := f.installer.Run(context.Background(), AgentRequest{Account: "prod", All: true, Timeout: 30 * time.Second}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Counts[HostInstalled] != 170 || res.Counts[HostFailed] != 10 {
		t.Errorf("counts %v", res.Counts)
	}
	var throttled, dropped int
	for _, c := range f.emu.Calls() {
		if c.Action == "RunCommand" && c.Code == "RequestLimitExceeded" {
			throttled++
		}
		if c.Action == "DescribeInvocationTasks" && c.Code == tcloud.FaultDrop {
			dropped++
		}
	}
	if throttled != 2 || dropped != 1 {
		t.Errorf("faults that took effect: %d throttled, %d dropped", throttled, dropped)
	}
}

func TestAgentInstallDryRunChangesNothing(t *testing.T) {
	f := newAgentFixture(t)
	res, err := f.installer.Run(context.Background(), AgentRequest{Account: "prod", Instances: []string{f.all[0], f.offline[0]}, DryRun: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Counts[HostWouldRun] != 1 || res.Counts[HostSkipped] != 1 || len(f.emu.TATTargets()) != 0 {
		t.Errorf("dry run: %v, ran on %v", res.Counts, f.emu.TATTargets())
	}
	for _, c := range f.env.SecurityCenter.Calls() {
		if c.Action == "AddInstallCode" {
			t.Error("a dry run added an install code")
		}
	}
	if _, err := f.installer.Run(context.Background(), AgentRequest{Account: "prod", Instances: []string{"ins-nosuch"}}, nil); err == nil ||
		!strings.Contains(err.Error(), "ins-nosuch") {
		t.Errorf("an instance not in the inventory: %v", err)
	}
}

func TestAWrongInstallCodeDoesNotBringTheAgentOnline(t *testing.T) {
	f := newAgentFixture(t)
	ctx := context.Background()
	var host string // an ap-tokyo Lighthouse server whose commands succeed: the last region listed
	for i := len(f.all) - 1; host == ""; i-- {
		if id := f.all[i]; !slices.Contains(f.offline, id) && !slices.Contains(f.failed, id) {
			host = id
		}
	}
	region := "ap-tokyo"
	script, ctype := installScript(securitycenter.OSLinux)
	inv, err := f.admin.RunCommand(ctx, region, tencent.CommandSpec{Name: "wrong", Script: script, Type: ctype, Timeout: 60,
		InstanceIDs: []string{host}, Parameters: map[string]string{"installcode": "zzzzzz"}})
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		tasks, err := f.admin.InvocationTasks(ctx, region, inv.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(tasks) == 1 && tasks[0].Ended() {
			if !tasks[0].Succeeded() {
				t.Fatalf("task: %+v", tasks[0])
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the task did not end")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if onlineInSecurityCenter(t, f.sc)[host] || !slices.Contains(f.env.SecurityCenter.RefusedAgents(), host) {
		t.Errorf("a wrong code: online %v, refused %v", onlineInSecurityCenter(t, f.sc)[host], f.env.SecurityCenter.RefusedAgents())
	}
}

func TestAgentInstallNeverWritesTheInstallCode(t *testing.T) {
	f := newAgentFixture(t)
	ctx := context.Background()
	res, err := f.installer.Run(ctx, AgentRequest{Account: "prod", All: true, Timeout: 30 * time.Second}, nil)
	if err != nil {
		t.Fatal(err)
	}
	codes, err := f.sc.InstallCodes(ctx)
	if err != nil || len(codes) == 0 {
		t.Fatalf("install codes: %v %v", codes, err)
	}
	out, _ := json.Marshal(res)
	f.engine.DB.Close()
	var files [][]byte
	filepath.Walk(f.home, func(path string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			data, _ := os.ReadFile(path)
			files = append(files, data)
		}
		return nil
	})
	if len(files) == 0 {
		t.Fatal("no file to search")
	}
	for _, c := range codes {
		for _, data := range append(files, out) {
			if bytes.Contains(data, []byte(c.Code.Reveal())) {
				t.Errorf("the install code is written in %q…", data[:min(80, len(data))])
			}
		}
	}
}

// An operator sub-user with read-only CVM access is stopped before any change, told exactly which TAT
// actions it lacks and where the policy is.
func TestAgentInstallPreflightNamesTheMissingTATActions(t *testing.T) {
	f := newAgentFixture(t)
	ctx := context.Background()
	u, err := f.admin.CreateUser(ctx, tencent.UserSpec{Name: "operator"})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"QcloudCVMReadOnlyAccess", "QcloudCamReadOnlyAccess"} {
		p, err := f.admin.FindPolicy(ctx, tencent.ScopePreset, name)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.admin.AttachUserPolicy(ctx, p.ID, u.UIN); err != nil {
			t.Fatal(err)
		}
	}
	operator := f.clientOf(t, u.UIN)
	f.installer.TAT = operator
	_, err = f.installer.Run(ctx, AgentRequest{Account: "prod", All: true}, nil)
	var perr *AgentPermissionError
	if !errors.As(err, &perr) || !errors.Is(err, tencent.ErrDenied) {
		t.Fatalf("error: %v", err)
	}
	want := []string{"tat:DescribeAutomationAgentStatus", "tat:RunCommand", "tat:DescribeInvocationTasks", "lighthouse:DescribeInstances"}
	if !slices.Equal(perr.Missing, want) || !strings.Contains(err.Error(), "onboard policy show agent-operator") {
		t.Errorf("missing %v, want %v: %v", perr.Missing, want, err)
	}
	if len(f.emu.TATTargets()) != 0 {
		t.Error("a command ran")
	}
}

// A Windows host gets the PowerShell command with a Windows install code; --os linux leaves it out
// without making the run partly done.
func TestAgentInstallWindowsHostsGetTheirOwnCommandAndCode(t *testing.T) {
	f := newFixture(t) // three CVM hosts in ap-guangzhou
	f.emu.SeedLighthouse("ap-guangzhou", 1)
	f.emu.SetTATTaskDelay(10 * time.Millisecond)
	ids := syncInventory(t, f, "ap-guangzhou")
	windows := ids[0]
	if !f.emu.SetWindows(windows) {
		t.Fatalf("no instance %s", windows)
	}
	ids = syncInventory(t, f, "ap-guangzhou") // the inventory sees its OS
	in := &AgentInstaller{TAT: f.admin, SecurityCenter: f.sc, DB: f.engine.DB, PollFirst: 10 * time.Millisecond, PollMax: 50 * time.Millisecond}
	ctx := context.Background()
	res, err := in.Run(ctx, AgentRequest{Account: "prod", All: true, OS: securitycenter.OSLinux, Timeout: 10 * time.Second}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := outcomes(res)[windows]; got.Outcome != HostNotChosen || !res.Done() || res.Counts[HostInstalled] != len(ids)-1 {
		t.Fatalf("--os linux: %+v, counts %v", got, res.Counts)
	}
	res, err = in.Run(ctx, AgentRequest{Account: "prod", All: true, Timeout: 10 * time.Second}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := outcomes(res)[windows]; got.Outcome != HostInstalled || got.OS != securitycenter.OSWindows || !res.Done() {
		t.Fatalf("windows host: %+v, counts %v", got, res.Counts)
	}
	codes, _ := f.sc.InstallCodes(ctx)
	var oses []string
	for _, c := range codes {
		oses = append(oses, c.OS)
	}
	slices.Sort(oses)
	if !slices.Equal(oses, []string{securitycenter.OSLinux, securitycenter.OSWindows}) {
		t.Errorf("install codes for %v", oses)
	}
}

// A rollback or offboard leaves the agents installed, and says so.
func TestRollbackSaysTheAgentsStayInstalled(t *testing.T) {
	entries := []store.LedgerEntry{{Action: store.LedgerChange, Kind: kindAgentRun, Name: "cvm/linux", State: store.LedgerMade,
		Attrs: map[string]string{"instances": "ins-1,ins-2"}}}
	if got := kept(entries); len(got) != 1 || !strings.Contains(got[0], "agent stays installed") {
		t.Errorf("kept: %v", got)
	}
	if got := kept([]store.LedgerEntry{{Action: store.LedgerChange, Kind: kindAgentRun, State: store.LedgerFailed}}); len(got) != 0 {
		t.Errorf("a refused RunCommand is kept: %v", got)
	}
}

// The docs spell Tencent Cloud's service-provider code two ways; the install works under either.
func TestAgentInstallWorksWhicheverWaySecurityCenterSpellsTencent(t *testing.T) {
	for _, spelling := range []string{"Tencent", "TENCENT"} {
		f := newFixture(t, emulator.Options{SecurityCenterTencentVendorName: spelling})
		f.emu.SetTATTaskDelay(10 * time.Millisecond)
		ids := syncInventory(t, f, "ap-guangzhou")
		in := &AgentInstaller{TAT: f.admin, SecurityCenter: f.sc, DB: f.engine.DB, PollFirst: 10 * time.Millisecond, PollMax: 50 * time.Millisecond}
		res, err := in.Run(context.Background(), AgentRequest{Account: "prod", All: true, Timeout: 10 * time.Second}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if res.Counts[HostInstalled] != len(ids) {
			t.Errorf("%s: %v", spelling, res.Counts)
		}
		codes, _ := f.sc.InstallCodes(context.Background())
		if len(codes) != 1 || codes[0].VendorName != spelling {
			t.Errorf("%s: install codes %+v", spelling, codes)
		}
	}
}

// Cancelled while the commands run: the hosts are reported as cancelled, the run ends, and the next run
// finds the agents the commands installed meanwhile and runs nothing again.
func TestAgentInstallCancelledMidPollThenRerun(t *testing.T) {
	f := newFixture(t) // three CVM hosts in ap-guangzhou
	f.emu.SetTATTaskDelay(300 * time.Millisecond)
	ids := syncInventory(t, f, "ap-guangzhou")
	in := &AgentInstaller{TAT: f.admin, SecurityCenter: f.sc, DB: f.engine.DB, PollFirst: 50 * time.Millisecond, PollMax: 50 * time.Millisecond}
	ctx, cancel := context.WithCancel(context.Background())
	f.emu.AddFaults([]tcloud.FaultRule{{Action: "DescribeInvocationTasks", Fault: tcloud.FaultDelay, Delay: time.Millisecond, Nth: 1, Then: cancel}})
	res, err := in.Run(ctx, AgentRequest{Account: "prod", All: true, Timeout: 10 * time.Second}, nil)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v", err)
	}
	for _, h := range res.Hosts {
		if h.Outcome != HostFailed || !strings.Contains(h.Reason, "cancelled") {
			t.Errorf("%+v", h)
		}
	}
	time.Sleep(500 * time.Millisecond) // the commands end on the hosts all the same
	before := len(f.emu.TATTargets())
	res, err = in.Run(context.Background(), AgentRequest{Account: "prod", All: true, Timeout: 10 * time.Second}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Counts[HostAlready] != len(ids) || len(f.emu.TATTargets()) != before {
		t.Errorf("re-run: %v, ran on %v", res.Counts, f.emu.TATTargets()[before:])
	}
}

// An operator holding only the agent-operator policy (onboard policy show agent-operator) installs the
// agent everywhere it can: the policy is enough, and the pre-flight does not need CAM reads it lacks.
func TestAgentInstallWithTheLeastPrivilegeOperatorPolicy(t *testing.T) {
	f := newFixture(t) // three CVM hosts in ap-guangzhou
	f.emu.SeedLighthouse("ap-guangzhou", 2)
	f.emu.SetTATTaskDelay(10 * time.Millisecond)
	ids := syncInventory(t, f, "ap-guangzhou")
	ctx := context.Background()
	doc, err := policy.AgentOperatorDocument()
	if err != nil {
		t.Fatal(err)
	}
	pid, err := f.admin.CreatePolicy(ctx, tencent.PolicySpec{Name: "agent-operator", Document: string(doc)})
	if err != nil {
		t.Fatal(err)
	}
	u, err := f.admin.CreateUser(ctx, tencent.UserSpec{Name: "agent-operator"})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.admin.AttachUserPolicy(ctx, pid, u.UIN); err != nil {
		t.Fatal(err)
	}
	operator := f.clientOf(t, u.UIN)
	in := &AgentInstaller{TAT: operator, SecurityCenter: f.sc, DB: f.engine.DB, PollFirst: 10 * time.Millisecond, PollMax: 50 * time.Millisecond}
	res, err := in.Run(ctx, AgentRequest{Account: "prod", All: true, Timeout: 10 * time.Second}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Counts[HostInstalled] != len(ids) {
		t.Errorf("counts %v", res.Counts)
	}
}

// Two installs on one account at once: the second is refused, naming the first, and runs nothing; with a
// wait it runs once the first has finished, finds the agents the first installed, and runs nothing
// either. Each run has a database handle of its own, as a second process has.
func TestAgentInstallTakesTheAccountLock(t *testing.T) {
	f := newFixture(t) // three CVM hosts in ap-guangzhou
	f.emu.SetTATTaskDelay(10 * time.Millisecond)
	ids := syncInventory(t, f, "ap-guangzhou")
	ctx := context.Background()
	db2, err := store.Open(ctx, filepath.Join(f.home, store.DBFile))
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	first := &AgentInstaller{TAT: f.admin, SecurityCenter: f.sc, DB: f.engine.DB, PollFirst: 10 * time.Millisecond, PollMax: 50 * time.Millisecond}
	second := *first
	second.DB = db2
	req := AgentRequest{Account: "prod", All: true, Timeout: 10 * time.Second}

	queued, resume := make(chan struct{}), make(chan struct{})
	var once bool
	done := make(chan error)
	go func() {
		_, err := first.Run(ctx, req, func(e AgentEvent) {
			if e.Host.Outcome == hostQueued && !once {
				once = true
				close(queued)
				<-resume
			}
		})
		done <- err
	}()
	<-queued
	_, err = second.Run(ctx, req, nil)
	var held *store.LockHeldError
	if !errors.As(err, &held) || held.Holder.Purpose != "agent install" || !strings.Contains(err.Error(), "agent install") || !strings.Contains(err.Error(), `"prod"`) {
		t.Fatalf("second install while the first runs: %v", err)
	}
	// A dry run changes nothing and is not kept waiting.
	if _, err := second.Run(ctx, AgentRequest{Account: "prod", All: true, DryRun: true}, nil); err != nil {
		t.Fatalf("dry run beside an install: %v", err)
	}
	waited := make(chan AgentResult)
	go func() {
		w := req
		w.Wait = 30 * time.Second
		res, err := second.Run(ctx, w, nil)
		if err != nil {
			t.Error(err)
		}
		waited <- res
	}()
	time.Sleep(300 * time.Millisecond) // the waiting run looks at the lock at least once
	if got := len(f.emu.TATTargets()); got != 0 {
		t.Fatalf("the commands ran on %d hosts while the first run was held before RunCommand", got)
	}
	close(resume)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	res := <-waited
	if res.Counts[HostAlready] != len(ids) {
		t.Errorf("the run that waited: %v", res.Counts)
	}
	if got := len(f.emu.TATTargets()); got != len(ids) {
		t.Errorf("the installer ran on %d hosts, want %d (once each)", got, len(ids))
	}
}
