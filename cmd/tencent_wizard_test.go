package cmd

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"onboard/onboarding"
	"onboard/tencent"
	"onboard/wizard"
)

// shellWords splits a POSIX shell command line the way sh does for the quoting CommandArgs uses: words
// separated by blanks, single quotes, and backslash-newline continuations.
func shellWords(t *testing.T, line string) []string {
	t.Helper()
	line = strings.ReplaceAll(line, "\\\n", " ")
	var words []string
	var cur strings.Builder
	inWord, quoted, escaped := false, false, false
	for _, r := range line {
		switch {
		case escaped:
			cur.WriteRune(r)
			escaped = false
		case quoted && r == '\'':
			quoted = false
		case quoted:
			cur.WriteRune(r)
		case r == '\'':
			quoted, inWord = true, true
		case r == '\\':
			escaped, inWord = true, true
		case r == ' ' || r == '\n' || r == '\t':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if quoted {
		t.Fatalf("unterminated quote in %q", line)
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words
}

// TestWizardCommandParsesBack: the command for scripts that the wizard prints, pasted as it is printed
// (wrapped at 80 columns), parses through the real flags of onboard tencent into the wizard's request.
func TestWizardCommandParsesBack(t *testing.T) {
	root := tencent.Identity{OwnerUIN: "100012345678", UserUIN: "100012345678"}
	tests := []struct {
		name    string
		a       wizard.Answers
		sandbox bool
	}{
		{"manual, every feature, existing logset, root key deleted", wizard.Answers{
			Request: onboarding.Request{Mode: onboarding.ModeManual, Features: []string{"host", "cspm", "soc", "audit"}, CSPMPolicy: "custom",
				Lighthouse: true, SubUser: "sas-reader", Site: "outside", SecurityCenter: "submit", AccountName: "it's ours",
				Regions: []string{"ap-beijing", "ap-guangzhou"}, RegionManagement: true, HostSync: "off", CloudSync: "7d", AKCheck: "1h",
				AuditRegion: "ap-guangzhou", AuditLogset: "0f8e3c1a-1d4b-4c8e-9a77-5b2f1c3d4e5f", AuditTopic: "new", KafkaNetwork: "private",
				RootKey: "delete", RootKeyConfirm: "AB12", AdoptUser: true, Account: "prod"},
			Tencent: wizard.Credential{Source: "profile prod", Flags: []string{"--profile", "prod"}}, Identity: root}, false},
		{"quick in the sandbox", wizard.Answers{
			Request: onboarding.Request{Mode: onboarding.ModeQuick, Features: []string{"host"}, Site: "mainland", SecurityCenter: "submit",
				AccountName: "AlibabaSasSubAccount_345678", Regions: []string{"all"}, HostSync: "24h", AKCheck: "24h", RootKey: "keep"},
			Identity: root}, true},
		{"Security Center skipped, a typed key", wizard.Answers{
			Request: onboarding.Request{Mode: onboarding.ModeManual, Features: []string{"soc"}, SubUser: "ops", Site: "mainland",
				SecurityCenter: "skip", HostSync: "24h", AKCheck: "24h"},
			Tencent: wizard.Credential{Source: wizard.SourceTyped, ID: "AKIDexample0000000000", Flags: []string{"--secret-id", "AKIDexample0000000000", "--secret-key-stdin"}}}, false},
		{"two of three members of an organization, a root key", wizard.Answers{
			Request: onboarding.Request{Mode: onboarding.ModeQuick, Features: []string{"host"}, Site: "mainland", SecurityCenter: "submit",
				AccountName: "prod", Regions: []string{"all"}, HostSync: "24h", AKCheck: "24h", RootKey: "delete", RootKeyConfirm: "AB12",
				AuditLogset: "new", AuditTopic: "new"},
			Identity:     root,
			Organization: &onboarding.OrganizationInfo{IsManagement: true, ManagementUIN: root.OwnerUIN, Members: []tencent.Member{{UIN: "100000100002"}, {UIN: "100000100003"}, {UIN: "100000100004"}}},
			Members:      []string{"100000100002", "100000100004"}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("ONBOARD_HOME", t.TempDir())
			res := onboarding.Result{Account: "a", OwnerUIN: "1"}
			summary := wizard.Summary(res, tt.a, 79, tt.sandbox)
			_, printed, ok := strings.Cut(summary, "The same, for scripts (no secret in it):\n")
			if !ok {
				t.Fatalf("no command in the summary:\n%s", summary)
			}
			for _, l := range strings.Split(strings.TrimRight(printed, "\n"), "\n") {
				if len(l) > 79 {
					t.Errorf("a line of the command is %d wide: %q", len(l), l)
				}
			}
			words := shellWords(t, printed)
			if len(words) < 3 || words[0] != "onboard" || words[1] != "tencent" {
				t.Fatalf("not an onboard tencent command: %q", words)
			}
			// --no-input belongs to the root command; the rest are onboard tencent's own flags.
			if words[2] != "--no-input" {
				t.Fatalf("the command would prompt: %q", words)
			}
			words = append(words[:2:2], words[3:]...)
			var got *TencentOptions
			cmd := NewCmdTencent(NewFactory(), func(_ context.Context, o *TencentOptions) error { got = o; return nil })
			cmd.SetArgs(words[2:])
			if err := cmd.Execute(); err != nil {
				t.Fatalf("%v: %v", words, err)
			}
			want := tt.a.Resolved()
			if !reflect.DeepEqual(got.Request, want) {
				t.Errorf("parsed back:\n%+v\nthe wizard's:\n%+v", got.Request, want)
			}
			if sandbox, _ := cmd.Flags().GetBool("sandbox"); sandbox != tt.sandbox {
				t.Errorf("--sandbox is %v in the command of a run with sandbox %v", sandbox, tt.sandbox)
			}
			if got.Org != tt.a.Org() || (tt.a.Org() && strings.Join(memberList(got.Members), ",") != strings.Join(tt.a.Members, ",")) {
				t.Errorf("--org %v --members %v, the wizard chose %v", got.Org, got.Members, tt.a.Members)
			}
			if tt.a.Tencent.Source == wizard.SourceTyped && (!got.SecretKeyStdin || got.SecretID != tt.a.Tencent.ID) {
				t.Errorf("the typed key is not chosen again: --secret-id %q, stdin %v", got.SecretID, got.SecretKeyStdin)
			}
		})
	}
}
