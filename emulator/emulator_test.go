package emulator

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"onboard/emulator/tcloud"
)

func TestStartServesTheDemoAccountOnLoopback(t *testing.T) {
	env, err := Start(context.Background(), Options{Seed: "demo"})
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	if !strings.HasPrefix(env.TencentEndpoint, "http://127.0.0.1:") || env.TencentSecretID != demoSecretID || env.OwnerUIN != "100012345678" {
		t.Fatalf("env: %+v", env)
	}
	if _, err := Start(context.Background(), Options{Addr: "0.0.0.0:0"}); err == nil || !strings.Contains(err.Error(), "loopback") {
		t.Fatalf("a non-loopback address was accepted: %v", err)
	}
	if _, err := Start(context.Background(), Options{Seed: "nope"}); err == nil {
		t.Fatal("unknown seed accepted")
	}
}

// A request signed by the official Node.js SDK (not the Go one) is accepted, and refused once a byte of
// the secret changes. CI installs node and npm; elsewhere the test skips without them.
func TestRequestSignedByTheNodeSDK(t *testing.T) {
	for _, tool := range []string{"node", "npm"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("CI is set but %s is missing", tool)
			}
			t.Skipf("%s not installed", tool)
		}
	}
	dir := t.TempDir()
	install := exec.Command("npm", "install", "--no-audit", "--no-fund", "--silent", "tencentcloud-sdk-nodejs@4.1.313")
	install.Dir = dir
	if out, err := install.CombinedOutput(); err != nil {
		t.Fatalf("npm install tencentcloud-sdk-nodejs@4.1.313: %v\n%s", err, out)
	}
	script, _ := filepath.Abs("testdata/node_cam_call.js")

	env, err := Start(context.Background(), Options{Seed: "demo"})
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()

	method := "POST"
	callWith := func(secretID, secretKey, token string) map[string]any {
		cmd := exec.Command("node", script, env.TencentEndpoint)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "NODE_PATH="+filepath.Join(dir, "node_modules"), "REQ_METHOD="+method,
			"TENCENTCLOUD_SECRET_ID="+secretID, "TENCENTCLOUD_SECRET_KEY="+secretKey, "TENCENTCLOUD_SESSION_TOKEN="+token)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("node: %v\n%s", err, out)
		}
		var res map[string]any
		if err := json.Unmarshal(out, &res); err != nil {
			t.Fatalf("node printed %q", out)
		}
		return res
	}
	call := func(secretKey string) map[string]any { return callWith(env.TencentSecretID, secretKey, "") }
	if res := call(env.TencentSecretKey); res["ok"] != true || res["ownerUin"] != env.OwnerUIN {
		t.Fatalf("Node SDK request refused: %v", res)
	}
	// Temporary credentials from the emulator's STS: the Node SDK's X-TC-Token is accepted, and needed.
	id, key, token := federationToken(t, env)
	if res := callWith(id, key, token); res["ok"] != true || res["ownerUin"] != env.OwnerUIN {
		t.Fatalf("Node SDK request with temporary credentials refused: %v", res)
	}
	if res := callWith(id, key, ""); res["ok"] != false || res["code"] != "AuthFailure.TokenFailure" {
		t.Fatalf("Node SDK request with a temporary key and no token: %v, want AuthFailure.TokenFailure", res)
	}
	wrong := []byte(env.TencentSecretKey)
	wrong[len(wrong)/2] ^= 1
	if res := call(string(wrong)); res["ok"] != false || res["code"] != "AuthFailure.SignatureFailure" {
		t.Fatalf("request with a changed secret byte: %v, want AuthFailure.SignatureFailure", res)
	}
	// A GET, signed by the Node SDK's own GET rules (method, query and empty payload in the signature).
	method = "GET"
	if res := call(env.TencentSecretKey); res["ok"] != true || res["ownerUin"] != env.OwnerUIN {
		t.Fatalf("Node SDK GET refused: %v", res)
	}
	if res := call(string(wrong)); res["ok"] != false || res["code"] != "AuthFailure.SignatureFailure" {
		t.Fatalf("Node SDK GET with a changed secret byte: %v, want AuthFailure.SignatureFailure", res)
	}
}

