package cmd

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"onboard/onboarding"
)

func TestTerminalSafe(t *testing.T) {
	for in, want := range map[string]string{
		"web-01":               "web-01",
		"生产 服务器":               "生产 服务器",
		"a\x1b[31mred":         `a\x1b[31mred`,
		"bell\a":               `bell\a`,
		"rtl\u202eevil":        `rtl\u202eevil`,
		"bad\xffutf8":          `bad\xffutf8`,
		`back\slash`:           `back\\slash`,
		"two\nlines\ttabbed\r": `two\nlines\ttabbed\r`,
	} {
		if got := terminalSafe(in); got != want {
			t.Errorf("terminalSafe(%q) = %q, want %q", in, got, want)
		}
	}
	if got := terminalSafeLines("line one\nline \x1b[2J two\\"); got != "line one\nline \\x1b[2J two\\" {
		t.Errorf("terminalSafeLines: %q", got)
	}
}

// FuzzTerminalSafe: whatever goes in, what comes out is valid UTF-8 of printable characters only.
func FuzzTerminalSafe(f *testing.F) {
	f.Add("web\x1b]0;title\x07")
	f.Add("\u202e\xff\\")
	f.Fuzz(func(t *testing.T, s string) {
		for _, out := range []string{terminalSafe(s), strings.ReplaceAll(terminalSafeLines(s), "\n", "")} {
			if !utf8.ValidString(out) {
				t.Fatalf("%q gives invalid UTF-8 %q", s, out)
			}
			for _, r := range out {
				if !unicode.IsPrint(r) {
					t.Fatalf("%q gives an unprintable %U in %q", s, r, out)
				}
			}
		}
	})
}

// The onboarding's result names what the cloud holds (a reused logset's name, say): escaped too.
func TestTencentResultIsEscaped(t *testing.T) {
	var b strings.Builder
	writeTencentResult(&b, onboarding.Result{Account: "prod", Reused: []string{"logset evil\x1b]0;owned\x07"}})
	if strings.ContainsAny(b.String(), "\x1b\x07") || !strings.Contains(b.String(), `evil\x1b]0;owned\a`) {
		t.Fatalf("%q", b.String())
	}
}
