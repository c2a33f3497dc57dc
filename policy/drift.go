package policy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Normalize returns a copy of doc in canonical order: actions and resources sorted and deduplicated
// (the "name/" prefix is already gone after Parse), conditions sorted by operator and key with sorted
// values, and statements sorted with exact duplicates removed. Two documents CAM treats the same way
// because they differ only in these respects normalise to equal documents.
func Normalize(doc *Document) *Document {
	if doc == nil {
		return nil
	}
	out := &Document{Version: doc.Version}
	for _, s := range doc.Statements {
		n := Statement{Effect: s.Effect}
		for _, a := range s.Actions {
			if na, err := normaliseAction(a); err == nil {
				a = na
			}
			n.Actions = append(n.Actions, a)
		}
		n.Actions = sortedUnique(n.Actions)
		n.Resources = sortedUnique(slices.Clone(s.Resources))
		for _, c := range s.Conditions {
			n.Conditions = append(n.Conditions, Condition{Operator: c.Operator, Key: c.Key, Values: slices.Clone(c.Values)})
		}
		sortConditions(n.Conditions)
		out.Statements = append(out.Statements, n)
	}
	keys := make([]string, len(out.Statements))
	for i, s := range out.Statements {
		keys[i] = statementKey(s)
	}
	idx := make([]int, len(keys))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return keys[idx[a]] < keys[idx[b]] })
	sorted := make([]Statement, 0, len(idx))
	for i, j := range idx {
		if i > 0 && keys[j] == keys[idx[i-1]] {
			continue
		}
		sorted = append(sorted, out.Statements[j])
	}
	out.Statements = sorted
	return out
}

func statementKey(s Statement) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// Canonical parses data and returns its normalised, compact form; equivalent documents give equal
// bytes. Actions are not checked against the catalogue, so a live document with actions this package
// does not know still compares.
func Canonical(data []byte) ([]byte, error) {
	doc, err := Parse(data)
	if err != nil {
		return nil, err
	}
	return Normalize(doc).MarshalJSON()
}

// Drift is the difference between a live document and the wanted one.
type Drift struct {
	Changed bool
	// Lines are "+ <grant>" for what the wanted document grants and the live one lacks, and
	// "- <grant>" for what the live one grants beyond the wanted one, each grant written as
	// "<effect> <action> on <resource>[ if <conditions>]", sorted with removals first.
	Lines []string
}

// Diff compares a live document (as CAM returns it) with the wanted one, grant by grant: each statement
// is expanded into one line per action and resource, so statement order, action order, string versus
// one-element list, whitespace and the "name/" prefix do not count as drift.
func Diff(live, want []byte) (Drift, error) {
	l, err := Parse(live)
	if err != nil {
		return Drift{}, fmt.Errorf("parse live policy: %w", err)
	}
	w, err := Parse(want)
	if err != nil {
		return Drift{}, fmt.Errorf("parse wanted policy: %w", err)
	}
	lg, wg := grants(l), grants(w)
	var d Drift
	for _, g := range sortedKeys(lg) {
		if !wg[g] {
			d.Lines = append(d.Lines, "- "+g)
		}
	}
	for _, g := range sortedKeys(wg) {
		if !lg[g] {
			d.Lines = append(d.Lines, "+ "+g)
		}
	}
	d.Changed = len(d.Lines) > 0
	return d, nil
}

// grants expands a document into its single grants.
func grants(doc *Document) map[string]bool {
	out := map[string]bool{}
	for _, s := range Normalize(doc).Statements {
		cond := ""
		if len(s.Conditions) > 0 {
			parts := make([]string, 0, len(s.Conditions))
			for _, c := range s.Conditions {
				parts = append(parts, fmt.Sprintf("%s %s %s", c.Operator, c.Key, strings.Join(c.Values, ",")))
			}
			cond = " if " + strings.Join(parts, " and ")
		}
		for _, a := range s.Actions {
			for _, r := range s.Resources {
				out[fmt.Sprintf("%s %s on %s%s", s.Effect, a, r, cond)] = true
			}
		}
	}
	return out
}

func sortedUnique(s []string) []string {
	if len(s) == 0 {
		return s
	}
	sort.Strings(s)
	return slices.Compact(s)
}

// Equal reports whether two documents are equivalent after normalisation.
func Equal(a, b *Document) bool {
	if a == nil || b == nil {
		return a == b
	}
	x, err1 := Normalize(a).MarshalJSON()
	y, err2 := Normalize(b).MarshalJSON()
	return err1 == nil && err2 == nil && bytes.Equal(x, y)
}
