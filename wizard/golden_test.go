package wizard

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/exp/teatest/v2"
)

// goldenModel runs the wizard in a real bubbletea program at 80x24 without colour, so that the golden
// files hold the screens as a terminal shows them (regenerate with go test -update).
func goldenModel(t *testing.T) *teatest.TestModel {
	t.Helper()
	f := newFake()
	return teatest.NewTestModel(t, New(context.Background(), f.deps()),
		teatest.WithInitialTermSize(80, 24),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.Ascii)))
}

func waitFor(t *testing.T, tm *teatest.TestModel, s string) {
	t.Helper()
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte(s)) },
		teatest.WithDuration(10*time.Second), teatest.WithCheckInterval(20*time.Millisecond))
}

func TestGoldenSite(t *testing.T) {
	tm := goldenModel(t)
	waitFor(t, tm, "Which Security Center site")
	tm.Send(keyMsg("esc"))
	tm.Send(keyMsg("y"))
	tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))
	fm := tm.FinalModel(t).(Model)
	if _, err := fm.Result(); err == nil {
		t.Error("cancel returned no error")
	}
	teatest.RequireEqualOutput(t, []byte(ansiFree(fm)))
}

func TestGoldenFeaturesQuick(t *testing.T) {
	tm := goldenModel(t)
	waitFor(t, tm, "Which Security Center site")
	tm.Send(keyMsg("enter"))
	tm.Send(keyMsg("down"))
	tm.Send(keyMsg("enter"))
	waitFor(t, tm, "Which features")
	tm.Send(keyMsg("ctrl+c"))
	waitFor(t, tm, "Cancel onboarding?")
	tm.Send(keyMsg("y"))
	tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))
	teatest.RequireEqualOutput(t, []byte(ansiFree(tm.FinalModel(t).(Model))))
}

func TestGoldenReview(t *testing.T) {
	tm := goldenModel(t)
	waitFor(t, tm, "Which Security Center site")
	for _, st := range []struct {
		enters int
		then   string
	}{{4, "onboard · Tencent Cloud credentials"}, {1, "onboard · Sub-user"}, {1, "onboard · Grants"}, {1, "onboard · Security Center"},
		{2, "onboard · Regions"}, {2, "onboard · Sync frequencies"}, {3, "onboard · Review"}} {
		for range st.enters {
			tm.Send(keyMsg("enter"))
		}
		waitFor(t, tm, st.then)
	}
	// The plan arrives right after the screen: the golden must show it.
	time.Sleep(200 * time.Millisecond)
	tm.Send(keyMsg("esc"))
	tm.Send(keyMsg("y"))
	tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))
	teatest.RequireEqualOutput(t, []byte(ansiFree(tm.FinalModel(t).(Model))))
}

// ansiFree is the final screen as text: the golden compares what a person reads, at 80x24.
func ansiFree(m Model) string {
	var b strings.Builder
	for _, l := range strings.Split(view(m), "\n") {
		b.WriteString(strings.TrimRight(l, " ") + "\n")
	}
	return b.String()
}
