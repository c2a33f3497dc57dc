package cmd

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"onboard/onboarding"
	"onboard/store"
	"onboard/tencent"
)

// `onboard status --org` and `onboard offboard --org`: the members of the organization whose management
// account the operator's key belongs to, each reached through its member access role as an organization
// onboarding reaches it (the management account's own key cannot read or change a member's CAM).

// orgSelection is --org and the flags that choose among the organization's members.
type orgSelection struct {
	Org        bool
	Members    []string
	Exclude    []string
	MemberRole string
}

func (o *orgSelection) addFlags(cmd *cobra.Command, verb string) {
	fl := cmd.Flags()
	fl.BoolVar(&o.Org, "org", false, verb+" the members of the organization this key's account manages, each through its member access role")
	fl.StringSliceVar(&o.Members, "members", nil, "with --org: these member UINs (default: every member onboarded from here)")
	fl.StringSliceVar(&o.Exclude, "exclude", nil, "with --org: leave these member UINs out")
	fl.StringVar(&o.MemberRole, "member-role", "", "with --org: the CAM role to assume in each member (default "+tencent.MemberAccessRole+")")
}

// usage checks the selection against --account and --all; no call is needed.
func (o *orgSelection) usage(account string, all bool) error {
	if !o.Org {
		if len(o.Members) > 0 || len(o.Exclude) > 0 || o.MemberRole != "" {
			return Usagef("--members, --exclude and --member-role need --org")
		}
		return nil
	}
	if account != "" || all {
		return Usagef("--org cannot be used with --account or --all: choose members with --members and --exclude")
	}
	if invalid := memberSelectionErrors(o.Members, o.Exclude, o.MemberRole); len(invalid) > 0 {
		return &UsageError{Err: invalid[0]}
	}
	return nil
}

// memberTarget is one chosen member and what this machine knows of it.
type memberTarget struct {
	member tencent.Member
	// account is the local name of its record, or its UIN when it has none.
	account string
	record  *store.Account
}

// orgTargets reads the organization and chooses its members. Without --members, only the members
// onboarded from here (those with a record) are chosen; a member named with --members is chosen even
// without one, as an interrupted offboard may have removed the record and left the ledger.
func (d *dayTwo) orgTargets(ctx context.Context, sel orgSelection) (onboarding.OrganizationInfo, []memberTarget, error) {
	named := memberList(sel.Members)
	info, chosen, err := onboarding.ManagedMembers(ctx, d.admin, named, sel.Exclude)
	if err != nil {
		return info, nil, engineError(err)
	}
	var out []memberTarget
	for _, m := range chosen {
		t := memberTarget{member: m, account: m.UIN}
		rec, err := d.db.AccountByOwnerUIN(ctx, m.UIN)
		switch {
		case err == nil:
			t.account, t.record = rec.Name, &rec
		case !errors.Is(err, store.ErrNotFound):
			return info, nil, err
		case len(named) == 0:
			continue
		}
		out = append(out, t)
	}
	if len(out) == 0 {
		return info, nil, Usagef("no member of the organization managed by %s is onboarded from here (see onboard accounts list); name members with --members", info.ManagementUIN)
	}
	return info, out, nil
}

// memberEngine is the day-two engine acting in one member through its access role, with the member
// record's secret store and Security Center client (forAccount), and the member's client for removals.
func (d *dayTwo) memberEngine(ctx context.Context, o *DayTwoOptions, t memberTarget, required bool) (*onboarding.Engine, *tencent.Client, error) {
	d.engine.SecurityCenter = nil
	if t.record != nil {
		if err := d.forAccount(o, *t.record, required); err != nil {
			return nil, nil, err
		}
	}
	cred, err := onboarding.AssumeMember(ctx, d.admin, t.member.UIN, o.org.MemberRole)
	if err != nil {
		return nil, nil, err
	}
	cl, err := d.newClient(cred)
	if err != nil {
		return nil, nil, err
	}
	e := *d.engine
	e.Cloud, e.OperatorKeyID = cl, cred.SecretID
	return &e, cl, nil
}

// orgStatuses is the status of each chosen member. A member that cannot be reached, or that has no
// record here, is a broken status of its own that says why; the others are still checked.
func orgStatuses(ctx context.Context, d *dayTwo, opts *DayTwoOptions) ([]onboarding.AccountStatus, error) {
	_, targets, err := d.orgTargets(ctx, opts.org)
	if err != nil {
		return nil, err
	}
	var all []onboarding.AccountStatus
	for _, t := range targets {
		broken := func(name, detail, fix string) onboarding.AccountStatus {
			return onboarding.AccountStatus{Account: t.account, Verdict: onboarding.VerdictBroken, Checks: []onboarding.Check{
				{Area: "organization member " + t.member.UIN, Name: name, Verdict: onboarding.VerdictBroken, Detail: detail, Fix: fix}}}
		}
		if t.record == nil {
			all = append(all, broken("record", "member "+t.member.UIN+" ("+t.member.Name+") is not onboarded from here",
				"onboard tencent --org --members "+t.member.UIN))
			continue
		}
		e, _, err := d.memberEngine(ctx, opts, t, false)
		if err != nil {
			all = append(all, broken("member access", store.ScrubError(err).Error(),
				"let the management account assume the member access role in "+t.member.UIN+" again (Tencent Cloud Organization, member access management)"))
			continue
		}
		st, err := e.Status(ctx, t.account)
		if err != nil {
			return all, fmt.Errorf("status of member %s: %w", t.member.UIN, err)
		}
		all = append(all, st)
	}
	return all, nil
}

