package cmd

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"onboard/emulator"
	"onboard/onboarding"
)

// orgWizardAnswers answer the wizard in plain prompts for a management account's key: manual mode with
// feature host, the key found, all members of the organization (as the picker ticks them), then every
// other question at its default.
const orgWizardAnswers = "\n\n" + // site, mode
	"1\n0\n" + // features: tick host, confirm
	"\n" + // the Tencent key found
	"2\n" + // all members of this organization
	"0\n" + // the member picker: all ticked
	"\n\n\n\n" + // Lighthouse, sub-user, the Alibaba key found, display name (each member's name)
	"0\n" + // regions: the ticked ones
	"\n\n\n" + // default site, host sync, AccessKey check
	"y\n" // apply

// The wizard, with a key of an organization's management account, onboards the members it picks through
// tencent --org's orchestration: against an organization of four, one of whose access roles no longer
// trusts the management account, three are onboarded and the fourth is reported with the command that
// retries it, exit code 3. The wizard's command for scripts, run as flags, reaches the same outcome and
// prints the same retry command; the wizard's JSON is tencent --org's.
func TestTheWizardOnboardsTheOrganizationsMembers(t *testing.T) {
	env, err := emulator.Start(context.Background(), emulator.Options{Seed: "random", SeedGen: "members=4"})
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	members := env.Tencent.Members()
	denied := fmt.Sprint(members[1].OwnerUIN())
	if err := env.Tencent.SetMemberAccess(members[1].OwnerUIN(), false); err != nil {
		t.Fatal(err)
	}
	vars := emulatorVars(env, t.TempDir())

	f, out, errOut := tencentTestFactory(vars)
	f.IO.In = strings.NewReader(orgWizardAnswers)
	f.IO.SetTTY(true, true, true)
	if code := run(context.Background(), f, []string{"tencent", "--accessible", "--skip-sync"}); code != ExitPartial {
		t.Fatalf("exit %d, want %d\n%s\n%s", code, ExitPartial, out.String(), errOut.String())
	}
	wizardText := out.String()
	if !strings.Contains(wizardText, "All members of this organization (4 member accounts)") {
		t.Fatalf("the wizard did not offer the members:\n%s", wizardText)
	}
	_, summary, ok := strings.Cut(wizardText, "Organization managed by ")
	if !ok {
		t.Fatalf("no organization summary:\n%s", wizardText)
	}
	outcomes := memberOutcomes(summary)
	for _, m := range members {
		uin, want := fmt.Sprint(m.OwnerUIN()), onboarding.MemberOnboarded
		if uin == denied {
			want = onboarding.MemberFailed
		}
		if outcomes[uin] != want {
			t.Errorf("member %s: %q, want %q\n%s", uin, outcomes[uin], want, summary)
		}
		if users := m.State().Users; (len(users) == 1) != (uin != denied) {
			t.Errorf("member %s holds users %+v", uin, users)
		}
	}
	wizardRetry := retryLine(t, summary)
	if !strings.HasSuffix(wizardRetry, "--members="+denied) || !strings.Contains(wizardRetry, " --org") {
		t.Errorf("the wizard's retry command does not name the failed member alone: %s", wizardRetry)
	}

	// The same, for scripts: run as flags, the same outcome and the same retry command.
	_, printed, ok := strings.Cut(summary, "The same, for scripts (no secret in it):\n")
	if !ok {
		t.Fatalf("no command for scripts:\n%s", summary)
	}
	words := shellWords(t, printed)
	if !strings.Contains(strings.Join(words, " "), "--org") || strings.Contains(strings.Join(words, " "), "--members") {
		t.Errorf("all members chosen: the command should say --org alone: %q", words)
	}
	f, out, errOut = tencentTestFactory(vars)
	if code := run(context.Background(), f, words[1:]); code != ExitPartial {
		t.Fatalf("flags: exit %d, want %d\n%s\n%s", code, ExitPartial, out.String(), errOut.String())
	}
	flags := memberOutcomes(out.String())
	for uin, o := range outcomes {
		if flags[uin] != o {
			t.Errorf("member %s: the wizard says %q, the flags %q", uin, o, flags[uin])
		}
	}
	if flagsRetry := retryLine(t, out.String()); flagsRetry != wizardRetry {
		t.Errorf("retry commands differ:\nwizard: %s\nflags:  %s", wizardRetry, flagsRetry)
	}

	// --output json: tencent --org's shape, from the wizard.
	f, out, errOut = tencentTestFactory(vars)
	f.Output = "json"
	f.IO.In = strings.NewReader(orgWizardAnswers)
	f.IO.SetTTY(true, true, true)
	if code := run(context.Background(), f, []string{"tencent", "--accessible", "--skip-sync", "--output", "json"}); code != ExitPartial {
		t.Fatalf("json: exit %d, want %d\n%s\n%s", code, ExitPartial, out.String(), errOut.String())
	}
	text := out.String()
	var res orgJSON
	if err := json.Unmarshal([]byte(text[strings.LastIndex(text, "\n{")+1:]), &res); err != nil {
		t.Fatalf("the wizard's JSON: %v\n%s", err, text)
	}
	if len(res.Members) != 4 || strings.Join(res.Failed, ",") != denied || res.RetryCommand != wizardRetry {
		t.Errorf("the wizard's JSON: %+v", res)
	}
}

// memberOutcomes reads "  UIN  name  outcome ..." lines of an organization's summary.
func memberOutcomes(summary string) map[string]string {
	out := map[string]string{}
	for _, l := range strings.Split(summary, "\n") {
		fields := strings.Fields(l)
		if len(fields) < 3 || !uinPattern.MatchString(fields[0]) || !strings.HasPrefix(l, "  ") {
			continue
		}
		for _, o := range []string{onboarding.MemberOnboarded, onboarding.MemberPartlyDone, onboarding.MemberFailed} {
			if strings.Contains(l, " "+o) {
				out[fields[0]] = o
				break
			}
		}
	}
	return out
}

// retryLine is the retry command a summary prints, its continuation lines joined.
func retryLine(t *testing.T, summary string) string {
	t.Helper()
	_, rest, ok := strings.Cut(summary, "Retry just the members that failed, once the cause is fixed:\n")
	if !ok {
		t.Fatalf("no retry command in:\n%s", summary)
	}
	var words []string
	for _, l := range strings.Split(rest, "\n") {
		l = strings.TrimSpace(l)
		cont := strings.HasSuffix(l, `\`)
		words = append(words, strings.TrimSpace(strings.TrimSuffix(l, `\`)))
		if !cont {
			break
		}
	}
	return strings.Join(words, " ")
}
