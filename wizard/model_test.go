package wizard

import (
	"context"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"onboard/policy"
)

// Pressing Enter on every screen completes an onboarding with the defaults.
func TestEnterThroughDefaults(t *testing.T) {
	f := newFake()
	m := newModel(t, f)
	var seen []screenID
	for i := 0; i < 60 && !m.done; i++ {
		if len(seen) == 0 || seen[len(seen)-1] != m.screen().ID {
			seen = append(seen, m.screen().ID)
		}
		m = press(t, m, "enter")
	}
	if !m.done {
		t.Fatalf("not done after 60 Enters; at %s:\n%s", m.screen().ID, view(m))
	}
	want := []screenID{scrSite, scrMode, scrFeatures, scrTencent, scrUser, scrGrants, scrSecCenter, scrRegions, scrFreq, scrReview, scrRootKey, scrSync, scrSummary}
	if !slices.Equal(seen, want) {
		t.Errorf("screens = %v\nwant %v", seen, want)
	}
	r, err := m.Result()
	if err != nil || !r.Applied {
		t.Fatalf("result %+v, %v", r, err)
	}
	a := r.Answers
	if a.Site != SiteMainland || a.Mode != ModeManual || !slices.Equal(a.Features, []string{"host", "cspm"}) ||
		a.UserName != "onboard-security-center" || a.Tencent.Source != "environment" || !a.Identity.Root ||
		a.DisplayName != "tencent-100000000001" || a.Alibaba.Source != "environment" ||
		!slices.Equal(a.Regions, []string{"ap-guangzhou"}) || a.HostSyncMinutes != 360 || a.CloudSyncMinutes != 1440 ||
		a.AKCheckMinutes != 1440 || a.RootKey != RootKeyKeep {
		t.Errorf("answers %+v", a)
	}
	if len(f.applied) != 1 || len(f.retired) != 0 {
		t.Errorf("applied %d times, retired %v", len(f.applied), f.retired)
	}
}

func TestBackKeepsAnswers(t *testing.T) {
	m := newModel(t, newFake())
	m = press(t, m, "down", "enter") // outside the mainland
	wantScreen(t, m, scrMode)
	m = press(t, m, "enter") // manual
	wantScreen(t, m, scrFeatures)
	m = press(t, m, "down", "down", "space") // tick Agentic SOC
	m = press(t, m, "shift+tab")
	wantScreen(t, m, scrMode)
	m = press(t, m, "shift+tab")
	wantScreen(t, m, scrSite)
	if m.fields[0].Value() != SiteOutside {
		t.Errorf("site after back = %q", m.fields[0].Value())
	}
	m = press(t, m, "enter", "enter")
	wantScreen(t, m, scrFeatures)
	if got := m.fields[0].Values(); !slices.Equal(got, []string{"host", "cspm", "soc"}) {
		t.Errorf("features after back and forth = %v", got)
	}
	// Back from the first screen stays there.
	m = newModel(t, newFake())
	m = press(t, m, "shift+tab")
	wantScreen(t, m, scrSite)
}

func TestQuickModeHostsOnly(t *testing.T) {
	f := newFake()
	m := newModel(t, f)
	m = press(t, m, "enter", "down", "enter")
	wantScreen(t, m, scrFeatures)
	wantView(t, m, "quick configuration supports host assets only")
	m = press(t, m, "down", "space") // CSPM is disabled: space does nothing
	if got := m.fields[0].Values(); !slices.Equal(got, []string{"host"}) {
		t.Errorf("quick features = %v", got)
	}
	m = press(t, m, "enter")
	wantScreen(t, m, scrTencent)
	wantView(t, m, "root key")
	// A sub-user's key cannot be used for quick configuration.
	f.root = false
	m = press(t, m, "enter")
	wantScreen(t, m, scrTencent)
	wantView(t, m, "quick configuration needs the root account's key", "sub-user ops")
	f.root = true
	m = press(t, m, "enter")
	wantScreen(t, m, scrSecCenter) // no sub-user, no grants
	wantView(t, m, "root account key", "100000000001", "AKID****")
}

