package cmd

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"onboard/onboarding"
)

// TestRootKeyRetirementWithoutConfirmationIsUsage: with no terminal to ask on, --root-key delete without
// --confirm-root-key stops in the pre-flight with exit 2, naming the flag, before any change.
func TestRootKeyRetirementWithoutConfirmationIsUsage(t *testing.T) {
	f, _, errOut := tencentTestFactory(map[string]string{"ONBOARD_HOME": t.TempDir()})
	code := run(t.Context(), f, []string{"tencent", "--no-input", "--sandbox", "--mode", "quick", "--skip-sync", "--root-key", "delete"})
	if code != ExitUsage || !strings.Contains(errOut.String(), "--confirm-root-key") || strings.Contains(errOut.String(), "done    CAM sub-user") {
		t.Fatalf("exit %d\n%s", code, errOut.String())
	}
}

// TestRootKeyConfirmationIsAskedOnATerminal: on a terminal, --root-key disable without --confirm-root-key
// asks for the typed answer, and the run goes on with it.
func TestRootKeyConfirmationIsAskedOnATerminal(t *testing.T) {
	for _, tt := range []struct {
		typed string
		code  int
	}{{"tKey\n", ExitOK}, {"\n", ExitUsage}, {"abcd\n", ExitUsage}} {
		f, out, errOut := tencentTestFactory(map[string]string{"ONBOARD_HOME": t.TempDir()})
		f.IO.In = strings.NewReader(tt.typed)
		f.IO.SetTTY(true, true, true)
		code := run(context.Background(), f, []string{"tencent", "--sandbox", "--mode", "quick", "--skip-sync", "--root-key", "disable"})
		if code != tt.code || !strings.Contains(errOut.String(), "Type the last four characters of its SecretId") {
			t.Fatalf("typed %q: exit %d, want %d\n%s\n%s", tt.typed, code, tt.code, out.String(), errOut.String())
		}
		if tt.code == ExitOK && !strings.Contains(out.String(), "Root key: disabled") {
			t.Errorf("typed %q: summary\n%s", tt.typed, out.String())
		}
	}
}

// TestRootKeyDeleteRefusedSaysDisabledInTextAndJSON: the sandbox's Tencent Cloud, like the console,
// refuses to delete an active root key: the key is disabled, and the summary, the JSON and the next step
// all say so.
func TestRootKeyDeleteRefusedSaysDisabledInTextAndJSON(t *testing.T) {
	args := []string{"tencent", "--no-input", "--sandbox", "--mode", "quick", "--skip-sync", "--root-key", "delete", "--confirm-root-key", "tKey"}
	f, out, errOut := tencentTestFactory(map[string]string{"ONBOARD_HOME": t.TempDir()})
	if code := run(context.Background(), f, args); code != ExitOK {
		t.Fatalf("exit %d\n%s", code, errOut.String())
	}
	if !strings.Contains(out.String(), "Root key: disabled") || !strings.Contains(out.String(), "delete it in the CAM console") {
		t.Errorf("text summary:\n%s", out.String())
	}
	f, out, errOut = tencentTestFactory(map[string]string{"ONBOARD_HOME": t.TempDir()})
	f.Output = "json"
	if code := run(context.Background(), f, args); code != ExitOK {
		t.Fatalf("exit %d\n%s", code, errOut.String())
	}
	var res onboarding.Result
	if err := json.Unmarshal([]byte(out.String()), &res); err != nil || res.RootKey != onboarding.RootKeyDisabled {
		t.Errorf("JSON root_key %q (%v)", res.RootKey, err)
	}
}
