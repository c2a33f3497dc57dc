package wizard

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
)

// fieldKind is the kind of question a field asks.
type fieldKind int

const (
	kindChoice fieldKind = iota // one of a list
	kindMulti                   // any of a list, with a filter
	kindText                    // a line of text, optionally masked
)

// option is one entry of a choice or multi-select field.
type option struct {
	Value    string
	Label    string
	Help     string // shown after the label, muted
	Disabled bool
	Reason   string // why it is disabled
}

// field is one question on a screen. Fields are plain values: screens build them from the answers so
// far, and commit reads them back.
type field struct {
	ID      string
	Kind    fieldKind
	Prompt  string
	Options []option
	Cursor  int
	Checked []bool
	Input   textinput.Model
	// Filter narrows a multi-select's visible options; Filtering is true while it is being typed.
	Filter    string
	Filtering bool
	// Validate checks a text field's value; the message is shown under the field.
	Validate func(string) error
}

func choiceField(id, prompt string, opts []option, value string) field {
	f := field{ID: id, Kind: kindChoice, Prompt: prompt, Options: opts}
	f.Cursor = -1
	for i, o := range opts {
		if o.Value == value && !o.Disabled {
			f.Cursor = i
		}
	}
	if f.Cursor < 0 {
		f.Cursor = f.firstEnabled()
	}
	return f
}

func multiField(id, prompt string, opts []option, values []string) field {
	f := field{ID: id, Kind: kindMulti, Prompt: prompt, Options: opts, Checked: make([]bool, len(opts))}
	for i, o := range opts {
		for _, v := range values {
			if o.Value == v && !o.Disabled {
				f.Checked[i] = true
			}
		}
	}
	f.Cursor = f.firstEnabled()
	return f
}

func textField(id, prompt, value, placeholder string, masked bool, validate func(string) error) field {
	in := textinput.New()
	in.Prompt = "> "
	in.Placeholder = placeholder
	in.SetValue(value)
	in.CharLimit = 256
	in.SetWidth(60)
	// A steady cursor: blinking would redraw the screen twice a second for nothing.
	st := in.Styles()
	st.Cursor.Blink = false
	in.SetStyles(st)
	if masked {
		in.EchoMode = textinput.EchoPassword
		in.EchoCharacter = '*'
	}
	in.Focus()
	return field{ID: id, Kind: kindText, Prompt: prompt, Input: in, Validate: validate}
}

func (f field) firstEnabled() int {
	for i, o := range f.Options {
		if !o.Disabled {
			return i
		}
	}
	return 0
}

// Value is a choice's selected value or a text field's trimmed text.
func (f field) Value() string {
	switch f.Kind {
	case kindChoice:
		if f.Cursor >= 0 && f.Cursor < len(f.Options) {
			return f.Options[f.Cursor].Value
		}
		return ""
	case kindText:
		return strings.TrimSpace(f.Input.Value())
	}
	return strings.Join(f.Values(), ",")
}

// Values are a multi-select's checked values, in list order.
func (f field) Values() []string {
	var out []string
	for i, c := range f.Checked {
		if c {
			out = append(out, f.Options[i].Value)
		}
	}
	return out
}

// visible lists the indexes of the options that match the filter.
func (f field) visible() []int {
	var out []int
	q := strings.ToLower(f.Filter)
	for i, o := range f.Options {
		if q == "" || strings.Contains(strings.ToLower(o.Value+" "+o.Label), q) {
			out = append(out, i)
		}
	}
	return out
}

// update handles a key on a focused field. It reports whether the key was used.
func (f field) update(msg tea.KeyPressMsg, keys keyMap) (field, tea.Cmd, bool) {
	switch f.Kind {
	case kindText:
		if key.Matches(msg, keys.Next, keys.Back, keys.Quit) {
			return f, nil, false
		}
		var cmd tea.Cmd
		f.Input, cmd = f.Input.Update(msg)
		return f, cmd, true
	case kindMulti:
		if f.Filtering {
			switch msg.String() {
			case "enter", "esc":
				f.Filtering = false
				return f, nil, true
			case "backspace":
				if f.Filter != "" {
					r := []rune(f.Filter)
					f.Filter = string(r[:len(r)-1])
				}
				f.Cursor = f.clampVisible()
				return f, nil, true
			}
			if msg.Text != "" {
				f.Filter += msg.Text
				f.Cursor = f.clampVisible()
				return f, nil, true
			}
			return f, nil, true
		}
		switch {
		case key.Matches(msg, keys.Filter):
			f.Filtering = true
			return f, nil, true
		case key.Matches(msg, keys.Toggle):
			if f.Cursor >= 0 && f.Cursor < len(f.Options) && !f.Options[f.Cursor].Disabled {
				checked := append([]bool(nil), f.Checked...)
				checked[f.Cursor] = !checked[f.Cursor]
				f.Checked = checked
			}
			return f, nil, true
		case msg.String() == "a":
			// a toggles every visible, enabled option: all on, or all off when all were on.
			vis := f.visible()
			all := true
			for _, i := range vis {
				if !f.Options[i].Disabled && !f.Checked[i] {
					all = false
				}
			}
			checked := append([]bool(nil), f.Checked...)
			for _, i := range vis {
				if !f.Options[i].Disabled {
					checked[i] = !all
				}
			}
			f.Checked = checked
			return f, nil, true
		}
		fallthrough
	case kindChoice:
		switch {
		case key.Matches(msg, keys.Up):
			f.Cursor = f.move(-1)
			return f, nil, true
		case key.Matches(msg, keys.Down):
			f.Cursor = f.move(+1)
			return f, nil, true
		}
	}
	return f, nil, false
}

