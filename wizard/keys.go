package wizard

import (
	"charm.land/bubbles/v2/key"
)

// keyMap holds every key binding of the wizard; it implements help.KeyMap.
type keyMap struct {
	Up     key.Binding
	Down   key.Binding
	Toggle key.Binding
	Next   key.Binding
	Back   key.Binding
	Filter key.Binding
	Quit   key.Binding
	Yes    key.Binding
	No     key.Binding
	Retry  key.Binding
	Undo   key.Binding
}

func newKeyMap() keyMap {
	return keyMap{
		Up:     key.NewBinding(key.WithKeys("up", "ctrl+p"), key.WithHelp("↑", "up")),
		Down:   key.NewBinding(key.WithKeys("down", "ctrl+n"), key.WithHelp("↓", "down")),
		Toggle: key.NewBinding(key.WithKeys("space", "x"), key.WithHelp("space", "toggle")),
		Next:   key.NewBinding(key.WithKeys("enter", "tab"), key.WithHelp("enter", "next")),
		Back:   key.NewBinding(key.WithKeys("shift+tab", "alt+left"), key.WithHelp("shift+tab", "back")),
		Filter: key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter")),
		Quit:   key.NewBinding(key.WithKeys("esc", "ctrl+c"), key.WithHelp("esc", "quit")),
		Yes:    key.NewBinding(key.WithKeys("y", "Y"), key.WithHelp("y", "yes")),
		No:     key.NewBinding(key.WithKeys("n", "N"), key.WithHelp("n", "no")),
		Retry:  key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "retry")),
		Undo:   key.NewBinding(key.WithKeys("u"), key.WithHelp("u", "roll back")),
	}
}

// ShortHelp is the one-line help under every screen.
func (k keyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Up, k.Down, k.Toggle, k.Next, k.Back, k.Quit}
}

// FullHelp groups every binding.
func (k keyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{{k.Up, k.Down, k.Toggle, k.Filter}, {k.Next, k.Back, k.Quit}, {k.Yes, k.No, k.Retry, k.Undo}}
}
