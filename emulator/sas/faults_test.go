package sas

import "testing"

func TestFaultsByCountAndProbability(t *testing.T) {
	s := New(Options{})
	defer s.Close()
	took := 0
	s.FailNth("AddCloudVendorAccountAK", FaultLost, 2, func() { took++ })
	if f := s.takeFault("AddCloudVendorAccountAK"); f != nil {
		t.Errorf("first call got %v", f.code)
	}
	if f := s.takeFault("DescribeCloudVendorAccountAKList"); f != nil {
		t.Errorf("another action matched: %v", f.code)
	}
	f := s.takeFault("AddCloudVendorAccountAK")
	if f == nil || f.code != FaultLost {
		t.Fatalf("second call: %v", f)
	}
	f.took()
	if took != 1 || s.takeFault("AddCloudVendorAccountAK") != nil {
		t.Errorf("then ran %d times; a third call matched", took)
	}
	s.ClearFaults()
	s.FailRandomly("", "InternalError", 0.25)
	hit := 0
	for range 4000 {
		if s.takeFault("ListCloudVendorRegions") != nil {
			hit++
		}
	}
	if hit < 800 || hit > 1200 {
		t.Errorf("p=0.25 hit %d of 4000 calls", hit)
	}
}
