package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"
)

// Effect is the effect of a statement.
type Effect string

// The two effects CAM knows.
const (
	Allow Effect = "allow"
	Deny  Effect = "deny"
)

// Version is the only policy language version CAM accepts.
const Version = "2.0"

// MaxDocumentLength is the largest document, in characters, that Parse accepts. CAM's own limit is not
// published; Tencent's Organization service documents 6,144 characters for custom policies.
const MaxDocumentLength = 6144

// Document is a parsed CAM policy (version 2.0).
type Document struct {
	Version    string
	Statements []Statement
}

// Statement is one statement of a policy. Actions are in "<service>:<Api>" form with the service in
// lower case (or "*"); Resources are "*" or six-segment resources.
type Statement struct {
	Effect     Effect
	Actions    []string
	Resources  []string
	Conditions []Condition
}

// Condition is one operator/key pair of a statement's condition block. Operator is written as in the
// document, e.g. "ip_equal" or "for_any_value:string_equal"; Values are the condition values as
// strings (numbers and booleans in their JSON spelling).
type Condition struct {
	Operator string
	Key      string
	Values   []string
}

// CAM error codes that Parse and ValidateActions report in a SyntaxError.
const (
	CodePolicyDocumentError   = "InvalidParameter.PolicyDocumentError"
	CodeLengthOverLimit       = "InvalidParameter.PolicyDocumentLengthOverLimit"
	CodeVersionError          = "InvalidParameter.VersionError"
	CodeStatementError        = "InvalidParameter.StatementError"
	CodeEffectError           = "InvalidParameter.EffectError"
	CodeActionError           = "InvalidParameter.ActionError"
	CodeActionMiss            = "InvalidParameter.ActionMiss"
	CodeActionNotExist        = "InvalidParameter.ActionNotExist"
	CodeActionServiceNotExist = "InvalidParameter.ActionServiceNotExist"
	CodeResourceError         = "InvalidParameter.ResourceError"
	CodeResourceContentError  = "InvalidParameter.ResourceContentError"
	CodeResourceQcsError      = "InvalidParameter.ResourceQcsError"
	CodeResourceRegionError   = "InvalidParameter.ResourceRegionError"
	CodeResourceUinError      = "InvalidParameter.ResourceUinError"
	CodeConditionError        = "InvalidParameter.ConditionError"
	CodeConditionTypeError    = "InvalidParameter.ConditionTypeError"
	CodeConditionContentError = "InvalidParameter.ConditionContentError"
)

// SyntaxError is a document CAM would refuse. Code is the CAM error code CreatePolicy answers with.
type SyntaxError struct {
	Code    string
	Message string
}

func (e *SyntaxError) Error() string { return e.Code + ": " + e.Message }

