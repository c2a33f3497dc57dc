package cmd

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"onboard/emulator"
)

func TestPolicyListShowsWhatEachChoiceGrants(t *testing.T) {
	f, _ := testFactory()
	ios, _, out, _ := TestIOStreams()
	f.IO = ios
	if code := run(context.Background(), f, []string{"policy", "list", "-o", "json"}); code != ExitOK {
		t.Fatalf("exit %d", code)
	}
	var listed struct {
		Features []struct {
			Feature, When string
			Grants        []struct{ Name string }
		}
	}
	if err := json.Unmarshal(out.Bytes(), &listed); err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for _, r := range listed.Features {
		for _, g := range r.Grants {
			got[r.Feature+" "+r.When] = append(got[r.Feature+" "+r.When], g.Name)
		}
	}
	want := map[string][]string{
		"host default":                        {"QcloudCVMReadOnlyAccess"},
		"host with --lighthouse":              {"QcloudCVMReadOnlyAccess", "QcloudLighthouseReadOnlyAccess"},
		"cspm --cspm-policy preset (default)": {"CloudResourceReadOnlyAccess", "QcloudCamReadOnlyAccess"},
		"cspm --cspm-policy custom":           {"cspmPolicy"},
		"soc always":                          {"siemPolicy"},
		"audit always":                        {"ciemPolicy"},
	}
	for k, w := range want {
		if !slices.Equal(got[k], w) {
			t.Errorf("%s grants %v, want %v (all: %v)", k, got[k], w, got)
		}
	}
	if len(got) != len(want) {
		t.Errorf("rows %v, want %v", got, want)
	}
}

func TestTencentLighthouseFlag(t *testing.T) {
	var got *TencentOptions
	cmd := NewCmdTencent(NewFactory(), func(_ context.Context, o *TencentOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"--mode", "manual", "--features", "host", "--lighthouse", "--sub-user", "sas"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if !got.Request.Lighthouse {
		t.Fatalf("--lighthouse did not reach the request: %+v", got.Request)
	}
}

// TestAPartlyDoneOnboardingExitsThree: the first sync of one kind fails; the onboarding finishes,
// says "partly done" with what failed in both output formats, and exits 3.
func TestAPartlyDoneOnboardingExitsThree(t *testing.T) {
	for _, format := range []string{"text", "json"} {
		t.Run(format, func(t *testing.T) {
			env, err := emulator.Start(context.Background(), emulator.Options{Seed: "demo"})
			if err != nil {
				t.Fatal(err)
			}
			defer env.Close()
			env.Tencent.FailNext("DescribeSubnets", "InternalError", 1000)
			f, out, errOut := tencentTestFactory(emulatorVars(env, t.TempDir()))
			args := []string{"tencent", "--no-input", "--mode", "manual", "--features", "host,cspm", "--sub-user", "sas-reader",
				"--regions", "ap-guangzhou", "--output", format}
			if code := run(context.Background(), f, args); code != ExitPartial {
				t.Fatalf("exit %d, want 3\n%s\n%s", code, out.String(), errOut.String())
			}
			if format == "json" {
				var res struct {
					PartlyDone []string `json:"partly_done"`
				}
				if err := json.Unmarshal([]byte(out.String()), &res); err != nil || len(res.PartlyDone) == 0 || !strings.Contains(res.PartlyDone[0], "vpc.subnet") {
					t.Fatalf("partly_done %v (%v) in %s", res.PartlyDone, err, out.String())
				}
			} else if !strings.Contains(out.String(), "partly done") || !strings.Contains(out.String(), "vpc.subnet") {
				t.Fatalf("stdout lacks partly done and what failed:\n%s", out.String())
			}
		})
	}
}

func TestExitCodesOfTheProcedure(t *testing.T) {
	env, err := emulator.Start(context.Background(), emulator.Options{Seed: "demo"})
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	t.Setenv("HOME", t.TempDir()) // no tccli or ~/.tencentcloud profile of the machine's user
	withKey := func() map[string]string { return emulatorVars(env, t.TempDir()) }
	withoutKey := func() map[string]string {
		v := emulatorVars(env, t.TempDir())
		delete(v, "TENCENTCLOUD_SECRET_ID")
		delete(v, "TENCENTCLOUD_SECRET_KEY")
		return v
	}
	rejectedKey := func() map[string]string {
		v := emulatorVars(env, t.TempDir())
		v["TENCENTCLOUD_SECRET_KEY"] = "not-the-key"
		return v
	}
	quick := []string{"tencent", "--no-input", "--mode", "quick", "--skip-sync"}
	tests := []struct {
		name string
		vars func() map[string]string
		args []string
		want int
	}{
		{"unknown command", withKey, []string{"bogus"}, ExitUsage},
		{"unknown subcommand", withKey, []string{"policy", "bogus"}, ExitUsage},
		{"unknown region found when planning", withKey, append(slices.Clone(quick), "--regions", "ap-nowhere-1", "--dry-run"), ExitUsage},
		{"unknown region found when applying", withKey, append(slices.Clone(quick), "--regions", "ap-nowhere-1"), ExitUsage},
		{"no credentials at all", withoutKey, quick, ExitUsage},
		{"--profile that does not exist", withoutKey, append(slices.Clone(quick), "--profile", "nosuch"), ExitUsage},
		{"credentials rejected", rejectedKey, quick, ExitCredentials},
		{"done", withKey, quick, ExitOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, out, errOut := tencentTestFactory(tt.vars())
			if code := run(context.Background(), f, tt.args); code != tt.want {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tt.want, out.String(), errOut.String())
			}
		})
	}
}

