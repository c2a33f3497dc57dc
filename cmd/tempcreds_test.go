package cmd

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"onboard/emulator"
	"onboard/emulator/tcloud"
)

// federationToken asks the emulator's STS for temporary credentials with the demo root key, as an
// operator would before running onboard.
func federationToken(t *testing.T, env *emulator.Env) (id, secret, token string) {
	t.Helper()
	doc := `{"version":"2.0","statement":[{"effect":"allow","action":["*"],"resource":["*"]}]}`
	body, _ := json.Marshal(map[string]any{"Name": "operator", "Policy": url.QueryEscape(doc), "DurationSeconds": 3600})
	req, _ := http.NewRequest(http.MethodPost, env.TencentEndpoint, bytes.NewReader(body))
	req.Header.Set("X-TC-Action", "GetFederationToken")
	req.Header.Set("X-TC-Version", "2018-08-13")
	req.Header.Set("X-TC-Region", "ap-guangzhou")
	tcloud.Sign(req, body, env.TencentSecretID, env.TencentSecretKey, "sts", time.Now())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Response struct {
			Credentials struct{ TmpSecretId, TmpSecretKey, Token string }
			Error       *struct{ Code string }
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out.Response.Error != nil || out.Response.Credentials.Token == "" {
		t.Fatalf("GetFederationToken: %v %+v", err, out.Response)
	}
	c := out.Response.Credentials
	return c.TmpSecretId, c.TmpSecretKey, c.Token
}

// An operator with temporary credentials on both clouds onboards end to end: TENCENTCLOUD_SESSION_TOKEN
// and ALIBABA_CLOUD_SECURITY_TOKEN are sent with every call (the emulators refuse the keys without them),
// and neither token shows anywhere.
func TestTencentOnboardsWithTemporaryCredentials(t *testing.T) {
	env, err := emulator.Start(context.Background(), emulator.Options{Seed: "demo"})
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	tmpID, tmpKey, tmpToken := federationToken(t, env)
	const stsID, stsSecret, stsToken = "STS.NUoperatorTemporaryKey", "alibaba-temporary-secret", "CAIS-alibaba-security-token"
	if err := env.SecurityCenter.AddTemporaryAccessKey(env.AlibabaAccessKeyID, stsID, stsSecret, stsToken); err != nil {
		t.Fatal(err)
	}
	home := t.TempDir()
	debugLog := filepath.Join(t.TempDir(), "debug.log")
	vars := emulatorVars(env, home)
	vars["TENCENTCLOUD_SECRET_ID"], vars["TENCENTCLOUD_SECRET_KEY"], vars["TENCENTCLOUD_SESSION_TOKEN"] = tmpID, tmpKey, tmpToken
	vars["ALIBABA_CLOUD_ACCESS_KEY_ID"], vars["ALIBABA_CLOUD_ACCESS_KEY_SECRET"], vars["ALIBABA_CLOUD_SECURITY_TOKEN"] = stsID, stsSecret, stsToken
	args := []string{"tencent", "--no-input", "--mode", "manual", "--features", "host,cspm", "--cspm-policy", "custom",
		"--sub-user", "sas-temp", "--security-center", "submit", "--skip-sync", "--output", "json", "--debug-log", debugLog}

	// Without the Tencent token the temporary key is refused: credentials rejected, nothing made.
	noToken := map[string]string{}
	for k, v := range vars {
		noToken[k] = v
	}
	delete(noToken, "TENCENTCLOUD_SESSION_TOKEN")
	f, _, errOut := tencentTestFactory(noToken)
	if code := run(context.Background(), f, args[:len(args)-2]); code != ExitCredentials || !strings.Contains(errOut.String(), "AuthFailure.TokenFailure") || !strings.Contains(errOut.String(), "TENCENTCLOUD_SESSION_TOKEN") {
		t.Fatalf("without TENCENTCLOUD_SESSION_TOKEN: exit %d\n%s", code, errOut.String())
	}

	env.Tencent.ResetCalls()
	f, out, errOut := tencentTestFactory(vars)
	if code := run(context.Background(), f, args); code != ExitOK {
		t.Fatalf("exit %d\n%s", code, errOut.String())
	}
	var res map[string]any
	if err := json.Unmarshal([]byte(out.String()), &res); err != nil {
		t.Fatalf("stdout is not JSON: %q", out.String())
	}
	sc, _ := res["security_center"].(map[string]any)
	if !strings.Contains(errOut.String(), "session token") || !strings.Contains(errOut.String(), "ALIBABA_CLOUD_SECURITY_TOKEN") {
		t.Errorf("the credential sources do not say they are temporary: %s", errOut.String())
	}
	if res["sub_user"] != "sas-temp" || res["caller_is_root"] != false || sc == nil || sc["submitted"] != true {
		t.Fatalf("result: %v", res)
	}
	operatorCalls := 0
	for _, c := range env.Tencent.Calls() {
		if c.SecretID == tmpID && c.Code == "" {
			operatorCalls++
		}
	}
	if operatorCalls == 0 {
		t.Error("no call was served with the temporary key")
	}
	alibabaCalls := 0
	for _, c := range env.SecurityCenter.Calls() {
		if c.AccessKeyID == stsID && c.Code == "" {
			alibabaCalls++
		}
	}
	if alibabaCalls == 0 {
		t.Error("no Security Center call was served with the temporary AccessKey")
	}
	for what, secret := range map[string]string{"the Tencent session token": tmpToken, "the temporary SecretKey": tmpKey, "the Alibaba security token": stsToken} {
		for name, text := range map[string]string{"stdout": out.String(), "stderr": errOut.String(), "debug log": readFileT(t, debugLog)} {
			if strings.Contains(text, secret) {
				t.Errorf("%s contains %s", name, what)
			}
		}
		filepath.Walk(home, func(p string, info os.FileInfo, err error) error {
			if err == nil && !info.IsDir() {
				if data, _ := os.ReadFile(p); strings.Contains(string(data), secret) {
					t.Errorf("%s contains %s", p, what)
				}
			}
			return nil
		})
	}
}
