package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// HomeEnv moves all local state (database, config, file secret store) to one folder.
const HomeEnv = "ONBOARD_HOME"

// Home returns the folder for local state: $ONBOARD_HOME, else $XDG_DATA_HOME/onboard, else
// ~/.local/share/onboard. A missing folder is created with mode 0700; an existing one is checked, never
// changed (see checkHome).
func Home(getenv func(string) string) (string, error) {
	dir, err := HomePath(getenv)
	if err != nil {
		return "", err
	}
	if err := ensureHome(dir); err != nil {
		return "", err
	}
	return dir, nil
}

// HomePath returns the folder Home names without creating it, for commands that only read.
func HomePath(getenv func(string) string) (string, error) {
	if dir := getenv(HomeEnv); dir != "" {
		return dir, nil
	}
	base := getenv("XDG_DATA_HOME")
	if base == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("find the home folder: %w (set %s)", err, HomeEnv)
		}
		base = filepath.Join(home, ".local", "share")
	}
	return filepath.Join(base, "onboard"), nil
}

// ensureHome creates dir with mode 0700 when it is missing, and otherwise checks it.
func ensureHome(dir string) error {
	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return fmt.Errorf("create %s: %w", dir, err)
		}
		return nil
	}
	return checkHome(dir)
}

// checkHome refuses a home folder in which someone else could replace onboard's database or secrets,
// as ssh refuses a loose ~/.ssh: one owned by another user (root aside), or one that group or others
// may write to without the sticky bit. With the sticky bit (a shared 1777 folder, like /tmp), others
// may add files but not rename or delete ours, and the files themselves are checked when opened.
// A folder readable by others is accepted: every file onboard writes there is 0600. The folder is
// never changed: it may be shared, and its mode is its owner's choice. A missing folder passes.
func checkHome(dir string) error {
	info, err := os.Stat(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("check %s: %w", dir, err)
	}
	if !info.IsDir() {
		return fmt.Errorf("%s is not a folder: set %s to a folder", dir, HomeEnv)
	}
	if st, ok := info.Sys().(*syscall.Stat_t); ok && int(st.Uid) != os.Getuid() && st.Uid != 0 {
		return fmt.Errorf("%s belongs to user %d, not to you: onboard keeps its state there, so choose a folder of your own with %s", dir, st.Uid, HomeEnv)
	}
	if info.Mode().Perm()&0o022 != 0 && info.Mode()&os.ModeSticky == 0 {
		return &LooseHomeError{Dir: dir, Mode: info.Mode()}
	}
	return nil
}

// LooseHomeError says the home folder is writable by others; Fix is the command that closes it.
type LooseHomeError struct {
	Dir  string
	Mode os.FileMode
}

func (e *LooseHomeError) Error() string {
	return fmt.Sprintf("%s is writable by group or others (mode %04o), who could replace onboard's database or secrets there; fix it with: %s",
		e.Dir, e.Mode.Perm(), e.Fix())
}

// Fix is the command that makes the folder safe.
func (e *LooseHomeError) Fix() string { return "chmod go-w " + shellQuote(e.Dir) }

func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r == '/' || r == '.' || r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// createPrivateFile creates path with mode 0600 if it is missing, and checks an existing one: a
// regular file, not a symbolic link, of this user. An existing file of ours that others may read is
// restricted to us (the file is onboard's; the folder is left alone).
func createPrivateFile(path string) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0o600)
	if err != nil {
		if errors.Is(err, syscall.ELOOP) {
			return fmt.Errorf("open %s: it is a symbolic link; onboard opens only a regular file there", path)
		}
		return fmt.Errorf("open %s: %w", path, err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return fmt.Errorf("check %s: %w", path, err)
	}
	if !info.Mode().IsRegular() {
		return fmt.Errorf("%s is not a regular file", path)
	}
	if st, ok := info.Sys().(*syscall.Stat_t); ok && int(st.Uid) != os.Getuid() {
		return fmt.Errorf("%s belongs to user %d, not to you: remove it, or choose another folder with %s", path, st.Uid, HomeEnv)
	}
	if info.Mode().Perm()&0o077 != 0 {
		if err := f.Chmod(0o600); err != nil {
			return fmt.Errorf("restrict %s to its owner: %w", path, err)
		}
	}
	return nil
}

// checkPrivateFile refuses a path that is a symbolic link or not a regular file.
func checkPrivateFile(path string) error {
	info, err := os.Lstat(path)
	if err != nil {
		return fmt.Errorf("check %s: %w", path, err)
	}
	if !info.Mode().IsRegular() {
		return fmt.Errorf("%s is not a regular file (mode %s); onboard opens only a regular file there", path, info.Mode())
	}
	return nil
}

// writable reports whether this process may create files in dir.
func writable(dir string) bool { return syscall.Access(dir, 0o2) == nil }

func jsonUnmarshal(data []byte, v any) error { return json.Unmarshal(data, v) }

func jsonMarshalIndent(v any) ([]byte, error) { return json.MarshalIndent(v, "", "  ") }
