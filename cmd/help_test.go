package cmd

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// TestEveryCommandsHelpFitsAndHasExamples walks the whole command tree.
func TestEveryCommandsHelpFitsAndHasExamples(t *testing.T) {
	f, _, _ := tencentTestFactory(map[string]string{})
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Hidden || c.Name() == "help" || c.Name() == "completion" || strings.HasPrefix(c.Name(), "__") {
			return
		}
		g, out, errOut := tencentTestFactory(map[string]string{})
		args := append(strings.Fields(c.CommandPath())[1:], "--help")
		if code := run(context.Background(), g, args); code != ExitOK {
			t.Errorf("%v: exit %d %s", args, code, errOut.String())
		}
		if c.Example == "" || !strings.Contains(out.String(), "Examples:") {
			t.Errorf("%s has no examples", c.CommandPath())
		}
		for _, line := range strings.Split(out.String(), "\n") {
			if n := len([]rune(line)); n > helpWidth {
				t.Errorf("%s --help: a line of %d columns: %q", c.CommandPath(), n, line)
			}
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(NewCmdRoot(f))
}

func TestTencentHelpGroupsItsFlagsByTopic(t *testing.T) {
	f, out, _ := tencentTestFactory(map[string]string{})
	if code := run(context.Background(), f, []string{"tencent", "--help"}); code != ExitOK {
		t.Fatalf("exit %d", code)
	}
	help := out.String()
	last := -1
	for _, group := range []string{"Credentials flags:", "Features and grants flags:", "Security Center flags:", "Audit logs flags:", "Safety flags:", "Output flags:", "Global Flags:"} {
		i := strings.Index(help, "\n"+group+"\n")
		if i < 0 || i < last {
			t.Errorf("group %q missing or out of order:\n%s", group, help)
		}
		last = i
	}
	// A flag is under its topic: --profile among the credentials, --audit-region among the audit logs.
	for flag, group := range map[string]string{"--profile": "Credentials flags:", "--audit-region": "Audit logs flags:", "--dry-run": "Safety flags:"} {
		section := help[strings.Index(help, group):]
		section = section[:strings.Index(section, "\n\n")]
		if !strings.Contains(section, flag) {
			t.Errorf("%s is not under %q", flag, group)
		}
	}
}

// TestCommandsAreWiredInNewCmdRoot: no file of the command layer registers itself from init() into a
// package global; NewCmdRoot lists every command, and the hint table is one literal.
func TestCommandsAreWiredInNewCmdRoot(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, bad := range []string{"func init()", "hints = append(", "credentialErrors = append("} {
			if strings.Contains(string(data), bad) {
				t.Errorf("%s: %q", name, bad)
			}
		}
	}
	f, _, _ := tencentTestFactory(map[string]string{})
	root := NewCmdRoot(f)
	for _, name := range []string{"tencent", "sync", "assets", "accounts", "policy", "emulator", "unlock", "version"} {
		if c, _, err := root.Find([]string{name}); err != nil || c == root {
			t.Errorf("command %s is not wired: %v", name, err)
		}
	}
}

// `onboard help TOPIC` shows the command's help, and refuses a topic that names no command as a usage
// error listing the valid ones, as a mistyped command is refused.
func TestHelpRefusesAnUnknownTopic(t *testing.T) {
	f, out, _ := tencentTestFactory(map[string]string{})
	if code := run(context.Background(), f, []string{"help", "accounts", "list"}); code != ExitOK || !strings.Contains(out.String(), "onboard accounts list") {
		t.Fatalf("help accounts list: exit %d\n%s", code, out.String())
	}
	for _, args := range [][]string{{"help", "bogus"}, {"help", "accounts", "lst"}} {
		g, out, errOut := tencentTestFactory(map[string]string{})
		code := run(context.Background(), g, args)
		if code != ExitUsage || out.String() != "" || !strings.Contains(errOut.String(), "unknown help topic") || !strings.Contains(errOut.String(), "valid topics are") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, out.String(), errOut.String())
		}
	}
}
