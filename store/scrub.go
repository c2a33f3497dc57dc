package store

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/url"
	"slices"
	"strings"
	"sync"
)

// The process-wide registry of the secrets this process knows. Every sink that may receive text from a
// failure (the error printer, JSON output, the journal, the debug log) passes it through Scrub, so a
// secret that ended up inside an error (a URL, an echoed request, a parse error quoting a body) is
// replaced by "****" before anyone can read it.
var known struct {
	mu      sync.RWMutex
	forms   []string // every secret and its encoded forms, longest first
	replace *strings.Replacer
}

// minSecretLen is the shortest value the registry accepts. A shorter string would mask ordinary words
// wherever it occurs, and no cloud issues keys that short (Tencent SecretKeys have 32 characters,
// Alibaba Cloud AccessKey secrets 30).
const minSecretLen = 8

// RememberSecret adds a secret to the registry, with the forms it takes when it is URL-encoded or
// JSON-escaped. Empty and very short values are ignored.
func RememberSecret(secret string) {
	if len(secret) < minSecretLen {
		return
	}
	forms := []string{secret, url.QueryEscape(secret), url.PathEscape(secret), strings.ReplaceAll(url.QueryEscape(secret), "+", "%20")}
	if quoted, err := json.Marshal(secret); err == nil {
		forms = append(forms, string(quoted[1:len(quoted)-1]))
	}
	known.mu.Lock()
	defer known.mu.Unlock()
	changed := false
	for _, f := range forms {
		if !slices.Contains(known.forms, f) {
			known.forms = append(known.forms, f)
			changed = true
		}
	}
	if !changed {
		return
	}
	// Longest first, so that a secret which contains another is masked whole.
	slices.SortFunc(known.forms, func(a, b string) int { return len(b) - len(a) })
	pairs := make([]string, 0, 2*len(known.forms))
	for _, f := range known.forms {
		pairs = append(pairs, f, masked)
	}
	known.replace = strings.NewReplacer(pairs...)
}

// rememberCredential registers a credential's SecretKey, and the Kafka password made of it
// (SecretId#SecretKey, which CLS's Kafka consumption takes).
func rememberCredential(c Credential) {
	RememberSecret(c.SecretKey.Reveal())
	if c.SecretKey != "" {
		RememberSecret(c.SecretID + "#" + c.SecretKey.Reveal())
	}
}

// Scrub returns s with every known secret replaced by "****".
func Scrub(s string) string {
	known.mu.RLock()
	r := known.replace
	known.mu.RUnlock()
	if r == nil {
		return s
	}
	return r.Replace(s)
}

// ScrubError returns err with its text scrubbed; errors.Is and errors.As still see the errors it wraps.
// nil stays nil.
func ScrubError(err error) error {
	if err == nil {
		return nil
	}
	return &scrubbedError{err: err}
}

type scrubbedError struct{ err error }

func (e *scrubbedError) Error() string { return Scrub(e.err.Error()) }
func (e *scrubbedError) Unwrap() error { return e.err }

// ScrubHandler wraps a slog handler so that the message and every attribute (strings, errors, anything
// printed) are scrubbed before the record is written.
func ScrubHandler(h slog.Handler) slog.Handler { return &scrubHandler{h} }

type scrubHandler struct{ next slog.Handler }

func (h *scrubHandler) Enabled(ctx context.Context, l slog.Level) bool { return h.next.Enabled(ctx, l) }

func (h *scrubHandler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, Scrub(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(scrubAttr(a))
		return true
	})
	return h.next.Handle(ctx, out)
}

func (h *scrubHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	scrubbed := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		scrubbed[i] = scrubAttr(a)
	}
	return &scrubHandler{h.next.WithAttrs(scrubbed)}
}

func (h *scrubHandler) WithGroup(name string) slog.Handler {
	return &scrubHandler{h.next.WithGroup(name)}
}

// scrubAttr turns every value into scrubbed text, except numbers, booleans, times and durations, which
// cannot hold a secret; groups are scrubbed member by member.
func scrubAttr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindGroup:
		members := v.Group()
		scrubbed := make([]any, len(members))
		for i, m := range members {
			scrubbed[i] = scrubAttr(m)
		}
		return slog.Group(a.Key, scrubbed...)
	case slog.KindString:
		return slog.String(a.Key, Scrub(v.String()))
	case slog.KindAny:
		if err, ok := v.Any().(error); ok {
			return slog.String(a.Key, Scrub(err.Error()))
		}
		if data, err := json.Marshal(v.Any()); err == nil {
			return slog.Any(a.Key, json.RawMessage(Scrub(string(data))))
		}
		return slog.String(a.Key, Scrub(v.String()))
	}
	return slog.Attr{Key: a.Key, Value: v}
}
