package wizard

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The tests in this file drive the built binary in a real terminal (tmux), as a person would: every
// screen is captured and checked, and what the wizard says is compared with the exit code, the printed
// summary and the clouds' state.

var (
	buildOnce sync.Once
	builtDir  string
	builtBin  string
	buildErr  error
)

// TestMain removes the binary the tmux tests built.
func TestMain(m *testing.M) {
	code := m.Run()
	if builtDir != "" {
		_ = os.RemoveAll(builtDir)
	}
	os.Exit(code)
}

// binary builds onboard once per test process.
func binary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary and drives it in tmux")
	}
	if _, err := exec.LookPath("tmux"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("tmux is required in CI")
		}
		t.Skip("tmux not installed")
	}
	buildOnce.Do(func() {
		builtDir, buildErr = os.MkdirTemp("", "onboard-wizard-test-")
		if buildErr != nil {
			return
		}
		builtBin = filepath.Join(builtDir, "onboard")
		if out, err := exec.Command("go", "build", "-o", builtBin, "onboard/cmd/onboard").CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return builtBin
}

// tmuxSession is the binary running in a detached tmux session of a fixed size.
type tmuxSession struct {
	t             *testing.T
	name          string
	width, height int
	// screens are the distinct screens seen, in order.
	screens []string
}

var sessionSeq int

// shortHome is a state folder with a short path, so that the sandbox's "State:" line fits 80 columns as
// it does for a person's usual home.
func shortHome(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "ow")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	return dir
}

// tmux runs a tmux command on this test process's own server (its socket named with the PID), apart
// from any other tmux on the machine.
func tmux(args ...string) *exec.Cmd {
	return exec.Command("tmux", append([]string{"-L", fmt.Sprintf("onboard-wizard-%d", os.Getpid())}, args...)...)
}