func syntaxErr(code, format string, args ...any) *SyntaxError {
	return &SyntaxError{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the CAM error code of a *SyntaxError in err's chain, or "".
func ErrorCode(err error) string {
	var se *SyntaxError
	if errors.As(err, &se) {
		return se.Code
	}
	return ""
}

var (
	actionRe   = regexp.MustCompile(`^[A-Za-z0-9*_-]+:[A-Za-z0-9*]+$`)
	projectRe  = regexp.MustCompile(`^[0-9*]*$`)
	resSvcRe   = regexp.MustCompile(`^[A-Za-z0-9*_-]+$`)
	resRegRe   = regexp.MustCompile(`^[a-z0-9*-]*$`)
	resUinRe   = regexp.MustCompile(`^(\*|(uin|uid)/([0-9]+|\*))?$`)
	statementK = map[string]bool{"effect": true, "action": true, "resource": true, "condition": true}
)

// Parse parses a CAM policy document strictly: valid UTF-8 JSON without duplicate keys, lower-case
// element names only, version "2.0", a non-empty statement array, and well-formed effects, actions,
// resources and conditions. "action" and "resource" may be a string or an array of strings. Parse does
// not check that actions exist; ValidateActions does. Errors are *SyntaxError.
func Parse(data []byte) (*Document, error) {
	if n := utf8.RuneCount(data); n > MaxDocumentLength {
		return nil, syntaxErr(CodeLengthOverLimit, "policy document has %d characters; the limit is %d", n, MaxDocumentLength)
	}
	if !utf8.Valid(data) {
		return nil, syntaxErr(CodePolicyDocumentError, "policy document is not valid UTF-8")
	}
	if err := checkJSON(data); err != nil {
		return nil, syntaxErr(CodePolicyDocumentError, "policy document is not valid JSON: %v", err)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil || top == nil {
		return nil, syntaxErr(CodePolicyDocumentError, "policy document must be a JSON object")
	}
	for _, k := range sortedKeys(top) {
		if k != "version" && k != "statement" {
			return nil, syntaxErr(CodePolicyDocumentError, "unknown element %q: a policy has only \"version\" and \"statement\" (lower case)", k)
		}
	}
	rawVersion, ok := top["version"]
	if !ok {
		return nil, syntaxErr(CodeVersionError, "version is missing; it must be \"2.0\"")
	}
	var version string
	if err := json.Unmarshal(rawVersion, &version); err != nil || version != Version {
		return nil, syntaxErr(CodeVersionError, "version is %s; it must be \"2.0\"", compactJSON(rawVersion))
	}
	rawStatements, ok := top["statement"]
	if !ok {
		return nil, syntaxErr(CodeStatementError, "statement is missing")
	}
	var list []json.RawMessage
	if err := json.Unmarshal(rawStatements, &list); err != nil || list == nil {
		return nil, syntaxErr(CodeStatementError, "statement must be an array of statements")
	}
	if len(list) == 0 {
		return nil, syntaxErr(CodeStatementError, "statement is empty")
	}
	doc := &Document{Version: version, Statements: make([]Statement, 0, len(list))}
	for i, raw := range list {
		st, err := parseStatement(raw)
		if err != nil {
			err.Message = fmt.Sprintf("statement %d: %s", i+1, err.Message)
			return nil, err
		}
		doc.Statements = append(doc.Statements, st)
	}
	return doc, nil
}

func parseStatement(raw json.RawMessage) (Statement, *SyntaxError) {
	var st Statement
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		return st, syntaxErr(CodeStatementError, "a statement must be a JSON object")
	}
	for _, k := range sortedKeys(m) {
		if k == "principal" {
			return st, syntaxErr(CodeStatementError, "\"principal\" belongs only in role trust policies, not in a user's policy")
		}
		if !statementK[k] {
			return st, syntaxErr(CodeStatementError, "unknown element %q: a statement has effect, action, resource and condition (lower case)", k)
		}
	}
	var effect string
	if raw, ok := m["effect"]; !ok {
		return st, syntaxErr(CodeEffectError, "effect is missing; it must be \"allow\" or \"deny\"")
	} else if err := json.Unmarshal(raw, &effect); err != nil || (effect != string(Allow) && effect != string(Deny)) {
		return st, syntaxErr(CodeEffectError, "effect is %s; it must be \"allow\" or \"deny\"", compactJSON(raw))
	}
	st.Effect = Effect(effect)

	rawActions, ok := m["action"]
	if !ok {
		return st, syntaxErr(CodeActionMiss, "action is missing")
	}
	actions, ok := stringOrList(rawActions)
	if !ok {
		return st, syntaxErr(CodeActionError, "action must be a string or an array of strings, not %s", compactJSON(rawActions))
	}
	if len(actions) == 0 {
		return st, syntaxErr(CodeActionMiss, "action is empty")
	}
	for _, a := range actions {
		n, err := normaliseAction(a)
		if err != nil {
			return st, err
		}
		st.Actions = append(st.Actions, n)
	}

	rawResources, ok := m["resource"]
	if !ok {
		return st, syntaxErr(CodeResourceError, "resource is missing; use \"*\" or six-segment resources")
	}
	resources, ok := stringOrList(rawResources)
	if !ok || len(resources) == 0 {
		return st, syntaxErr(CodeResourceError, "resource must be a non-empty string or array of strings, not %s", compactJSON(rawResources))
	}
	for _, r := range resources {
		if err := checkResource(r); err != nil {
			return st, err
		}
	}
	st.Resources = resources

	if raw, ok := m["condition"]; ok {
		conds, err := parseConditions(raw)
		if err != nil {
			return st, err
		}
		st.Conditions = conds
	}
	return st, nil
}

// normaliseAction checks the syntax of one action and returns it as "<service>:<Api>" with the
// service in lower case, or "*".
func normaliseAction(a string) (string, *SyntaxError) {
	s := strings.TrimPrefix(a, "name/")
	if s == "*" {
		return s, nil
	}
	if !actionRe.MatchString(s) {
		return "", syntaxErr(CodeActionError, "action %q is not \"*\" or \"<service>:<ApiName>\" (letters, digits and * only)", a)
	}
	svc, api, _ := strings.Cut(s, ":")
	return strings.ToLower(svc) + ":" + api, nil
}

func checkResource(r string) *SyntaxError {
	if r == "*" {
		return nil
	}
	parts := strings.SplitN(r, ":", 6)
	if parts[0] != "qcs" {
		return syntaxErr(CodeResourceQcsError, "resource %q must be \"*\" or start with \"qcs:\"", r)
	}
	if len(parts) != 6 {
		return syntaxErr(CodeResourceError, "resource %q must have six segments qcs:<project>:<service>:<region>:<account>:<resource>", r)
	}
	switch {
	case !projectRe.MatchString(parts[1]):
		return syntaxErr(CodeResourceError, "resource %q: project segment %q must be empty or a number", r, parts[1])
	case !resSvcRe.MatchString(parts[2]):
		return syntaxErr(CodeResourceError, "resource %q: service segment %q must name a product", r, parts[2])
	case !resRegRe.MatchString(parts[3]):
		return syntaxErr(CodeResourceRegionError, "resource %q: region segment %q must be empty or a region ID such as ap-guangzhou", r, parts[3])
	case !resUinRe.MatchString(parts[4]):
		return syntaxErr(CodeResourceUinError, "resource %q: account segment %q must be uin/<digits> (or empty)", r, parts[4])
	case parts[5] == "" || strings.ContainsFunc(parts[5], badResourceRune):
		return syntaxErr(CodeResourceContentError, "resource %q: resource segment %q must be <type>/<id>, <type>/* or *", r, parts[5])
	}
	return nil
}

func badResourceRune(c rune) bool {
	return c <= ' ' || c == 0x7f || c == '"' || c == '\\' || c == utf8.RuneError
}

// stringOrList decodes a JSON string or an array of strings.
func stringOrList(raw json.RawMessage) ([]string, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return nil, false
	}
	switch raw[0] {
	case '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, false
		}
		return []string{s}, true
	case '[':
		var l []string
		if err := json.Unmarshal(raw, &l); err != nil {
			return nil, false
		}
		return l, true
	}
	return nil, false
}

