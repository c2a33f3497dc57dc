package cmd

import (
	"context"
	"path/filepath"

	"onboard/emulator"
)

// sandboxStateFile is where the sandbox's emulators keep what the commands of a session changed, in the
// sandbox's home beside the local state that refers to it.
const sandboxStateFile = "sandbox-emulators.json"

// startBuiltinEmulators runs the emulators in this process for --sandbox.
func startBuiltinEmulators(ctx context.Context, opts sandboxOptions) (sandboxEndpoints, error) {
	env, err := emulator.Start(ctx, emulator.Options{Seed: opts.Seed, Latency: opts.Latency, Propagation: opts.Propagation,
		StateFile: filepath.Join(opts.Home, sandboxStateFile)})
	if err != nil {
		return sandboxEndpoints{}, err
	}
	return sandboxEndpoints{
		Tencent:    env.TencentEndpoint,
		TencentID:  env.TencentSecretID,
		TencentKey: env.TencentSecretKey,
		// Security Center's emulator checks the submitted keys against the Tencent Cloud one above.
		SecurityCenter: env.SecurityCenterEndpoint,
		AlibabaID:      env.AlibabaAccessKeyID,
		AlibabaKey:     env.AlibabaAccessKeySecret,
		Stop:           func() { env.Close() },
	}, nil
}
