package cmd

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"onboard/store"
	"onboard/tencent"
)

// A key Tencent Cloud rejects for every kind (AuthFailure: deleted here) is a rejected key: exit 4 with
// what to do, not "partly done".
func TestSyncWithARejectedKeyExitsFour(t *testing.T) {
	env, vars := onboardForSync(t)
	a := readAccount(t, vars, "prod")
	admin, err := tencent.New(tencent.Options{Credential: tencent.Credential{SecretID: env.TencentSecretID, SecretKey: tencent.SecretKey(env.TencentSecretKey)},
		Endpoint: env.TencentEndpoint})
	if err != nil {
		t.Fatal(err)
	}
	uin, _ := strconv.ParseUint(a.SubUserUIN, 10, 64)
	if err := admin.DeleteAccessKey(context.Background(), uin, a.AccessKeyID); err != nil {
		t.Fatal(err)
	}
	f, _, errOut := tencentTestFactory(vars)
	if code := run(context.Background(), f, []string{"sync", "--account", "prod", "--kinds", "cvm.instance,vpc.vpc"}); code != ExitCredentials ||
		!strings.Contains(errOut.String(), "rejected the stored key") || !strings.Contains(errOut.String(), "Tencent Cloud rejected the key") {
		t.Fatalf("sync with a deleted key: exit %d %s", code, errOut.String())
	}
}

// sync --all goes on past an account whose key cannot be read, reports it beside the others, and exits
// 3; the error names the next step.
func TestSyncAllContinuesPastAnUnreadableKey(t *testing.T) {
	_, vars := onboardForSync(t)
	f, _, errOut := tencentTestFactory(vars)
	if code := run(context.Background(), f, []string{"tencent", "--no-input", "--mode", "manual", "--features", "host", "--sub-user", "sas-auditor",
		"--account", "audit", "--security-center", "skip", "--skip-sync"}); code != ExitOK {
		t.Fatalf("onboard: exit %d %s", code, errOut.String())
	}
	// The first account's key leaves the file store.
	path := filepath.Join(vars["ONBOARD_HOME"], "secrets.json")
	var items map[string]string
	if err := json.Unmarshal([]byte(readFileT(t, path)), &items); err != nil {
		t.Fatal(err)
	}
	delete(items, readAccount(t, vars, "audit").SecretItem)
	data, _ := json.Marshal(items)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	f, out, errOut := tencentTestFactory(vars)
	code := run(context.Background(), f, []string{"sync", "--all", "--kinds", "cvm.instance"})
	if code != ExitPartial {
		t.Fatalf("sync --all: exit %d\n%s\n%s", code, out.String(), errOut.String())
	}
	if !strings.Contains(out.String(), `Synced "prod"`) || !strings.Contains(out.String(), "NOT SYNCED audit") {
		t.Errorf("report does not name both accounts:\n%s", out.String())
	}
	if !strings.Contains(errOut.String(), "secret not found") || !strings.Contains(errOut.String(), "run onboard tencent again") {
		t.Errorf("error without its next step:\n%s", errOut.String())
	}
	f, out, _ = tencentTestFactory(vars)
	run(context.Background(), f, []string{"sync", "--all", "--kinds", "cvm.instance", "--output", "json"})
	var reports []syncReport
	if err := json.Unmarshal([]byte(out.String()), &reports); err != nil || len(reports) != 2 {
		t.Fatalf("json: %v %s", err, out.String())
	}
	for _, r := range reports {
		if (r.Account == "audit") != (r.Error != "") {
			t.Errorf("report %+v", r)
		}
	}
}

