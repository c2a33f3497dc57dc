package wizard

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// fakeCloud implements every interface the wizard talks through, in memory, and records what it was
// asked.
type fakeCloud struct {
	mu sync.Mutex

	root       bool
	rejectKey  bool
	users      map[string]UserStatus
	regions    []Region
	logsets    map[string][]Logset
	topics     map[string][]Topic
	failStep   string // Apply fails at this step ID once
	failed     bool
	block      chan struct{} // Apply waits here (or for ctx) before its second step
	syncKinds  []string
	applied    []Answers
	rolledBack int
	retired    []string
}

func newFake() *fakeCloud {
	return &fakeCloud{
		root:  true,
		users: map[string]UserStatus{},
		regions: []Region{
			{ID: "ap-guangzhou", Name: "Guangzhou", Selected: true},
			{ID: "ap-shanghai", Name: "Shanghai"},
			{ID: "ap-singapore", Name: "Singapore", Disabled: true},
			{ID: "na-ashburn", Name: "Virginia"},
		},
		logsets:   map[string][]Logset{"ap-guangzhou": {{ID: "ls-1", Name: "existing-logs"}}},
		topics:    map[string][]Topic{"ls-1": {{ID: "tp-1", Name: "existing-topic"}}},
		syncKinds: []string{"cvm", "vpc"},
	}
}

func (f *fakeCloud) deps() Deps {
	return Deps{
		Credentials: f, Alibaba: f, Users: f, Regions: f, Logs: f, Engine: f, RootKey: f, Syncer: f,
		FoundTencent: []Credential{{Source: "environment", ID: "AKIDexample0000000000001234", Secret: "tencent-secret-value"}},
		FoundAlibaba: []Credential{{Source: "environment", ID: "LTAIexample000000005678", Secret: "alibaba-secret-value"}},
	}
}

func (f *fakeCloud) CheckTencent(_ context.Context, c Credential) (Identity, error) {
	if f.rejectKey || c.Secret == "wrong" {
		return Identity{}, errors.New("AuthFailure.SignatureFailure: the signature is wrong")
	}
	if f.root {
		return Identity{AccountID: "100000000001", UIN: "100000000001", Root: true}, nil
	}
	return Identity{AccountID: "100000000001", UIN: "100000000077", UserName: "ops"}, nil
}

func (f *fakeCloud) CheckAlibaba(_ context.Context, _ string, c Credential) error {
	if c.Secret == "wrong" {
		return errors.New("InvalidAccessKeyId.NotFound")
	}
	return nil
}

func (f *fakeCloud) CheckUser(_ context.Context, _ Credential, name string) (UserStatus, error) {
	return f.users[name], nil
}

func (f *fakeCloud) SyncRegions(context.Context, string, Credential) ([]Region, error) {
	return f.regions, nil
}

func (f *fakeCloud) TencentRegions(context.Context, Credential) ([]Region, error) {
	return []Region{{ID: "ap-guangzhou"}, {ID: "ap-shanghai"}}, nil
}

func (f *fakeCloud) Logsets(_ context.Context, _ Credential, region string) ([]Logset, error) {
	return f.logsets[region], nil
}

func (f *fakeCloud) Topics(_ context.Context, _ Credential, _, logset string) ([]Topic, error) {
	return f.topics[logset], nil
}

var fakeSteps = []StepEvent{{ID: "user", Title: "Create sub-user"}, {ID: "grants", Title: "Attach policies"}, {ID: "account", Title: "Add the account to Security Center"}}

func (f *fakeCloud) Plan(context.Context, Answers) (Plan, error) {
	var p Plan
	for _, s := range fakeSteps {
		p.Steps = append(p.Steps, PlanStep{ID: s.ID, Title: s.Title, Action: "will create"})
	}
	return p, nil
}

func (f *fakeCloud) Apply(ctx context.Context, a Answers, emit func(StepEvent)) (Outcome, error) {
	f.mu.Lock()
	f.applied = append(f.applied, a)
	f.mu.Unlock()
	for i, s := range fakeSteps {
		if i == 1 && f.block != nil {
			select {
			case <-f.block:
			case <-ctx.Done():
				return Outcome{}, ctx.Err()
			}
		}
		s.Status = StepRunning
		emit(s)
		if s.ID == f.failStep && !f.failed {
			f.failed = true
			s.Status, s.Err, s.Fix = StepFailed, errors.New("denied"), "grant CAM permissions to the key"
			emit(s)
			return Outcome{}, fmt.Errorf("%s: %w", s.Title, s.Err)
		}
		s.Status, s.Detail = StepDone, "id-"+s.ID
		emit(s)
	}
	return Outcome{Created: []string{"sub-user " + a.UserName}, KeyPlace: "file store", Verified: []string{"cvm:DescribeInstances allowed"}}, nil
}

func (f *fakeCloud) Rollback(_ context.Context, _ Answers, emit func(StepEvent)) error {
	f.rolledBack++
	emit(StepEvent{ID: "user", Title: "Delete sub-user", Status: StepDone})
	return nil
}

func (f *fakeCloud) RetireRootKey(_ context.Context, _ Answers, action string) error {
	f.retired = append(f.retired, action)
	return nil
}

func (f *fakeCloud) Sync(_ context.Context, _ Answers, emit func(SyncProgress)) error {
	for _, k := range f.syncKinds {
		emit(SyncProgress{Kind: k, Done: 1, Total: 2})
		emit(SyncProgress{Kind: k, Done: 2, Total: 2, Finished: true})
	}
	return nil
}

// keyMsg builds the key press that a terminal sends for s ("enter", "space", "shift+tab", "a", ...).
func keyMsg(s string) tea.KeyPressMsg {
	switch s {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "shift+tab":
		return tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift}
	case "space":
		return tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "ctrl+c":
		return tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}
	case "up":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "backspace":
		return tea.KeyPressMsg{Code: tea.KeyBackspace}
	}
	r := []rune(s)[0]
	return tea.KeyPressMsg{Code: r, Text: s}
}

// press sends keys one by one, running every command they return to completion.
func press(t *testing.T, m Model, keys ...string) Model {
	t.Helper()
	for _, k := range keys {
		m = step(m, keyMsg(k), io.Discard)
	}
	return m
}

// typeText types s into the focused field.
func typeText(t *testing.T, m Model, s string) Model {
	t.Helper()
	for _, r := range s {
		m = step(m, tea.KeyPressMsg{Code: r, Text: string(r)}, io.Discard)
	}
	return m
}

func newModel(t *testing.T, f *fakeCloud) Model {
	t.Helper()
	m := New(context.Background(), f.deps())
	m.plain = true
	return drain(m, m.Init(), io.Discard)
}

func view(m Model) string { return ansi.Strip(m.render()) }

func wantScreen(t *testing.T, m Model, id screenID) {
	t.Helper()
	if m.screen().ID != id {
		t.Fatalf("screen = %s, want %s; view:\n%s", m.screen().ID, id, view(m))
	}
}

func wantView(t *testing.T, m Model, subs ...string) {
	t.Helper()
	v := view(m)
	for _, s := range subs {
		if !strings.Contains(v, s) {
			t.Errorf("view lacks %q:\n%s", s, v)
		}
	}
}
