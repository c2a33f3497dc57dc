package policy

import (
	"strings"
	"testing"
)

// grantDocuments returns the parsed documents a feature's grants attach.
func grantDocuments(t *testing.T, feature string, mode CSPMMode, lighthouse bool) []*Document {
	t.Helper()
	grants, err := Grants(feature, mode, lighthouse)
	if err != nil {
		t.Fatal(err)
	}
	var docs []*Document
	for _, g := range grants {
		var data []byte
		if g.Preset {
			var ok bool
			if data, ok = Preset(g.Name); !ok {
				t.Fatalf("no preset document for %s", g.Name)
			}
		} else if data, err = Render(g.Name, testValues); err != nil {
			t.Fatal(err)
		}
		docs = append(docs, mustParse(t, string(data)))
	}
	return docs
}

type grantCase struct {
	feature    string
	mode       CSPMMode
	lighthouse bool
}

var grantCases = []grantCase{
	{FeatureHost, "", false},
	{FeatureHost, "", true},
	{FeatureCSPM, CSPMPreset, false},
	{FeatureCSPM, CSPMCustom, false},
	{FeatureSOC, "", false},
	{FeatureAudit, "", false},
}

// TestGrantsAllowFeatureCalls: every call a feature makes is allowed by that feature's grants.
func TestGrantsAllowFeatureCalls(t *testing.T) {
	for _, gc := range grantCases {
		t.Run(gc.feature+"/"+string(gc.mode)+map[bool]string{true: "/lighthouse"}[gc.lighthouse], func(t *testing.T) {
			docs := grantDocuments(t, gc.feature, gc.mode, gc.lighthouse)
			calls, err := FeatureCalls(gc.feature, gc.lighthouse)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range calls {
				res, err := c.ResourceFor(testValues)
				if err != nil {
					t.Fatal(err)
				}
				if d := Evaluate(docs, Request{Action: c.Name(), Resource: res}); !d.Allowed {
					t.Errorf("%s on %s: %s", c.Name(), res, d.Reason)
				}
			}
		})
	}
}

// TestGrantsDenySensitiveCalls: no feature's grants allow any sensitive call, on its own resource or "*".
func TestGrantsDenySensitiveCalls(t *testing.T) {
	for _, gc := range grantCases {
		t.Run(gc.feature+"/"+string(gc.mode), func(t *testing.T) {
			docs := grantDocuments(t, gc.feature, gc.mode, true)
			for _, c := range SensitiveCalls() {
				res, err := c.ResourceFor(testValues)
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range []string{res, "*"} {
					if d := Evaluate(docs, Request{Action: c.Name(), Resource: r}); d.Allowed {
						t.Errorf("%s on %s is allowed: %s", c.Name(), r, d.Reason)
					}
				}
			}
		})
	}
}

// TestAuditReadsOnlyItsTopic: the audit grant's scoped reads do not reach other topics or logsets.
func TestAuditReadsOnlyItsTopic(t *testing.T) {
	docs := grantDocuments(t, FeatureAudit, "", false)
	for _, a := range []string{"cls:DescribeKafkaConsumer", "cls:SearchLog", "cls:DescribeKafkaConsumerGroupDetail"} {
		for _, r := range []string{
			"qcs::cls:ap-guangzhou:uin/100004375281:topic/another",
			"qcs::cls:ap-guangzhou:uin/100004375281:logset/another",
			"qcs::cls:ap-shanghai:uin/100004375281:topic/" + testValues.TopicID,
			"qcs::cls:ap-guangzhou:uin/200000000000:topic/" + testValues.TopicID,
		} {
			if d := Evaluate(docs, Request{Action: a, Resource: r}); d.Allowed {
				t.Errorf("%s on %s allowed: %s", a, r, d.Reason)
			}
		}
	}
}

func TestCallsAreKnownActions(t *testing.T) {
	all := SensitiveCalls()
	for _, f := range Features() {
		calls, err := FeatureCalls(f, true)
		if err != nil {
			t.Fatal(err)
		}
		if len(calls) == 0 {
			t.Errorf("feature %s has no calls", f)
		}
		probes := 0
		for _, c := range calls {
			if c.Probe {
				probes++
			}
		}
		if probes == 0 {
			t.Errorf("feature %s has no probe call", f)
		}
		all = append(all, calls...)
	}
	for _, c := range all {
		if !ActionExists(c.Name()) {
			t.Errorf("%s is not a known action", c.Name())
		}
		if c.Service != strings.ToLower(c.Service) {
			t.Errorf("%s: service must be lower case", c.Name())
		}
	}
	host, _ := FeatureCalls(FeatureHost, false)
	for _, c := range host {
		if c.Service == "lighthouse" {
			t.Errorf("FeatureCalls(host, lighthouse=false) includes %s", c.Name())
		}
	}
	if _, err := FeatureCalls("billing", false); err == nil {
		t.Error("FeatureCalls accepted an unknown feature")
	}
}

