package onboarding

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"golang.org/x/time/rate"

	"onboard/policy"
	"onboard/securitycenter"
	"onboard/store"
	"onboard/tencent"
)

// Installing Security Center's agent on an account's hosts through TAT (onboard agent install): the
// hosts come from the inventory, TAT runs Security Center's install command with the operator's key
// (the Security Center sub-user stays read-only), and Security Center's host list confirms each agent.
// Facts: docs/facts/agent-install.md.

// AgentTAT is what agent installation asks of Tencent Cloud with the operator's key.
type AgentTAT interface {
	Identify(ctx context.Context) (tencent.Identity, error)
	CallerIdentity(ctx context.Context) (tencent.Identity, error)
	ListAttachedUserPolicies(ctx context.Context, userUIN uint64) ([]tencent.AttachedPolicy, error)
	GetPolicy(ctx context.Context, id uint64) (tencent.Policy, error)
	AgentStatuses(ctx context.Context, region string, instanceIDs []string) ([]tencent.AgentStatus, error)
	RunCommand(ctx context.Context, region string, spec tencent.CommandSpec) (tencent.Invocation, error)
	InvocationTasks(ctx context.Context, region, invocationID string) ([]tencent.InvocationTask, error)
}

// AgentSecurityCenter is what agent installation asks of Security Center.
type AgentSecurityCenter interface {
	VendorNames(ctx context.Context) ([]string, error)
	AddInstallCode(ctx context.Context, spec securitycenter.InstallCodeSpec) error
	InstallCodes(ctx context.Context) ([]securitycenter.InstallCode, error)
	Hosts(ctx context.Context, instanceIDs []string) ([]securitycenter.Host, error)
}

// AgentInstaller installs Security Center's agent. The wizard and the command line drive the same Run;
// progress reports each host as it moves.
type AgentInstaller struct {
	TAT            AgentTAT
	SecurityCenter AgentSecurityCenter
	DB             *store.DB
	// PollFirst is the first wait before reading the tasks again, PollMax the longest; the wait doubles
	// in between. Zero: 2 s and 15 s.
	PollFirst, PollMax time.Duration
	// RunRate bounds RunCommand calls per second, TAT's published 20/s when zero; ReadRate likewise
	// DescribeInvocationTasks and DescribeAutomationAgentStatus.
	RunRate, ReadRate float64
}

// AgentRequest says which hosts get the agent.
type AgentRequest struct {
	Account   string
	Instances []string // these instances; empty with All: every host of the inventory
	All       bool
	OS        string // securitycenter.OSLinux or OSWindows; "" for both
	DryRun    bool
	// Timeout bounds the wait for the tasks and for Security Center to list the agents online.
	Timeout time.Duration
	// SkipPermissionCheck skips reading the operator's policies (a CAM group grants them).
	SkipPermissionCheck bool
	// Wait is how long to wait for another run on the account (an install, an onboarding, a rollback, a
	// sync) to finish; 0 refuses at once, naming it.
	Wait time.Duration
}

// Outcomes of a host.
const (
	HostInstalled  = "installed"         // the command ran and Security Center lists the agent online
	HostAlready    = "already-installed" // Security Center listed the agent online before this run
	HostSkipped    = "skipped"           // not tried: Reason says why
	HostFailed     = "failed"            // tried and not done: Reason (and Output) say why
	HostWouldRun   = "would-install"     // --dry-run: the command would run here
	HostNotChosen  = "not-selected"      // left out by --os
	hostQueued     = "queued"
	hostRunning    = "running"
	hostConfirming = "confirming"      // the command succeeded; Security Center has yet to list the agent online
	kindAgentRun   = "agent-install"   // ledger: a RunCommand of the install command
	kindSCInstCode = "sc-install-code" // ledger: an install code added in Security Center
)

// HostOutcome is what became of one host.
type HostOutcome struct {
	InstanceID string `json:"instance_id"`
	Region     string `json:"region"`
	Kind       string `json:"kind"` // cvm or lighthouse
	OS         string `json:"os,omitempty"`
	Outcome    string `json:"outcome"`
	Reason     string `json:"reason,omitempty"`
	// Output is the end of what the install command printed, for a failed host.
	Output     string `json:"output,omitempty"`
	Invocation string `json:"invocation,omitempty"`
}