func TestFeaturesNeedOne(t *testing.T) {
	m := newModel(t, newFake())
	m = press(t, m, "enter", "enter", "space", "down", "space")
	if m.fields[0].Values() != nil {
		t.Fatalf("values = %v", m.fields[0].Values())
	}
	// The CSPM mode field hides when CSPM is off, so Enter submits.
	m = press(t, m, "enter")
	wantScreen(t, m, scrFeatures)
	wantView(t, m, "choose at least one feature")
	m = press(t, m, "space", "enter")
	wantScreen(t, m, scrFeatures) // CSPM on: its grant choice comes next
	m = press(t, m, "down", "enter")
	wantScreen(t, m, scrTencent)
	if m.ans.CSPMMode != policy.CSPMCustom {
		t.Errorf("cspm mode = %q", m.ans.CSPMMode)
	}
}

func TestTypedKeyIsMaskedAndChecked(t *testing.T) {
	m := newModel(t, newFake())
	m = press(t, m, "enter", "enter", "enter", "enter")
	wantScreen(t, m, scrTencent)
	wantView(t, m, "AKID****1234", "from environment")
	if strings.Contains(view(m), "tencent-secret-value") || strings.Contains(view(m), "AKIDexample0000000000001234") {
		t.Fatal("view shows a found key in clear")
	}
	m = press(t, m, "down", "enter") // type a key
	m = typeText(t, m, "short")
	m = press(t, m, "enter")
	wantView(t, m, "SecretId: 16 to 128 characters")
	for range 5 {
		m = press(t, m, "backspace")
	}
	m = typeText(t, m, "AKIDtyped00000000000000009")
	m = press(t, m, "enter")
	m = typeText(t, m, "wrong")
	if strings.Contains(view(m), "wrong") {
		t.Fatalf("secret key echoed:\n%s", view(m))
	}
	m = press(t, m, "enter")
	wantScreen(t, m, scrTencent)
	wantView(t, m, "Tencent Cloud refused the key")
	for range 5 {
		m = press(t, m, "backspace")
	}
	m = typeText(t, m, "right-secret")
	m = press(t, m, "enter")
	wantScreen(t, m, scrUser)
	wantView(t, m, "AKID****0009 (typed): root account key")
	if m.ans.Tencent.Secret.Reveal() != "right-secret" || m.ans.Tencent.Source != SourceTyped {
		t.Errorf("typed credential %+v", m.ans.Tencent)
	}
	if strings.Contains(m.ans.CommandLine(), "right-secret") || !strings.Contains(m.ans.CommandLine(), "--secret-key-stdin") {
		t.Errorf("command line %q", m.ans.CommandLine())
	}
}

func TestSubUserName(t *testing.T) {
	f := newFake()
	f.users["taken"] = UserStatus{Exists: true, UIN: "1000077", Keys: 2}
	f.users["reuse"] = UserStatus{Exists: true, UIN: "1000078", Keys: 1}
	m := newModel(t, f)
	m = press(t, m, "enter", "enter", "enter", "enter", "enter")
	wantScreen(t, m, scrUser)
	for range len("onboard-security-center") {
		m = press(t, m, "backspace")
	}
	m = typeText(t, m, "bad name!")
	m = press(t, m, "enter")
	wantScreen(t, m, scrUser)
	wantView(t, m, "use 1 to 64 letters")
	for range len("bad name!") {
		m = press(t, m, "backspace")
	}
	m = typeText(t, m, "taken")
	m = press(t, m, "enter")
	wantScreen(t, m, scrUser)
	wantView(t, m, "already has 2 API keys")
	for range 5 {
		m = press(t, m, "backspace")
	}
	m = typeText(t, m, "reuse")
	m = press(t, m, "enter")
	wantScreen(t, m, scrGrants)
	wantView(t, m, "sub-user reuse exists (UIN 1000078, 1 of 2 keys): onboard will reuse it", "QcloudCVMReadOnlyAccess (preset)")
}

