package cmd

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"onboard/onboarding"
	"onboard/policy"
	"onboard/securitycenter"
)

func newCmdPolicy(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "policy",
		Short: "List, show, render and compare the CAM policies onboard grants",
		Long: `The CAM grants onboard gives the sub-user, per feature, and the custom policies it creates
(cspmPolicy, siemPolicy, ciemPolicy). These custom policies are onboard's own least-privilege versions:
Security Center's official bodies are not public. Supply them from a file with --file (render, diff) or
--policy-file when onboarding.`,
		Example: "  onboard policy list\n  onboard policy show cspmPolicy\n  onboard policy diff cspmPolicy --file live-cspm.json",
		Args:    cobra.NoArgs,
	}
	cmd.AddCommand(
		NewCmdPolicyList(f, nil),
		NewCmdPolicyShow(f, nil),
		NewCmdPolicyRender(f, nil),
		NewCmdPolicyDiff(f, nil),
	)
	return cmd
}

// policyNameArg requires exactly one argument naming a custom policy, as a usage error otherwise.
func policyNameArg(_ *cobra.Command, args []string) error {
	if len(args) != 1 {
		return Usagef("want one policy NAME: one of %s", strings.Join(policy.Names(), ", "))
	}
	if _, err := policy.Template(args[0]); err != nil {
		return &UsageError{Err: err}
	}
	return nil
}

// PolicyListOptions are the inputs of "onboard policy list".
type PolicyListOptions struct {
	IO   *IOStreams
	JSON bool
	CSV  bool
}

// NewCmdPolicyList builds "onboard policy list". runF replaces policyListRun in tests.
func NewCmdPolicyList(f *Factory, runF func(*PolicyListOptions) error) *cobra.Command {
	opts := &PolicyListOptions{IO: f.IO}
	return &cobra.Command{
		Use:     "list",
		Short:   "List the features and the policies each one attaches",
		Example: "  onboard policy list\n  onboard policy list --output csv",
		Args:    cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			opts.JSON, opts.CSV = f.JSON(), f.CSV()
			if runF != nil {
				return runF(opts)
			}
			return policyListRun(opts)
		},
	}
}

type grantRow struct {
	Feature string        `json:"feature"`
	When    string        `json:"when"`
	Grants  []policyGrant `json:"grants"`
}

type policyGrant struct {
	Name     string `json:"name"`
	Preset   bool   `json:"preset"`
	Fallback string `json:"fallback,omitempty"`
}

// grantRows lists every feature's grant set, one row per variant (Lighthouse, CSPM mode).
func grantRows() ([]grantRow, error) {
	type variant struct {
		when       string
		mode       policy.CSPMMode
		lighthouse bool
	}
	variants := map[string][]variant{
		policy.FeatureHost: {{when: "default"}, {when: "with --lighthouse", lighthouse: true}},
		policy.FeatureCSPM: {{when: "--cspm-policy preset (default)", mode: policy.CSPMPreset}, {when: "--cspm-policy custom", mode: policy.CSPMCustom}},
	}
	var rows []grantRow
	for _, feature := range policy.Features() {
		vs, ok := variants[feature]
		if !ok {
			vs = []variant{{when: "always"}}
		}
		for _, v := range vs {
			grants, err := policy.Grants(feature, v.mode, v.lighthouse)
			if err != nil {
				return nil, fmt.Errorf("list grants of %s: %w", feature, err)
			}
			row := grantRow{Feature: feature, When: v.when}
			for _, g := range grants {
				pg := policyGrant{Name: g.Name, Preset: g.Preset}
				if alt, ok := policy.PresetFallback(g.Name); ok {
					pg.Fallback = alt
				}
				row.Grants = append(row.Grants, pg)
			}
			rows = append(rows, row)
		}
	}
	return rows, nil
}

