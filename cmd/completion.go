package cmd

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"onboard/inventory"
	"onboard/onboarding"
	"onboard/store"
	"onboard/tencent"
)

// registerCompletions gives flag values and account names to the shell's completion (cobra's
// __complete), for the commands that exist in root.
func registerCompletions(root *cobra.Command, f *Factory) {
	fixed := func(values ...string) cobra.CompletionFunc {
		return func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
			return values, cobra.ShellCompDirectiveNoFileComp
		}
	}
	// list completes a comma-separated list: the words already typed stay, and the next is offered.
	list := func(values func() []string) cobra.CompletionFunc {
		return func(_ *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
			done, _ := splitLast(toComplete)
			var out []string
			for _, v := range values() {
				if !slices.Contains(strings.Split(done, ","), v) {
					out = append(out, done+v)
				}
			}
			return out, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace
		}
	}
	accounts := func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
		return completionAccountNames(f), cobra.ShellCompDirectiveNoFileComp
	}
	regions := func(c *cobra.Command) func() []string {
		return func() []string { return completionRegions(f, c) }
	}
	kinds := inventory.KindNames
	register := func(path string, flag string, fn cobra.CompletionFunc) {
		c, _, err := root.Find(strings.Fields(path))
		if err != nil || (path != "" && c == root) || c.Flag(flag) == nil {
			return
		}
		_ = c.RegisterFlagCompletionFunc(flag, fn)
	}
	register("", "output", fixed(OutputFormats...))
	// The choices are the engine's, which the wizard offers too.
	register("tencent", "mode", fixed(onboarding.Modes...))
	register("tencent", "features", list(func() []string { return onboarding.Features }))
	register("tencent", "site", fixed(onboarding.Sites...))
	register("tencent", "cspm-policy", fixed(onboarding.CSPMPolicies...))
	register("tencent", "security-center", fixed(onboarding.SecurityCenterChoices...))
	register("tencent", "root-key", fixed(onboarding.RootKeyActions...))
	register("tencent", "kafka-network", fixed(onboarding.KafkaNetworks...))
	for _, flag := range []string{"host-sync", "cloud-sync", "ak-check"} {
		register("tencent", flag, fixed(onboarding.Frequencies...))
	}
	register("tencent", "account", accounts)
	if c, _, err := root.Find([]string{"tencent"}); err == nil && c != root {
		register("tencent", "regions", list(regions(c)))
	}
	register("soc logs", "account", accounts)
	register("soc logs", "waf-region", fixed(tencent.WAFFlowRegions...))
	register("soc logs", "kafka-network", fixed("public", "private"))
	register("sync", "account", accounts)
	register("sync", "kinds", list(kinds))
	if c, _, err := root.Find([]string{"sync"}); err == nil && c != root {
		register("sync", "regions", list(regions(c)))
	}
	register("assets list", "account", accounts)
	register("assets list", "kind", fixed(kinds()...))
	if c, _, err := root.Find([]string{"assets", "list"}); err == nil && c != root {
		_ = c.RegisterFlagCompletionFunc("region", func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
			return completionRegions(f, c), cobra.ShellCompDirectiveNoFileComp
		})
	}
	for _, path := range [][]string{{"accounts", "show"}, {"accounts", "reveal-key"}} {
		if c, _, err := root.Find(path); err == nil && c != root && c.Name() == path[1] {
			c.ValidArgsFunction = func(_ *cobra.Command, args []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
				if len(args) > 0 {
					return nil, cobra.ShellCompDirectiveNoFileComp
				}
				return completionAccountNames(f), cobra.ShellCompDirectiveNoFileComp
			}
		}
	}
}

// splitLast splits a comma-separated list being typed into the finished part (with its trailing comma)
// and the word being typed.
func splitLast(s string) (done, last string) {
	i := strings.LastIndex(s, ",")
	return s[:i+1], s[i+1:]
}

// completionDB opens the database only when it exists: completing a word must not create state.
func completionDB(f *Factory) (*store.DB, bool) {
	dir := f.Getenv(envHome)
	if dir == "" {
		home, err := store.Home(f.Getenv)
		if err != nil {
			return nil, false
		}
		dir = home
	}
	if _, err := os.Stat(filepath.Join(dir, store.DBFile)); err != nil {
		return nil, false
	}
	db, err := store.Open(context.Background(), filepath.Join(dir, store.DBFile))
	return db, err == nil
}

// completionAccountNames are the onboarded accounts' names.
func completionAccountNames(f *Factory) []string {
	db, ok := completionDB(f)
	if !ok {
		return nil
	}
	defer db.Close()
	accounts, err := db.Accounts(context.Background())
	if err != nil {
		return nil
	}
	names := make([]string, 0, len(accounts))
	for _, a := range accounts {
		names = append(names, a.Name)
	}
	return names
}

// completionRegions are the regions of the account named by --account (or of every account), and the
// regions the inventory holds assets in; "all" where the flag takes it.
func completionRegions(f *Factory, c *cobra.Command) []string {
	var out []string
	if c.Flags().Lookup("regions") != nil {
		out = append(out, onboarding.RegionsAll)
	}
	db, ok := completionDB(f)
	if !ok {
		return out
	}
	defer db.Close()
	ctx := context.Background()
	account := ""
	if fl := c.Flags().Lookup("account"); fl != nil {
		account = fl.Value.String()
	}
	var accounts []store.Account
	if account != "" {
		if a, err := db.Account(ctx, account); err == nil {
			accounts = []store.Account{a}
		}
	} else if all, err := db.Accounts(ctx); err == nil {
		accounts = all
	}
	for _, a := range accounts {
		out = append(out, a.Regions...)
	}
	if held, err := db.AssetRegions(ctx, account); err == nil {
		out = append(out, held...)
	}
	slices.Sort(out[min(1, len(out)):])
	return slices.Compact(out)
}

// suggestFlag turns cobra's "unknown flag: --sandox" into a usage error that suggests the nearest
// flag of the command, as cobra already does for commands.
func suggestFlag(c *cobra.Command, err error) error {
	const prefix = "unknown flag: --"
	msg := err.Error()
	if !strings.HasPrefix(msg, prefix) {
		return &UsageError{Err: err}
	}
	typed := strings.SplitN(strings.TrimPrefix(msg, prefix), "=", 2)[0]
	// The nearest flag within two edits, as cobra's default for commands; else one the typed name begins.
	best, bestDistance, prefixed := "", 3, ""
	visit := func(fl *pflag.Flag) {
		if fl.Hidden {
			return
		}
		if d := levenshtein(typed, fl.Name); d < bestDistance {
			best, bestDistance = fl.Name, d
		}
		if prefixed == "" && len(typed) >= 3 && strings.HasPrefix(fl.Name, typed) {
			prefixed = fl.Name
		}
	}
	c.Flags().VisitAll(visit)
	c.InheritedFlags().VisitAll(visit)
	if best == "" {
		best = prefixed
	}
	if best == "" {
		return &UsageError{Err: err}
	}
	return &UsageError{Err: errors.New(msg + "\n\nDid you mean this?\n    --" + best)}
}

// levenshtein is the edit distance of a and b (insertions, deletions and substitutions).
func levenshtein(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
