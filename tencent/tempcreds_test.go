package tencent

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/profile"
	cvm "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/cvm/v20170312"
	sts "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/sts/v20180813"

	"onboard/emulator/tcloud"
)

// federated asks the emulator's STS, with the root key and the official SDK, for temporary credentials.
func federated(t *testing.T, endpoint, rootID, rootKey string) Credential {
	t.Helper()
	p := profile.NewClientProfile()
	p.HttpProfile.Scheme, p.HttpProfile.Endpoint = "HTTP", strings.TrimPrefix(endpoint, "http://")
	cl, err := sts.NewClient(common.NewCredential(rootID, rootKey), "ap-guangzhou", p)
	if err != nil {
		t.Fatal(err)
	}
	req := sts.NewGetFederationTokenRequest()
	req.Name = common.StringPtr("operator")
	req.Policy = common.StringPtr(url.QueryEscape(`{"version":"2.0","statement":[{"effect":"allow","action":["*"],"resource":["*"]}]}`))
	resp, err := cl.GetFederationToken(req)
	if err != nil {
		t.Fatalf("GetFederationToken: %v", err)
	}
	c := resp.Response.Credentials
	return Credential{SecretID: *c.TmpSecretId, SecretKey: SecretKey(*c.TmpSecretKey), Token: SecretKey(*c.Token)}
}

// A temporary key works with its token, sent as X-TC-Token, and is refused without it; the identity it
// reports is a temporary one, not a root key.
func TestTemporaryCredentialsSendTheirToken(t *testing.T) {
	_, emu, endpoint := newEmulated(t)
	rootID, rootKey := emu.RootKey()
	temp := federated(t, endpoint, rootID, rootKey)
	newClient := func(c Credential) *Client {
		cl, err := New(Options{Credential: c, Endpoint: endpoint, Retry: Retry{Attempts: 1}})
		if err != nil {
			t.Fatal(err)
		}
		return cl
	}
	id, err := newClient(temp).Identify(context.Background())
	if err != nil {
		t.Fatalf("with the token: %v", err)
	}
	if id.IsRoot() || !id.IsTemporary() || id.OwnerUIN != fmt.Sprint(emu.OwnerUIN()) {
		t.Errorf("identity of the federated key: %+v", id)
	}
	withoutToken := temp
	withoutToken.Token = ""
	if _, err := newClient(withoutToken).Identify(context.Background()); !errors.Is(err, ErrAuth) || !strings.Contains(err.Error(), "AuthFailure.TokenFailure") {
		t.Errorf("without the token: %v", err)
	}

	// The token is a secret: no way of printing a credential shows it.
	for _, text := range []string{fmt.Sprint(temp), fmt.Sprintf("%+v", temp), fmt.Sprintf("%#v", temp), mustJSON(t, temp)} {
		if strings.Contains(text, temp.Token.Reveal()) || strings.Contains(text, temp.SecretKey.Reveal()) {
			t.Errorf("printed credential shows a secret: %s", text)
		}
	}
}