func TestGrantsShowCustomPoliciesScrollable(t *testing.T) {
	m := newModel(t, newFake())
	m = press(t, m, "enter", "enter", "down", "down", "space", "down", "space", "enter", "enter", "enter", "enter")
	wantScreen(t, m, scrGrants)
	wantView(t, m, "siemPolicy (custom)", "ciemPolicy (custom)", "lines 1–")
	top := view(m)
	m = press(t, m, "down", "down", "down")
	if view(m) == top || m.scroll != 3 {
		t.Errorf("scrolling did not move the view (scroll %d)", m.scroll)
	}
	if h := lipgloss.Height(m.render()); h > 24 {
		t.Errorf("grants view is %d lines high at 80x24", h)
	}
	m = press(t, m, "enter")
	wantScreen(t, m, scrAudit)
}

func TestAuditLogsLiveLists(t *testing.T) {
	m := newModel(t, newFake())
	m = press(t, m, "enter", "enter", "down", "down", "down", "space", "enter", "enter", "enter", "enter", "enter")
	wantScreen(t, m, scrAudit)
	wantView(t, m, "ap-guangzhou", "existing-logs", "New logset")
	m = press(t, m, "enter")         // region
	m = press(t, m, "down", "enter") // existing logset: its topics load, the name field hides
	wantView(t, m, "existing-topic")
	if m.fields[m.focus].ID != "topic" {
		t.Fatalf("focus on %s", m.fields[m.focus].ID)
	}
	m = press(t, m, "down", "enter", "down", "enter")
	wantScreen(t, m, scrSecCenter)
	a := m.ans
	if a.AuditRegion != "ap-guangzhou" || a.LogsetID != "ls-1" || a.TopicID != "tp-1" || a.KafkaNetwork != KafkaInternal {
		t.Errorf("audit answers %+v", a)
	}
	cl := a.CommandLine()
	if !strings.Contains(cl, "--audit-logset ls-1") || !strings.Contains(cl, "--audit-topic tp-1") || !strings.Contains(cl, "--kafka-network private") {
		t.Errorf("command line %q", cl)
	}
}

func TestRegionsOtherSiteDisabledAndFilter(t *testing.T) {
	m := newModel(t, newFake())
	m = press(t, m, "enter", "enter", "enter", "enter", "enter", "enter", "enter", "enter", "enter")
	wantScreen(t, m, scrRegions)
	wantView(t, m, "ap-singapore — synced by the outside the Chinese mainland site", "[x] ap-guangzhou", "Alibaba Cloud key LTAI")
	m = press(t, m, "down", "down", "space") // the disabled region does not tick
	if slices.Contains(m.fields[0].Values(), "ap-singapore") {
		t.Error("disabled region ticked")
	}
	m = press(t, m, "/")
	m = typeText(t, m, "ash")
	m = press(t, m, "enter")
	wantView(t, m, "na-ashburn", "filter: ash")
	if strings.Contains(view(m), "ap-shanghai") {
		t.Error("filter left ap-shanghai visible")
	}
	m = press(t, m, "space", "/", "backspace", "backspace", "backspace", "esc")
	if m.confirmQuit {
		t.Fatal("esc in the filter asked to quit")
	}
	if got := m.fields[0].Values(); !slices.Equal(got, []string{"ap-guangzhou", "na-ashburn"}) {
		t.Errorf("regions = %v", got)
	}
	m = press(t, m, "a") // all enabled ones
	if got := m.fields[0].Values(); !slices.Equal(got, []string{"ap-guangzhou", "ap-shanghai", "na-ashburn"}) {
		t.Errorf("after a: %v", got)
	}
	m = press(t, m, "a") // none
	m = press(t, m, "enter", "enter")
	wantScreen(t, m, scrRegions)
	wantView(t, m, "choose at least one region")
}

