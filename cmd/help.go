package cmd

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// helpWidth is the widest line help prints: it fits a 100-column terminal.
const helpWidth = 100

// flagGroupAnnotation marks a flag with the title of its group in help.
const flagGroupAnnotation = "onboard/group"

// flagGroupsAnnotation lists, on a command, the titles of its flag groups in order ("|"-separated).
const flagGroupsAnnotation = "onboard/groups"

// flagGroup is one topic of a command's flags in its help.
type flagGroup struct {
	title string
	flags []string
}

// setFlagGroups shows c's flags in help by topic, in the order given; flags in no group follow under
// "Other flags".
func setFlagGroups(c *cobra.Command, groups []flagGroup) {
	var titles []string
	for _, g := range groups {
		titles = append(titles, g.title)
		for _, name := range g.flags {
			if c.Flags().Lookup(name) != nil {
				_ = c.Flags().SetAnnotation(name, flagGroupAnnotation, []string{g.title})
			}
		}
	}
	if c.Annotations == nil {
		c.Annotations = map[string]string{}
	}
	c.Annotations[flagGroupsAnnotation] = strings.Join(titles, "|")
}

// renderHelp is the help of every command: the description reflowed to helpWidth, usage, examples,
// subcommands, the flags (by topic where the command groups them), global flags and the exit codes.
func renderHelp(c *cobra.Command) string {
	var b strings.Builder
	desc := c.Long
	if desc == "" {
		desc = c.Short
	}
	b.WriteString(reflow(desc, helpWidth) + "\n\nUsage:\n")
	if c.Runnable() {
		b.WriteString("  " + c.UseLine() + "\n")
	}
	if c.HasAvailableSubCommands() {
		b.WriteString("  " + c.CommandPath() + " [command]\n")
	}
	if c.Example != "" {
		b.WriteString("\nExamples:\n" + wrapExamples(c.Example, helpWidth) + "\n")
	}
	if c.HasAvailableSubCommands() {
		b.WriteString("\nAvailable Commands:\n")
		for _, sub := range c.Commands() {
			if sub.IsAvailableCommand() {
				prefix := fmt.Sprintf("  %-*s ", c.NamePadding(), sub.Name())
				lines := wrapWords(strings.Fields(sub.Short), helpWidth-len(prefix), "")
				b.WriteString(prefix + strings.Join(lines, "\n"+strings.Repeat(" ", len(prefix))) + "\n")
			}
		}
	}
	local := c.LocalFlags()
	if titles := c.Annotations[flagGroupsAnnotation]; titles != "" {
		for _, title := range append(strings.Split(titles, "|"), "Other") {
			fs := pflag.NewFlagSet(title, pflag.ContinueOnError)
			local.VisitAll(func(fl *pflag.Flag) {
				group := fl.Annotations[flagGroupAnnotation]
				if (len(group) == 1 && group[0] == title) || (title == "Other" && len(group) == 0) {
					fs.AddFlag(fl)
				}
			})
			if fs.HasAvailableFlags() {
				fmt.Fprintf(&b, "\n%s flags:\n%s", title, fs.FlagUsagesWrapped(helpWidth))
			}
		}
	} else if local.HasAvailableFlags() {
		b.WriteString("\nFlags:\n" + local.FlagUsagesWrapped(helpWidth))
	}
	if inherited := c.InheritedFlags(); inherited.HasAvailableFlags() {
		b.WriteString("\nGlobal Flags:\n" + inherited.FlagUsagesWrapped(helpWidth))
	}
	b.WriteString("\n" + reflow(exitCodesHelp, helpWidth) + "\n")
	if c.HasAvailableSubCommands() {
		fmt.Fprintf(&b, "\nUse \"%s [command] --help\" for more information about a command.\n", c.CommandPath())
	}
	return b.String()
}

// reflow rewraps each paragraph of text (lines separated by a blank line) to width; lines indented by
// two spaces or more (lists, examples) are kept as they are.
func reflow(text string, width int) string {
	var out []string
	for _, para := range strings.Split(strings.TrimSpace(text), "\n\n") {
		var lines, words []string
		flush := func() {
			if len(words) > 0 {
				lines = append(lines, wrapWords(words, width, "")...)
				words = nil
			}
		}
		for _, line := range strings.Split(para, "\n") {
			if strings.HasPrefix(line, "  ") {
				flush()
				lines = append(lines, line)
				continue
			}
			words = append(words, strings.Fields(line)...)
		}
		flush()
		out = append(out, strings.Join(lines, "\n"))
	}
	return strings.Join(out, "\n\n")
}

// wrapWords fills lines of at most width columns with words; continuation lines start with indent.
func wrapWords(words []string, width int, indent string) []string {
	var lines []string
	line := ""
	for _, w := range words {
		switch {
		case line == "":
			line = w
		case len([]rune(line))+1+len([]rune(w)) > width:
			lines = append(lines, line)
			line = indent + w
		default:
			line += " " + w
		}
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}

// wrapExamples breaks an example command line wider than width at a space, continuing it with a
// backslash as a shell would read it.
func wrapExamples(examples string, width int) string {
	var out []string
	for _, line := range strings.Split(examples, "\n") {
		if len([]rune(line)) <= width {
			out = append(out, line)
			continue
		}
		indent := line[:len(line)-len(strings.TrimLeft(line, " "))]
		wrapped := wrapWords(strings.Fields(line), width-2, indent+"    ")
		wrapped[0] = indent + wrapped[0]
		out = append(out, strings.Join(wrapped, " \\\n"))
	}
	return strings.Join(out, "\n")
}
