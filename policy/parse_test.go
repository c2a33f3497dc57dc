package policy

import (
	"strings"
	"testing"
)

func TestParseAccepts(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want Document
	}{
		{
			name: "string forms and legacy name prefix",
			doc:  `{"version":"2.0","statement":[{"effect":"allow","action":"name/CVM:Describe*","resource":"*"}]}`,
			want: Document{Version: "2.0", Statements: []Statement{{Effect: Allow, Actions: []string{"cvm:Describe*"}, Resources: []string{"*"}}}},
		},
		{
			name: "arrays, six-segment resources and a condition",
			doc: `{"version":"2.0","statement":[{"effect":"deny","action":["cls:SearchLog","*"],
				"resource":["qcs::cls:ap-guangzhou:uin/100004375281:topic/002dbab1-fcf2","qcs::cls:*:uin/*:logset/*"],
				"condition":{"ip_equal":{"qcs:ip":["203.0.113.0/24","198.51.100.7"]},"for_any_value:string_equal":{"qcs:resource_tag":"k&v"}}}]}`,
			want: Document{Version: "2.0", Statements: []Statement{{
				Effect:    Deny,
				Actions:   []string{"cls:SearchLog", "*"},
				Resources: []string{"qcs::cls:ap-guangzhou:uin/100004375281:topic/002dbab1-fcf2", "qcs::cls:*:uin/*:logset/*"},
				Conditions: []Condition{
					{Operator: "for_any_value:string_equal", Key: "qcs:resource_tag", Values: []string{"k&v"}},
					{Operator: "ip_equal", Key: "qcs:ip", Values: []string{"203.0.113.0/24", "198.51.100.7"}},
				},
			}}},
		},
		{
			name: "numbers and booleans in conditions",
			doc:  `{"version":"2.0","statement":[{"effect":"allow","action":"*","resource":"*","condition":{"numeric_equal":{"qcs:read_only_action":1},"bool_equal":{"qcs:secure_transport":true}}}]}`,
			want: Document{Version: "2.0", Statements: []Statement{{Effect: Allow, Actions: []string{"*"}, Resources: []string{"*"}, Conditions: []Condition{
				{Operator: "bool_equal", Key: "qcs:secure_transport", Values: []string{"true"}},
				{Operator: "numeric_equal", Key: "qcs:read_only_action", Values: []string{"1"}},
			}}}},
		},
		{
			name: "a resource whose last segment holds colons",
			doc:  `{"version":"2.0","statement":[{"effect":"allow","action":"cos:GetObject","resource":"qcs::cos:ap-guangzhou:uid/1250000000:bucket-1250000000/a:b/*"}]}`,
			want: Document{Version: "2.0", Statements: []Statement{{Effect: Allow, Actions: []string{"cos:GetObject"}, Resources: []string{"qcs::cos:ap-guangzhou:uid/1250000000:bucket-1250000000/a:b/*"}}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse([]byte(tt.doc))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if !Equal(got, &tt.want) || len(got.Statements[0].Actions) != len(tt.want.Statements[0].Actions) {
				t.Errorf("Parse =\n%+v\nwant\n%+v", *got, tt.want)
			}
			if got.Statements[0].Actions[0] != tt.want.Statements[0].Actions[0] {
				t.Errorf("first action = %q, want %q", got.Statements[0].Actions[0], tt.want.Statements[0].Actions[0])
			}
		})
	}
}

