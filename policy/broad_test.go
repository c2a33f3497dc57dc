package policy

import (
	"strings"
	"testing"
)

func TestBroadFindsWhatAReadOnlyKeyShouldNotHold(t *testing.T) {
	tests := []struct {
		name, doc string
		want      []string // one entry per broad statement: a substring of its description
	}{
		{CSPMPolicy, `{"version":"2.0","statement":[{"effect":"allow","action":["*"],"resource":["*"]}]}`, []string{"statement 1 allows every action (*)"}},
		{CSPMPolicy, `{"version":"2.0","statement":[{"effect":"allow","action":["cvm:DescribeInstances"],"resource":["*"]},
			{"effect":"allow","action":["cam:*"],"resource":["*"]}]}`, []string{"statement 2 allows CAM write actions cam:AddUser"}},
		{CSPMPolicy, `{"version":"2.0","statement":[{"effect":"allow","action":["cvm:RunInstances"],"resource":["*"],
			"condition":{"ip_equal":{"qcs:ip":["10.0.0.1"]}}}]}`, []string{"statement 1 allows write actions cvm:RunInstances"}},
		{CSPMPolicy, `{"version":"2.0","statement":[{"effect":"allow","action":["cvm:*"],"resource":["*"]}]}`, []string{"allows write actions"}},
		{CIEMPolicy, `{"version":"2.0","statement":[{"effect":"allow","action":["cls:*"],
			"resource":["qcs::cls:${CLS_Region_ID}:uin/${Root_Account_ID}:topic/${CLS_Topic_ID}"]}]}`, []string{"allows write actions cls:AddMachineGroupInfo"}},
		{CSPMPolicy, `{"version":"2.0","statement":[{"effect":"allow","action":["cwp:*","tke:Describe*"],"resource":["*"]}]}`, []string{"allows write actions cwp:*"}},
		{CSPMPolicy, `{"version":"2.0","statement":[{"effect":"allow","action":["sts:GetFederationToken"],"resource":["*"]}]}`, []string{"sts:GetFederationToken"}},
		// Reads (CAM's too, as Security Center's own CSPM policy grants them), the template's own writes and
		// deny statements are not broad.
		{CSPMPolicy, `{"version":"2.0","statement":[{"effect":"allow","action":["name/cam:Get*","name/cam:List*","name/cwp:Describe*",
			"name/cos:GetBucket*"],"resource":"*"},{"effect":"deny","action":["name/cam:*AccessKey*"],"resource":"*"}]}`, nil},
		{CSPMPolicy, `{"version":"2.0","statement":[{"effect":"allow","action":["cvm:Describe*","cam:ListUsers"],"resource":["*"]},
			{"effect":"deny","action":["*"],"resource":["*"]}]}`, nil},
		{SIEMPolicy, string(mustTemplate(t, SIEMPolicy)), nil},
		{CIEMPolicy, string(mustTemplate(t, CIEMPolicy)), nil},
	}
	for _, tt := range tests {
		got, err := Broad(tt.name, []byte(tt.doc))
		if err != nil {
			t.Fatalf("%s: %v", tt.doc, err)
		}
		if len(got) != len(tt.want) {
			t.Errorf("%s: broad statements %v, want %d", tt.doc, got, len(tt.want))
			continue
		}
		for i, w := range tt.want {
			if !strings.Contains(got[i].String(), w) {
				t.Errorf("%s: %q does not say %q", tt.doc, got[i], w)
			}
		}
	}
}

func TestIsRead(t *testing.T) {
	for action, want := range map[string]bool{"cvm:DescribeInstances": true, "cam:ListUsers": true, "cam:GetPolicy": true,
		"cls:SearchLog": true, "cvm:InquiryPriceRunInstances": true, "cvm:RunInstances": false, "cam:AddUser": false,
		"cls:DeleteTopic": false, "cam:Getaway": false, "nocolon": false, "sts:GetFederationToken": false} {
		if IsRead(action) != want {
			t.Errorf("IsRead(%q) = %v", action, !want)
		}
	}
}

func mustTemplate(t *testing.T, name string) []byte {
	t.Helper()
	b, err := Template(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Broad reads user-supplied documents: whatever the input, it answers without panicking, and a
// document allowing "*" is always broad.
func FuzzBroad(f *testing.F) {
	for _, name := range Names() {
		tmpl, _ := Template(name)
		f.Add(name, tmpl)
	}
	f.Add(CSPMPolicy, []byte(`{"version":"2.0","statement":[{"effect":"allow","action":["*"],"resource":["*"]}]}`))
	f.Fuzz(func(t *testing.T, name string, doc []byte) {
		broad, err := Broad(name, doc)
		if err != nil {
			return
		}
		parsed, _ := Parse(doc)
		if parsed != nil && Evaluate([]*Document{parsed}, Request{Action: broadProbe, Resource: "*"}).Allowed && len(broad) == 0 {
			t.Fatalf("%s allows every action but is not broad", doc)
		}
	})
}
