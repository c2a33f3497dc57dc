package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"sync"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"onboard/onboarding"
	"onboard/store"
	"onboard/tencent"
)

// `onboard tencent --org`: every chosen member of the organization, each its own onboarding, a few at a
// time; one summary line per member, and the command that retries the failed ones.

var uinPattern = regexp.MustCompile(`^[0-9]{1,20}$`)

// roleName is what a CAM role's name may be (CAM CreateRole, RoleName: 1-128 of [\w+=,.@-]).
var roleName = regexp.MustCompile(`^[\w+=,.@-]{1,128}$`)

// orgUsage checks the organization flags, which need no call.
func orgUsage(opts *TencentOptions) []error {
	var out []error
	if !opts.Org {
		for _, fl := range []struct {
			name  string
			given bool
		}{{"--members", len(opts.Members) > 0}, {"--exclude", len(opts.Exclude) > 0}, {"--parallel", opts.parallelGiven}, {"--member-role", opts.MemberRole != ""}} {
			if fl.given {
				out = append(out, fmt.Errorf("%s needs --org", fl.name))
			}
		}
		return out
	}
	if opts.Rollback && opts.parallelGiven {
		out = append(out, errors.New("--parallel cannot be used with --rollback: the members are rolled back one after another"))
	}
	if opts.Request.Account != "" {
		out = append(out, errors.New("--account cannot be used with --org: each member's record is named by its UIN"))
	}
	if opts.Request.RootKey != "" && opts.Request.RootKey != onboarding.RootKeyKeep {
		out = append(out, errors.New("--root-key cannot be used with --org: members are reached through their access role, and no root key of theirs is used"))
	}
	if opts.Parallel < 1 {
		out = append(out, fmt.Errorf("invalid --parallel %d: want 1 or more", opts.Parallel))
	}
	return append(out, memberSelectionErrors(opts.Members, opts.Exclude, opts.MemberRole)...)
}

// memberSelectionErrors checks --members, --exclude and --member-role, which every --org command takes.
func memberSelectionErrors(members, exclude []string, memberRole string) []error {
	var out []error
	if memberRole != "" && !roleName.MatchString(memberRole) {
		out = append(out, fmt.Errorf("invalid --member-role %q: want a CAM role name (letters, digits and +=,.@_-, at most 128)", memberRole))
	}
	for _, uin := range append(memberList(members), exclude...) {
		if !uinPattern.MatchString(uin) {
			out = append(out, fmt.Errorf("invalid member %q in --members or --exclude: want an account UIN (digits)", uin))
		}
	}
	return out
}

// memberList is --members as UINs: nil for all.
func memberList(members []string) []string {
	var out []string
	for _, m := range members {
		if m = strings.TrimSpace(m); m != "" && m != "all" {
			out = append(out, m)
		}
	}
	return out
}