// TestCSPMPolicyIsLeast: every action of cspmPolicy is there because a cspm call needs it.
func TestCSPMPolicyIsLeast(t *testing.T) {
	for _, tc := range []struct{ name, feature string }{{CSPMPolicy, FeatureCSPM}, {SIEMPolicy, FeatureSOC}, {CIEMPolicy, FeatureAudit}} {
		calls, _ := FeatureCalls(tc.feature, true)
		needed := map[string]bool{}
		for _, c := range calls {
			needed[c.Name()] = true
		}
		out, err := Render(tc.name, testValues)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range mustParse(t, string(out)).Statements {
			for _, a := range s.Actions {
				if !needed[a] {
					t.Errorf("%s grants %s, which no %s call needs", tc.name, a, tc.feature)
				}
			}
		}
	}
}

func TestGrants(t *testing.T) {
	tests := []struct {
		feature    string
		mode       CSPMMode
		lighthouse bool
		want       string
	}{
		{FeatureHost, "", false, "QcloudCVMReadOnlyAccess*"},
		{FeatureHost, CSPMCustom, true, "QcloudCVMReadOnlyAccess* QcloudLighthouseReadOnlyAccess*"},
		{FeatureCSPM, "", false, "CloudResourceReadOnlyAccess* QcloudCamReadOnlyAccess*"},
		{FeatureCSPM, CSPMPreset, true, "CloudResourceReadOnlyAccess* QcloudCamReadOnlyAccess*"},
		{FeatureCSPM, CSPMCustom, false, "cspmPolicy"},
		{FeatureSOC, "", false, "siemPolicy"},
		{FeatureAudit, "", false, "ciemPolicy"},
	}
	for _, tt := range tests {
		grants, err := Grants(tt.feature, tt.mode, tt.lighthouse)
		if err != nil {
			t.Fatalf("Grants(%s): %v", tt.feature, err)
		}
		var got []string
		for _, g := range grants {
			got = append(got, g.Name+map[bool]string{true: "*"}[g.Preset])
		}
		if strings.Join(got, " ") != tt.want {
			t.Errorf("Grants(%s, %q, %v) = %v, want %s", tt.feature, tt.mode, tt.lighthouse, got, tt.want)
		}
	}
	if _, err := Grants(FeatureCSPM, "both", false); err == nil || !strings.Contains(err.Error(), "preset") {
		t.Errorf("Grants with a bad mode = %v", err)
	}
	if _, err := Grants("Host", "", false); err == nil || !strings.Contains(err.Error(), "host, cspm, soc, audit") {
		t.Errorf("Grants with a bad feature = %v", err)
	}
	if alt, ok := PresetFallback(PresetCloudResourceReadOnly); !ok || alt != PresetReadOnly {
		t.Errorf("PresetFallback = %q, %v", alt, ok)
	}
	if _, ok := PresetFallback(PresetCVMReadOnly); ok {
		t.Error("PresetFallback offers an alternative for QcloudCVMReadOnlyAccess")
	}
}

// The fallback preset must still serve the CSPM calls.
func TestFallbackCoversCSPM(t *testing.T) {
	ro, _ := Preset(PresetReadOnly)
	cam, _ := Preset(PresetCamReadOnly)
	docs := []*Document{mustParse(t, string(ro)), mustParse(t, string(cam))}
	calls, _ := FeatureCalls(FeatureCSPM, true)
	for _, c := range calls {
		if d := Evaluate(docs, Request{Action: c.Name(), Resource: "*"}); !d.Allowed {
			t.Errorf("ReadOnlyAccess fallback denies %s", c.Name())
		}
	}
}

func TestPresets(t *testing.T) {
	list := Presets()
	if len(list) < 10 {
		t.Fatalf("only %d presets", len(list))
	}
	for _, p := range list {
		data, ok := Preset(p.Name)
		if !ok {
			t.Fatalf("Preset(%s) missing", p.Name)
		}
		doc, err := Parse(data)
		if err != nil {
			t.Fatalf("preset %s: %v", p.Name, err)
		}
		if err := ValidateActions(doc); err != nil {
			t.Errorf("preset %s: %v", p.Name, err)
		}
	}
	cvm, _ := Preset(PresetCVMReadOnly)
	doc := mustParse(t, string(cvm))
	if d := Evaluate([]*Document{doc}, Request{Action: "monitor:DescribeAlarmPolicies"}); !d.Allowed {
		t.Error("QcloudCVMReadOnlyAccess must grant monitor:* as documented")
	}
	for _, bad := range []string{"", "../render.go", "presets/ReadOnlyAccess", "NoSuchPreset"} {
		if _, ok := Preset(bad); ok {
			t.Errorf("Preset(%q) found", bad)
		}
	}
}