// AgentEvent reports one host's progress to the face.
type AgentEvent struct {
	Host HostOutcome
}

// AgentResult is what an agent installation did, per host. It never holds the install code.
type AgentResult struct {
	Account string         `json:"account"`
	DryRun  bool           `json:"dry_run"`
	Hosts   []HostOutcome  `json:"hosts"`
	Counts  map[string]int `json:"counts"`
}

// Done reports whether every chosen host has the agent (or, in a dry run, nothing failed).
func (r AgentResult) Done() bool {
	for _, h := range r.Hosts {
		if h.Outcome == HostFailed || (h.Outcome == HostSkipped && !r.DryRun) {
			return false
		}
	}
	return true
}

// ErrAgentsPartly is returned with a result where some chosen hosts did not get the agent.
var ErrAgentsPartly = errors.New("the agent is not on every chosen host")

// AgentPermissionError names the TAT and instance actions the operator's key lacks. It is a
// tencent.ErrDenied.
type AgentPermissionError struct {
	Operator string
	Missing  []string
}

func (e *AgentPermissionError) Unwrap() error { return tencent.ErrDenied }

func (e *AgentPermissionError) Error() string {
	return fmt.Sprintf("the operator (sub-user %s) may not install the agent; its policies do not allow: %s. "+
		"Grant them (onboard policy show %s prints a least-privilege policy), or pass --skip-permission-check if a CAM group grants them",
		e.Operator, strings.Join(e.Missing, ", "), policy.AgentOperator)
}

// agentHost is a host of the inventory as agent installation reads it.
type agentHost struct {
	HostOutcome
	state, vpc string
}