func TestSkipSecurityCenter(t *testing.T) {
	m := newModel(t, newFake())
	m = press(t, m, "enter", "enter", "enter", "enter", "enter", "enter", "enter")
	wantScreen(t, m, scrSecCenter)
	m = press(t, m, "down", "down", "enter")
	wantScreen(t, m, scrReview)
	wantView(t, m, "Security Center    skipped", "--security-center skip")
}

func TestEscAsksThenCancels(t *testing.T) {
	m := newModel(t, newFake())
	m = press(t, m, "enter", "esc")
	wantView(t, m, "Cancel onboarding?")
	m = press(t, m, "n")
	if m.confirmQuit || m.done {
		t.Fatal("n did not return to the wizard")
	}
	m = press(t, m, "ctrl+c", "y")
	if !m.done {
		t.Fatal("y did not end the wizard")
	}
	if _, err := m.Result(); !errors.Is(err, ErrCancelled) || !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v", err)
	}
}

func TestApplyFailureRetryAndRollback(t *testing.T) {
	for _, tc := range []struct {
		key  string
		done bool
	}{{"r", false}, {"u", true}} {
		f := newFake()
		f.failStep = "grants"
		m := newModel(t, f)
		for m.screen().ID != scrApply {
			m = press(t, m, "enter")
		}
		wantView(t, m, "✗ Attach policies", "Fix: grant CAM permissions", "r retry")
		m = press(t, m, "enter")
		wantScreen(t, m, scrApply)
		m = press(t, m, tc.key)
		if tc.key == "r" {
			wantScreen(t, m, scrRootKey)
			if len(f.applied) != 2 {
				t.Errorf("applied %d times", len(f.applied))
			}
			continue
		}
		if !m.done || f.rolledBack != 1 {
			t.Fatalf("rollback: done %v, rolled back %d", m.done, f.rolledBack)
		}
		if _, err := m.Result(); err == nil || !strings.Contains(err.Error(), "rolled back") {
			t.Errorf("err = %v", err)
		}
	}
}

// Ctrl+C while a step runs cancels the engine's context and waits for it to stop: exit 130.
func TestCtrlCDuringApply(t *testing.T) {
	f := newFake()
	f.block = make(chan struct{})
	m := newModel(t, f)
	for m.screen().ID != scrReview {
		m = press(t, m, "enter")
	}
	// Enter starts the engine; run only the first reply so the engine is left blocked mid-run.
	mm, cmd := m.Update(keyMsg("enter"))
	m = mm.(Model)
	wantScreen(t, m, scrApply)
	msg := runFirst(cmd)
	mm, cmd = m.Update(msg)
	m = mm.(Model)
	wantView(t, m, "Create sub-user")
	m = press(t, m, "ctrl+c")
	wantView(t, m, "Stop applying?")
	m = press(t, m, "y")
	wantView(t, m, "stopping")
	m = drain(m, cmd, io.Discard)
	if !m.done {
		t.Fatal("not done after the engine stopped")
	}
	if _, err := m.Result(); !errors.Is(err, ErrCancelled) {
		t.Errorf("err = %v", err)
	}
}

// runFirst runs a command (the first of a batch) and returns its message.
func runFirst(cmd tea.Cmd) tea.Msg {
	msg := cmd()
	if b, ok := msg.(tea.BatchMsg); ok {
		return b[0]()
	}
	return msg
}

