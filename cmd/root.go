// Package cmd holds the command line of onboard: cobra commands, flag parsing, IO streams (terminal
// detection), the mapping of errors to exit codes, and output formats. It must not import the cloud SDKs,
// the keyring or SQLite directly; it reaches them only through the packages that own them.
package cmd

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"onboard/store"
)

// Factory carries what every command needs: the IO streams, the environment, and the global options.
// Tests build one by hand with test streams and their own environment.
type Factory struct {
	IO     *IOStreams
	Getenv func(string) string

	// Global options, set from persistent flags before any command runs.
	Output   string // text or json
	NoInput  bool
	DebugLog string

	// Logger writes to --debug-log as JSON, and is discarded otherwise. Never log a secret.
	Logger *slog.Logger

	// Sandbox is the running sandbox of a --sandbox command; nil for a real run.
	Sandbox *Sandbox

	// PropagationWait bounds how long an onboarding waits for CAM to apply a new key or grant; zero means
	// defaultPropagationWait.
	PropagationWait time.Duration
}

// defaultPropagationWait is the bound of a real run's wait for CAM: Tencent Cloud documents that CAM's
// cache applies a change after about a minute (https://www.tencentcloud.com/document/product/436/12469),
// so half a minute more is left for the services' own lag.
const defaultPropagationWait = 90 * time.Second

// propagationWait is the bound of the wait for CAM.
func (f *Factory) propagationWait() time.Duration {
	if f.PropagationWait > 0 {
		return f.PropagationWait
	}
	return defaultPropagationWait
}

// OutputFormats are the values --output accepts: text (tables for lists) and json on every command that
// reports, csv on list commands. "table" is accepted as another name of text.
var OutputFormats = []string{"text", "json", "csv"}

// listCommands are the commands that print a list, and so also write CSV.
var listCommands = []string{"onboard accounts list", "onboard assets list", "onboard policy list"}

// NewFactory returns a Factory for the real process.
func NewFactory() *Factory {
	return &Factory{
		IO:     System(),
		Getenv: os.Getenv,
		Output: "text",
		Logger: slog.New(slog.DiscardHandler),
	}
}

// Interactive reports whether the command may prompt: a person is at a terminal and --no-input was not given.
func (f *Factory) Interactive() bool { return !f.NoInput && f.IO.CanPrompt() }

// JSON reports whether --output json was chosen.
func (f *Factory) JSON() bool { return f.Output == "json" }

// CSV reports whether --output csv was chosen (list commands only).
func (f *Factory) CSV() bool { return f.Output == "csv" }

// Main runs onboard and returns the process exit code.
func Main() int {
	ctx, stop := interruptContext()
	defer stop()
	f := NewFactory()
	return run(ctx, f, os.Args[1:])
}

// interruptContext is cancelled by the first Ctrl+C (SIGINT) or SIGTERM, so the run stops cleanly and
// says so (exit 130). From then on both signals have their default effect again: a second one always
// ends the process, whatever it is waiting on.
func interruptContext() (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.Background())
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	go func() {
		select {
		case <-signals:
		case <-ctx.Done():
		}
		// Before the cancellation shows: by the time anyone sees it, a second signal is not caught.
		signal.Stop(signals)
		cancel()
	}()
	return ctx, cancel
}