func policyListRun(opts *PolicyListOptions) error {
	rows, err := grantRows()
	if err != nil {
		return err
	}
	if opts.JSON {
		return writeJSON(opts.IO.Out, map[string]any{"features": rows})
	}
	if opts.CSV {
		out := [][]string{{"feature", "when", "policy", "kind", "fallback"}}
		for _, r := range rows {
			for _, g := range r.Grants {
				kind := "custom"
				if g.Preset {
					kind = "preset"
				}
				out = append(out, []string{r.Feature, r.When, g.Name, kind, g.Fallback})
			}
		}
		return writeCSV(opts.IO.Out, out)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%-8s %-30s %s\n", "FEATURE", "WHEN", "POLICIES")
	for _, r := range rows {
		var names []string
		for _, g := range r.Grants {
			kind := "custom"
			if g.Preset {
				kind = "preset"
			}
			s := fmt.Sprintf("%s (%s)", g.Name, kind)
			if g.Fallback != "" {
				s += fmt.Sprintf(" or else %s", g.Fallback)
			}
			names = append(names, s)
		}
		fmt.Fprintf(&b, "%-8s %-30s %s\n", r.Feature, r.When, strings.Join(names, ", "))
	}
	b.WriteString("\nCustom policies are onboard's own least-privilege versions; see: onboard policy show NAME\n")
	b.WriteString("The Alibaba Cloud key for Security Center needs the RAM policy: onboard policy show " + alibabaOperatorPolicy + " --features LIST\n")
	_, err = io.WriteString(opts.IO.Out, b.String())
	return err
}

// PolicyShowOptions are the inputs of "onboard policy show".
type PolicyShowOptions struct {
	IO       *IOStreams
	Name     string
	Features string // alibaba-operator only: comma-separated features
}

// alibabaOperatorPolicy names the RAM policy the Alibaba Cloud key needs for Security Center, beside the
// CAM policies on the Tencent Cloud side.
const alibabaOperatorPolicy = "alibaba-operator"

// NewCmdPolicyShow builds "onboard policy show NAME". runF replaces policyShowRun in tests.
func NewCmdPolicyShow(f *Factory, runF func(*PolicyShowOptions) error) *cobra.Command {
	opts := &PolicyShowOptions{IO: f.IO}
	cmd := &cobra.Command{
		Use:   "show NAME",
		Short: "Print a custom policy template as stored, placeholders unfilled, or the Alibaba Cloud operator's RAM policy",
		Long: `Print a custom CAM policy template as stored, placeholders unfilled; or, for alibaba-operator, the
Alibaba Cloud RAM policy (policy grammar version 1) the key given for Security Center needs for the features
chosen with --features (default: all of them); or, for agent-operator, the least-privilege CAM policy the
operator's Tencent Cloud key needs for onboard agent install (TAT and the CVM and Lighthouse instance lists).`,
		Example:   "  onboard policy show ciemPolicy\n  onboard policy show alibaba-operator --features host,cspm",
		ValidArgs: append(policy.Names(), alibabaOperatorPolicy, policy.AgentOperator),
		Args: func(c *cobra.Command, args []string) error {
			if len(args) == 1 && args[0] == alibabaOperatorPolicy {
				return nil
			}
			if len(args) == 1 && args[0] == policy.AgentOperator && !c.Flags().Changed("features") {
				return nil
			}
			if c.Flags().Changed("features") {
				return Usagef("--features applies to %s only", alibabaOperatorPolicy)
			}
			return policyNameArg(c, args)
		},
		RunE: func(_ *cobra.Command, args []string) error {
			opts.Name = args[0]
			if runF != nil {
				return runF(opts)
			}
			return policyShowRun(opts)
		},
	}
	cmd.Flags().StringVar(&opts.Features, "features", "", "alibaba-operator: the features onboarded, comma-separated: host, cspm, soc, audit (default: all)")
	return cmd
}

func policyShowRun(opts *PolicyShowOptions) error {
	if opts.Name == policy.AgentOperator {
		// The CAM policy onboard agent install needs with the operator's key (TAT and the instance lists).
		doc, err := policy.AgentOperatorDocument()
		if err != nil {
			return err
		}
		_, err = opts.IO.Out.Write(withNewline(doc))
		return err
	}
	if opts.Name == alibabaOperatorPolicy {
		doc, err := alibabaOperatorDocument(opts.Features)
		if err != nil {
			return err
		}
		_, err = opts.IO.Out.Write(withNewline(doc))
		return err
	}
	tmpl, err := policy.Template(opts.Name)
	if err != nil {
		return &UsageError{Err: err}
	}
	_, err = opts.IO.Out.Write(withNewline(tmpl))
	return err
}

// alibabaOperatorDocument is the RAM policy for the features ("" for all of them).
func alibabaOperatorDocument(features string) ([]byte, error) {
	chosen := policy.Features()
	if features != "" {
		chosen = strings.Split(features, ",")
		for _, f := range chosen {
			if !slices.Contains(policy.Features(), f) {
				return nil, Usagef("invalid --features %q: %q is not a feature; valid features are %s", features, f, strings.Join(policy.Features(), ", "))
			}
		}
	}
	return securitycenter.OperatorPolicy(onboarding.SecurityCenterModules(chosen))
}

// PolicyRenderOptions are the inputs of "onboard policy render".
type PolicyRenderOptions struct {
	IO   *IOStreams
	Name string
	Sets []string // PLACEHOLDER=VALUE
	File string   // a user-supplied template instead of the embedded one
}

const setFlagHelp = "fill a placeholder: `PLACEHOLDER=VALUE` (CLS_Topic_ID, CLS_Logset_ID, CLS_Region_ID, Root_Account_ID); repeatable"

// NewCmdPolicyRender builds "onboard policy render NAME". runF replaces policyRenderRun in tests.
func NewCmdPolicyRender(f *Factory, runF func(*PolicyRenderOptions) error) *cobra.Command {
	opts := &PolicyRenderOptions{IO: f.IO}
	cmd := &cobra.Command{
		Use:   "render NAME",
		Short: "Fill a policy's placeholders and print the CAM policy document",
		Long: `Fill the placeholders of a custom policy and print the document CreatePolicy would receive.
Every value is checked by its own rule, and the result is checked as CAM would (version, statements,
known actions). Invalid input exits 2 with the reason and prints nothing on stdout.`,
		Example: `  onboard policy render ciemPolicy --set CLS_Topic_ID=002dbab1-fcf2-4ca7-b602-fda10d5e1731 \
    --set CLS_Logset_ID=f3a2c1d0-1111-4a2b-9c3d-0123456789ab --set CLS_Region_ID=ap-guangzhou \
    --set Root_Account_ID=100004375281
  onboard policy render ciemPolicy --file official-ciem.json --set ...`,
		Args:      policyNameArg,
		ValidArgs: policy.Names(),
		RunE: func(_ *cobra.Command, args []string) error {
			opts.Name = args[0]
			if runF != nil {
				return runF(opts)
			}
			return policyRenderRun(opts)
		},
	}
	cmd.Flags().StringArrayVar(&opts.Sets, "set", nil, setFlagHelp)
	cmd.Flags().StringVar(&opts.File, "file", "", "render the policy document in `PATH` (e.g. Security Center's official one) instead of onboard's template")
	return cmd
}

func policyRenderRun(opts *PolicyRenderOptions) error {
	out, err := renderPolicy(opts.Name, opts.File, opts.Sets)
	if err != nil {
		return err
	}
	if err := printWarnings(opts.IO.ErrOut, policy.UnknownServiceWarnings(out)); err != nil {
		return err
	}
	_, err = opts.IO.Out.Write(withNewline(out))
	return err
}

// printWarnings writes each warning on its own line. A warning does not change the exit status: CAM
// knows services onboard does not, so an unknown service may be right.
func printWarnings(w io.Writer, warnings []string) error {
	for _, s := range warnings {
		if _, err := fmt.Fprintf(w, "warning: %s\n", s); err != nil {
			return err
		}
	}
	return nil
}

// renderPolicy renders the named policy, or the template in file, with the --set values. Every failure
// is bad input, hence a usage error.
func renderPolicy(name, file string, sets []string) ([]byte, error) {
	values, err := parseSets(sets)
	if err != nil {
		return nil, err
	}
	if file == "" {
		tmpl, err := policy.Template(name)
		if err != nil {
			return nil, &UsageError{Err: err}
		}
		if err := checkSetsUsed(sets, tmpl, name); err != nil {
			return nil, err
		}
		out, err := policy.Render(name, values)
		if err != nil {
			return nil, &UsageError{Err: err}
		}
		return out, nil
	}
	tmpl, err := policy.LoadOverride(name, file)
	if err != nil {
		return nil, Usagef("--file: %w", err)
	}
	if err := checkSetsUsed(sets, tmpl, file); err != nil {
		return nil, err
	}
	out, err := policy.RenderDocument(tmpl, values)
	if err != nil {
		return nil, Usagef("render %s from %s: %w", name, file, err)
	}
	return out, nil
}

// checkSetsUsed refuses a --set whose placeholder the template does not use: the value would be
// dropped silently, and a typo in a script would go unnoticed.
func checkSetsUsed(sets []string, tmpl []byte, what string) error {
	used := policy.UsedPlaceholders(tmpl)
	for _, s := range sets {
		k, _, _ := strings.Cut(s, "=")
		k = strings.TrimSuffix(strings.TrimPrefix(k, "${"), "}")
		if slices.Contains(used, k) {
			continue
		}
		uses := "no placeholder"
		if len(used) > 0 {
			uses = strings.Join(used, ", ")
		}
		return Usagef("--set %s: %s does not use this placeholder; it uses %s", k, what, uses)
	}
	return nil
}

func parseSets(sets []string) (policy.Values, error) {
	var v policy.Values
	for _, s := range sets {
		k, val, ok := strings.Cut(s, "=")
		if !ok || k == "" {
			return v, Usagef("--set %q: want PLACEHOLDER=VALUE with PLACEHOLDER one of %s", s, strings.Join(policy.Placeholders(), ", "))
		}
		if err := v.Set(k, val); err != nil {
			return v, Usagef("--set %s: %w", k, err)
		}
	}
	return v, nil
}

// PolicyDiffOptions are the inputs of "onboard policy diff".
type PolicyDiffOptions struct {
	IO       *IOStreams
	JSON     bool
	Name     string
	LiveFile string   // the live document, as GetPolicy returns it
	Sets     []string // PLACEHOLDER=VALUE for the wanted document
	WantFile string   // a user-supplied template for the wanted document
}

// errPolicyDrift reports that the live document differs from the wanted one (exit code 1, like diff(1)).
var errPolicyDrift = errors.New("policy has drifted")

// NewCmdPolicyDiff builds "onboard policy diff NAME". runF replaces policyDiffRun in tests.
func NewCmdPolicyDiff(f *Factory, runF func(*PolicyDiffOptions) error) *cobra.Command {
	opts := &PolicyDiffOptions{IO: f.IO}
	cmd := &cobra.Command{
		Use:   "diff NAME --file LIVE.json",
		Short: "Compare a live policy document with the one onboard would create",
		Long: `Compare a live policy document (as CAM's GetPolicy returns it) with the rendered policy NAME, grant by
grant. Statement order, action order, a string versus a one-element list, whitespace and the "name/"
prefix do not count. Lines starting with "+" are grants the live document lacks; "-" are grants it has
beyond what onboard wants.

Exit status, as with diff(1): 0 when the documents are equivalent, 1 when they differ (the differences
are printed on stdout), 2 when the input is invalid.`,
		Example:   "  onboard policy diff cspmPolicy --file live-cspm.json",
		Args:      policyNameArg,
		ValidArgs: policy.Names(),
		RunE: func(_ *cobra.Command, args []string) error {
			opts.Name = args[0]
			opts.JSON = f.JSON()
			if opts.LiveFile == "" {
				return Usagef("--file is required: the live policy document to compare")
			}
			if runF != nil {
				return runF(opts)
			}
			return policyDiffRun(opts)
		},
	}
	cmd.Flags().StringVar(&opts.LiveFile, "file", "", "the live policy document in `PATH` (required)")
	cmd.Flags().StringArrayVar(&opts.Sets, "set", nil, setFlagHelp)
	cmd.Flags().StringVar(&opts.WantFile, "policy-file", "", "compare with the policy document in `PATH` instead of onboard's template")
	return cmd
}

// maxLiveBytes bounds the live document read from a file.
const maxLiveBytes = 64 << 10

func policyDiffRun(opts *PolicyDiffOptions) error {
	want, err := renderPolicy(opts.Name, opts.WantFile, opts.Sets)
	if err != nil {
		return err
	}
	live, err := policy.ReadFile(opts.LiveFile, maxLiveBytes)
	if err != nil {
		return Usagef("--file: %w", err)
	}
	d, err := policy.Diff(live, want)
	if err != nil {
		return Usagef("compare %s with %s: %w", opts.LiveFile, opts.Name, err)
	}
	warnings := policy.UnknownServiceWarnings(want)
	for _, w := range policy.UnknownServiceWarnings(live) {
		warnings = append(warnings, opts.LiveFile+": "+w)
	}
	coverage, err := cspmCoverage(opts.Name, want)
	if err != nil {
		return err
	}
	if opts.JSON {
		lines := d.Lines
		if lines == nil {
			lines = []string{}
		}
		if warnings == nil {
			warnings = []string{}
		}
		out := map[string]any{"policy": opts.Name, "changed": d.Changed, "lines": lines, "warnings": warnings}
		if coverage != nil {
			out["coverage"] = coverage
		}
		if err := writeJSON(opts.IO.Out, out); err != nil {
			return err
		}
	} else {
		if err := printWarnings(opts.IO.ErrOut, warnings); err != nil {
			return err
		}
		if coverage != nil {
			fmt.Fprintf(opts.IO.ErrOut, "coverage of %s against the preset grants (%s): services both read: %s; read by the presets only: %s\n",
				opts.Name, strings.Join(coverage.Presets, " + "), strings.Join(coverage.Covered, ", "), strings.Join(coverage.PresetOnly, ", "))
		}
	}
	if !opts.JSON && d.Changed {
		if _, err := fmt.Fprintln(opts.IO.Out, strings.Join(d.Lines, "\n")); err != nil {
			return err
		}
	}
	if d.Changed {
		return fmt.Errorf("%s in %s: %d difference(s): %w", opts.Name, opts.LiveFile, len(d.Lines), errPolicyDrift)
	}
	return nil
}

// policyCoverage compares a custom policy with the preset grants it replaces, by service.
type policyCoverage struct {
	Presets    []string `json:"presets"`
	Covered    []string `json:"covered"`
	PresetOnly []string `json:"preset_only"`
}

// cspmCoverage is the coverage of the wanted cspmPolicy against CSPM's preset grants; nil for the other
// policies, which replace no preset.
func cspmCoverage(name string, want []byte) (*policyCoverage, error) {
	if name != policy.CSPMPolicy {
		return nil, nil
	}
	presets, err := policy.GrantNames([]string{policy.FeatureCSPM}, policy.CSPMPreset, false)
	if err != nil {
		return nil, err
	}
	covered, presetOnly, err := policy.Coverage(want, presets)
	if err != nil {
		return nil, fmt.Errorf("coverage of %s: %w", name, err)
	}
	return &policyCoverage{Presets: presets, Covered: nonNilStrings(covered), PresetOnly: nonNilStrings(presetOnly)}, nil
}

func withNewline(b []byte) []byte {
	if len(b) > 0 && b[len(b)-1] != '\n' {
		return append(b[:len(b):len(b)], '\n')
	}
	return b
}
