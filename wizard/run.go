package wizard

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
)

// Options say how the wizard meets the terminal.
type Options struct {
	In  io.Reader
	Out io.Writer
	// Accessible replaces the full-screen interface by plain line prompts (screen readers, dumb terminals).
	Accessible bool
	// NoColor drops colour (NO_COLOR); the marks carry the meaning.
	NoColor bool
	// Width and Height, when set, fix the initial size (tests).
	Width, Height int
}

// Run shows the wizard until the person finishes or cancels it. The caller has already decided that a
// person is at a terminal. A cancellation returns ErrCancelled (exit code 130).
func Run(ctx context.Context, deps Deps, opts Options) (Result, error) {
	if opts.Accessible {
		return runAccessible(ctx, deps, opts)
	}
	po := []tea.ProgramOption{tea.WithContext(ctx), tea.WithInput(opts.In), tea.WithOutput(opts.Out)}
	if opts.NoColor {
		po = append(po, tea.WithColorProfile(colorprofile.Ascii))
	}
	if opts.Width > 0 && opts.Height > 0 {
		po = append(po, tea.WithWindowSize(opts.Width, opts.Height))
	}
	final, err := tea.NewProgram(New(ctx, deps), po...).Run()
	m, _ := final.(Model)
	if err != nil {
		if errors.Is(err, tea.ErrInterrupted) || errors.Is(err, tea.ErrProgramKilled) || ctx.Err() != nil {
			r, _ := m.Result()
			return r, ErrCancelled
		}
		return Result{}, fmt.Errorf("run the wizard: %w", err)
	}
	return m.Result()
}

// runAccessible asks the same screens as plain numbered questions, one line each, and runs the same
// Update: only the rendering and the reading of answers differ.
func runAccessible(ctx context.Context, deps Deps, opts Options) (Result, error) {
	m := New(ctx, deps)
	m.plain = true
	in := bufio.NewReader(opts.In)
	out := opts.Out
	if deps.Scrub != nil {
		out = scrubbingWriter{w: opts.Out, scrub: deps.Scrub}
	}
	m = drain(m, m.Init(), out)
	lastScreen := screenID("")
	for !m.done {
		if err := ctx.Err(); err != nil {
			m.cancelled = true
			break
		}
		s := m.screen()
		if s.ID != lastScreen {
			pos, total := m.position()
			fmt.Fprintf(out, "\n== Step %d of %d: %s\n", pos, total, s.Title)
			for _, n := range m.notes {
				fmt.Fprintln(out, "ok: "+n)
			}
			lastScreen = s.ID
		}
		if len(m.fields) == 0 {
			fmt.Fprintln(out, ansi.Strip(s.Body(m)))
			prompt := "Press Enter to continue, b to go back, q to quit: "
			if m.applyErr != nil {
				prompt = "r retry, u roll back, q quit: "
			}
			fmt.Fprint(out, prompt)
			line, err := readLine(in)
			if err != nil {
				m.cancelled = true
				break
			}
			var k tea.KeyPressMsg
			switch line {
			case "":
				k = tea.KeyPressMsg{Code: tea.KeyEnter}
			case "b":
				k = tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift}
			case "q":
				m.confirmQuit = true
				k = tea.KeyPressMsg{Code: 'y', Text: "y"}
			default:
				k = tea.KeyPressMsg{Code: rune(line[0]), Text: line[:1]}
			}
			m = step(m, k, out)
			continue
		}
		for i := 0; i < len(m.fields); i++ {
			if !m.shown(i) {
				continue
			}
			f, err := askField(m.fields[i], in, out)
			if err != nil {
				m.cancelled = true
				return m.Result()
			}
			fs := append([]field(nil), m.fields...)
			fs[i] = f
			m.fields = fs
		}
		m.focus = len(m.fields) - 1
		before := m.gen
		mm, cmd := m.submit()
		m = drain(mm, cmd, out)
		if m.gen == before && m.errMsg != "" {
			fmt.Fprintln(out, "error: "+m.errMsg)
		}
	}
	return m.Result()
}