// checkJSON reports invalid JSON, trailing data after the document, and duplicate object keys (which
// encoding/json would otherwise resolve silently in favour of the last one).
func checkJSON(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := walkJSON(dec, 0); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("unexpected data after the document")
	}
	return nil
}

const maxJSONDepth = 32

func walkJSON(dec *json.Decoder, depth int) error {
	if depth > maxJSONDepth {
		return fmt.Errorf("nested deeper than %d levels", maxJSONDepth)
	}
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	d, ok := tok.(json.Delim)
	if !ok {
		return nil
	}
	switch d {
	case '{':
		seen := map[string]bool{}
		for dec.More() {
			k, err := dec.Token()
			if err != nil {
				return err
			}
			key, _ := k.(string)
			if seen[key] {
				return fmt.Errorf("duplicate key %q", key)
			}
			seen[key] = true
			if err := walkJSON(dec, depth+1); err != nil {
				return err
			}
		}
	case '[':
		for dec.More() {
			if err := walkJSON(dec, depth+1); err != nil {
				return err
			}
		}
	}
	_, err = dec.Token() // the closing delimiter
	return err
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// compactJSON shortens a raw value for an error message.
func compactJSON(raw json.RawMessage) string {
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return "invalid JSON"
	}
	s := b.String()
	if len(s) > 60 {
		s = s[:57] + "..."
	}
	return s
}

// MarshalJSON writes the document in CAM's syntax: lower-case element names, "action" and "resource"
// as arrays, conditions grouped by operator and key.
func (d Document) MarshalJSON() ([]byte, error) {
	type cond map[string]map[string][]string
	type stmt struct {
		Effect    Effect   `json:"effect"`
		Action    []string `json:"action"`
		Resource  []string `json:"resource"`
		Condition cond     `json:"condition,omitempty"`
	}
	out := struct {
		Version   string `json:"version"`
		Statement []stmt `json:"statement"`
	}{Version: d.Version, Statement: make([]stmt, 0, len(d.Statements))}
	for _, s := range d.Statements {
		st := stmt{Effect: s.Effect, Action: nonNil(s.Actions), Resource: nonNil(s.Resources)}
		for _, c := range s.Conditions {
			if st.Condition == nil {
				st.Condition = cond{}
			}
			if st.Condition[c.Operator] == nil {
				st.Condition[c.Operator] = map[string][]string{}
			}
			st.Condition[c.Operator][c.Key] = append(st.Condition[c.Operator][c.Key], c.Values...)
		}
		out.Statement = append(out.Statement, st)
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
