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

// TestConditionOperators decides one condition per case, for every operator CAM documents
// (https://www.tencentcloud.com/document/product/598/58420), with and without the _if_exist suffix and
// the for_any_value:/for_all_value: qualifiers. A nil ctx means the key is absent from the request.
func TestConditionOperators(t *testing.T) {
	const absent = "<absent>"
	tests := []struct {
		op    string
		value string // the condition value, as JSON
		ctx   []string
		want  bool
	}{
		{"string_equal", `"prod"`, []string{"prod"}, true},
		{"string_equal", `"prod"`, []string{"Prod"}, false},
		{"string_equal", `["dev","prod"]`, []string{"prod"}, true},
		{"string_equal", `"prod"`, nil, false},
		{"string_not_equal", `"prod"`, []string{"dev"}, true},
		{"string_not_equal", `"prod"`, []string{"prod"}, false},
		{"string_not_equal", `["dev","prod"]`, []string{"prod"}, false},
		{"string_not_equal", `"prod"`, nil, false},
		{"string_equal_ignore_case", `"Prod"`, []string{"PROD"}, true},
		{"string_equal_ignore_case", `"prod"`, []string{"prods"}, false},
		{"string_not_equal_ignore_case", `"Prod"`, []string{"pROD"}, false},
		{"string_not_equal_ignore_case", `"prod"`, []string{"dev"}, true},
		{"numeric_equal", `1`, []string{"1.0"}, true},
		{"numeric_equal", `1`, []string{"2"}, false},
		{"numeric_equal", `1`, []string{"one"}, false},
		{"numeric_not_equal", `1`, []string{"2"}, true},
		{"numeric_not_equal", `1`, []string{"1"}, false},
		{"numeric_less_than", `10`, []string{"9.5"}, true},
		{"numeric_less_than", `10`, []string{"10"}, false},
		{"numeric_less_than_equal", `10`, []string{"10"}, true},
		{"numeric_less_than_equal", `10`, []string{"10.01"}, false},
		{"numeric_greater_than", `10`, []string{"11"}, true},
		{"numeric_greater_than", `10`, []string{"10"}, false},
		{"numeric_greater_than_equal", `"10"`, []string{"10"}, true},
		{"numeric_greater_than_equal", `10`, []string{"-10"}, false},
		{"date_equal", `"2026-05-31 00:00:00"`, []string{"2026-05-31T00:00:00Z"}, true},
		{"date_equal", `"2026-05-31T08:00:00+08:00"`, []string{"2026-05-31T00:00:00Z"}, true},
		{"date_equal", `"2026-05-31"`, []string{"2026-05-31T00:00:01Z"}, false},
		{"date_not_equal", `"2026-05-31"`, []string{"2026-05-31T00:00:01Z"}, true},
		{"date_not_equal", `"2026-05-31"`, []string{"2026-05-31T00:00:00Z"}, false},
		{"date_less_than", `"2026-05-31 00:00:00"`, []string{"2026-05-30T23:59:59Z"}, true},
		{"date_less_than", `"2026-05-31 00:00:00"`, []string{"2026-05-31T00:00:00Z"}, false},
		{"date_less_than", `"2026-05-31 00:00:00"`, []string{"not a date"}, false},
		{"date_less_than_equal", `"2026-05-31 00:00:00"`, []string{"2026-05-31T00:00:00Z"}, true},
		{"date_less_than_equal", `"2026-05-31 00:00:00"`, []string{"2026-05-31T00:00:00.5Z"}, false},
		{"date_greater_than", `"2026-05-31T00:00:00"`, []string{"2026-06-01T00:00:00Z"}, true},
		{"date_greater_than", `"2026-05-31T00:00:00"`, []string{"2026-05-31T00:00:00Z"}, false},
		{"date_greater_than_equal", `"2026-05-31"`, []string{"2026-05-31T00:00:00Z"}, true},
		{"date_greater_than_equal", `"2026-05-31"`, []string{"2026-05-30T23:59:59Z"}, false},
		{"bool_equal", `true`, []string{"TRUE"}, true},
		{"bool_equal", `"false"`, []string{"true"}, false},
		{"binary_equal", `"aGVsbG8="`, []string{"aGVsbG8="}, true},
		{"binary_equal", `"aGVsbG8="`, []string{"aGVsbG8h"}, false},
		{"binary_equal", `"aGVsbG8="`, []string{"hello"}, false},
		{"ip_equal", `["203.0.113.0/24","198.51.100.7"]`, []string{"198.51.100.7"}, true},
		{"ip_equal", `"203.0.113.0/24"`, []string{"203.0.114.1"}, false},
		{"ip_equal", `"2001:db8::/32"`, []string{"2001:db8::1"}, true},
		{"ip_not_equal", `"203.0.113.0/24"`, []string{"203.0.114.1"}, true},
		{"ip_not_equal", `"203.0.113.0/24"`, []string{"203.0.113.1"}, false},
		{"null_equal", `true`, nil, true},
		{"null_equal", `true`, []string{"x"}, false},
		{"null_equal", `false`, []string{"x"}, true},
		{"null_equal", `"false"`, nil, false},
		{"string_like", `"env&*"`, []string{"env&prod"}, true},
		{"string_like", `"env&*"`, []string{"team&a"}, false},
		{"string_not_like", `"env&*"`, []string{"team&a"}, true},
		{"string_not_like", `"env&*"`, []string{"env&prod"}, false},

		// _if_exist: the condition holds when the key is absent, and is decided as usual when present.
		{"string_equal_if_exist", `"sh"`, nil, true},
		{"string_equal_if_exist", `"sh"`, []string{"sh"}, true},
		{"string_equal_if_exist", `"sh"`, []string{"gz"}, false},
		{"string_not_equal_if_exist", `"sh"`, nil, true},
		{"string_not_equal_if_exist", `"sh"`, []string{"sh"}, false},
		{"string_equal_ignore_case_if_exist", `"SH"`, []string{"sh"}, true},
		{"ip_equal_if_exist", `"10.0.0.0/8"`, nil, true},
		{"ip_equal_if_exist", `"10.0.0.0/8"`, []string{"192.0.2.1"}, false},
		{"numeric_less_than_if_exist", `5`, nil, true},
		{"numeric_less_than_if_exist", `5`, []string{"6"}, false},
		{"date_less_than_if_exist", `"2026-05-31"`, nil, true},
		{"date_less_than_if_exist", `"2026-05-31"`, []string{"2026-06-01T00:00:00Z"}, false},
		{"bool_equal_if_exist", `true`, nil, true},
		{"binary_equal_if_exist", `"aGk="`, nil, true},

		// Qualifiers over several request values.
		{"for_any_value:string_equal", `"env&prod"`, []string{"team&a", "env&prod"}, true},
		{"for_any_value:string_equal", `"env&prod"`, []string{"team&a"}, false},
		{"for_all_value:string_equal", `["env&prod","team&a"]`, []string{"team&a", "env&prod"}, true},
		{"for_all_value:string_equal", `"env&prod"`, []string{"team&a", "env&prod"}, false},
		{"string_equal", `"env&prod"`, []string{"team&a", "env&prod"}, false},
		{"for_any_value:string_equal_if_exist", `"env&prod"`, nil, true},
		{"for_all_value:string_equal", `"env&prod"`, nil, false},
	}
	tested := map[string]bool{}
	for _, tt := range tests {
		ctx := map[string][]string{}
		shown := absent
		if tt.ctx != nil {
			ctx["k"] = tt.ctx
			shown = strings.Join(tt.ctx, ",")
		}
		t.Run(tt.op+" "+tt.value+" "+shown, func(t *testing.T) {
			doc := mustParse(t, `{"version":"2.0","statement":[{"effect":"allow","action":"*","resource":"*","condition":{"`+tt.op+`":{"k":`+tt.value+`}}}]}`)
			got := Evaluate([]*Document{doc}, Request{Action: "cvm:DescribeInstances", Context: ctx})
			if got.Allowed != tt.want {
				t.Errorf("%s %s with request value %s: allowed = %v, want %v", tt.op, tt.value, shown, got.Allowed, tt.want)
			}
		})
		o, _ := parseOperator(tt.op)
		tested[o.base] = true
	}
	for _, op := range ConditionOperators() {
		if !tested[op] {
			t.Errorf("operator %s has no case", op)
		}
	}
}

