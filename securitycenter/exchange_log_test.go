package securitycenter

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestExchangeParamsAreRedacted(t *testing.T) {
	const tencentID, tencentSecret = "AKIDabcdefghijklmnop1234", "tencent-secret-value"
	q := url.Values{"Action": {"ModifyCloudVendorAccountAK"}, "AccessKeyId": {"LTAIabcdefghijklmn9876"}, "Signature": {"c2lnbmF0dXJl"},
		"SignatureNonce": {"n"}, "SecurityToken": {"sts-token-value"}, "RegionId": {"cn-shanghai"}}
	form := url.Values{"SecretId": {tencentID}, "SecretKey": {tencentSecret}, "AuthModules": {`["HOST","CSPM"]`},
		"AuthInfo": {`{"kafkaUserName":"logset-1","kafkaPassword":"` + tencentID + `#` + tencentSecret + `"}`}, "Note": {tencentID + "#" + tencentSecret}}
	req, _ := http.NewRequest("POST", "http://127.0.0.1/?"+q.Encode(), strings.NewReader(form.Encode()))
	req.Header["content-type"] = []string{"application/x-www-form-urlencoded"} // as the SDK writes it
	body := []byte(form.Encode())
	params := requestParams(req, body)
	data, _ := json.Marshal(params)
	got := string(data)
	for _, secret := range []string{tencentSecret, tencentID, "LTAIabcdefghijklmn9876", "c2lnbmF0dXJl", "sts-token-value"} {
		if strings.Contains(got, secret) {
			t.Errorf("params keep %q: %s", secret, got)
		}
	}
	if params["SecretId"] != "AKID****1234" || params["RegionId"] != "cn-shanghai" || params["SecretKey"] != "****" {
		t.Errorf("params = %v", params)
	}
	scrub := secretsOf(req, body, "LTAIabcdefghijklmn9876")
	msg := scrub("signature mismatch: string to sign had LTAIabcdefghijklmn9876 and " + tencentSecret + " and sts-token-value")
	if strings.Contains(msg, tencentSecret) || strings.Contains(msg, "sts-token-value") || !strings.Contains(msg, "LTAI****9876") {
		t.Errorf("scrubbed message = %q", msg)
	}
}
