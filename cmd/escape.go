package cmd

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// terminalSafe escapes what a terminal would interpret instead of showing: control characters (an ESC
// starts a sequence that can rewrite the screen or the window title), Unicode format characters (a
// right-to-left override reorders what follows), other unprintable runes and invalid UTF-8. Names from
// the cloud (assets, aliases) and from the user pass through it before they reach a table or a message.
// A backslash is escaped too, so that an escape in a name always means an escaped character.
func terminalSafe(s string) string {
	if !needsEscape(s, false) {
		return s
	}
	return escape(s, false)
}

// terminalSafeLines is terminalSafe for a message of several lines: its newlines and backslashes are
// kept as they are.
func terminalSafeLines(s string) string {
	if !needsEscape(s, true) {
		return s
	}
	return escape(s, true)
}

func needsEscape(s string, keepLines bool) bool {
	for _, r := range s {
		if r == utf8.RuneError || r == '\\' && !keepLines || !unicode.IsPrint(r) && !(keepLines && r == '\n') {
			return true
		}
	}
	return false
}

func escape(s string, keepLines bool) string {
	var b strings.Builder
	for len(s) > 0 {
		r, size := utf8.DecodeRuneInString(s)
		switch {
		case r == utf8.RuneError && size <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[0])
		case r == '\\' && !keepLines:
			b.WriteString(`\\`)
		case keepLines && r == '\n', unicode.IsPrint(r):
			b.WriteRune(r)
		default:
			q := strconv.QuoteRuneToASCII(r)
			b.WriteString(q[1 : len(q)-1])
		}
		s = s[size:]
	}
	return b.String()
}