// move steps the cursor over visible options; a choice skips disabled ones, a multi-select stops on
// them so that their reason can be read.
func (f field) move(d int) int {
	vis := f.visible()
	if len(vis) == 0 {
		return f.Cursor
	}
	pos := 0
	for i, idx := range vis {
		if idx == f.Cursor {
			pos = i
		}
	}
	for step := 0; step < len(vis); step++ {
		pos += d
		if pos < 0 || pos >= len(vis) {
			return f.Cursor
		}
		if f.Kind == kindMulti || !f.Options[vis[pos]].Disabled {
			return vis[pos]
		}
	}
	return f.Cursor
}

func (f field) clampVisible() int {
	vis := f.visible()
	for _, i := range vis {
		if i == f.Cursor {
			return i
		}
	}
	if len(vis) > 0 {
		return vis[0]
	}
	return f.Cursor
}

// view renders the field; maxRows bounds a long list so that the screen fits the terminal.
func (f field) view(s styles, focused bool, maxRows, width int) string {
	var b strings.Builder
	prompt := wrap(f.Prompt, width-1)
	if focused {
		prompt = s.Question.Render(prompt)
	}
	b.WriteString(prompt + "\n")
	switch f.Kind {
	case kindText:
		if focused {
			b.WriteString("  " + f.Input.View() + "\n")
		} else {
			v := f.Input.Value()
			if f.Input.EchoMode == textinput.EchoPassword && v != "" {
				v = "****" // a fixed mask: the length of a secret is not shown either
			}
			b.WriteString("  " + s.Muted.Render("> "+v) + "\n")
		}
	case kindChoice, kindMulti:
		vis := f.visible()
		if f.Kind == kindMulti && (f.Filter != "" || f.Filtering) {
			cur := ""
			if f.Filtering {
				cur = "▏"
			}
			b.WriteString("  " + s.Muted.Render("filter: ") + f.Filter + cur + "\n")
		}
		start, end := window(len(vis), indexOf(vis, f.Cursor), maxRows)
		if start > 0 {
			b.WriteString(s.Muted.Render(fmt.Sprintf("  ↑ %d more", start)) + "\n")
		}
		for _, i := range vis[start:end] {
			o := f.Options[i]
			mark := "  "
			if focused && i == f.Cursor {
				mark = s.Cursor.Render("› ")
			}
			box := ""
			switch {
			case f.Kind == kindMulti && o.Disabled:
				box = "[-] "
			case f.Kind == kindMulti && f.Checked[i]:
				box = s.Selected.Render("[x]") + " "
			case f.Kind == kindMulti:
				box = "[ ] "
			case i == f.Cursor:
				box = s.Selected.Render("(•)") + " "
			default:
				box = "( ) "
			}
			label := o.Label
			if o.Disabled {
				label = s.Disabled.Render(label + " — " + o.Reason)
			} else if o.Help != "" {
				label += s.Muted.Render("  " + o.Help)
			}
			b.WriteString(mark + box + label + "\n")
		}
		if end < len(vis) {
			b.WriteString(s.Muted.Render(fmt.Sprintf("  ↓ %d more", len(vis)-end)) + "\n")
		}
		if len(vis) == 0 {
			b.WriteString(s.Muted.Render("  (nothing matches)") + "\n")
		}
	}
	return b.String()
}

func indexOf(xs []int, v int) int {
	for i, x := range xs {
		if x == v {
			return i
		}
	}
	return 0
}

// window picks rows [start, end) of n rows, at most max of them, keeping cur in view.
func window(n, cur, max int) (int, int) {
	if max <= 0 || n <= max {
		return 0, n
	}
	start := cur - max/2
	if start < 0 {
		start = 0
	}
	if start+max > n {
		start = n - max
	}
	return start, start + max
}
