package sas

import (
	"net/http"
	"net/url"
	"testing"
	"time"
)

func TestFaultRulesByProbabilityNthAndDelay(t *testing.T) {
	emu, hs, _, _ := newTestServer(t)
	lang := url.Values{"Lang": {"en"}}
	emu.AddFaults([]FaultRule{
		{Action: "sas:ListCloudVendorRegions", Fault: "ServiceUnavailable", Probability: 1},
		{Action: "GetSupportedModules", Fault: "InternalError", Nth: 2},
		{Action: "DescribeVendorList", Fault: FaultDelay, Delay: 300 * time.Millisecond, Nth: 1},
	})
	for i := 0; i < 3; i++ {
		if a := acs3(t, hs.URL, "ListCloudVendorRegions", url.Values{"Vendor": {"Tencent"}}, testKeyID, testSecret, time.Now(), nonce()); a.Status != 503 || a.code() != "ServiceUnavailable" {
			t.Fatalf("p=1, call %d: %+v", i+1, a)
		}
	}
	for i, want := range []int{200, 500, 200} {
		if a := acs3(t, hs.URL, "GetSupportedModules", lang, testKeyID, testSecret, time.Now(), nonce()); a.Status != want {
			t.Errorf("nth=2, call %d: %d, want %d", i+1, a.Status, want)
		}
	}
	start := time.Now()
	if a := acs3(t, hs.URL, "DescribeVendorList", nil, testKeyID, testSecret, time.Now(), nonce()); a.Status != 200 || time.Since(start) < 300*time.Millisecond {
		t.Errorf("delay: %d after %v", a.Status, time.Since(start))
	}
}

// A lost answer: the action runs (the account is added), the caller gets no answer, and Then ran
// before the connection closed.
func TestALostAnswerIsMadeButNeverAnswered(t *testing.T) {
	emu, hs, _, _ := newTestServer(t)
	called := make(chan struct{}, 1)
	emu.AddFaults([]FaultRule{{Action: "sas:SetSyncRefreshRegion", Fault: FaultLost, Nth: 1, Then: func() { called <- struct{}{} }}})
	q := url.Values{"Vendor": {"Tencent"}, "RegionIds.1": {"ap-guangzhou"}}
	req, _ := http.NewRequest(http.MethodPost, hs.URL+"/?"+q.Encode(), nil)
	req.Header.Set("x-acs-action", "SetSyncRefreshRegion")
	signACS3(req, nil, testKeyID, testSecret, time.Now(), nonce())
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("the lost call was answered: HTTP %d", resp.StatusCode)
	}
	select {
	case <-called:
	default:
		t.Error("Then was not called before the connection closed")
	}
	st := emu.State()
	if regions := st.Accounts[0].Sites[SiteOutside].SyncRegions["Tencent"]; len(regions) != 1 {
		t.Fatalf("the lost call was not made: %+v", st.Accounts[0].Sites[SiteOutside].SyncRegions)
	}
}
