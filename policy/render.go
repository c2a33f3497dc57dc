package policy

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

//go:embed templates/*.json
var templateFiles embed.FS

// Names returns the names of the custom policies the project authors, in onboarding order.
func Names() []string { return []string{CSPMPolicy, SIEMPolicy, CIEMPolicy} }

// Template returns the named template as stored, placeholders unfilled.
func Template(name string) ([]byte, error) {
	if err := checkName(name); err != nil {
		return nil, err
	}
	return templateFiles.ReadFile("templates/" + name + ".json")
}

func checkName(name string) error {
	for _, n := range Names() {
		if n == name {
			return nil
		}
	}
	for _, n := range Names() {
		if strings.EqualFold(n, name) {
			return fmt.Errorf("unknown policy %q: did you mean %s? Valid names are %s", name, n, strings.Join(Names(), ", "))
		}
	}
	return fmt.Errorf("unknown policy %q: valid names are %s", name, strings.Join(Names(), ", "))
}

// Values fill a template's placeholders. Empty fields are unset; a template that uses an unset
// placeholder fails to render.
type Values struct {
	TopicID       string // ${CLS_Topic_ID}: the CLS topic ID (not the Kafka topic name)
	LogsetID      string // ${CLS_Logset_ID}: the CLS logset ID
	Region        string // ${CLS_Region_ID}: the region of the logset and topic
	RootAccountID string // ${Root_Account_ID}: the root account UIN
}

// Placeholder names (without "${" and "}").
const (
	PlaceholderTopic   = "CLS_Topic_ID"
	PlaceholderLogset  = "CLS_Logset_ID"
	PlaceholderRegion  = "CLS_Region_ID"
	PlaceholderAccount = "Root_Account_ID"
)

