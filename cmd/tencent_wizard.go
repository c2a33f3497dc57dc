package cmd

import (
	"context"

	"github.com/spf13/cobra"

	"onboard/wizard"
)

// addAccessibleFlag adds --accessible to the command that may show the wizard.
func addAccessibleFlag(cmd *cobra.Command, accessible *bool) {
	cmd.Flags().BoolVar(accessible, "accessible", false, "ask with plain line prompts instead of the full-screen wizard (also ACCESSIBLE=1)")
}

// runWizard asks the onboarding questions on the terminal and runs the engine through deps, rendering
// its events. The caller must have checked f.Interactive() first: the decision to prompt is made before
// any terminal UI exists. A cancellation returns an error wrapping context.Canceled (exit code 130).
func runWizard(ctx context.Context, f *Factory, deps wizard.Deps, accessible bool) (wizard.Result, error) {
	deps.Sandbox = deps.Sandbox || f.Getenv(envSandbox) == "1"
	return wizard.Run(ctx, deps, wizard.Options{
		In:         f.IO.In,
		Out:        f.IO.Out,
		Accessible: accessible || f.Getenv("ACCESSIBLE") != "",
		NoColor:    f.Getenv("NO_COLOR") != "",
	})
}
