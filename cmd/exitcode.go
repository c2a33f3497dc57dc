package cmd

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"onboard/onboarding"
	"onboard/securitycenter"
	"onboard/store"
	"onboard/tencent"
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

// credentialErrors are the sentinels of the cloud client layers that mean "your key was rejected":
// exit code 4.
var credentialErrors = []error{tencent.ErrAuth, securitycenter.ErrAuth}

// usageErrors are the sentinels of lower layers that mean missing or wrong input (no credentials found
// at all, a profile that does not exist): exit code 2, like a UsageError. Nothing was rejected, so a
// script that fetches a fresh key on exit 4 is not sent looking for one.
var usageErrors = []error{tencent.ErrNoCredentials, tencent.ErrNoProfile, securitycenter.ErrNoCredentials}

// fixWords words the engine's fix for the command line: the field as its flag, or, for the inputs that
// are no flag alone (the keys, the secret store), where they come from.
func fixWords(f onboarding.Fix) string {
	say := strings.ToUpper(f.Say[:1]) + f.Say[1:]
	switch f.Field {
	case "":
		return say + "."
	case onboarding.FixTencentKey:
		return say + ": TENCENTCLOUD_SECRET_ID/TENCENTCLOUD_SECRET_KEY (and TENCENTCLOUD_SESSION_TOKEN for temporary credentials), --profile, or --secret-id with --secret-key-stdin; the sandbox is --sandbox."
	case onboarding.FixAlibabaKey:
		return say + ": ALIBABA_CLOUD_ACCESS_KEY_ID/ALIBABA_CLOUD_ACCESS_KEY_SECRET (and ALIBABA_CLOUD_SECURITY_TOKEN for an STS key) or --alibaba-profile."
	case onboarding.FixSecretStore:
		return say + ": --insecure-storage (or " + store.SecretStoreEnv + "=file) keeps secrets in $" + store.HomeEnv + "/secrets.json."
	}
	return say + ": --" + f.Field + "."
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

// errorMessage is err's message in the command line's words: a pre-flight problem or an invalid input
// of a request field names its flag. The engine's words name the field alone.
func errorMessage(err error) string {
	switch e := err.(type) {
	case *onboarding.PreflightError:
		return e.Format(func(p onboarding.Problem) string {
			if p.Field != "" {
				p.Input = "--" + p.Field
			}
			return p.String()
		})
	case *onboarding.FieldError:
		return "invalid --" + e.Field + ": " + e.Message
	case *UsageError:
		return errorMessage(e.Err)
	case *PartialError:
		return errorMessage(e.Err)
	case interface{ Unwrap() []error }:
		var lines []string
		for _, inner := range e.Unwrap() {
			lines = append(lines, errorMessage(inner))
		}
		return strings.Join(lines, "\n")
	}
	return err.Error()
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
	fmt.Fprintf(w, "error: %s\n", terminalSafeLines(store.Scrub(errorMessage(err))))
	var usage *UsageError
	if errors.As(err, &usage) {
		fmt.Fprintln(w, "Run with --help for usage.")
	}
	if hint := hintFor(err); hint != "" {
		fmt.Fprintln(w, hint)
	}
}

// hintFor is the next step known for err (onboarding.FixFor, in the command line's words), or "".
func hintFor(err error) string {
	if f, ok := onboarding.FixFor(err); ok {
		return fixWords(f)
	}
	return ""
}

// exitCodeNames name the exit codes in JSON errors.
var exitCodeNames = map[int]string{ExitFailed: "failed", ExitUsage: "usage", ExitPartial: "partial",
	ExitCredentials: "credentials", ExitCancelled: "cancelled"}

// jsonError is an error as --output json writes it on stderr, one object, like terraform's -json
// diagnostics: a script reads what went wrong, how to fix it and the exit code without parsing prose.
type jsonError struct {
	Error struct {
		Code     string `json:"code"`
		Message  string `json:"message"`
		Fix      string `json:"fix,omitempty"`
		ExitCode int    `json:"exit_code"`
	} `json:"error"`
}

// printJSONError writes err as one JSON object.
func printJSONError(w io.Writer, err error) {
	var e jsonError
	e.Error.ExitCode = exitCode(err)
	e.Error.Code = exitCodeNames[e.Error.ExitCode]
	e.Error.Message = store.Scrub(errorMessage(err)) // a sink like printError's: no known secret
	e.Error.Fix = hintFor(err)
	var usage *UsageError
	switch {
	case errors.Is(err, context.Canceled):
		e.Error.Message, e.Error.Fix = "cancelled", "run the same command again to resume where it stopped"
	case errors.As(err, &usage) && e.Error.Fix == "":
		e.Error.Fix = "run with --help for usage"
	}
	_ = json.NewEncoder(w).Encode(e)
}
