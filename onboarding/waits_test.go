package onboarding

import (
	"context"
	"testing"

	"onboard/policy"
)

// The first sync lists with the sub-user's key, whose grants leave the region service out: it asks each
// product for its regions directly (CVM's answer once for the products that share it) instead of
// starting with a refused region lookup per product.
func TestTheFirstSyncMakesNoRefusedRegionLookup(t *testing.T) {
	f := newFixture(t)
	req := Request{Mode: ModeManual, Features: []string{policy.FeatureHost, policy.FeatureCSPM}, CSPMPolicy: policy.CSPMCustom,
		SubUser: "sas-reader", SecurityCenter: SecurityCenterSkip}
	res, err := f.engine.Apply(context.Background(), req, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.FirstSync == nil || res.FirstSync.Counts["cvm.instance"] != 3 {
		t.Fatalf("first sync: %+v", res.FirstSync)
	}
	cvmRegions := 0
	for _, c := range f.emu.Calls() {
		if c.SecretID != res.AccessKeyID {
			continue
		}
		if c.Service == "region" || c.Code != "" {
			t.Errorf("the sub-user's key called %s:%s, answered %q", c.Service, c.Action, c.Code)
		}
		if c.Service == "cvm" && c.Action == "DescribeRegions" {
			cvmRegions++
		}
	}
	if cvmRegions != 1 {
		t.Errorf("the first sync asked CVM for its regions %d times, want once for every product that shares them", cvmRegions)
	}
}
