package cmd

import (
	"context"
	"testing"

	"onboard/emulator"
)

// onboardedProd starts both emulators with the demo seed and onboards account "prod" (sub-user sas-reader,
// site outside, region ap-guangzhou) through the command, with the features and flags given in args. It
// returns the emulators and the environment that later commands of the test run with.
func onboardedProd(t *testing.T, args ...string) (*emulator.Env, map[string]string) {
	t.Helper()
	env, err := emulator.Start(context.Background(), emulator.Options{Seed: "demo"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { env.Close() })
	vars := emulatorVars(env, t.TempDir())
	f, _, errOut := tencentTestFactory(vars)
	onboard := append([]string{"tencent", "--no-input", "--mode", "manual", "--sub-user", "sas-reader",
		"--account", "prod", "--site", "outside", "--regions", "ap-guangzhou"}, args...)
	if code := run(context.Background(), f, onboard); code != ExitOK {
		t.Fatalf("onboard: exit %d %s", code, errOut.String())
	}
	return env, vars
}
