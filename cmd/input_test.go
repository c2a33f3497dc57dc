package cmd

import (
	"context"
	"slices"
	"strings"
	"testing"
)

func TestUnknownFlagsSuggestTheNearest(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"tencent", "--sandox"}, "--sandbox"},
		{[]string{"sync", "--acount", "x"}, "--account"},
		{[]string{"tencent", "--feature", "host"}, "--features"},
		{[]string{"assets", "list", "--outptu", "json"}, "--output"},
	} {
		f, _, errOut := tencentTestFactory(map[string]string{"ONBOARD_HOME": t.TempDir()})
		if code := run(context.Background(), f, tt.args); code != ExitUsage || !strings.Contains(errOut.String(), "Did you mean this?\n    "+tt.want) {
			t.Errorf("%v: exit %d %q; want 2 suggesting %s", tt.args, code, errOut.String(), tt.want)
		}
	}
	f, _, errOut := tencentTestFactory(map[string]string{"ONBOARD_HOME": t.TempDir()})
	if code := run(context.Background(), f, []string{"synk"}); code != ExitUsage || !strings.Contains(errOut.String(), "Did you mean this?\n    sync") {
		t.Errorf("a mistyped command: exit %d %q; want 2 suggesting sync", code, errOut.String())
	}
	f, _, errOut = tencentTestFactory(map[string]string{"ONBOARD_HOME": t.TempDir()})
	if code := run(context.Background(), f, []string{"tencent", "--zzzzzzzz"}); code != ExitUsage || strings.Contains(errOut.String(), "Did you mean") {
		t.Errorf("a flag like none: exit %d %q", code, errOut.String())
	}
}

// complete runs cobra's hidden __complete command, as the shell scripts do, and returns the candidates.
func complete(t *testing.T, vars map[string]string, args ...string) []string {
	t.Helper()
	f, out, errOut := tencentTestFactory(vars)
	if code := run(context.Background(), f, append([]string{"__complete"}, args...)); code != ExitOK {
		t.Fatalf("__complete %v: exit %d %s", args, code, errOut.String())
	}
	var got []string
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		if !strings.HasPrefix(line, ":") {
			got = append(got, strings.SplitN(line, "\t", 2)[0])
		}
	}
	return got
}

func TestFlagValuesAndAccountNamesComplete(t *testing.T) {
	home := t.TempDir()
	vars := map[string]string{"ONBOARD_HOME": home}
	for _, tt := range []struct {
		args []string
		want []string
	}{
		{[]string{"tencent", "--mode", ""}, []string{"manual", "quick"}},
		{[]string{"tencent", "--features", ""}, []string{"host", "cspm", "soc", "audit"}},
		{[]string{"tencent", "--features", "host,"}, []string{"host,cspm", "host,soc", "host,audit"}},
		{[]string{"tencent", "--site", ""}, []string{"mainland", "outside"}},
		{[]string{"tencent", "--regions", ""}, []string{"all"}},
		{[]string{"tencent", "--host-sync", ""}, []string{"1h", "24h", "7d", "off"}},
		{[]string{"tencent", "--kafka-network", ""}, []string{"public", "private"}},
		{[]string{"sync", "--kinds", ""}, []string{"cvm.instance", "vpc.vpc"}},
		{[]string{"assets", "list", "--kind", ""}, []string{"cvm.instance", "lighthouse.instance"}},
		{[]string{"accounts", "list", "--output", ""}, OutputFormats},
		{[]string{"soc", "logs", "--waf-region", ""}, []string{"ap-guangzhou", "ap-seoul"}},
	} {
		got := complete(t, vars, tt.args...)
		for _, w := range tt.want {
			if !slices.Contains(got, w) {
				t.Errorf("%v: candidates %v lack %q", tt.args, got, w)
			}
		}
	}
	if got := complete(t, vars, "tencent", "--features", "host,"); slices.Contains(got, "host,host") {
		t.Errorf("a feature already typed is offered again: %v", got)
	}
	// Account names and regions come from what the sandbox recorded.
	f, _, errOut := tencentTestFactory(vars)
	if code := run(context.Background(), f, []string{"tencent", "--no-input", "--mode", "quick", "--sandbox", "--account", "demo-prod"}); code != ExitOK {
		t.Fatalf("sandbox onboard: exit %d %s", code, errOut.String())
	}
	for _, args := range [][]string{{"accounts", "show", ""}, {"sync", "--account", ""}, {"assets", "list", "--account", ""}, {"accounts", "reveal-key", ""}} {
		if got := complete(t, vars, args...); !slices.Contains(got, "demo-prod") {
			t.Errorf("%v: candidates %v lack the account", args, got)
		}
	}
	if got := complete(t, vars, "assets", "list", "--region", ""); !slices.Contains(got, "ap-guangzhou") {
		t.Errorf("assets list --region: candidates %v lack a synced region", got)
	}
	if got := complete(t, vars, "sync", "--account", "demo-prod", "--regions", ""); !slices.Contains(got, "all") || len(got) < 2 {
		t.Errorf("sync --regions: candidates %v lack the account's regions", got)
	}
}

func TestWithoutATerminalTheWizardSaysSoAndListsTheFlags(t *testing.T) {
	f, out, errOut := tencentTestFactory(map[string]string{"ONBOARD_HOME": t.TempDir()})
	if code := run(context.Background(), f, []string{"tencent"}); code != ExitUsage || out.String() != "" {
		t.Fatalf("exit %d, stdout %q", code, out.String())
	}
	for _, want := range []string{"the wizard needs a terminal", "--no-input", "--mode quick", "--mode manual", "--features", "--sub-user", "--audit-region"} {
		if !strings.Contains(errOut.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut.String())
		}
	}
}

func TestNoInputNamesEveryMissingFlagAtOnce(t *testing.T) {
	f, _, errOut := tencentTestFactory(map[string]string{"ONBOARD_HOME": t.TempDir(), "TENCENTCLOUD_SECRET_ID": "AKIDx", "TENCENTCLOUD_SECRET_KEY": "y"})
	if code := run(context.Background(), f, []string{"tencent", "--no-input", "--mode", "manual", "--features", "audit"}); code != ExitUsage {
		t.Fatalf("exit %d %s", code, errOut.String())
	}
	for _, flag := range []string{"--sub-user", "--audit-region"} {
		if !strings.Contains(errOut.String(), flag) {
			t.Errorf("stderr does not name %s:\n%s", flag, errOut.String())
		}
	}
}
