package cmd

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"onboard/emulator"
)

func init() { subcommands = append(subcommands, newCmdEmulator) }

// EmulatorOptions are the flags of `onboard emulator`.
type EmulatorOptions struct {
	f          *Factory
	Addr       string
	Seed       string
	Latency    string
	RateLimits string
	RateScope  string
	SeedGen    string
	Faults     string
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
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return emulatorRun(c.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Addr, "addr", "127.0.0.1:0", "loopback `HOST:PORT` to listen on")
	cmd.Flags().StringVar(&opts.Seed, "seed", "demo", "account to seed: demo, random, or a JSON seed `FILE`")
	cmd.Flags().StringVar(&opts.SeedGen, "seed-gen", "", "generate inventory spread over regions, e.g. regions=25,cvm=50000,lighthouse=10000,vpc=2000,subnet=8000,security_group=10000,disk=15000,clb=3000,cdb=2000,cam_user=100")
	cmd.Flags().StringVar(&opts.Faults, "faults", "", "inject faults: rules separated by ';', e.g. 'fault=InternalError,p=0.05;action=cvm:DescribeInstances,fault=drop,nth=3' (fault: an error code, drop, httpNNN, delay with delay=D); action=sas:ACTION (or sas:*) injects into Security Center")
	cmd.Flags().StringSliceVar(&opts.SASDeny, "sas-deny", nil, "Security Center `ACTIONS` answered 403 NoPermission, as for an Alibaba Cloud key whose RAM policies lack them, e.g. AddCloudVendorAccountAK,RefreshAssets")
	cmd.Flags().StringVar(&opts.Latency, "latency", "", "delay every call, e.g. 30ms or 30ms±10ms")
	cmd.Flags().StringVar(&opts.RateLimits, "rate-limits", "off", "per-action throttling: published (Tencent's documented rates) or off")
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
	env, err := emulator.Start(ctx, emulator.Options{Addr: opts.Addr, Seed: opts.Seed, SeedGen: opts.SeedGen, Faults: opts.Faults,
		Latency: base, Jitter: jitter, RateLimits: opts.RateLimits, RateLimitPerRegion: opts.RateScope == "region", SecurityCenterDenied: opts.SASDeny})
	if err != nil {
		return &UsageError{Err: err}
	}
	defer env.Close()
	line, err := json.Marshal(map[string]string{
		"tencent_endpoint":   env.TencentEndpoint,
		"tencent_secret_id":  env.TencentSecretID,
		"tencent_secret_key": env.TencentSecretKey,
		"tencent_owner_uin":  env.OwnerUIN,

		"security_center_endpoint":  env.SecurityCenterEndpoint,
		"alibaba_access_key_id":     env.AlibabaAccessKeyID,
		"alibaba_access_key_secret": env.AlibabaAccessKeySecret,
	})
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintln(opts.f.IO.Out, string(line)); err != nil {
		return err
	}
	<-ctx.Done()
	return nil
}
