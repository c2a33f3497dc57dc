package cmd

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"onboard/emulator"
	"onboard/policy"
	"onboard/tencent"
)

// The documents in testdata/securitycenter-*.json are written from CAM's documented grammar in the
// shape of Security Center's own policies (whose bodies are not public): the "name/" form, services
// onboard does not call (cwp, csip, cos, tke, ckafka, ...), and the condition operators CAM documents,
// with _if_exist, null_equal, the ignore_case and date variants and a qualifier.
const (
	officialCSPM = "testdata/securitycenter-cspm.json"
	officialCIEM = "testdata/securitycenter-ciem.json"
)

func TestPolicyRenderAndDiffWarnOfServicesOnboardDoesNotKnow(t *testing.T) {
	ios, _, out, errOut := TestIOStreams()
	if err := policyRenderRun(&PolicyRenderOptions{IO: ios, Name: policy.CSPMPolicy, File: officialCSPM}); err != nil {
		t.Fatalf("render %s: %v", officialCSPM, err)
	}
	if _, err := policy.Parse(out.Bytes()); err != nil {
		t.Errorf("rendered document does not parse: %v", err)
	}
	for _, want := range []string{`warning: action "cwp:Describe*": onboard does not know the service "cwp"`, `"cos:GetBucket*"`, `"ckafka:Describe*"`} {
		if !strings.Contains(errOut.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	if strings.Contains(errOut.String(), `"cvm:Describe*"`) {
		t.Errorf("a known service is warned about:\n%s", errOut)
	}

	// diff: the same document as live and wanted is no drift, and the warnings are in the JSON.
	f, _ := testFactory()
	ios, _, out, errOut = TestIOStreams()
	f.IO = ios
	code := run(context.Background(), f, []string{"policy", "diff", "cspmPolicy", "--file", officialCSPM, "--policy-file", officialCSPM, "--output", "json"})
	if code != ExitOK {
		t.Fatalf("diff exit %d: %s", code, errOut)
	}
	var res struct{ Warnings []string }
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		t.Fatalf("diff output is not JSON: %v\n%s", err, out)
	}
	if len(res.Warnings) == 0 || !strings.Contains(strings.Join(res.Warnings, "\n"), `"tke:Describe*"`) {
		t.Errorf("diff warnings = %q, want the unknown services of both documents", res.Warnings)
	}
	// A typo in a service onboard knows is still an error.
	f, _ = testFactory()
	ios, _, _, errOut = TestIOStreams()
	f.IO = ios
	bad := writeTempFile(t, `{"version":"2.0","statement":[{"effect":"allow","action":"cvm:DescribeInstancez","resource":"*"}]}`)
	if code := run(context.Background(), f, []string{"policy", "render", "cspmPolicy", "--file", bad}); code != ExitUsage || !strings.Contains(errOut.String(), "ActionNotExist") {
		t.Errorf("unknown action of a known service: exit %d, stderr %s; want exit 2 with ActionNotExist", code, errOut)
	}
}

func TestTencentOnboardsWithSecurityCentersPolicyFiles(t *testing.T) {
	env, err := emulator.Start(context.Background(), emulator.Options{Seed: "demo"})
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	vars := emulatorVars(env, t.TempDir())
	f, out, errOut := tencentTestFactory(vars)
	args := []string{"tencent", "--no-input", "--mode", "manual", "--features", "host,cspm,audit", "--cspm-policy", "custom",
		"--audit-region", "ap-guangzhou", "--sub-user", "sas-reader", "--security-center", "submit", "--output", "json",
		"--policy-file", "cspmPolicy=" + officialCSPM, "--policy-file", "ciemPolicy=" + officialCIEM}
	if code := run(context.Background(), f, args); code != ExitOK {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", code, out, errOut)
	}
	cloud, err := tencent.New(tencent.Options{Credential: tencent.Credential{SecretID: env.TencentSecretID, SecretKey: tencent.SecretKey(env.TencentSecretKey)}, Endpoint: env.TencentEndpoint})
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{policy.CSPMPolicy: "cwp:Describe*", policy.CIEMPolicy: "string_equal_if_exist"} {
		s, err := cloud.FindPolicy(context.Background(), tencent.ScopeCustom, name)
		if err != nil {
			t.Fatalf("find %s: %v", name, err)
		}
		p, err := cloud.GetPolicy(context.Background(), s.ID)
		if err != nil {
			t.Fatalf("get %s: %v", name, err)
		}
		if !strings.Contains(p.Document, want) {
			t.Errorf("%s was not created from its --policy-file: %s", name, p.Document)
		}
	}
}

func writeTempFile(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "doc.json")
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