func startTmux(t *testing.T, width, height int, home string, env []string, args ...string) *tmuxSession {
	t.Helper()
	sessionSeq++
	// The PID keeps two test processes (two checkouts, or -count=2) from naming the same session.
	name := fmt.Sprintf("onboard-wizard-%d-%d", os.Getpid(), sessionSeq)
	script := "cd " + home + " && env ONBOARD_HOME=" + home + " " + strings.Join(env, " ") + " " + binary(t) + " " + strings.Join(args, " ") +
		"; echo EXIT=$?; sleep 600"
	// The server exits with its last session: a session started while it does so is refused, and is
	// started again.
	var out []byte
	var err error
	for try := 0; try < 10; try++ {
		out, err = tmux("new-session", "-d", "-x", strconv.Itoa(width), "-y", strconv.Itoa(height), "-s", name, "sh", "-c", script).CombinedOutput()
		if err == nil {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("tmux new-session: %v %s", err, out)
	}
	t.Cleanup(func() { _ = tmux("kill-session", "-t", name).Run() })
	return &tmuxSession{t: t, name: name, width: width, height: height}
}

func (s *tmuxSession) keys(keys ...string) {
	s.t.Helper()
	for _, k := range keys {
		if out, err := tmux("send-keys", "-t", s.name, k).CombinedOutput(); err != nil {
			s.t.Fatalf("send-keys %s: %v %s", k, err, out)
		}
		time.Sleep(80 * time.Millisecond)
	}
}

// screen is the pane as shown, wrapped lines joined (-J), so that a line wider than the pane shows as one.
func (s *tmuxSession) screen() string {
	out, _ := tmux("capture-pane", "-p", "-J", "-t", s.name).Output()
	sc := strings.TrimRight(string(out), "\n")
	if len(s.screens) == 0 || s.screens[len(s.screens)-1] != sc {
		s.screens = append(s.screens, sc)
	}
	return sc
}

// history is the pane with its scrollback: what was printed after the full-screen interface left.
func (s *tmuxSession) history() string {
	out, _ := tmux("capture-pane", "-p", "-J", "-S", "-500", "-t", s.name).Output()
	return string(out)
}

func (s *tmuxSession) waitFor(texts ...string) string {
	s.t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for time.Now().Before(deadline) {
		sc := s.screen()
		for _, text := range texts {
			if strings.Contains(sc, text) {
				return sc
			}
		}
		time.Sleep(120 * time.Millisecond)
	}
	s.t.Fatalf("pane never showed any of %q; last screen:\n%s", texts, s.screen())
	return ""
}

var exitLine = regexp.MustCompile(`EXIT=(\d+)`)

// exitCode waits for the program to end and returns its exit code.
func (s *tmuxSession) exitCode() int {
	s.t.Helper()
	s.waitFor("EXIT=")
	m := exitLine.FindStringSubmatch(s.history())
	code, _ := strconv.Atoi(m[1])
	return code
}

// checkScreens: no line of any screen is wider than the terminal, every questions screen shows its
// focused control, and the step counter never changes its total.
func (s *tmuxSession) checkScreens() {
	s.t.Helper()
	counter := regexp.MustCompile(`Step \d+ of (\d+)`)
	total := ""
	for _, sc := range s.screens {
		if strings.Contains(sc, "EXIT=") {
			continue // the shell's, after the program
		}
		lines := strings.Split(sc, "\n")
		for _, l := range lines {
			if w := len([]rune(l)); w > s.width {
				s.t.Errorf("a line of %d columns at %d:\n%s\nin:\n%s", w, s.width, l, sc)
			}
		}
		if len(lines) > s.height {
			s.t.Errorf("%d lines at %d:\n%s", len(lines), s.height, sc)
		}
		if (strings.Contains(sc, "Question ") || strings.Contains(sc, "Review · the root key")) && !strings.Contains(sc, "┃") {
			s.t.Errorf("no focused control:\n%s", sc)
		}
		if m := counter.FindStringSubmatch(sc); m != nil {
			if total != "" && m[1] != total {
				s.t.Errorf("the step counter's total changed from %s to %s:\n%s", total, m[1], sc)
			}
			total = m[1]
		}
	}
}

// scenario is how a run answers: the features ticked (by their row), quick mode, the root key.
type scenario struct {
	quick    bool
	features []int // rows of the features list to tick (0 host, 1 cspm, 2 soc, 3 audit)
	rootKey  string
	last4    string
	// members: choose the organization's members, the first unticked in the picker.
	members bool
}

// answer answers every question with its default but what the scenario says, applies the plan, and
// returns the summary screen once it shows (the wizard still running).
func (s *tmuxSession) answer(sc scenario) string {
	s.t.Helper()
	s.waitFor("Which Security Center site")
	s.keys("Enter")
	if sc.quick {
		s.keys("Down")
	}
	s.keys("Enter")
	ticked, rooted, applied, scoped, picked := false, false, false, false, false
	deadline := time.Now().Add(3 * time.Minute)
	prev := ""
	for time.Now().Before(deadline) {
		time.Sleep(250 * time.Millisecond)
		scr := s.screen()
		// Keys go only to a screen that has settled: a key sent while a page changes lands on the next.
		if scr != prev {
			prev = scr
			continue
		}
		switch {
		case strings.Contains(scr, "EXIT="):
			s.t.Fatalf("exited before the summary:\n%s", s.history())
		case strings.Contains(scr, "enter exit"):
			return scr
		case strings.Contains(scr, "r review and plan again"), strings.Contains(scr, "back to the review"):
			s.t.Fatalf("the apply failed:\n%s", scr)
		case strings.Contains(scr, "Which features?") && !ticked:
			prev := 0
			for _, row := range sc.features {
				for ; prev < row; prev++ {
					s.keys("Down")
				}
				s.keys("x")
			}
			s.keys("Enter")
			ticked = true
		case strings.Contains(scr, "Which accounts should onboard connect?") && sc.members && !scoped:
			s.keys("Down", "Enter")
			scoped = true
		case strings.Contains(scr, "Which members?") && !picked:
			s.keys("x", "Enter")
			picked = true
		case strings.Contains(scr, "Review · the root key") && !rooted:
			s.rootKey(sc)
			rooted = true
		case strings.Contains(scr, "enter apply this plan") && !applied:
			s.keys("Enter")
			applied = true
		case strings.Contains(scr, "Question "):
			s.keys("Enter")
		}
	}
	s.t.Fatalf("no summary in time; last screen:\n%s", s.screen())
	return ""
}

// rootKey answers the root-key question; for disable or delete it first checks that Enter alone is not
// taken.
func (s *tmuxSession) rootKey(sc scenario) {
	s.t.Helper()
	switch sc.rootKey {
	case "", "keep":
		s.keys("Enter")
		return
	case "disable":
		s.keys("Down", "Enter")
	case "delete":
		s.keys("Down", "Down", "Enter")
	}
	s.waitFor("type the last four characters")
	s.keys("Enter")
	scr := s.waitFor("✗ type the last four characters")
	if !strings.Contains(scr, "Review · the root key") {
		s.t.Fatalf("Enter alone left the root-key question:\n%s", scr)
	}
	s.keys(sc.last4, "Enter")
}

// printedSummary is what was printed after the wizard left the terminal, from its first line on.
func printedSummary(t *testing.T, history string) string {
	t.Helper()
	i := strings.LastIndex(history, "Onboarding ")
	if i < 0 {
		t.Fatalf("no summary was printed:\n%s", history)
	}
	out, _, _ := strings.Cut(history[i:], "EXIT=")
	return out
}

// TestTmuxEachFeatureAndQuick: each feature alone and quick mode, at 80x24 in the sandbox. The ending the
// wizard shows, the summary printed once after it, and the exit code agree with the first sync's outcome;
// the counts printed are what the local inventory holds. Every screen fits the terminal and shows its
// focused control.
func TestTmuxEachFeatureAndQuick(t *testing.T) {
	for _, tt := range []struct {
		name string
		sc   scenario
	}{
		{"host", scenario{features: []int{0}}},
		{"cspm", scenario{features: []int{1}}},
		{"soc", scenario{features: []int{2}}},
		{"audit", scenario{features: []int{3}}},
		{"quick", scenario{quick: true}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			home := shortHome(t)
			s := startTmux(t, 80, 24, home, nil, "tencent", "--sandbox")
			last := s.answer(tt.sc)
			s.keys("Enter")
			code := s.exitCode()
			s.checkScreens()
			printed := printedSummary(t, s.history())
			if strings.Count(s.history(), "The same, for scripts") != 1 {
				t.Errorf("the summary is printed more than once, or not at all:\n%s", s.history())
			}
			complete := strings.Contains(last, "Onboarding complete")
			if complete != strings.HasPrefix(printed, "Onboarding complete") {
				t.Errorf("the last screen and the printed summary disagree:\n%s\n---\n%s", last, printed)
			}
			if want := map[bool]int{true: 0, false: 3}[complete]; code != want {
				t.Errorf("exit %d for an ending that says complete=%v", code, complete)
			}
			counts := syncCounts(t, printed)
			inventory := assetCounts(t, home)
			for kind, n := range inventory {
				if counts[kind] != n {
					t.Errorf("%s: the summary says %d, the inventory holds %d (summary %v)", kind, counts[kind], n, counts)
				}
			}
			// The sandbox demo has WAF domains: the SOC logs question starts on, and the step ships them.
			if tt.name == "soc" && !strings.Contains(printed, "Agentic SOC logs: waf-") {
				t.Errorf("the soc run shipped no WAF logs:\n%s", printed)
			}
			// Agentic SOC and audit logs list no assets of their own; hosts and CSPM do.
			if assets := tt.name == "host" || tt.name == "cspm" || tt.name == "quick"; assets && (len(counts) == 0 || len(inventory) == 0) {
				t.Errorf("no first-sync counts (%v) or no inventory (%v):\n%s", counts, inventory, printed)
			}
			if len(counts) != len(inventory) {
				t.Errorf("the summary counts %v, the inventory holds %v", counts, inventory)
			}
			for _, l := range strings.Split(printed, "\n") {
				if len([]rune(l)) > 80 {
					t.Errorf("a printed line is wider than the terminal: %q", l)
				}
			}
		})
	}
}

