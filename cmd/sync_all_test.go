package cmd

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"onboard/emulator/tcloud"
	"onboard/tencent"
)

// tencentAccounts are several emulated Tencent Cloud accounts behind one endpoint, as the real
// endpoint serves every account: a request goes to the account whose key signed it.
type tencentAccounts struct {
	emus []*tcloud.Server
	url  string
	mu   sync.Mutex
	keys map[string]int // SecretId → account
	// quote, when set for an account, makes its errors quote that text, as a cloud's error may quote a
	// secret: what onboard prints must still mask it.
	quote map[int]string
	// latency delays every call; tests raise it once the accounts are onboarded, to watch a sync.
	latency atomic.Int64
}

func newTencentAccounts(t *testing.T, n int) *tencentAccounts {
	t.Helper()
	ta := &tencentAccounts{keys: map[string]int{}, quote: map[int]string{}}
	ta.latency.Store(int64(2 * time.Millisecond))
	for i := range n {
		emu := tcloud.New(tcloud.Options{OwnerUIN: uint64(200000000001 + i), Latency: func() time.Duration { return time.Duration(ta.latency.Load()) }})
		emu.SeedCVM("ap-guangzhou", 120+i)
		emu.SeedCVM("ap-shanghai", 30)
		id, _ := emu.RootKey()
		ta.keys[id] = i
		ta.emus = append(ta.emus, emu)
	}
	hs := httptest.NewServer(http.HandlerFunc(ta.serve))
	t.Cleanup(hs.Close)
	ta.url = hs.URL
	return ta
}

var credentialScope = regexp.MustCompile(`Credential=([^/]+)/`)

func (ta *tencentAccounts) account(secretID string) int {
	ta.mu.Lock()
	defer ta.mu.Unlock()
	if i, ok := ta.keys[secretID]; ok {
		return i
	}
	for i, emu := range ta.emus {
		for _, u := range emu.State().Users {
			for _, k := range u.Keys {
				ta.keys[k.ID] = i
			}
		}
	}
	return ta.keys[secretID] // an unknown key goes to the first account, which refuses it
}

func (ta *tencentAccounts) serve(w http.ResponseWriter, r *http.Request) {
	m := credentialScope.FindStringSubmatch(r.Header.Get("Authorization"))
	if m == nil {
		http.Error(w, "unsigned", http.StatusBadRequest)
		return
	}
	i := ta.account(m[1])
	ta.mu.Lock()
	quote := ta.quote[i]
	ta.mu.Unlock()
	if quote == "" {
		ta.emus[i].ServeHTTP(w, r)
		return
	}
	rec := httptest.NewRecorder()
	ta.emus[i].ServeHTTP(rec, r)
	body := bytes.Replace(rec.Body.Bytes(), []byte(`"Message":"`), []byte(`"Message":"key `+quote+`: `), 1)
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(rec.Code)
	w.Write(body)
}

// onboardAccounts onboards n emulated accounts, acct-0 to acct-N, and returns the variables later runs use.
func onboardAccounts(t *testing.T, n int) (*tencentAccounts, map[string]string) {
	t.Helper()
	ta := newTencentAccounts(t, n)
	home := t.TempDir()
	for i, emu := range ta.emus {
		id, key := emu.RootKey()
		vars := map[string]string{"ONBOARD_HOME": home, "ONBOARD_TENCENT_ENDPOINT": ta.url, "ONBOARD_SECRET_STORE": "file",
			"TENCENTCLOUD_SECRET_ID": id, "TENCENTCLOUD_SECRET_KEY": key}
		f, _, errOut := tencentTestFactory(vars)
		if code := run(context.Background(), f, []string{"tencent", "--no-input", "--mode", "manual", "--features", "host", "--sub-user", "sas-reader",
			"--account", fmt.Sprintf("acct-%d", i), "--security-center", "skip", "--skip-sync"}); code != ExitOK {
			t.Fatalf("onboard acct-%d: exit %d %s", i, code, errOut.String())
		}
	}
	return ta, map[string]string{"ONBOARD_HOME": home, "ONBOARD_TENCENT_ENDPOINT": ta.url, "ONBOARD_SECRET_STORE": "file"}
}