func TestASetThatTheTemplateDoesNotUseIsRefused(t *testing.T) {
	live := filepath.Join(t.TempDir(), "live.json")
	if err := os.WriteFile(live, []byte(`{"version":"2.0","statement":[{"effect":"allow","action":["cvm:DescribeInstances"],"resource":["*"]}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"policy", "render", "cspmPolicy", "--set", "CLS_Topic_ID=tp-1"},
		{"policy", "render", "siemPolicy", "--set", "${Root_Account_ID}=100012345678"},
		{"policy", "diff", "siemPolicy", "--file", live, "--set", "Root_Account_ID=100012345678"},
	} {
		f, _ := testFactory()
		ios, _, out, errOut := TestIOStreams()
		f.IO = ios
		if code := run(context.Background(), f, args); code != ExitUsage || !strings.Contains(errOut.String(), "does not use") || out.String() != "" {
			t.Errorf("%v: exit %d, stderr %q, stdout %q; want exit 2 naming the unused placeholder", args, code, errOut.String(), out.String())
		}
	}
	// Every placeholder set is one ciemPolicy uses: rendered.
	f, _ := testFactory()
	ios, _, _, errOut := TestIOStreams()
	f.IO = ios
	if code := run(context.Background(), f, []string{"policy", "render", "ciemPolicy", "--set", "CLS_Topic_ID=tp-1", "--set", "CLS_Logset_ID=ls-1",
		"--set", "CLS_Region_ID=ap-guangzhou", "--set", "Root_Account_ID=100012345678"}); code != ExitOK {
		t.Errorf("ciemPolicy with its own placeholders: exit %d: %s", code, errOut.String())
	}
}

// TestInputRulesFailBeforeAnyCall: each rule of the procedure refuses the request with exit 2 naming its
// flag, and the emulators' call logs show no call at all, so nothing was changed.
func TestInputRulesFailBeforeAnyCall(t *testing.T) {
	tests := []struct {
		args []string
		flag string
	}{
		{[]string{"--mode", "quick", "--cloud-sync", "6h"}, "--cloud-sync"},
		{[]string{"--mode", "manual", "--features", "host,soc", "--sub-user", "x", "--cloud-sync", "6h"}, "--cloud-sync"},
		{[]string{"--mode", "manual", "--features", "cspm", "--sub-user", "x", "--lighthouse"}, "--lighthouse"},
	}
	for _, tt := range tests {
		env, err := emulator.Start(context.Background(), emulator.Options{Seed: "demo"})
		if err != nil {
			t.Fatal(err)
		}
		f, out, errOut := tencentTestFactory(emulatorVars(env, t.TempDir()))
		code := run(context.Background(), f, append([]string{"tencent", "--no-input"}, tt.args...))
		if code != ExitUsage || !strings.Contains(errOut.String(), tt.flag) || out.String() != "" {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 naming %s", tt.args, code, errOut.String(), tt.flag)
		}
		if calls := env.Tencent.Calls(); len(calls) != 0 {
			t.Errorf("%v: Tencent Cloud calls before the refusal: %+v", tt.args, calls)
		}
		if calls := env.SecurityCenter.Calls(); len(calls) != 0 {
			t.Errorf("%v: Security Center calls before the refusal: %+v", tt.args, calls)
		}
		env.Close()
	}
}

func TestAuditWithoutCSPMWarns(t *testing.T) {
	env, err := emulator.Start(context.Background(), emulator.Options{Seed: "demo"})
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	for _, format := range []string{"text", "json"} {
		f, out, errOut := tencentTestFactory(emulatorVars(env, t.TempDir()))
		args := []string{"tencent", "--no-input", "--mode", "manual", "--features", "host,audit", "--audit-region", "ap-guangzhou",
			"--sub-user", "audit-" + format, "--account", format, "--skip-sync", "--output", format}
		if code := run(context.Background(), f, args); code != ExitOK {
			t.Fatalf("exit %d\n%s", code, errOut.String())
		}
		if format == "text" && !strings.Contains(errOut.String(), "warning: audit logs are chosen without cspm") {
			t.Errorf("stderr lacks the warning:\n%s", errOut.String())
		}
		if format == "json" {
			var res struct{ Warnings []string }
			if err := json.Unmarshal([]byte(out.String()), &res); err != nil || len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "without cspm") {
				t.Errorf("warnings %v (%v)", res.Warnings, err)
			}
		}
	}
}

// TestAccountsShowTheSecurityCenterSideAndTheReminder: after an onboarding, `accounts show` says in
// text and JSON what Security Center was given, and never to delete or disable the sub-user or its key.
func TestAccountsShowTheSecurityCenterSideAndTheReminder(t *testing.T) {
	env, err := emulator.Start(context.Background(), emulator.Options{Seed: "demo"})
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	vars := emulatorVars(env, t.TempDir())
	f, _, errOut := tencentTestFactory(vars)
	if code := run(context.Background(), f, []string{"tencent", "--no-input", "--mode", "manual", "--features", "host,cspm,audit", "--cspm-policy", "custom",
		"--audit-region", "ap-guangzhou", "--sub-user", "sas-reader", "--account", "prod", "--site", "outside", "--regions", "ap-guangzhou",
		"--host-sync", "6h", "--cloud-sync", "12h", "--skip-sync"}); code != ExitOK {
		t.Fatalf("exit %d\n%s", code, errOut.String())
	}
	f, out, _ := tencentTestFactory(vars)
	if code := run(context.Background(), f, []string{"accounts", "show", "prod"}); code != ExitOK {
		t.Fatalf("show: exit %d", code)
	}
	for _, want := range []string{"Security Center:", "outside site", "status normal", "Host, CSPM", "ap-guangzhou", "host sync 6h, cloud-service sync 12h, AK status check 24h",
		"Audit logs:", "Kafka topic", "Never delete or disable sub-user sas-reader", "Keep cspmPolicy up to date", "cspmPolicy, ciemPolicy"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("accounts show lacks %q:\n%s", want, out.String())
		}
	}
	f, out, _ = tencentTestFactory(vars)
	if code := run(context.Background(), f, []string{"accounts", "show", "prod", "--output", "json"}); code != ExitOK {
		t.Fatalf("show json: exit %d", code)
	}
	var v struct {
		Reminders      []string
		SecurityCenter *struct {
			Auth     string   `json:"auth_id"`
			State    string   `json:"status"`
			Modules  []string `json:"modules"`
			Regions  []string `json:"regions"`
			Cloud    string   `json:"cloud_sync"`
			AuditLog *struct {
				KafkaTopic string `json:"kafka_topic"`
			} `json:"audit_log"`
		} `json:"security_center"`
	}
	if err := json.Unmarshal([]byte(out.String()), &v); err != nil {
		t.Fatal(err)
	}
	sc := v.SecurityCenter
	if sc == nil || sc.Auth == "" || sc.State != "normal" || len(sc.Modules) != 3 || !slices.Equal(sc.Regions, []string{"ap-guangzhou"}) || sc.Cloud != "12h" ||
		sc.AuditLog == nil || sc.AuditLog.KafkaTopic == "" || len(v.Reminders) != 2 {
		t.Errorf("accounts show json: %s", out.String())
	}
}

// TestSkipPrintsEveryConsoleValueInText: with --security-center skip, the text output lists every value
// the console asks for, the audit-log fields included.
func TestSkipPrintsEveryConsoleValueInText(t *testing.T) {
	env, err := emulator.Start(context.Background(), emulator.Options{Seed: "demo"})
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	f, out, errOut := tencentTestFactory(emulatorVars(env, t.TempDir()))
	if code := run(context.Background(), f, []string{"tencent", "--no-input", "--mode", "manual", "--features", "host,cspm,audit", "--audit-region", "ap-guangzhou",
		"--kafka-network", "private", "--sub-user", "sas-reader", "--security-center", "skip", "--skip-sync"}); code != ExitOK {
		t.Fatalf("exit %d\n%s", code, errOut.String())
	}
	text := out.String()
	for _, want := range []string{"Security Center was skipped", "SecretId: ", "reveal-key", "Modules: Host, CSPM, AuditLogs", "Account name: sas-reader",
		"Region management: ", "Host asset sync: every 24h", "Cloud service sync: every 24h", "AK service status check: every 24h",
		"Kafka topic: ", "Kafka bootstrap address (private network): ", "CLS logset ID (the Kafka user name): ", "CLS region: ap-guangzhou"} {
		if !strings.Contains(text, want) {
			t.Errorf("text output lacks %q:\n%s", want, text)
		}
	}
}

// TestSyncAlsoAsksSecurityCenter: `onboard sync` of a submitted account asks Security Center to
// synchronise its hosts and cloud products and reports that on its own; --local-only and
// --security-center-only choose one of the two, and a failed request is partly done (exit 3).
func TestSyncAlsoAsksSecurityCenter(t *testing.T) {
	env, err := emulator.Start(context.Background(), emulator.Options{Seed: "demo"})
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	vars := emulatorVars(env, t.TempDir())
	f, _, errOut := tencentTestFactory(vars)
	if code := run(context.Background(), f, []string{"tencent", "--no-input", "--mode", "manual", "--features", "host,cspm", "--sub-user", "sas-reader",
		"--account", "prod", "--regions", "ap-guangzhou", "--skip-sync"}); code != ExitOK {
		t.Fatalf("exit %d\n%s", code, errOut.String())
	}
	refreshes := func(since int) (n int) {
		for _, c := range env.SecurityCenter.Calls()[since:] {
			if c.Action == "RefreshAssets" && c.Code == "" {
				n++
			}
		}
		return n
	}
	tests := []struct {
		name                string
		flags               []string
		wantSC, wantListing bool
	}{
		{"both", nil, true, true},
		{"local only", []string{"--local-only"}, false, true},
		{"security center only", []string{"--security-center-only"}, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := len(env.SecurityCenter.Calls())
			f, out, errOut := tencentTestFactory(vars)
			if code := run(context.Background(), f, append([]string{"sync", "--account", "prod", "--output", "json"}, tt.flags...)); code != ExitOK {
				t.Fatalf("exit %d\n%s", code, errOut.String())
			}
			var reports []struct {
				Counts         map[string]int
				Outcomes       []struct{ Kind string }
				SecurityCenter *struct{ Requested []string } `json:"security_center"`
			}
			if err := json.Unmarshal([]byte(out.String()), &reports); err != nil || len(reports) != 1 {
				t.Fatalf("%v: %s", err, out.String())
			}
			r := reports[0]
			if tt.wantSC != (r.SecurityCenter != nil && slices.Equal(r.SecurityCenter.Requested, []string{"ecs", "cloud_product"})) || tt.wantSC != (refreshes(sc) == 2) {
				t.Errorf("security center: %+v, %d RefreshAssets", r.SecurityCenter, refreshes(sc))
			}
			if tt.wantListing != (len(r.Outcomes) > 0) || tt.wantListing != (r.Counts["cvm.instance"] > 0) {
				t.Errorf("local inventory: counts %v, outcomes %v", r.Counts, r.Outcomes)
			}
		})
	}
	t.Run("a failed request is partly done", func(t *testing.T) {
		env.SecurityCenter.FailNext("RefreshAssets", "InvalidParameter", 1)
		f, out, _ := tencentTestFactory(vars)
		if code := run(context.Background(), f, []string{"sync", "--account", "prod"}); code != ExitPartial || !strings.Contains(out.String(), "Security Center sync of \"prod\" FAILED: ecs") ||
			!strings.Contains(out.String(), "requested for cloud_product") {
			t.Errorf("exit %d:\n%s", code, out.String())
		}
	})
	t.Run("--local-only and --security-center-only together", func(t *testing.T) {
		f, _, _ := tencentTestFactory(vars)
		if code := run(context.Background(), f, []string{"sync", "--account", "prod", "--local-only", "--security-center-only"}); code != ExitUsage {
			t.Errorf("exit %d", code)
		}
	})
}

func TestPolicyDiffShowsTheCoverageOfCSPMPolicyAgainstThePreset(t *testing.T) {
	live := filepath.Join(t.TempDir(), "live.json")
	if err := os.WriteFile(live, []byte(`{"version":"2.0","statement":[{"effect":"allow","action":["cvm:DescribeInstances"],"resource":["*"]}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	f, _ := testFactory()
	ios, _, out, _ := TestIOStreams()
	f.IO = ios
	run(context.Background(), f, []string{"policy", "diff", "cspmPolicy", "--file", live, "-o", "json"})
	var got struct {
		Coverage *struct {
			Presets, Covered []string
			PresetOnly       []string `json:"preset_only"`
		}
	}
	if err := json.Unmarshal(out.Bytes(), &got); err != nil || got.Coverage == nil {
		t.Fatalf("%v: %s", err, out.String())
	}
	c := got.Coverage
	if !slices.Equal(c.Presets, []string{"CloudResourceReadOnlyAccess", "QcloudCamReadOnlyAccess"}) || !slices.Contains(c.Covered, "cvm") || !slices.Contains(c.PresetOnly, "monitor") {
		t.Errorf("coverage %+v", c)
	}
	f, _ = testFactory()
	ios, _, _, errOut := TestIOStreams()
	f.IO = ios
	run(context.Background(), f, []string{"policy", "diff", "cspmPolicy", "--file", live})
	if !strings.Contains(errOut.String(), "coverage of cspmPolicy against the preset grants") {
		t.Errorf("text diff lacks the coverage:\n%s", errOut.String())
	}
}
