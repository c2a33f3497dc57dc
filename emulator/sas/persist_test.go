package sas

import (
	"net/http/httptest"
	"net/url"
	"strconv"
	"testing"
	"time"
)

// What the service holds is saved and loaded into a fresh server: the connected account, its modules and
// key, and a later ModifyCloudVendorAccountAK finds it. A check that was still running when the state was
// saved is loaded as timed out, as the service reports a check that never finished.
func TestSavedStateLoadsIntoAFreshServer(t *testing.T) {
	emu, hs, tc, tcURL := newTestServer(t)
	id, key := subUserKey(t, tc, tcURL, "sas", 243334) // QcloudCVMReadOnlyAccess
	a := acs3(t, hs.URL, "AddCloudVendorAccountAK", url.Values{"Vendor": {"Tencent"}, "AkType": {"sub"}, "SecretId": {id},
		"SecretKey": {key}, "AuthModules.1": {"HOST"}}, testKeyID, testSecret, time.Now(), nonce())
	if a.Status != 200 {
		t.Fatalf("add: %+v", a)
	}
	data, _ := a.Body["Data"].(map[string]any)
	authID := int64(data["AuthId"].(float64))
	saved, err := emu.SaveState()
	if err != nil {
		t.Fatal(err)
	}

	fresh := New(Options{TencentEndpoint: tcURL})
	t.Cleanup(fresh.Close)
	fresh.AddAccessKey("1234567890123456", testKeyID, testSecret)
	if err := fresh.LoadState(saved); err != nil {
		t.Fatal(err)
	}
	got := fresh.State().Accounts[0].Sites[SiteOutside].CloudAccounts
	if len(got) != 1 || got[0].AuthID != authID || got[0].Modules[0].Module != "HOST" {
		t.Fatalf("loaded accounts %+v", got)
	}
	if got[0].ServiceStatus == statusValidating || (got[0].ServiceStatus == statusError && got[0].Modules[0].Status != statusTimeout) {
		t.Errorf("a loaded account is still validating, or failed otherwise than timed out: %+v", got[0])
	}
	fhs := httptest.NewServer(fresh)
	t.Cleanup(fhs.Close)
	m := acs3(t, fhs.URL, "ModifyCloudVendorAccountAK", url.Values{"AuthIds": {strconv.FormatInt(authID, 10)},
		"SecretId": {id}, "SecretKey": {key}}, testKeyID, testSecret, time.Now(), nonce())
	if m.Status != 200 {
		t.Errorf("modify the loaded account: %+v", m)
	}
	again := acs3(t, fhs.URL, "AddCloudVendorAccountAK", url.Values{"Vendor": {"Tencent"}, "AkType": {"sub"}, "SecretId": {id},
		"SecretKey": {key}, "AuthModules.1": {"HOST"}}, testKeyID, testSecret, time.Now(), nonce())
	if again.code() != "CloudVendorAccount.AlreadyExists" {
		t.Errorf("the loaded account is not seen by a second add: %+v", again)
	}
	if err := New(Options{}).LoadState([]byte(`{"accounts": {"1": {"moon": {}}}}`)); err == nil {
		t.Error("a state with an unknown site loaded")
	}
}
