package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"onboard/onboarding"
	"onboard/securitycenter"
	"onboard/store"
)

func newCmdAgent(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "agent",
		Short:   "Install Security Center's agent on an onboarded account's hosts",
		Example: "  onboard agent install --account prod --all",
	}
	cmd.AddCommand(NewCmdAgentInstall(f, nil))
	return cmd
}

// AgentInstallOptions are the inputs of "onboard agent install".
type AgentInstallOptions struct {
	DayTwoOptions
	Instances           []string
	All                 bool
	OS                  string
	Timeout             time.Duration
	SkipPermissionCheck bool
	// Wait is how long to wait for another run on the account to finish; 0 refuses at once.
	Wait time.Duration
}

// NewCmdAgentInstall builds "onboard agent install". runF replaces agentInstallRun in tests.
func NewCmdAgentInstall(f *Factory, runF func(context.Context, *AgentInstallOptions) error) *cobra.Command {
	opts := &AgentInstallOptions{DayTwoOptions: DayTwoOptions{f: f}}
	cmd := &cobra.Command{
		Use:   "install",
		Short: "Install Security Center's agent on the account's hosts through TAT",
		Long: `Install Alibaba Cloud Security Center's agent on the CVM and Lighthouse instances of an onboarded
account, from its inventory (run onboard sync first). Security Center's install command for Tencent Cloud
runs through TAT (TencentCloud Automation Tools) with the operator's key; the Security Center sub-user
stays read-only. Hosts Security Center already lists with an online agent are left alone, so running it
again touches only the hosts not yet done. Each host is reported installed, already installed, skipped
(TAT agent offline, not running, not in a VPC, OS unsupported) or failed (with the end of the command's
output); an installed host is confirmed online in Security Center.

An install holds the account's run lock: while another install, an onboarding, a rollback or a sync of
the account runs, it refuses at once and names that run, or waits up to --wait for it to finish.

The operator needs tat:RunCommand, tat:DescribeInvocationTasks, tat:DescribeAutomationAgentStatus and
cvm:DescribeInstances (lighthouse:DescribeInstances for Lighthouse): onboard policy show agent-operator.
On the record of an organization's member, with a key of the management account, TAT runs in the member
through its member access role, as onboard tencent --org reached it.

Exit code 3 when some chosen hosts did not get the agent.`,
		Example: "  onboard agent install --account prod --all\n  onboard agent install --instances ins-1a2b3c4d,lhins-5e6f7g8h --os linux --dry-run",
		Args:    cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if opts.All == (len(opts.Instances) > 0) {
				return Usagef("choose the hosts: --instances ID,... or --all")
			}
			if opts.OS != "" && opts.OS != securitycenter.OSLinux && opts.OS != securitycenter.OSWindows {
				return Usagef("invalid --os %q: valid values are linux, windows", opts.OS)
			}
			if opts.Timeout <= 0 {
				return Usagef("invalid --timeout %s: must be more than 0", opts.Timeout)
			}
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return agentInstallRun(c.Context(), opts)
		},
	}
	opts.addFlags(cmd, false)
	fl := cmd.Flags()
	fl.StringSliceVar(&opts.Instances, "instances", nil, "the instances to install on: `ID,...` (CVM ins-… or Lighthouse lhins-…)")
	fl.BoolVar(&opts.All, "all", false, "every CVM and Lighthouse instance of the account's inventory")
	fl.StringVar(&opts.OS, "os", "", "only hosts with this OS: linux or windows (default: both)")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "report what would be installed where, and change nothing")
	fl.DurationVar(&opts.Timeout, "timeout", 10*time.Minute, "how long to wait for the commands and for Security Center to list the agents online")
	fl.BoolVar(&opts.SkipPermissionCheck, "skip-permission-check", false, "do not read the operator's CAM policies first (a CAM group grants them)")
	fl.DurationVar(&opts.Wait, "wait", 0, "wait this long (e.g. 10m) for another run on the account to finish, instead of refusing at once")
	addSandboxFlag(cmd, f)
	return cmd
}

