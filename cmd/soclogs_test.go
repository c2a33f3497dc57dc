package cmd

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"onboard/emulator/tcloud"
	"onboard/onboarding"
)

func TestSOCLogsFlags(t *testing.T) {
	for _, tc := range []struct {
		args     []string
		waf, cfw bool
		region   string
	}{
		{nil, true, true, onboarding.DefaultWAFRegion},
		{[]string{"--waf"}, true, false, onboarding.DefaultWAFRegion},
		{[]string{"--cfw", "--waf-region", "ap-seoul"}, false, true, "ap-seoul"},
	} {
		f, _, _ := tencentTestFactory(map[string]string{})
		var got *SOCLogsOptions
		cmd := newCmdSOCLogs(f, func(o *SOCLogsOptions) error { got = o; return nil })
		cmd.SetArgs(tc.args)
		if err := cmd.Execute(); err != nil {
			t.Fatal(err)
		}
		if got.WAF != tc.waf || got.CFW != tc.cfw || got.WAFRegion != tc.region {
			t.Errorf("%v: %+v", tc.args, got)
		}
	}
}

// The command ships the WAF logs, says what it would do in a dry run, refuses a region WAF's delivery is
// not served in as usage, and offboard removes what it made.
func TestSOCLogsThroughTheCommandThenOffboard(t *testing.T) {
	env, vars := onboardedProd(t, "--features", "host,soc", "--skip-sync")
	env.Tencent.SeedWAFInstance(tcloud.WAFInstanceSeed{ID: "waf_ent01", Name: "prod", Region: "gz", Level: 3})
	env.Tencent.SeedWAFDomain(tcloud.WAFDomainSeed{Domain: "shop.example.com", InstanceID: "waf_ent01"})
	ctx := context.Background()

	f, out, errOut := tencentTestFactory(vars)
	if code := run(ctx, f, []string{"soc", "logs", "--account", "prod", "--dry-run"}); code != ExitOK || !strings.Contains(out.String(), "Would do:") {
		t.Fatalf("dry run: exit %d %s %s", code, out.String(), errOut.String())
	}
	if env.Tencent.WAFFlowCount() != 0 {
		t.Fatal("the dry run made a flow")
	}
	f, _, errOut = tencentTestFactory(vars)
	if code := run(ctx, f, []string{"soc", "logs", "--account", "prod", "--waf-region", "ap-tokyo"}); code != ExitUsage {
		t.Fatalf("--waf-region ap-tokyo: exit %d %s", code, errOut.String())
	}
	f, out, errOut = tencentTestFactory(vars)
	if code := run(ctx, f, []string{"soc", "logs", "--account", "prod", "--output", "json"}); code != ExitOK {
		t.Fatalf("soc logs: exit %d %s", code, errOut.String())
	}
	var res onboarding.SOCLogsResult
	if err := json.Unmarshal([]byte(out.String()), &res); err != nil || len(res.Topics) != 2 || res.CFW == nil || res.CFW.Present {
		t.Fatalf("output %s: %v", out.String(), err)
	}
	f, out, errOut = tencentTestFactory(vars)
	if code := run(ctx, f, []string{"offboard", "--account", "prod", "--yes", "--no-input"}); code != ExitOK {
		t.Fatalf("offboard: exit %d %s %s", code, out.String(), errOut.String())
	}
	if n := env.Tencent.WAFFlowCount(); n != 0 || env.Tencent.WAFSwitches()["access-log:shop.example.com"] {
		t.Errorf("after offboard: %d flows, switches %v", n, env.Tencent.WAFSwitches())
	}
}

// onboard tencent --soc-logs runs the SOC-logs step after the onboarding, and needs feature soc.
func TestTencentSOCLogsStep(t *testing.T) {
	env, vars := onboardedProd(t, "--features", "host,soc", "--skip-sync", "--soc-logs")
	ctx := context.Background()
	if env.Tencent.WAFFlowCount() != 2 || !env.Tencent.WAFSwitches()["post-cls:shop.demo.example.com"] {
		t.Errorf("the demo account's WAF: %d flows, switches %v", env.Tencent.WAFFlowCount(), env.Tencent.WAFSwitches())
	}
	f, _, errOut := tencentTestFactory(vars)
	args := []string{"tencent", "--no-input", "--mode", "manual", "--sub-user", "sas-reader", "--account", "prod", "--site", "outside",
		"--regions", "ap-guangzhou", "--features", "host", "--skip-sync", "--soc-logs"}
	if code := run(ctx, f, args); code != ExitUsage || !strings.Contains(errOut.String(), "soc-logs: needs feature soc") {
		t.Fatalf("--soc-logs without soc: exit %d %s", code, errOut.String())
	}
	env.Tencent.SeedWAFInstance(tcloud.WAFInstanceSeed{ID: "waf_ent01", Name: "prod", Region: "gz", Level: 3})
	f, out, errOut := tencentTestFactory(vars)
	args[len(args)-3] = "host,soc"
	if code := run(ctx, f, append(args, "--output", "json")); code != ExitOK {
		t.Fatalf("onboard --soc-logs: exit %d %s", code, errOut.String())
	}
	if !env.Tencent.WAFSwitches()["attack-log:waf_ent01"] {
		t.Error("the re-run did not turn on the new instance's attack-log delivery")
	}
	var res struct {
		Account string                    `json:"account"`
		SOCLogs *onboarding.SOCLogsResult `json:"soc_logs"`
	}
	if err := json.Unmarshal([]byte(out.String()), &res); err != nil || res.Account != "prod" || res.SOCLogs == nil || !res.SOCLogs.WAF.Present {
		t.Fatalf("output %s: %v", out.String(), err)
	}
	if env.Tencent.WAFFlowCount() != 2 {
		t.Errorf("%d flows", env.Tencent.WAFFlowCount())
	}
}
