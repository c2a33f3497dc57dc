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
	"onboard/securitycenter"
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

// tencentOrgRun onboards the members with the organization's key and member engines.
func tencentOrgRun(ctx context.Context, opts *TencentOptions, req onboarding.Request, org onboarding.Organization) error {
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
	res, err := org.Onboard(ctx, onboarding.OrganizationRequest{
		Request: req, Members: memberList(opts.Members), Exclude: opts.Exclude, Parallel: opts.Parallel, DryRun: opts.DryRun,
		Role: opts.MemberRole}, progress)
	if err != nil {
		return engineError(err)
	}
	retry := ""
	if len(res.Failed) > 0 && opts.retryArgs != nil {
		retry = opts.retryArgs(res.Failed)
	}
	return reportOrg(ctx, f, res, opts.DryRun, retry)
}

// orgJSON is an organization's result as --output json prints it, from the flags and the wizard alike.
type orgJSON struct {
	onboarding.OrganizationResult
	RetryCommand string `json:"retry_command,omitempty"`
}

// reportOrg prints an organization's result (text, or JSON) with the command that retries the failed
// members, and returns the run's exit status: cancelled, failed when no member was onboarded, partly
// done (exit 3) when some were not.
func reportOrg(ctx context.Context, f *Factory, res onboarding.OrganizationResult, dryRun bool, retry string) error {
	var err error
	if f.JSON() {
		err = writeJSON(f.IO.Out, orgJSON{res, retry})
	} else {
		err = writeOrgResult(f.IO.Out, res, dryRun, retry)
	}
	if err != nil {
		return err
	}
	return orgOutcome(ctx, res)
}

// orgOutcome is the exit status of an organization's onboarding: cancelled, failed when no member was
// onboarded, partly done (exit 3) when some were not.
func orgOutcome(ctx context.Context, res onboarding.OrganizationResult) error {
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

// memberEngines builds each member's engine as a copy of base with the member's own client, and a
// Security Center client of its own when base has one: members run at once, and the Alibaba Cloud SDK's
// client is not safe for concurrent use.
func memberEngines(base *onboarding.Engine, newClient func(tencent.Credential) (*tencent.Client, error), newSecurityCenter func() (*securitycenter.Client, error)) onboarding.NewMemberEngine {
	return func(c tencent.Credential) (*onboarding.Engine, error) {
		cl, err := newClient(c)
		if err != nil {
			return nil, err
		}
		e := *base
		e.Cloud, e.OperatorKeyID, e.SyncProgress = cl, c.SecretID, nil
		if e.SecurityCenter != nil {
			if e.SecurityCenter, err = newSecurityCenter(); err != nil {
				return nil, err
			}
		}
		return &e, nil
	}
}

// writeOrgResult prints the organization's result in the words every face uses.
func writeOrgResult(w io.Writer, res onboarding.OrganizationResult, dryRun bool, retry string) error {
	_, err := io.WriteString(w, terminalSafeLines(store.Scrub(res.Summary(dryRun, retry))))
	return err
}

// wizardRetryCommand is the retry command the flags path prints for the command line args (the wizard's
// command for scripts, unquoted), naming members: args parsed by the real flags, then retryCommand.
func wizardRetryCommand(args, members []string) string {
	root := NewCmdRoot(&Factory{IO: &IOStreams{}, Getenv: func(string) string { return "" }})
	c, rest, err := root.Find(args[1:])
	if err == nil {
		err = c.ParseFlags(rest)
	}
	if err != nil { // the wizard's own command always parses (TestWizardCommandParsesBack)
		return strings.Join(append(args, "--members="+strings.Join(members, ",")), " ")
	}
	return retryCommand(c, members)
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
