package policy

import (
	"errors"
	"testing"
)

func FuzzParse(f *testing.F) {
	for _, name := range Names() {
		tmpl, _ := Template(name)
		f.Add(tmpl)
	}
	for _, p := range Presets() {
		data, _ := Preset(p.Name)
		f.Add(data)
	}
	f.Add([]byte(`{"version":"2.0","statement":[{"effect":"deny","action":"*","resource":"*","condition":{"for_any_value:ip_not_equal":{"qcs:ip":["10.0.0.0/8"]}}}]}`))
	f.Add([]byte(`{"version":"2.0","statement":[{"effect":"allow","action":"cls:SearchLog","resource":"qcs::cls:ap-guangzhou:uin/1:topic/a:b"}]}`))
	f.Add([]byte(`{"version":"2.0","statement":[{"effect":"allow","action":["name/cwp:Describe*"],"resource":"*","condition":{"string_equal_if_exist":{"vpc:region":"sh"},"date_less_than":{"qcs:current_time":"2026-05-31 00:00:00"},"null_equal":{"qcs:mfa":true},"binary_equal_if_exist":{"k":"aGk="},"for_all_value:string_not_equal_ignore_case":{"qcs:resource_tag":["a&b"]}}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := Parse(data)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) || se.Code == "" {
				t.Fatalf("Parse error %v is not a SyntaxError with a code", err)
			}
			return
		}
		_ = ValidateActions(doc)
		_, _ = CheckActions(doc)
		Evaluate([]*Document{doc}, Request{Action: "cvm:DescribeInstances", Resource: "qcs::cvm:ap-guangzhou:uin/1:instance/ins-1", Context: map[string][]string{"qcs:ip": {"10.1.2.3"}, "qcs:current_time": {"2026-11-29T22:00:00Z"}}})
		// A parsed document's canonical form parses back to an equivalent document.
		c, err := Normalize(doc).MarshalJSON()
		if err != nil {
			t.Fatalf("marshal: %v", err)
		}
		back, err := Parse(c)
		if err != nil {
			if ErrorCode(err) == CodeLengthOverLimit {
				return
			}
			t.Fatalf("canonical form %s does not parse: %v", c, err)
		}
		if !Equal(doc, back) {
			t.Fatalf("canonical form changed the document:\n%s", c)
		}
	})
}

func FuzzRender(f *testing.F) {
	ciem, _ := Template(CIEMPolicy)
	f.Add(ciem, testValues.TopicID, testValues.LogsetID, testValues.Region, testValues.RootAccountID)
	f.Add(ciem, `x"}],"effect":"allow`, `*`, "ap-guangzhou\n", "1")
	f.Add([]byte(`{"version":"2.0","statement":[{"effect":"allow","action":"cls:SearchLog","resource":"qcs::cls:${CLS_Region_ID}:uin/${Root_Account_ID}:topic/${${CLS_Topic_ID}}"}]}`), "a", "b", "ap-guangzhou", "1")
	f.Fuzz(func(t *testing.T, tmpl []byte, topic, logset, region, account string) {
		v := Values{TopicID: topic, LogsetID: logset, Region: region, RootAccountID: account}
		out, err := RenderDocument(tmpl, v)
		if err != nil {
			return
		}
		doc, err := Parse(out)
		if err != nil {
			t.Fatalf("rendered output does not parse: %v\n%s", err, out)
		}
		if _, err := CheckActions(doc); err != nil {
			t.Fatalf("rendered output has unknown actions of known services: %v", err)
		}
		if !sameShape(tmpl, out) {
			t.Fatalf("rendering changed the structure:\n%s\n%s", tmpl, out)
		}
	})
}