// MemberOffboard is what offboarding one member of an organization came to.
type MemberOffboard struct {
	UIN     string                     `json:"uin"`
	Name    string                     `json:"name"`
	Account string                     `json:"account"`
	Outcome string                     `json:"outcome"` // offboarded, planned or failed
	Error   string                     `json:"error,omitempty"`
	Result  *onboarding.OffboardResult `json:"result,omitempty"`
}

// offboardOrg offboards each chosen member through its access role, one after another; a member that
// fails does not stop the others, and the summary names the command that retries the failed ones.
func offboardOrg(ctx context.Context, d *dayTwo, opts *OffboardOptions) error {
	f := opts.f
	info, targets, err := d.orgTargets(ctx, opts.org)
	if err != nil {
		return err
	}
	if !opts.Yes && !opts.DryRun {
		var names []string
		for _, t := range targets {
			names = append(names, fmt.Sprintf("%s (%s)", t.member.UIN, t.member.Name))
		}
		fmt.Fprintf(f.IO.ErrOut, "This removes everything onboard created in %d members of the organization managed by %s: %s.\nType the management account's UIN to confirm: ",
			len(targets), info.ManagementUIN, terminalSafe(strings.Join(names, ", ")))
		if !typed(f.IO.In, info.ManagementUIN) {
			return fmt.Errorf("offboard the organization's members: the typed UIN does not match; nothing was changed")
		}
	}
	var results []MemberOffboard
	var failed []string
	for _, t := range targets {
		out := MemberOffboard{UIN: t.member.UIN, Name: t.member.Name, Account: t.account, Outcome: "failed"}
		res, err := offboardMember(ctx, d, opts, t)
		if res != nil && (len(res.Removed) > 0 || len(res.Planned) > 0 || len(res.Left) > 0 || len(res.Reused) > 0) {
			out.Result = res
		}
		switch {
		case err != nil:
			out.Error = store.ScrubError(err).Error()
			failed = append(failed, t.member.UIN)
		case opts.DryRun:
			out.Outcome = "planned"
		default:
			out.Outcome = "offboarded"
		}
		results = append(results, out)
	}
	retry := ""
	if len(failed) > 0 && opts.retryArgs != nil {
		retry = opts.retryArgs(failed)
	}
	if f.JSON() {
		err = writeJSON(f.IO.Out, struct {
			ManagementUIN string           `json:"management_uin"`
			Members       []MemberOffboard `json:"members"`
			Failed        []string         `json:"failed"`
			RetryCommand  string           `json:"retry_command,omitempty"`
		}{info.ManagementUIN, results, append([]string{}, failed...), retry})
	} else {
		err = writeOrgOffboard(f, info.ManagementUIN, results, opts.DryRun, retry)
	}
	if err != nil {
		return err
	}
	switch {
	case len(failed) == 0:
		return nil
	case len(failed) == len(results):
		return fmt.Errorf("no member of the organization was offboarded: %s", strings.Join(failed, ", "))
	}
	return &PartialError{Err: fmt.Errorf("organization offboarding partly done: %d of %d members failed: %s", len(failed), len(results), strings.Join(failed, ", "))}
}

func offboardMember(ctx context.Context, d *dayTwo, opts *OffboardOptions, t memberTarget) (*onboarding.OffboardResult, error) {
	e, cl, err := d.memberEngine(ctx, &opts.DayTwoOptions, t, true)
	if err != nil {
		return nil, err
	}
	var res onboarding.OffboardResult
	if opts.DryRun {
		res, err = e.PlanOffboard(ctx, t.account)
	} else {
		res, err = e.Offboard(ctx, t.account, cl, opts.KeepInventory)
	}
	return &res, err
}

func writeOrgOffboard(f *Factory, managementUIN string, results []MemberOffboard, dryRun bool, retry string) error {
	var b strings.Builder
	if dryRun {
		b.WriteString("Plan (dry run: nothing was changed). ")
	}
	fmt.Fprintf(&b, "Organization managed by %s: %d members.\n", managementUIN, len(results))
	for _, m := range results {
		line := fmt.Sprintf("  %-14s %-20s %-11s %s", m.UIN, m.Name, m.Outcome, m.Error)
		b.WriteString(strings.TrimRight(line, " ") + "\n")
	}
	if _, err := fmt.Fprint(f.IO.Out, terminalSafeLines(store.Scrub(b.String()))); err != nil {
		return err
	}
	for _, m := range results {
		if m.Result == nil {
			continue
		}
		title := "Offboarded member " + m.UIN
		done := m.Result.Removed
		if dryRun {
			title, done = "Offboard plan of member "+m.UIN, m.Result.Planned
		}
		writeOffboard(f.IO.Out, title, done, *m.Result)
	}
	if retry != "" {
		_, err := fmt.Fprintf(f.IO.Out, "Retry just the members that failed, once the cause is fixed:\n  %s\n", retry)
		return err
	}
	return nil
}