// tencentOrgRun onboards the members with engines built by memberEngine from each member's credentials.
func tencentOrgRun(ctx context.Context, opts *TencentOptions, req onboarding.Request, admin *tencent.Client, memberEngine onboarding.NewMemberEngine) error {
	f := opts.f
	var mu sync.Mutex
	progress := func(e onboarding.MemberEvent) {
		if f.JSON() {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(f.IO.ErrOut, "[%s] %-7s %s %s\n", e.Member, e.Status, e.Title, terminalSafeLines(store.Scrub(e.Detail)))
	}
	res, err := onboarding.OnboardOrganization(ctx, admin, memberEngine, onboarding.OrganizationRequest{
		Request: req, Members: memberList(opts.Members), Exclude: opts.Exclude, Parallel: opts.Parallel, DryRun: opts.DryRun,
		Role: opts.MemberRole}, progress)
	if err != nil {
		return engineError(err)
	}
	retry := ""
	if len(res.Failed) > 0 && opts.retryArgs != nil {
		retry = opts.retryArgs(res.Failed)
	}
	if f.JSON() {
		err = writeJSON(f.IO.Out, struct {
			onboarding.OrganizationResult
			RetryCommand string `json:"retry_command,omitempty"`
		}{res, retry})
	} else {
		err = writeOrgResult(f.IO.Out, res, opts.DryRun, retry)
	}
	if err != nil {
		return err
	}
	switch {
	case ctx.Err() != nil:
		// Cancelled: the summary says where each member stopped; each one's journal resumes it.
		return fmt.Errorf("organization onboarding: %w", ctx.Err())
	case len(res.Failed) == 0:
		return nil
	case len(res.Failed) == len(res.Members):
		return fmt.Errorf("no member of the organization was onboarded: %s", strings.Join(res.Failed, ", "))
	}
	return &PartialError{Err: fmt.Errorf("organization onboarding partly done: %d of %d members failed or are partly done: %s", len(res.Failed), len(res.Members), strings.Join(res.Failed, ", "))}
}

// writeOrgResult prints one line per member, then each member's plan (dry run) or what failed, then the
// retry command.
func writeOrgResult(w io.Writer, res onboarding.OrganizationResult, dryRun bool, retry string) error {
	var b strings.Builder
	counts := map[string]int{}
	for _, m := range res.Members {
		counts[m.Outcome]++
	}
	var parts []string
	for _, o := range []string{onboarding.MemberPlanned, onboarding.MemberOnboarded, onboarding.MemberPartlyDone, onboarding.MemberFailed} {
		if counts[o] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[o], o))
		}
	}
	if dryRun {
		b.WriteString("Plan (dry run: nothing was changed). ")
	}
	fmt.Fprintf(&b, "Organization managed by %s: %d members, %s.\n", res.ManagementUIN, len(res.Members), strings.Join(parts, ", "))
	for _, m := range res.Members {
		line := fmt.Sprintf("  %-14s %-20s %-11s", m.UIN, m.Name, m.Outcome)
		switch r := m.Result; {
		case m.Error != "":
			line += " " + m.Error
		case r != nil:
			line += fmt.Sprintf(" sub-user %s, key %s", r.SubUser, tencent.MaskID(r.AccessKeyID))
			if sc := r.SecurityCenter; sc != nil && sc.Submitted {
				line += fmt.Sprintf(", Security Center account %q (AuthId %d)", sc.DisplayName, sc.AuthID)
			}
		}
		b.WriteString(strings.TrimRight(line, " ") + "\n")
	}
	if dryRun {
		for _, m := range res.Members {
			if len(m.Plan) == 0 {
				continue
			}
			fmt.Fprintf(&b, "Member %s:\n", m.UIN)
			for _, p := range m.Plan {
				lines := []string{"nothing to do"}
				if len(p.Changes) > 0 {
					lines = lines[:0]
					for _, c := range p.Changes {
						lines = append(lines, c.String())
					}
				}
				fmt.Fprintf(&b, "  %s:\n    - %s\n", p.Title, strings.Join(lines, "\n    - "))
			}
		}
	}
	if retry != "" {
		fmt.Fprintf(&b, "Retry just the members that failed, once the cause is fixed:\n  %s\n", retry)
	}
	_, err := io.WriteString(w, terminalSafeLines(store.Scrub(b.String())))
	return err
}

// retryCommand is the command line that was run, with every flag given except the member selection,
// which names members instead. Values are quoted for a POSIX shell; no secret is ever a flag's value.
func retryCommand(c *cobra.Command, members []string) string {
	args := []string{c.CommandPath()}
	c.Flags().Visit(func(fl *pflag.Flag) {
		switch fl.Name {
		case "members", "exclude":
			return
		}
		if sv, ok := fl.Value.(pflag.SliceValue); ok {
			for _, v := range sv.GetSlice() {
				args = append(args, "--"+fl.Name+"="+shellQuote(v))
			}
			return
		}
		if fl.Value.Type() == "bool" && fl.Value.String() == "true" {
			args = append(args, "--"+fl.Name)
			return
		}
		args = append(args, "--"+fl.Name+"="+shellQuote(fl.Value.String()))
	})
	return strings.Join(append(args, "--members="+strings.Join(members, ",")), " ")
}

var shellSafe = regexp.MustCompile(`^[A-Za-z0-9@%+=:,./_-]+$`)

func shellQuote(s string) string {
	if shellSafe.MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
