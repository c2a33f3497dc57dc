package onboarding

import (
	"fmt"
	"strings"
)

// Tally is the result in one line, the hosts per outcome: what "onboard agent install" and the wizard
// both end with.
func (r AgentResult) Tally() string {
	var counts []string
	for _, o := range []string{HostInstalled, HostAlready, HostWouldRun, HostSkipped, HostFailed, HostNotChosen} {
		if n := r.Counts[o]; n > 0 {
			counts = append(counts, fmt.Sprintf("%d %s", n, o))
		}
	}
	if len(counts) == 0 {
		counts = []string{"no hosts"}
	}
	return fmt.Sprintf("Account %s: %s.", r.Account, strings.Join(counts, ", "))
}
