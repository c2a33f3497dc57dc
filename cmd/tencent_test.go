package cmd

import (
	"context"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"onboard/emulator"
	"onboard/emulator/sas"
	"onboard/emulator/tcloud"
	"onboard/store"
)

func TestTencentFlags(t *testing.T) {
	var got *TencentOptions
	cmd := NewCmdTencent(NewFactory(), func(_ context.Context, o *TencentOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"--mode", "manual", "--features", "host,cspm", "--cspm-policy", "custom", "--sub-user", "sas", "--adopt-user", "--profile", "work"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	r := got.Request
	if r.Mode != "manual" || strings.Join(r.Features, ",") != "host,cspm" || r.CSPMPolicy != "custom" || r.SubUser != "sas" || !r.AdoptUser || got.Profile != "work" {
		t.Fatalf("options: %+v", got)
	}
}

func tencentTestFactory(env map[string]string) (*Factory, *lockedBuffer, *lockedBuffer) {
	ios, _, _, _ := TestIOStreams()
	out, errOut := &lockedBuffer{}, &lockedBuffer{}
	ios.Out, ios.ErrOut = out, errOut
	return &Factory{IO: ios, Getenv: func(k string) string { return env[k] }, Output: "text", Logger: NewFactory().Logger}, out, errOut
}

func TestTencentInvalidInputExitsTwoNamingTheFlagBeforeAnyCall(t *testing.T) {
	tests := []struct {
		args []string
		flag string
	}{
		{[]string{"tencent", "--no-input"}, "--mode"},
		{[]string{"tencent", "--no-input", "--mode", "fast"}, "--mode"},
		{[]string{"tencent", "--no-input", "--mode", "quick", "--features", "cspm"}, "--features"},
		{[]string{"tencent", "--no-input", "--mode", "manual", "--features", "host,dns", "--sub-user", "x"}, "--features"},
		{[]string{"tencent", "--no-input", "--mode", "manual", "--features", "host"}, "--sub-user"},
		{[]string{"tencent", "--no-input", "--mode", "manual", "--features", "cspm", "--cspm-policy", "all", "--sub-user", "x"}, "--cspm-policy"},
		{[]string{"tencent", "--no-input", "--mode", "quick", "--secret-id", "AKIDx"}, "--secret-key-stdin"},
		{[]string{"tencent", "--no-input", "--mode", "quick", "--secret-key", "x"}, "--secret-key"},
		{[]string{"tencent", "--no-input", "--mode", "manual", "--features", "host,audit", "--sub-user", "x"}, "--audit-region"},
		{[]string{"tencent", "--no-input", "--mode", "manual", "--features", "host", "--sub-user", "x", "--audit-region", "ap-guangzhou"}, "--audit-region"},
		{[]string{"tencent", "--no-input", "--mode", "manual", "--features", "audit", "--sub-user", "x", "--audit-region", "ap-guangzhou", "--kafka-network", "vpn"}, "--kafka-network"},
		{[]string{"tencent", "--no-input", "--mode", "manual", "--features", "host", "--sub-user", "x", "--root-key", "burn"}, "--root-key"},
		{[]string{"tencent", "--no-input", "--mode", "manual", "--features", "host", "--sub-user", "x", "--policy-file", "cspmPolicy"}, "--policy-file"},
		{[]string{"tencent", "--no-input", "--mode", "manual", "--features", "host", "--sub-user", "x", "--policy-file", "cspmPolicy=/nonexistent.json"}, "--policy-file"},
		{[]string{"tencent", "--no-input", "--mode", "manual", "--features", "host", "--sub-user", "x", "--adopt-policy", "AdministratorAccess"}, "--adopt-policy"},
	}
	for _, tt := range tests {
		// The endpoint points nowhere: any API call would fail with a network error, not a usage error.
		f, out, errOut := tencentTestFactory(map[string]string{"ONBOARD_HOME": t.TempDir(), "ONBOARD_TENCENT_ENDPOINT": "http://127.0.0.1:1",
			"TENCENTCLOUD_SECRET_ID": "AKIDx", "TENCENTCLOUD_SECRET_KEY": "y"})
		code := run(context.Background(), f, tt.args)
		if code != ExitUsage || !strings.Contains(errOut.String(), tt.flag) || out.String() != "" {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 naming %s and nothing on stdout", tt.args, code, errOut.String(), tt.flag)
		}
	}
}

func TestTencentOnboardsAgainstTheEmulatorAndKeepsTheSecretOutOfEverything(t *testing.T) {
	env, err := emulator.Start(context.Background(), emulator.Options{Seed: "demo"})
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	home := t.TempDir()
	debugLog := filepath.Join(t.TempDir(), "debug.log")
	vars := emulatorVars(env, home)
	f, out, errOut := tencentTestFactory(vars)
	args := []string{"tencent", "--no-input", "--mode", "manual", "--features", "host,cspm,soc,audit", "--cspm-policy", "custom",
		"--audit-region", "ap-guangzhou", "--sub-user", "sas-reader", "--security-center", "submit", "--output", "json", "--debug-log", debugLog}
	if code := run(context.Background(), f, args); code != ExitOK {
		t.Fatalf("exit %d\n%s", code, errOut.String())
	}
	var res map[string]any
	if err := json.Unmarshal([]byte(out.String()), &res); err != nil {
		t.Fatalf("stdout is not JSON: %q", out.String())
	}
	if res["sub_user"] != "sas-reader" || res["key_stored_in"] != "file" || res["access_key_id"] == "" {
		t.Fatalf("result: %v", res)
	}
	if !strings.Contains(errOut.String(), "unencrypted") {
		t.Errorf("the file store's warning is missing: %q", errOut.String())
	}
	secrets, _ := store.NewFileStore(home, nil)
	cred, err := secrets.Get(context.Background(), "tencent/"+env.OwnerUIN+"/sas-reader")
	if err != nil || cred.SecretID != res["access_key_id"] {
		t.Fatalf("stored key: %v %v", cred.SecretID, err)
	}
	watched := map[string]string{"the new SecretKey": cred.SecretKey.Reveal(), "the operator's SecretKey": env.TencentSecretKey,
		"the Alibaba Cloud secret": env.AlibabaAccessKeySecret}
	assertNoSecretAnywhere(t, home, debugLog, map[string]string{"stdout": out.String(), "stderr": errOut.String()}, watched)

	sc, _ := res["security_center"].(map[string]any)
	if sc == nil || sc["submitted"] != true || sc["status"] != "normal" || sc["auth_id"] == nil {
		t.Errorf("security center in the result: %v", res["security_center"])
	}
	counts, _ := res["first_sync"].(map[string]any)["counts"].(map[string]any)
	if counts["cvm.instance"] != float64(30) || counts["vpc.vpc"] != float64(5) {
		t.Errorf("first sync counts: %v", counts)
	}

	// The same request again: exit 0 and no mutating call.
	env.Tencent.ResetCalls()
	sasCalls := len(env.SecurityCenter.Calls())
	f2, _, errOut2 := tencentTestFactory(vars)
	if code := run(context.Background(), f2, args[:len(args)-2]); code != ExitOK {
		t.Fatalf("re-run exit %d\n%s", code, errOut2.String())
	}
	for _, c := range env.Tencent.Calls() {
		if c.Mutating {
			t.Errorf("re-run made a mutating call: %s", c.Action)
		}
	}
	for _, c := range env.SecurityCenter.Calls()[sasCalls:] {
		if !strings.HasPrefix(c.Action, "Describe") && !strings.HasPrefix(c.Action, "List") {
			t.Errorf("re-run made a Security Center call that is not a read: %s", c.Action)
		}
	}
}

// assertNoSecretAnywhere fails if any watched secret (or its URL-encoded form) is in the outputs, the
// debug log, or any file under ONBOARD_HOME (raw bytes: the database, its -wal and -shm) but the
// explicitly chosen file store.
func assertNoSecretAnywhere(t *testing.T, home, debugLog string, outputs map[string]string, watched map[string]string) {
	t.Helper()
	if fi, err := os.Stat(debugLog); err != nil || fi.Size() == 0 {
		t.Errorf("the debug log is empty (%v): a search of it proves nothing", err)
	}
	texts := map[string]string{"debug log": readFileT(t, debugLog)}
	for name, text := range outputs {
		texts[name] = text
	}
	filepath.Walk(home, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() && filepath.Base(p) != "secrets.json" {
			data, _ := os.ReadFile(p)
			texts[p] = string(data)
		}
		return nil
	})
	for what, secret := range watched {
		if secret == "" {
			t.Fatalf("%s is empty: the search proves nothing", what)
		}
		for name, text := range texts {
			if strings.Contains(text, secret) || strings.Contains(text, url.QueryEscape(secret)) {
				t.Errorf("%s contains %s", name, what)
			}
		}
	}
}

func TestTencentDroppedConnectionsLeakNoSecret(t *testing.T) {
	args := []string{"tencent", "--no-input", "--mode", "manual", "--features", "host,cspm,soc,audit", "--cspm-policy", "custom",
		"--audit-region", "ap-guangzhou", "--sub-user", "sas-reader", "--security-center", "submit"}
	tests := []struct {
		name    string
		dropped string // the action whose dropped connection the run must have met
		faults  string // in the emulator from the start
		// before runs a first, successful onboarding and then arms the fault, for a call only a later run makes.
		before   func(t *testing.T, env *emulator.Env, vars map[string]string)
		wantCode int
		// keyStored: the sub-user's key exists before the dropped call (not so when the pre-flight's own
		// reads fail, or the key's creation itself).
		keyStored bool
	}{
		{name: "AddCloudVendorAccountAK", dropped: "AddCloudVendorAccountAK", faults: "action=sas:AddCloudVendorAccountAK,fault=drop,nth=1", wantCode: ExitFailed, keyStored: true},
		{name: "ModifyCloudVendorAccountAK with a new key", dropped: "ModifyCloudVendorAccountAK", before: func(t *testing.T, env *emulator.Env, vars map[string]string) {
			f, _, errOut := tencentTestFactory(vars)
			if code := run(context.Background(), f, append(args, "--account", "first")); code != ExitOK {
				t.Fatalf("first run: exit %d\n%s", code, errOut.String())
			}
			// Another account record for the same sub-user: its key counts as new to Security Center.
			env.SecurityCenter.AddFaults([]sas.FaultRule{{Action: "ModifyCloudVendorAccountAK", Fault: sas.FaultDrop, Probability: 1}})
		}, wantCode: ExitFailed, keyStored: true},
		{name: "AddCloudVendorTrialConfig", dropped: "AddCloudVendorTrialConfig", faults: "action=sas:AddCloudVendorTrialConfig,fault=drop,nth=1", wantCode: ExitFailed, keyStored: true},
		{name: "CreateAccessKey", dropped: "CreateAccessKey", faults: "action=cam:CreateAccessKey,fault=drop,nth=1", wantCode: ExitFailed},
		{name: "every Security Center call", dropped: "ListCloudVendorRegions", faults: "action=sas:*,fault=drop,p=1", wantCode: ExitFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, err := emulator.Start(context.Background(), emulator.Options{Seed: "demo", Faults: tt.faults})
			if err != nil {
				t.Fatal(err)
			}
			defer env.Close()
			home := t.TempDir()
			debugLog := filepath.Join(t.TempDir(), "debug.log")
			vars := emulatorVars(env, home)
			if tt.before != nil {
				tt.before(t, env, vars)
			}
			f, out, errOut := tencentTestFactory(vars)
			code := run(context.Background(), f, append(args, "--account", "second", "--output", "json", "--debug-log", debugLog))
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d\n%s", code, tt.wantCode, errOut.String())
			}
			met := false
			for _, c := range env.SecurityCenter.Calls() {
				met = met || (c.Action == tt.dropped && c.Code == sas.FaultDrop)
			}
			for _, c := range env.Tencent.Calls() {
				met = met || (c.Action == tt.dropped && c.Code == tcloud.FaultDrop)
			}
			if !met {
				t.Fatalf("the run never met a dropped %s: the search below proves nothing", tt.dropped)
			}
			watched := map[string]string{"the operator's SecretKey": env.TencentSecretKey, "the Alibaba Cloud secret": env.AlibabaAccessKeySecret}
			secrets, _ := store.NewFileStore(home, nil)
			if cred, err := secrets.Get(context.Background(), "tencent/"+env.OwnerUIN+"/sas-reader"); err == nil {
				watched["the new SecretKey"] = cred.SecretKey.Reveal()
				watched["the Kafka password"] = cred.SecretID + "#" + cred.SecretKey.Reveal()
			} else if tt.keyStored {
				t.Fatalf("no sub-user key was stored before the dropped call: %v", err)
			}
			assertNoSecretAnywhere(t, home, debugLog, map[string]string{"stdout": out.String(), "stderr": errOut.String()}, watched)
		})
	}
}

