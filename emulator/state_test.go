package emulator

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"onboard/emulator/tcloud"
)

// camCall sends one CAM call signed with the root key and returns its Response.
func camCall(t *testing.T, env *Env, action string, params any) map[string]any {
	t.Helper()
	body, _ := json.Marshal(params)
	r, _ := http.NewRequest(http.MethodPost, env.TencentEndpoint, bytes.NewReader(body))
	r.Header.Set("X-TC-Action", action)
	r.Header.Set("X-TC-Version", "2019-01-16")
	tcloud.Sign(r, body, env.TencentSecretID, env.TencentSecretKey, "cam", time.Now())
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct{ Response map[string]any }
	json.NewDecoder(resp.Body).Decode(&out)
	return out.Response
}

// A state file is written at Close by a process that changed something, with the permissions of a
// secret file, and read at the next Start. A process that only read writes nothing, so it cannot
// overwrite what another saved meanwhile. A damaged file is refused, naming it and how to start afresh.
func TestStateFileIsSavedAtCloseAndLoadedAtStart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	env, err := Start(context.Background(), Options{Seed: "demo", StateFile: path})
	if err != nil {
		t.Fatal(err)
	}
	if r := camCall(t, env, "AddUser", map[string]any{"Name": "kept", "UseApi": 0}); r["Error"] != nil {
		t.Fatal(r)
	}
	if err := env.Close(); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("state file mode %v, want 0600", info.Mode().Perm())
	}

	reader, err := Start(context.Background(), Options{Seed: "demo", StateFile: path})
	if err != nil {
		t.Fatalf("start from the saved state: %v", err)
	}
	if r := camCall(t, reader, "GetUser", map[string]any{"Name": "kept"}); r["Error"] != nil {
		t.Errorf("the saved user is not there: %v", r)
	}
	// Meanwhile another process saves its own change; the reader's Close must not undo it.
	other, err := Start(context.Background(), Options{Seed: "demo", StateFile: path})
	if err != nil {
		t.Fatal(err)
	}
	camCall(t, other, "AddUser", map[string]any{"Name": "other", "UseApi": 0})
	other.Close()
	reader.Close()
	last, err := Start(context.Background(), Options{Seed: "demo", StateFile: path})
	if err != nil {
		t.Fatal(err)
	}
	if r := camCall(t, last, "GetUser", map[string]any{"Name": "other"}); r["Error"] != nil {
		t.Errorf("a process that only read overwrote another's change: %v", r)
	}
	last.Close()

	if err := os.WriteFile(path, []byte(`{"tencent": {"users": [`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Start(context.Background(), Options{Seed: "demo", StateFile: path}); err == nil ||
		!strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "remove the file") {
		t.Errorf("a damaged state file: %v", err)
	}
}

// A change is in the state file before its answer leaves: a process killed before it could close the
// emulators (a pipe closed under it, kill -9) leaves the emulated clouds as the answers it received said.
func TestAChangeIsSavedBeforeItsAnswerLeaves(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	env, err := Start(context.Background(), Options{Seed: "demo", StateFile: path})
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	if r := camCall(t, env, "AddUser", map[string]any{"Name": "answered", "UseApi": 0}); r["Error"] != nil {
		t.Fatal(r)
	}
	// env is not closed: the next process reads what the first one's answers said.
	next, err := Start(context.Background(), Options{Seed: "demo", StateFile: path})
	if err != nil {
		t.Fatal(err)
	}
	defer next.Close()
	if r := camCall(t, next, "GetUser", map[string]any{"Name": "answered"}); r["Error"] != nil {
		t.Errorf("the user whose creation was answered is not in the state file: %v", r)
	}
	if r := camCall(t, env, "GetUser", map[string]any{"Name": "nobody"}); r["Error"] == nil {
		t.Errorf("an unknown user was found: %v", r)
	}
}
