package sas

import (
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