// Run installs the agent on the request's hosts. Everything that can be checked is checked before the
// first change; a host already online in Security Center is left alone, so a second run touches only
// the hosts not yet done.
func (a *AgentInstaller) Run(ctx context.Context, req AgentRequest, progress func(AgentEvent)) (AgentResult, error) {
	if progress == nil {
		progress = func(AgentEvent) {}
	}
	if req.Timeout <= 0 {
		req.Timeout = 10 * time.Minute
	}
	res := AgentResult{Account: req.Account, DryRun: req.DryRun, Counts: map[string]int{}}
	hosts, err := a.inventoryHosts(ctx, req)
	if err != nil {
		return res, err
	}
	// CAM's GetUserAppId tells a root key surely, but needs a CAM grant a least-privilege agent operator
	// need not have; STS answers every valid key.
	id, err := a.TAT.Identify(ctx)
	if errors.Is(err, tencent.ErrDenied) {
		id, err = a.TAT.CallerIdentity(ctx)
	}
	if err != nil {
		return res, fmt.Errorf("identify the operator's Tencent Cloud key: %w", err)
	}
	lighthouse := slices.ContainsFunc(hosts, func(h *agentHost) bool { return h.Kind == "lighthouse" })
	if err := a.checkPermissions(ctx, id, lighthouse, req.SkipPermissionCheck); err != nil {
		return res, err
	}
	// Two installs at once would both run the installer on the same hosts, so a run that changes
	// something holds the account's run lock; Security Center's host list is read under it, so a run
	// that waited sees what the one before it installed and leaves those hosts alone.
	if !req.DryRun {
		release, err := a.lock(ctx, req, id)
		if err != nil {
			return res, err
		}
		defer release()
	}
	vendor, err := a.tencentVendor(ctx)
	if err != nil {
		return res, err
	}
	scHosts, err := a.SecurityCenter.Hosts(ctx, nil)
	if err != nil {
		return res, fmt.Errorf("read Security Center's hosts: %w", err)
	}
	online := map[string]bool{}
	for _, h := range scHosts {
		if h.Online() {
			online[h.InstanceID] = true
		}
	}
	var candidates []*agentHost
	for _, h := range hosts {
		switch {
		case req.OS != "" && h.OS != "" && h.OS != req.OS:
			h.Outcome, h.Reason = HostNotChosen, "its OS is "+h.OS+", not --os "+req.OS
		case online[h.InstanceID]:
			h.Outcome = HostAlready
		case h.state != "RUNNING":
			h.Outcome, h.Reason = HostSkipped, "not running ("+strings.ToLower(orNone(h.state))+")"
		case h.Kind == "cvm" && h.vpc == "":
			h.Outcome, h.Reason = HostSkipped, "not in a VPC"
		case h.OS == "":
			h.Outcome, h.Reason = HostSkipped, "OS unsupported (the inventory names no Linux or Windows system)"
		default:
			candidates = append(candidates, h)
		}
	}
	if err := a.checkAgents(ctx, candidates); err != nil {
		return res, err
	}
	var runnable []*agentHost
	for _, h := range candidates {
		if h.Outcome == "" {
			runnable = append(runnable, h)
		}
	}
	for _, h := range hosts {
		if h.Outcome != "" {
			progress(AgentEvent{Host: h.HostOutcome})
		}
	}
	if req.DryRun || len(runnable) == 0 {
		for _, h := range runnable {
			h.Outcome = HostWouldRun
			progress(AgentEvent{Host: h.HostOutcome})
		}
		return a.finish(res, hosts), nil
	}

	codes := map[string]securitycenter.Secret{}
	run, err := a.DB.StartRun(ctx, req.Account, kindAgentRun)
	if err != nil {
		return res, err
	}
	l := ledger{db: a.DB, account: req.Account, runID: run.ID}
	for _, os := range []string{securitycenter.OSLinux, securitycenter.OSWindows} {
		if !slices.ContainsFunc(runnable, func(h *agentHost) bool { return h.OS == os }) {
			continue
		}
		code, err := a.installCode(ctx, l, vendor, os)
		if err != nil {
			a.DB.FinishRun(context.WithoutCancel(ctx), run.ID, store.RunFailed)
			return res, err
		}
		codes[os] = code
	}
	for _, h := range runnable {
		h.Outcome = hostQueued
		progress(AgentEvent{Host: h.HostOutcome})
	}
	invocations := a.runCommands(ctx, l, runnable, codes, progress)
	deadline := time.Now().Add(req.Timeout)
	a.waitForTasks(ctx, invocations, deadline, progress)
	a.confirm(ctx, runnable, deadline, progress)
	for _, h := range runnable {
		ids := map[string]string{"outcome": h.Outcome, "invocation": h.Invocation}
		if h.Outcome == HostInstalled {
			a.DB.JournalDone(context.WithoutCancel(ctx), run.ID, "agent "+h.InstanceID, ids)
		} else {
			a.DB.JournalFailed(context.WithoutCancel(ctx), run.ID, "agent "+h.InstanceID, store.Scrub(h.Reason))
		}
	}
	res = a.finish(res, hosts)
	status := store.RunDone
	if !res.Done() {
		status = store.RunFailed
	}
	a.DB.FinishRun(context.WithoutCancel(ctx), run.ID, status)
	if ctx.Err() != nil {
		return res, ctx.Err()
	}
	return res, nil
}

// lock takes the exclusive run lock of the account, as an onboarding does: on the Tencent Cloud account
// (the record's owner UIN, or the operator key's) and on the local name.
func (a *AgentInstaller) lock(ctx context.Context, req AgentRequest, operator tencent.Identity) (release func() error, err error) {
	l := store.RunLock{Account: req.Account, OwnerUIN: operator.OwnerUIN, Purpose: "agent install", Mode: store.LockExclusive, Wait: req.Wait}
	if rec, err := a.DB.Account(ctx, req.Account); err == nil {
		l.OwnerUIN, l.SubUser = rec.OwnerUIN, rec.SubUserName
	}
	return a.DB.AcquireRunLock(ctx, l)
}

// finish puts the hosts' outcomes into the result and counts them.
func (a *AgentInstaller) finish(res AgentResult, hosts []*agentHost) AgentResult {
	for _, h := range hosts {
		h.Reason, h.Output = store.Scrub(h.Reason), store.Scrub(h.Output)
		res.Hosts = append(res.Hosts, h.HostOutcome)
		res.Counts[h.Outcome]++
	}
	return res
}

