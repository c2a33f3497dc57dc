package store

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
)

// InstallationFile holds the installation ID inside the home folder.
const InstallationFile = "installation-id"

// installationID is the shape of an installation ID: 16 lowercase hex characters.
var installationID = regexp.MustCompile(`^[0-9a-f]{16}$`)

// InstallationID returns the ID of the installation whose state lives in home, creating it (mode 0600)
// the first time. Keys this tool creates carry it in their marker, so one installation never deletes a
// key whose secret another installation holds.
func InstallationID(home string) (string, error) {
	path := filepath.Join(home, InstallationFile)
	id, err := readInstallationID(path)
	if err == nil || !errors.Is(err, os.ErrNotExist) {
		return id, err
	}
	if err := ensureHome(home); err != nil {
		return "", err
	}
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("create the installation ID: %w", err)
	}
	id = hex.EncodeToString(b[:])
	// Written whole to a temporary file, then linked into place: a reader never sees half an ID, and of
	// two processes creating it at once the first link wins.
	tmp, err := os.CreateTemp(home, ".installation-id-*")
	if err != nil {
		return "", fmt.Errorf("create the installation ID in %s: %w", home, err)
	}
	defer os.Remove(tmp.Name())
	_, werr := tmp.WriteString(id + "\n")
	if werr == nil {
		werr = tmp.Chmod(0o600)
	}
	if werr == nil {
		werr = tmp.Sync()
	}
	if cerr := tmp.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		return "", fmt.Errorf("write the installation ID %s: %w", path, werr)
	}
	if err := os.Link(tmp.Name(), path); errors.Is(err, os.ErrExist) {
		return readInstallationID(path)
	} else if err != nil {
		return "", fmt.Errorf("create the installation ID %s: %w", path, err)
	}
	return id, nil
}

// readInstallationID reads the ID from a regular file of this user, never through a symbolic link: in
// a shared home, an ID planted by someone else would make their keys look like this installation's.
func readInstallationID(path string) (string, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	if errors.Is(err, syscall.ELOOP) {
		return "", fmt.Errorf("read the installation ID: %s is a symbolic link; onboard reads only a regular file there", path)
	}
	if err != nil {
		return "", fmt.Errorf("read the installation ID: %w", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return "", fmt.Errorf("read the installation ID: %w", err)
	}
	if !info.Mode().IsRegular() {
		return "", fmt.Errorf("read the installation ID: %s is not a regular file", path)
	}
	if st, ok := info.Sys().(*syscall.Stat_t); ok && int(st.Uid) != os.Getuid() {
		return "", fmt.Errorf("read the installation ID: %s belongs to user %d, not to you; remove it, or choose another folder with %s", path, st.Uid, HomeEnv)
	}
	data, err := io.ReadAll(io.LimitReader(f, 64))
	if err != nil {
		return "", fmt.Errorf("read the installation ID: %w", err)
	}
	id := strings.TrimSpace(string(data))
	if !installationID.MatchString(id) {
		return "", fmt.Errorf("the installation ID in %s is not 16 lowercase hex characters; restore it from a backup (keys onboard created name it)", path)
	}
	return id, nil
}
