package wizard

import (
	"fmt"
	"slices"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"onboard/onboarding"
)

// RootKeyOutcome words what became of the root key, as the live screen, the summary and the journal say
// it: deleted, disabled (the console must delete it), kept, or not used.
func RootKeyOutcome(res onboarding.Result, asked string) string {
	switch res.RootKey {
	case "deleted":
		return "deleted"
	case "disabled":
		if asked == onboarding.RootKeyDelete {
			return "disabled, not deleted: Tencent Cloud refused the delete; delete it in the CAM console"
		}
		return "disabled; delete it in the CAM console once nothing else uses it"
	case "kept":
		return "kept; it can still do anything in the account: retire it in the CAM console, or run again and choose disable or delete"
	}
	return res.RootKey
}

// Complete reports whether the run did everything: no part of it (the first sync, a check) failed.
func Complete(res onboarding.Result) bool { return len(res.PartlyDone) == 0 }

// Summary is the end of an onboarding in plain words, wrapped at word boundaries within width columns: the
// wizard's last screen and what is printed once the wizard has left the terminal are this same text.
func Summary(res onboarding.Result, a Answers, width int, sandbox bool) string {
	var b strings.Builder
	line := func(s string) { b.WriteString(wrapWords(s, width, "  ") + "\n") }
	section := func(title string, items []string) {
		if len(items) == 0 {
			return
		}
		b.WriteString(title + ":\n")
		for _, it := range items {
			b.WriteString(wrapWords("  - "+it, width, "    ") + "\n")
		}
	}
	if Complete(res) {
		line(fmt.Sprintf("Onboarding complete: Tencent Cloud account %s is recorded as %q.", res.OwnerUIN, res.Account))
	} else {
		line(fmt.Sprintf("Onboarding partly done: Tencent Cloud account %s is recorded as %q, but part of it failed.", res.OwnerUIN, res.Account))
		section("What failed", res.PartlyDone)
	}
	if res.SubUser != "" {
		line(fmt.Sprintf("Sub-user: %s (UIN %d)", res.SubUser, res.SubUserUIN))
	}
	if res.AccessKeyID != "" {
		line(fmt.Sprintf("API key: %s, its secret in the %s secret store", MaskID(res.AccessKeyID), res.KeyStoredIn))
	}
	if sc := res.SecurityCenter; sc != nil {
		if sc.Submitted {
			line(fmt.Sprintf("Security Center (%s): account %q, AuthId %d, status %s", sc.Site, sc.DisplayName, sc.AuthID, sc.Status))
		} else {
			section("Enter these in Security Center's console", sc.Console)
		}
	}
	if al := res.AuditLogs; al != nil {
		line(fmt.Sprintf("Audit logs: %s, logset %s, topic %s, Kafka over the %s network", al.Region, al.LogsetID, al.TopicID, al.KafkaNetwork))
	}
	if sl := res.SOCLogs; sl != nil {
		var topics []string
		for _, t := range sl.Topics {
			topics = append(topics, t.Source+" in "+t.TopicID)
		}
		what := "Agentic SOC logs: no WAF or Cloud Firewall log to ship"
		if len(topics) > 0 {
			what = "Agentic SOC logs: " + strings.Join(topics, ", ")
		}
		line(what)
		section("Enter these in Security Center's console for Agentic SOC", sl.Console)
	}
	if fs := res.FirstSync; fs != nil {
		kinds := make([]string, 0, len(fs.Counts))
		for kind := range fs.Counts {
			kinds = append(kinds, kind)
		}
		slices.Sort(kinds)
		counts := make([]string, 0, len(kinds))
		for _, kind := range kinds {
			counts = append(counts, fmt.Sprintf("%s %d", kind, fs.Counts[kind]))
		}
		what := "First sync: " + strings.Join(counts, ", ")
		if len(counts) == 0 {
			what = "First sync: no assets found"
		}
		if fs.Earlier != nil {
			what += " (an earlier run's)"
		}
		line(what)
	}
	if res.CallerIsRoot {
		line("Root key: " + RootKeyOutcome(res, a.Request.RootKey))
	}
	section("Created", res.Created)
	section("Reused", res.Reused)
	section("Next steps", res.NextSteps)
	section("Keep in mind", res.Reminders)
	section("Warnings", res.Warnings)
	b.WriteString("The same, for scripts (no secret in it):\n")
	for _, l := range wrapCommand(a.CommandArgs(sandbox), width) {
		b.WriteString(l + "\n")
	}
	return b.String()
}