// emulatorVars points a run at both emulators with their keys.
func emulatorVars(env *emulator.Env, home string) map[string]string {
	return map[string]string{"ONBOARD_HOME": home, "ONBOARD_TENCENT_ENDPOINT": env.TencentEndpoint, "ONBOARD_SECRET_STORE": "file",
		"TENCENTCLOUD_SECRET_ID": env.TencentSecretID, "TENCENTCLOUD_SECRET_KEY": env.TencentSecretKey,
		"ONBOARD_SECURITY_CENTER_ENDPOINT": env.SecurityCenterEndpoint,
		"ALIBABA_CLOUD_ACCESS_KEY_ID":      env.AlibabaAccessKeyID, "ALIBABA_CLOUD_ACCESS_KEY_SECRET": env.AlibabaAccessKeySecret}
}

func TestTencentSecurityCenterFlags(t *testing.T) {
	var got *TencentOptions
	cmd := NewCmdTencent(NewFactory(), func(_ context.Context, o *TencentOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"--mode", "manual", "--features", "host", "--sub-user", "sas", "--site", "outside", "--account-name", "prod",
		"--security-center", "skip", "--regions", "ap-guangzhou,ap-shanghai", "--region-management", "--host-sync", "6h", "--cloud-sync", "12h",
		"--ak-check", "off", "--skip-sync", "--security-center-endpoint", "http://127.0.0.1:9", "--alibaba-profile", "ali"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	r := got.Request
	if r.Site != "outside" || r.AccountName != "prod" || r.SecurityCenter != "skip" || strings.Join(r.Regions, ",") != "ap-guangzhou,ap-shanghai" ||
		!r.RegionManagement || r.HostSync != "6h" || r.CloudSync != "12h" || r.AKCheck != "off" || !r.SkipSync ||
		got.SecurityCenterEndpoint != "http://127.0.0.1:9" || got.AlibabaProfile != "ali" {
		t.Fatalf("options: %+v", got)
	}
}

func TestTencentInvalidSecurityCenterValuesExitTwo(t *testing.T) {
	for _, tt := range []struct{ flag, value string }{
		{"--site", "europe"}, {"--security-center", "later"}, {"--regions", "all,ap-guangzhou"},
		{"--host-sync", "2h"}, {"--cloud-sync", "daily"}, {"--ak-check", "1d"},
	} {
		f, out, errOut := tencentTestFactory(map[string]string{"ONBOARD_HOME": t.TempDir(), "ONBOARD_TENCENT_ENDPOINT": "http://127.0.0.1:1",
			"TENCENTCLOUD_SECRET_ID": "AKIDx", "TENCENTCLOUD_SECRET_KEY": "y"})
		code := run(context.Background(), f, []string{"tencent", "--no-input", "--mode", "quick", tt.flag, tt.value})
		if code != ExitUsage || !strings.Contains(errOut.String(), tt.flag) || !strings.Contains(errOut.String(), "valid") || out.String() != "" {
			t.Errorf("%s %s: exit %d, stderr %q; want exit 2 naming the flag and the valid values", tt.flag, tt.value, code, errOut.String())
		}
	}
}

func TestTencentSecurityCenterTextOutputAndSkip(t *testing.T) {
	env, err := emulator.Start(context.Background(), emulator.Options{Seed: "demo"})
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	home := t.TempDir()
	vars := emulatorVars(env, home)
	f, out, errOut := tencentTestFactory(vars)
	if code := run(context.Background(), f, []string{"tencent", "--no-input", "--mode", "quick", "--site", "outside", "--host-sync", "6h"}); code != ExitOK {
		t.Fatalf("exit %d\n%s", code, errOut.String())
	}
	for _, want := range []string{"Security Center (outside site)", "AuthId 2158", "status normal", "host sync 6h", "First asset sync: cvm.instance 30"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("text output lacks %q:\n%s", want, out.String())
		}
	}
	// Quick mode grants hosts QcloudCVMReadOnlyAccess alone, so the sync lists no Lighthouse server.
	if strings.Contains(out.String(), "partly done") || strings.Contains(out.String(), "lighthouse") {
		t.Errorf("a quick onboarding's first sync was not complete:\n%s", out.String())
	}

	// Skip, on another account record: the console values, no Security Center call, no secret.
	n := len(env.SecurityCenter.Calls())
	f, out, errOut = tencentTestFactory(vars)
	if code := run(context.Background(), f, []string{"tencent", "--no-input", "--mode", "manual", "--features", "host", "--sub-user", "manual-user",
		"--account", "manual", "--security-center", "skip", "--skip-sync"}); code != ExitOK {
		t.Fatalf("skip: exit %d\n%s", code, errOut.String())
	}
	if calls := env.SecurityCenter.Calls()[n:]; len(calls) != 0 {
		t.Errorf("skip made Security Center calls: %+v", calls)
	}
	secrets, _ := store.NewFileStore(home, nil)
	cred, err := secrets.Get(context.Background(), "tencent/"+env.OwnerUIN+"/manual-user")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Security Center was skipped", "SecretId: " + cred.SecretID, "onboard accounts reveal-key manual", "Host asset sync: every 24h"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("skip output lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String()+errOut.String(), cred.SecretKey.Reveal()) {
		t.Error("the skip output contains the SecretKey")
	}
}

