package cmd

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"onboard/store"
)

func TestExitCodes(t *testing.T) {
	credentialErr := errors.New("credentials rejected")
	credentialErrors = append(credentialErrors, credentialErr)
	t.Cleanup(func() { credentialErrors = credentialErrors[:len(credentialErrors)-1] })

	tests := []struct {
		name string
		err  error
		want int
	}{
		{"success", nil, ExitOK},
		{"plain failure", errors.New("boom"), ExitFailed},
		{"usage", Usagef("invalid --mode %q", "x"), ExitUsage},
		{"partial", &PartialError{Err: errors.New("2 regions failed")}, ExitPartial},
		{"credentials", fmt.Errorf("identify caller: %w", credentialErr), ExitCredentials},
		{"cancelled", fmt.Errorf("create user: %w", context.Canceled), ExitCancelled},
		{"cancel wins over partial", &PartialError{Err: context.Canceled}, ExitCancelled},
		{"partial wins over a rejected key", &PartialError{Err: fmt.Errorf("staging: %w", credentialErr)}, ExitPartial},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := exitCode(tt.err); got != tt.want {
				t.Errorf("exitCode(%v) = %d, want %d", tt.err, got, tt.want)
			}
		})
	}
}

func TestVersion(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"version"}, "onboard dev\n"},
		{[]string{"version", "--output", "json"}, `"version": "dev"`},
	}
	for _, tt := range tests {
		ios, _, out, _ := TestIOStreams()
		f := &Factory{IO: ios, Getenv: func(string) string { return "" }, Output: "text", Logger: NewFactory().Logger}
		if code := run(context.Background(), f, tt.args); code != ExitOK {
			t.Fatalf("%v: exit %d", tt.args, code)
		}
		if !strings.Contains(out.String(), tt.want) {
			t.Errorf("%v: output %q does not contain %q", tt.args, out.String(), tt.want)
		}
	}
}

func TestUsageErrorsExitTwoAndNameTheInput(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"version", "--output", "yaml"}, "--output"},
		{[]string{"version", "--no-such-flag"}, "--no-such-flag"},
	}
	for _, tt := range tests {
		ios, _, out, errOut := TestIOStreams()
		f := &Factory{IO: ios, Getenv: func(string) string { return "" }, Output: "text", Logger: NewFactory().Logger}
		if code := run(context.Background(), f, tt.args); code != ExitUsage {
			t.Errorf("%v: exit %d, want %d", tt.args, code, ExitUsage)
		}
		if !strings.Contains(errOut.String(), tt.want) {
			t.Errorf("%v: stderr %q does not name %s", tt.args, errOut.String(), tt.want)
		}
		if out.Len() != 0 {
			t.Errorf("%v: stdout should be empty on a usage error, got %q", tt.args, out.String())
		}
	}
}

func TestHelpDocumentsExitCodes(t *testing.T) {
	ios, _, out, _ := TestIOStreams()
	f := &Factory{IO: ios, Getenv: func(string) string { return "" }, Output: "text", Logger: NewFactory().Logger}
	if code := run(context.Background(), f, []string{"--help"}); code != ExitOK {
		t.Fatalf("exit %d", code)
	}
	for _, code := range []string{"0 ", "1 ", "2 ", "3 ", "4 ", "130"} {
		if !strings.Contains(out.String(), "\n  "+code) {
			t.Errorf("--help does not document exit code %q:\n%s", code, out.String())
		}
	}
}

func TestEverySinkOfTheCommandLineMasksKnownSecrets(t *testing.T) {
	secret := "cmd-sink-secret-0123456789"
	store.RememberSecret(secret)
	failure := fmt.Errorf("add account: Post \"http://127.0.0.1:1/?SecretKey=%s\": EOF: %w", secret, errors.New("unavailable"))

	var stderr bytes.Buffer
	printError(&stderr, failure)
	var stdout bytes.Buffer
	if err := writeJSON(&stdout, map[string]string{"error": failure.Error()}); err != nil {
		t.Fatal(err)
	}
	logFile := filepath.Join(t.TempDir(), "debug.log")
	f := &Factory{DebugLog: logFile}
	closeLog, err := openDebugLog(f)
	if err != nil {
		t.Fatal(err)
	}
	f.Logger.Warn("call failed", "error", failure, "url", "http://x/?SecretKey="+secret)
	closeLog()
	for name, text := range map[string]string{"stderr": stderr.String(), "json": stdout.String(), "debug log": readFileT(t, logFile)} {
		if strings.Contains(text, secret) || !strings.Contains(text, "****") {
			t.Errorf("%s: %s", name, text)
		}
	}
}