func step(m Model, k tea.KeyPressMsg, out io.Writer) Model {
	mm, cmd := m.Update(k)
	return drain(mm.(Model), cmd, out)
}

// drain runs commands one after another and feeds their messages to Update until none is left.
func drain(m Model, cmd tea.Cmd, out io.Writer) Model {
	queue := []tea.Cmd{cmd}
	for len(queue) > 0 {
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		msg := c()
		switch msg := msg.(type) {
		case tea.BatchMsg:
			queue = append(queue, msg...)
			continue
		case tea.QuitMsg:
			m.done = true
			continue
		case stepMsg:
			if msg.ev.Status != StepPending {
				fmt.Fprintf(out, "  [%s] %s %s\n", statusWord(msg.ev.Status), msg.ev.Title, msg.ev.Detail)
			}
		case syncMsg:
			if msg.p.Finished {
				fmt.Fprintf(out, "  synced %s: %d\n", msg.p.Kind, msg.p.Done)
			}
		}
		mm, next := m.Update(msg)
		m = mm.(Model)
		queue = append(queue, next)
	}
	return m
}

func statusWord(s StepStatus) string {
	return [...]string{"pending", "running", "done", "exists", "FAILED"}[s]
}

func readLine(r *bufio.Reader) (string, error) {
	line, err := r.ReadString('\n')
	if err != nil && line == "" {
		return "", err
	}
	return strings.TrimSpace(line), nil
}

// askField asks one question and sets the field from the answer; an empty line keeps the default.
func askField(f field, in *bufio.Reader, out io.Writer) (field, error) {
	for {
		fmt.Fprintln(out, f.Prompt)
		switch f.Kind {
		case kindText:
			def := f.Input.Value()
			if f.Input.EchoMode != 0 {
				if def != "" {
					def = "(hidden, Enter keeps it)"
				}
			}
			fmt.Fprintf(out, "  [%s]: ", def)
		default:
			for i, o := range f.Options {
				mark := " "
				if f.Kind == kindChoice && i == f.Cursor || f.Kind == kindMulti && f.Checked[i] {
					mark = "*"
				}
				line := fmt.Sprintf(" %s %d. %s", mark, i+1, o.Label)
				if o.Disabled {
					line += " (unavailable: " + o.Reason + ")"
				} else if o.Help != "" {
					line += " - " + o.Help
				}
				fmt.Fprintln(out, line)
			}
			if f.Kind == kindMulti {
				fmt.Fprint(out, "  numbers separated by commas, Enter keeps the starred ones: ")
			} else {
				fmt.Fprint(out, "  number, Enter keeps the starred one: ")
			}
		}
		line, err := readLine(in)
		if err != nil {
			return f, err
		}
		if line == "" {
			return f, nil
		}
		switch f.Kind {
		case kindText:
			if f.Validate != nil {
				if err := f.Validate(line); err != nil {
					fmt.Fprintln(out, "error: "+err.Error())
					continue
				}
			}
			f.Input.SetValue(line)
			return f, nil
		case kindChoice:
			n, err := strconv.Atoi(line)
			if err != nil || n < 1 || n > len(f.Options) || f.Options[n-1].Disabled {
				fmt.Fprintln(out, "error: type one of the numbers shown")
				continue
			}
			f.Cursor = n - 1
			return f, nil
		case kindMulti:
			checked := make([]bool, len(f.Options))
			ok := true
			for _, p := range strings.Split(line, ",") {
				n, err := strconv.Atoi(strings.TrimSpace(p))
				if err != nil || n < 1 || n > len(f.Options) || f.Options[n-1].Disabled {
					ok = false
					break
				}
				checked[n-1] = true
			}
			if !ok {
				fmt.Fprintln(out, "error: type numbers shown, separated by commas")
				continue
			}
			f.Checked = checked
			return f, nil
		}
	}
}

// scrubbingWriter masks secrets in each line the accessible mode writes (it writes whole lines).
type scrubbingWriter struct {
	w     io.Writer
	scrub func(string) string
}

func (s scrubbingWriter) Write(p []byte) (int, error) {
	if _, err := io.WriteString(s.w, s.scrub(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}
