package cmd

import (
	"errors"

	"github.com/spf13/cobra"
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

// needsTerminal reports a run that asks for the wizard (no --mode) where no one can answer it.
func needsTerminal(f *Factory, opts *TencentOptions) bool {
	return !f.NoInput && !f.IO.CanPrompt() && opts.Request.Mode == "" && !opts.Rollback && !opts.DryRun
}

var errWizardNeedsTerminal = &UsageError{Err: errors.New(`the wizard needs a terminal, and standard input or output is not one; pass the values as flags instead:
  --no-input --mode quick                          hosts only, as Security Center's quick configuration
  --no-input --mode manual --features LIST --sub-user NAME
                                                   LIST: host, cspm, soc, audit (audit also needs --audit-region)
  credentials: TENCENTCLOUD_SECRET_ID/TENCENTCLOUD_SECRET_KEY, --profile NAME, or --secret-id with --secret-key-stdin
onboard tencent --help lists every flag`)}
