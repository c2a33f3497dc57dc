package policy

import (
	"strings"
	"testing"
)

func mustParse(t testing.TB, doc string) *Document {
	t.Helper()
	d, err := Parse([]byte(doc))
	if err != nil {
		t.Fatalf("Parse(%s): %v", doc, err)
	}
	return d
}

func TestEvaluate(t *testing.T) {
	const topic = "qcs::cls:ap-guangzhou:uin/100004375281:topic/t-1"
	readOnly := `{"version":"2.0","statement":[{"effect":"allow","action":["name/cvm:Describe*","vpc:*"],"resource":"*"}]}`
	scoped := `{"version":"2.0","statement":[{"effect":"allow","action":["cls:SearchLog","cls:DescribeKafkaConsumer"],"resource":["qcs::cls:ap-guangzhou:uin/100004375281:topic/t-1","qcs::cls:ap-guangzhou:uin/100004375281:logset/*"]}]}`
	denyTerminate := `{"version":"2.0","statement":[{"effect":"deny","action":"cvm:Terminate*","resource":"*"}]}`
	allowAll := `{"version":"2.0","statement":[{"effect":"allow","action":"*","resource":"*"}]}`
	fromOffice := `{"version":"2.0","statement":[{"effect":"allow","action":"cvm:*","resource":"*","condition":{"ip_equal":{"qcs:ip":["203.0.113.0/24"]}}}]}`
	notFromOffice := `{"version":"2.0","statement":[{"effect":"deny","action":"*","resource":"*","condition":{"ip_not_equal":{"qcs:ip":["203.0.113.0/24","2001:db8::/32"]}}}]}`
	tagged := `{"version":"2.0","statement":[{"effect":"allow","action":"cvm:*","resource":"*","condition":{"for_any_value:string_equal":{"qcs:resource_tag":["env&prod"]}}}]}`
	allTagged := `{"version":"2.0","statement":[{"effect":"allow","action":"cvm:*","resource":"*","condition":{"for_all_value:string_like":{"qcs:resource_tag":["env&*"]}}}]}`
	readOnlyFlag := `{"version":"2.0","statement":[{"effect":"allow","action":"*","resource":"*","condition":{"numeric_equal":{"qcs:read_only_action":1},"bool_equal":{"qcs:secure_transport":"true"}}}]}`

	tests := []struct {
		name      string
		docs      []string
		req       Request
		allowed   bool
		explicit  bool
		reasonHas string
	}{
		{"no policies", nil, Request{Action: "cvm:DescribeInstances", Resource: "*"}, false, false, "no statement allows"},
		{"action wildcard", []string{readOnly}, Request{Action: "cvm:DescribeInstances", Resource: "*"}, true, false, "allowed by policy 1 statement 1"},
		{"service wildcard", []string{readOnly}, Request{Action: "vpc:DeleteVpc", Resource: "*"}, true, false, ""},
		{"service case-insensitive", []string{readOnly}, Request{Action: "CVM:DescribeRegions", Resource: "*"}, true, false, ""},
		{"API case-sensitive", []string{readOnly}, Request{Action: "cvm:describeRegions", Resource: "*"}, false, false, ""},
		{"no match outside wildcard", []string{readOnly}, Request{Action: "cvm:RunInstances", Resource: "*"}, false, false, "no statement allows cvm:RunInstances"},
		{"empty resource means *", []string{readOnly}, Request{Action: "cvm:DescribeInstances"}, true, false, ""},
		{"star resource grants a specific resource", []string{readOnly}, Request{Action: "cvm:DescribeInstances", Resource: "qcs::cvm:ap-guangzhou:uin/1:instance/ins-1"}, true, false, ""},
		{"deny wins across policies", []string{allowAll, denyTerminate}, Request{Action: "cvm:TerminateInstances", Resource: "*"}, false, true, "denied explicitly by policy 2"},
		{"deny does not touch other actions", []string{allowAll, denyTerminate}, Request{Action: "cvm:RunInstances", Resource: "*"}, true, false, ""},
		{"scoped topic", []string{scoped}, Request{Action: "cls:SearchLog", Resource: topic}, true, false, ""},
		{"other topic", []string{scoped}, Request{Action: "cls:SearchLog", Resource: "qcs::cls:ap-guangzhou:uin/100004375281:topic/t-2"}, false, false, ""},
		{"other region", []string{scoped}, Request{Action: "cls:SearchLog", Resource: "qcs::cls:ap-shanghai:uin/100004375281:topic/t-1"}, false, false, ""},
		{"other account", []string{scoped}, Request{Action: "cls:SearchLog", Resource: "qcs::cls:ap-guangzhou:uin/200000000000:topic/t-1"}, false, false, ""},
		{"topic id prefix is not a match", []string{scoped}, Request{Action: "cls:SearchLog", Resource: topic + "0"}, false, false, ""},
		{"logset wildcard", []string{scoped}, Request{Action: "cls:DescribeKafkaConsumer", Resource: "qcs::cls:ap-guangzhou:uin/100004375281:logset/any"}, true, false, ""},
		{"scoped statement does not grant operation-level call", []string{scoped}, Request{Action: "cls:SearchLog", Resource: "*"}, false, false, ""},
		{"ip in CIDR", []string{fromOffice}, Request{Action: "cvm:RunInstances", Context: map[string][]string{"qcs:ip": {"203.0.113.9"}}}, true, false, ""},
		{"ip outside CIDR", []string{fromOffice}, Request{Action: "cvm:RunInstances", Context: map[string][]string{"qcs:ip": {"198.51.100.1"}}}, false, false, ""},
		{"condition key absent does not match", []string{fromOffice}, Request{Action: "cvm:RunInstances"}, false, false, ""},
		{"ip_not_equal deny outside", []string{allowAll, notFromOffice}, Request{Action: "cvm:RunInstances", Context: map[string][]string{"qcs:ip": {"198.51.100.1"}}}, false, true, ""},
		{"ip_not_equal deny inside v6", []string{allowAll, notFromOffice}, Request{Action: "cvm:RunInstances", Context: map[string][]string{"qcs:ip": {"2001:db8::1"}}}, true, false, ""},
		{"negated condition with absent key does not match", []string{allowAll, notFromOffice}, Request{Action: "cvm:RunInstances"}, true, false, ""},
		{"for_any_value hit", []string{tagged}, Request{Action: "cvm:RunInstances", Context: map[string][]string{"qcs:resource_tag": {"team&a", "env&prod"}}}, true, false, ""},
		{"for_any_value miss", []string{tagged}, Request{Action: "cvm:RunInstances", Context: map[string][]string{"qcs:resource_tag": {"team&a"}}}, false, false, ""},
		{"for_all_value hit", []string{allTagged}, Request{Action: "cvm:RunInstances", Context: map[string][]string{"qcs:resource_tag": {"env&prod", "env&dev"}}}, true, false, ""},
		{"for_all_value miss", []string{allTagged}, Request{Action: "cvm:RunInstances", Context: map[string][]string{"qcs:resource_tag": {"env&prod", "team&a"}}}, false, false, ""},
		{"numeric and bool", []string{readOnlyFlag}, Request{Action: "cvm:DescribeInstances", Context: map[string][]string{"qcs:read_only_action": {"1.0"}, "qcs:secure_transport": {"TRUE"}}}, true, false, ""},
		{"numeric mismatch", []string{readOnlyFlag}, Request{Action: "cvm:RunInstances", Context: map[string][]string{"qcs:read_only_action": {"0"}, "qcs:secure_transport": {"true"}}}, false, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var docs []*Document
			for _, d := range tt.docs {
				docs = append(docs, mustParse(t, d))
			}
			docs = append(docs, nil) // nil documents are skipped
			got := Evaluate(docs, tt.req)
			if got.Allowed != tt.allowed || got.ExplicitDeny != tt.explicit {
				t.Errorf("Evaluate = %+v, want allowed=%v explicitDeny=%v", got, tt.allowed, tt.explicit)
			}
			if !strings.Contains(got.Reason, tt.reasonHas) {
				t.Errorf("reason %q does not contain %q", got.Reason, tt.reasonHas)
			}
		})
	}
}

func TestGlob(t *testing.T) {
	tests := []struct {
		p, s string
		want bool
	}{
		{"*", "", true},
		{"", "", true},
		{"", "a", false},
		{"Describe*", "DescribeInstances", true},
		{"Describe*", "Describ", false},
		{"*Instances", "DescribeInstances", true},
		{"D*s*s", "DescribeInstances", true},
		{"D*x*s", "DescribeInstances", false},
		{"logset/*", "logset/a/b", true},
		{"a**b", "ab", true},
	}
	for _, tt := range tests {
		if got := glob(tt.p, tt.s); got != tt.want {
			t.Errorf("glob(%q, %q) = %v, want %v", tt.p, tt.s, got, tt.want)
		}
	}
}
