package sas

import (
	"encoding/json"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"onboard/emulator/tcloud"
)

// params are an action's decoded request parameters, flattened as the SDKs send them: "Name",
// "Name.N" for a list of values and "Name.N.Field" for a list of objects, N counting from 1.
type params map[string]string

// commonParams travel with every request of the legacy signature, or may (Lang, RegionId); actions do not
// declare them.
var commonParams = []string{"Action", "Version", "Format", "Timestamp", "SignatureNonce", "AccessKeyId",
	"SignatureMethod", "SignatureVersion", "Signature", "SecurityToken", "Lang"}

// decodeParams merges query (and a form body's) values into params; a repeated key is refused, since no
// client sends one.
func decodeParams(sets ...url.Values) (params, *apiError) {
	p := params{}
	for _, vs := range sets {
		for k, v := range vs {
			if k == "" {
				return nil, errorf(400, "InvalidParameter", "a parameter has an empty name")
			}
			if _, dup := p[k]; dup || len(v) != 1 {
				return nil, errorf(400, "InvalidParameter", "the parameter %s is given more than once", k)
			}
			p[k] = v[0]
		}
	}
	return p, nil
}

// check refuses a parameter the action does not take. A name declared as "List.*" accepts List.N and
// List.N.Field.
func (p params) check(declared ...string) *apiError {
	for k := range p {
		if slices.Contains(commonParams, k) || slices.Contains(declared, k) {
			continue
		}
		root, _, _ := strings.Cut(k, ".")
		if strings.Contains(k, ".") && slices.Contains(declared, root+".*") {
			continue
		}
		return errorf(400, "InvalidParameter", "the action does not take the parameter %s", k)
	}
	return nil
}

func (p params) has(name string) bool { _, ok := p[name]; return ok }

// str returns a string parameter; required ones answer Missing<Name> when absent or empty.
func (p params) str(name string, required bool) (string, *apiError) {
	v := p[name]
	if v == "" && required {
		return "", errorf(400, "Missing"+name, "the parameter %s is required", name)
	}
	return v, nil
}

// int returns an integer parameter and whether it was given.
func (p params) int(name string, required bool) (int64, bool, *apiError) {
	v, ok := p[name]
	if !ok || v == "" {
		if required {
			return 0, false, errorf(400, "Missing"+name, "the parameter %s is required", name)
		}
		return 0, false, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, false, errorf(400, "InvalidParameter", "the parameter %s must be an integer, not %q", name, v)
	}
	return n, true, nil
}

func (p params) bool(name string) (bool, *apiError) {
	switch p[name] {
	case "", "false":
		return false, nil
	case "true":
		return true, nil
	}
	return false, errorf(400, "InvalidParameter", "the parameter %s must be true or false, not %q", name, p[name])
}

// list returns Name.1 … Name.N; the indexes must run from 1 without a gap.
func (p params) list(name string) ([]string, *apiError) {
	idx, err := p.indexes(name, false)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(idx))
	for i := range out {
		out[i] = p[name+"."+strconv.Itoa(i+1)]
	}
	return out, nil
}

// objects returns Name.N.Field as one map per N; the indexes must run from 1 without a gap.
func (p params) objects(name string) ([]map[string]string, *apiError) {
	idx, err := p.indexes(name, true)
	if err != nil {
		return nil, err
	}
	out := make([]map[string]string, len(idx))
	for i := range out {
		out[i] = map[string]string{}
	}
	prefix := name + "."
	for k, v := range p {
		rest, ok := strings.CutPrefix(k, prefix)
		if !ok {
			continue
		}
		n, field, _ := strings.Cut(rest, ".")
		i, _ := strconv.Atoi(n)
		out[i-1][field] = v
	}
	return out, nil
}

// indexes collects the N of Name.N (objects: Name.N.Field) and checks they are 1..len.
func (p params) indexes(name string, objects bool) (map[int]bool, *apiError) {
	idx := map[int]bool{}
	prefix := name + "."
	for k := range p {
		rest, ok := strings.CutPrefix(k, prefix)
		if !ok {
			continue
		}
		n, field, hasField := strings.Cut(rest, ".")
		if hasField != objects || (objects && (field == "" || strings.Contains(field, "."))) {
			return nil, errorf(400, "InvalidParameter", "the parameter %s is not of the form %s.N%s", k, name, map[bool]string{true: ".Field"}[objects])
		}
		i, err := strconv.Atoi(n)
		if err != nil || i < 1 || strconv.Itoa(i) != n {
			return nil, errorf(400, "InvalidParameter", "the parameter %s has an invalid index", k)
		}
		idx[i] = true
	}
	for i := 1; i <= len(idx); i++ {
		if !idx[i] {
			return nil, errorf(400, "InvalidParameter", "the list %s skips index %d", name, i)
		}
	}
	return idx, nil
}

// jsonObject reads a parameter that carries JSON text (AuthInfo), as an object of strings. The text is
// read strictly, as the service's decoder does: a member given twice or data after the object is
// refused, rather than the last one winning silently.
func (p params) jsonObject(name string) (map[string]string, *apiError) {
	if err := tcloud.StrictJSON([]byte(p[name])); err != nil {
		return nil, errorf(400, "InvalidParameter", "the parameter %s must be a JSON object of strings: %v", name, err)
	}
	var m map[string]string
	if err := json.Unmarshal([]byte(p[name]), &m); err != nil || m == nil {
		return nil, errorf(400, "InvalidParameter", "the parameter %s must be a JSON object of strings", name)
	}
	return m, nil
}