var countPattern = regexp.MustCompile(`([a-z_]+\.[a-z_]+) (\d+)`)

// syncCounts reads "First sync: cvm.instance 30, cbs.disk 22, ..." from a summary.
func syncCounts(t *testing.T, summary string) map[string]int {
	t.Helper()
	_, rest, ok := strings.Cut(summary, "First sync: ")
	if !ok {
		return nil
	}
	block, _, _ := strings.Cut(rest, "\nRoot key")
	block, _, _ = strings.Cut(block, "\nCreated")
	out := map[string]int{}
	for _, m := range countPattern.FindAllStringSubmatch(block, -1) {
		out[m[1]], _ = strconv.Atoi(m[2])
	}
	return out
}

// assetCounts counts the local inventory per kind, as `onboard assets list` reads it.
func assetCounts(t *testing.T, home string) map[string]int {
	t.Helper()
	out, err := exec.Command("env", "ONBOARD_HOME="+home, binary(t), "assets", "list", "--sandbox", "--output", "json").Output()
	if err != nil {
		t.Fatalf("assets list: %v", err)
	}
	var assets []struct {
		Kind string `json:"kind"`
	}
	if err := json.Unmarshal(out, &assets); err != nil {
		t.Fatalf("assets list: %v %s", err, out)
	}
	counts := map[string]int{}
	for _, a := range assets {
		counts[a.Kind]++
	}
	return counts
}

