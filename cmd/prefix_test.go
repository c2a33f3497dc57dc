package cmd

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"onboard/emulator"
	"onboard/emulator/tcloud"
)

// repeatedPrefix finds an error whose context says the same operation twice in a row, such as
// "identify the caller: identify caller: …" or "open database X: open X: …".
var repeatedPrefix = regexp.MustCompile(`(?i)\b(identify|open|read|write)\b[^:\n]*: (identify|open|read|write)\b`)

func TestNoErrorRepeatsItsOwnPrefix(t *testing.T) {
	env, err := emulator.Start(context.Background(), emulator.Options{Seed: "demo"})
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	env.Tencent.AddFaults([]tcloud.FaultRule{{Action: "sts:GetCallerIdentity", Fault: "InternalError", Probability: 1}})
	f, _, errOut := tencentTestFactory(emulatorVars(env, t.TempDir()))
	if code := run(context.Background(), f, []string{"tencent", "--no-input", "--mode", "quick", "--skip-sync"}); code == ExitOK {
		t.Fatal("identify failed, yet the run succeeded")
	}
	if m := repeatedPrefix.FindString(errOut.String()); m != "" || !strings.Contains(errOut.String(), "identify") {
		t.Errorf("the error repeats its prefix (%q):\n%s", m, errOut.String())
	}

	// A database that cannot be opened (a folder in its place, which fails even for root).
	home := t.TempDir()
	if err := os.Mkdir(filepath.Join(home, "onboard.db"), 0o700); err != nil {
		t.Fatal(err)
	}
	f, _, errOut = tencentTestFactory(map[string]string{"ONBOARD_HOME": home})
	if code := run(context.Background(), f, []string{"accounts", "list"}); code == ExitOK {
		t.Fatal("a folder was opened as the database")
	}
	if m := repeatedPrefix.FindString(errOut.String()); m != "" {
		t.Errorf("the error repeats its prefix (%q):\n%s", m, errOut.String())
	}
}

func TestAnUnusableHomeNamesTheVariable(t *testing.T) {
	file := filepath.Join(t.TempDir(), "a-file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	f, _, errOut := tencentTestFactory(map[string]string{"ONBOARD_HOME": filepath.Join(file, "home")})
	if code := run(context.Background(), f, []string{"accounts", "list"}); code == ExitOK || !strings.Contains(errOut.String(), "ONBOARD_HOME") ||
		!strings.Contains(errOut.String(), "must name a folder") {
		t.Errorf("exit %d %q; want a failure naming ONBOARD_HOME and what it must be", code, errOut.String())
	}
	if m := repeatedPrefix.FindString(errOut.String()); m != "" {
		t.Errorf("the error repeats its prefix (%q):\n%s", m, errOut.String())
	}
}