// inventoryHosts reads the account's CVM and Lighthouse instances from the inventory: every one, or
// those named (each must be there).
func (a *AgentInstaller) inventoryHosts(ctx context.Context, req AgentRequest) ([]*agentHost, error) {
	var hosts []*agentHost
	for _, kind := range []string{"cvm.instance", "lighthouse.instance"} {
		assets, err := a.DB.Assets(ctx, store.AssetFilter{Account: req.Account, Kind: kind})
		if err != nil {
			return nil, err
		}
		for _, as := range assets {
			hosts = append(hosts, readHost(as))
		}
	}
	if len(hosts) == 0 {
		return nil, &PreflightError{Problems: []Problem{{Input: "--account " + req.Account, Problem: "the inventory holds no CVM or Lighthouse instance",
			Fix: "run onboard sync --account " + req.Account + " first", Class: ProblemUsage}}}
	}
	if req.All {
		return hosts, nil
	}
	byID := map[string]*agentHost{}
	for _, h := range hosts {
		byID[h.InstanceID] = h
	}
	var chosen []*agentHost
	var unknown []string
	for _, id := range req.Instances {
		if h, ok := byID[id]; ok {
			chosen = append(chosen, h)
		} else {
			unknown = append(unknown, id)
		}
	}
	if len(unknown) > 0 {
		return nil, &PreflightError{Problems: []Problem{{Input: "--instances", Problem: "not in the inventory of " + req.Account + ": " + strings.Join(unknown, ", "),
			Fix: "check the IDs, or run onboard sync to refresh the inventory", Class: ProblemUsage}}}
	}
	return chosen, nil
}

// readHost reads what installation needs from an instance as the API returned it.
func readHost(as store.Asset) *agentHost {
	var attrs struct {
		InstanceState       string
		OsName              string
		PlatformType        string
		VirtualPrivateCloud *struct{ VpcId string }
	}
	json.Unmarshal([]byte(as.Attributes), &attrs)
	h := &agentHost{HostOutcome: HostOutcome{InstanceID: as.ID, Region: as.Region, Kind: strings.TrimSuffix(as.Kind, ".instance")},
		state: attrs.InstanceState}
	if attrs.VirtualPrivateCloud != nil {
		h.vpc = attrs.VirtualPrivateCloud.VpcId
	}
	os := strings.ToLower(attrs.OsName)
	switch {
	case attrs.PlatformType == "WINDOWS" || strings.Contains(os, "windows"):
		h.OS = securitycenter.OSWindows
	case attrs.PlatformType == "LINUX_UNIX" || os != "":
		h.OS = securitycenter.OSLinux
	}
	return h
}

// checkPermissions: a sub-user operator's attached policies must allow every TAT and instance call, or
// the run stops before any change naming what is missing. A root key may do everything; temporary
// credentials and CAM groups cannot be read up front.
func (a *AgentInstaller) checkPermissions(ctx context.Context, id tencent.Identity, lighthouse, skip bool) error {
	if id.IsRoot() || id.IsTemporary() || skip {
		return nil
	}
	var uin uint64
	if _, err := fmt.Sscan(id.UserUIN, &uin); err != nil {
		return fmt.Errorf("the operator's UIN %q is not a number", id.UserUIN)
	}
	attached, err := a.TAT.ListAttachedUserPolicies(ctx, uin)
	if errors.Is(err, tencent.ErrDenied) {
		// A least-privilege operator may not read CAM: its missing permission then fails its call by name.
		return nil
	}
	if err != nil {
		return fmt.Errorf("read the operator's own policies to check its permissions (or pass --skip-permission-check): %w", err)
	}
	var docs []*policy.Document
	for _, p := range attached {
		full, err := a.TAT.GetPolicy(ctx, p.ID)
		if err != nil {
			return fmt.Errorf("read policy %s to check the operator's permissions (or pass --skip-permission-check): %w", p.Name, err)
		}
		if doc, err := policy.Parse([]byte(full.Document)); err == nil {
			docs = append(docs, doc)
		}
	}
	var missing []string
	for _, c := range policy.AgentOperatorCalls(lighthouse) {
		if !policy.Evaluate(docs, policy.Request{Action: c.Name(), Resource: c.Resource}).Allowed {
			missing = append(missing, c.Name())
		}
	}
	if len(missing) > 0 {
		return &AgentPermissionError{Operator: id.UserUIN, Missing: missing}
	}
	return nil
}

