package cmd

import (
	"strings"
	"testing"

	"onboard/onboarding"
)

// TestTencentFlagDefaultsAreTheEngineDefaults reads the defaults of onboard tencent's flags and
// onboarding.Defaults, the one place the wizard reads them too, and compares them.
func TestTencentFlagDefaultsAreTheEngineDefaults(t *testing.T) {
	f, _, _ := tencentTestFactory(map[string]string{})
	cmd := NewCmdTencent(f, nil)
	d := onboarding.Defaults()
	want := map[string]string{
		"mode": d.Mode, "features": strings.Join(d.Features, ","), "cspm-policy": string(d.CSPMPolicy), "site": d.Site,
		"security-center": d.SecurityCenter, "regions": strings.Join(d.Regions, ","), "host-sync": d.HostSync,
		"cloud-sync": d.CloudSync, "ak-check": d.AKCheck, "audit-logset": d.AuditLogset, "audit-topic": d.AuditTopic,
		"kafka-network": d.KafkaNetwork, "root-key": d.RootKey, "account-name": d.AccountName, "confirm-root-key": d.RootKeyConfirm,
	}
	for name, v := range want {
		fl := cmd.Flags().Lookup(name)
		if fl == nil {
			t.Errorf("no flag --%s", name)
			continue
		}
		if fl.DefValue != v {
			t.Errorf("--%s defaults to %q, the engine to %q", name, fl.DefValue, v)
		}
	}
	if d.HostSync != "24h" {
		t.Errorf("host sync defaults to %q, want 24h", d.HostSync)
	}
}
