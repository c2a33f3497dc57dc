package onboarding

import (
	"context"
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
		})
	}
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
