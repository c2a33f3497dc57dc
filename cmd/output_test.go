package cmd

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"
)

// TestOutputMeansTheSameEverywhere runs every command that reports without a cloud with each --output.
func TestOutputMeansTheSameEverywhere(t *testing.T) {
	vars := map[string]string{"ONBOARD_HOME": t.TempDir()}
	commands := []struct {
		args []string
		list bool
	}{
		{[]string{"version"}, false},
		{[]string{"accounts", "list"}, true},
		{[]string{"assets", "list"}, true},
		{[]string{"policy", "list"}, true},
	}
	for _, c := range commands {
		for _, format := range []string{"text", "table", "json", "csv"} {
			f, out, errOut := tencentTestFactory(vars)
			code := run(context.Background(), f, append(append([]string{}, c.args...), "--output", format))
			switch {
			case format == "csv" && !c.list:
				if code != ExitUsage || !strings.Contains(errOut.String(), "csv is for list commands") {
					t.Errorf("%v --output csv: exit %d %q; want 2 naming the list commands", c.args, code, errOut.String())
				}
				continue
			case code != ExitOK:
				t.Errorf("%v --output %s: exit %d %s", c.args, format, code, errOut.String())
				continue
			}
			switch format {
			case "json":
				if !json.Valid([]byte(out.String())) {
					t.Errorf("%v --output json: not JSON: %q", c.args, out.String())
				}
			case "csv":
				rows, err := csv.NewReader(strings.NewReader(out.String())).ReadAll()
				if err != nil || len(rows) == 0 || strings.ToLower(rows[0][0]) != rows[0][0] {
					t.Errorf("%v --output csv: %q %v; want a CSV with a header", c.args, out.String(), err)
				}
			default:
				if json.Valid([]byte(out.String())) && strings.TrimSpace(out.String()) != "" {
					t.Errorf("%v --output %s wrote JSON: %q", c.args, format, out.String())
				}
			}
		}
	}
}

func TestErrorsAreJSONWithOutputJSON(t *testing.T) {
	for _, tt := range []struct {
		args []string
		code string
		exit int
	}{
		{[]string{"sync", "--concurrency", "0"}, "usage", ExitUsage},
		{[]string{"accounts", "show", "nope"}, "usage", ExitUsage},
		// No key found at all is input to give, not a key rejected (exit 2).
		{[]string{"tencent", "--no-input", "--mode", "quick"}, "usage", ExitUsage},
	} {
		f, out, errOut := tencentTestFactory(map[string]string{"ONBOARD_HOME": t.TempDir()})
		code := run(context.Background(), f, append(tt.args, "--output", "json"))
		var e jsonError
		if err := json.Unmarshal([]byte(errOut.String()), &e); err != nil {
			t.Errorf("%v: stderr is not one JSON object: %q (%v)", tt.args, errOut.String(), err)
			continue
		}
		if code != tt.exit || e.Error.ExitCode != tt.exit || e.Error.Code != tt.code || e.Error.Message == "" || (tt.exit == ExitUsage && e.Error.Fix == "") || out.String() != "" {
			t.Errorf("%v: exit %d, error %+v, stdout %q", tt.args, code, e, out.String())
		}
	}
}

func TestAssetTablesFitTheTerminalAndPipesAreNeverCut(t *testing.T) {
	vars := map[string]string{"ONBOARD_HOME": t.TempDir()}
	f, _, errOut := tencentTestFactory(vars)
	if code := run(context.Background(), f, []string{"tencent", "--no-input", "--mode", "quick", "--sandbox", "--account", "demo"}); code != ExitOK {
		t.Fatalf("sandbox onboard: exit %d %s", code, errOut.String())
	}
	f, piped, _ := tencentTestFactory(vars)
	if code := run(context.Background(), f, []string{"assets", "list"}); code != ExitOK {
		t.Fatalf("assets list: exit %d", code)
	}
	widest := 0
	for _, line := range strings.Split(piped.String(), "\n") {
		widest = max(widest, len([]rune(line)))
	}
	if strings.Contains(piped.String(), "…") || widest <= 60 {
		t.Fatalf("piped output cut, or too narrow to test (%d columns):\n%s", widest, piped.String())
	}
	f, onTerminal, _ := tencentTestFactory(vars)
	f.IO.SetTTY(false, true, true)
	f.IO.SetTerminalWidth(80)
	if code := run(context.Background(), f, []string{"assets", "list"}); code != ExitOK {
		t.Fatalf("assets list on a terminal: exit %d", code)
	}
	for _, line := range strings.Split(strings.TrimSpace(onTerminal.String()), "\n") {
		if n := len([]rune(line)); n > 80 {
			t.Errorf("a line of %d columns on an 80-column terminal: %q", n, line)
		}
	}
	if !strings.Contains(onTerminal.String(), "…") {
		t.Errorf("nothing was cut with …:\n%s", onTerminal.String())
	}
	f, chosen, _ := tencentTestFactory(vars)
	if code := run(context.Background(), f, []string{"assets", "list", "--columns", "id,kind"}); code != ExitOK || !strings.HasPrefix(chosen.String(), "ID") || strings.Contains(chosen.String(), "ACCOUNT") {
		t.Errorf("--columns id,kind: exit %d\n%s", code, chosen.String())
	}
	f, _, errOut = tencentTestFactory(vars)
	if code := run(context.Background(), f, []string{"assets", "list", "--columns", "id,owner"}); code != ExitUsage || !strings.Contains(errOut.String(), `unknown column "owner"`) {
		t.Errorf("--columns id,owner: exit %d %q", code, errOut.String())
	}
}
