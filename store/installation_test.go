package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"testing"
	"time"
)

func TestInstallationIDIsCreatedOncePrivateAndKept(t *testing.T) {
	home := filepath.Join(t.TempDir(), "home")
	var wg sync.WaitGroup
	ids := make([]string, 8)
	errs := make([]error, 8)
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ids[i], errs[i] = InstallationID(home)
		}()
	}
	wg.Wait()
	for i := range ids {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if ids[i] != ids[0] {
			t.Fatalf("concurrent first calls disagree: %q and %q", ids[0], ids[i])
		}
	}
	if !regexp.MustCompile(`^[0-9a-f]{16}$`).MatchString(ids[0]) {
		t.Fatalf("installation ID %q is not 16 lowercase hex characters", ids[0])
	}
	info, err := os.Stat(filepath.Join(home, InstallationFile))
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("installation ID file mode %v, want 0600", info.Mode().Perm())
	}
	again, err := InstallationID(home)
	if err != nil || again != ids[0] {
		t.Fatalf("a later call gave %q, %v; want %q", again, err, ids[0])
	}
	if other, _ := InstallationID(t.TempDir()); other == ids[0] {
		t.Fatal("two homes share an installation ID")
	}
	// In a shared home, an ID planted through a symbolic link is not taken as this installation's.
	linked := t.TempDir()
	if err := os.Symlink(filepath.Join(home, InstallationFile), filepath.Join(linked, InstallationFile)); err != nil {
		t.Fatal(err)
	}
	if id, err := InstallationID(linked); err == nil {
		t.Fatalf("an installation ID read through a symbolic link: %q", id)
	}
	if err := os.WriteFile(filepath.Join(home, InstallationFile), []byte("not an id\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := InstallationID(home); err == nil {
		t.Fatal("a damaged installation ID was accepted")
	}
}

// unreadableStore is a store that cannot be reached, as a keyring without a session bus.
type unreadableStore struct{ *MemoryStore }

func (u *unreadableStore) Get(context.Context, string) (Credential, error) {
	return Credential{}, ErrKeyringUnavailable
}
func (u *unreadableStore) Delete(context.Context, string) error { return ErrKeyringUnavailable }

// refusingStore cannot store anything.
type refusingStore struct{ *MemoryStore }

func (r *refusingStore) Put(context.Context, string, Credential) error {
	return errors.New("store refused")
}

func TestSwitchingTheSecretStoreMovesTheSecret(t *testing.T) {
	ctx := context.Background()
	file, err := NewFileStore(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := Credential{SecretID: "AKIDmoved", SecretKey: Secret(testSecret)}
	if err := file.Put(ctx, "acct", want); err != nil {
		t.Fatal(err)
	}
	current := NewMemoryStore()
	s := NewMigratingStore(current, &unreadableStore{NewMemoryStore()}, file)
	got, err := s.Get(ctx, "acct")
	if err != nil || got.SecretID != want.SecretID || got.SecretKey.Reveal() != testSecret {
		t.Fatalf("Get after a switch: %+v, %v", got, err)
	}
	if c, err := current.Get(ctx, "acct"); err != nil || c.SecretID != want.SecretID {
		t.Fatalf("the chosen store does not hold the moved secret: %v", err)
	}
	if _, err := file.Get(ctx, "acct"); !errors.Is(err, ErrSecretNotFound) {
		t.Fatalf("the former store still holds the secret: %v", err)
	}
	if s.Kind() != "memory" {
		t.Errorf("Kind %q, want the chosen store's", s.Kind())
	}
	if _, err := s.Get(ctx, "missing"); !errors.Is(err, ErrSecretNotFound) {
		t.Fatalf("a missing item: %v, want ErrSecretNotFound (an unreachable former store must not hide it)", err)
	}

	// A chosen store that cannot hold it leaves the secret where it was and says so.
	if err := file.Put(ctx, "acct2", want); err != nil {
		t.Fatal(err)
	}
	_, err = NewMigratingStore(&refusingStore{NewMemoryStore()}, file).Get(ctx, "acct2")
	if err == nil || errors.Is(err, ErrSecretNotFound) {
		t.Fatalf("a failed move: %v, want an error that is not 'not found'", err)
	}
	if _, err := file.Get(ctx, "acct2"); err != nil {
		t.Fatalf("a failed move lost the secret: %v", err)
	}

	// Delete removes the item from the store that holds it: the chosen one, or one switched away from.
	if err := current.Put(ctx, "here", want); err != nil {
		t.Fatal(err)
	}
	if err := file.Put(ctx, "there", want); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"here", "there"} {
		if err := s.Delete(ctx, name); err != nil {
			t.Fatalf("delete %s: %v", name, err)
		}
	}
	for _, st := range []SecretStore{current, file} {
		for _, name := range []string{"here", "there"} {
			if _, err := st.Get(ctx, name); !errors.Is(err, ErrSecretNotFound) {
				t.Errorf("%s store still holds the deleted item %s: %v", st.Kind(), name, err)
			}
		}
	}
	if err := s.Delete(ctx, "nowhere"); !errors.Is(err, ErrSecretNotFound) {
		t.Errorf("deleting a missing item: %v, want ErrSecretNotFound", err)
	}
}

func TestSecretStoreFromEnvMovesBetweenFileAndKeyring(t *testing.T) {
	ctx := context.Background()
	home := t.TempDir()
	noBus := func(k string) string {
		if k == SecretStoreEnv {
			return "file"
		}
		return ""
	}
	s, err := SecretStoreFromEnv(home, false, noBus, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, "missing"); !errors.Is(err, ErrSecretNotFound) {
		t.Fatalf("file store without a session bus, missing item: %v, want ErrSecretNotFound", err)
	}
	k := requireSecretService(t)
	name := "onboard-test-move-" + time.Now().Format("150405.000000000")
	want := Credential{SecretID: "AKIDtokeyring", SecretKey: Secret(testSecret)}
	file, _ := NewFileStore(home, nil)
	if err := file.Put(ctx, name, want); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = k.Delete(context.Background(), name) })
	toKeyring, err := SecretStoreFromEnv(home, false, os.Getenv, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := toKeyring.Get(ctx, name); err != nil || got.SecretID != want.SecretID {
		t.Fatalf("file -> keyring: %+v, %v", got, err)
	}
	if got, err := k.Get(ctx, name); err != nil || got.SecretKey.Reveal() != testSecret {
		t.Fatalf("the keyring does not hold the moved secret: %v", err)
	}
	toFile, err := SecretStoreFromEnv(home, true, os.Getenv, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := toFile.Get(ctx, name); err != nil || got.SecretID != want.SecretID {
		t.Fatalf("keyring -> file: %+v, %v", got, err)
	}
	if _, err := k.Get(ctx, name); !errors.Is(err, ErrSecretNotFound) {
		t.Fatalf("the keyring still holds the secret moved to the file: %v", err)
	}
}
