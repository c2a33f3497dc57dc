package tcloud

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// maxJSONDepth bounds the nesting of a request body; no action's model nests deeper than a few levels.
const maxJSONDepth = 64

// StrictJSON checks that data is exactly one JSON value with no duplicate member names in any object and
// nothing after it. Go's decoder keeps the last of two same-named members (and matches names without
// regard to case), and stops at the end of the first value: a body that the real services' strict
// decoders refuse would otherwise be served. Names that differ only in case count as duplicates, since
// both would fill one field here. The Security Center emulator checks its JSON parameters with it too.
func StrictJSON(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := strictValue(dec, 0); err != nil {
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("data after the JSON value")
	}
	return nil
}

func strictValue(dec *json.Decoder, depth int) error {
	if depth > maxJSONDepth {
		return fmt.Errorf("nested deeper than %d levels", maxJSONDepth)
	}
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch tok {
	case json.Delim('{'):
		seen := map[string]string{}
		for dec.More() {
			t, err := dec.Token()
			if err != nil {
				return err
			}
			name, _ := t.(string)
			if first, dup := seen[strings.ToLower(name)]; dup {
				return fmt.Errorf("the member %q is given more than once (as %q and %q)", name, first, name)
			}
			seen[strings.ToLower(name)] = name
			if err := strictValue(dec, depth+1); err != nil {
				return err
			}
		}
		_, err = dec.Token()
		return err
	case json.Delim('['):
		for dec.More() {
			if err := strictValue(dec, depth+1); err != nil {
				return err
			}
		}
		_, err = dec.Token()
		return err
	}
	return nil
}
