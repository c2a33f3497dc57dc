package cmd

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"onboard/inventory"
	"onboard/onboarding"
	"onboard/store"
	"onboard/tencent"
)

// DayTwoOptions are the inputs that status, repair, rotate-key and offboard share: which account, and the
// operator's keys for both clouds (the same sources as onboard tencent).
type DayTwoOptions struct {
	f                      *Factory
	Account                string
	All                    bool
	Profile                string
	Endpoint               string
	AlibabaProfile         string
	SecurityCenterEndpoint string
	InsecureStorage        bool
	DryRun                 bool
	// org chooses the members of an organization instead of --account (status, repair, rotate-key,
	// offboard).
	org orgSelection
	// retryArgs rebuilds this command line for the retry of some members, every flag given kept
	// (--sandbox, --member-role, --keep-inventory, ...).
	retryArgs func(members []string) string
	// readOnly opens the database read-only (status changes nothing, and works on a read-only home).
	readOnly bool
}

func (o *DayTwoOptions) addFlags(cmd *cobra.Command, all bool) {
	fl := cmd.Flags()
	fl.StringVar(&o.Account, "account", "", "the onboarded account (see onboard accounts list); default: the only one")
	if all {
		fl.BoolVar(&o.All, "all", false, "every onboarded account")
	}
	fl.StringVar(&o.Profile, "profile", "", "Tencent Cloud credentials profile of the operator (tccli or ~/.tencentcloud/credentials)")
	fl.StringVar(&o.Endpoint, "tencent-endpoint", "", "send Tencent Cloud calls to this http(s)://HOST[:PORT] (env ONBOARD_TENCENT_ENDPOINT)")
	fl.StringVar(&o.AlibabaProfile, "alibaba-profile", "", "aliyun CLI profile with the Alibaba Cloud credentials for Security Center")
	fl.StringVar(&o.SecurityCenterEndpoint, "security-center-endpoint", "", "send Security Center calls to this http(s)://HOST[:PORT] (env ONBOARD_SECURITY_CENTER_ENDPOINT)")
	fl.BoolVar(&o.InsecureStorage, "insecure-storage", false, "the keys are in the file store ($ONBOARD_HOME/secrets.json)")
}

// errNoAccounts says no account is recorded here.
var errNoAccounts = errors.New("no onboarded account: run onboard tencent first")

// chooseAccounts resolves --account and --all: the named account, every account, or the only one.
func chooseAccounts(ctx context.Context, db *store.DB, name string, all bool) ([]store.Account, error) {
	if all && name != "" {
		return nil, Usagef("--account and --all cannot be used together")
	}
	if name != "" {
		a, err := db.Account(ctx, name)
		if err != nil {
			return nil, &UsageError{Err: fmt.Errorf("--account %q: %w; see onboard accounts list", name, err)}
		}
		return []store.Account{a}, nil
	}
	accounts, err := db.Accounts(ctx)
	if err != nil {
		return nil, err
	}
	switch {
	case len(accounts) == 0:
		return nil, &UsageError{Err: errNoAccounts}
	case all || len(accounts) == 1:
		return accounts, nil
	}
	names := make([]string, len(accounts))
	for i, a := range accounts {
		names[i] = a.Name
	}
	return nil, Usagef("several accounts are onboarded: choose one with --account (%s)", strings.Join(names, ", "))
}

// dayTwo is an engine with the operator's keys, and what it was built from.
type dayTwo struct {
	engine  *onboarding.Engine
	admin   *tencent.Client
	db      *store.DB
	secrets store.SecretStore
	// newClient builds a Tencent Cloud client of other credentials (a member's, through its access role).
	newClient func(tencent.Credential) (*tencent.Client, error)
	// adminKeyID is the operator's SecretId, the engine's OperatorKeyID when it acts with admin.
	adminKeyID string
	// caller and organization are read once, by the first account record that needs them (inAccount).
	caller       *tencent.Identity
	organization *onboarding.OrganizationInfo
}

// newDayTwo opens the store and the secret store and builds an engine with the operator's Tencent Cloud
// key. Security Center's client depends on the account's site: forAccount sets it.
func newDayTwo(ctx context.Context, o *DayTwoOptions) (*dayTwo, func(), error) {
	f := o.f
	userHome, _ := os.UserHomeDir()
	cred, source, err := tencent.ResolveCredentials(tencent.CredentialSources{Profile: o.Profile, Getenv: f.Getenv, Home: userHome})
	if err != nil {
		return nil, nil, err
	}
	if inSandbox(f) {
		source.Description = "the sandbox demo key"
	}
	endpoint := o.Endpoint
	if endpoint == "" {
		endpoint = f.Getenv("ONBOARD_TENCENT_ENDPOINT")
	}
	newClient := func(c tencent.Credential) (*tencent.Client, error) {
		rememberTencent(c)
		cl, err := tencent.New(tencent.Options{Credential: c, Endpoint: endpoint, Logger: f.Logger})
		if err != nil {
			return nil, &UsageError{Err: err}
		}
		return cl, nil
	}
	admin, err := newClient(cred)
	if err != nil {
		return nil, nil, err
	}
	open := openStore
	if o.readOnly {
		open = openStoreReadOnly
	}
	db, err := open(ctx, f)
	if err != nil {
		return nil, nil, err
	}
	secrets, err := openSecrets(f, o.InsecureStorage)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	installation, err := installationID(f)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	fmt.Fprintf(f.IO.ErrOut, "Using Tencent Cloud credentials from %s\n", source)
	e := &onboarding.Engine{Cloud: admin, DB: db, Secrets: secrets, PropagationWait: 30 * time.Second, OperatorKeyID: cred.SecretID, Installation: installation,
		NewVerifier:        func(c tencent.Credential) (onboarding.Verifier, error) { return newClient(c) },
		NewInventory:       func(c tencent.Credential) (inventory.Cloud, error) { return newClient(c) },
		InventoryUnlimited: inSandbox(f)}
	return &dayTwo{engine: e, admin: admin, db: db, secrets: secrets, newClient: newClient, adminKeyID: cred.SecretID}, func() { db.Close() }, nil
}

