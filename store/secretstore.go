package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
)

// ErrSecretNotFound means the secret store holds no item of that name.
var ErrSecretNotFound = errors.New("secret not found")

// SecretStore keeps credentials under a name (one item per credential).
type SecretStore interface {
	Put(ctx context.Context, name string, c Credential) error
	Get(ctx context.Context, name string) (Credential, error)
	Delete(ctx context.Context, name string) error
	// Kind names the backend for messages: "keyring", "file" or "memory".
	Kind() string
}

// SecretStoreEnv is the environment variable that selects the file store ("file") instead of the keyring.
const SecretStoreEnv = "ONBOARD_SECRET_STORE"

// SecretStoreFromEnv returns the file store when insecure is set (--insecure-storage) or
// ONBOARD_SECRET_STORE=file, and the OS keyring otherwise. warn receives the file store's warnings.
func SecretStoreFromEnv(home string, insecure bool, getenv func(string) string, warn io.Writer) (SecretStore, error) {
	switch v := getenv(SecretStoreEnv); {
	case insecure || v == "file":
		return NewFileStore(home, warn)
	case v == "" || v == "keyring":
		return NewKeyring(DefaultKeyringTimeout, getenv), nil
	default:
		return nil, fmt.Errorf("invalid %s=%q: valid values are keyring, file", SecretStoreEnv, v)
	}
}

// MemoryStore keeps secrets in memory; for tests.
type MemoryStore struct {
	mu    sync.Mutex
	items map[string]Credential
}

// NewMemoryStore returns an empty in-memory secret store.
func NewMemoryStore() *MemoryStore { return &MemoryStore{items: map[string]Credential{}} }

func (m *MemoryStore) Kind() string { return "memory" }

func (m *MemoryStore) Put(_ context.Context, name string, c Credential) error {
	rememberCredential(c)
	m.mu.Lock()
	defer m.mu.Unlock()
	m.items[name] = c
	return nil
}

func (m *MemoryStore) Get(_ context.Context, name string) (Credential, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	c, ok := m.items[name]
	if !ok {
		return Credential{}, fmt.Errorf("get secret %q: %w", name, ErrSecretNotFound)
	}
	rememberCredential(c)
	return c, nil
}

func (m *MemoryStore) Delete(_ context.Context, name string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.items[name]; !ok {
		return fmt.Errorf("delete secret %q: %w", name, ErrSecretNotFound)
	}
	delete(m.items, name)
	return nil
}

// FileStore keeps secrets unencrypted in $ONBOARD_HOME/secrets.json (mode 0600 in a 0700 folder). It is
// chosen only explicitly, and says so on every write.
type FileStore struct {
	path string
	warn io.Writer
	mu   sync.Mutex
}

// NewFileStore returns the file store in home, creating home with mode 0700 if needed (see Home).
func NewFileStore(home string, warn io.Writer) (*FileStore, error) {
	if err := ensureHome(home); err != nil {
		return nil, err
	}
	if warn == nil {
		warn = io.Discard
	}
	return &FileStore{path: filepath.Join(home, "secrets.json"), warn: warn}, nil
}

func (s *FileStore) Kind() string { return "file" }

// Path is where the secrets are kept.
func (s *FileStore) Path() string { return s.path }

func (s *FileStore) Put(_ context.Context, name string, c Credential) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	items, err := s.read()
	if err != nil {
		return err
	}
	value, err := encodeCredential(c)
	if err != nil {
		return err
	}
	items[name] = value
	if err := s.write(items); err != nil {
		return err
	}
	fmt.Fprintf(s.warn, "warning: secrets are stored unencrypted in %s (file store chosen with --insecure-storage or %s=file)\n", s.path, SecretStoreEnv)
	return nil
}

func (s *FileStore) Get(_ context.Context, name string) (Credential, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	items, err := s.read()
	if err != nil {
		return Credential{}, err
	}
	value, ok := items[name]
	if !ok {
		return Credential{}, fmt.Errorf("get secret %q from %s: %w", name, s.path, ErrSecretNotFound)
	}
	return decodeCredential(name, value)
}

func (s *FileStore) Delete(_ context.Context, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	items, err := s.read()
	if err != nil {
		return err
	}
	if _, ok := items[name]; !ok {
		return fmt.Errorf("delete secret %q from %s: %w", name, s.path, ErrSecretNotFound)
	}
	delete(items, name)
	return s.write(items)
}

func (s *FileStore) read() (map[string]string, error) {
	items := map[string]string{}
	data, err := os.ReadFile(s.path)
	if errors.Is(err, os.ErrNotExist) {
		return items, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read secret file: %w", err)
	}
	if err := jsonUnmarshal(data, &items); err != nil {
		return nil, fmt.Errorf("read secret file %s: not valid JSON", s.path)
	}
	return items, nil
}

// write replaces the file atomically (temp file, fsync, rename) so a crash never leaves half a file.
func (s *FileStore) write(items map[string]string) error {
	data, err := jsonMarshalIndent(items)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(s.path), ".secrets-*.json")
	if err != nil {
		return fmt.Errorf("write secret file: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("write secret file: %w", err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write secret file: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("write secret file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write secret file: %w", err)
	}
	if err := os.Rename(tmp.Name(), s.path); err != nil {
		return fmt.Errorf("write secret file: %w", err)
	}
	return nil
}
