package cmd

import (
	"fmt"
	"io"
	"strings"

	"onboard/onboarding"
	"onboard/store"
)

// writePlan prints a plan step by step under heading; a step with no change says so.
func writePlan(w io.Writer, heading string, p onboarding.Plan) error {
	var b strings.Builder
	b.WriteString(heading + "\n")
	for _, s := range p.Steps {
		lines := []string{"nothing to do"}
		if len(s.Changes) > 0 {
			lines = lines[:0]
			for _, c := range s.Changes {
				lines = append(lines, c.String())
			}
		}
		fmt.Fprintf(&b, "%s:\n  - %s\n", s.Title, strings.Join(lines, "\n  - "))
	}
	_, err := io.WriteString(w, terminalSafeLines(store.Scrub(b.String())))
	return err
}
