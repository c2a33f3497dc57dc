package cmd

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"onboard/emulator"
)

// EmulatorOptions are the flags of `onboard emulator`.
type EmulatorOptions struct {
	f          *Factory
	PrintEnv   bool
	Addr       string
	Seed       string
	Latency    string
	RateLimits string
	RateScope  string
	SeedGen    string
	Faults     string
	// ActiveKeyDelete is how CAM's DeleteAccessKey treats a sub-user's active key: allow or refuse.
	ActiveKeyDelete string
	// ActiveRootKeyDelete is how CAM's DeleteAccessKey treats the root account's active key: refuse
	// (disable it first) or allow.
	ActiveRootKeyDelete string
	// Propagation delays new keys and grants as CAM's cache does.
	Propagation time.Duration
	// SASDeny are Security Center actions answered 403 NoPermission.
	SASDeny []string
}

func newCmdEmulator(f *Factory) *cobra.Command {
	return NewCmdEmulator(f, nil)
}

// NewCmdEmulator builds `onboard emulator`; runF replaces the behaviour in flag-parsing tests.
func NewCmdEmulator(f *Factory, runF func(context.Context, *EmulatorOptions) error) *cobra.Command {
	opts := &EmulatorOptions{f: f}
	cmd := &cobra.Command{
		Use:   "emulator",
		Short: "Serve the emulated Tencent Cloud and Security Center APIs on loopback",
		Long: `Serve the emulated Tencent Cloud API and Security Center's multi-cloud API on loopback and print one
JSON line with their endpoints and the seeded accounts' credentials (tencent_endpoint, tencent_secret_id,
tencent_secret_key, tencent_owner_uin, security_center_endpoint, alibaba_access_key_id,
alibaba_access_key_secret). Runs until interrupted (SIGINT or SIGTERM). These are emulator-only credentials.`,
		Example: "  onboard emulator\n" +
			"  onboard emulator --print-env > emulator.env &  # then: . ./emulator.env\n" +
			"  onboard emulator --seed random --latency 30ms±10ms --rate-limits published\n" +
			"  onboard emulator --seed-gen regions=25,cvm=50000,lighthouse=10000,vpc=2000,subnet=8000,security_group=10000\n" +
			"  onboard emulator --faults 'fault=InternalError,p=0.05;action=cvm:DescribeInstances,fault=drop,nth=3'",
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return emulatorRun(c.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.PrintEnv, "print-env", false, "print shell export lines for the variables onboard reads, instead of the JSON line")
	cmd.Flags().StringVar(&opts.Addr, "addr", "127.0.0.1:0", "loopback `HOST:PORT` to listen on")
	cmd.Flags().StringVar(&opts.Seed, "seed", "demo", "account to seed: demo, random, or a JSON seed `FILE`")
	cmd.Flags().StringVar(&opts.SeedGen, "seed-gen", "", "generate inventory spread over regions: KIND=COUNT pairs, comma-separated (regions, cvm, lighthouse, vpc, subnet, security_group, disk, clb, cdb, cam_user, waf_domain, cfw_instance; members=N also makes N member accounts of an organization the seeded account manages, each seeded alike); see the examples")
	cmd.Flags().StringVar(&opts.Faults, "faults", "", "inject faults: rules separated by ';', each KEY=VALUE pairs (action, region, fault: an error code, drop, httpNNN, or delay with delay=D; p or nth); action=sas:ACTION (or sas:*) injects into Security Center; see the examples")
	cmd.Flags().StringSliceVar(&opts.SASDeny, "sas-deny", nil, "Security Center `ACTIONS` answered 403 NoPermission, as for an Alibaba Cloud key whose RAM policies lack them (e.g. AddCloudVendorAccountAK,RefreshAssets)")
	cmd.Flags().StringVar(&opts.Latency, "latency", "", "delay every call, e.g. 30ms or 30ms±10ms")
	cmd.Flags().StringVar(&opts.RateLimits, "rate-limits", "off", "per-action throttling: published (Tencent's documented rates) or off")
	cmd.Flags().StringVar(&opts.ActiveKeyDelete, "active-key-delete", "allow", "how CAM's DeleteAccessKey treats a sub-user's active key, which its documentation leaves open: allow (delete it) or refuse (disable it first)")
	cmd.Flags().StringVar(&opts.ActiveRootKeyDelete, "active-root-key-delete", "refuse", "how CAM's DeleteAccessKey treats the root account's active key: refuse (disable it first, as the console asks) or allow (delete it)")
	cmd.Flags().DurationVar(&opts.Propagation, "propagation", 0, "delay new API keys and grants (attachments, policy updates) by this `DURATION` before the services accept them, as CAM's cache does (about a minute in Tencent Cloud), e.g. 2s")
	cmd.Flags().StringVar(&opts.RateScope, "rate-limit-scope", "account", "what a limit counts: account (per account and action) or region (also per region)")
	return cmd
}

// parseLatency reads "30ms" or "30ms±10ms" (also "30ms+-10ms").
func parseLatency(s string) (base, jitter time.Duration, err error) {
	if s == "" {
		return 0, 0, nil
	}
	b, j, found := strings.Cut(strings.ReplaceAll(s, "+-", "±"), "±")
	if base, err = time.ParseDuration(b); err != nil || base < 0 {
		return 0, 0, Usagef("invalid --latency %q: want a duration such as 30ms or 30ms±10ms", s)
	}
	if found {
		if jitter, err = time.ParseDuration(j); err != nil || jitter < 0 {
			return 0, 0, Usagef("invalid --latency %q: want a duration such as 30ms or 30ms±10ms", s)
		}
	}
	return base, jitter, nil
}

func emulatorRun(ctx context.Context, opts *EmulatorOptions) error {
	base, jitter, err := parseLatency(opts.Latency)
	if err != nil {
		return err
	}
	if opts.RateLimits != "published" && opts.RateLimits != "off" {
		return Usagef("invalid --rate-limits %q: valid values are published, off", opts.RateLimits)
	}
	if opts.RateScope != "account" && opts.RateScope != "region" {
		return Usagef("invalid --rate-limit-scope %q: valid values are account, region", opts.RateScope)
	}
	if opts.ActiveKeyDelete != "allow" && opts.ActiveKeyDelete != "refuse" {
		return Usagef("invalid --active-key-delete %q: valid values are allow, refuse", opts.ActiveKeyDelete)
	}
	if opts.ActiveRootKeyDelete != "allow" && opts.ActiveRootKeyDelete != "refuse" {
		return Usagef("invalid --active-root-key-delete %q: valid values are refuse, allow", opts.ActiveRootKeyDelete)
	}
	if opts.Propagation < 0 {
		return Usagef("invalid --propagation %s: want a duration of 0 or more, such as 2s", opts.Propagation)
	}
	env, err := emulator.Start(ctx, emulator.Options{Addr: opts.Addr, Seed: opts.Seed, SeedGen: opts.SeedGen, Faults: opts.Faults,
		Latency: base, Jitter: jitter, RateLimits: opts.RateLimits, RateLimitPerRegion: opts.RateScope == "region", SecurityCenterDenied: opts.SASDeny,
		RefuseActiveKeyDeletion: opts.ActiveKeyDelete == "refuse", DeleteActiveRootKey: opts.ActiveRootKeyDelete == "allow", Propagation: opts.Propagation})
	if err != nil {
		return &UsageError{Err: err}
	}
	defer env.Close()
	line, err := json.Marshal(map[string]string{
		"tencent_endpoint":   env.TencentEndpoint,
		"tencent_secret_id":  env.TencentSecretID,
		"tencent_secret_key": env.TencentSecretKey,
		"tencent_owner_uin":  env.OwnerUIN,
		// The organization's member accounts, comma-separated: their management account's key reaches them
		// through AssumeRole of the member access role.
		"tencent_member_uins": memberUINs(env),

		"security_center_endpoint":  env.SecurityCenterEndpoint,
		"alibaba_access_key_id":     env.AlibabaAccessKeyID,
		"alibaba_access_key_secret": env.AlibabaAccessKeySecret,
	})
	if err != nil {
		return err
	}
	out := string(line) + "\n"
	if opts.PrintEnv {
		out = emulatorEnv(env)
	}
	if _, err := io.WriteString(opts.f.IO.Out, out); err != nil {
		return err
	}
	fmt.Fprintf(opts.f.IO.ErrOut, "serving Tencent Cloud at %s and Security Center at %s until Ctrl+C\n", env.TencentEndpoint, env.SecurityCenterEndpoint)
	<-ctx.Done()
	return nil
}

// emulatorEnv is a shell's export lines for the variables onboard reads, pointing it at env.
func emulatorEnv(env *emulator.Env) string {
	var b strings.Builder
	for _, kv := range [][2]string{
		{envTencentEndpoint, env.TencentEndpoint},
		{envTencentSecretID, env.TencentSecretID},
		{envTencentSecretKey, env.TencentSecretKey},
		{envSecurityCenterEndpoint, env.SecurityCenterEndpoint},
		{envAlibabaKeyID, env.AlibabaAccessKeyID},
		{envAlibabaKeySecret, env.AlibabaAccessKeySecret},
	} {
		fmt.Fprintf(&b, "export %s='%s'\n", kv[0], strings.ReplaceAll(kv[1], "'", `'\''`))
	}
	return b.String()
}

// memberUINs are the UINs of the seeded organization's member accounts, comma-separated ("" for none).
func memberUINs(env *emulator.Env) string {
	var uins []string
	for _, m := range env.Tencent.Members() {
		uins = append(uins, fmt.Sprint(m.OwnerUIN()))
	}
	return strings.Join(uins, ",")
}
