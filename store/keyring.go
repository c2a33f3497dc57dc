package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	gokeyring "github.com/zalando/go-keyring"
)

// keyringService is the service name of every item onboard keeps in the OS keyring.
const keyringService = "onboard"

// DefaultKeyringTimeout bounds every keyring call: a Secret Service that waits for a password prompt
// nobody will answer must not hang the tool.
const DefaultKeyringTimeout = 3 * time.Second

// ErrKeyringUnavailable means the OS keyring cannot be used; the message says why and how to fix it.
var ErrKeyringUnavailable = errors.New("OS keyring unavailable")

const keyringFix = "start or unlock a keyring (for example gnome-keyring-daemon), or keep secrets in a file with --insecure-storage or " + SecretStoreEnv + "=file"

// Keyring keeps secrets in the OS keyring (the freedesktop Secret Service on Linux).
type Keyring struct {
	timeout time.Duration
	getenv  func(string) string
}

// NewKeyring returns the OS keyring backend; every call is bounded by timeout.
func NewKeyring(timeout time.Duration, getenv func(string) string) *Keyring {
	return &Keyring{timeout: timeout, getenv: getenv}
}

func (k *Keyring) Kind() string { return "keyring" }

func (k *Keyring) Put(ctx context.Context, name string, c Credential) error {
	value, err := encodeCredential(c)
	if err != nil {
		return err
	}
	_, err = k.call(ctx, "store secret "+quote(name), func() (string, error) {
		return "", gokeyring.Set(keyringService, name, value)
	})
	return err
}

func (k *Keyring) Get(ctx context.Context, name string) (Credential, error) {
	value, err := k.call(ctx, "read secret "+quote(name), func() (string, error) {
		return gokeyring.Get(keyringService, name)
	})
	if err != nil {
		return Credential{}, err
	}
	return decodeCredential(name, value)
}

func (k *Keyring) Delete(ctx context.Context, name string) error {
	_, err := k.call(ctx, "delete secret "+quote(name), func() (string, error) {
		return "", gokeyring.Delete(keyringService, name)
	})
	return err
}

// call runs one keyring operation under the timeout. The library has no context, so the call runs in a
// goroutine; on timeout it is abandoned (it holds no lock of ours) and the caller gets a clear error.
func (k *Keyring) call(ctx context.Context, op string, fn func() (string, error)) (string, error) {
	if k.getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		return "", fmt.Errorf("%s: %w: no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is empty); %s", op, ErrKeyringUnavailable, keyringFix)
	}
	type result struct {
		value string
		err   error
	}
	done := make(chan result, 1)
	go func() {
		v, err := fn()
		done <- result{v, err}
	}()
	timer := time.NewTimer(k.timeout)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return "", fmt.Errorf("%s: %w", op, ctx.Err())
	case <-timer.C:
		return "", fmt.Errorf("%s: %w: no answer from the Secret Service within %s (a locked keyring waiting for a password?); %s", op, ErrKeyringUnavailable, k.timeout, keyringFix)
	case r := <-done:
		if r.err == nil {
			return r.value, nil
		}
		return "", classifyKeyringError(op, r.err)
	}
}

func classifyKeyringError(op string, err error) error {
	if errors.Is(err, gokeyring.ErrNotFound) {
		return fmt.Errorf("%s: %w", op, ErrSecretNotFound)
	}
	msg := err.Error()
	switch {
	case strings.Contains(msg, "ServiceUnknown") || strings.Contains(msg, "was not provided by any .service files") || strings.Contains(msg, "org.freedesktop.secrets"):
		return fmt.Errorf("%s: %w: no Secret Service is running on the session bus (%v); %s", op, ErrKeyringUnavailable, err, keyringFix)
	case strings.Contains(strings.ToLower(msg), "lock") || strings.Contains(msg, "prompt") || strings.Contains(msg, "dismissed"):
		return fmt.Errorf("%s: %w: the keyring collection is locked (%v); %s", op, ErrKeyringUnavailable, err, keyringFix)
	case strings.Contains(msg, "dbus") || strings.Contains(msg, "D-Bus") || strings.Contains(msg, "connection"):
		return fmt.Errorf("%s: %w: cannot talk to the session bus (%v); %s", op, ErrKeyringUnavailable, err, keyringFix)
	}
	return fmt.Errorf("%s: %w", op, err)
}

func quote(s string) string { return fmt.Sprintf("%q", s) }