// emulatorProcess runs `onboard emulator` and returns the environment that points onboard at it.
func emulatorProcess(t *testing.T, args ...string) (env []string, inspect string) {
	t.Helper()
	cmd := exec.Command(binary(t), append([]string{"emulator"}, args...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("emulator: %v", err)
	}
	var ep map[string]string
	if err := json.Unmarshal([]byte(line), &ep); err != nil {
		t.Fatalf("emulator: %v %s", err, line)
	}
	env = []string{
		"ONBOARD_TENCENT_ENDPOINT=" + ep["tencent_endpoint"], "ONBOARD_SECURITY_CENTER_ENDPOINT=" + ep["security_center_endpoint"],
		"TENCENTCLOUD_SECRET_ID=" + ep["tencent_secret_id"], "TENCENTCLOUD_SECRET_KEY=" + ep["tencent_secret_key"],
		"ALIBABA_CLOUD_ACCESS_KEY_ID=" + ep["alibaba_access_key_id"], "ALIBABA_CLOUD_ACCESS_KEY_SECRET=" + ep["alibaba_access_key_secret"],
		"ONBOARD_SECRET_STORE=file",
	}
	return env, ep["tencent_endpoint"] + "/_emulator/tencent/state"
}

// rootKeyState reads the root key's status from the emulator's inspection: "" when it is gone.
func rootKeyState(t *testing.T, inspect, id string) string {
	t.Helper()
	resp, err := http.Get(inspect)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st struct {
		RootKeys []struct{ ID, Status string } `json:"root_keys"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatal(err)
	}
	for _, k := range st.RootKeys {
		if k.ID == id {
			return k.Status
		}
	}
	return ""
}

// TestTmuxRootKey: on the root-key question Enter alone never deletes; once confirmed, the screen, the
// printed summary and the emulator agree: deleted where Tencent Cloud deletes an active root key, and
// disabled (the console must delete it) where it refuses.
func TestTmuxRootKey(t *testing.T) {
	for _, tt := range []struct {
		emulator string
		screen   string
		state    string
	}{
		{"allow", "Root key: deleted", ""},
		{"refuse", "Root key: disabled, not deleted", "Inactive"},
	} {
		t.Run(tt.emulator, func(t *testing.T) {
			env, inspect := emulatorProcess(t, "--active-root-key-delete", tt.emulator)
			var rootID string
			for _, e := range env {
				if v, ok := strings.CutPrefix(e, "TENCENTCLOUD_SECRET_ID="); ok {
					rootID = v
				}
			}
			home := shortHome(t)
			s := startTmux(t, 80, 24, home, env, "tencent")
			s.answer(scenario{features: []int{0}, rootKey: "delete", last4: rootID[len(rootID)-4:]})
			var summaryScreens string
			for i := 0; i < 4; i++ {
				summaryScreens += s.screen()
				s.keys("PageDown")
			}
			if !strings.Contains(summaryScreens, tt.screen) {
				t.Errorf("the last screen does not say %q:\n%s", tt.screen, summaryScreens)
			}
			s.keys("Enter")
			if code := s.exitCode(); code != 0 {
				t.Errorf("exit %d", code)
			}
			if printed := printedSummary(t, s.history()); !strings.Contains(printed, tt.screen) {
				t.Errorf("the printed summary does not say %q:\n%s", tt.screen, printed)
			}
			if got := rootKeyState(t, inspect, rootID); got != tt.state {
				t.Errorf("the emulator holds the root key as %q, want %q", got, tt.state)
			}
		})
	}
}

// TestTmuxCtrlCEachPhase: Ctrl+C in the questions, the review, the apply and the first sync exits 130,
// and the next run converges to a complete onboarding.
func TestTmuxCtrlCEachPhase(t *testing.T) {
	for _, tt := range []struct {
		phase string
		wait  string // the screen to press Ctrl+C on
	}{
		{"questions", "Which features?"},
		{"review", "enter apply this plan"},
		{"apply", "✓ CAM sub-user"},
		{"sync", "Synchronising the assets"},
	} {
		t.Run(tt.phase, func(t *testing.T) {
			home := shortHome(t)
			env := []string{"ONBOARD_SANDBOX_LATENCY=150ms"}
			s := startTmux(t, 80, 24, home, env, "tencent", "--sandbox")
			s.waitFor("Which Security Center site")
			s.keys("Enter", "Enter")
			s.waitFor("Which features?")
			if tt.phase != "questions" {
				s.keys("x", "Enter")
				for !strings.Contains(s.screen(), "enter apply this plan") {
					if strings.Contains(s.screen(), "Question ") || strings.Contains(s.screen(), "Review · the root key") {
						s.keys("Enter")
					}
					time.Sleep(250 * time.Millisecond)
				}
				if tt.phase != "review" {
					s.keys("Enter")
				}
			}
			s.waitFor(tt.wait)
			s.keys("C-c")
			if code := s.exitCode(); code != 130 {
				t.Fatalf("exit %d after Ctrl+C in %s:\n%s", code, tt.phase, s.history())
			}
			s = startTmux(t, 80, 24, home, nil, "tencent", "--sandbox")
			s.answer(scenario{features: []int{0}})
			s.keys("Enter")
			if code := s.exitCode(); code != 0 {
				t.Errorf("the next run did not converge: exit %d\n%s", code, s.history())
			}
		})
	}
}

// TestTmux100x30: a full run at 100x30 fits, with a stable counter.
func TestTmux100x30(t *testing.T) {
	s := startTmux(t, 100, 30, shortHome(t), nil, "tencent", "--sandbox")
	s.answer(scenario{features: []int{0, 1, 2, 3}})
	s.keys("Enter")
	if code := s.exitCode(); code != 0 {
		t.Errorf("exit %d", code)
	}
	s.checkScreens()
}

// TestTmuxPartlyDone: when the first sync fails in one region, the wizard's ending, the printed summary
// and the exit code (3) all say partly done.
func TestTmuxPartlyDone(t *testing.T) {
	env, _ := emulatorProcess(t, "--faults", "action=cvm:DescribeInstances,region=ap-tokyo,fault=InternalError,p=1")
	s := startTmux(t, 80, 24, shortHome(t), env, "tencent")
	last := s.answer(scenario{features: []int{0}})
	if !strings.Contains(last, "Onboarding partly done") {
		t.Errorf("the last screen does not say partly done:\n%s", last)
	}
	s.keys("Enter")
	if code := s.exitCode(); code != 3 {
		t.Errorf("exit %d, want 3 (partly done)", code)
	}
	printed := printedSummary(t, s.history())
	if !strings.HasPrefix(printed, "Onboarding partly done") || !strings.Contains(printed, "ap-tokyo") {
		t.Errorf("the printed summary does not say what failed:\n%s", printed)
	}
	s.checkScreens()
}

// TestTmuxInstallsTheAgent: the summary of a sandbox onboarding offers the agent on the synced hosts; y
// installs it with each host shown as it moves; the demo fleet's troubles (TAT offline, a stopped host,
// an install that fails) are reported with their reasons on the screen and in what is printed after, as
// onboard agent install prints them, and the exit code is 3 because some hosts did not get the agent.
func TestTmuxInstallsTheAgent(t *testing.T) {
	s := startTmux(t, 80, 24, shortHome(t), nil, "tencent", "--sandbox")
	last := s.answer(scenario{features: []int{0}})
	offer := regexp.MustCompile(`Install the Security Center agent on (\d+) hosts now\?`).FindStringSubmatch(last)
	if offer == nil || !strings.Contains(last, "y install the agent") {
		t.Fatalf("no agent offer on the summary:\n%s", last)
	}
	s.keys("y")
	s.waitFor("Security Center agent: installing")
	end := s.waitFor("Security Center agent: Account")
	if !strings.Contains(end, "enter exit") {
		t.Errorf("no way out once the agent was installed:\n%s", end)
	}
	s.keys("Enter")
	if code := s.exitCode(); code != 3 {
		t.Errorf("exit %d, want 3: some demo hosts cannot get the agent", code)
	}
	s.checkScreens()
	live := false
	for _, sc := range s.screens {
		live = live || (strings.Contains(sc, "installing…") && (strings.Contains(sc, "running") || strings.Contains(sc, "queued") || strings.Contains(sc, "confirming")))
	}
	if !live {
		t.Errorf("no screen showed hosts in progress")
	}
	printed := printedSummary(t, s.history())
	tally := regexp.MustCompile(`Account \S+: (\d+) installed, .*(\d+) skipped, (\d+) failed\.`).FindStringSubmatch(printed)
	if tally == nil {
		t.Fatalf("the printed summary has no agent outcome:\n%s", printed)
	}
	for _, want := range []string{"skipped", "TAT", "not running", "failed"} {
		if !strings.Contains(printed, want) {
			t.Errorf("the printed agent outcome lacks %q:\n%s", want, printed)
		}
	}
}

// TestTmuxPicksMembers: in the sandbox, whose demo key is the root key of an organization's management
// account, the wizard offers the organization's three members; choosing them with one unticked in the
// picker onboards the other two, one line per member while they run, and the summary on the screen and
// printed after it lists both as onboarded, with exit code 0. Every screen fits 80x24.
func TestTmuxPicksMembers(t *testing.T) {
	s := startTmux(t, 80, 24, shortHome(t), nil, "tencent", "--sandbox", "--skip-sync")
	last := s.answer(scenario{features: []int{0}, members: true})
	offered, picker, progress := false, false, false
	for _, sc := range s.screens {
		offered = offered || strings.Contains(sc, "All members of this organization (3 member accounts)")
		picker = picker || strings.Contains(sc, "Which members?")
		progress = progress || strings.Contains(sc, "members finished")
	}
	if !offered || !picker || !progress {
		t.Errorf("offered the members: %v, showed the picker: %v, showed each member's progress: %v", offered, picker, progress)
	}
	if !strings.Contains(last, "Organization managed by 100012345678: 2 members, 2 onboarded.") {
		t.Errorf("the last screen does not list the two members onboarded:\n%s", last)
	}
	s.keys("Enter")
	if code := s.exitCode(); code != 0 {
		t.Errorf("exit %d\n%s", code, s.history())
	}
	s.checkScreens()
	h := s.history()
	i := strings.LastIndex(h, "Organization managed by ")
	if i < 0 {
		t.Fatalf("no summary printed:\n%s", h)
	}
	printed, _, _ := strings.Cut(h[i:], "EXIT=")
	if strings.Count(printed, " onboarded ") != 2 || !strings.Contains(strings.ReplaceAll(printed, " \\\n  ", " "), "--org --members ") {
		t.Errorf("the printed summary does not list two members onboarded, or its command does not name them:\n%s", printed)
	}
}
