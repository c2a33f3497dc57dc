package policy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"
)

// Condition operators this package supports. Any other operator is refused by Parse with
// InvalidParameter.ConditionError rather than ignored, because an ignored condition would widen (allow)
// or narrow (deny) a grant silently. Each may be prefixed with "for_any_value:" (some request value
// satisfies it) or "for_all_value:" (every request value satisfies it); without a prefix every request
// value must satisfy it, which is the same for the usual single-valued keys.
//
// A value satisfies a positive operator when it matches at least one condition value, and a negated
// operator ("..._not_...") when it matches none. string_like accepts "*" as a wildcard; ip_equal and
// ip_not_equal take addresses or CIDR blocks; numeric operators compare decimal numbers; bool_equal
// takes true or false.
var conditionOperators = map[string]func(req, cond string) bool{
	"string_equal":               func(r, c string) bool { return r == c },
	"string_not_equal":           func(r, c string) bool { return r == c },
	"string_like":                func(r, c string) bool { return glob(c, r) },
	"string_not_like":            func(r, c string) bool { return glob(c, r) },
	"ip_equal":                   ipMatch,
	"ip_not_equal":               ipMatch,
	"numeric_equal":              numCmp(func(a, b float64) bool { return a == b }),
	"numeric_not_equal":          numCmp(func(a, b float64) bool { return a == b }),
	"numeric_less_than":          numCmp(func(a, b float64) bool { return a < b }),
	"numeric_less_than_equal":    numCmp(func(a, b float64) bool { return a <= b }),
	"numeric_greater_than":       numCmp(func(a, b float64) bool { return a > b }),
	"numeric_greater_than_equal": numCmp(func(a, b float64) bool { return a >= b }),
	"bool_equal":                 func(r, c string) bool { return strings.EqualFold(r, c) },
}

// ConditionOperators lists the supported operators (without qualifier prefixes), sorted.
func ConditionOperators() []string { return sortedKeys(conditionOperators) }

const (
	forAnyValue = "for_any_value:"
	forAllValue = "for_all_value:"
)

// splitOperator returns the qualifier prefix ("", forAnyValue or forAllValue) and the base operator.
func splitOperator(op string) (qualifier, base string) {
	for _, q := range []string{forAnyValue, forAllValue} {
		if strings.HasPrefix(op, q) {
			return q, op[len(q):]
		}
	}
	return "", op
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
		_, base := splitOperator(op)
		if _, ok := conditionOperators[base]; !ok {
			return nil, syntaxErr(CodeConditionError, "condition operator %q is not supported; supported: %s (optionally prefixed with for_any_value: or for_all_value:)", op, strings.Join(ConditionOperators(), ", "))
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
				if msg := checkConditionValue(base, v); msg != "" {
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
	case base == "bool_equal":
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

// matches reports whether the condition holds for the request context. An absent key never matches.
func (c Condition) matches(ctx map[string][]string) bool {
	reqValues, ok := ctx[c.Key]
	if !ok || len(reqValues) == 0 {
		return false
	}
	qualifier, base := splitOperator(c.Operator)
	fn, ok := conditionOperators[base]
	if !ok {
		return false // Parse refuses unknown operators; a hand-built one never matches
	}
	satisfies := func(r string) bool {
		hit := false
		for _, v := range c.Values {
			if fn(r, v) {
				hit = true
				break
			}
		}
		if negated(base) {
			return !hit
		}
		return hit
	}
	if qualifier == forAnyValue {
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
