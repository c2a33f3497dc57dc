package policy

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Condition operators, as CAM documents them on "Condition Keys and Condition Operators"
// (https://www.tencentcloud.com/document/product/598/58420) and "Effective Conditions"
// (https://www.tencentcloud.com/document/product/598/58419); docs/facts/cam-conditions.md has each
// one's meaning. Any other operator is refused by Parse with InvalidParameter.ConditionError rather than
// ignored, because an ignored condition would widen (allow) or narrow (deny) a grant silently.
//
// Every operator but null_equal may carry the suffix "_if_exist" (the condition also holds when the
// request has no value for the key), and may be prefixed with "for_any_value:" (some request value
// satisfies it) or "for_all_value:" (every request value satisfies it); without a prefix every request
// value must satisfy it, which is the same for the usual single-valued keys.
//
// A value satisfies a positive operator when it matches at least one condition value, and a negated
// operator ("..._not_...") when it matches none.
var conditionOperators = map[string]func(req, cond string) bool{
	"string_equal":                 func(r, c string) bool { return r == c },
	"string_not_equal":             func(r, c string) bool { return r == c },
	"string_equal_ignore_case":     strings.EqualFold,
	"string_not_equal_ignore_case": strings.EqualFold,
	"numeric_equal":                numCmp(func(a, b float64) bool { return a == b }),
	"numeric_not_equal":            numCmp(func(a, b float64) bool { return a == b }),
	"numeric_less_than":            numCmp(func(a, b float64) bool { return a < b }),
	"numeric_less_than_equal":      numCmp(func(a, b float64) bool { return a <= b }),
	"numeric_greater_than":         numCmp(func(a, b float64) bool { return a > b }),
	"numeric_greater_than_equal":   numCmp(func(a, b float64) bool { return a >= b }),
	"date_equal":                   dateCmp(func(a, b time.Time) bool { return a.Equal(b) }),
	"date_not_equal":               dateCmp(func(a, b time.Time) bool { return a.Equal(b) }),
	"date_less_than":               dateCmp(func(a, b time.Time) bool { return a.Before(b) }),
	"date_less_than_equal":         dateCmp(func(a, b time.Time) bool { return !a.After(b) }),
	"date_greater_than":            dateCmp(func(a, b time.Time) bool { return a.After(b) }),
	"date_greater_than_equal":      dateCmp(func(a, b time.Time) bool { return !a.Before(b) }),
	"bool_equal":                   func(r, c string) bool { return strings.EqualFold(strings.TrimSpace(r), c) },
	"binary_equal":                 binaryEqual,
	"ip_equal":                     ipMatch,
	"ip_not_equal":                 ipMatch,
	// null_equal is decided on the presence of the key, not on its values: see Condition.matches.
	nullEqual: nil,
	// string_like and string_not_like are not on CAM's operator list; onboard accepted them before the
	// list was checked, and keeps accepting them so that documents written for it still parse.
	"string_like":     func(r, c string) bool { return glob(c, r) },
	"string_not_like": func(r, c string) bool { return glob(c, r) },
}

// ConditionOperators lists the supported operators (without qualifier prefixes or the _if_exist
// suffix), sorted.
func ConditionOperators() []string { return sortedKeys(conditionOperators) }

const (
	forAnyValue = "for_any_value:"
	forAllValue = "for_all_value:"
	ifExist     = "_if_exist"
	nullEqual   = "null_equal"
)

// operator is a condition operator taken apart: its qualifier prefix ("", forAnyValue or
// forAllValue), its base operator, and whether it carries the _if_exist suffix.
type operator struct {
	qualifier string
	base      string
	ifExist   bool
}

// parseOperator takes op apart and reports whether it is a supported operator.
func parseOperator(op string) (operator, bool) {
	var o operator
	for _, q := range []string{forAnyValue, forAllValue} {
		if strings.HasPrefix(op, q) {
			o.qualifier, op = q, op[len(q):]
			break
		}
	}
	if base, ok := strings.CutSuffix(op, ifExist); ok {
		o.ifExist, op = true, base
	}
	o.base = op
	if _, ok := conditionOperators[o.base]; !ok {
		return o, false
	}
	// CAM documents _if_exist for every operator except null_equal, which is about presence itself.
	return o, !(o.ifExist && o.base == nullEqual)
}

func negated(base string) bool { return strings.Contains(base, "_not_") }

func parseConditions(raw json.RawMessage) ([]Condition, *SyntaxError) {
	var ops map[string]json.RawMessage
	if err := json.Unmarshal(raw, &ops); err != nil || ops == nil {
		return nil, syntaxErr(CodeConditionError, "condition must be an object {\"<operator>\": {\"<key>\": value}}")
	}
	if len(ops) == 0 {
		return nil, syntaxErr(CodeConditionError, "condition is empty")
	}
	var out []Condition
	for _, op := range sortedKeys(ops) {
		o, ok := parseOperator(op)
		if !ok {
			return nil, syntaxErr(CodeConditionError, "condition operator %q is not supported; supported: %s (optionally prefixed with for_any_value: or for_all_value:, and, except null_equal, suffixed with _if_exist)", op, strings.Join(ConditionOperators(), ", "))
		}
		var keys map[string]json.RawMessage
		if err := json.Unmarshal(ops[op], &keys); err != nil || len(keys) == 0 {
			return nil, syntaxErr(CodeConditionError, "condition %q must map at least one key to a value", op)
		}
		for _, key := range sortedKeys(keys) {
			if strings.TrimSpace(key) == "" {
				return nil, syntaxErr(CodeConditionError, "condition %q has an empty key", op)
			}
			values, err := conditionValues(keys[key])
			if err != nil {
				err.Message = fmt.Sprintf("condition %q key %q: %s", op, key, err.Message)
				return nil, err
			}
			for _, v := range values {
				if msg := checkConditionValue(o.base, v); msg != "" {
					return nil, syntaxErr(CodeConditionContentError, "condition %q key %q: value %q %s", op, key, v, msg)
				}
			}
			out = append(out, Condition{Operator: op, Key: key, Values: values})
		}
	}
	return out, nil
}