func TestParseRefuses(t *testing.T) {
	const ok = `"effect":"allow","action":"cvm:DescribeInstances","resource":"*"`
	tests := []struct {
		name, doc, code string
	}{
		{"not JSON", `{"version":"2.0",`, CodePolicyDocumentError},
		{"not an object", `["version"]`, CodePolicyDocumentError},
		{"trailing data", `{"version":"2.0","statement":[{` + ok + `}]} {}`, CodePolicyDocumentError},
		{"duplicate key", `{"version":"2.0","statement":[{` + ok + `,"effect":"deny"}]}`, CodePolicyDocumentError},
		{"upper-case element", `{"Version":"2.0","statement":[{` + ok + `}]}`, CodePolicyDocumentError},
		{"unknown top element", `{"version":"2.0","statement":[{` + ok + `}],"id":"x"}`, CodePolicyDocumentError},
		{"invalid UTF-8", "{\"version\":\"2.0\",\"statement\":[{" + ok + ",\"condition\":{\"string_equal\":{\"k\":\"\xff\"}}}]}", CodePolicyDocumentError},
		{"too long", `{"version":"2.0","statement":[{` + ok + `}],"x":"` + strings.Repeat("a", MaxDocumentLength) + `"}`, CodeLengthOverLimit},
		{"missing version", `{"statement":[{` + ok + `}]}`, CodeVersionError},
		{"wrong version", `{"version":"1.0","statement":[{` + ok + `}]}`, CodeVersionError},
		{"numeric version", `{"version":2.0,"statement":[{` + ok + `}]}`, CodeVersionError},
		{"missing statement", `{"version":"2.0"}`, CodeStatementError},
		{"empty statement", `{"version":"2.0","statement":[]}`, CodeStatementError},
		{"statement object", `{"version":"2.0","statement":{` + ok + `}}`, CodeStatementError},
		{"statement not object", `{"version":"2.0","statement":["allow"]}`, CodeStatementError},
		{"principal", `{"version":"2.0","statement":[{` + ok + `,"principal":{"qcs":["*"]}}]}`, CodeStatementError},
		{"unknown statement element", `{"version":"2.0","statement":[{` + ok + `,"Effect":"deny"}]}`, CodeStatementError},
		{"missing effect", `{"version":"2.0","statement":[{"action":"cvm:DescribeInstances","resource":"*"}]}`, CodeEffectError},
		{"capitalised effect", `{"version":"2.0","statement":[{"effect":"Allow","action":"cvm:DescribeInstances","resource":"*"}]}`, CodeEffectError},
		{"missing action", `{"version":"2.0","statement":[{"effect":"allow","resource":"*"}]}`, CodeActionMiss},
		{"empty action list", `{"version":"2.0","statement":[{"effect":"allow","action":[],"resource":"*"}]}`, CodeActionMiss},
		{"action without service", `{"version":"2.0","statement":[{"effect":"allow","action":"DescribeInstances","resource":"*"}]}`, CodeActionError},
		{"action with space", `{"version":"2.0","statement":[{"effect":"allow","action":"cvm:Describe Instances","resource":"*"}]}`, CodeActionError},
		{"action number", `{"version":"2.0","statement":[{"effect":"allow","action":7,"resource":"*"}]}`, CodeActionError},
		{"missing resource", `{"version":"2.0","statement":[{"effect":"allow","action":"cvm:DescribeInstances"}]}`, CodeResourceError},
		{"resource not qcs", `{"version":"2.0","statement":[{"effect":"allow","action":"cvm:DescribeInstances","resource":"arn:aws:s3:::b"}]}`, CodeResourceQcsError},
		{"resource five segments", `{"version":"2.0","statement":[{"effect":"allow","action":"cvm:DescribeInstances","resource":"qcs::cvm:ap-guangzhou:uin/1"}]}`, CodeResourceError},
		{"resource bad region", `{"version":"2.0","statement":[{"effect":"allow","action":"cvm:DescribeInstances","resource":"qcs::cvm:AP_GZ:uin/1:instance/*"}]}`, CodeResourceRegionError},
		{"resource bad uin", `{"version":"2.0","statement":[{"effect":"allow","action":"cvm:DescribeInstances","resource":"qcs::cvm:ap-guangzhou:uin/abc:instance/*"}]}`, CodeResourceUinError},
		{"resource empty id", `{"version":"2.0","statement":[{"effect":"allow","action":"cvm:DescribeInstances","resource":"qcs::cvm:ap-guangzhou:uin/1:"}]}`, CodeResourceContentError},
		{"unsupported operator", `{"version":"2.0","statement":[{` + ok + `,"condition":{"string_contains":{"k":"v"}}}]}`, CodeConditionError},
		{"null_equal with if_exist", `{"version":"2.0","statement":[{` + ok + `,"condition":{"null_equal_if_exist":{"k":true}}}]}`, CodeConditionError},
		{"if_exist twice", `{"version":"2.0","statement":[{` + ok + `,"condition":{"string_equal_if_exist_if_exist":{"k":"v"}}}]}`, CodeConditionError},
		{"if_exist before qualifier", `{"version":"2.0","statement":[{` + ok + `,"condition":{"string_equal_if_exist:for_any_value":{"k":"v"}}}]}`, CodeConditionError},
		{"bad date", `{"version":"2.0","statement":[{` + ok + `,"condition":{"date_less_than":{"qcs:current_time":"31/05/2022"}}}]}`, CodeConditionContentError},
		{"bad base64", `{"version":"2.0","statement":[{` + ok + `,"condition":{"binary_equal":{"k":"not base64!"}}}]}`, CodeConditionContentError},
		{"bad null_equal", `{"version":"2.0","statement":[{` + ok + `,"condition":{"null_equal":{"k":"maybe"}}}]}`, CodeConditionContentError},
		{"upper-case operator", `{"version":"2.0","statement":[{` + ok + `,"condition":{"IP_EQUAL":{"qcs:ip":"10.0.0.1"}}}]}`, CodeConditionError},
		{"condition not object", `{"version":"2.0","statement":[{` + ok + `,"condition":["ip_equal"]}]}`, CodeConditionError},
		{"condition empty", `{"version":"2.0","statement":[{` + ok + `,"condition":{}}]}`, CodeConditionError},
		{"condition object value", `{"version":"2.0","statement":[{` + ok + `,"condition":{"string_equal":{"k":{"a":1}}}}]}`, CodeConditionTypeError},
		{"bad CIDR", `{"version":"2.0","statement":[{` + ok + `,"condition":{"ip_equal":{"qcs:ip":"10.0.0.0/33"}}}]}`, CodeConditionContentError},
		{"bad number", `{"version":"2.0","statement":[{` + ok + `,"condition":{"numeric_equal":{"k":"one"}}}]}`, CodeConditionContentError},
		{"bad bool", `{"version":"2.0","statement":[{` + ok + `,"condition":{"bool_equal":{"k":"yes"}}}]}`, CodeConditionContentError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := Parse([]byte(tt.doc))
			if err == nil {
				t.Fatalf("Parse accepted %s as %+v", tt.doc, doc)
			}
			if got := ErrorCode(err); got != tt.code {
				t.Errorf("code = %q (%v), want %q", got, err, tt.code)
			}
		})
	}
}