// onboardFiveAccounts onboards five emulated accounts, acct-0 to acct-4, and revokes acct-3's key (deleted
// in its account, as an administrator would); its errors then quote its secret, which it returns.
func onboardFiveAccounts(t *testing.T) (ta *tencentAccounts, vars map[string]string, revokedSecret string) {
	t.Helper()
	ta, vars = onboardAccounts(t, 5)
	home := vars["ONBOARD_HOME"]
	revoked := readAccount(t, vars, "acct-3")
	rootID, rootKey := ta.emus[3].RootKey()
	admin, err := tencent.New(tencent.Options{Credential: tencent.Credential{SecretID: rootID, SecretKey: tencent.SecretKey(rootKey)}, Endpoint: ta.url})
	if err != nil {
		t.Fatal(err)
	}
	uin, _ := strconv.ParseUint(revoked.SubUserUIN, 10, 64)
	if err := admin.DeleteAccessKey(context.Background(), uin, revoked.AccessKeyID); err != nil {
		t.Fatal(err)
	}
	var secrets map[string]string
	if err := json.Unmarshal([]byte(readFileT(t, filepath.Join(home, "secrets.json"))), &secrets); err != nil {
		t.Fatal(err)
	}
	var stored struct{ SecretKey string }
	if err := json.Unmarshal([]byte(secrets[revoked.SecretItem]), &stored); err != nil || stored.SecretKey == "" {
		t.Fatalf("the revoked key in the file store: %v", err)
	}
	ta.mu.Lock()
	ta.quote[3] = stored.SecretKey
	ta.mu.Unlock()
	for _, emu := range ta.emus {
		emu.ResetCalls()
	}
	return ta, vars, stored.SecretKey
}

// sync --all over five accounts, one of whose keys was revoked: the four others are synced in full at
// once, the fifth is reported with its error, masked, and the exit code is 3.
func TestSyncAllSyncsAccountsAtOnceAndReportsOneWithARevokedKey(t *testing.T) {
	ta, vars, secret := onboardFiveAccounts(t)
	f, out, errOut := tencentTestFactory(vars)
	f.IO.SetTTY(false, false, true)
	start := time.Now()
	code := run(context.Background(), f, []string{"sync", "--all"})
	wall := time.Since(start)
	if code != ExitPartial {
		t.Fatalf("sync --all: exit %d, want 3\n%s\n%s", code, out.String(), errOut.String())
	}
	all := out.String() + errOut.String()
	if strings.Contains(all, secret) {
		t.Fatalf("the revoked key's secret, quoted by the cloud, reaches the output:\n%s", all)
	}
	for i := range 5 {
		name := fmt.Sprintf("acct-%d", i)
		if i == 3 {
			if !strings.Contains(out.String(), "NOT SYNCED acct-3: ") || !strings.Contains(out.String(), "AuthFailure") ||
				!strings.Contains(errOut.String(), "acct-3: ") {
				t.Errorf("acct-3's error is not reported:\n%s\n%s", out.String(), errOut.String())
			}
			continue
		}
		if want := fmt.Sprintf("Synced %q: %d assets", name, 150+i); !strings.Contains(out.String(), want) {
			t.Errorf("no %q in the report:\n%s", want, out.String())
		}
	}
	// The live view (TestSyncAllLiveViewInTmux reads it as a terminal shows it).
	screen := ansi.Strip(errOut.String())
	for _, want := range []string{"Syncing 5 accounts", "acct-0", "acct-4"} {
		if !strings.Contains(screen, want) {
			t.Errorf("no %q in the live view:\n%s", want, screen)
		}
	}
	if !overlapping(ta.emus) {
		t.Errorf("the accounts were synced one after another (%s)", wall)
	}

	f, out, _ = tencentTestFactory(vars)
	if code := run(context.Background(), f, []string{"sync", "--all", "--accounts-concurrency", "2", "--output", "json"}); code != ExitPartial {
		t.Fatalf("sync --all --output json: exit %d", code)
	}
	var reports []syncReport
	if err := json.Unmarshal([]byte(out.String()), &reports); err != nil || len(reports) != 5 {
		t.Fatalf("json %v: %s", err, out.String())
	}
	for i, r := range reports {
		if r.Account != fmt.Sprintf("acct-%d", i) || (i == 3) != (r.Error != "") || (i != 3 && r.Assets != 150+i) {
			t.Errorf("report %d: %+v", i, r)
		}
		if strings.Contains(r.Error, secret) {
			t.Errorf("the JSON error quotes the secret: %s", r.Error)
		}
	}
}

// overlapping reports whether two accounts' calls were ever served at the same time.
func overlapping(emus []*tcloud.Server) bool {
	type span struct{ from, to time.Time }
	spans := make([]span, len(emus))
	for i, emu := range emus {
		for _, c := range emu.Calls() {
			if spans[i].from.IsZero() || c.Time.Before(spans[i].from) {
				spans[i].from = c.Time
			}
			if c.Time.After(spans[i].to) {
				spans[i].to = c.Time
			}
		}
	}
	for i := range spans {
		for j := range spans {
			if i != j && !spans[i].from.IsZero() && !spans[j].from.IsZero() && spans[i].from.Before(spans[j].to) && spans[j].from.Before(spans[i].to) {
				return true
			}
		}
	}
	return false
}

