package sas

import (
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"onboard/emulator/tcloud"
)

// settled waits for the account's validation to end and returns it.
func settled(t *testing.T, emu *Server) CloudAccount {
	t.Helper()
	var acct CloudAccount
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		acct = emu.State().Accounts[0].Sites[SiteOutside].CloudAccounts[0]
		if acct.ServiceStatus != statusValidating {
			break
		}
	}
	return acct
}

// Security Center checks a key against Tencent Cloud, so it sees CAM's propagation delay: a key younger
// than the delay is refused as unknown, and submitting it again once the delay has passed validates it.
func TestSecurityCenterSeesCAMsPropagationDelay(t *testing.T) {
	const delay = time.Second
	tc := tcloud.New(tcloud.Options{Propagation: delay})
	tcs := httptest.NewServer(tc)
	t.Cleanup(tcs.Close)
	emu := New(Options{TencentEndpoint: tcs.URL})
	t.Cleanup(emu.Close)
	emu.AddAccessKey("1234567890123456", testKeyID, testSecret)
	hs := httptest.NewServer(emu)
	t.Cleanup(hs.Close)

	id, key := subUserKey(t, tc, tcs.URL, "sas-reader", 243334) // QcloudCVMReadOnlyAccess
	created := time.Now()
	q := url.Values{"Vendor": {"Tencent"}, "AkType": {"sub"}, "SecretId": {id}, "SecretKey": {key}, "AuthModules.1": {"HOST"}}
	a := acs3(t, hs.URL, "AddCloudVendorAccountAK", q, testKeyID, testSecret, time.Now(), nonce())
	if a.Status != 200 {
		t.Fatalf("add: %+v", a)
	}
	if time.Since(created) >= delay {
		t.Fatalf("adding the key took %s, longer than CAM's delay: the test cannot observe it", time.Since(created))
	}
	authID := a.Body["Data"].(map[string]any)["AuthId"].(float64)
	if acct := settled(t, emu); acct.ServiceStatus != statusError || !strings.Contains(acct.Message, "AuthFailure.SecretIdNotFound") {
		t.Fatalf("a key younger than CAM's delay: %+v", acct)
	}
	time.Sleep(time.Until(created.Add(delay + 100*time.Millisecond)))
	q = url.Values{"AuthIds": {strconv.FormatFloat(authID, 'f', 0, 64)}, "SecretId": {id}, "SecretKey": {key}, "AuthModules.1": {"HOST"}}
	if a := acs3(t, hs.URL, "ModifyCloudVendorAccountAK", q, testKeyID, testSecret, time.Now(), nonce()); a.Status != 200 {
		t.Fatalf("modify: %+v", a)
	}
	if acct := settled(t, emu); acct.ServiceStatus != statusNormal || acct.VendorUID != "100000000001" {
		t.Fatalf("the key submitted again after CAM's delay: %+v", acct)
	}
}