var (
	regionRe = regexp.MustCompile(`^[a-z]{2,}(-[a-z]+)+(-[0-9]+)?$`)
	uinRe    = regexp.MustCompile(`^[1-9][0-9]{0,19}$`)
	clsIDRe  = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$`)
)

type placeholder struct {
	name  string
	field func(*Values) *string
	valid string // what a valid value looks like, for error messages
	check func(string) bool
}

// placeholders are the only ones a template may use. Each value has its own rule, and none admits a
// character that could end a JSON string, add a path segment or a wildcard to a resource, or start
// another placeholder.
var placeholders = []placeholder{
	{PlaceholderTopic, func(v *Values) *string { return &v.TopicID },
		"a CLS topic ID: 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit", clsIDRe.MatchString},
	{PlaceholderLogset, func(v *Values) *string { return &v.LogsetID },
		"a CLS logset ID: 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit", clsIDRe.MatchString},
	{PlaceholderRegion, func(v *Values) *string { return &v.Region },
		"a region ID such as ap-guangzhou (lower-case words joined by '-', optionally ending in a number)",
		func(s string) bool { return len(s) <= 40 && regionRe.MatchString(s) }},
	{PlaceholderAccount, func(v *Values) *string { return &v.RootAccountID },
		"the root account UIN: digits only, such as 100004375281", uinRe.MatchString},
}

// Placeholders returns the names of the placeholders templates may use.
func Placeholders() []string {
	out := make([]string, len(placeholders))
	for i, p := range placeholders {
		out[i] = p.name
	}
	return out
}

// PlaceholderError is a placeholder that cannot be filled: unknown, missing a value, or given an
// invalid one.
type PlaceholderError struct {
	Placeholder string // name without "${" and "}", or the raw text for a malformed one
	Reason      string
}

func (e *PlaceholderError) Error() string {
	return fmt.Sprintf("placeholder ${%s}: %s", e.Placeholder, e.Reason)
}

func lookupPlaceholder(name string) (placeholder, bool) {
	for _, p := range placeholders {
		if p.name == name {
			return p, true
		}
	}
	return placeholder{}, false
}

// Set sets the value of the named placeholder ("CLS_Topic_ID" or "${CLS_Topic_ID}"), validating it.
func (v *Values) Set(name, value string) error {
	name = strings.TrimSuffix(strings.TrimPrefix(name, "${"), "}")
	p, ok := lookupPlaceholder(name)
	if !ok {
		return &PlaceholderError{Placeholder: name, Reason: "unknown; valid placeholders are " + strings.Join(Placeholders(), ", ")}
	}
	if !p.check(value) {
		return &PlaceholderError{Placeholder: name, Reason: fmt.Sprintf("invalid value %q: want %s", value, p.valid)}
	}
	*p.field(v) = value
	return nil
}

// Validate checks every value that is set.
func (v Values) Validate() error {
	var errs []error
	for _, p := range placeholders {
		if s := *p.field(&v); s != "" && !p.check(s) {
			errs = append(errs, &PlaceholderError{Placeholder: p.name, Reason: fmt.Sprintf("invalid value %q: want %s", s, p.valid)})
		}
	}
	return errors.Join(errs...)
}

var placeholderRe = regexp.MustCompile(`\$\{([A-Za-z0-9_]*)\}`)

// UsedPlaceholders returns the names of the placeholders a template uses, each once, in order of
// first use.
func UsedPlaceholders(tmpl []byte) []string {
	var out []string
	for _, m := range placeholderRe.FindAllSubmatch(tmpl, -1) {
		if name := string(m[1]); !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	return out
}

// fill replaces the placeholders in text. Values are written JSON-escaped (a no-op for valid values,
// and a second guard besides validation). Unknown placeholders, unset values and any "${" left over
// (unterminated or nested placeholders) are errors.
func fill(text string, v Values, used map[string]bool) (string, error) {
	if err := v.Validate(); err != nil {
		return "", err
	}
	if rest := placeholderRe.ReplaceAllString(text, ""); strings.Contains(rest, "${") {
		i := strings.Index(rest, "${")
		frag := rest[i:min(len(rest), i+24)]
		return "", &PlaceholderError{Placeholder: strings.TrimPrefix(frag, "${"), Reason: "malformed placeholder: \"${\" without a matching \"}\", or nested placeholders"}
	}
	var errs []error
	seen := map[string]bool{}
	out := placeholderRe.ReplaceAllStringFunc(text, func(m string) string {
		name := m[2 : len(m)-1]
		p, ok := lookupPlaceholder(name)
		switch {
		case !ok:
			if !seen[name] {
				errs = append(errs, &PlaceholderError{Placeholder: name, Reason: "unknown; valid placeholders are " + strings.Join(Placeholders(), ", ")})
			}
		case *p.field(&v) == "":
			if !seen[name] {
				errs = append(errs, &PlaceholderError{Placeholder: name, Reason: "no value given; want " + p.valid})
			}
		default:
			if used != nil {
				used[name] = true
			}
			seen[name] = true
			return jsonEscape(*p.field(&v))
		}
		seen[name] = true
		return m
	})
	if err := errors.Join(errs...); err != nil {
		return "", err
	}
	if strings.Contains(out, "${") {
		return "", &PlaceholderError{Placeholder: "", Reason: "a placeholder remains after rendering"}
	}
	return out, nil
}

func jsonEscape(s string) string {
	b, _ := json.Marshal(s)
	return string(b[1 : len(b)-1])
}

// maxTemplateBytes bounds what RenderDocument and LoadOverride read; the rendered document must also
// fit MaxDocumentLength.
const maxTemplateBytes = 64 << 10

// Render fills the named template with v and returns a valid CAM policy, or an error.
func Render(name string, v Values) ([]byte, error) {
	tmpl, err := Template(name)
	if err != nil {
		return nil, err
	}
	out, err := RenderDocument(tmpl, v)
	if err != nil {
		return nil, fmt.Errorf("render %s: %w", name, err)
	}
	return out, nil
}

// RenderDocument fills a template (embedded or supplied by the user) with v. The template must be
// JSON with placeholders only inside strings; the result keeps the template's structure and is
// checked like a CreatePolicy document: Parse (version 2.0, non-empty statements, syntax) and
// CheckActions (actions of services onboard does not know pass; UnknownServiceWarnings names them). A
// template without placeholders needs no values.
func RenderDocument(tmpl []byte, v Values) ([]byte, error) {
	if len(tmpl) > maxTemplateBytes {
		return nil, fmt.Errorf("policy template is %d bytes; the limit is %d", len(tmpl), maxTemplateBytes)
	}
	if !utf8.Valid(tmpl) {
		return nil, errors.New("policy template is not valid UTF-8")
	}
	if err := checkJSON(tmpl); err != nil {
		return nil, fmt.Errorf("policy template is not valid JSON (placeholders belong inside JSON strings): %w", err)
	}
	out, err := fill(string(tmpl), v, nil)
	if err != nil {
		return nil, err
	}
	rendered := []byte(out)
	if !sameShape(tmpl, rendered) {
		return nil, errors.New("rendering changed the structure of the policy document")
	}
	doc, err := Parse(rendered)
	if err != nil {
		return nil, fmt.Errorf("rendered policy: %w", err)
	}
	if _, err := CheckActions(doc); err != nil {
		return nil, fmt.Errorf("rendered policy: %w", err)
	}
	return rendered, nil
}

// sameShape reports whether two JSON texts have the same structure: the same kinds of values, the same
// array lengths and the same number of object members, recursively.
func sameShape(a, b []byte) bool {
	var x, y any
	if decodeNumber(a, &x) != nil || decodeNumber(b, &y) != nil {
		return false
	}
	return shapeEqual(x, y)
}

func decodeNumber(data []byte, v *any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	return dec.Decode(v)
}

func shapeEqual(x, y any) bool {
	switch a := x.(type) {
	case map[string]any:
		b, ok := y.(map[string]any)
		if !ok || len(a) != len(b) {
			return false
		}
		ka, kb := sortedKeys(a), sortedKeys(b)
		for i := range ka {
			if !shapeEqual(a[ka[i]], b[kb[i]]) {
				return false
			}
		}
		return true
	case []any:
		b, ok := y.([]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for i := range a {
			if !shapeEqual(a[i], b[i]) {
				return false
			}
		}
		return true
	case string:
		_, ok := y.(string)
		return ok
	case json.Number:
		_, ok := y.(json.Number)
		return ok
	case bool:
		_, ok := y.(bool)
		return ok
	case nil:
		return y == nil
	}
	return false
}

// ParsePolicyFileFlag splits a --policy-file value "NAME=PATH", checking NAME is a custom policy name.
func ParsePolicyFileFlag(s string) (name, path string, err error) {
	name, path, ok := strings.Cut(s, "=")
	name, path = strings.TrimSpace(name), strings.TrimSpace(path)
	if !ok || name == "" || path == "" {
		return "", "", fmt.Errorf("policy file %q: want NAME=PATH, e.g. cspmPolicy=./cspm.json, with NAME one of %s", s, strings.Join(Names(), ", "))
	}
	if err := checkName(name); err != nil {
		return "", "", fmt.Errorf("policy file %q: %w", s, err)
	}
	return name, path, nil
}

// sampleValues are valid values used to check a supplied template before the real ones are known.
var sampleValues = Values{
	TopicID:       "00000000-0000-4000-8000-000000000000",
	LogsetID:      "00000000-0000-4000-8000-000000000000",
	Region:        "ap-guangzhou",
	RootAccountID: "100000000000",
}

// LoadOverride reads a user-supplied document for the named custom policy (e.g. Security Center's
// official JSON) and checks it: size, JSON, only known placeholders, and a valid CAM policy once
// filled. It returns the document as read, placeholders unfilled, for RenderDocument.
func LoadOverride(name, path string) ([]byte, error) {
	if err := checkName(name); err != nil {
		return nil, err
	}
	data, err := ReadFile(path, maxTemplateBytes)
	if err != nil {
		return nil, fmt.Errorf("read policy file for %s: %w", name, err)
	}
	if _, err := RenderDocument(data, sampleValues); err != nil {
		return nil, fmt.Errorf("policy file %s for %s: %w", path, name, err)
	}
	return data, nil
}