// run executes the command line args with f and returns the exit code; tests call it directly.
func run(ctx context.Context, f *Factory, args []string) int {
	root := NewCmdRoot(f)
	root.SetArgs(args)
	root.SetIn(f.IO.In)
	root.SetOut(f.IO.Out)
	root.SetErr(f.IO.ErrOut)
	closeLog := func() error { return nil }
	root.PersistentPreRunE = func(c *cobra.Command, _ []string) error {
		if err := checkOutput(f, c); err != nil {
			return err
		}
		closer, err := openDebugLog(f)
		if err != nil {
			return err
		}
		closeLog = closer
		return nil
	}
	err := root.ExecuteContext(ctx)
	if cerr := closeLog(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil && ctx.Err() != nil && !errors.Is(err, context.Canceled) {
		// A command interrupted by a signal may report the resulting failure in its own words;
		// the exit code must still say "cancelled".
		err = fmt.Errorf("%w: %w", context.Canceled, err)
	}
	if err != nil {
		if f.JSON() {
			printJSONError(f.IO.ErrOut, err)
		} else {
			printError(f.IO.ErrOut, err)
		}
	}
	return exitCode(err)
}

// NewCmdRoot builds the root command with every subcommand.
func NewCmdRoot(f *Factory) *cobra.Command {
	root := &cobra.Command{
		Use:   "onboard",
		Short: "Connect a Tencent Cloud account to Alibaba Cloud Security Center",
		Long: `onboard connects a Tencent Cloud account to Alibaba Cloud Security Center: it creates a CAM sub-user
with least-privilege grants per feature, its API key, audit-log delivery to CLS and Kafka, submits it all to
Security Center, and runs the first asset synchronisation. --sandbox runs everything against built-in
emulators of both clouds.`,
		Example:       "  onboard tencent --sandbox\n  onboard tencent --no-input --mode manual --features host,cspm ...\n  onboard sync --account prod",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetUsageTemplate(root.UsageTemplate() + "\n" + exitCodesHelp + "\n")
	root.SetHelpFunc(func(c *cobra.Command, _ []string) { fmt.Fprint(c.OutOrStdout(), renderHelp(c)) })
	root.SetFlagErrorFunc(suggestFlag)

	pf := root.PersistentFlags()
	pf.StringVarP(&f.Output, "output", "o", f.Output, "output format: text, json, or csv (list commands)")
	pf.StringVar(&f.DebugLog, "debug-log", "", "write a JSON debug log to `FILE` (never contains secrets)")
	pf.BoolVar(&f.NoInput, "no-input", false, "never prompt; fail at once, naming the flag, when a value is missing")
	// --version prints what `onboard version` prints, honouring --output.
	var showVersion bool
	root.Flags().BoolVar(&showVersion, "version", false, "print the version of onboard")
	root.RunE = func(c *cobra.Command, args []string) error {
		if showVersion {
			return writeVersion(f)
		}
		return c.Help()
	}

	// Every command, wired here, so that the command tree is read in one place.
	root.AddCommand(
		newCmdTencent(f),
		newCmdSync(f),
		newCmdAssets(f),
		newCmdAccounts(f),
		newCmdPolicy(f),
		newCmdEmulator(f),
		newCmdStatus(f),
		newCmdRepair(f),
		newCmdRotateKey(f),
		newCmdSOC(f),
		newCmdOffboard(f),
		newCmdAgent(f),
		newCmdUnlock(f),
		newCmdVersion(f),
	)
	registerCompletions(root, f)
	root.SetHelpCommand(newCmdHelp(root))
	refuseUnknownSubcommands(root)
	return root
}

// subcommandNames names the commands c groups that a user may run.
func subcommandNames(c *cobra.Command) []string {
	var names []string
	for _, sub := range c.Commands() {
		if sub.IsAvailableCommand() {
			names = append(names, sub.Name())
		}
	}
	return names
}

// newCmdHelp is `onboard help [command]`. cobra's own shows the whole tool's help, exit 0, for a topic
// that names no command; this one refuses it as a usage error (exit 2) that lists the commands.
func newCmdHelp(root *cobra.Command) *cobra.Command {
	return &cobra.Command{
		Use:   "help [command]",
		Short: "Help about any command",
		Long:  "Help provides help for any command: onboard help [command].",
		Args:  cobra.ArbitraryArgs,
		ValidArgsFunction: func(c *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
			target, _, err := root.Find(args)
			if err != nil {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			return subcommandNames(target), cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(c *cobra.Command, args []string) error {
			target, rest, err := root.Find(args)
			if err == nil && len(rest) > 0 {
				err = Usagef("unknown help topic %q for %q; valid topics are %s", strings.Join(rest, " "), target.CommandPath(), strings.Join(subcommandNames(target), ", "))
			}
			if err != nil {
				return err
			}
			return target.Help()
		},
	}
}

// refuseUnknownSubcommands makes every command that groups others refuse an argument that names none
// of them as a usage error (exit 2); without arguments it prints its help, as before.
func refuseUnknownSubcommands(c *cobra.Command) {
	if !c.HasSubCommands() {
		return
	}
	c.Args = func(c *cobra.Command, args []string) error {
		if len(args) == 0 {
			return nil
		}
		msg := fmt.Sprintf("unknown command %q for %q; valid commands are %s", args[0], c.CommandPath(), strings.Join(subcommandNames(c), ", "))
		if c.SuggestionsMinimumDistance <= 0 {
			c.SuggestionsMinimumDistance = 2 // cobra's own default, which it sets only on its own path
		}
		if near := c.SuggestionsFor(args[0]); len(near) > 0 {
			msg += "\n\nDid you mean this?\n    " + strings.Join(near, "\n    ")
		}
		return &UsageError{Err: errors.New(msg)}
	}
	if !c.Runnable() {
		c.RunE = func(c *cobra.Command, _ []string) error { return c.Help() }
	}
	for _, sub := range c.Commands() {
		refuseUnknownSubcommands(sub)
	}
}

// checkOutput validates --output for command c, and reads "table" as text.
func checkOutput(f *Factory, c *cobra.Command) error {
	if f.Output == "table" {
		f.Output = "text"
	}
	switch {
	case f.Output == "csv" && !slices.Contains(listCommands, c.CommandPath()):
		return Usagef("invalid --output csv for %s: csv is for list commands (%s); valid values here are text, json",
			c.CommandPath(), strings.Join(listCommands, ", "))
	case !slices.Contains(OutputFormats, f.Output):
		return Usagef("invalid --output %q: valid values are text, json, csv (csv for list commands)", f.Output)
	}
	return nil
}

func openDebugLog(f *Factory) (func() error, error) {
	if f.DebugLog == "" {
		return func() error { return nil }, nil
	}
	// O_NOFOLLOW: a symbolic link planted at that path would send the log elsewhere. O_NONBLOCK: a FIFO
	// would block the open until someone reads it, past Ctrl+C.
	file, err := os.OpenFile(f.DebugLog, os.O_CREATE|os.O_WRONLY|os.O_APPEND|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0o600)
	if errors.Is(err, syscall.ELOOP) {
		return nil, Usagef("--debug-log %s is a symbolic link: name the log file itself", f.DebugLog)
	}
	if err != nil {
		return nil, Usagef("open --debug-log %s: %w", f.DebugLog, err)
	}
	// An existing file keeps its mode on open, and the umask never widens 0600 but a file made earlier
	// may be wider: the log is made private whatever it was.
	info, err := file.Stat()
	if err == nil && !info.Mode().IsRegular() {
		err = fmt.Errorf("not a regular file")
	}
	if err == nil {
		err = file.Chmod(0o600)
	}
	if err != nil {
		file.Close()
		return nil, Usagef("--debug-log %s: %w", f.DebugLog, err)
	}
	f.Logger = slog.New(store.ScrubHandler(slog.NewJSONHandler(file, &slog.HandlerOptions{Level: slog.LevelDebug})))
	return file.Close, nil
}

// writeJSON writes v as indented JSON followed by a newline.
func writeJSON(w io.Writer, v any) error {
	var buf bytes.Buffer
	if err := newJSONEncoder(&buf).Encode(v); err != nil {
		return err
	}
	// Results carry error texts (a failed region, a step's error): no known secret leaves in them.
	_, err := io.WriteString(w, store.Scrub(buf.String()))
	return err
}
