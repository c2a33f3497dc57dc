package cmd

import (
	"bufio"
	"context"
	"encoding/json"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"onboard/emulator"
	"onboard/store"
)

// TestDebugLogRecordsEveryExchangeAndNoSecret runs a real onboarding against both emulators with
// --debug-log, with one failing answer from each cloud, and reads the log back: every API exchange is a
// JSON record with the service, action, region, redacted parameters, HTTP status, error code, RequestId
// and latency, for both clouds; and nothing in the file would let anyone use a key.
func TestDebugLogRecordsEveryExchangeAndNoSecret(t *testing.T) {
	env, err := emulator.Start(context.Background(), emulator.Options{Seed: "demo"})
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	env.Tencent.FailNext("DescribeRegions", "InternalError", 1)
	env.SecurityCenter.FailNext("", "InternalError", 1)
	home := t.TempDir()
	debugLog := filepath.Join(t.TempDir(), "debug.log")
	f, out, errOut := tencentTestFactory(emulatorVars(env, home))
	args := []string{"tencent", "--no-input", "--mode", "manual", "--features", "host,cspm,soc,audit", "--cspm-policy", "custom",
		"--audit-region", "ap-guangzhou", "--sub-user", "sas-reader", "--security-center", "submit", "--output", "json", "--debug-log", debugLog}
	if code := run(context.Background(), f, args); code != ExitOK {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", code, out, errOut)
	}

	var res struct {
		AccessKeyID string `json:"access_key_id"`
	}
	json.Unmarshal([]byte(out.String()), &res)
	secrets, _ := store.NewFileStore(home, nil)
	cred, err := secrets.Get(context.Background(), "tencent/"+env.OwnerUIN+"/sas-reader")
	if err != nil {
		t.Fatal(err)
	}

	text := readFileT(t, debugLog)
	type exchange map[string]any
	var exchanges []exchange
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var rec exchange
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatalf("a debug log line is not JSON: %v\n%s", err, sc.Text())
		}
		if rec["msg"] == "api exchange" {
			exchanges = append(exchanges, rec)
		}
	}
	// Every exchange is recorded: each Security Center call, and each Tencent call made with the
	// operator's key (the Security Center emulator also calls Tencent, with the submitted key) or
	// answered by the injected fault (which the emulator records without a key).
	operatorCalls := 0
	for _, c := range env.Tencent.Calls() {
		if c.SecretID == env.TencentSecretID || (c.SecretID == "" && c.Code == "InternalError") {
			operatorCalls++
		}
	}
	loggedOperator, loggedSAS := 0, 0
	for _, x := range exchanges {
		switch {
		case x["cloud"] == "alibaba":
			loggedSAS++
		case x["secret_id"] == env.TencentSecretID[:4]+"****"+env.TencentSecretID[len(env.TencentSecretID)-4:]:
			loggedOperator++
		}
	}
	if sasCalls := len(env.SecurityCenter.Calls()); loggedSAS != sasCalls || loggedOperator != operatorCalls || operatorCalls == 0 {
		t.Errorf("the log records %d Security Center and %d operator-key Tencent exchanges; the emulators answered %d and %d", loggedSAS, loggedOperator, sasCalls, operatorCalls)
	}
	maskedID := regexp.MustCompile(`^[^*]{4}\*\*\*\*[^*]{4}$`)
	clouds := map[string]int{}
	var failed []string
	for _, x := range exchanges {
		for _, field := range []string{"cloud", "service", "action", "version", "region", "secret_id", "params", "http_status", "error_code", "error_message", "request_id", "latency_ms"} {
			if _, ok := x[field]; !ok {
				t.Errorf("exchange without %q: %v", field, x)
			}
		}
		for _, field := range []string{"service", "action", "version", "request_id"} {
			if s, _ := x[field].(string); s == "" {
				t.Errorf("exchange with an empty %q: %v", field, x)
			}
		}
		if status, _ := x["http_status"].(float64); status < 200 {
			t.Errorf("exchange without an HTTP status: %v", x)
		}
		if id, _ := x["secret_id"].(string); !maskedID.MatchString(id) {
			t.Errorf("secret_id %q is not a masked access key ID", id)
		}
		if _, ok := x["params"].(map[string]any); !ok {
			t.Errorf("params is not an object: %v", x)
		}
		if x["service"] == "cvm" && x["region"] == "" {
			t.Errorf("a regional call without its region: %v", x)
		}
		clouds[x["cloud"].(string)]++
		if code, _ := x["error_code"].(string); code != "" {
			failed = append(failed, x["cloud"].(string)+" "+x["action"].(string)+" "+code)
		}
	}
	if clouds["tencent"] == 0 || clouds["alibaba"] == 0 {
		t.Errorf("exchanges per cloud: %v; want both", clouds)
	}
	joined := strings.Join(failed, "\n")
	if !strings.Contains(joined, "tencent DescribeRegions InternalError") || !strings.Contains(joined, "alibaba ") {
		t.Errorf("the injected failures are not recorded with their codes; failed exchanges:\n%s", joined)
	}

	// Nothing that would let anyone use a key: no secret, no token, no signature, no Authorization
	// header, no Kafka password; access key IDs only masked.
	forbidden := map[string]string{
		"the sub-user's SecretKey":          cred.SecretKey.Reveal(),
		"the operator's SecretKey":          env.TencentSecretKey,
		"the Alibaba Cloud AccessKeySecret": env.AlibabaAccessKeySecret,
		"the Kafka password":                cred.SecretID + "#" + cred.SecretKey.Reveal(),
		"the sub-user's whole SecretId":     cred.SecretID,
		"the operator's whole SecretId":     env.TencentSecretID,
		"the Alibaba whole AccessKey ID":    env.AlibabaAccessKeyID,
		"a TC3 Authorization header":        "TC3-HMAC-SHA256",
		"an ACS3 Authorization header":      "ACS3-HMAC-SHA256",
		"a signature":                       "Signature=",
		"a session token header":            "X-TC-Token",
	}
	for what, s := range forbidden {
		if s != "" && strings.Contains(text, s) {
			t.Errorf("the debug log contains %s", what)
		}
	}
	if !strings.Contains(text, `"SecretKey":"****"`) {
		t.Errorf("the submitted SecretKey is not shown redacted: the search above may prove nothing")
	}
	if res.AccessKeyID != cred.SecretID {
		t.Errorf("result access key %q, stored %q", res.AccessKeyID, cred.SecretID)
	}
}
