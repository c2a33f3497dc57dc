package store

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
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
	if err := ensurePrivateDir(home); err != nil {
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

func readInstallationID(path string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("read the installation ID: %w", err)
	}
	id := strings.TrimSpace(string(data))
	if !installationID.MatchString(id) {
		return "", fmt.Errorf("the installation ID in %s is not 16 lowercase hex characters; restore it from a backup (keys onboard created name it)", path)
	}
	return id, nil
}