// tencentVendor is Security Center's name for Tencent Cloud among its service providers; the docs spell
// it two ways, so it is read, not assumed.
func (a *AgentInstaller) tencentVendor(ctx context.Context) (string, error) {
	names, err := a.SecurityCenter.VendorNames(ctx)
	if err != nil {
		return "", err
	}
	for _, n := range names {
		if strings.EqualFold(n, "tencent") {
			return n, nil
		}
	}
	return "", fmt.Errorf("no Tencent Cloud among Security Center's service providers (%s)", strings.Join(names, ", "))
}

// checkAgents marks the candidates whose TAT agent is not online, asking TAT per region in batches.
func (a *AgentInstaller) checkAgents(ctx context.Context, hosts []*agentHost) error {
	limit := rate.NewLimiter(rate.Limit(orRate(a.ReadRate)), 1)
	for region, group := range byRegion(hosts) {
		for start := 0; start < len(group); start += tencent.TATBatchMax {
			batch := group[start:min(start+tencent.TATBatchMax, len(group))]
			ids := make([]string, len(batch))
			for i, h := range batch {
				ids[i] = h.InstanceID
			}
			if err := limit.Wait(ctx); err != nil {
				return err
			}
			statuses, err := a.TAT.AgentStatuses(ctx, region, ids)
			if err != nil {
				return err
			}
			state := map[string]string{}
			for _, s := range statuses {
				state[s.InstanceID] = s.Status
			}
			for _, h := range batch {
				switch state[h.InstanceID] {
				case tencent.AgentOnline:
				case "":
					h.Outcome, h.Reason = HostSkipped, "TAT does not know the instance (no automation agent installed)"
				default:
					h.Outcome, h.Reason = HostSkipped, "TAT agent offline"
				}
			}
		}
	}
	return nil
}

func byRegion(hosts []*agentHost) map[string][]*agentHost {
	out := map[string][]*agentHost{}
	for _, h := range hosts {
		out[h.Region] = append(out[h.Region], h)
	}
	return out
}

func orRate(r float64) float64 {
	if r <= 0 {
		return 20 // TAT's published limit of RunCommand, DescribeInvocationTasks and (older page) agent status
	}
	return r
}

// installCode returns a valid install code of Security Center for Tencent Cloud hosts of one OS: one it
// lists (not for images, not through a proxy, valid for another hour at least), or a new one. The code
// is a secret from the moment it is read: it is registered for scrubbing and never written anywhere.
func (a *AgentInstaller) installCode(ctx context.Context, l ledger, vendor, os string) (securitycenter.Secret, error) {
	find := func() (securitycenter.Secret, error) {
		codes, err := a.SecurityCenter.InstallCodes(ctx)
		if err != nil {
			return "", err
		}
		var best *securitycenter.InstallCode
		for i, c := range codes {
			rememberInstallCode(c.Code)
			if strings.EqualFold(c.VendorName, vendor) && c.OS == os && !c.OnlyImage && c.Proxy == "" &&
				c.Expires.After(time.Now().Add(time.Hour)) && (best == nil || c.Expires.After(best.Expires)) {
				best = &codes[i]
			}
		}
		if best == nil {
			return "", nil
		}
		return best.Code, nil
	}
	code, err := find()
	if err != nil || code != "" {
		return code, err
	}
	spec := securitycenter.InstallCodeSpec{VendorName: vendor, OS: os, Expires: time.Now().Add(7 * 24 * time.Hour)}
	w := object{Kind: kindSCInstCode, Name: vendor + "/" + os}
	if err := changing(ctx, l, store.LedgerChange, w, func() error { return a.SecurityCenter.AddInstallCode(ctx, spec) }); err != nil {
		return "", err
	}
	if code, err = find(); err != nil || code != "" {
		return code, err
	}
	return "", fmt.Errorf("add a %s install code for %s: Security Center does not list the code it added", os, vendor)
}

// rememberInstallCode registers an install code with the scrubber: whole when it is long enough for the
// registry, and always as the installer's argument, the form in which a command line would echo it.
func rememberInstallCode(code securitycenter.Secret) {
	if code == "" {
		return
	}
	store.RememberSecret(code.Reveal())
	store.RememberSecret("-k=" + code.Reveal())
}