// wrapWords wraps s at spaces within width columns, indenting the lines after the first. A line that fits
// is kept as it is; a word wider than a line is broken after its commas when it has any (a list of
// regions), and otherwise never cut (it overflows its own line).
func wrapWords(s string, width int, indent string) string {
	if width < 20 {
		width = 20
	}
	if ansi.StringWidth(s) <= width {
		return s
	}
	lead := s[:len(s)-len(strings.TrimLeft(s, " "))]
	var words []string
	for _, w := range strings.Fields(s) {
		for ansi.StringWidth(w) > width-len(indent) && strings.Contains(w, ",") {
			cut := strings.LastIndex(w[:min(len(w), width-len(indent))], ",")
			if cut < 0 {
				break
			}
			words, w = append(words, w[:cut+1]), w[cut+1:]
		}
		words = append(words, w)
	}
	var lines []string
	line := ""
	for _, w := range words {
		switch {
		case line == "" && len(lines) == 0:
			line = lead + w
		case ansi.StringWidth(line)+1+ansi.StringWidth(w) <= width:
			line += " " + w
		default:
			lines = append(lines, line)
			line = indent + w
		}
	}
	return strings.Join(append(lines, line), "\n")
}

// OrgSummary is the end of an organization's onboarding, wrapped within width columns: every member with
// its outcome in the words of tencent --org (OrganizationResult.Summary), the command that retries the
// failed members (retry; "" when none failed), then the same run for scripts. The wizard's last screen
// and what is printed once it has left the terminal are this same text.
func OrgSummary(res onboarding.OrganizationResult, a Answers, retry string, width int, sandbox bool) string {
	var b strings.Builder
	for _, l := range strings.Split(strings.TrimRight(res.Summary(false, ""), "\n"), "\n") {
		b.WriteString(wrapWords(l, width, "    ") + "\n")
	}
	if retry != "" {
		b.WriteString("Retry just the members that failed, once the cause is fixed:\n")
		for _, l := range wrapCommand(shellTokens(retry), width-2) {
			b.WriteString("  " + l + "\n")
		}
	}
	b.WriteString("The same, for scripts (no secret in it):\n")
	for _, l := range wrapCommand(a.CommandArgs(sandbox), width) {
		b.WriteString(l + "\n")
	}
	return b.String()
}

// RetryFor is the command that retries the members named, as the flags path prints it for the same
// command line (RetryCommand), or the answers' own command for scripts naming them.
func (d Deps) RetryFor(a Answers, members []string) string {
	if len(members) == 0 {
		return ""
	}
	if d.RetryCommand != nil {
		return d.RetryCommand(a.Args(d.Sandbox), members)
	}
	var args []string
	all := a.CommandArgs(d.Sandbox)
	for i := 0; i < len(all); i++ {
		if all[i] == "--members" {
			i++ // its value
			continue
		}
		args = append(args, all[i])
	}
	return strings.Join(append(args, "--members", strings.Join(members, ",")), " ")
}

// shellTokens splits a command line quoted for a POSIX shell into its words as written (quotes kept), so
// that it can be wrapped between words.
func shellTokens(s string) []string {
	var out []string
	var cur strings.Builder
	quoted, escaped := false, false
	for _, r := range s {
		switch {
		case escaped:
			escaped = false
		case quoted:
			quoted = r != '\''
		case r == '\'':
			quoted = true
		case r == '\\':
			escaped = true
		case r == ' ':
			if cur.Len() > 0 {
				out = append(out, cur.String())
				cur.Reset()
			}
			continue
		}
		cur.WriteRune(r)
	}
	if cur.Len() > 0 {
		out = append(out, cur.String())
	}
	return out
}
