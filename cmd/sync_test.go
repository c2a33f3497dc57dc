package cmd

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"onboard/emulator"
	"onboard/emulator/tcloud"
)

func TestSyncWithTheStoredKeyThenAssetsListIt(t *testing.T) {
	env, err := emulator.Start(context.Background(), emulator.Options{Seed: "demo"})
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	vars := emulatorVars(env, t.TempDir())
	f, _, errOut := tencentTestFactory(vars)
	if code := run(context.Background(), f, []string{"sync"}); code != ExitUsage || !strings.Contains(errOut.String(), "onboard tencent") {
		t.Fatalf("sync before onboarding: exit %d %q", code, errOut.String())
	}
	f, _, errOut = tencentTestFactory(vars)
	if code := run(context.Background(), f, []string{"tencent", "--no-input", "--mode", "manual", "--features", "host,cspm", "--cspm-policy", "preset", "--sub-user", "sas-reader", "--account", "prod"}); code != ExitOK {
		t.Fatalf("onboard: exit %d %s", code, errOut.String())
	}
	f, out, errOut := tencentTestFactory(vars)
	if code := run(context.Background(), f, []string{"sync", "--account", "prod", "--output", "json"}); code != ExitOK {
		t.Fatalf("sync: exit %d %s", code, errOut.String())
	}
	var reports []syncReport
	if err := json.Unmarshal([]byte(out.String()), &reports); err != nil || len(reports) != 1 {
		t.Fatalf("sync output %q: %v", out.String(), err)
	}
	// The account's regions came from Security Center, which offers regions this account does not use.
	if len(reports[0].Skipped) == 0 {
		t.Errorf("no region skipped: %+v", reports[0])
	}
	if c := reports[0].Counts; c["cvm.instance"] != 30 || c["vpc.vpc"] != 5 || c["lighthouse.instance"] != 6 {
		t.Errorf("counts %v", c)
	}
	if strings.Contains(out.String()+errOut.String(), env.TencentSecretKey) {
		t.Error("the root secret appears in the sync output")
	}

	// A region the account does not have is usage, naming the flag.
	f, _, errOut = tencentTestFactory(vars)
	if code := run(context.Background(), f, []string{"sync", "--account", "prod", "--regions", "ap-shangai"}); code != ExitUsage ||
		!strings.Contains(errOut.String(), `--regions: unknown region "ap-shangai"`) {
		t.Errorf("sync --regions ap-shangai: exit %d %s", code, errOut.String())
	}

	f, out, _ = tencentTestFactory(vars)
	if code := run(context.Background(), f, []string{"assets", "list", "--kind", "cvm.instance", "--region", "ap-beijing", "--output", "json"}); code != ExitOK {
		t.Fatalf("assets list: exit %d", code)
	}
	var assets []assetView
	if err := json.Unmarshal([]byte(out.String()), &assets); err != nil || len(assets) != 5 || assets[0].Account != "prod" || len(assets[0].Attributes) == 0 {
		t.Fatalf("assets %q: %v", out.String(), err)
	}
	f, _, errOut = tencentTestFactory(vars)
	if code := run(context.Background(), f, []string{"assets", "list", "--region", "ap-nowhere"}); code != ExitUsage || !strings.Contains(errOut.String(), "ap-beijing") {
		t.Fatalf("assets list --region of no asset: exit %d %q; want 2 listing the regions held", code, errOut.String())
	}
	f, out, _ = tencentTestFactory(vars)
	if code := run(context.Background(), f, []string{"assets", "list", "-o", "csv", "--kind", "vpc.vpc"}); code != ExitOK || strings.Count(out.String(), "\n") != 6 || !strings.HasPrefix(out.String(), "account,kind,region,id,name") {
		t.Fatalf("csv: exit %d %q", code, out.String())
	}

	// A region failing for good: the rest is kept, exit 3 names what failed.
	env.Tencent.AddFaults([]tcloud.FaultRule{{Region: "ap-beijing", Action: "cvm:DescribeInstances", Fault: "InternalError", Probability: 1}})
	f, out, errOut = tencentTestFactory(vars)
	if code := run(context.Background(), f, []string{"sync", "--kinds", "cvm.instance"}); code != ExitPartial || !strings.Contains(out.String()+errOut.String(), "cvm.instance in ap-beijing") {
		t.Fatalf("partial sync: exit %d\n%s\n%s", code, out.String(), errOut.String())
	}
}

func TestSyncAndAssetsRefuseBadInputNamingTheFlag(t *testing.T) {
	vars := map[string]string{"ONBOARD_HOME": t.TempDir()}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"sync", "--kinds", "cvm.instances"}, `invalid --kinds: unknown kind "cvm.instances"`},
		{[]string{"sync", "--concurrency", "0"}, "invalid --concurrency 0"},
		{[]string{"sync", "--rates", "cvm:DescribeInstances=fast"}, `invalid --rates "cvm:DescribeInstances=fast"`},
		{[]string{"sync", "--rates", "cvm:RunInstances=5"}, `"cvm:RunInstances" is not a listing action`},
		{[]string{"sync", "--account", "a", "--all"}, "--account and --all cannot be used together"},
		{[]string{"sync", "--account", "nope"}, `--account "nope"`},
		{[]string{"assets", "list", "--output", "xml"}, `invalid --output "xml": valid values are text, json, csv`},
		{[]string{"assets", "list", "--kind", "vm"}, `invalid --kind "vm"`},
		{[]string{"assets", "list", "--region", "guangzhou"}, `invalid --region "guangzhou"`},
	} {
		f, _, errOut := tencentTestFactory(vars)
		if code := run(context.Background(), f, tt.args); code != ExitUsage || !strings.Contains(errOut.String(), tt.want) {
			t.Errorf("%v: exit %d %q, want 2 with %q", tt.args, code, errOut.String(), tt.want)
		}
	}
}

// On a terminal, sync's live view is package wizard's: the account's kinds with their counts, and the
// last frame stays above the report.
func TestSyncOnATerminalShowsTheWizardsLiveView(t *testing.T) {
	_, vars := onboardForSync(t)
	f, out, errOut := tencentTestFactory(vars)
	f.IO.SetTTY(false, false, true)
	if code := run(context.Background(), f, []string{"sync", "--account", "prod", "--kinds", "cvm.instance"}); code != ExitOK {
		t.Fatalf("sync: exit %d\n%s\n%s", code, out.String(), errOut.String())
	}
	// The renderer redraws only the cells that change, so the stream holds the words, not whole lines.
	screen := ansi.Strip(errOut.String())
	for _, want := range []string{"Syncing prod", "cvm.instance", "30/30", "✓"} {
		if !strings.Contains(screen, want) {
			t.Errorf("no %q in the live view:\n%s", want, screen)
		}
	}
	if strings.Contains(out.String(), "\x1b[") || !strings.Contains(out.String(), `Synced "prod"`) {
		t.Errorf("report on standard output:\n%q", out.String())
	}
}

// cmd draws nothing on a terminal itself: the live views belong to package wizard (design.md).
func TestCmdWritesNoTerminalEscapes(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("glob: %v", err)
	}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src := readFileT(t, name)
		for _, esc := range []string{`\x1b[`, `\033[`, `\u001b[`, `\x9b`} {
			if strings.Contains(src, esc) {
				t.Errorf("%s writes the escape %s: live views belong in package wizard", name, esc)
			}
		}
	}
}
