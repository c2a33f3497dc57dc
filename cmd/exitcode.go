package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"onboard/store"
)

// Exit codes, shared by every command and documented in --help and the README.
const (
	ExitOK          = 0
	ExitFailed      = 1
	ExitUsage       = 2
	ExitPartial     = 3
	ExitCredentials = 4
	ExitCancelled   = 130
)

const exitCodesHelp = `Exit codes:
  0    done
  1    failed
  2    usage: a flag, argument or input value is invalid or missing
  3    partly done (for example, some regions failed to sync)
  4    credentials rejected by Tencent Cloud or Alibaba Cloud
  130  cancelled (Ctrl+C); a later run resumes where this one stopped
The pre-flight reports every problem at once: 2 if any input is invalid, else 4 if a key was rejected,
else 1.`

// UsageError is bad input from the person or script running the command: a missing or invalid flag,
// argument or value. It maps to exit code 2.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// Usagef returns a UsageError with a formatted message.
func Usagef(format string, args ...any) error {
	return &UsageError{Err: fmt.Errorf(format, args...)}
}

// PartialError reports work that was partly done; the message says what failed. It maps to exit code 3.
type PartialError struct{ Err error }

func (e *PartialError) Error() string { return e.Err.Error() }
func (e *PartialError) Unwrap() error { return e.Err }

// credentialErrors are the sentinels of the cloud client layers that mean "your key was rejected".
// They are registered by the files that wire those layers into commands, so this file needs no
// knowledge of them.
var credentialErrors []error

// usageErrors are the sentinels of lower layers that mean missing or wrong input (no credentials found
// at all, a profile that does not exist): exit code 2, like a UsageError.
var usageErrors []error

// hints are the next steps printed under an error, keyed by the sentinel they explain.
var hints = []errorHint{
	{store.ErrSecretNotFound, "The account's key is not in this secret store. If it was onboarded with --insecure-storage (or " +
		store.SecretStoreEnv + "=file), pass --insecure-storage; otherwise run onboard tencent again for the account, which creates and stores a new key."},
	{store.ErrCorrupt, "Keep a copy of onboard.db (in " + store.HomeEnv + ", default ~/.local/share/onboard), then recover what it holds: " +
		"sqlite3 onboard.db .recover | sqlite3 onboard-recovered.db, and move onboard-recovered.db to onboard.db. " +
		"Keys are in the secret store, not in the database; an account missing afterwards is recorded again by onboard tencent."},
}

type errorHint struct {
	err  error
	hint string
}

// exitCode maps an error returned by a command to the process exit code.
func exitCode(err error) int {
	if err == nil {
		return ExitOK
	}
	var usage *UsageError
	var partial *PartialError
	switch {
	case errors.Is(err, context.Canceled):
		return ExitCancelled
	case errors.As(err, &usage), isAny(err, usageErrors):
		return ExitUsage
	case errors.As(err, &partial):
		// Something was done, even if a key was rejected on the way (sync --all past one account).
		return ExitPartial
	case isCredentialError(err):
		return ExitCredentials
	}
	return ExitFailed
}

func isCredentialError(err error) bool { return isAny(err, credentialErrors) }

// isAny reports whether err is one of the sentinels.
func isAny(err error, sentinels []error) bool {
	for _, sentinel := range sentinels {
		if errors.Is(err, sentinel) {
			return true
		}
	}
	return false
}

// printError writes the error and, where one is known, the next step for the user.
func printError(w io.Writer, err error) {
	if errors.Is(err, context.Canceled) {
		fmt.Fprintln(w, "cancelled; run the same command again to resume where it stopped")
		return
	}
	if store.IsCorrupt(err) && !errors.Is(err, store.ErrCorrupt) {
		// SQLite reports damage in its own words; say what it means, so the hint below applies.
		err = fmt.Errorf("%w: %w", store.ErrCorrupt, err)
	}
	// The last sink of every failure: whatever a cloud or the transport quoted, no known secret is shown,
	// and nothing that would drive the terminal.
	fmt.Fprintf(w, "error: %s\n", terminalSafeLines(store.Scrub(err.Error())))
	var usage *UsageError
	if errors.As(err, &usage) {
		fmt.Fprintln(w, "Run with --help for usage.")
	}
	for _, h := range hints {
		if errors.Is(err, h.err) {
			fmt.Fprintln(w, strings.TrimSpace(h.hint))
			return
		}
	}
}