// A damaged database is named as such, with the way to recover it.
func TestDamagedDatabaseNamesTheNextStep(t *testing.T) {
	home := t.TempDir()
	path := filepath.Join(home, store.DBFile)
	db, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 200 {
		db.SaveAccount(context.Background(), store.Account{Name: "acct-" + strconv.Itoa(i), DisplayName: strings.Repeat("x", 200)})
	}
	db.Close()
	data, err := os.ReadFile(path)
	if err != nil || len(data) < 8192 {
		t.Fatalf("database of %d bytes: %v", len(data), err)
	}
	// Garble every page after the first (the header and schema stay readable).
	for i := 4096; i < len(data); i++ {
		data[i] ^= 0x5a
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	f, _, errOut := tencentTestFactory(map[string]string{"ONBOARD_HOME": home})
	if code := run(context.Background(), f, []string{"accounts", "list"}); code != ExitFailed ||
		!strings.Contains(errOut.String(), "the state database is damaged") || !strings.Contains(errOut.String(), ".recover") {
		t.Fatalf("damaged database: exit %d %s", code, errOut.String())
	}
}

// An existing ONBOARD_HOME is never chmod'ed, even a shared sticky one; one that others may write to
// is refused with the command that fixes it; read-only commands work on a read-only home.
func TestHomeIsNeverChangedAndALooseOneIsRefused(t *testing.T) {
	shared := filepath.Join(t.TempDir(), "shared")
	os.Mkdir(shared, 0o700)
	os.Chmod(shared, 0o777|os.ModeSticky)
	f, _, errOut := tencentTestFactory(map[string]string{"ONBOARD_HOME": shared})
	if code := run(context.Background(), f, []string{"accounts", "list"}); code != ExitOK {
		t.Fatalf("accounts list in a sticky shared folder: exit %d %s", code, errOut.String())
	}
	if info, _ := os.Stat(shared); info.Mode()&os.ModeSticky == 0 || info.Mode().Perm() != 0o777 {
		t.Fatalf("the shared folder's mode changed to %v", info.Mode())
	}

	loose := filepath.Join(t.TempDir(), "loose")
	os.Mkdir(loose, 0o700)
	os.Chmod(loose, 0o777)
	for _, args := range [][]string{{"accounts", "list"}, {"sync"}} {
		f, _, errOut := tencentTestFactory(map[string]string{"ONBOARD_HOME": loose})
		if code := run(context.Background(), f, args); code != ExitFailed || !strings.Contains(errOut.String(), "chmod go-w "+loose) {
			t.Errorf("%v in a world-writable folder: exit %d %s", args, code, errOut.String())
		}
	}
	if info, _ := os.Stat(loose); info.Mode().Perm() != 0o777 {
		t.Fatalf("the loose folder's mode changed to %v", info.Mode())
	}

	_, vars := onboardForSync(t)
	f, _, _ = tencentTestFactory(vars)
	if code := run(context.Background(), f, []string{"sync", "--account", "prod", "--kinds", "vpc.vpc"}); code != ExitOK {
		t.Fatalf("sync: exit %d", code)
	}
	readOnlyDir(t, vars["ONBOARD_HOME"])
	for _, args := range [][]string{{"accounts", "list"}, {"accounts", "show", "prod"}, {"assets", "list", "--kind", "vpc.vpc"}} {
		f, out, errOut := tencentTestFactory(vars)
		if code := run(context.Background(), f, args); code != ExitOK || !strings.Contains(out.String(), "prod") {
			t.Errorf("%v on a read-only home: exit %d %s %s", args, code, out.String(), errOut.String())
		}
	}
}

// readOnlyDir makes dir a folder this process cannot write to: by its mode, or for root (whom modes do
// not stop) with the immutable attribute.
func readOnlyDir(t *testing.T, dir string) {
	t.Helper()
	if os.Getuid() != 0 {
		os.Chmod(dir, 0o500)
		t.Cleanup(func() { os.Chmod(dir, 0o700) })
		return
	}
	if out, err := exec.Command("chattr", "+i", dir).CombinedOutput(); err != nil {
		t.Skipf("running as root, and chattr +i cannot make %s read-only: %v %s", dir, err, out)
	}
	t.Cleanup(func() { exec.Command("chattr", "-i", dir).Run() })
}

// A FIFO (or any path that is not a regular file) given as an input file is refused at once: it would
// block the open past Ctrl+C.
func TestInputFilesMustBeRegularFiles(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "doc.json")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"tencent", "--no-input", "--mode", "manual", "--features", "host,cspm", "--cspm-policy", "custom", "--sub-user", "x", "--policy-file", "cspmPolicy=" + fifo},
		{"policy", "diff", "cspmPolicy", "--file", fifo},
		{"policy", "render", "cspmPolicy", "--file", fifo},
		{"emulator", "--seed", fifo},
	} {
		done := make(chan string, 1)
		go func() {
			f, _, errOut := tencentTestFactory(map[string]string{"ONBOARD_HOME": t.TempDir(), "ONBOARD_TENCENT_ENDPOINT": "http://127.0.0.1:1",
				"TENCENTCLOUD_SECRET_ID": "AKIDx", "TENCENTCLOUD_SECRET_KEY": "y"})
			code := run(context.Background(), f, args)
			done <- strconv.Itoa(code) + " " + errOut.String()
		}()
		select {
		case got := <-done:
			if !strings.HasPrefix(got, "2 ") || !strings.Contains(got, "not a regular file") {
				t.Errorf("%v: %s", args[:2], got)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%v blocks on a FIFO", args[:2])
		}
	}
}