// TestIfExistOnEveryOperator checks that every operator but null_equal takes the _if_exist suffix and
// then holds for a request without the key, as CAM documents.
func TestIfExistOnEveryOperator(t *testing.T) {
	sample := func(op string) string {
		switch {
		case strings.HasPrefix(op, "ip_"):
			return `"10.0.0.0/8"`
		case strings.HasPrefix(op, "numeric_"):
			return `1`
		case strings.HasPrefix(op, "date_"):
			return `"2026-05-31"`
		case op == "bool_equal" || op == nullEqual:
			return `true`
		case op == "binary_equal":
			return `"aGk="`
		}
		return `"v"`
	}
	for _, op := range ConditionOperators() {
		doc := `{"version":"2.0","statement":[{"effect":"allow","action":"*","resource":"*","condition":{"` + op + `_if_exist":{"k":` + sample(op) + `}}}]}`
		d, err := Parse([]byte(doc))
		if op == nullEqual {
			if ErrorCode(err) != CodeConditionError {
				t.Errorf("null_equal_if_exist: Parse error %v, want %s", err, CodeConditionError)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s_if_exist: %v", op, err)
			continue
		}
		if !Evaluate([]*Document{d}, Request{Action: "cvm:DescribeInstances"}).Allowed {
			t.Errorf("%s_if_exist does not hold for a request without the key", op)
		}
	}
}