func agentInstallRun(ctx context.Context, opts *AgentInstallOptions) error {
	f := opts.f
	d, account, done, err := newDayTwoOfAccount(ctx, &opts.DayTwoOptions)
	if err != nil {
		return err
	}
	defer done()
	tat, err := d.inAccount(ctx, &opts.DayTwoOptions, account, false)
	if err != nil {
		return err
	}
	sc, _, err := securityCenterClient(f, opts.AlibabaProfile, opts.SecurityCenterEndpoint, account.Site)
	if err != nil {
		return err
	}
	installer := newAgentInstaller(f, tat, sc, d.db)
	progress := func(e onboarding.AgentEvent) {
		if !f.JSON() {
			fmt.Fprintf(f.IO.ErrOut, "%-17s %s %s\n", e.Host.Outcome, e.Host.InstanceID, terminalSafeLines(store.Scrub(e.Host.Reason)))
		}
	}
	req := onboarding.AgentRequest{Account: account.Name, Instances: opts.Instances, All: opts.All, OS: opts.OS, DryRun: opts.DryRun,
		Timeout: opts.Timeout, SkipPermissionCheck: opts.SkipPermissionCheck, Wait: opts.Wait}
	res, err := installer.Run(ctx, req, progress)
	var held *store.LockHeldError
	if errors.As(err, &held) && held.Holder.OnThisHost() {
		return fmt.Errorf("%w (agent install --wait 10m waits for it)", err)
	}
	if err != nil {
		return err
	}
	if f.JSON() {
		if err := writeJSON(f.IO.Out, res); err != nil {
			return err
		}
	} else {
		writeAgentResult(f.IO.Out, res)
	}
	return agentPartly(res)
}

// newAgentInstaller is the agent installer of "onboard agent install" and of the wizard's offer.
func newAgentInstaller(f *Factory, tat onboarding.AgentTAT, sc onboarding.AgentSecurityCenter, db *store.DB) *onboarding.AgentInstaller {
	installer := &onboarding.AgentInstaller{TAT: tat, SecurityCenter: sc, DB: db}
	if inSandbox(f) {
		installer.PollFirst, installer.PollMax = 100*time.Millisecond, 500*time.Millisecond
	}
	return installer
}

// agentPartly is a PartialError (exit code 3) when some chosen hosts did not get the agent.
func agentPartly(res onboarding.AgentResult) error {
	if res.Done() {
		return nil
	}
	return &PartialError{Err: fmt.Errorf("the agent is not on every chosen host of %s: %d failed, %d skipped; run onboard agent install again once the reasons above are fixed",
		res.Account, res.Counts[onboarding.HostFailed], res.Counts[onboarding.HostSkipped])}
}

// writeAgentResult prints one line per host, the end of a failed command's output under it, and the counts.
func writeAgentResult(w io.Writer, res onboarding.AgentResult) {
	var b strings.Builder
	for _, h := range res.Hosts {
		fmt.Fprintf(&b, "%-17s %-22s %-16s %-10s %s\n", h.Outcome, h.InstanceID, h.Region, h.Kind, h.Reason)
		for _, line := range strings.Split(h.Output, "\n") {
			if line != "" {
				fmt.Fprintf(&b, "    | %s\n", line)
			}
		}
	}
	b.WriteString(res.Tally() + "\n")
	io.WriteString(w, terminalSafeLines(store.Scrub(b.String())))
}

// writeWizardAgent prints the wizard's agent installation, when there was one, as "onboard agent install"
// prints its own.
func writeWizardAgent(w io.Writer, res *onboarding.AgentResult) {
	if res != nil {
		writeAgentResult(w, *res)
	}
}

// wizardJSON is the wizard's --output json: the onboarding's result, and the agent installation the
// summary ran, so that the JSON says what the screen and the exit code say.
type wizardJSON struct {
	*onboarding.Result
	Agent *onboarding.AgentResult `json:"agent,omitempty"`
}

// agentOutcome is agentPartly of the wizard's agent installation, when there was one.
func agentOutcome(res *onboarding.AgentResult) error {
	if res == nil {
		return nil
	}
	return agentPartly(*res)
}
