package wizard

import (
	"errors"
	"testing"
)

func TestSyncTallySumsRegionsPerKindInTheInventoryOrder(t *testing.T) {
	tally := NewSyncTally([]string{"cvm.instance", "vpc.vpc", "cam.user"})
	denied := errors.New("UnauthorizedOperation: not allowed")
	for _, p := range []RegionProgress{
		{Kind: "vpc.vpc", Region: "ap-guangzhou", Seen: 3, Total: 5},
		{Kind: "cvm.instance", Region: "ap-guangzhou", Seen: 100, Total: 250},
		{Kind: "cvm.instance", Region: "ap-beijing", Seen: 100, Total: 120},
		{Kind: "cvm.instance", Region: "ap-guangzhou", Seen: 200, Total: 250}, // a later page replaces the earlier
		{Kind: "cvm.instance", Region: "ap-beijing", Seen: 120, Total: 120, Done: true},
		{Kind: "vpc.vpc", Region: "ap-guangzhou", Seen: 5, Total: 5, Done: true},
		{Kind: "vpc.vpc", Region: "ap-beijing", Seen: 0, Total: -1, Done: true, Failed: true, Err: denied},
		{Kind: "lighthouse.instance", Region: "ap-beijing", Seen: 0, Total: -1}, // not in the order: last
	} {
		tally.Add(p)
	}
	got := tally.Kinds()
	if len(got) != 3 {
		t.Fatalf("kinds %+v, want cvm.instance, vpc.vpc, lighthouse.instance", got)
	}
	cvm, vpc, lh := got[0], got[1], got[2]
	if cvm.Kind != "cvm.instance" || cvm.Seen != 320 || cvm.Total != 370 || !cvm.TotalKnown || cvm.Regions != 2 || cvm.Ended != 1 || cvm.Finished() {
		t.Errorf("cvm.instance %+v", cvm)
	}
	if f := cvm.Fraction(); f < 0.86 || f > 0.87 {
		t.Errorf("cvm.instance fraction %.3f, want 320/370", f)
	}
	if vpc.Kind != "vpc.vpc" || vpc.Seen != 5 || vpc.Total != 5 || vpc.TotalKnown || !vpc.Finished() || vpc.Failed != 1 || !errors.Is(vpc.Err, denied) {
		t.Errorf("vpc.vpc %+v", vpc)
	}
	if lh.Kind != "lighthouse.instance" || lh.TotalKnown || lh.Fraction() != 0 {
		t.Errorf("lighthouse.instance %+v", lh)
	}
	sum := tally.Sum()
	if sum.Seen != 325 || sum.Total != 375 || sum.TotalKnown || sum.Regions != 5 || sum.Ended != 3 || sum.Failed != 1 || !errors.Is(sum.Err, denied) {
		t.Errorf("sum %+v", sum)
	}
}

func TestSyncTallyIgnoresEventsAfterARegionEnded(t *testing.T) {
	tally := NewSyncTally(nil)
	tally.Add(RegionProgress{Kind: "cbs.disk", Region: "ap-shanghai", Seen: 40, Total: 40, Done: true})
	tally.Add(RegionProgress{Kind: "cbs.disk", Region: "ap-shanghai", Seen: 10, Total: 40})
	k := tally.Kinds()[0]
	if k.Seen != 40 || k.Ended != 1 || !k.Finished() || k.Fraction() != 1 {
		t.Errorf("after a late event: %+v", k)
	}
}

func TestKindProgressFractionOfAFailedKindIsWhatWasStored(t *testing.T) {
	k := KindProgress{Seen: 50, Total: 200, TotalKnown: true, Regions: 1, Ended: 1, Failed: 1}
	if f := k.Fraction(); f != 0.25 {
		t.Errorf("fraction %.2f, want 0.25: a failed kind is not shown full", f)
	}
}