// installScript is Security Center's install command (docs/facts/agent-install.md) with the code as a
// hidden TAT parameter: TAT's records show "******" in its place.
func installScript(os string) (script, commandType string) {
	if os == securitycenter.OSWindows {
		return `(New-Object Net.WebClient).DownloadFile('https://update.aegis.aliyun.com/download/install/2.0/windows/AliAqsInstall.exe', "$PWD\AliAqsInstall.exe"); ./AliAqsInstall.exe -k={{tat-hidden:installcode}}`, "POWERSHELL"
	}
	return `wget "https://update.aegis.aliyun.com/download/install/2.0/linux/AliAqsInstall.sh" && chmod +x AliAqsInstall.sh && ./AliAqsInstall.sh -k={{tat-hidden:installcode}}`, "SHELL"
}

// agentInvocation is one RunCommand and its hosts.
type agentInvocation struct {
	region, id string
	hosts      map[string]*agentHost
}

// runCommands starts the install command on the hosts: per region, instance kind and OS, at most
// TATBatchMax per call, at TAT's published rate. A refused or unanswered call fails its hosts.
func (a *AgentInstaller) runCommands(ctx context.Context, l ledger, hosts []*agentHost, codes map[string]securitycenter.Secret, progress func(AgentEvent)) []*agentInvocation {
	type group struct{ region, kind, os string }
	groups := map[group][]*agentHost{}
	var keys []group
	for _, h := range hosts {
		g := group{h.Region, h.Kind, h.OS}
		if groups[g] == nil {
			keys = append(keys, g)
		}
		groups[g] = append(groups[g], h)
	}
	sort.Slice(keys, func(i, j int) bool {
		return keys[i].region+keys[i].kind+keys[i].os < keys[j].region+keys[j].kind+keys[j].os
	})
	limit := rate.NewLimiter(rate.Limit(orRate(a.RunRate)), 1)
	var out []*agentInvocation
	for _, g := range keys {
		list := groups[g]
		for start := 0; start < len(list); start += tencent.TATBatchMax {
			batch := list[start:min(start+tencent.TATBatchMax, len(list))]
			ids := make([]string, len(batch))
			for i, h := range batch {
				ids[i] = h.InstanceID
			}
			fail := func(err error) {
				for _, h := range batch {
					h.Outcome, h.Reason = HostFailed, "TAT RunCommand: "+store.Scrub(err.Error())
					progress(AgentEvent{Host: h.HostOutcome})
				}
			}
			if err := limit.Wait(ctx); err != nil {
				fail(err)
				continue
			}
			script, ctype := installScript(g.os)
			spec := tencent.CommandSpec{Name: "onboard-security-center-agent", Script: script, Type: ctype, Timeout: 600,
				InstanceIDs: ids, Parameters: map[string]string{"installcode": codes[g.os].Reveal()}}
			var inv tencent.Invocation
			w := object{Kind: kindAgentRun, Name: g.kind + "/" + g.os, Region: g.region, Attrs: map[string]string{"instances": strings.Join(ids, ",")}}
			err := changing(ctx, l, store.LedgerChange, w, func() error {
				var err error
				inv, err = a.TAT.RunCommand(ctx, g.region, spec)
				return err
			})
			if err != nil {
				fail(err)
				continue
			}
			ai := &agentInvocation{region: g.region, id: inv.ID, hosts: map[string]*agentHost{}}
			for _, h := range batch {
				h.Outcome, h.Invocation = hostRunning, inv.ID
				ai.hosts[h.InstanceID] = h
				progress(AgentEvent{Host: h.HostOutcome})
			}
			out = append(out, ai)
		}
	}
	return out
}

