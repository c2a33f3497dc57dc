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
		fmt.Fprintf(&b, "%s:\n  - %s\n", s.Title, strings.Join(s.Lines(), "\n  - "))
	}
	_, err := io.WriteString(w, terminalSafeLines(store.Scrub(b.String())))
	return err
}
