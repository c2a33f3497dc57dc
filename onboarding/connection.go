package onboarding

import (
	"context"
	"fmt"
	"slices"

	"onboard/policy"
	"onboard/securitycenter"
)

// ConnectionCheck is the procedure's "Verify the connection" and "What to do next" for one chosen
// feature: what the APIs confirm, where to look in the console, and the next steps.
type ConnectionCheck struct {
	Feature string `json:"feature"`
	// Confirmed is what the APIs confirmed: Security Center's status of the feature's module, and for
	// hosts and cloud products what the sub-user's key lists.
	Confirmed []string `json:"confirmed"`
	// Problem is what could not be confirmed; the onboarding is then partly done.
	Problem   string   `json:"problem,omitempty"`
	Console   string   `json:"console"`
	NextSteps []string `json:"next_steps"`
}

// featureGuide is, per feature, where Security Center's console shows it and what its procedure says to
// do next (https://help.aliyun.com/en/security-center/user-guide/add-tencent-cloud-assets-through-api-key).
var featureGuide = map[string]struct {
	console string
	next    []string
}{
	policy.FeatureHost: {"Security Center console > Assets > Host: filter by service provider Tencent Cloud",
		[]string{NextStepInstallAgent, "bind a paid Security Center edition to the hosts you want protected"}},
	policy.FeatureCSPM: {"Security Center console > Risk Governance > CSPM > Cloud Platform Configuration Check: filter by Tencent Cloud",
		[]string{"run a check of the Tencent Cloud products and review the failed check items"}},
	policy.FeatureSOC: {"Security Center console > Agentic SOC > Integration Center: Tencent Cloud", nil}, // socNextSteps
	policy.FeatureAudit: {"Security Center console > System Settings > Multi-cloud Configuration Management > Tencent Cloud > audit logs",
		[]string{"watch the audit-log status become enabled; then search the Tencent Cloud events in CIEM",
			auditBackfillNextStep}},
}

// NextStepInstallAgent is feature host's first next step; AfterAgentInstall takes it away once done.
const NextStepInstallAgent = "install the Security Center agent on the Tencent Cloud hosts (onboard agent install, or Assets > Host > Install Agent, service provider Tencent Cloud): without it the hosts are listed, not protected"

// AfterAgentInstall is r once the agent installation a gave ran on the account's hosts: when every host
// has the agent online, installing it is no longer a next step, in the result as on the screen.
func (r Result) AfterAgentInstall(a AgentResult) Result {
	for _, h := range a.Hosts {
		if h.Outcome != HostInstalled && h.Outcome != HostAlready {
			return r
		}
	}
	if len(a.Hosts) == 0 {
		return r
	}
	done := func(s string) bool { return s == NextStepInstallAgent }
	r.NextSteps = slices.DeleteFunc(slices.Clone(r.NextSteps), done)
	conn := make([]ConnectionCheck, len(r.Connection))
	for i, c := range r.Connection {
		c.NextSteps = slices.DeleteFunc(slices.Clone(c.NextSteps), done)
		conn[i] = c
	}
	r.Connection = conn
	return r
}

// auditBackfillNextStep: none of CloudAudit's, CLS's or Security Center's documented API fields backfills
// past events (docs/facts/procedure.md), so the console's option is named instead.
const auditBackfillNextStep = "to have the last 90 days of events too, turn on the backfill in Security Center console > System Settings > " +
	"Multi-cloud Configuration Management > Tencent Cloud > this account's audit-log settings (no documented API field offers it)"

// verifyConnection checks, per chosen feature only, what Security Center says of the account (the
// module's status) and what the first sync found, and adds the console path and next steps. It only
// reads; what it cannot confirm makes the onboarding partly done.
func (r *run) verifyConnection(ctx context.Context) {
	var modules []securitycenter.ModuleStatus
	var listErr error
	if r.sc.submitted {
		accounts, err := r.e.SecurityCenter.ListAccounts(ctx, securitycenter.AccountFilter{Vendor: securitycenter.VendorTencent, AuthIDs: []int64{r.sc.authID}})
		switch {
		case err != nil:
			listErr = err
		case len(accounts) == 0:
			listErr = fmt.Errorf("account %d is not listed by Security Center", r.sc.authID)
		default:
			modules = accounts[0].Modules
		}
	}
	for _, f := range r.req.Features {
		g := featureGuide[f]
		c := ConnectionCheck{Feature: f, Confirmed: []string{}, Console: g.console, NextSteps: slices.Clone(g.next)}
		if f == policy.FeatureSOC {
			c.NextSteps = socNextSteps(r.res.Account, r.res.SOCLogs)
		}
		switch {
		case !r.sc.submitted:
			c.Confirmed = append(c.Confirmed, "not submitted to Security Center (it was skipped): check it in the console once the values are entered")
		case listErr != nil:
			c.Problem = fmt.Sprintf("read the account's status in Security Center: %v", listErr)
		default:
			c.Confirmed, c.Problem = moduleConfirmed(modules, featureModules[f])
		}
		if s := r.res.FirstSync; s != nil {
			for _, k := range r.syncKinds([]string{f}) {
				if n, ok := s.Counts[k]; ok {
					c.Confirmed = append(c.Confirmed, fmt.Sprintf("the sub-user's key lists %d %s", n, k))
				}
			}
		}
		if c.Problem != "" {
			r.res.PartlyDone = append(r.res.PartlyDone, fmt.Sprintf("verify the connection of %s: %s", f, c.Problem))
		}
		r.res.Connection = append(r.res.Connection, c)
	}
}

// moduleConfirmed reads a module's status in Security Center's listing of the account.
func moduleConfirmed(modules []securitycenter.ModuleStatus, want securitycenter.Module) (confirmed []string, problem string) {
	confirmed = []string{}
	for _, m := range modules {
		if m.Module != want {
			continue
		}
		if m.Status != securitycenter.StatusNormal {
			return confirmed, fmt.Sprintf("Security Center's %s module is %s: %s", want, m.Status, m.Message)
		}
		confirmed = append(confirmed, fmt.Sprintf("Security Center's %s module is %s", want, m.Status))
		if want == securitycenter.ModuleAuditLogs && m.AuditLog != "" {
			confirmed = append(confirmed, "audit-log consumption: "+m.AuditLog)
		}
		return confirmed, ""
	}
	return confirmed, fmt.Sprintf("Security Center does not list the %s module for the account", want)
}
