package onboarding

import (
	"context"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"time"

	"onboard/emulator"
	"onboard/securitycenter"
	"strings"
	"testing"

	"onboard/policy"
	"onboard/tencent"
)

// TestFixForErrorsTheEngineReallyReturns produces each error by running the real engine against the
// emulators, and checks that FixFor finds its fix, and that the fix names no flag.
func TestFixForErrorsTheEngineReallyReturns(t *testing.T) {
	ctx := context.Background()
	host := func() Request {
		return Request{Mode: ModeManual, Features: []string{"host"}, SubUser: "sas-reader", Site: "outside", Regions: []string{"ap-guangzhou"}, SkipSync: true}
	}
	tests := []struct {
		name  string
		err   func(t *testing.T, f *fixture) error
		field string
		says  string
	}{
		{"sub-user not ours", func(t *testing.T, f *fixture) error {
			if _, err := f.admin.CreateUser(ctx, tencent.UserSpec{Name: "sas-reader"}); err != nil {
				t.Fatal(err)
			}
			_, err := f.engine.Apply(ctx, host(), nil)
			return err
		}, "adopt-user", "take over the existing user"},
		{"policy not ours", func(t *testing.T, f *fixture) error {
			doc := `{"version":"2.0","statement":[{"effect":"allow","action":["cvm:DescribeInstances"],"resource":["*"]}]}`
			if _, err := f.admin.CreatePolicy(ctx, tencent.PolicySpec{Name: policy.CSPMPolicy, Document: doc}); err != nil {
				t.Fatal(err)
			}
			req := host()
			req.Features, req.CSPMPolicy = []string{"cspm"}, policy.CSPMCustom
			_, err := f.engine.Apply(ctx, req, nil)
			return err
		}, "adopt-policy", "take over the policy"},
		{"key slots full", func(t *testing.T, f *fixture) error {
			u, err := f.admin.CreateUser(ctx, tencent.UserSpec{Name: "sas-reader"})
			if err != nil {
				t.Fatal(err)
			}
			for range 2 {
				if _, err := f.admin.CreateAccessKey(ctx, u.UIN, "someone-else"); err != nil {
					t.Fatal(err)
				}
			}
			req := host()
			req.AdoptUser = true
			_, err = f.engine.Apply(ctx, req, nil)
			return err
		}, "", "free a key slot"},
		{"credentials rejected", func(t *testing.T, f *fixture) error {
			bad, err := tencent.New(tencent.Options{Credential: tencent.Credential{SecretID: f.env.TencentSecretID, SecretKey: "wrong"}, Endpoint: f.env.TencentEndpoint})
			if err != nil {
				t.Fatal(err)
			}
			f.engine.Cloud = bad
			_, err = f.engine.Apply(ctx, host(), nil)
			return err
		}, FixTencentKey, "rejected the key"},
		{"region unknown to Security Center", func(t *testing.T, f *fixture) error {
			req := host()
			req.Regions = []string{"xx-nowhere-1"}
			_, err := f.engine.Apply(ctx, req, nil)
			return err
		}, "regions", "regions Security Center offers"},
		{"logset not found", func(t *testing.T, f *fixture) error {
			req := host()
			req.Features, req.AuditRegion, req.AuditLogset = []string{"audit"}, "ap-guangzhou", "0f8e3c1a-1d4b-4c8e-9a77-5b2f1c3d4e5f"
			_, err := f.engine.Apply(ctx, req, nil)
			return err
		}, "audit-logset", "logset ID"},
		{"topic not found", func(t *testing.T, f *fixture) error {
			ls := f.emu.SeedLogset("ap-guangzhou", "theirs")
			req := host()
			req.Features, req.AuditRegion, req.AuditLogset, req.AuditTopic = []string{"audit"}, "ap-guangzhou", ls, "0f8e3c1a-1d4b-4c8e-9a77-5b2f1c3d4e5f"
			_, err := f.engine.Apply(ctx, req, nil)
			return err
		}, "audit-topic", "topic ID"},
		{"no Security Center client", func(t *testing.T, f *fixture) error {
			f.engine.SecurityCenter = nil
			_, err := f.engine.Apply(ctx, host(), nil)
			return err
		}, "security-center", "Alibaba Cloud credentials"},
		{"root key not confirmed", func(t *testing.T, f *fixture) error {
			f.engine.OperatorKeyID = f.env.TencentSecretID
			req := host()
			req.RootKey = RootKeyDisable
			_, err := f.engine.Apply(ctx, req, nil)
			return err
		}, "confirm-root-key", "last four characters"},
		{"root key unknown", func(t *testing.T, f *fixture) error {
			req := host()
			req.RootKey = RootKeyDisable
			_, err := f.engine.Apply(ctx, req, nil)
			return err
		}, "root-key", "keep the root key"},
		{"policy file too broad", func(t *testing.T, f *fixture) error {
			doc := filepath.Join(t.TempDir(), "cspm.json")
			if err := os.WriteFile(doc, []byte(`{"version":"2.0","statement":[{"effect":"allow","action":["*"],"resource":["*"]}]}`), 0o600); err != nil {
				t.Fatal(err)
			}
			req := host()
			req.Features, req.CSPMPolicy, req.PolicyFiles = []string{"cspm"}, policy.CSPMCustom, map[string]string{policy.CSPMPolicy: doc}
			_, err := f.engine.Apply(ctx, req, nil)
			return err
		}, "allow-broad-policy", "narrow the policy file"},
		{"Security Center connects the account with another key type", func(t *testing.T, f *fixture) error {
			_, err := f.sc.AddAccount(ctx, securitycenter.AccountSpec{Vendor: securitycenter.VendorTencent, KeyType: securitycenter.KeyPrimary,
				SecretID: f.env.TencentSecretID, SecretKey: securitycenter.Secret(f.env.TencentSecretKey), DisplayName: "sas-reader",
				Modules: []securitycenter.Module{securitycenter.ModuleHost}})
			if err != nil {
				t.Fatal(err)
			}
			_, err = f.engine.Apply(ctx, host(), nil)
			return err
		}, "", "delete that account in Security Center's console"},
		{"audit region CLS does not serve", func(t *testing.T, f *fixture) error {
			req := host()
			req.Features, req.AuditRegion = []string{"audit"}, "xx-nowhere-1"
			_, err := f.engine.Apply(ctx, req, nil)
			return err
		}, "audit-region", "region where CLS is offered"},
		{"operator lacks permissions", func(t *testing.T, f *fixture) error {
			f.engine.Cloud = f.readOnlyOperator(t)
			_, err := f.engine.Apply(ctx, host(), nil)
			return err
		}, "skip-permission-check", "grant the operator"},
		{"a call denied", func(t *testing.T, f *fixture) error {
			f.engine.Cloud = f.readOnlyOperator(t)
			req := host()
			req.SkipPermissionCheck = true
			_, err := f.engine.Apply(ctx, req, nil)
			return err
		}, "", "lacks the permission named"},
		{"CAM slower than the wait", func(t *testing.T, _ *fixture) error {
			f := newFixtureWith(t, emulator.Options{Propagation: time.Minute})
			f.engine.PropagationWait = 300 * time.Millisecond
			_, err := f.engine.Apply(ctx, host(), nil)
			return err
		}, "", "run the same command again"},
		{"Alibaba Cloud key rejected", func(t *testing.T, f *fixture) error {
			cred, err := securitycenter.StaticCredentials(f.env.AlibabaAccessKeyID, "wrong", "", "test")
			if err != nil {
				t.Fatal(err)
			}
			if f.engine.SecurityCenter, err = securitycenter.New(securitycenter.Options{Credentials: cred, Endpoint: f.env.SecurityCenterEndpoint,
				Retry: securitycenter.Retry{Attempts: 1}}); err != nil {
				t.Fatal(err)
			}
			_, err = f.engine.Apply(ctx, host(), nil)
			return err
		}, FixAlibabaKey, "rejected the key"},
		{"Alibaba Cloud key lacks a RAM permission", func(t *testing.T, _ *fixture) error {
			f := newFixtureWith(t, emulator.Options{SecurityCenterDenied: []string{"ListCloudVendorRegions"}})
			_, err := f.engine.Apply(ctx, host(), nil)
			return err
		}, FixAlibabaKey, "RAM permission"},
		{"keyring unavailable", func(t *testing.T, f *fixture) error {
			f.engine.Secrets = missingKeyring()
			_, err := f.engine.Apply(ctx, host(), nil)
			return err
		}, FixSecretStore, "unlock the OS keyring"},
		{"no Tencent Cloud key anywhere", func(t *testing.T, _ *fixture) error {
			_, _, err := tencent.ResolveCredentials(tencent.CredentialSources{Getenv: func(string) string { return "" }, Home: t.TempDir()})
			return err
		}, FixTencentKey, "give a Tencent Cloud key"},
		{"no such Tencent Cloud profile", func(t *testing.T, _ *fixture) error {
			_, _, err := tencent.ResolveCredentials(tencent.CredentialSources{Profile: "nope", Getenv: func(string) string { return "" }, Home: t.TempDir()})
			return err
		}, FixTencentKey, "name a profile that exists"},
		{"no Alibaba Cloud key anywhere", func(t *testing.T, _ *fixture) error {
			_, err := securitycenter.ResolveCredentials(securitycenter.CredentialSources{Getenv: func(string) string { return "" }, Home: t.TempDir()})
			return err
		}, "security-center", "give Alibaba Cloud credentials"},
		{"key not in the secret store", func(t *testing.T, f *fixture) error {
			res, err := f.engine.Apply(ctx, host(), nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := f.secrets.Delete(ctx, "tencent/"+res.OwnerUIN+"/sas-reader"); err != nil {
				t.Fatal(err)
			}
			_, err = f.engine.FirstSync(ctx, res.Account, host(), nil)
			return err
		}, FixSecretStore, "not in the secret store"},
	}
	found := map[Fix]bool{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			err := tt.err(t, f)
			if err == nil {
				t.Fatal("no error")
			}
			fix, ok := FixFor(err)
			if !ok || fix.Field != tt.field || !containsFold(fix.Say, tt.says) {
				t.Errorf("%v\nfix %+v (%v); want field %q saying %q", err, fix, ok, tt.field, tt.says)
			}
			found[fix] = true
		})
	}
	// Every entry of the table is found for a real error: here, or (the stale plan, a damaged database)
	// by the tests named.
	elsewhere := map[string]string{
		"make the plan again":    "TestAStalePlanIsRefusedNamingWhatChanged",
		"keep a copy of onboard": "cmd's TestDamagedDatabaseNamesTheNextStep (SQLite's own error, which the printer wraps)",
	}
	for _, r := range fixes {
		if found[r.fix] {
			continue
		}
		if slices.ContainsFunc(slices.Collect(maps.Keys(elsewhere)), func(k string) bool { return strings.HasPrefix(r.fix.Say, k) }) {
			continue
		}
		t.Errorf("no real error tested yields the fix %+v", r.fix)
	}
}