// conditionValues decodes a scalar or an array of scalars (strings, numbers, booleans) as strings.
func conditionValues(raw json.RawMessage) ([]string, *SyntaxError) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, syntaxErr(CodeConditionTypeError, "value is not valid JSON")
	}
	list, isList := v.([]any)
	if !isList {
		list = []any{v}
	}
	if len(list) == 0 {
		return nil, syntaxErr(CodeConditionContentError, "value list is empty")
	}
	out := make([]string, 0, len(list))
	for _, e := range list {
		switch x := e.(type) {
		case string:
			out = append(out, x)
		case json.Number:
			out = append(out, x.String())
		case bool:
			out = append(out, strconv.FormatBool(x))
		default:
			return nil, syntaxErr(CodeConditionTypeError, "values must be strings, numbers or booleans")
		}
	}
	return out, nil
}

func checkConditionValue(base, v string) string {
	switch {
	case strings.HasPrefix(base, "ip_"):
		if _, err := netip.ParsePrefix(v); err == nil {
			return ""
		}
		if _, err := netip.ParseAddr(v); err == nil {
			return ""
		}
		return "is not an IP address or CIDR block"
	case strings.HasPrefix(base, "numeric_"):
		if _, err := strconv.ParseFloat(v, 64); err != nil {
			return "is not a number"
		}
	case strings.HasPrefix(base, "date_"):
		if _, ok := parseDate(v); !ok {
			return "is not a date and time: want ISO 8601, e.g. 2026-05-31T00:00:00Z or 2026-05-31 00:00:00 (UTC)"
		}
	case base == "binary_equal":
		if _, err := base64.StdEncoding.DecodeString(v); err != nil {
			return "is not base64"
		}
	case base == "bool_equal", base == nullEqual:
		if !strings.EqualFold(v, "true") && !strings.EqualFold(v, "false") {
			return "is not true or false"
		}
	}
	return ""
}

func ipMatch(req, cond string) bool {
	addr, err := netip.ParseAddr(strings.TrimSpace(req))
	if err != nil {
		return false
	}
	addr = addr.Unmap()
	if p, err := netip.ParsePrefix(cond); err == nil {
		return p.Masked().Contains(addr)
	}
	c, err := netip.ParseAddr(cond)
	return err == nil && c.Unmap() == addr
}

func numCmp(cmp func(a, b float64) bool) func(req, cond string) bool {
	return func(req, cond string) bool {
		a, err1 := strconv.ParseFloat(strings.TrimSpace(req), 64)
		b, err2 := strconv.ParseFloat(cond, 64)
		return err1 == nil && err2 == nil && cmp(a, b)
	}
}

// dateLayouts are the spellings of a date and time that date_* operators accept. CAM describes
// qcs:current_time as ISO 8601 in UTC and writes its own examples as "2022-05-31 00:00:00"; a time
// without a zone is read as UTC.
var dateLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02"}

func parseDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

func dateCmp(cmp func(a, b time.Time) bool) func(req, cond string) bool {
	return func(req, cond string) bool {
		a, ok1 := parseDate(req)
		b, ok2 := parseDate(cond)
		return ok1 && ok2 && cmp(a, b)
	}
}

// binaryEqual compares the bytes that two base64 texts encode; a request value that is not base64
// matches nothing.
func binaryEqual(req, cond string) bool {
	a, err1 := base64.StdEncoding.DecodeString(strings.TrimSpace(req))
	b, err2 := base64.StdEncoding.DecodeString(cond)
	return err1 == nil && err2 == nil && bytes.Equal(a, b)
}

// matches reports whether the condition holds for the request context. A key is absent when the
// context has no value for it. null_equal true holds exactly when the key is absent, false when it is
// present; an operator with _if_exist holds when the key is absent; any other condition on an absent
// key does not hold.
func (c Condition) matches(ctx map[string][]string) bool {
	o, ok := parseOperator(c.Operator)
	if !ok {
		return false // Parse refuses unknown operators; a hand-built one never matches
	}
	reqValues := ctx[c.Key]
	present := len(reqValues) > 0
	if o.base == nullEqual {
		for _, v := range c.Values {
			if strings.EqualFold(v, "true") != present {
				return true
			}
		}
		return false
	}
	if !present {
		return o.ifExist
	}
	fn := conditionOperators[o.base]
	satisfies := func(r string) bool {
		hit := false
		for _, v := range c.Values {
			if fn(r, v) {
				hit = true
				break
			}
		}
		if negated(o.base) {
			return !hit
		}
		return hit
	}
	if o.qualifier == forAnyValue {
		for _, r := range reqValues {
			if satisfies(r) {
				return true
			}
		}
		return false
	}
	for _, r := range reqValues {
		if !satisfies(r) {
			return false
		}
	}
	return true
}

func sortConditions(cs []Condition) {
	for i := range cs {
		cs[i].Values = sortedUnique(cs[i].Values)
	}
	sort.Slice(cs, func(i, j int) bool {
		if cs[i].Operator != cs[j].Operator {
			return cs[i].Operator < cs[j].Operator
		}
		return cs[i].Key < cs[j].Key
	})
}
