package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"onboard/onboarding"
	"onboard/store"
)

func newCmdStatus(f *Factory) *cobra.Command {
	opts := &DayTwoOptions{f: f, readOnly: true}
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Check that an onboarded account's connection still is what was chosen (reads only)",
		Long: `Check, reading only, an onboarded account's connection: the sub-user and its key (active, its age and
last use), each grant and custom policy (against its template), Security Center (the account and its key
check, modules, regions, frequencies), the audit-log delivery (tracking set, topic, Kafka consumption,
Security Center's settings) and the last inventory sync. Each check is ok, warning or broken; a check
that is not ok says what fixes it.

With --org and a key of an organization's management account, it checks the organization's members
onboarded from here (or those named with --members), each through its member access role; a member that
cannot be reached is broken and says why. The record of a member (--account UIN), checked with the
management account's key, is read the same way.

Exit codes: 0 every check is ok, 3 only warnings, 1 something is broken. Meant for cron and monitoring.`,
		Example: "  onboard status --account prod\n  onboard status --all --output json\n  onboard status --org --output json",
		Args:    cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			return statusRun(c.Context(), opts)
		},
	}
	opts.addFlags(cmd, true)
	opts.org.addFlags(cmd, "check")
	addSandboxFlag(cmd, f)
	return cmd
}

// errBroken is the exit of a status that found something broken (exit 1).
var errBroken = errors.New("something is broken")

func statusRun(ctx context.Context, opts *DayTwoOptions) error {
	f := opts.f
	if err := opts.org.usage(opts.Account, opts.All); err != nil {
		return err
	}
	d, done, err := newDayTwo(ctx, opts)
	if err != nil {
		return err
	}
	defer done()
	var all []onboarding.AccountStatus
	if opts.org.Org {
		if all, err = orgStatuses(ctx, d, opts); err != nil {
			return err
		}
	} else {
		accounts, err := chooseAccounts(ctx, d.db, opts.Account, opts.All)
		if err != nil {
			return err
		}
		for _, a := range accounts {
			if _, err := d.inAccount(ctx, opts, a, false); err != nil {
				var denied *memberAccessError
				if !errors.As(err, &denied) {
					return err
				}
				all = append(all, memberUnreachable(a.Name, a.OwnerUIN, err))
				continue
			}
			st, err := d.engine.Status(ctx, a.Name)
			if err != nil {
				return fmt.Errorf("status of %q: %w", a.Name, err)
			}
			all = append(all, st)
		}
	}
	verdict := onboarding.VerdictOK
	for _, st := range all {
		switch {
		case st.Verdict == onboarding.VerdictBroken:
			verdict = st.Verdict
		case st.Verdict == onboarding.VerdictWarning && verdict == onboarding.VerdictOK:
			verdict = st.Verdict
		}
	}
	if f.JSON() {
		if err := writeJSON(f.IO.Out, all); err != nil {
			return err
		}
	} else {
		for _, st := range all {
			writeStatus(f.IO.Out, st)
		}
	}
	switch verdict {
	case onboarding.VerdictBroken:
		return errBroken
	case onboarding.VerdictWarning:
		return &PartialError{Err: errors.New("some checks warn")}
	}
	return nil
}

func writeStatus(w io.Writer, st onboarding.AccountStatus) {
	var b strings.Builder
	fmt.Fprintf(&b, "Account %s: %s\n", st.Account, st.Verdict)
	area := ""
	for _, c := range st.Checks {
		if c.Area != area {
			area = c.Area
			fmt.Fprintf(&b, "  %s\n", area)
		}
		fmt.Fprintf(&b, "    %-8s %s: %s\n", c.Verdict, c.Name, c.Detail)
		if c.Fix != "" {
			fmt.Fprintf(&b, "             fix: %s\n", c.Fix)
		}
	}
	io.WriteString(w, terminalSafeLines(store.Scrub(b.String())))
}

func newCmdRepair(f *Factory) *cobra.Command {
	opts := &DayTwoOptions{f: f}
	cmd := &cobra.Command{
		Use:   "repair",
		Short: "Converge an onboarded account back to what was chosen",
		Long: `Converge what onboard status finds back to what was chosen, by running the onboarding's own steps again
with the account's recorded choices: attach a detached grant, update a drifted custom policy, replace a
disabled or lost key and submit it, restore the audit-log delivery, give Security Center its key and
settings again. What is right is left untouched. --dry-run prints the plan only.

With --org and a key of an organization's management account, it repairs each member of the organization
onboarded from here (or those --members names, less --exclude), each through its member access role
(--member-role), one after another: one pre-flight before the first change, one line per member, a member
onboarded by another installation listed as skipped and never touched, and the command that retries the
failed ones (exit 3 when some failed, 1 when all did). --output json lists every member.`,
		Example: "  onboard repair --account prod --dry-run\n  onboard repair --account prod\n  onboard repair --org --exclude 100000100007",
		Args:    cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			opts.retryArgs = func(members []string) string { return retryCommand(c, members) }
			return repairRun(c.Context(), opts)
		},
	}
	opts.addFlags(cmd, false)
	cmd.Flags().BoolVar(&opts.DryRun, "dry-run", false, "print what repair would change, and change nothing")
	opts.org.addFlags(cmd, "repair")
	addSandboxFlag(cmd, f)
	return cmd
}

func repairRun(ctx context.Context, opts *DayTwoOptions) error {
	f := opts.f
	if ran, err := runIfOrg(ctx, opts, func(d *dayTwo) error { return repairOrg(ctx, d, opts) }); ran {
		return err
	}
	d, a, done, err := newDayTwoOfAccount(ctx, opts)
	if err != nil {
		return err
	}
	defer done()
	if _, err := d.inAccount(ctx, opts, a, true); err != nil {
		return err
	}
	if opts.DryRun {
		plan, err := d.engine.PlanRepair(ctx, a.Name)
		if err != nil {
			return engineError(err)
		}
		if f.JSON() {
			return writeJSON(f.IO.Out, plan)
		}
		return writePlan(f.IO.Out, "Repair plan (dry run: nothing was changed):", plan)
	}
	progress := engineProgress(f)
	res, err := d.engine.Repair(ctx, a.Name, progress)
	if err != nil {
		return engineError(err)
	}
	if f.JSON() {
		if err := writeJSON(f.IO.Out, res); err != nil {
			return err
		}
		return partlyDone(res)
	}
	if err := writeTencentResult(f.IO.Out, res, storeLabel(f, res.KeyStoredIn)); err != nil {
		return err
	}
	if len(res.Removed) > 0 {
		removed := "Removed, as it served nothing any more:\n  - " + strings.Join(res.Removed, "\n  - ") + "\n"
		if _, err := io.WriteString(f.IO.Out, terminalSafeLines(store.Scrub(removed))); err != nil {
			return err
		}
	}
	return partlyDone(res)
}