// readOnlyOperator is a client signed by an operator sub-user that may only read CAM.
func (f *fixture) readOnlyOperator(t *testing.T) *tencent.Client {
	t.Helper()
	ctx := context.Background()
	op, err := f.admin.CreateUser(ctx, tencent.UserSpec{Name: "operator"})
	if err != nil {
		t.Fatal(err)
	}
	ro, err := f.admin.FindPolicy(ctx, tencent.ScopePreset, policy.PresetCamReadOnly)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.admin.AttachUserPolicy(ctx, ro.ID, op.UIN); err != nil {
		t.Fatal(err)
	}
	k, err := f.admin.CreateAccessKey(ctx, op.UIN, "operator")
	if err != nil {
		t.Fatal(err)
	}
	c, err := tencent.New(tencent.Options{Credential: tencent.Credential{SecretID: k.ID, SecretKey: k.Secret}, Endpoint: f.env.TencentEndpoint,
		Retry: tencent.Retry{Attempts: 1}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestNoFixNamesAFlag keeps the engine's fixes in its own words: each face words the field.
func TestNoFixNamesAFlag(t *testing.T) {
	for _, r := range fixes {
		if containsFold(r.fix.Say, "--") {
			t.Errorf("fix %q names a flag", r.fix.Say)
		}
	}
}

func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}
