package cmd

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"onboard/onboarding"
	"onboard/securitycenter"
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

// runIfOrg checks the organization flags of a command of one account or, with --org, of its members; with
// --org it runs org on a day-two set-up of its own. It reports whether it ran (or refused the flags).
func runIfOrg(ctx context.Context, opts *DayTwoOptions, org func(*dayTwo) error) (bool, error) {
	if err := opts.org.usage(opts.Account, false); err != nil {
		return true, err
	}
	if !opts.org.Org {
		return false, nil
	}
	d, done, err := newDayTwo(ctx, opts)
	if err != nil {
		return true, err
	}
	defer done()
	return true, org(d)
}

// memberTarget is one chosen member and what this machine knows of it.
type memberTarget struct {
	member tencent.Member
	// account is the local name of its record, or its UIN when it has none.
	account string
	record  *store.Account
}

// orgTargets reads the organization and chooses its members. Without --members, only the members
// onboarded from here (those with a record) are chosen, unless every is set; a member named with
// --members is chosen even without one, as an interrupted offboard may have removed the record and left
// the ledger. A UIN named that is not a member is a usage error that lists the members.
func (d *dayTwo) orgTargets(ctx context.Context, sel orgSelection, every bool) (onboarding.OrganizationInfo, []memberTarget, error) {
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
		case len(named) == 0 && !every:
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
	role := o.org.MemberRole
	if t.record != nil {
		role = cmp.Or(role, t.record.MemberRole) // the role it was onboarded through
	}
	cred, err := onboarding.AssumeMember(ctx, d.admin, t.member.UIN, role)
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
	_, targets, err := d.orgTargets(ctx, opts.org, false)
	if err != nil {
		return nil, err
	}
	var all []onboarding.AccountStatus
	for _, t := range targets {
		if t.record == nil {
			all = append(all, memberBroken(t.account, t.member.UIN, "record", "member "+t.member.UIN+" ("+t.member.Name+") is not onboarded from here",
				"onboard tencent --org --members "+t.member.UIN))
			continue
		}
		e, _, err := d.memberEngine(ctx, opts, t, false)
		if err != nil {
			all = append(all, memberUnreachable(t.account, t.member.UIN, err))
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

// memberBroken is the status of a member account that could not be checked: one broken check saying why.
func memberBroken(account, uin, name, detail, fix string) onboarding.AccountStatus {
	return onboarding.AccountStatus{Account: account, Verdict: onboarding.VerdictBroken, Checks: []onboarding.Check{
		{Area: "organization member " + uin, Name: name, Verdict: onboarding.VerdictBroken, Detail: detail, Fix: fix}}}
}

// memberUnreachable is the status of a member account whose access role could not be assumed.
func memberUnreachable(account, uin string, err error) onboarding.AccountStatus {
	return memberBroken(account, uin, "member access", store.ScrubError(err).Error(),
		"let the management account assume the member access role in "+uin+" again (Tencent Cloud Organization, member access management)")
}

// MemberDayTwo is what a day-two command (offboard, repair, rotate-key, rollback) came to in one member
// of an organization.
type MemberDayTwo struct {
	UIN     string `json:"uin"`
	Name    string `json:"name"`
	Account string `json:"account"`
	// Outcome is the command's word for a member it finished (offboarded, repaired, rotated, rolled
	// back), or planned, partly done, skipped or failed.
	Outcome string `json:"outcome"`
	// Error says why the member failed, is partly done, or was skipped.
	Error  string `json:"error,omitempty"`
	Result any    `json:"result,omitempty"`
}

// memberSkipped is the outcome of a member the command leaves untouched: not onboarded from here.
const memberSkipped = "skipped"

// orgCommand is a day-two command as it runs in each chosen member of an organization, through the
// member's access role, one member after another (runOrg).
type orgCommand struct {
	// name is the command in messages ("repair"); done is the outcome of a member it finished ("repaired").
	name, done string
	dryRun     bool
	// every: without --members, every member of the organization is listed, those not onboarded from
	// here as skipped; otherwise only those onboarded from here are chosen.
	every bool
	// required: the member's Security Center client must be built (forAccount), checked in the pre-flight.
	required bool
	// onboarded says whether the member was onboarded from here, so that the command may touch it; nil
	// means it has a record here. Another installation's sub-user and key are never this one's to change.
	onboarded func(ctx context.Context, t memberTarget) (bool, error)
	// confirm asks, once the pre-flight passed and before the first change, whether to go on.
	confirm func(info onboarding.OrganizationInfo, run []memberTarget) error
	// run does the command in one member with the engine acting there. partly says what a run that did
	// not fail left undone; result is kept even when it failed.
	run func(ctx context.Context, e *onboarding.Engine, cl *tencent.Client, t memberTarget, progress func(onboarding.Event)) (result any, partly string, err error)
	// write prints the members' results below the summary lines (text output); nil prints none.
	write func(w io.Writer, members []MemberDayTwo)
}

// runOrg runs c in the chosen members of the organization: the selection and one pre-flight (every
// member's secret store and Security Center client) before the first change, then each member in turn;
// a member that fails does not stop the others. It prints one line per member and the command that
// retries the failed ones; exit 3 when some failed, 1 when all did.
//
// One member after another, not --parallel as tencent --org: every member's Security Center calls go to
// the one Alibaba Cloud account and its rate limits, the members' records share one secret store and
// database, a destructive command stops where the operator can follow it, and the output reads in order.
func runOrg(ctx context.Context, d *dayTwo, o *DayTwoOptions, c orgCommand) error {
	f := o.f
	info, targets, err := d.orgTargets(ctx, o.org, c.every)
	if err != nil {
		return err
	}
	results := make([]MemberDayTwo, len(targets))
	var run []memberTarget
	var problems []error
	seen := map[string]bool{}
	for i, t := range targets {
		results[i] = MemberDayTwo{UIN: t.member.UIN, Name: t.member.Name, Account: t.account}
		onboarded := t.record != nil
		if c.onboarded != nil {
			if onboarded, err = c.onboarded(ctx, t); err != nil {
				return err
			}
		}
		if !onboarded {
			results[i].Outcome, results[i].Error = memberSkipped, "not onboarded from here: left untouched"
			continue
		}
		run = append(run, t)
		if t.record == nil {
			continue
		}
		if err := d.forAccount(o, *t.record, c.required); err != nil && !seen[err.Error()] {
			seen[err.Error()] = true
			problems = append(problems, err)
		}
	}
	if len(problems) > 0 {
		return errors.Join(problems...)
	}
	if len(run) == 0 {
		return Usagef("no member of the organization managed by %s that was chosen is onboarded from here (see onboard accounts list): %s changed nothing", info.ManagementUIN, c.name)
	}
	if c.confirm != nil {
		if err := c.confirm(info, run); err != nil {
			return err
		}
	}
	var failed []string
	ran := 0
	for i, t := range targets {
		if results[i].Outcome == memberSkipped {
			continue
		}
		ran++
		out := &results[i]
		out.Outcome = onboarding.MemberFailed
		res, partly, err := c.runMember(ctx, d, o, t)
		out.Result = res
		switch {
		case err != nil:
			out.Error = store.ScrubError(err).Error()
		case partly != "":
			out.Outcome, out.Error = onboarding.MemberPartlyDone, store.Scrub(partly)
		case c.dryRun:
			out.Outcome = onboarding.MemberPlanned
		default:
			out.Outcome = c.done
		}
		if out.Outcome == onboarding.MemberFailed || out.Outcome == onboarding.MemberPartlyDone {
			failed = append(failed, t.member.UIN)
		}
	}
	retry := ""
	if len(failed) > 0 && o.retryArgs != nil {
		retry = o.retryArgs(failed)
	}
	if f.JSON() {
		err = writeJSON(f.IO.Out, struct {
			ManagementUIN string         `json:"management_uin"`
			Members       []MemberDayTwo `json:"members"`
			Failed        []string       `json:"failed"`
			RetryCommand  string         `json:"retry_command,omitempty"`
		}{info.ManagementUIN, results, append([]string{}, failed...), retry})
	} else {
		err = writeOrgDayTwo(f.IO.Out, info.ManagementUIN, results, c, retry)
	}
	if err != nil {
		return err
	}
	switch {
	case ctx.Err() != nil:
		return fmt.Errorf("%s the organization's members: %w", c.name, ctx.Err())
	case len(failed) == 0:
		return nil
	case len(failed) == ran:
		return fmt.Errorf("%s: no member of the organization was %s: %s", c.name, c.done, strings.Join(failed, ", "))
	}
	return &PartialError{Err: fmt.Errorf("%s of the organization's members partly done: %d of %d members failed: %s", c.name, len(failed), ran, strings.Join(failed, ", "))}
}

// runMember runs c in one member through its access role, its engine events prefixed with its UIN.
func (c orgCommand) runMember(ctx context.Context, d *dayTwo, o *DayTwoOptions, t memberTarget) (any, string, error) {
	e, cl, err := d.memberEngine(ctx, o, t, c.required)
	if err != nil {
		return nil, "", err
	}
	f := o.f
	progress := func(ev onboarding.Event) {
		if !f.JSON() {
			fmt.Fprintf(f.IO.ErrOut, "[%s] %-7s %s %s\n", t.member.UIN, ev.Status, ev.Title, terminalSafeLines(store.Scrub(ev.Detail)))
		}
	}
	return c.run(ctx, e, cl, t, progress)
}

// writeOrgDayTwo prints one line per member, then what c writes of their results, then the retry command.
func writeOrgDayTwo(w io.Writer, managementUIN string, results []MemberDayTwo, c orgCommand, retry string) error {
	var b strings.Builder
	if c.dryRun {
		b.WriteString("Plan (dry run: nothing was changed). ")
	}
	fmt.Fprintf(&b, "Organization managed by %s: %d members.\n", managementUIN, len(results))
	for _, m := range results {
		line := fmt.Sprintf("  %-14s %-20s %-11s %s", m.UIN, m.Name, m.Outcome, m.Error)
		b.WriteString(strings.TrimRight(line, " ") + "\n")
	}
	if _, err := io.WriteString(w, terminalSafeLines(store.Scrub(b.String()))); err != nil {
		return err
	}
	if c.write != nil {
		c.write(w, results)
	}
	if retry != "" {
		_, err := fmt.Fprintf(w, "Retry just the members that failed, once the cause is fixed:\n  %s\n", retry)
		return err
	}
	return nil
}

// offboardOrg offboards each chosen member through its access role, after the management account's UIN
// is typed (or --yes). It takes the members recorded here, or those --members names even without a
// record: an interrupted offboard may have removed the record and left the ledger.
func offboardOrg(ctx context.Context, d *dayTwo, opts *OffboardOptions) error {
	f := opts.f
	return runOrg(ctx, d, &opts.DayTwoOptions, orgCommand{
		name: "offboard", done: "offboarded", dryRun: opts.DryRun, required: true,
		onboarded: func(context.Context, memberTarget) (bool, error) { return true, nil },
		confirm: func(info onboarding.OrganizationInfo, run []memberTarget) error {
			if opts.Yes || opts.DryRun {
				return nil
			}
			var names []string
			for _, t := range run {
				names = append(names, fmt.Sprintf("%s (%s)", t.member.UIN, t.member.Name))
			}
			fmt.Fprintf(f.IO.ErrOut, "This removes everything onboard created in %d members of the organization managed by %s: %s.\nType the management account's UIN to confirm: ",
				len(run), info.ManagementUIN, terminalSafe(strings.Join(names, ", ")))
			if !typed(f.IO.In, info.ManagementUIN) {
				return fmt.Errorf("offboard the organization's members: the typed UIN does not match; nothing was changed")
			}
			return nil
		},
		run: func(ctx context.Context, e *onboarding.Engine, cl *tencent.Client, t memberTarget, _ func(onboarding.Event)) (any, string, error) {
			var res onboarding.OffboardResult
			var err error
			if opts.DryRun {
				res, err = e.PlanOffboard(ctx, t.account)
			} else {
				res, err = e.Offboard(ctx, t.account, cl, opts.KeepInventory)
			}
			if len(res.Removed) == 0 && len(res.Planned) == 0 && len(res.Left) == 0 && len(res.Reused) == 0 {
				return nil, "", err
			}
			return &res, "", err
		},
		write: func(w io.Writer, members []MemberDayTwo) {
			for _, m := range members {
				res, ok := m.Result.(*onboarding.OffboardResult)
				if !ok {
					continue
				}
				title, done := "Offboarded member "+m.UIN, res.Removed
				if opts.DryRun {
					title, done = "Offboard plan of member "+m.UIN, res.Planned
				}
				writeOffboard(w, title, done, *res)
			}
		},
	})
}

// repairOrg repairs each chosen member onboarded from here, as repair --account does one account.
func repairOrg(ctx context.Context, d *dayTwo, opts *DayTwoOptions) error {
	return runOrg(ctx, d, opts, orgCommand{
		name: "repair", done: "repaired", dryRun: opts.DryRun, every: true, required: true,
		run: func(ctx context.Context, e *onboarding.Engine, _ *tencent.Client, t memberTarget, progress func(onboarding.Event)) (any, string, error) {
			if opts.DryRun {
				plan, err := e.PlanRepair(ctx, t.account)
				if err != nil {
					return nil, "", err
				}
				return &plan, "", nil
			}
			res, err := e.Repair(ctx, t.account, progress)
			if err != nil {
				return nil, "", err
			}
			return &res, strings.Join(res.PartlyDone, "; "), nil
		},
		write: func(w io.Writer, members []MemberDayTwo) {
			for _, m := range members {
				switch r := m.Result.(type) {
				case *onboarding.Plan:
					writePlan(w, "Repair plan of member "+m.UIN+":", *r)
				case *onboarding.Result:
					if len(r.Created)+len(r.Removed) > 0 {
						var b strings.Builder
						fmt.Fprintf(&b, "Repaired member %s:\n", m.UIN)
						for _, c := range r.Created {
							fmt.Fprintf(&b, "  - created %s\n", c)
						}
						for _, c := range r.Removed {
							fmt.Fprintf(&b, "  - removed %s\n", c)
						}
						io.WriteString(w, terminalSafeLines(store.Scrub(b.String())))
					}
				}
			}
		},
	})
}

// rotateKeyOrg rotates the sub-user key of each chosen member onboarded from here: the new key goes to
// Security Center and to the secret store under the member's record, and the old one is deleted, as
// rotate-key --account does one account.
func rotateKeyOrg(ctx context.Context, d *dayTwo, opts *DayTwoOptions, grace time.Duration) error {
	return runOrg(ctx, d, opts, orgCommand{
		name: "rotate-key", done: "rotated", every: true, required: true,
		run: func(ctx context.Context, e *onboarding.Engine, _ *tencent.Client, t memberTarget, progress func(onboarding.Event)) (any, string, error) {
			res, err := e.RotateKey(ctx, t.account, grace, progress)
			if res.Account == "" {
				return nil, "", err
			}
			return &res, "", err
		},
		write: func(w io.Writer, members []MemberDayTwo) {
			for _, m := range members {
				if r, ok := m.Result.(*onboarding.RotateResult); ok {
					writeRotation(w, *r)
				}
			}
		},
	})
}

// rollbackOrg rolls back, in each chosen member onboarded from here (a record, or a ledger an interrupted
// run left), what onboard created there, as tencent --rollback does one account.
func rollbackOrg(ctx context.Context, d *dayTwo, opts *DayTwoOptions, tencentOpts *TencentOptions) error {
	return runOrg(ctx, d, opts, orgCommand{
		name: "roll back", done: "rolled back", every: true, required: true,
		onboarded: func(ctx context.Context, t memberTarget) (bool, error) {
			if t.record != nil {
				return true, nil
			}
			entries, err := d.db.Ledger(ctx, t.account)
			return len(entries) > 0, err
		},
		run: func(ctx context.Context, e *onboarding.Engine, cl *tencent.Client, t memberTarget, _ func(onboarding.Event)) (any, string, error) {
			if t.record == nil {
				// No record names the site: the one the flags name, as tencent --rollback does.
				site := cmp.Or(tencentOpts.Request.Site, string(securitycenter.SiteMainland))
				if sc, _, err := newSecurityCenter(opts.f, tencentOpts, site); err == nil {
					e.SecurityCenter = sc
				}
			}
			res, err := e.Rollback(ctx, t.account, cl)
			res.Removed, res.Left, res.Kept = nonNilStrings(res.Removed), nonNilStrings(res.Left), nonNilStrings(res.Kept)
			partly := ""
			if err == nil && len(res.Left) > 0 {
				partly = "not removed: " + strings.Join(res.Left, "; ")
			}
			return &res, partly, err
		},
		write: func(w io.Writer, members []MemberDayTwo) {
			for _, m := range members {
				if r, ok := m.Result.(*onboarding.RollbackResult); ok {
					writeRollback(w, "member "+m.UIN, *r, m.Outcome != onboarding.MemberFailed)
				}
			}
		},
	})
}