func TestStartTakesSeedFilesGeneratorsAndFaults(t *testing.T) {
	file := filepath.Join(t.TempDir(), "seed.json")
	os.WriteFile(file, []byte(`{"regions": {"ap-tokyo": {"cvm": 3}}, "cam_users": 2}`), 0o600)
	env, err := Start(context.Background(), Options{Seed: file, SeedGen: "regions=2,disk=4", Faults: "action=cvm:DescribeRegions,fault=InternalError,nth=1"})
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	call := func(service, version, action, region string) map[string]any {
		body := []byte(`{}`)
		r, _ := http.NewRequest(http.MethodPost, env.TencentEndpoint, bytes.NewReader(body))
		r.Header.Set("X-TC-Action", action)
		r.Header.Set("X-TC-Version", version)
		r.Header.Set("X-TC-Region", region)
		tcloud.Sign(r, body, env.TencentSecretID, env.TencentSecretKey, service, time.Now())
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out struct{ Response map[string]any }
		json.NewDecoder(resp.Body).Decode(&out)
		return out.Response
	}
	// The seed file's hosts, the generator's disks, and the fault rule are all served.
	if got := call("cvm", "2017-03-12", "DescribeInstances", "ap-tokyo")["TotalCount"]; got != float64(3) {
		t.Errorf("hosts in ap-tokyo: %v, want 3 from the seed file", got)
	}
	if got := call("cbs", "2017-03-12", "DescribeDisks", "ap-shanghai")["TotalCount"]; got != float64(2) {
		t.Errorf("disks in ap-shanghai: %v, want 2 of the generator's 4 over 2 regions", got)
	}
	if e, _ := call("cvm", "2017-03-12", "DescribeRegions", "ap-tokyo")["Error"].(map[string]any); e["Code"] != "InternalError" {
		t.Errorf("the fault rule was not applied: %v", e)
	}
	for name, o := range map[string]Options{
		"a missing seed file": {Seed: filepath.Join(t.TempDir(), "none.json")},
		"a bad generator":     {SeedGen: "regions=2,vms=4"},
		"a bad fault rule":    {Faults: "fault=drop"},
	} {
		if _, err := Start(context.Background(), o); err == nil {
			t.Errorf("%s was accepted", name)
		}
	}
}

func TestFaultRulesGoToTheEmulatorTheirActionNames(t *testing.T) {
	tc, sc, err := splitFaults("fault=InternalError,p=0.05;action=sas:AddCloudVendorAccountAK,fault=drop,nth=1;action=sas:*,fault=delay,delay=1s,p=0.5;action=cam:AddUser,fault=drop,nth=2")
	if err != nil {
		t.Fatal(err)
	}
	if len(tc) != 2 || tc[0].Fault != "InternalError" || tc[1].Action != "cam:AddUser" {
		t.Errorf("Tencent rules: %+v", tc)
	}
	if len(sc) != 2 || sc[0].Action != "AddCloudVendorAccountAK" || sc[0].Fault != "drop" || sc[0].Nth != 1 ||
		sc[1].Action != "*" || sc[1].Delay != time.Second || sc[1].Probability != 0.5 {
		t.Errorf("Security Center rules: %+v", sc)
	}
	for spec, want := range map[string]string{
		"action=sas:AddCloudVendorAK,fault=drop,nth=1":                  "no action",
		"action=sas:RefreshAssets,region=ap-guangzhou,fault=drop,nth=1": "region=",
		"action=sas:RefreshAssets,fault=drop":                           "exactly one of",
	} {
		if _, _, err := splitFaults(spec); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want an error naming %q", spec, err, want)
		}
	}
}

// federationToken asks the emulator's STS for temporary credentials with the root key.
func federationToken(t *testing.T, env *Env) (id, secret, token string) {
	t.Helper()
	doc := `{"version":"2.0","statement":[{"effect":"allow","action":["cam:GetUserAppId"],"resource":["*"]}]}`
	body, _ := json.Marshal(map[string]any{"Name": "node", "Policy": url.QueryEscape(doc)})
	r, _ := http.NewRequest(http.MethodPost, env.TencentEndpoint, bytes.NewReader(body))
	r.Header.Set("X-TC-Action", "GetFederationToken")
	r.Header.Set("X-TC-Version", "2018-08-13")
	r.Header.Set("X-TC-Region", "ap-guangzhou")
	tcloud.Sign(r, body, env.TencentSecretID, env.TencentSecretKey, "sts", time.Now())
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Response struct {
			Credentials struct{ TmpSecretId, TmpSecretKey, Token string }
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out.Response.Credentials.Token == "" {
		t.Fatalf("GetFederationToken: %v %+v", err, out)
	}
	c := out.Response.Credentials
	return c.TmpSecretId, c.TmpSecretKey, c.Token
}
