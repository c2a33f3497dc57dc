package tcloud

import (
	"encoding/json"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"
)

// A GET request carries the action's parameters in its query string, flattened as the SDKs flatten them
// for GET: "Name=x", a list as "Ids.0=a&Ids.1=b", a list of objects as "Filters.0.Name=vpc-id"
// (signing page, https://www.tencentcloud.com/document/api/213/33224: CanonicalQueryString is the string
// after "?"). queryJSON rebuilds the JSON body the same parameters would have had in a POST, taking each
// value's JSON type from the field the action decodes it into, so that one strict decoder serves both.
func queryJSON(q url.Values, into reflect.Type) ([]byte, *apiError) {
	out := map[string]any{}
	for key, values := range q {
		// The query is UTF-8 (signing page, CanonicalQueryString).
		if !utf8.ValidString(key) || !utf8.ValidString(values[0]) {
			return nil, errorf("InvalidParameter", "parameter %q is not valid UTF-8", key)
		}
		if err := setFlat(out, strings.Split(key, "."), values[0], into); err != nil {
			return nil, err
		}
	}
	data, _ := json.Marshal(out)
	return data, nil
}

// setFlat stores value at path inside obj, whose fields are those of the struct type t.
func setFlat(obj map[string]any, path []string, value string, t reflect.Type) *apiError {
	name := path[0]
	field, ok := structField(t, name)
	if !ok {
		// Left as a string: the strict decoder names it as an unknown parameter.
		obj[name] = value
		return nil
	}
	ft := deref(field.Type)
	switch {
	case len(path) == 1:
		v, err := scalar(value, ft)
		if err != nil {
			return errorf("InvalidParameter", "parameter %s must be of type %s", name, ft)
		}
		obj[name] = v
		return nil
	case ft.Kind() == reflect.Slice:
		i, err := strconv.Atoi(path[1])
		if err != nil || i < 0 || i > 1000 {
			return errorf("InvalidParameter", "parameter %s has no element %q", name, path[1])
		}
		list, _ := obj[name].([]any)
		for len(list) <= i {
			list = append(list, nil)
		}
		elem := deref(ft.Elem())
		if len(path) == 2 {
			v, err := scalar(value, elem)
			if err != nil {
				return errorf("InvalidParameter", "parameter %s.%d must be of type %s", name, i, elem)
			}
			list[i] = v
		} else {
			sub, _ := list[i].(map[string]any)
			if sub == nil {
				sub = map[string]any{}
			}
			if e := setFlat(sub, path[2:], value, elem); e != nil {
				return e
			}
			list[i] = sub
		}
		obj[name] = list
		return nil
	case ft.Kind() == reflect.Struct:
		sub, _ := obj[name].(map[string]any)
		if sub == nil {
			sub = map[string]any{}
		}
		if e := setFlat(sub, path[1:], value, ft); e != nil {
			return e
		}
		obj[name] = sub
		return nil
	}
	return errorf("InvalidParameter", "parameter %s is not a list or an object", name)
}

func structField(t reflect.Type, name string) (reflect.StructField, bool) {
	if t.Kind() != reflect.Struct {
		return reflect.StructField{}, false
	}
	return t.FieldByName(name)
}

func deref(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

// scalar converts one query value to the JSON value of kind t.
func scalar(value string, t reflect.Type) (any, error) {
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.ParseInt(value, 10, 64)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return strconv.ParseUint(value, 10, 64)
	case reflect.Float32, reflect.Float64:
		return strconv.ParseFloat(value, 64)
	case reflect.Bool:
		return strconv.ParseBool(value)
	}
	return value, nil
}
