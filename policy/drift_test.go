package policy

import (
	"bytes"
	"strings"
	"testing"
)

func TestCanonicalEquivalent(t *testing.T) {
	a := `{"version":"2.0","statement":[
		{"effect":"allow","action":["cvm:DescribeRegions","cvm:DescribeInstances"],"resource":["*"]},
		{"effect":"deny","action":"cls:SearchLog","resource":"qcs::cls:ap-guangzhou:uin/1:topic/x","condition":{"ip_not_equal":{"qcs:ip":["10.0.0.0/8","192.168.0.0/16"]}}}]}`
	b := `{
	  "statement": [
	    {"resource": "qcs::cls:ap-guangzhou:uin/1:topic/x", "effect": "deny", "action": ["name/cls:SearchLog"],
	     "condition": {"ip_not_equal": {"qcs:ip": ["192.168.0.0/16", "10.0.0.0/8"]}}},
	    {"effect": "allow", "action": ["name/CVM:DescribeInstances", "cvm:DescribeRegions", "cvm:DescribeInstances"], "resource": "*"},
	    {"effect": "allow", "action": ["cvm:DescribeInstances", "cvm:DescribeRegions"], "resource": "*"}
	  ],
	  "version": "2.0"
	}`
	ca, err := Canonical([]byte(a))
	if err != nil {
		t.Fatal(err)
	}
	cb, err := Canonical([]byte(b))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(ca, cb) {
		t.Errorf("canonical forms differ:\n%s\n%s", ca, cb)
	}
	if _, err := Parse(ca); err != nil {
		t.Errorf("canonical form does not parse: %v", err)
	}
	d, err := Diff([]byte(a), []byte(b))
	if err != nil || d.Changed || len(d.Lines) != 0 {
		t.Errorf("Diff of equivalent documents = %+v, %v", d, err)
	}
}

func TestDiffShowsChanges(t *testing.T) {
	want, err := Render(CSPMPolicy, Values{})
	if err != nil {
		t.Fatal(err)
	}
	live := strings.Replace(string(want), `"cbs:DescribeDisks",`, `"cbs:DescribeDiskConfigQuota",`, 1)
	d, err := Diff([]byte(live), want)
	if err != nil {
		t.Fatal(err)
	}
	wantLines := []string{"- allow cbs:DescribeDiskConfigQuota on *", "+ allow cbs:DescribeDisks on *"}
	if !d.Changed || strings.Join(d.Lines, "\n") != strings.Join(wantLines, "\n") {
		t.Errorf("Diff = %+v, want lines %q", d, wantLines)
	}

	// A changed scope and a condition show up per grant.
	liveCIEM, _ := Render(CIEMPolicy, testValues)
	other := testValues
	other.TopicID = "other-topic"
	wantCIEM, _ := Render(CIEMPolicy, other)
	d, err = Diff(liveCIEM, wantCIEM)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Lines) != 8 || !strings.HasPrefix(d.Lines[0], "- allow cls:DescribeKafkaConsumer on qcs::cls:ap-guangzhou:uin/100004375281:topic/002dbab1") {
		t.Errorf("Diff lines = %q", d.Lines)
	}
	cond := `{"version":"2.0","statement":[{"effect":"allow","action":"cvm:DescribeRegions","resource":"*","condition":{"ip_equal":{"qcs:ip":"10.0.0.0/8"}}}]}`
	plain := `{"version":"2.0","statement":[{"effect":"allow","action":"cvm:DescribeRegions","resource":"*"}]}`
	d, _ = Diff([]byte(plain), []byte(cond))
	if strings.Join(d.Lines, "|") != "- allow cvm:DescribeRegions on *|+ allow cvm:DescribeRegions on * if ip_equal qcs:ip 10.0.0.0/8" {
		t.Errorf("condition diff = %q", d.Lines)
	}
	if _, err := Diff([]byte(`{}`), want); err == nil || !strings.Contains(err.Error(), "live") {
		t.Errorf("Diff with a bad live document = %v", err)
	}
}

func TestNormalizeDoesNotMutate(t *testing.T) {
	doc := mustParse(t, `{"version":"2.0","statement":[{"effect":"allow","action":["b:B","a:A"],"resource":["*"]}]}`)
	n := Normalize(doc)
	if doc.Statements[0].Actions[0] != "b:B" || n.Statements[0].Actions[0] != "a:A" {
		t.Errorf("Normalize: original %v, normalised %v", doc.Statements[0].Actions, n.Statements[0].Actions)
	}
	if Normalize(nil) != nil {
		t.Error("Normalize(nil) != nil")
	}
}