func mustJSON(t *testing.T, v any) string {
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// A tccli profile's token is read and sent.
func TestTccliProfileTokenIsSent(t *testing.T) {
	_, emu, endpoint := newEmulated(t)
	rootID, rootKey := emu.RootKey()
	temp := federated(t, endpoint, rootID, rootKey)
	home := t.TempDir()
	os.MkdirAll(filepath.Join(home, ".tccli"), 0o700)
	profileJSON, _ := json.Marshal(map[string]string{"secretId": temp.SecretID, "secretKey": temp.SecretKey.Reveal(), "token": temp.Token.Reveal()})
	os.WriteFile(filepath.Join(home, ".tccli", "temp.credential"), profileJSON, 0o600)
	cred, _, err := ResolveCredentials(CredentialSources{Profile: "temp", Home: home})
	if err != nil || !cred.Temporary() {
		t.Fatalf("tccli profile: %v, temporary %v", err, cred.Temporary())
	}
	cl, err := New(Options{Credential: cred, Endpoint: endpoint, Retry: Retry{Attempts: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cl.CallerIdentity(context.Background()); err != nil {
		t.Fatalf("the profile's temporary key: %v", err)
	}
}

// STS requires a Region: the client sends one for GetCallerIdentity, and the emulator refuses a call
// without it.
func TestCallerIdentitySendsARegion(t *testing.T) {
	c, emu, endpoint := newEmulated(t)
	emu.ResetCalls()
	if _, err := c.CallerIdentity(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, call := range emu.Calls() {
		if call.Service == "sts" && call.Region == "" {
			t.Errorf("STS %s was sent without a Region", call.Action)
		}
	}
	rootID, rootKey := emu.RootKey()
	p := profile.NewClientProfile()
	p.HttpProfile.Scheme, p.HttpProfile.Endpoint = "HTTP", strings.TrimPrefix(endpoint, "http://")
	noRegion, _ := sts.NewClient(common.NewCredential(rootID, rootKey), "", p)
	if _, err := noRegion.GetCallerIdentity(sts.NewGetCallerIdentityRequest()); err == nil || !strings.Contains(err.Error(), "MissingParameter") {
		t.Errorf("GetCallerIdentity without a Region: %v", err)
	}
}

// The official Go SDK's other ways of signing meet the emulator's reading of the signing page: GET
// (parameters in the signed query, empty payload) and UNSIGNED-PAYLOAD (accepted by default, refused in
// the other reading, where the tool still works because it always signs its body).
func TestOfficialSDKGetAndUnsignedPayload(t *testing.T) {
	for _, unsigned := range []tcloud.UnsignedPayload{tcloud.UnsignedAccepted, tcloud.UnsignedRefused} {
		emu := tcloud.New(tcloud.Options{UnsignedPayload: unsigned})
		hs := httptest.NewServer(emu)
		defer hs.Close()
		rootID, rootKey := emu.RootKey()
		sdk := func(method string, unsignedPayload bool) *sts.Client {
			p := profile.NewClientProfile()
			p.HttpProfile.Scheme, p.HttpProfile.Endpoint = "HTTP", strings.TrimPrefix(hs.URL, "http://")
			p.HttpProfile.ReqMethod = method
			p.UnsignedPayload = unsignedPayload
			cl, _ := sts.NewClient(common.NewCredential(rootID, rootKey), "ap-guangzhou", p)
			return cl
		}
		if _, err := sdk("GET", false).GetCallerIdentity(sts.NewGetCallerIdentityRequest()); err != nil {
			t.Errorf("GET signed by the SDK: %v", err)
		}
		_, err := sdk("POST", true).GetCallerIdentity(sts.NewGetCallerIdentityRequest())
		if unsigned == tcloud.UnsignedAccepted && err != nil {
			t.Errorf("UNSIGNED-PAYLOAD, accepted reading: %v", err)
		}
		if unsigned == tcloud.UnsignedRefused && (err == nil || !strings.Contains(err.Error(), "AuthFailure.SignatureFailure")) {
			t.Errorf("UNSIGNED-PAYLOAD, refused reading: %v", err)
		}
		cl, err := New(Options{Credential: Credential{SecretID: rootID, SecretKey: SecretKey(rootKey)}, Endpoint: hs.URL, Retry: Retry{Attempts: 1}, Timeout: 10 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := cl.Identify(context.Background()); err != nil {
			t.Errorf("the tool's client with unsigned payloads %v: %v", unsigned, err)
		}
	}
}

// Parameters sent by GET (numbers, lists, lists of objects, flattened in the signed query) reach the
// actions as a POST body would: the official SDK's GET and POST answers agree.
func TestOfficialSDKGetCarriesTypedParameters(t *testing.T) {
	emu := tcloud.New(tcloud.Options{})
	emu.SeedCVM("ap-guangzhou", 5)
	hs := httptest.NewServer(emu)
	defer hs.Close()
	rootID, rootKey := emu.RootKey()
	count := func(method string, req *cvm.DescribeInstancesRequest) (int, error) {
		p := profile.NewClientProfile()
		p.HttpProfile.Scheme, p.HttpProfile.Endpoint = "HTTP", strings.TrimPrefix(hs.URL, "http://")
		p.HttpProfile.ReqMethod = method
		cl, _ := cvm.NewClient(common.NewCredential(rootID, rootKey), "ap-guangzhou", p)
		resp, err := cl.DescribeInstances(req)
		if err != nil {
			return 0, err
		}
		return len(resp.Response.InstanceSet), nil
	}
	req := cvm.NewDescribeInstancesRequest()
	req.Limit, req.Offset = common.Int64Ptr(2), common.Int64Ptr(1)
	req.Filters = []*cvm.Filter{{Name: common.StringPtr("zone"), Values: common.StringPtrs([]string{"ap-guangzhou-3"})}}
	get, err := count("GET", req)
	if err != nil {
		t.Fatalf("GET DescribeInstances: %v", err)
	}
	post, err := count("POST", req)
	if err != nil || get != post || get != 2 {
		t.Errorf("GET gave %d instances, POST %d (%v); want 2 both", get, post, err)
	}
	req.Limit = nil
	req.InstanceIds = common.StringPtrs([]string{"ins-1"})
	if _, err := count("GET", req); err == nil || !strings.Contains(err.Error(), "InvalidParameterCoexistInstanceIdsFilters") {
		t.Errorf("GET with both InstanceIds and Filters: %v", err)
	}
}