// waitForTasks reads the invocations' tasks until every one ended or the deadline passed: the first
// wait is short, later ones double up to PollMax. A read that fails (a dropped connection the client's
// retries did not cover) is tried again at the next round.
func (a *AgentInstaller) waitForTasks(ctx context.Context, invs []*agentInvocation, deadline time.Time, progress func(AgentEvent)) {
	wait, maxWait := a.PollFirst, a.PollMax
	if wait <= 0 {
		wait = 2 * time.Second
	}
	if maxWait <= 0 {
		maxWait = 15 * time.Second
	}
	limit := rate.NewLimiter(rate.Limit(orRate(a.ReadRate)), 1)
	pending := slices.Clone(invs)
	for len(pending) > 0 {
		if !sleepUntil(ctx, earlier(time.Now().Add(wait), deadline)) || !time.Now().Before(deadline) {
			break
		}
		wait = min(2*wait, maxWait)
		var still []*agentInvocation
		for i, inv := range pending {
			if limit.Wait(ctx) != nil {
				still = append(still, pending[i:]...)
				break
			}
			tasks, err := a.TAT.InvocationTasks(ctx, inv.region, inv.id)
			if err != nil {
				still = append(still, inv)
				continue
			}
			ended := 0
			for _, t := range tasks {
				h := inv.hosts[t.InstanceID]
				if h == nil {
					continue
				}
				if !t.Ended() {
					continue
				}
				ended++
				if h.Outcome != hostRunning {
					continue
				}
				if t.Succeeded() {
					h.Outcome = hostConfirming
				} else {
					h.Outcome, h.Reason, h.Output = HostFailed, taskReason(t), outputTail(t.Output)
				}
				progress(AgentEvent{Host: h.HostOutcome})
			}
			if ended < len(inv.hosts) {
				still = append(still, inv)
			}
		}
		pending = still
	}
	reason := "the install command did not end within --timeout"
	if ctx.Err() != nil {
		reason = "cancelled while the install command ran: run again to see how it ended"
	}
	for _, inv := range pending {
		for _, h := range inv.hosts {
			if h.Outcome == hostRunning {
				h.Outcome, h.Reason = HostFailed, reason
				progress(AgentEvent{Host: h.HostOutcome})
			}
		}
	}
}

func taskReason(t tencent.InvocationTask) string {
	switch t.Status {
	case "FAILED":
		return fmt.Sprintf("the install command failed (exit code %d)", t.ExitCode)
	case "DELIVER_FAILED":
		return "TAT could not deliver the command (agent offline?)" + suffix(t.ErrorInfo)
	}
	return "the install command ended " + t.Status + suffix(t.ErrorInfo)
}

func suffix(s string) string {
	if s == "" {
		return ""
	}
	return ": " + s
}

// outputTail is the last lines of a command's output, scrubbed.
func outputTail(out string) string {
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	tail := strings.Join(lines[max(0, len(lines)-5):], "\n")
	if len(tail) > 500 {
		tail = tail[len(tail)-500:]
	}
	return store.Scrub(tail)
}

// confirm waits until Security Center lists the agent of every host whose command succeeded online, or
// the deadline passed.
func (a *AgentInstaller) confirm(ctx context.Context, hosts []*agentHost, deadline time.Time, progress func(AgentEvent)) {
	waiting := map[string]*agentHost{}
	for _, h := range hosts {
		if h.Outcome == hostConfirming {
			waiting[h.InstanceID] = h
		}
	}
	wait := a.PollFirst
	if wait <= 0 {
		wait = 2 * time.Second
	}
	for len(waiting) > 0 {
		if list, err := a.SecurityCenter.Hosts(ctx, nil); err == nil {
			for _, sh := range list {
				if h := waiting[sh.InstanceID]; h != nil && sh.Online() {
					h.Outcome = HostInstalled
					delete(waiting, sh.InstanceID)
					progress(AgentEvent{Host: h.HostOutcome})
				}
			}
		}
		if len(waiting) == 0 || !time.Now().Before(deadline) || !sleepUntil(ctx, earlier(time.Now().Add(wait), deadline)) {
			break
		}
		wait = min(2*wait, 15*time.Second)
	}
	for _, h := range waiting {
		h.Outcome, h.Reason = HostFailed, "the install command succeeded, but Security Center did not list the agent online within --timeout"
		progress(AgentEvent{Host: h.HostOutcome})
	}
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// sleepUntil waits until t; false when ctx ended first.
func sleepUntil(ctx context.Context, t time.Time) bool {
	timer := time.NewTimer(time.Until(t))
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-timer.C:
		return true
	}
}
