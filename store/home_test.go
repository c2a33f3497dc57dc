package store

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// An existing home folder is the user's: its mode is checked, never changed. A shared sticky folder
// (1777) keeps its sticky bit; one that others may write to without it is refused with the command
// that fixes it; a folder readable by others is accepted as it is.
func TestHomeIsCheckedNeverChanged(t *testing.T) {
	for _, tt := range []struct {
		name    string
		mode    os.FileMode
		refused bool
	}{
		{"private", 0o700, false},
		{"readable by others", 0o755, false},
		{"shared sticky", 0o777 | os.ModeSticky, false},
		{"group-writable", 0o775, true},
		{"world-writable", 0o777, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			home := filepath.Join(t.TempDir(), "home dir")
			if err := os.Mkdir(home, 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(home, tt.mode); err != nil {
				t.Fatal(err)
			}
			getenv := func(k string) string {
				if k == HomeEnv {
					return home
				}
				return ""
			}
			var errs []error
			if _, err := Home(getenv); err != nil {
				errs = append(errs, err)
			}
			if _, err := NewFileStore(home, nil); err != nil {
				errs = append(errs, err)
			}
			if db, err := Open(context.Background(), filepath.Join(home, DBFile)); err != nil {
				errs = append(errs, err)
			} else {
				db.Close()
			}
			if db, err := OpenReadOnly(context.Background(), filepath.Join(home, DBFile)); err != nil {
				errs = append(errs, err)
			} else {
				db.Close()
			}
			info, err := os.Stat(home)
			if err != nil {
				t.Fatal(err)
			}
			if got := info.Mode() & (os.ModePerm | os.ModeSticky); got != tt.mode {
				t.Errorf("home mode changed from %v to %v", tt.mode, got)
			}
			if !tt.refused {
				if len(errs) > 0 {
					t.Fatalf("refused: %v", errs)
				}
				assertMode(t, filepath.Join(home, DBFile), 0o600)
				return
			}
			if len(errs) != 4 {
				t.Fatalf("%d of 4 openings refused a home of mode %v: %v", len(errs), tt.mode, errs)
			}
			for _, err := range errs {
				var loose *LooseHomeError
				if !errors.As(err, &loose) || !strings.Contains(err.Error(), "chmod go-w '"+home+"'") {
					t.Errorf("error %q does not give the fix", err)
				}
			}
			if _, err := os.Stat(filepath.Join(home, DBFile)); err == nil {
				t.Error("a database was created in a refused home")
			}
		})
	}
}

// A missing home folder is created private.
func TestHomeCreatedPrivate(t *testing.T) {
	home := filepath.Join(t.TempDir(), "a", "home")
	if _, err := Home(func(k string) string { return map[string]string{HomeEnv: home}[k] }); err != nil {
		t.Fatal(err)
	}
	assertMode(t, home, 0o700)
}

// The commands that only read work on a home nobody may write to, and change nothing there.
func TestOpenReadOnlyOnAReadOnlyHome(t *testing.T) {
	ctx := context.Background()
	home := filepath.Join(t.TempDir(), "home")
	path := filepath.Join(home, DBFile)
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SaveAccount(ctx, Account{Name: "prod", OwnerUIN: "100"}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if err := os.Chmod(path, 0o400); err != nil {
		t.Fatal(err)
	}
	before := listDir(t, home)
	makeReadOnly(t, home)

	ro, err := OpenReadOnly(ctx, path)
	if err != nil {
		t.Fatalf("read-only open of a read-only home: %v", err)
	}
	defer ro.Close()
	if a, err := ro.Account(ctx, "prod"); err != nil || a.OwnerUIN != "100" {
		t.Fatalf("read: %+v %v", a, err)
	}
	if err := ro.SaveAccount(ctx, Account{Name: "x"}); err == nil {
		t.Error("a read-only database accepted a write")
	}
	if after := listDir(t, home); after != before {
		t.Errorf("home changed: %s -> %s", before, after)
	}

	// Without a database there is nothing to read, and nothing is created.
	empty := filepath.Join(t.TempDir(), "never")
	db, err = OpenReadOnly(ctx, filepath.Join(empty, DBFile))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if all, err := db.Accounts(ctx); err != nil || len(all) != 0 {
		t.Fatalf("accounts of no database: %v %v", all, err)
	}
	if _, err := os.Stat(empty); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a read-only open created %s", empty)
	}
}

// The database file is opened only as a regular file of this user: a symbolic link planted in a
// shared folder is refused, and so is a FIFO, without blocking.
func TestOpenRefusesASymlinkOrFIFO(t *testing.T) {
	ctx := context.Background()
	home := t.TempDir()
	path := filepath.Join(home, DBFile)
	target := filepath.Join(t.TempDir(), "elsewhere.db")
	if err := os.Symlink(target, path); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(ctx, path); err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Errorf("a symlinked database was opened: %v", err)
	}
	if _, err := os.Stat(target); err == nil {
		t.Error("the symlink's target was created")
	}
	if _, err := OpenReadOnly(ctx, path); err == nil {
		t.Error("a symlinked database was opened read-only")
	}
	fifo := filepath.Join(t.TempDir(), DBFile)
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(ctx, fifo); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("a FIFO database: %v", err)
	}
}

func listDir(t *testing.T, dir string) string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		info, _ := e.Info()
		names = append(names, e.Name()+":"+info.Mode().String())
	}
	return strings.Join(names, ",")
}

// makeReadOnly makes dir a folder this process cannot write to: by its mode, or for root (whom modes do
// not stop) with the immutable attribute.
func makeReadOnly(t *testing.T, dir string) {
	t.Helper()
	if os.Getuid() != 0 {
		if err := os.Chmod(dir, 0o500); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Chmod(dir, 0o700) })
		return
	}
	if out, err := exec.Command("chattr", "+i", dir).CombinedOutput(); err != nil {
		t.Skipf("running as root, and chattr +i cannot make %s read-only: %v %s", dir, err, out)
	}
	t.Cleanup(func() { exec.Command("chattr", "-i", dir).Run() })
	if err := os.WriteFile(filepath.Join(dir, "probe"), nil, 0o600); err == nil {
		t.Fatal("the folder is still writable")
	}
}
