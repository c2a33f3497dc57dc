package wizard

import (
	"charm.land/lipgloss/v2"
)

// styles are every look of the wizard in one place. Colour is dropped by the renderer when the terminal
// has none or NO_COLOR is set; the marks (›, ✓, ✗) carry the meaning on their own.
type styles struct {
	Title    lipgloss.Style
	Banner   lipgloss.Style
	Step     lipgloss.Style
	Question lipgloss.Style
	Cursor   lipgloss.Style
	Selected lipgloss.Style
	Muted    lipgloss.Style
	Disabled lipgloss.Style
	Good     lipgloss.Style
	Bad      lipgloss.Style
	Warn     lipgloss.Style
	Box      lipgloss.Style
	Code     lipgloss.Style
}

func newStyles() styles {
	accent := lipgloss.Color("#7D56F4")
	return styles{
		Title:    lipgloss.NewStyle().Bold(true).Foreground(accent),
		Banner:   lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("#FFB000")),
		Step:     lipgloss.NewStyle().Foreground(lipgloss.Color("8")),
		Question: lipgloss.NewStyle().Bold(true),
		Cursor:   lipgloss.NewStyle().Foreground(accent).Bold(true),
		Selected: lipgloss.NewStyle().Foreground(accent),
		Muted:    lipgloss.NewStyle().Foreground(lipgloss.Color("8")),
		Disabled: lipgloss.NewStyle().Foreground(lipgloss.Color("8")).Strikethrough(false),
		Good:     lipgloss.NewStyle().Foreground(lipgloss.Color("2")),
		Bad:      lipgloss.NewStyle().Foreground(lipgloss.Color("1")),
		Warn:     lipgloss.NewStyle().Foreground(lipgloss.Color("3")),
		Box:      lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).BorderForeground(lipgloss.Color("8")).Padding(0, 1),
		Code:     lipgloss.NewStyle().Foreground(lipgloss.Color("6")),
	}
}
