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
		{[]string{"tencent", "--no-input", "--mode", "quick"}, "credentials", ExitCredentials},
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