func TestRootKeyDeleteAndSummary(t *testing.T) {
	f := newFake()
	m := newModel(t, f)
	for m.screen().ID != scrRootKey {
		m = press(t, m, "enter")
	}
	wantView(t, m, "Keep it", "Disable it", "Delete it")
	m = press(t, m, "down", "down", "enter")
	wantScreen(t, m, scrSync)
	wantView(t, m, "root key deleted", "cvm", "2/2", "Enter to see the summary")
	m = press(t, m, "enter")
	wantScreen(t, m, scrSummary)
	wantView(t, m, "Onboarding complete", "sub-user onboard-security-center", "file store", "cvm: 2")
	if !slices.Equal(f.retired, []string{RootKeyDelete}) {
		t.Errorf("retired %v", f.retired)
	}
	if !strings.Contains(m.ans.CommandLine(), "--root-key delete") {
		t.Errorf("command line %q", m.ans.CommandLine())
	}
	m = press(t, m, "shift+tab")
	wantScreen(t, m, scrSummary) // no way back once applied
}

// Every screen fits 80x24 and stays within 80 columns; a resize is honoured.
func TestScreensFit80x24(t *testing.T) {
	f := newFake()
	m := newModel(t, f)
	m = press(t, m, "enter", "enter", "down", "down", "space", "down", "space", "enter")
	for i := 0; i < 60 && !m.done; i++ {
		out := m.render()
		if h := lipgloss.Height(out); h > 24 {
			t.Errorf("%s: %d lines", m.screen().ID, h)
		}
		if w := lipgloss.Width(out); w > 80 {
			t.Errorf("%s: %d columns", m.screen().ID, w)
		}
		m = press(t, m, "enter")
	}
	mm, _ := m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	if mm.(Model).width != 120 || mm.(Model).bodyHeight() != 33 {
		t.Error("resize ignored")
	}
}

func TestCommandLineLeavesSecretsOut(t *testing.T) {
	a := Answers{Site: SiteOutside, Mode: ModeManual, Features: []string{"host", "audit"}, UserName: "sc user",
		Tencent:     Credential{Source: "profile prod", ID: "AKIDxxxxxxxxxxxxxxxx", Secret: "s3cret"},
		Alibaba:     Credential{Source: SourceTyped, ID: "LTAIxxxxxxxx", Secret: "al1baba"},
		AuditRegion: "ap-guangzhou", KafkaNetwork: KafkaInternet,
		DisplayName: "prod", Regions: []string{"ap-shanghai", "ap-guangzhou"}, HostSyncMinutes: 60, CloudSyncMinutes: 1440}
	got := a.CommandLine()
	want := "onboard tencent --no-input --site outside --mode manual --features host,audit --profile prod --sub-user 'sc user' --audit-region ap-guangzhou --kafka-network public --account-name prod --regions ap-guangzhou,ap-shanghai --host-sync 1h --ak-check off"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	for _, s := range []string{"s3cret", "al1baba", "LTAIxxxxxxxx"} {
		if strings.Contains(got, s) {
			t.Errorf("command line holds %q", s)
		}
	}
	if Secret("x").String() != "****" {
		t.Error("secret printed")
	}
}

// An error from a cloud is shown as it came, with every secret the process knows masked: a key the
// person typed that a cloud's error then quotes never reaches the screen.
func TestErrorsOnScreenAreScrubbedOfKnownSecrets(t *testing.T) {
	f := newFake()
	f.rejectKey = true
	deps := f.deps()
	deps.Scrub = func(s string) string { return strings.ReplaceAll(s, "signature", "****") }
	m := New(context.Background(), deps)
	m.plain = true
	m = drain(m, m.Init(), io.Discard)
	m = press(t, m, "enter", "enter", "enter", "enter")
	wantScreen(t, m, scrTencent)
	m = press(t, m, "enter") // the key found in the environment, which the fake refuses
	wantScreen(t, m, scrTencent)
	if v := view(m); !strings.Contains(v, "Tencent Cloud refused the key") || strings.Contains(v, "signature") || !strings.Contains(v, "****") {
		t.Fatalf("the refusal is not shown scrubbed:\n%s", v)
	}
}