// On a terminal, sync --all shows a line per account; Enter shows an account's kinds; the revoked
// account's line says it was not synced, with its error masked.
func TestSyncAllLiveViewInTmux(t *testing.T) {
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("no tmux")
	}
	bin := buildOnboard(t)
	ta, vars, secret := onboardFiveAccounts(t)
	ta.latency.Store(int64(700 * time.Millisecond)) // slow enough to press keys while it runs
	name := fmt.Sprintf("onboard-sync-%d-%s", os.Getpid(), filepath.Base(t.TempDir()))
	script := fmt.Sprintf("env NO_COLOR=1 ONBOARD_HOME=%s ONBOARD_TENCENT_ENDPOINT=%s ONBOARD_SECRET_STORE=file %s sync --all; echo EXIT=$?; sleep 600",
		vars["ONBOARD_HOME"], ta.url, bin)
	if out, err := exec.Command("tmux", "new-session", "-d", "-x", "100", "-y", "40", "-s", name, "sh", "-c", script).CombinedOutput(); err != nil {
		t.Fatalf("tmux new-session: %v %s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("tmux", "kill-session", "-t", name).Run() })
	screen := func() string {
		out, _ := exec.Command("tmux", "capture-pane", "-p", "-S", "-100", "-t", name).Output()
		return string(out)
	}
	waitFor := func(text string) string {
		t.Helper()
		for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
			if sc := screen(); strings.Contains(sc, text) {
				return sc
			}
		}
		t.Fatalf("the terminal never showed %q:\n%s", text, screen())
		return ""
	}
	sc := waitFor("Syncing 5 accounts")
	if !strings.Contains(sc, "› ▸   acct-0") || !strings.Contains(sc, "▸   acct-4") || strings.Contains(sc, "cvm.instance") {
		t.Errorf("want one collapsed line per account, the cursor on the first:\n%s", sc)
	}
	for _, k := range []string{"Down", "Enter"} {
		if out, err := exec.Command("tmux", "send-keys", "-t", name, k).CombinedOutput(); err != nil {
			t.Fatalf("send-keys: %v %s", err, out)
		}
		time.Sleep(100 * time.Millisecond)
	}
	sc = waitFor("▾")
	if !strings.Contains(sc, "› ▾   acct-1") && !strings.Contains(sc, "› ▾ ✓ acct-1") {
		t.Errorf("Enter on the second line did not expand acct-1:\n%s", sc)
	}
	sc = waitFor("not synced")
	if !strings.Contains(sc, "✗ acct-3") || !strings.Contains(sc, "****") || strings.Contains(sc, secret) {
		t.Errorf("acct-3's line, with its error masked:\n%s", sc)
	}
	sc = waitFor("EXIT=")

	if !strings.Contains(sc, "EXIT=3") || !strings.Contains(sc, "4 of 5 synced, 1 failed") || strings.Contains(sc, secret) {
		t.Errorf("the end of sync --all:\n%s", sc)
	}
	if !strings.Contains(sc, "cvm.instance") {
		t.Errorf("acct-1's kinds are not shown under it:\n%s", sc)
	}
}

// sync --all takes each account's own lock: an onboarding holding one account's makes that account
// refused (or waited for, with --wait) while the others are synced at once.
func TestSyncAllTakesEachAccountsLockOnItsOwn(t *testing.T) {
	ta, vars := onboardAccounts(t, 3)
	_, release := startLockHolder(t, vars["ONBOARD_HOME"], "acct-1", readAccount(t, vars, "acct-1").OwnerUIN)
	f, out, errOut := tencentTestFactory(vars)
	if code := run(context.Background(), f, []string{"sync", "--all"}); code != ExitPartial ||
		!strings.Contains(out.String(), `Synced "acct-0"`) || !strings.Contains(out.String(), `Synced "acct-2"`) ||
		!strings.Contains(out.String(), "NOT SYNCED acct-1: ") || !strings.Contains(out.String(), "in use by onboard") {
		t.Fatalf("sync --all during acct-1's onboarding: exit %d\n%s\n%s", code, out.String(), errOut.String())
	}
	for _, emu := range ta.emus {
		emu.ResetCalls()
	}
	releasedAt := make(chan time.Time, 1)
	go func() {
		time.Sleep(1500 * time.Millisecond)
		releasedAt <- time.Now()
		release()
	}()
	f, out, errOut = tencentTestFactory(vars)
	if code := run(context.Background(), f, []string{"sync", "--all", "--wait", "60s"}); code != ExitOK || strings.Count(out.String(), "Synced ") != 3 {
		t.Fatalf("sync --all --wait: exit %d\n%s\n%s", code, out.String(), errOut.String())
	}
	released := <-releasedAt
	for i, emu := range ta.emus {
		calls := emu.Calls()
		if len(calls) == 0 {
			t.Fatalf("acct-%d: no call", i)
		}
		if waited := !calls[0].Time.Before(released); waited != (i == 1) {
			t.Errorf("acct-%d's first call at %s, the lock released at %s", i, calls[0].Time.Format(time.StampMilli), released.Format(time.StampMilli))
		}
	}
}
