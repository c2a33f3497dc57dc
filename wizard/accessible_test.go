package wizard

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
)

// The accessible mode asks the same screens as numbered line prompts; empty lines keep the defaults.
func TestAccessibleRun(t *testing.T) {
	f := newFake()
	// site 2 (outside), then defaults everywhere except: features 1,3 (host, SOC), the sub-user name, and
	// the root key deleted.
	input := strings.Join([]string{
		"2",      // site
		"",       // mode
		"1,3",    // features
		"",       // Tencent key
		"x y",    // invalid user name: asked again
		"secops", // user
		"",       // grants: Enter
		"", "",   // Security Center: key, name
		"", "", // regions, default site
		"", "", // frequencies: host sync, AK check (no cloud-service sync without CSPM)
		"",  // review
		"3", // root key: delete
		"",  // sync done
		"",  // summary
	}, "\n") + "\n"
	var out bytes.Buffer
	r, err := Run(context.Background(), f.deps(), Options{In: strings.NewReader(input), Out: &out, Accessible: true})
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	a := r.Answers
	if !r.Applied || a.Site != SiteOutside || strings.Join(a.Features, ",") != "host,soc" || a.UserName != "secops" || a.RootKey != RootKeyDelete {
		t.Errorf("result %+v\n%s", r, out.String())
	}
	o := out.String()
	for _, s := range []string{"== Step 1 of", "Outside the Chinese mainland", "error: user name \"x y\"", "[done] Create sub-user", "Onboarding complete", "synced cvm: 2"} {
		if !strings.Contains(o, s) {
			t.Errorf("output lacks %q", s)
		}
	}
	if strings.Contains(o, "\x1b[") {
		t.Error("accessible output holds escape sequences")
	}
	if strings.Contains(o, "tencent-secret-value") || strings.Contains(o, "alibaba-secret-value") {
		t.Error("accessible output holds a secret")
	}
}

func TestAccessibleEOFCancels(t *testing.T) {
	var out bytes.Buffer
	_, err := Run(context.Background(), newFake().deps(), Options{In: strings.NewReader("1\n"), Out: &out, Accessible: true})
	if !errors.Is(err, ErrCancelled) {
		t.Errorf("err = %v", err)
	}
}
