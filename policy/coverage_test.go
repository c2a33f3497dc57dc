package policy

import (
	"slices"
	"strings"
	"testing"
)

// TestCSPMPolicyCoversTheCheckedProducts lists the products CSPM checks read, each with its source, and
// proves cspmPolicy grants every read listed for a covered product and only reads; a product it does not
// cover says why, and stops being a gap only when the template covers it.
func TestCSPMPolicyCoversTheCheckedProducts(t *testing.T) {
	tmpl, err := Template(CSPMPolicy)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := Parse(tmpl)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range doc.Statements {
		for _, a := range s.Actions {
			if s.Effect == Allow && !ReadOnlyAction(a) {
				t.Errorf("cspmPolicy allows %s, which is not a read", a)
			}
		}
	}
	granted := map[string]bool{}
	for _, p := range CSPMProducts() {
		if !strings.HasPrefix(p.Source, "https://") {
			t.Errorf("%s: no documentation source", p.Product)
		}
		if p.Gap != "" {
			t.Logf("NOT COVERED %-60s %s (%s)", p.Product, p.Gap, p.Source)
			if len(p.Actions) != 0 {
				t.Errorf("%s is a gap yet lists actions", p.Product)
			}
			continue
		}
		t.Logf("covered     %-60s %s (%s)", p.Product, strings.Join(p.Actions, ", "), p.Source)
		for _, a := range p.Actions {
			granted[a] = true
			if !ReadOnlyAction(a) {
				t.Errorf("%s: %s is not a read", p.Product, a)
			}
			if !ActionExists(a) {
				t.Errorf("%s: %s is not a known action", p.Product, a)
			}
			if !GrantsAllow([]string{CSPMPolicy}, a) {
				t.Errorf("%s: cspmPolicy does not grant %s", p.Product, a)
			}
		}
	}
	// Every read the template grants belongs to a listed product, so the list is the template's whole scope.
	for _, s := range doc.Statements {
		for _, a := range s.Actions {
			if !granted[a] {
				t.Errorf("cspmPolicy grants %s, which no listed product needs", a)
			}
		}
	}
}

func TestCoverageAgainstThePreset(t *testing.T) {
	tmpl, _ := Template(CSPMPolicy)
	covered, presetOnly, err := Coverage(tmpl, []string{PresetCloudResourceReadOnly, PresetCamReadOnly})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"cvm", "vpc", "cbs", "clb", "cdb", "cam", "lighthouse", "cloudaudit", "cls"} {
		if !slices.Contains(covered, s) {
			t.Errorf("covered %v lacks %s", covered, s)
		}
	}
	for _, s := range []string{"monitor", "tag", "cfw", "waf"} {
		if !slices.Contains(presetOnly, s) {
			t.Errorf("preset-only %v lacks %s", presetOnly, s)
		}
	}
}

func TestReadOnlyAction(t *testing.T) {
	for a, want := range map[string]bool{"cvm:DescribeInstances": true, "cam:ListUsers": true, "cam:GetPolicy": true, "name/cvm:InquiryPriceRunInstances": true,
		"cvm:RunInstances": false, "cam:AddUser": false, "cvm:Describe": true, "cvm": false, "cos:PutBucketACL": false} {
		if got := ReadOnlyAction(a); got != want {
			t.Errorf("%s: %v, want %v", a, got, want)
		}
	}
}
