package wizard

import (
	"charm.land/bubbles/v2/key"
)

// keyMap holds the wizard's own key bindings; the questions' keys are huh's, shown from the focused field.
type keyMap struct {
	Back     key.Binding
	Apply    key.Binding
	Scroll   key.Binding
	Quit     key.Binding
	Stop     key.Binding
	Retry    key.Binding
	Change   key.Binding
	ToReview key.Binding
	Exit     key.Binding
	Install  key.Binding
}

func newKeyMap() keyMap {
	return keyMap{
		Back:     key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "back")),
		Apply:    key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "apply this plan")),
		Scroll:   key.NewBinding(key.WithKeys("up", "down", "pgup", "pgdown", "home", "end"), key.WithHelp("↑/↓ pgup/pgdn", "scroll")),
		Quit:     key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit")),
		Stop:     key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "stop (the next run resumes)")),
		Retry:    key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "review and plan again")),
		Change:   key.NewBinding(key.WithKeys("b"), key.WithHelp("b", "change that answer")),
		ToReview: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "back to the review")),
		Exit:     key.NewBinding(key.WithKeys("enter", "q", "esc"), key.WithHelp("enter", "exit")),
		Install:  key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "install the agent")),
	}
}
