package wizard

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

var syncKindOrder = []string{"cvm.instance", "vpc.vpc", "cam.user"}

func syncViewUpdate(t *testing.T, v SyncView, msgs ...tea.Msg) SyncView {
	t.Helper()
	for _, msg := range msgs {
		m, _ := v.Update(msg)
		v = m.(SyncView)
	}
	return v
}

func syncKey(name string) tea.KeyPressMsg {
	switch name {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "up":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	case "ctrl+c":
		return tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}
	}
	panic("no key " + name)
}

func plainView(v SyncView) string { return ansi.Strip(v.Render()) }

func TestSyncViewOfOneAccountShowsItsKinds(t *testing.T) {
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	v := NewSyncView(SyncViewOptions{Accounts: []string{"prod"}, KindOrder: syncKindOrder, Start: start, Width: 80})
	v = syncViewUpdate(t, v,
		RegionProgress{Account: "prod", Kind: "vpc.vpc", Region: "ap-guangzhou", Seen: 5, Total: 5, Done: true},
		RegionProgress{Account: "prod", Kind: "cvm.instance", Region: "ap-guangzhou", Seen: 100, Total: 400},
		syncTickMsg(start.Add(2*time.Second)))
	out := plainView(v)
	lines := strings.Split(out, "\n")
	if !strings.HasPrefix(lines[0], "Syncing prod · 2s") {
		t.Errorf("header %q", lines[0])
	}
	cvm, vpc := strings.Index(out, "cvm.instance"), strings.Index(out, "✓ vpc.vpc")
	if cvm < 0 || vpc < 0 || cvm > vpc || !strings.Contains(out, "100/400") || !strings.Contains(out, "50/s") {
		t.Errorf("want cvm.instance (100/400, 50/s) then a ticked vpc.vpc:\n%s", out)
	}
	if strings.Contains(out, "ctrl+c") {
		t.Errorf("a view that reads no keys offers one:\n%s", out)
	}
}

func TestSyncViewOfSeveralAccountsCollapsesKindsUntilExpanded(t *testing.T) {
	var cancelled int
	v := NewSyncView(SyncViewOptions{Accounts: []string{"a1", "a2", "a3"}, KindOrder: syncKindOrder, Interactive: true, Width: 100,
		Cancel: func() { cancelled++ }, Scrub: func(s string) string { return strings.ReplaceAll(s, "s3cr3t", "****") }})
	v = syncViewUpdate(t, v,
		RegionProgress{Account: "a1", Kind: "cvm.instance", Region: "ap-guangzhou", Seen: 100, Total: 100, Done: true},
		RegionProgress{Account: "a2", Kind: "cvm.instance", Region: "ap-guangzhou", Seen: 30, Total: 60},
		SyncAccountEndMsg{Account: "a1"},
		SyncAccountEndMsg{Account: "a3", Err: errors.New("AuthFailure.SecretIdNotFound: key s3cr3t\x1b[31m not found")})
	out := plainView(v)
	if strings.Contains(out, "cvm.instance") {
		t.Errorf("kinds shown before any account was expanded:\n%s", out)
	}
	for _, want := range []string{"Syncing 3 accounts", "1 of 3 synced, 1 failed", "› ▸ ✓ a1", "▸   a2", "30/60", "▸ ✗ a3", "not synced", "      AuthFailure.SecretIdNotFound: key **** not found", "↑/↓ move"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in\n%s", want, out)
		}
	}
	if strings.Contains(v.Render(), "s3cr3t") || strings.Contains(v.Render(), "****\x1b[31m") {
		t.Errorf("the error's secret or escape reaches the terminal: %q", v.Render())
	}

	v = syncViewUpdate(t, v, syncKey("down"), syncKey("enter"))
	if !v.Expanded("a2") || v.Expanded("a1") {
		t.Fatalf("enter on the second line expanded a1=%v a2=%v", v.Expanded("a1"), v.Expanded("a2"))
	}
	out = plainView(v)
	a2, cvm, a3 := strings.Index(out, "▾   a2"), strings.Index(out, "cvm.instance"), strings.Index(out, "a3")
	if a2 < 0 || cvm < a2 || a3 < cvm {
		t.Errorf("a2's kinds are not under it:\n%s", out)
	}
	v = syncViewUpdate(t, v, syncKey("enter"))
	if v.Expanded("a2") {
		t.Error("a second enter did not collapse a2")
	}

	m, stop := v.Update(syncKey("ctrl+c"))
	v = m.(SyncView)
	if stop == nil || cancelled != 0 {
		t.Fatalf("ctrl+c: command %v, cancelled %d times by Update itself", stop != nil, cancelled)
	}
	stop()
	if _, again := v.Update(syncKey("ctrl+c")); again != nil || cancelled != 1 {
		t.Errorf("cancelled %d times; a second ctrl+c cancels again: %v", cancelled, again != nil)
	}
	if !strings.Contains(plainView(v), "stopping") {
		t.Errorf("no word of stopping:\n%s", plainView(v))
	}
}

func TestSyncViewFitsTheTerminalAndEndsOnSyncEnd(t *testing.T) {
	v := NewSyncView(SyncViewOptions{Accounts: []string{"an-account-with-a-very-long-name-indeed", "b"}, KindOrder: syncKindOrder, Interactive: true})
	v = syncViewUpdate(t, v, tea.WindowSizeMsg{Width: 40, Height: 10},
		RegionProgress{Account: "b", Kind: "cam.user", Seen: 7, Total: 7},
		SyncAccountEndMsg{Account: "b", Err: errors.New(strings.Repeat("a long failure ", 20))})
	for _, l := range strings.Split(strings.TrimSuffix(v.Render(), "\n"), "\n") {
		if w := ansi.StringWidth(l); w > 40 {
			t.Errorf("line of %d columns on a 40-column terminal: %q", w, ansi.Strip(l))
		}
	}
	m, cmd := v.Update(SyncEndMsg{})
	if cmd == nil {
		t.Fatal("SyncEndMsg does not end the program")
	}
	if _, ok := cmd().(tea.QuitMsg); !ok {
		t.Error("SyncEndMsg's command is not tea.Quit")
	}
	if out := plainView(m.(SyncView)); strings.Contains(out, "ctrl+c") || strings.Contains(out, "›") {
		t.Errorf("the last frame still offers keys:\n%s", out)
	}
}

func TestSyncViewKeepsTheCursorsAccountInView(t *testing.T) {
	var accounts []string
	for i := range 30 {
		accounts = append(accounts, fmt.Sprintf("acct-%02d", i))
	}
	v := NewSyncView(SyncViewOptions{Accounts: accounts, KindOrder: syncKindOrder, Interactive: true})
	v = syncViewUpdate(t, v, tea.WindowSizeMsg{Width: 80, Height: 24})
	for range 25 {
		v = syncViewUpdate(t, v, syncKey("down"))
	}
	v = syncViewUpdate(t, v, syncKey("enter"),
		RegionProgress{Account: "acct-25", Kind: "cvm.instance", Region: "ap-guangzhou", Seen: 1, Total: 2},
		RegionProgress{Account: "acct-25", Kind: "vpc.vpc", Region: "ap-guangzhou", Seen: 1, Total: 2})
	out := plainView(v)
	if n := strings.Count(out, "\n"); n > 23 {
		t.Errorf("%d lines on a 24-row terminal:\n%s", n, out)
	}
	for _, want := range []string{"› ▾   acct-25", "cvm.instance", "vpc.vpc", "↑ 13 more", "acct-29"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in\n%s", want, out)
		}
	}
}
