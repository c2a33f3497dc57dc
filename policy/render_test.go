package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var testValues = Values{
	TopicID:       "002dbab1-fcf2-4ca7-b602-fda10d5e1731",
	LogsetID:      "f3a2c1d0-1111-4a2b-9c3d-0123456789ab",
	Region:        "ap-guangzhou",
	RootAccountID: "100004375281",
}

func TestTemplatesRender(t *testing.T) {
	for _, name := range Names() {
		t.Run(name, func(t *testing.T) {
			out, err := Render(name, testValues)
			if err != nil {
				t.Fatalf("Render: %v", err)
			}
			doc := mustParse(t, string(out))
			if err := ValidateActions(doc); err != nil {
				t.Fatal(err)
			}
			for _, s := range doc.Statements {
				if s.Effect != Allow {
					t.Errorf("template %s has a %s statement; templates only allow", name, s.Effect)
				}
			}
		})
	}
	for _, name := range []string{CSPMPolicy, SIEMPolicy} {
		if _, err := Render(name, Values{}); err != nil {
			t.Errorf("Render(%s) without values: %v; it has no placeholders", name, err)
		}
	}
}

func TestCIEMPolicyScopesToTopic(t *testing.T) {
	out, err := Render(CIEMPolicy, testValues)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"qcs::cls:ap-guangzhou:uin/100004375281:logset/f3a2c1d0-1111-4a2b-9c3d-0123456789ab",
		"qcs::cls:ap-guangzhou:uin/100004375281:topic/002dbab1-fcf2-4ca7-b602-fda10d5e1731",
	}
	doc := mustParse(t, string(out))
	got := doc.Statements[1].Resources
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("resources = %q, want %q", got, want)
	}
	// Placeholders missing a value name themselves and what is valid.
	_, err = Render(CIEMPolicy, Values{Region: "ap-guangzhou"})
	var pe *PlaceholderError
	if !errors.As(err, &pe) {
		t.Fatalf("Render without values: %v, want a PlaceholderError", err)
	}
	for _, p := range []string{"${CLS_Topic_ID}", "${CLS_Logset_ID}", "${Root_Account_ID}", "digits only"} {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("error %q does not mention %s", err, p)
		}
	}
}

func TestTemplateUnknownName(t *testing.T) {
	_, err := Template("cspmpolicy")
	if err == nil || !strings.Contains(err.Error(), "did you mean cspmPolicy") {
		t.Errorf("Template(cspmpolicy) = %v", err)
	}
	if _, err := Render("nope", testValues); err == nil || !strings.Contains(err.Error(), "cspmPolicy, siemPolicy, ciemPolicy") {
		t.Errorf("Render(nope) = %v", err)
	}
}

func TestValuesSet(t *testing.T) {
	var v Values
	for _, tt := range []struct{ name, value string }{
		{"CLS_Topic_ID", testValues.TopicID},
		{"${CLS_Logset_ID}", testValues.LogsetID},
		{"CLS_Region_ID", "ap-shanghai-fsi"},
		{"Root_Account_ID", "100004375281"},
	} {
		if err := v.Set(tt.name, tt.value); err != nil {
			t.Errorf("Set(%s, %s): %v", tt.name, tt.value, err)
		}
	}
	if v.Region != "ap-shanghai-fsi" || v.LogsetID != testValues.LogsetID {
		t.Errorf("Set did not store values: %+v", v)
	}
	if err := v.Set("Foo", "x"); err == nil || !strings.Contains(err.Error(), "CLS_Topic_ID") {
		t.Errorf("Set(Foo) = %v", err)
	}
}

