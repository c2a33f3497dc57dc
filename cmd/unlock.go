package cmd

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"onboard/store"
)

func init() { subcommands = append(subcommands, newCmdUnlock) }

// UnlockOptions are the inputs of `onboard unlock`.
type UnlockOptions struct {
	f       *Factory
	Account string
	Yes     bool
}

func newCmdUnlock(f *Factory) *cobra.Command { return NewCmdUnlock(f, nil) }

// NewCmdUnlock builds `onboard unlock`; runF replaces unlockRun in flag-parsing tests.
func NewCmdUnlock(f *Factory, runF func(context.Context, *UnlockOptions) error) *cobra.Command {
	opts := &UnlockOptions{f: f}
	cmd := &cobra.Command{
		Use:   "unlock --account NAME",
		Short: "Remove the run lock an ended onboard process left on an account",
		Long: `Remove the run lock of an account that a process which has ended left behind. A lock left by a process
of this machine that has ended is removed by the next run on its own; one taken on another machine (a
shared home) cannot be checked from here, and stays until you remove it. Make sure that process has
stopped: two runs at once can create two keys and overwrite a secret.

It shows the holder and asks for confirmation; with --no-input, or when not at a terminal, pass --yes.
It never removes the lock of a process that still runs on this machine: stop that process instead.`,
		Example: "  onboard unlock --account prod\n  onboard unlock --account prod --no-input --yes",
		Args:    cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return unlockRun(c.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Account, "account", "", "the local name of the account (see onboard accounts list), or its owner UIN")
	cmd.Flags().BoolVar(&opts.Yes, "yes", false, "remove without asking (needed with --no-input or when not at a terminal)")
	return cmd
}

func unlockRun(ctx context.Context, opts *UnlockOptions) error {
	f := opts.f
	if opts.Account == "" {
		return Usagef("--account is required: the account whose lock to remove (see onboard accounts list)")
	}
	if !opts.Yes && !f.Interactive() {
		return Usagef("removing a lock needs confirmation: run at a terminal, or pass --yes once you are sure the holder has stopped")
	}
	db, err := openStore(ctx, f)
	if err != nil {
		return err
	}
	defer db.Close()
	owner := opts.Account
	if a, err := db.Account(ctx, opts.Account); err == nil {
		owner = a.OwnerUIN
	}
	holders, err := db.RunLocks(ctx, opts.Account, owner)
	if err != nil {
		return err
	}
	if len(holders) == 0 {
		_, err := fmt.Fprintf(f.IO.Out, "No lock is held on %q.\n", opts.Account)
		return err
	}
	for _, h := range holders {
		if h.OnThisHost() && h.Alive() {
			return fmt.Errorf("the lock of %q is held by PID %d on this machine (%s since %s), which still runs: let it finish or stop it; unlock removes only the locks of processes that have ended",
				opts.Account, h.PID, h.Purpose, h.Since.Format(time.RFC3339))
		}
	}
	for _, h := range holders {
		fmt.Fprintf(f.IO.ErrOut, "Lock of %s: onboard %s, PID %d on %s, since %s%s\n", holderName(h), h.Purpose, h.PID, terminalSafe(h.Host),
			h.Since.Format(time.RFC3339), holderState(h))
	}
	if !opts.Yes {
		ok, err := confirm(f.IO.In, f.IO.ErrOut, "Remove it? Do so only if that process no longer runs. [y/N] ")
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("unlock %q: not confirmed; the lock is kept", opts.Account)
		}
	}
	for _, h := range holders {
		if err := db.RemoveRunLock(ctx, h); err != nil {
			return err
		}
	}
	_, err = fmt.Fprintf(f.IO.Out, "Removed %d lock(s) of %q.\n", len(holders), opts.Account)
	return err
}

func holderName(h store.LockHolder) string {
	name := fmt.Sprintf("%q", h.Account)
	if h.OwnerUIN != "" {
		name += " (Tencent Cloud account " + terminalSafe(h.OwnerUIN) + ")"
	}
	return name
}

func holderState(h store.LockHolder) string {
	if h.OnThisHost() {
		return " (ended)"
	}
	return " (another machine: cannot be checked from here)"
}

// confirm asks a yes/no question on the terminal; only y or yes (any case) is yes.
func confirm(in io.Reader, out io.Writer, question string) (bool, error) {
	fmt.Fprint(out, question)
	line, err := bufio.NewReader(in).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return false, fmt.Errorf("read the answer: %w", err)
	}
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return true, nil
	}
	return false, nil
}
