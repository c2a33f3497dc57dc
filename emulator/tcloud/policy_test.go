package tcloud

import (
	"net/http/httptest"
	"testing"
	"time"
)

// TestCreatePolicyWithAServiceOnboardDoesNotKnow plays both readings of CreatePolicy for a service the
// catalogue of known actions does not hold: accepted (the default, as CAM knows more services), and
// refused with ActionServiceNotExist (RefuseUnknownServices). An unknown action of a known service is
// refused under both.
func TestCreatePolicyWithAServiceOnboardDoesNotKnow(t *testing.T) {
	const unknownService = `{"version":"2.0","statement":[{"effect":"allow","action":["name/cwp:DescribeMachines","cvm:DescribeInstances"],"resource":"*"}]}`
	const unknownAction = `{"version":"2.0","statement":[{"effect":"allow","action":["cvm:NoSuchAction"],"resource":"*"}]}`
	for _, strict := range []bool{false, true} {
		s := New(Options{RefuseUnknownServices: strict})
		hs := httptest.NewServer(s)
		defer hs.Close()
		id, key := s.RootKey()
		c := &testClient{t: t, srv: hs, id: id, key: key, now: time.Now()}
		r := c.call("cam", "2019-01-16", "CreatePolicy", map[string]any{"PolicyName": "cwp", "PolicyDocument": unknownService})
		want := ""
		if strict {
			want = "InvalidParameter.ActionServiceNotExist"
		}
		if got := errorCode(r); got != want {
			t.Errorf("strict=%v: CreatePolicy with an unknown service: code %q (%v), want %q", strict, got, r, want)
		}
		r = c.call("cam", "2019-01-16", "CreatePolicy", map[string]any{"PolicyName": "typo", "PolicyDocument": unknownAction})
		if got := errorCode(r); got != "InvalidParameter.ActionNotExist" {
			t.Errorf("strict=%v: CreatePolicy with an unknown action: code %q, want InvalidParameter.ActionNotExist", strict, got)
		}
	}
}

// TestConditionsSeeTheCallersAddressAndTheTime checks that policy conditions are decided on qcs:ip and
// qcs:current_time, which every request carries: an allow limited to the loopback network and to a
// time window passes inside both, and is refused outside either.
func TestConditionsSeeTheCallersAddressAndTheTime(t *testing.T) {
	now := time.Now().UTC()
	tests := []struct {
		name, condition string
		allowed         bool
	}{
		{"inside", `{"ip_equal":{"qcs:ip":["127.0.0.0/8","::1"]},"date_less_than":{"qcs:current_time":"` + now.Add(time.Hour).Format("2006-01-02 15:04:05") + `"}}`, true},
		{"other network", `{"ip_equal":{"qcs:ip":"203.0.113.0/24"}}`, false},
		{"after the window", `{"date_less_than":{"qcs:current_time":"` + now.Add(-time.Hour).Format(time.RFC3339) + `"}}`, false},
		{"key the emulator does not send, if it exists", `{"string_equal_if_exist":{"vpc:region":"sh"}}`, true},
		{"key the emulator does not send", `{"string_equal":{"vpc:region":"sh"}}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, c := newTestServer(t)
			cam := func(action string, p any) map[string]any { return c.call("cam", "2019-01-16", action, p) }
			u := cam("AddUser", map[string]any{"Name": "sas", "UseApi": 1})
			p := cam("CreatePolicy", map[string]any{"PolicyName": "p", "PolicyDocument": `{"version":"2.0","statement":[{"effect":"allow","action":"cam:ListUsers","resource":"*","condition":` + tt.condition + `}]}`})
			if errorCode(p) != "" {
				t.Fatalf("CreatePolicy: %v", p)
			}
			if r := cam("AttachUserPolicy", map[string]any{"PolicyId": p["PolicyId"], "AttachUin": u["Uin"]}); errorCode(r) != "" {
				t.Fatal(r)
			}
			sub := *c
			sub.id, sub.key = u["SecretId"].(string), u["SecretKey"].(string)
			r := sub.call("cam", "2019-01-16", "ListUsers", map[string]any{})
			if got := errorCode(r) == ""; got != tt.allowed {
				t.Errorf("allowed = %v (%v), want %v", got, r, tt.allowed)
			}
		})
	}
}
