package cmd

import (
	"context"
	"errors"

	"github.com/spf13/cobra"

	"onboard/store"
	"onboard/wizard"
)

// addAccessibleFlag adds --accessible to the command that may show the wizard.
func addAccessibleFlag(cmd *cobra.Command, accessible *bool) {
	cmd.Flags().BoolVar(accessible, "accessible", false, "ask with plain line prompts instead of the full-screen wizard (also ACCESSIBLE=1)")
}

// wantsWizard decides, before any terminal UI exists, whether `onboard tencent` asks its questions: a
// person is at a terminal (stdin and stdout, no --no-input) and the required input is missing (no
// --mode). A rollback or a dry run is always scripted.
func wantsWizard(f *Factory, opts *TencentOptions) bool {
	return f.Interactive() && opts.Request.Mode == "" && !opts.Rollback && !opts.DryRun
}

// needsTerminal reports a run that asks for the wizard (no --mode) where no one can answer it: no
// terminal, and no --no-input to say that the flags are meant to be complete.
func needsTerminal(f *Factory, opts *TencentOptions) bool {
	return !f.NoInput && !f.IO.CanPrompt() && opts.Request.Mode == "" && !opts.Rollback && !opts.DryRun
}

var errWizardNeedsTerminal = &UsageError{Err: errors.New(`the wizard needs a terminal, and standard input or output is not one; pass the values as flags instead:
  --no-input --mode quick                          hosts only, as Security Center's quick configuration
  --no-input --mode manual --features LIST --sub-user NAME
                                                   LIST: host, cspm, soc, audit (audit also needs --audit-region)
  credentials: TENCENTCLOUD_SECRET_ID/TENCENTCLOUD_SECRET_KEY, --profile NAME, or --secret-id with --secret-key-stdin
onboard tencent --help lists every flag`)}

// tencentWizardRun runs the wizard on the onboarding engine and prints the result as the flags path
// does.
func tencentWizardRun(ctx context.Context, opts *TencentOptions) error {
	f := opts.f
	db, err := openStore(ctx, f)
	if err != nil {
		return err
	}
	defer db.Close()
	secrets, err := openSecrets(f, opts.InsecureStorage)
	if err != nil {
		return err
	}
	deps, backend := newWizardDeps(f, opts, db, secrets)
	_, err = runWizard(ctx, f, deps, opts.Accessible)
	// What the engine completed is printed even when the person cancelled afterwards (during the first
	// sync, say): the account is onboarded, and the exit code still says cancelled.
	if res, applied := backend.lastResult(); applied {
		var werr error
		if f.JSON() {
			werr = writeJSON(f.IO.Out, res)
		} else {
			werr = writeTencentResult(f.IO.Out, res, storeLabel(f, res.KeyStoredIn))
		}
		if err == nil {
			err = werr
		}
		if err == nil {
			err = partlyDone(res)
		}
	}
	return err
}

// runWizard asks the onboarding questions on the terminal and runs the engine through deps, rendering
// its events. The caller must have checked f.Interactive() first: the decision to prompt is made before
// any terminal UI exists. A cancellation returns an error wrapping context.Canceled (exit code 130).
func runWizard(ctx context.Context, f *Factory, deps wizard.Deps, accessible bool) (wizard.Result, error) {
	deps.Sandbox = deps.Sandbox || inSandbox(f)
	deps.Scrub = store.Scrub
	return wizard.Run(ctx, deps, wizard.Options{
		In:         f.IO.In,
		Out:        f.IO.Out,
		Accessible: accessible || f.Getenv("ACCESSIBLE") != "",
		NoColor:    f.Getenv("NO_COLOR") != "",
	})
}
