package cmd

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"onboard/onboarding"
	"onboard/store"
)

// OffboardOptions are the inputs of `onboard offboard`.
type OffboardOptions struct {
	DayTwoOptions
	Yes           bool
	KeepInventory bool
}

func newCmdOffboard(f *Factory) *cobra.Command {
	opts := &OffboardOptions{DayTwoOptions: DayTwoOptions{f: f}}
	cmd := &cobra.Command{
		Use:   "offboard",
		Short: "Remove everything onboard created for an account, across all its runs",
		Long: `Take an account down: remove, in reverse order, everything onboard created for it across all its runs
(the Security Center account and its audit-log settings; the Kafka consumption, tracking set, topic and
logset; the WAF log delivery flows and the WAF switches onboard soc logs turned on; the grants and custom
policies; the key; the sub-user), then the local record, the secret and the
inventory (--keep-inventory keeps the inventory). What onboard reused but did not create is left in place
and listed. It asks for the account's name to be typed, or takes --yes with --no-input. It can be run
again: what is already gone counts as removed. --dry-run prints the plan only.

With --org and a key of an organization's management account, it offboards the organization's members
onboarded from here (or those named with --members), each through its member access role, as onboard
tencent --org reached it: one after another, a member that fails does not stop the others, and the
command that retries the failed ones is printed (exit 3). It asks for the management account's UIN to
be typed, or takes --yes with --no-input.`,
		Example: "  onboard offboard --account prod --dry-run\n  onboard offboard --account prod --yes --no-input\n  onboard offboard --org --members 100012445679 --yes --no-input",
		Args:    cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			opts.retryArgs = func(members []string) string { return retryCommand(c, members) }
			return offboardRun(c.Context(), opts)
		},
	}
	opts.addFlags(cmd, false)
	fl := cmd.Flags()
	fl.BoolVar(&opts.Yes, "yes", false, "do not ask for the account's name (with --no-input)")
	fl.BoolVar(&opts.KeepInventory, "keep-inventory", false, "keep the account's synchronised inventory")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "print what offboard would remove and leave, and change nothing")
	opts.org.addFlags(cmd, "offboard")
	addSandboxFlag(cmd, f)
	return cmd
}

func offboardRun(ctx context.Context, opts *OffboardOptions) error {
	f := opts.f
	if opts.Yes && !f.NoInput {
		return Usagef("--yes needs --no-input: offboard removes the account's resources for good")
	}
	if !opts.Yes && !opts.DryRun && !f.Interactive() {
		return Usagef("offboard asks for the account's name to be typed: run it on a terminal, or pass --yes with --no-input")
	}
	if err := opts.org.usage(opts.Account, false); err != nil {
		return err
	}
	d, done, err := newDayTwo(ctx, &opts.DayTwoOptions)
	if err != nil {
		return err
	}
	defer done()
	if opts.org.Org {
		return offboardOrg(ctx, d, opts)
	}
	name := opts.Account
	remover := d.admin
	accounts, err := chooseAccounts(ctx, d.db, opts.Account, false)
	switch {
	case err == nil:
		name = accounts[0].Name
		if remover, err = d.inAccount(ctx, &opts.DayTwoOptions, accounts[0], true); err != nil {
			return err
		}
	case name == "" && errors.Is(err, errNoAccounts):
		// Everything is offboarded already: a second offboard does nothing, and says so.
		fmt.Fprintln(f.IO.Out, "Nothing to offboard: no account is onboarded here.")
		return nil
	case name != "" && errors.Is(err, store.ErrNotFound):
		// No record: an earlier offboard may have stopped after removing it; the ledger still knows.
	default:
		return err
	}
	if opts.DryRun {
		plan, err := d.engine.PlanOffboard(ctx, name)
		if err != nil {
			return err
		}
		if f.JSON() {
			return writeJSON(f.IO.Out, plan)
		}
		writeOffboard(f.IO.Out, "Offboard plan (dry run: nothing was changed)", plan.Planned, plan)
		return nil
	}
	if !opts.Yes {
		fmt.Fprintf(f.IO.ErrOut, "This removes everything onboard created for account %s. Type the account's name to confirm: ", name)
		if !typed(f.IO.In, name) {
			return fmt.Errorf("offboard %q: the typed name does not match; nothing was changed", name)
		}
	}
	res, err := d.engine.Offboard(ctx, name, remover, opts.KeepInventory)
	if f.JSON() {
		if werr := writeJSON(f.IO.Out, res); werr != nil {
			return werr
		}
	} else {
		writeOffboard(f.IO.Out, "Offboarded "+name, res.Removed, res)
	}
	return err
}

// typed reads a line and reports whether it is want, spaces aside.
func typed(in io.Reader, want string) bool {
	line, _ := bufio.NewReader(in).ReadString('\n')
	return strings.TrimSpace(line) == want
}

func writeOffboard(w io.Writer, title string, done []string, r onboarding.OffboardResult) {
	var b strings.Builder
	fmt.Fprintf(&b, "%s:\n", title)
	if len(done) == 0 {
		b.WriteString("  nothing to remove\n")
	}
	for _, s := range done {
		fmt.Fprintf(&b, "  - %s\n", s)
	}
	for _, group := range []struct {
		title string
		items []string
	}{{"Left in place (reused, not created by onboard)", r.Reused}, {"Not removed", r.Left}, {"Kept as changed", r.Kept}} {
		if len(group.items) == 0 {
			continue
		}
		fmt.Fprintf(&b, "%s:\n", group.title)
		for _, s := range group.items {
			fmt.Fprintf(&b, "  - %s\n", s)
		}
	}
	io.WriteString(w, terminalSafeLines(store.Scrub(b.String())))
}
