package securitycenter

import (
	"context"
	"testing"
	"time"

	"onboard/emulator"
	"onboard/emulator/sas"
)

// The emulators that `onboard emulator` and --sandbox start serve Security Center next to Tencent Cloud:
// the printed Alibaba Cloud key works, a Tencent root key connects for hosts by quick configuration, and
// "Synchronize assets" lists the demo account's hosts with it.
func TestTheSandboxServesSecurityCenterInFrontOfTencentCloud(t *testing.T) {
	ctx := context.Background()
	env, err := emulator.Start(ctx, emulator.Options{Seed: "demo"})
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	if env.SecurityCenterEndpoint == "" || env.AlibabaAccessKeyID == "" || env.AlibabaAccessKeySecret == "" {
		t.Fatalf("env: %+v", env)
	}
	cred, err := StaticCredentials(env.AlibabaAccessKeyID, Secret(env.AlibabaAccessKeySecret), "", "emulator")
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(Options{Credentials: cred, Endpoint: env.SecurityCenterEndpoint, PollInterval: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	a, err := c.AddAccount(ctx, AccountSpec{KeyType: KeyPrimary, SecretID: env.TencentSecretID, SecretKey: Secret(env.TencentSecretKey),
		Modules: []Module{ModuleHost}, DisplayName: "demo"})
	if err != nil {
		t.Fatal(err)
	}
	if a, err = c.WaitForValidation(ctx, a.AuthID); err != nil || a.Status != StatusNormal || a.VendorUID != env.OwnerUIN {
		t.Fatalf("%+v %v", a, err)
	}
	if err := c.RefreshAssets(ctx, VendorTencent, AssetsHosts); err != nil {
		t.Fatal(err)
	}
	syncs := env.SecurityCenter.State().Accounts[0].Sites[sas.SiteOutside].Syncs
	if len(syncs) != 1 || syncs[0].Total != 30 || syncs[0].Regions["ap-guangzhou"] != 12 {
		t.Fatalf("refresh of the demo account: %+v", syncs)
	}
}
