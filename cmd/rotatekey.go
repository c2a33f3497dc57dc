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
	"onboard/store"
	"onboard/tencent"
)

func newCmdRotateKey(f *Factory) *cobra.Command {
	opts := &DayTwoOptions{f: f}
	var grace time.Duration
	cmd := &cobra.Command{
		Use:   "rotate-key",
		Short: "Replace the sub-user's API key with no downtime",
		Long: `Replace an onboarded account's API key with no downtime, within CAM's limit of two keys per user:
create the second key and store it, verify it (waiting for CAM to propagate it), submit it to Security
Center (ModifyCloudVendorAccountAK) and wait for its validation, make it the account's key, disable the old
key and, after --grace, delete it. Every step is journaled; a failure at any step leaves the connection
working on one of the two keys and says which, and running rotate-key again completes the rotation.

When the sub-user already has two keys, rotate-key removes only a key onboard created whose secret it does
not hold; it never removes the key in use or a key someone else made.

With --org and a key of an organization's management account, it rotates the key of each member of the organization
onboarded from here (or those --members names, less --exclude), each through its member access role
(--member-role), one after another: one pre-flight before the first change, one line per member, a member
onboarded by another installation listed as skipped and never touched, and the command that retries the
failed ones (exit 3 when some failed, 1 when all did). --output json lists every member.`,
		Example: "  onboard rotate-key --account prod\n  onboard rotate-key --account prod --grace 24h\n  onboard rotate-key --org --members 100000100002,100000100003",
		Args:    cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if grace < 0 {
				return Usagef("invalid --grace %s: must be 0 or more", grace)
			}
			opts.retryArgs = func(members []string) string { return retryCommand(c, members) }
			return rotateKeyRun(c.Context(), opts, grace)
		},
	}
	opts.addFlags(cmd, false)
	cmd.Flags().DurationVar(&grace, "grace", 0, "how long the old key stays disabled before it is deleted (rotate-key waits that long)")
	opts.org.addFlags(cmd, "rotate the keys of")
	addSandboxFlag(cmd, f)
	return cmd
}

func rotateKeyRun(ctx context.Context, opts *DayTwoOptions, grace time.Duration) error {
	f := opts.f
	if ran, err := runIfOrg(ctx, opts, func(d *dayTwo) error { return rotateKeyOrg(ctx, d, opts, grace) }); ran {
		return err
	}
	d, account, done, err := newDayTwoOfAccount(ctx, opts)
	if err != nil {
		return err
	}
	defer done()
	if _, err := d.inAccount(ctx, opts, account, true); err != nil {
		return err
	}
	progress := engineProgress(f)
	res, err := d.engine.RotateKey(ctx, account.Name, grace, progress)
	if err != nil {
		var rerr *onboarding.RotationError
		if errors.As(err, &rerr) && !f.JSON() {
			writeRotation(f.IO.ErrOut, res)
		}
		return err
	}
	if f.JSON() {
		return writeJSON(f.IO.Out, res)
	}
	writeRotation(f.IO.Out, res)
	return nil
}

func writeRotation(w io.Writer, r onboarding.RotateResult) {
	var b strings.Builder
	fmt.Fprintf(&b, "Account %s: the connection works on key %s (old key %s: %s).\n", r.Account, maskKeys(r.InUse), tencent.MaskID(r.OldKeyID), r.OldKey)
	for _, d := range r.Done {
		fmt.Fprintf(&b, "  - %s\n", d)
	}
	io.WriteString(w, terminalSafeLines(store.Scrub(b.String())))
}

// maskKeys masks every key ID in text such as "ID1 or ID2".
func maskKeys(s string) string {
	words := strings.Fields(s)
	for i, w := range words {
		if strings.HasPrefix(w, "AKID") {
			words[i] = tencent.MaskID(w)
		}
	}
	return strings.Join(words, " ")
}
