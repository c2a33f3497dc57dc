package cmd

import (
	"context"
	"encoding/json"
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
	if err := json.Unmarshal([]byte(out.String()), &listed); err != nil {
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