// TestValidateActions covers both readings of CreatePolicy: CheckActions (the default: an action of a
// service the catalogue does not know passes and is reported) and ValidateActions (strict: refused).
func TestValidateActions(t *testing.T) {
	tests := []struct {
		action, code string
		unknown      bool   // CheckActions reports the action as one of an unknown service
		checkCode    string // CheckActions' error code
	}{
		{"cvm:DescribeInstances", "", false, ""},
		{"CVM:DescribeInstances", "", false, ""},
		{"name/cls:SearchLog", "", false, ""},
		{"*", "", false, ""},
		{"cvm:*", "", false, ""},
		{"cvm:Describe*", "", false, ""},
		{"*:DescribeRegions", "", false, ""},
		{"waf:DeleteIpAccessControlV2", "", false, ""},
		{"cvm:describeInstances", CodeActionNotExist, false, CodeActionNotExist},
		{"cvm:DescribeInstance", CodeActionNotExist, false, CodeActionNotExist},
		{"cvm:Desribe*", CodeActionNotExist, false, CodeActionNotExist},
		{"cwp:DescribeMachines", CodeActionServiceNotExist, true, ""},
		{"name/csip:*", CodeActionServiceNotExist, true, ""},
		{"x*:Describe*", CodeActionServiceNotExist, true, ""},
		{"c*:NoSuchAction", CodeActionNotExist, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.action, func(t *testing.T) {
			doc, err := Parse([]byte(`{"version":"2.0","statement":[{"effect":"allow","action":"` + tt.action + `","resource":"*"}]}`))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if got := ErrorCode(ValidateActions(doc)); got != tt.code {
				t.Errorf("ValidateActions code = %q, want %q", got, tt.code)
			}
			unknown, err := CheckActions(doc)
			if got := ErrorCode(err); got != tt.checkCode {
				t.Errorf("CheckActions code = %q (%v), want %q", got, err, tt.checkCode)
			}
			if got := len(unknown) == 1 && unknown[0] == strings.TrimPrefix(tt.action, "name/"); got != tt.unknown {
				t.Errorf("CheckActions unknown = %q, want the action reported: %v", unknown, tt.unknown)
			}
		})
	}
}

func TestActionExists(t *testing.T) {
	for _, a := range []string{"cam:AddUser", "sts:GetCallerIdentity", "cls:DescribeKafkaConsumer", "cfw:CreateBlockIgnoreRuleList", "region:DescribeRegions", "tag:GetResources", "monitor:DescribeAlarmPolicies", "tat:RunCommand", "name/cvm:DescribeRegions", "Cvm:DescribeRegions"} {
		if !ActionExists(a) {
			t.Errorf("ActionExists(%q) = false", a)
		}
	}
	for _, a := range []string{"", "cvm", "cvm:", "cvm:Describe*", "cvm:describeregions", "cwp:DescribeMachines", "cam:DeleteApiKey"} {
		if ActionExists(a) {
			t.Errorf("ActionExists(%q) = true", a)
		}
	}
	if got := len(Services()); got != 16 {
		t.Errorf("catalogue has %d services, want 16: %v", got, Services())
	}
}
