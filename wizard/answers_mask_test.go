package wizard

import "testing"

func TestAMaskedIDDoesNotRevealItsLength(t *testing.T) {
	short, long := MaskID("AKIDabcd12345678"), MaskID("AKIDabcdefghijklmnopqrstuvwx5678")
	if short != "AKID****5678" || long != "AKID****5678" {
		t.Errorf("masks %q and %q; want the same fixed mask", short, long)
	}
	if MaskID("short") != "****" {
		t.Errorf("a short ID masks to %q", MaskID("short"))
	}
}
