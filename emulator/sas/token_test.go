package sas

import (
	"net/http"
	"net/url"
	"testing"
	"time"
)

// A temporary (STS) AccessKey works only with its security token, in the ACS3 header and in the legacy
// signature's SecurityToken parameter; a long-term key takes none.
func TestTemporaryAccessKeysNeedTheirSecurityToken(t *testing.T) {
	emu, hs, _, _ := newTestServer(t)
	const stsID, stsSecret, token = "STS.NUemulatorTemporaryKey", "temporary-secret", "CAIS-emulator-security-token"
	if err := emu.AddTemporaryAccessKey(testKeyID, stsID, stsSecret, token); err != nil {
		t.Fatal(err)
	}
	if err := emu.AddTemporaryAccessKey("LTAInobody", "STS.x", "s", "t"); err == nil {
		t.Error("a temporary key was derived from an unknown key")
	}
	acs3With := func(keyID, secret, token string) answer {
		req, _ := http.NewRequest(http.MethodPost, hs.URL+"/", nil)
		req.Header.Set("x-acs-action", "DescribeVendorList")
		if token != "" {
			req.Header.Set("x-acs-security-token", token)
		}
		signACS3(req, nil, keyID, secret, time.Now(), nonce())
		return send(t, req)
	}
	v1With := func(keyID, secret, token string) answer {
		p := url.Values{"Action": {"DescribeVendorList"}}
		if token != "" {
			p.Set("SecurityToken", token)
		}
		signV1("GET", p, keyID, secret, time.Now(), nonce())
		req, _ := http.NewRequest(http.MethodGet, hs.URL+"/?"+p.Encode(), nil)
		return send(t, req)
	}
	for name, tt := range map[string]struct {
		keyID, secret, token string
		status               int
		code                 string
	}{
		"temporary key with its token":    {stsID, stsSecret, token, 200, ""},
		"temporary key without its token": {stsID, stsSecret, "", 400, "MissingSecurityToken"},
		"temporary key, another token":    {stsID, stsSecret, token + "x", 400, "InvalidSecurityToken.MismatchWithAccessKey"},
		"long-term key with a token":      {testKeyID, testSecret, token, 400, "InvalidSecurityToken.MismatchWithAccessKey"},
	} {
		for scheme, send := range map[string]func(string, string, string) answer{"ACS3": acs3With, "v1": v1With} {
			if a := send(tt.keyID, tt.secret, tt.token); a.Status != tt.status || a.code() != tt.code {
				t.Errorf("%s, %s: %d %q, want %d %q", name, scheme, a.Status, a.code(), tt.status, tt.code)
			}
		}
	}
}

// ACS3: every x-acs-* header sent must be signed, or the request is refused.
func TestEveryACS3HeaderMustBeSigned(t *testing.T) {
	_, hs, _, _ := newTestServer(t)
	for _, header := range []string{"x-acs-credentials-provider", "x-acs-action"} {
		req, _ := http.NewRequest(http.MethodPost, hs.URL+"/", nil)
		req.Header.Set("x-acs-action", "DescribeVendorList")
		if header != "x-acs-action" {
			signACS3(req, nil, testKeyID, testSecret, time.Now(), nonce())
			req.Header.Set(header, "static_ak") // added after signing: not in SignedHeaders
		} else {
			req.Header.Del("x-acs-action")
			signACS3(req, nil, testKeyID, testSecret, time.Now(), nonce())
			req.Header.Set("x-acs-action", "DescribeVendorList")
		}
		if a := send(t, req); a.Status != 400 || a.code() != "IncompleteSignature" {
			t.Errorf("%s unsigned: %d %q, want 400 IncompleteSignature", header, a.Status, a.code())
		}
	}
}
