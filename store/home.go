package store

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// HomeEnv moves all local state (database, config, file secret store) to one folder.
const HomeEnv = "ONBOARD_HOME"

// Home returns the folder for local state: $ONBOARD_HOME, else $XDG_DATA_HOME/onboard, else
// ~/.local/share/onboard. It is created with mode 0700.
func Home(getenv func(string) string) (string, error) {
	dir := getenv(HomeEnv)
	if dir == "" {
		base := getenv("XDG_DATA_HOME")
		if base == "" {
			home, err := os.UserHomeDir()
			if err != nil {
				return "", fmt.Errorf("find the home folder: %w (set %s)", err, HomeEnv)
			}
			base = filepath.Join(home, ".local", "share")
		}
		dir = filepath.Join(base, "onboard")
	}
	if err := ensurePrivateDir(dir); err != nil {
		if getenv(HomeEnv) != "" {
			return "", fmt.Errorf("%s: %w; it must name a folder this user can create or write (or be unset, for %s)", HomeEnv, err, "$XDG_DATA_HOME/onboard")
		}
		return "", err
	}
	return dir, nil
}

// ensurePrivateDir creates dir with mode 0700, and tightens an existing one that others can read.
func ensurePrivateDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create %s: %w", dir, withoutPath(err))
	}
	info, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("check %s: %w", dir, withoutPath(err))
	}
	if info.Mode().Perm()&0o077 != 0 {
		if err := os.Chmod(dir, 0o700); err != nil {
			return fmt.Errorf("restrict %s to its owner: %w", dir, withoutPath(err))
		}
	}
	return nil
}

func jsonUnmarshal(data []byte, v any) error { return json.Unmarshal(data, v) }

func jsonMarshalIndent(v any) ([]byte, error) { return json.MarshalIndent(v, "", "  ") }