// engineProgress prints each engine event as a line on stderr, unless the output is JSON (which is
// printed once, at the end).
func engineProgress(f *Factory) func(onboarding.Event) {
	return func(e onboarding.Event) {
		if !f.JSON() {
			fmt.Fprintf(f.IO.ErrOut, "%-7s %s %s\n", e.Status, e.Title, terminalSafeLines(store.Scrub(e.Detail)))
		}
	}
}

// newDayTwoOfAccount is newDayTwo for a command that works on one onboarded account: the one --account
// names, or the only one there is.
func newDayTwoOfAccount(ctx context.Context, o *DayTwoOptions) (*dayTwo, store.Account, func(), error) {
	d, done, err := newDayTwo(ctx, o)
	if err != nil {
		return nil, store.Account{}, nil, err
	}
	accounts, err := chooseAccounts(ctx, d.db, o.Account, false)
	if err != nil {
		done()
		return nil, store.Account{}, nil, err
	}
	return d, accounts[0], done, nil
}

// forAccount gives the engine the Security Center client of the account's site; without Alibaba Cloud
// credentials it stays nil (status then says Security Center was not checked).
func (d *dayTwo) forAccount(o *DayTwoOptions, a store.Account, required bool) error {
	// The account's key lives in the store it was onboarded with, whatever this run's flags say.
	secrets, err := openAccountSecrets(o.f, a, o.InsecureStorage)
	if err != nil {
		return err
	}
	d.engine.Secrets, d.secrets = secrets, secrets
	d.engine.SecurityCenter = nil
	if a.AuthID == "" {
		return nil
	}
	sc, _, err := newSecurityCenter(o.f, &TencentOptions{AlibabaProfile: o.AlibabaProfile, SecurityCenterEndpoint: o.SecurityCenterEndpoint}, a.Site)
	if err != nil {
		if required {
			return err
		}
		return nil
	}
	d.engine.SecurityCenter = sc
	return nil
}

// inAccount readies the engine for the account of record a (forAccount) and makes it act in that
// account: with the operator's key when the key is that account's, or through the member access role
// (--member-role; else the role the record says the member was onboarded through; else
// tencent.MemberAccessRole) when a is a member of the organization the key's
// account manages, as --org reaches it; the management account's own key cannot read or change a
// member's CAM. It returns the Tencent Cloud client acting there.
func (d *dayTwo) inAccount(ctx context.Context, o *DayTwoOptions, a store.Account, required bool) (*tencent.Client, error) {
	if err := d.forAccount(o, a, required); err != nil {
		return nil, err
	}
	return d.actIn(ctx, a, o.org.MemberRole)
}

// actIn makes the engine act in the account of record a, as inAccount does, and returns the Tencent
// Cloud client acting there.
func (d *dayTwo) actIn(ctx context.Context, a store.Account, role string) (*tencent.Client, error) {
	d.engine.Cloud, d.engine.OperatorKeyID = d.admin, d.adminKeyID
	member, err := d.isMember(ctx, a.OwnerUIN)
	if err != nil || !member {
		return d.admin, err
	}
	cred, err := onboarding.AssumeMember(ctx, d.admin, a.OwnerUIN, cmp.Or(role, a.MemberRole))
	if err != nil {
		return nil, &memberAccessError{Account: a.Name, UIN: a.OwnerUIN, ManagementUIN: d.organization.ManagementUIN, Err: err}
	}
	cl, err := d.newClient(cred)
	if err != nil {
		return nil, err
	}
	d.engine.Cloud, d.engine.OperatorKeyID = cl, cred.SecretID
	return cl, nil
}

// isMember reports whether account uin is a member of the organization the operator's key's account
// manages. A key of that very account, or one that may not read the organization, acts with itself.
func (d *dayTwo) isMember(ctx context.Context, uin string) (bool, error) {
	if uin == "" {
		return false, nil
	}
	if d.caller == nil {
		id, err := d.admin.CallerIdentity(ctx)
		if err != nil {
			return false, err
		}
		d.caller = &id
	}
	if d.caller.OwnerUIN == uin {
		return false, nil
	}
	if d.organization == nil {
		info, err := onboarding.DescribeOrganization(ctx, d.admin)
		switch {
		case errors.Is(err, tencent.ErrDenied):
			// Not allowed to read the organization: the key acts as itself, and the engine says whose key it is.
		case err != nil:
			return false, err
		}
		d.organization = &info
	}
	if !d.organization.IsManagement {
		return false, nil
	}
	for _, m := range d.organization.Members {
		if m.UIN == uin {
			return true, nil
		}
	}
	return false, nil
}

// memberAccessError is a member account the management account's key could not act in: its member
// access role could not be assumed.
type memberAccessError struct {
	Account, UIN, ManagementUIN string
	Err                         error
}

func (e *memberAccessError) Error() string {
	return fmt.Sprintf("account %q is a member of the organization managed by %s: %v", e.Account, e.ManagementUIN, e.Err)
}

func (e *memberAccessError) Unwrap() error { return e.Err }
