package cmd

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"onboard/onboarding"
	"onboard/store"
)

// SOCLogsOptions are the inputs of `onboard soc logs`.
type SOCLogsOptions struct {
	DayTwoOptions
	WAF, CFW            bool
	WAFRegion           string
	CLSRegion           string
	KafkaNetwork        string
	SkipPermissionCheck bool
}

func newCmdSOC(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "soc",
		Short:   "Agentic SOC's log sources in the account",
		Example: "  onboard soc logs --account prod --dry-run\n  onboard soc logs --account prod --waf",
	}
	cmd.AddCommand(newCmdSOCLogs(f, nil))
	return cmd
}

func newCmdSOCLogs(f *Factory, runF func(*SOCLogsOptions) error) *cobra.Command {
	opts := &SOCLogsOptions{DayTwoOptions: DayTwoOptions{f: f}}
	cmd := &cobra.Command{
		Use:   "logs",
		Short: "Ship WAF and Cloud Firewall logs into CLS for Security Center's Agentic SOC",
		Long: `Ship an onboarded account's WAF attack and access logs into CLS topics and open Kafka consumption of
them, as Security Center reads them: WAF's CLS delivery flows (one per log type, in logset waf_post_logset),
attack-log delivery on every WAF instance whose edition allows it (enterprise and above), and the access
log and its CLS delivery on every protected domain. Cloud Firewall has no API that ships its logs, so its
instances are listed with the console steps. Security Center documents no API for Tencent Cloud log
sources: the result gives the exact values to enter in Agentic SOC's Kafka import.

--waf and --cfw choose the sources (both when neither is given). An account without WAF or Cloud Firewall
is told so, not failed. A re-run changes nothing; onboard tencent --rollback and onboard offboard remove
what it made and turn off what it turned on. --dry-run prints the plan only. On the record of an
organization's member, with a key of the management account, it acts in the member through its member
access role, as onboard tencent --org reached it.`,
		Example: "  onboard soc logs --account prod --dry-run\n  onboard soc logs --account prod --waf --cls-region ap-shanghai --output json",
		Args:    cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if !opts.WAF && !opts.CFW {
				opts.WAF, opts.CFW = true, true
			}
			if runF != nil {
				return runF(opts)
			}
			return socLogsRun(c.Context(), opts)
		},
	}
	opts.addFlags(cmd, false)
	fl := cmd.Flags()
	fl.BoolVar(&opts.WAF, "waf", false, "ship WAF attack and access logs")
	fl.BoolVar(&opts.CFW, "cfw", false, "find Cloud Firewall and give the console steps for its logs")
	fl.StringVar(&opts.WAFRegion, "waf-region", onboarding.DefaultWAFRegion, "region the WAF API is called in: ap-guangzhou or ap-seoul")
	fl.StringVar(&opts.CLSRegion, "cls-region", "", "CLS region the logs go to (default: the account's audit-log region, else "+onboarding.DefaultSOCLogsRegion+")")
	fl.StringVar(&opts.KafkaNetwork, "kafka-network", "public", "CLS Kafka address Security Center reads from: public or private")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "print what would change, and change nothing")
	fl.BoolVar(&opts.SkipPermissionCheck, "skip-permission-check", false, "do not check the operator's permissions up front (a CAM group grants them)")
	addSandboxFlag(cmd, f)
	return cmd
}

func socLogsRun(ctx context.Context, opts *SOCLogsOptions) error {
	f := opts.f
	d, account, done, err := newDayTwoOfAccount(ctx, &opts.DayTwoOptions)
	if err != nil {
		return err
	}
	defer done()
	if _, err := d.inAccount(ctx, &opts.DayTwoOptions, account, false); err != nil {
		return err
	}
	req := onboarding.SOCLogsRequest{Account: account.Name, WAF: opts.WAF, CFW: opts.CFW, WAFRegion: opts.WAFRegion,
		CLSRegion: opts.CLSRegion, KafkaNetwork: opts.KafkaNetwork, DryRun: opts.DryRun, SkipPermissionCheck: opts.SkipPermissionCheck}
	progress := engineProgress(f)
	res, err := d.engine.SOCLogs(ctx, req, progress)
	if err != nil {
		return engineError(err)
	}
	if f.JSON() {
		return writeJSON(f.IO.Out, res)
	}
	writeSOCLogs(f.IO.Out, res)
	return nil
}

func writeSOCLogs(w io.Writer, r onboarding.SOCLogsResult) {
	var b strings.Builder
	list := func(title string, lines []string) {
		if len(lines) == 0 {
			return
		}
		fmt.Fprintf(&b, "%s:\n", title)
		for _, l := range lines {
			fmt.Fprintf(&b, "  - %s\n", l)
		}
	}
	if r.DryRun {
		fmt.Fprintf(&b, "SOC logs of account %s (dry run: nothing was changed)\n", r.Account)
		var planned []string
		for _, c := range r.Planned {
			planned = append(planned, c.String())
		}
		list("Would do", planned)
	} else {
		fmt.Fprintf(&b, "SOC logs of account %s\n", r.Account)
		list("Created", r.Created)
		list("Reused", r.Reused)
	}
	if r.WAF != nil {
		if r.WAF.Present {
			fmt.Fprintf(&b, "WAF: %d instance(s), %d domain(s)\n", r.WAF.Instances, r.WAF.Domains)
		}
		if r.WAF.Note != "" {
			fmt.Fprintf(&b, "WAF: %s\n", r.WAF.Note)
		}
		list("WAF: not delivered", r.WAF.Skipped)
	}
	for _, t := range r.Topics {
		fmt.Fprintf(&b, "Topic %s: CLS topic %s in logset %s (%s), Kafka topic %s at %s\n", t.Source, t.TopicID, t.LogsetID, t.Region, t.KafkaTopic, t.BootstrapServers)
	}
	if r.CFW != nil {
		fmt.Fprintf(&b, "Cloud Firewall: %s\n", r.CFW.Note)
		list("Cloud Firewall instances", r.CFW.Instances)
		list("Cloud Firewall: in the consoles", r.CFW.Console)
	}
	list("Warnings", r.Warnings)
	list("In Security Center's console", r.Console)
	io.WriteString(w, terminalSafeLines(store.Scrub(b.String())))
}