// injections are values an attacker (or a typo) might smuggle into a placeholder.
var injections = []string{
	`"`, `\`, `x"}],"effect":"allow`, `"}],"statement":[{"effect":"allow","action":"*","resource":"*"}],"x":"`,
	`*`, `topic/*`, `abc/*`, `a:b`, `a/b`, `${CLS_Topic_ID}`, `${${CLS_Topic_ID}}`, "a\nb", "a\tb", "a b", "\u0000",
	"\u2028", "topic\u00e9", "\xff", `ap-guangzhou:uin/1:topic/*`, `1 OR 1`, `100004375281*`, ``, strings.Repeat("a", 129),
	`-abc`, `.`, `..`, `%2F`, `{}`, `[]`,
}

func TestRenderRefusesInjection(t *testing.T) {
	for _, field := range Placeholders() {
		for _, bad := range injections {
			v := testValues
			p, _ := lookupPlaceholder(field)
			*p.field(&v) = bad
			out, err := Render(CIEMPolicy, v)
			if bad == "" {
				if err == nil {
					t.Errorf("%s empty: rendered without a value", field)
				}
				continue
			}
			if err == nil {
				// Only harmless values may pass; the structure and scope must be intact.
				checkHarmless(t, field, bad, out)
				continue
			}
			if !strings.Contains(err.Error(), field) {
				t.Errorf("%s=%q: error %q does not name the placeholder", field, bad, err)
			}
			var set Values
			if err := set.Set(field, bad); err == nil {
				t.Errorf("Values.Set(%s, %q) accepted it", field, bad)
			}
		}
	}
}

func checkHarmless(t *testing.T, field, value string, out []byte) {
	t.Helper()
	want, _ := Render(CIEMPolicy, testValues)
	if !sameShape(want, out) {
		t.Errorf("%s=%q changed the document's structure:\n%s", field, value, out)
	}
	doc := mustParse(t, string(out))
	for _, r := range doc.Statements[1].Resources {
		if strings.Contains(r, "*") || strings.Count(r, ":") != 5 || strings.Count(r, "/") != 2 {
			t.Errorf("%s=%q widened the scope: %s", field, value, r)
		}
	}
}

func TestRenderDocumentRules(t *testing.T) {
	tests := []struct {
		name, tmpl, errHas string
	}{
		{"unknown placeholder", `{"version":"2.0","statement":[{"effect":"allow","action":"cls:SearchLog","resource":"qcs::cls:${Region}:uin/1:topic/x"}]}`, "${Region}: unknown"},
		{"nested placeholder", `{"version":"2.0","statement":[{"effect":"allow","action":"cls:SearchLog","resource":"qcs::cls:ap-guangzhou:uin/1:topic/${${CLS_Topic_ID}}"}]}`, "malformed placeholder"},
		{"unterminated placeholder", `{"version":"2.0","statement":[{"effect":"allow","action":"cls:SearchLog","resource":"qcs::cls:ap-guangzhou:uin/1:topic/${CLS_Topic_ID"}]}`, "malformed placeholder"},
		{"placeholder outside a string", `{"version":"2.0","statement":[{"effect":"allow","action":"cls:SearchLog","resource":${CLS_Topic_ID}}]}`, "not valid JSON"},
		{"placeholder in an action", `{"version":"2.0","statement":[{"effect":"allow","action":"cls:${CLS_Topic_ID}","resource":"*"}]}`, "ActionError"},
		{"placeholder as a region that is not one", `{"version":"2.0","statement":[{"effect":"allow","action":"cls:SearchLog","resource":"qcs::cls:${Root_Account_ID}x:uin/1:topic/x"}]}`, ""},
		{"unknown action", `{"version":"2.0","statement":[{"effect":"allow","action":"cls:ReadEverything","resource":"*"}]}`, "ActionNotExist"},
		{"unknown service passes", `{"version":"2.0","statement":[{"effect":"allow","action":"cwp:DescribeMachines","resource":"*"}]}`, ""},
		{"wrong version", `{"version":"1.0","statement":[{"effect":"allow","action":"cls:SearchLog","resource":"*"}]}`, "VersionError"},
		{"no statements", `{"version":"2.0","statement":[]}`, "StatementError"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := RenderDocument([]byte(tt.tmpl), testValues)
			if tt.errHas == "" {
				if err != nil {
					t.Fatalf("RenderDocument: %v", err)
				}
				mustParse(t, string(out))
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.errHas) {
				t.Errorf("RenderDocument = %s, %v; want an error containing %q", out, err, tt.errHas)
			}
		})
	}
}

func TestUnknownServiceWarnings(t *testing.T) {
	doc := `{"version":"2.0","statement":[{"effect":"allow","action":["cvm:DescribeInstances","name/cwp:DescribeMachines","csip:*"],"resource":"*"}]}`
	got := UnknownServiceWarnings([]byte(doc))
	if len(got) != 2 || !strings.Contains(got[0], `"cwp:DescribeMachines"`) || !strings.Contains(got[1], `"csip:*"`) {
		t.Errorf("UnknownServiceWarnings = %q, want one warning each for cwp:DescribeMachines and csip:*", got)
	}
	for _, name := range Names() {
		out, err := Render(name, testValues)
		if err != nil {
			t.Fatal(err)
		}
		if w := UnknownServiceWarnings(out); len(w) != 0 {
			t.Errorf("%s: onboard's own template gives warnings %q", name, w)
		}
	}
}

func TestRenderKeepsFormatting(t *testing.T) {
	tmpl, _ := Template(CIEMPolicy)
	out, err := Render(CIEMPolicy, testValues)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Count(out, []byte("\n")) != bytes.Count(tmpl, []byte("\n")) {
		t.Errorf("rendering changed the layout:\n%s", out)
	}
}

func TestParsePolicyFileFlag(t *testing.T) {
	name, path, err := ParsePolicyFileFlag("ciemPolicy=/tmp/a=b.json")
	if err != nil || name != "ciemPolicy" || path != "/tmp/a=b.json" {
		t.Errorf("ParsePolicyFileFlag = %q, %q, %v", name, path, err)
	}
	for _, bad := range []string{"", "ciemPolicy", "ciemPolicy=", "=x.json", "fooPolicy=x.json", "CIEMPOLICY=x.json"} {
		if _, _, err := ParsePolicyFileFlag(bad); err == nil || !strings.Contains(err.Error(), "ciemPolicy") {
			t.Errorf("ParsePolicyFileFlag(%q) = %v, want an error naming the valid names", bad, err)
		}
	}
}

func TestLoadOverride(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	official := write("official.json", `{
  "version": "2.0",
  "statement": [{"effect": "allow", "action": ["cls:DescribeTopics", "cls:SearchLog"],
    "resource": "qcs::cls:${CLS_Region_ID}:uin/${Root_Account_ID}:topic/${CLS_Topic_ID}"}]
}`)
	data, err := LoadOverride(CIEMPolicy, official)
	if err != nil {
		t.Fatalf("LoadOverride: %v", err)
	}
	if !bytes.Contains(data, []byte("${CLS_Topic_ID}")) {
		t.Errorf("LoadOverride returned a rendered document; want the template as read")
	}
	if _, err := RenderDocument(data, testValues); err != nil {
		t.Errorf("RenderDocument(override): %v", err)
	}

	bad := map[string]string{
		"other placeholder":    `{"version":"2.0","statement":[{"effect":"allow","action":"cls:SearchLog","resource":"qcs::cls:${Region}:uin/1:topic/x"}]}`,
		"injected placeholder": `{"version":"2.0","statement":[{"effect":"allow","action":"cls:SearchLog","resource":"qcs::cls:ap-guangzhou:uin/1:topic/${CLS_Topic_ID}\"},{\"x\":\"${X}"}]}`,
		"syntax":               `{"version":"2.0","statement":[{"effect":"allow","action":"cls:SearchLog"}]}`,
		"oversize":             `{"version":"2.0","statement":[{"effect":"allow","action":"cls:SearchLog","resource":"*"}],"x":"` + strings.Repeat("a", maxTemplateBytes) + `"}`,
	}
	for name, body := range bad {
		if _, err := LoadOverride(CIEMPolicy, write(strings.ReplaceAll(name, " ", "_")+".json", body)); err == nil {
			t.Errorf("LoadOverride accepted %s", name)
		}
	}
	if _, err := LoadOverride(CIEMPolicy, filepath.Join(dir, "missing.json")); err == nil {
		t.Error("LoadOverride accepted a missing file")
	}
	if _, err := LoadOverride("fooPolicy", official); err == nil {
		t.Error("LoadOverride accepted an unknown name")
	}
}

func TestSameShape(t *testing.T) {
	a := []byte(`{"a":["x","y"],"b":{"c":1,"d":true,"e":null}}`)
	if !sameShape(a, []byte(`{"a":["p","q"],"b":{"c":2,"d":false,"e":null}}`)) {
		t.Error("same structure reported different")
	}
	for _, b := range []string{`{"a":["x"],"b":{"c":1,"d":true,"e":null}}`, `{"a":["x","y"],"b":{"c":"1","d":true,"e":null}}`, `{"a":["x","y"],"b":{"c":1,"d":true,"e":null,"f":1}}`} {
		if sameShape(a, []byte(b)) {
			t.Errorf("sameShape(%s) = true", b)
		}
	}
	var v any
	if err := json.Unmarshal(a, &v); err != nil {
		t.Fatal(err)
	}
}