func TestTencentRollbackDeletesTheSecurityCenterAccount(t *testing.T) {
	env, err := emulator.Start(context.Background(), emulator.Options{Seed: "demo"})
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	vars := emulatorVars(env, t.TempDir())
	f, _, errOut := tencentTestFactory(vars)
	if code := run(context.Background(), f, []string{"tencent", "--no-input", "--mode", "quick", "--skip-sync"}); code != ExitOK {
		t.Fatalf("onboard: exit %d %s", code, errOut.String())
	}
	f, out, errOut := tencentTestFactory(vars)
	if code := run(context.Background(), f, []string{"tencent", "--no-input", "--rollback"}); code != ExitOK {
		t.Fatalf("rollback: exit %d %s", code, errOut.String())
	}
	if !strings.Contains(out.String(), "removed Security Center account 2158") {
		t.Fatalf("rollback output: %q", out.String())
	}
	for _, a := range env.SecurityCenter.State().Accounts {
		for site, st := range a.Sites {
			if len(st.CloudAccounts) != 0 {
				t.Errorf("Security Center accounts left on %s: %+v", site, st.CloudAccounts)
			}
		}
	}
}

func TestTencentRejectedCredentialsExitFour(t *testing.T) {
	env, err := emulator.Start(context.Background(), emulator.Options{Seed: "demo"})
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	f, _, errOut := tencentTestFactory(map[string]string{"ONBOARD_HOME": t.TempDir(), "ONBOARD_TENCENT_ENDPOINT": env.TencentEndpoint,
		"TENCENTCLOUD_SECRET_ID": env.TencentSecretID, "TENCENTCLOUD_SECRET_KEY": "wrong"})
	if code := run(context.Background(), f, []string{"tencent", "--no-input", "--mode", "quick"}); code != ExitCredentials {
		t.Fatalf("exit %d, want %d\n%s", code, ExitCredentials, errOut.String())
	}
	if !strings.Contains(errOut.String(), "rejected the key") {
		t.Errorf("no hint: %q", errOut.String())
	}
}

