package emulator

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A state file is written at Close with the permissions of a secret file, read at the next Start, and a
// damaged one is refused naming the file and how to start afresh.
func TestStateFileIsSavedAtCloseAndLoadedAtStart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	env, err := Start(context.Background(), Options{Seed: "demo", StateFile: path})
	if err != nil {
		t.Fatal(err)
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
	again, err := Start(context.Background(), Options{Seed: "demo", StateFile: path})
	if err != nil {
		t.Fatalf("start from the saved state: %v", err)
	}
	again.Close()

	if err := os.WriteFile(path, []byte(`{"tencent": {"users": [`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Start(context.Background(), Options{Seed: "demo", StateFile: path}); err == nil ||
		!strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "remove the file") {
		t.Errorf("a damaged state file: %v", err)
	}
}