// --debug-log never follows a symbolic link, and the log is private whatever the file was.
func TestDebugLogRefusesSymlinksAndIsPrivate(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "elsewhere")
	link := filepath.Join(dir, "debug.log")
	os.Symlink(target, link)
	f, _, errOut := tencentTestFactory(map[string]string{})
	if code := run(context.Background(), f, []string{"version", "--debug-log", link}); code != ExitUsage || !strings.Contains(errOut.String(), "symbolic link") {
		t.Fatalf("symlink: exit %d %s", code, errOut.String())
	}
	if _, err := os.Lstat(target); err == nil {
		t.Fatal("the link's target was created")
	}
	open := filepath.Join(dir, "open.log")
	os.WriteFile(open, nil, 0o644)
	os.Chmod(open, 0o644)
	f, _, errOut = tencentTestFactory(map[string]string{})
	if code := run(context.Background(), f, []string{"version", "--debug-log", open}); code != ExitOK {
		t.Fatalf("exit %d %s", code, errOut.String())
	}
	if info, _ := os.Stat(open); info.Mode().Perm() != 0o600 {
		t.Fatalf("debug log mode %v, want 0600", info.Mode().Perm())
	}
}

// What the cloud or the user named is escaped in tables: an escape sequence in an asset name or a
// sub-user's name reaches the terminal as text, never as a command to it.
func TestNamesAreEscapedForTheTerminal(t *testing.T) {
	home := t.TempDir()
	db, err := store.Open(context.Background(), filepath.Join(home, store.DBFile))
	if err != nil {
		t.Fatal(err)
	}
	evil := "web\x1b]0;owned\x07\x1b[2J\u202e"
	db.SaveAccount(context.Background(), store.Account{Name: "prod", OwnerUIN: "100", SubUserName: evil, Features: []string{"host"}})
	if _, err := db.UpsertAssets(context.Background(), "prod", []store.Asset{{Kind: "cvm.instance", Region: "ap-guangzhou", ID: "ins-1", Name: evil,
		Attributes: `{}`}}, time.Now()); err != nil {
		t.Fatal(err)
	}
	db.Close()
	for _, args := range [][]string{{"assets", "list"}, {"accounts", "list"}, {"accounts", "show", "prod"}} {
		f, out, _ := tencentTestFactory(map[string]string{"ONBOARD_HOME": home})
		if code := run(context.Background(), f, args); code != ExitOK {
			t.Fatalf("%v: exit %d", args, code)
		}
		if strings.ContainsAny(out.String(), "\x1b\x07\u202e") || !strings.Contains(out.String(), `web\x1b]0;owned\a\x1b[2J\u202e`) {
			t.Errorf("%v: %q", args, out.String())
		}
	}
}

func TestRatesAndAccountNamesAreChecked(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"sync", "--rates", "cvm:DescribeInstances=NaN"}, "invalid --rates"},
		{[]string{"sync", "--rates", "cvm:DescribeInstances=+Inf"}, "invalid --rates"},
		{[]string{"sync", "--rates", "cvm:DescribeInstances=-3"}, "invalid --rates"},
		{[]string{"sync", "--rates", "cvm:DescribeInstances=0"}, "invalid --rates"},
		{[]string{"sync", "--rates", "cvm:DescribeInstances=1e9"}, "at most 1000"},
		{[]string{"tencent", "--no-input", "--mode", "quick", "--account", "prod\x1b[2J"}, "invalid --account"},
		{[]string{"tencent", "--no-input", "--mode", "quick", "--account-name", strings.Repeat("云", 65)}, "invalid --account-name"},
	} {
		f, _, errOut := tencentTestFactory(map[string]string{"ONBOARD_HOME": t.TempDir(), "ONBOARD_TENCENT_ENDPOINT": "http://127.0.0.1:1",
			"TENCENTCLOUD_SECRET_ID": "AKIDx", "TENCENTCLOUD_SECRET_KEY": "y"})
		if code := run(context.Background(), f, tt.args); code != ExitUsage || !strings.Contains(errOut.String(), tt.want) {
			t.Errorf("%q: exit %d %q, want 2 with %q", tt.args, code, errOut.String(), tt.want)
		}
	}
	// 64 characters are accepted, though they are 192 bytes.
	f, _, errOut := tencentTestFactory(map[string]string{"ONBOARD_HOME": t.TempDir(), "ONBOARD_TENCENT_ENDPOINT": "http://127.0.0.1:1",
		"TENCENTCLOUD_SECRET_ID": "AKIDx", "TENCENTCLOUD_SECRET_KEY": "y"})
	if code := run(context.Background(), f, []string{"tencent", "--no-input", "--mode", "quick", "--account-name", strings.Repeat("云", 64)}); code == ExitUsage {
		t.Errorf("64 characters refused: %s", errOut.String())
	}
}

func readAccount(t *testing.T, vars map[string]string, name string) store.Account {
	t.Helper()
	db, err := store.OpenReadOnly(context.Background(), filepath.Join(vars["ONBOARD_HOME"], store.DBFile))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	a, err := db.Account(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	return a
}