func TestTencentQuickModeInTheSandbox(t *testing.T) {
	f, out, errOut := tencentTestFactory(map[string]string{})
	if code := run(context.Background(), f, []string{"tencent", "--no-input", "--mode", "quick", "--sandbox"}); code != ExitOK {
		t.Fatalf("exit %d\n%s", code, errOut.String())
	}
	if !strings.Contains(errOut.String(), "SANDBOX") || !strings.Contains(out.String(), "AlibabaSasSubAccount_") {
		t.Fatalf("stdout %q stderr %q", out.String(), errOut.String())
	}
}

func readFileT(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestTencentDryRunChangesNothing(t *testing.T) {
	env, err := emulator.Start(context.Background(), emulator.Options{Seed: "demo"})
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	home := t.TempDir()
	f, out, errOut := tencentTestFactory(map[string]string{"ONBOARD_HOME": home, "ONBOARD_TENCENT_ENDPOINT": env.TencentEndpoint, "ONBOARD_SECRET_STORE": "file",
		"TENCENTCLOUD_SECRET_ID": env.TencentSecretID, "TENCENTCLOUD_SECRET_KEY": env.TencentSecretKey})
	if code := run(context.Background(), f, []string{"tencent", "--no-input", "--mode", "quick", "--dry-run"}); code != ExitOK {
		t.Fatalf("exit %d\n%s", code, errOut.String())
	}
	if !strings.Contains(out.String(), "create sub-user AlibabaSasSubAccount_") || !strings.Contains(out.String(), "attach QcloudCVMReadOnlyAccess") {
		t.Fatalf("plan: %q", out.String())
	}
	for _, c := range env.Tencent.Calls() {
		if c.Mutating {
			t.Errorf("--dry-run made a mutating call: %s", c.Action)
		}
	}
	if _, err := os.Stat(filepath.Join(home, "secrets.json")); err == nil {
		t.Error("--dry-run wrote the secret store")
	}
}

func TestTencentRollback(t *testing.T) {
	env, err := emulator.Start(context.Background(), emulator.Options{Seed: "demo"})
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	vars := map[string]string{"ONBOARD_HOME": t.TempDir(), "ONBOARD_TENCENT_ENDPOINT": env.TencentEndpoint, "ONBOARD_SECRET_STORE": "file",
		"TENCENTCLOUD_SECRET_ID": env.TencentSecretID, "TENCENTCLOUD_SECRET_KEY": env.TencentSecretKey}
	f, _, errOut := tencentTestFactory(vars)
	if code := run(context.Background(), f, []string{"tencent", "--no-input", "--mode", "quick"}); code != ExitOK {
		t.Fatalf("onboard: exit %d %s", code, errOut.String())
	}
	f, out, errOut := tencentTestFactory(vars)
	if code := run(context.Background(), f, []string{"tencent", "--no-input", "--rollback"}); code != ExitOK {
		t.Fatalf("rollback: exit %d %s", code, errOut.String())
	}
	if !strings.Contains(out.String(), "removed sub-user AlibabaSasSubAccount_") {
		t.Fatalf("rollback output: %q", out.String())
	}
	f, out, _ = tencentTestFactory(vars)
	run(context.Background(), f, []string{"accounts", "list", "--output", "json"})
	if strings.TrimSpace(out.String()) != "[]" {
		t.Errorf("accounts after rollback: %q", out.String())
	}
}

func TestTencentAuditLogsInTheSandbox(t *testing.T) {
	f, out, errOut := tencentTestFactory(map[string]string{"ONBOARD_HOME": t.TempDir()})
	f.Output = "json"
	code := run(context.Background(), f, []string{"tencent", "--no-input", "--sandbox", "--mode", "manual", "--features", "host,audit",
		"--sub-user", "sas-audit", "--audit-region", "ap-guangzhou", "--root-key", "disable", "--confirm-root-key", "tKey"})
	if code != ExitOK {
		t.Fatalf("exit %d\n%s", code, errOut.String())
	}
	var res struct {
		AuditLogs map[string]any `json:"audit_logs"`
		RootKey   string         `json:"root_key"`
	}
	if err := json.Unmarshal([]byte(out.String()), &res); err != nil {
		t.Fatalf("output %q: %v", out.String(), err)
	}
	a := res.AuditLogs
	if a["logset_id"] == nil || a["kafka_topic"] == nil || a["security_center_status"] != "enable" || res.RootKey != "disabled" {
		t.Errorf("audit logs %v, root key %q", a, res.RootKey)
	}
}

func TestTencentNamesTheRAMPermissionTheAlibabaKeyLacks(t *testing.T) {
	env, err := emulator.Start(context.Background(), emulator.Options{Seed: "demo", SecurityCenterDenied: []string{"AddCloudVendorAccountAK"}})
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	f, _, errOut := tencentTestFactory(emulatorVars(env, t.TempDir()))
	code := run(context.Background(), f, []string{"tencent", "--no-input", "--mode", "manual", "--features", "host", "--sub-user", "sas-reader", "--security-center", "submit"})
	if code != ExitFailed || !strings.Contains(errOut.String(), "lacks the RAM permission yundun-sas:AddCloudVendorAccountAK") ||
		!strings.Contains(errOut.String(), "onboard policy show alibaba-operator") {
		t.Fatalf("exit %d, stderr:\n%s", code, errOut.String())
	}
}

func TestTencentAuditLogsStopOnAnUnknownActionInsteadOfAddingSettings(t *testing.T) {
	for _, gatewayCode := range []string{"InvalidAction.NotFound", "InvalidApi.NotFound"} {
		t.Run(gatewayCode, func(t *testing.T) {
			env, err := emulator.Start(context.Background(), emulator.Options{Seed: "demo",
				SecurityCenterWithout: []string{"DescribeCloudVendorTrialConfig"}, SecurityCenterUnknownActionCode: gatewayCode})
			if err != nil {
				t.Fatal(err)
			}
			defer env.Close()
			f, _, errOut := tencentTestFactory(emulatorVars(env, t.TempDir()))
			code := run(context.Background(), f, []string{"tencent", "--no-input", "--mode", "manual", "--features", "host,audit",
				"--audit-region", "ap-guangzhou", "--sub-user", "sas-reader", "--security-center", "submit"})
			if code == ExitOK || !strings.Contains(errOut.String(), gatewayCode) {
				t.Fatalf("exit %d, stderr:\n%s", code, errOut.String())
			}
			for _, c := range env.SecurityCenter.Calls() {
				if c.Action == "AddCloudVendorTrialConfig" || c.Action == "ModifyCloudVendorTrialConfig" {
					t.Errorf("%s was called after %s: the unknown action read as no settings yet", c.Action, gatewayCode)
				}
			}
		})
	}
}

func TestTencentOwnershipFlags(t *testing.T) {
	var got *TencentOptions
	cmd := NewCmdTencent(NewFactory(), func(_ context.Context, o *TencentOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"--mode", "manual", "--features", "cspm", "--sub-user", "sas", "--adopt-policy", "cspmPolicy,siemPolicy",
		"--adopt-policy", "ciemPolicy", "--allow-broad-policy"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if r := got.Request; strings.Join(r.AdoptPolicies, ",") != "cspmPolicy,siemPolicy,ciemPolicy" || !r.AllowBroadPolicy {
		t.Fatalf("request: %+v", r)
	}
}

// A --policy-file that would hand a third party more than reads is refused before any change, naming
// the statements; --allow-broad-policy takes it on, and the result says so.
func TestTencentRefusesABroadPolicyFileUnlessAllowed(t *testing.T) {
	env, err := emulator.Start(context.Background(), emulator.Options{Seed: "demo"})
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	doc := filepath.Join(t.TempDir(), "cspm.json")
	if err := os.WriteFile(doc, []byte(`{"version":"2.0","statement":[{"effect":"allow","action":["cvm:DescribeInstances"],"resource":["*"]},`+
		`{"effect":"allow","action":["*"],"resource":["*"]}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	vars := emulatorVars(env, t.TempDir())
	args := []string{"tencent", "--no-input", "--mode", "manual", "--features", "cspm", "--cspm-policy", "custom", "--sub-user", "broad",
		"--security-center", "skip", "--skip-sync", "--policy-file", "cspmPolicy=" + doc, "--output", "json"}
	f, out, errOut := tencentTestFactory(vars)
	env.Tencent.ResetCalls()
	if code := run(context.Background(), f, args); code != ExitUsage || !strings.Contains(errOut.String(), "statement 2 allows every action (*)") ||
		!strings.Contains(errOut.String(), "--allow-broad-policy") || out.String() != "" {
		t.Fatalf("exit %d, stderr %q; want exit 2 naming statement 2 and --allow-broad-policy", code, errOut.String())
	}
	for _, c := range env.Tencent.Calls() {
		if c.Mutating {
			t.Fatalf("a refused policy file still led to %s", c.Action)
		}
	}
	f, out, errOut = tencentTestFactory(vars)
	if code := run(context.Background(), f, append(args, "--allow-broad-policy")); code != ExitOK {
		t.Fatalf("with --allow-broad-policy: exit %d\n%s", code, errOut.String())
	}
	var res struct {
		Broad []string `json:"broad_policies_accepted"`
	}
	if err := json.Unmarshal([]byte(out.String()), &res); err != nil || len(res.Broad) != 1 || !strings.Contains(res.Broad[0], "statement 2 allows every action") {
		t.Fatalf("the result does not record the accepted statement: %v %q", err, out.String())
	}
}
