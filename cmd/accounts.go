package cmd

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"onboard/onboarding"
	"onboard/policy"
	"onboard/store"
)

// AccountsOptions are the inputs of `onboard accounts list|show`.
type AccountsOptions struct {
	f       *Factory
	Name    string // show only
	Columns string // list only: the text table's columns, comma-separated
}

// accountColumns are the columns the text table of accounts list can show, with their titles.
var accountColumns = []struct{ name, title string }{
	{"name", "NAME"}, {"owner_uin", "OWNER UIN"}, {"sub_user", "SUB-USER"}, {"sub_user_uin", "SUB-USER UIN"},
	{"access_key_id", "KEY"}, {"features", "FEATURES"}, {"regions", "REGIONS"}, {"security_center", "SECURITY CENTER"},
	{"updated", "UPDATED"},
}

// accountDefaultColumns are the columns accounts list shows unless --columns says otherwise.
const accountDefaultColumns = "name,owner_uin,sub_user,features,updated"

// accountShrink are the free-text columns a table on a narrow terminal cuts, in this order: the lists
// first, the names that identify an account last.
var accountShrink = []string{"features", "regions", "security_center", "sub_user", "name"}

func accountColumnNames() []string {
	out := make([]string, len(accountColumns))
	for i, c := range accountColumns {
		out[i] = c.name
	}
	return out
}

func newCmdAccounts(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "accounts",
		Short:   "The onboarded accounts this machine knows",
		Example: "  onboard accounts list\n  onboard accounts show prod --output json\n  onboard accounts reveal-key prod --to key.txt",
	}
	listOpts := &AccountsOptions{f: f}
	list := &cobra.Command{
		Use:   "list",
		Short: "List onboarded accounts",
		Long: `List the onboarded accounts. On a terminal the table fits its width: the long cells are cut with "…"
(piped output never is); choose the columns with --columns.`,
		Example: "  onboard accounts list\n  onboard accounts list --columns name,sub_user,access_key_id,regions\n" +
			"  onboard accounts list --output csv > accounts.csv\n  onboard accounts list --sandbox",
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			return accountsListRun(c.Context(), listOpts)
		},
	}
	list.Flags().StringVar(&listOpts.Columns, "columns", accountDefaultColumns,
		"the table's columns, comma-separated: "+strings.Join(accountColumnNames(), ", "))
	show := &cobra.Command{
		Use:     "show NAME",
		Short:   "Show one onboarded account",
		Example: "  onboard accounts show prod\n  onboard accounts show prod --output json",
		Args:    cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			return accountsShowRun(c.Context(), &AccountsOptions{f: f, Name: args[0]})
		},
	}
	var to string
	var insecure bool
	reveal := &cobra.Command{
		Use:   "reveal-key NAME",
		Short: "Show the sub-user's SecretKey, to enter it in Security Center's console by hand",
		Long: `Show the sub-user's SecretId and SecretKey, as Security Center's console asks for them when onboard
does not submit the key itself. The key goes to the terminal only: when standard output is not a terminal,
name a file with --to, which is created with mode 0600 and must not exist yet.`,
		Example: "  onboard accounts reveal-key prod\n  onboard accounts reveal-key prod --to key.txt\n  onboard accounts reveal-key demo --sandbox",
		Args:    cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			return accountsRevealRun(c.Context(), &AccountsOptions{f: f, Name: args[0]}, to, insecure)
		},
	}
	reveal.Flags().StringVar(&to, "to", "", "write the key to this new `FILE` (mode 0600) instead of the terminal")
	reveal.Flags().BoolVar(&insecure, "insecure-storage", false, "the key is in the file store ($ONBOARD_HOME/secrets.json); only for accounts onboarded before onboard recorded the store")
	addSandboxFlag(list, f)
	addSandboxFlag(show, f)
	addSandboxFlag(reveal, f)
	cmd.AddCommand(list, show, reveal)
	return cmd
}

func accountsRevealRun(ctx context.Context, opts *AccountsOptions, to string, insecure bool) error {
	f := opts.f
	if to == "" && !f.IO.IsStdoutTTY() {
		return Usagef("standard output is not a terminal: the key is shown only on a terminal, or written to a new file with --to FILE")
	}
	db, err := openStoreReadOnly(ctx, f)
	if err != nil {
		return err
	}
	defer db.Close()
	a, err := db.Account(ctx, opts.Name)
	if err != nil {
		return &UsageError{Err: fmt.Errorf("%w; see onboard accounts list", err)}
	}
	secrets, err := openAccountSecrets(f, a, insecure)
	if err != nil {
		return err
	}
	cred, err := secrets.Get(ctx, a.SecretItem)
	if err != nil {
		return fmt.Errorf("read the key of %q from the %s: %w", a.Name, storeLabel(f, secrets.Kind()), err)
	}
	text := fmt.Sprintf("SecretId:  %s\nSecretKey: %s\n", cred.SecretID, cred.SecretKey.Reveal())
	if to == "" {
		_, err := io.WriteString(f.IO.Out, text)
		return err
	}
	file, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return &UsageError{Err: fmt.Errorf("--to %s: %w (the file must not exist yet)", to, err)}
	}
	if _, err := io.WriteString(file, text); err != nil {
		file.Close()
		return err
	}
	if err := file.Close(); err != nil {
		return err
	}
	fmt.Fprintf(f.IO.ErrOut, "Wrote the key of %q to %s (mode 0600); delete the file once the key is entered.\n", a.Name, to)
	return nil
}

func openStore(ctx context.Context, f *Factory) (*store.DB, error) {
	home, err := store.Home(f.Getenv)
	if err != nil {
		return nil, err
	}
	return store.Open(ctx, filepath.Join(home, store.DBFile))
}

// openStoreReadOnly opens the state database for a command that only reads it: nothing is created,
// migrated or chmod'ed, so it works on a read-only home.
func openStoreReadOnly(ctx context.Context, f *Factory) (*store.DB, error) {
	home, err := store.HomePath(f.Getenv)
	if err != nil {
		return nil, err
	}
	return store.OpenReadOnly(ctx, filepath.Join(home, store.DBFile))
}

// openSecrets returns the secret store the environment chooses: the OS keyring, or the file store in
// ONBOARD_HOME with insecure (--insecure-storage) or ONBOARD_SECRET_STORE=file.
func openSecrets(f *Factory, insecure bool) (store.SecretStore, error) {
	home, err := store.Home(f.Getenv)
	if err != nil {
		return nil, err
	}
	secrets, err := store.SecretStoreFromEnv(home, insecure, f.Getenv, secretStoreWarnings(f))
	if err != nil {
		return nil, &UsageError{Err: err}
	}
	return secrets, nil
}

// openAccountSecrets opens the secret store the account records as holding its key, so that a store
// chosen once at onboarding (--insecure-storage) needs no repeating. An account recorded before the
// store was (no kind) gets the store the flag or environment chooses.
func openAccountSecrets(f *Factory, a store.Account, insecure bool) (store.SecretStore, error) {
	if a.SecretStore == "" {
		return openSecrets(f, insecure)
	}
	home, err := store.Home(f.Getenv)
	if err != nil {
		return nil, err
	}
	return store.OpenSecretStore(a.SecretStore, home, f.Getenv, secretStoreWarnings(f))
}

// secretStoreWarnings is where the file store warns that it keeps secrets unencrypted; the sandbox's
// file store holds only emulated keys, and the user chose nothing, so it does not warn.
func secretStoreWarnings(f *Factory) io.Writer {
	if inSandbox(f) {
		return io.Discard
	}
	return f.IO.ErrOut
}

// inSandbox reports whether the command runs against the sandbox's emulators.
func inSandbox(f *Factory) bool { return f.Sandbox != nil }

// storeLabel names a secret store kind for people: the sandbox's is its own.
func storeLabel(f *Factory, kind string) string {
	switch {
	case inSandbox(f):
		return "sandbox file store"
	case kind == "keyring":
		return "OS keyring"
	case kind == "file":
		return "file store"
	}
	return kind + " secret store"
}

// accountView is an account as the commands print it; it holds no secret.
type accountView struct {
	Name        string         `json:"name"`
	OwnerUIN    string         `json:"owner_uin"`
	SubUser     string         `json:"sub_user"`
	SubUserUIN  string         `json:"sub_user_uin"`
	AccessKeyID string         `json:"access_key_id"`
	SecretItem  string         `json:"secret_item"`
	Features    []string       `json:"features"`
	Regions     []string       `json:"regions"`
	AuditLog    store.AuditLog `json:"audit_log"`
	UpdatedAt   string         `json:"updated_at"`
	// Grants are the policies attached to the sub-user (empty for records made before they were kept).
	Grants []string `json:"grants"`
	// SecurityCenter is the Security Center side as onboard recorded it; nil when it was skipped.
	SecurityCenter *securityCenterView `json:"security_center,omitempty"`
	// Reminders are what must be kept in mind (never delete or disable the sub-user or its key).
	Reminders []string `json:"reminders"`
}

// securityCenterView is an account's Security Center side, as recorded when it was submitted.
type securityCenterView struct {
	AuthID           string   `json:"auth_id"`
	Status           string   `json:"status"`
	Site             string   `json:"site"`
	DisplayName      string   `json:"display_name"`
	Modules          []string `json:"modules"`
	Regions          []string `json:"regions"`
	RegionManagement bool     `json:"region_management"`
	HostSync         string   `json:"host_sync"`
	CloudSync        string   `json:"cloud_sync,omitempty"`
	AKCheck          string   `json:"ak_check"`
	// AuditLog is the audit-log delivery Security Center consumes (feature audit).
	AuditLog *store.AuditLog `json:"audit_log,omitempty"`
}

func viewOf(a store.Account) accountView {
	return accountView{Name: a.Name, OwnerUIN: a.OwnerUIN, SubUser: a.SubUserName, SubUserUIN: a.SubUserUIN, AccessKeyID: a.AccessKeyID,
		SecretItem: a.SecretItem, Features: nonNilStrings(a.Features), Regions: nonNilStrings(a.Regions), AuditLog: a.Audit,
		UpdatedAt: a.UpdatedAt.Format("2006-01-02T15:04:05Z"), Grants: nonNilStrings(a.Grants), Reminders: accountReminders(a)}
}

// withSecurityCenter adds the Security Center side to the view of a submitted account.
func (v accountView) withSecurityCenter(a store.Account) accountView {
	if a.AuthID == "" {
		return v
	}
	sc := &securityCenterView{AuthID: a.AuthID, Status: a.SecurityCenterStatus, Site: a.Site, DisplayName: a.DisplayName,
		Modules: nonNilStrings(onboarding.SecurityCenterModuleNames(a.Features)), Regions: nonNilStrings(a.Regions),
		RegionManagement: a.RegionManagement, HostSync: a.HostSync, CloudSync: a.CloudSync, AKCheck: a.AKCheck}
	if slices.Contains(a.Features, policy.FeatureAudit) {
		audit := a.Audit
		sc.AuditLog = &audit
	}
	v.SecurityCenter = sc
	return v
}

// accountReminders are Security Center's warnings that hold for as long as the account is connected.
func accountReminders(a store.Account) []string {
	out := []string{onboarding.KeepReminder(a.SubUserName, a.AccessKeyID)}
	if slices.Contains(a.Grants, policy.CSPMPolicy) {
		out = append(out, "Keep cspmPolicy up to date: "+onboarding.CSPMPolicyReminder)
	}
	return out
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func accountsListRun(ctx context.Context, opts *AccountsOptions) error {
	var columns, header []string
	for _, c := range splitList(opts.Columns) {
		i := slices.IndexFunc(accountColumns, func(ac struct{ name, title string }) bool { return ac.name == c })
		if i < 0 {
			return Usagef("invalid --columns: unknown column %q; valid columns are %s", c, strings.Join(accountColumnNames(), ", "))
		}
		columns, header = append(columns, c), append(header, accountColumns[i].title)
	}
	if len(columns) == 0 {
		return Usagef("invalid --columns: empty; valid columns are %s", strings.Join(accountColumnNames(), ", "))
	}
	db, err := openStoreReadOnly(ctx, opts.f)
	if err != nil {
		return err
	}
	defer db.Close()
	accounts, err := db.Accounts(ctx)
	if err != nil {
		return err
	}
	views := []accountView{}
	for _, a := range accounts {
		views = append(views, viewOf(a))
	}
	if opts.f.JSON() {
		return writeJSON(opts.f.IO.Out, views)
	}
	if opts.f.CSV() {
		rows := [][]string{{"name", "owner_uin", "sub_user", "features", "updated_at"}}
		for _, v := range views {
			rows = append(rows, []string{v.Name, v.OwnerUIN, v.SubUser, strings.Join(v.Features, ","), v.UpdatedAt})
		}
		return writeCSV(opts.f.IO.Out, rows)
	}
	if len(views) == 0 {
		_, err := fmt.Fprintln(opts.f.IO.Out, "No onboarded accounts yet: run onboard tencent.")
		return err
	}
	table := newTextTable(opts.f.IO.Out, columns, header, accountShrink, opts.f.IO.TerminalWidth())
	for i, v := range views {
		sc := "-"
		if a := accounts[i]; a.AuthID != "" {
			sc = a.AuthID + " " + dash(a.SecurityCenterStatus)
		}
		cells := map[string]string{"name": terminalSafe(v.Name), "owner_uin": terminalSafe(v.OwnerUIN), "sub_user": terminalSafe(v.SubUser),
			"sub_user_uin": dash(terminalSafe(v.SubUserUIN)), "access_key_id": dash(terminalSafe(v.AccessKeyID)),
			"features": dash(terminalSafe(strings.Join(v.Features, ","))), "regions": dash(terminalSafe(strings.Join(v.Regions, ","))),
			"security_center": terminalSafe(sc), "updated": v.UpdatedAt}
		if err := table.add(cells); err != nil {
			return err
		}
	}
	return table.flush()
}

func accountsShowRun(ctx context.Context, opts *AccountsOptions) error {
	db, err := openStoreReadOnly(ctx, opts.f)
	if err != nil {
		return err
	}
	defer db.Close()
	a, err := db.Account(ctx, opts.Name)
	if err != nil {
		return &UsageError{Err: fmt.Errorf("%w; see onboard accounts list", err)}
	}
	v := viewOf(a).withSecurityCenter(a)
	if opts.f.JSON() {
		return writeJSON(opts.f.IO.Out, v)
	}
	w := tabwriter.NewWriter(opts.f.IO.Out, 0, 4, 2, ' ', 0)
	for _, row := range [][2]string{{"Name", v.Name}, {"Owner UIN", v.OwnerUIN}, {"Sub-user", v.SubUser + " (UIN " + v.SubUserUIN + ")"},
		{"API key", v.AccessKeyID}, {"Secret store item", v.SecretItem}, {"Features", strings.Join(v.Features, ", ")}, {"Updated", v.UpdatedAt}} {
		fmt.Fprintf(w, "%s:\t%s\n", row[0], terminalSafe(row[1]))
	}
	writeAccountDetails(w, v)
	return w.Flush()
}

// writeAccountDetails writes the grants, the Security Center side and the reminders of an account.
func writeAccountDetails(w io.Writer, v accountView) {
	// Every value may come from the cloud or the user: each is escaped for the terminal.
	e := terminalSafe
	if len(v.Grants) > 0 {
		fmt.Fprintf(w, "Grants:\t%s\n", e(strings.Join(v.Grants, ", ")))
	}
	if sc := v.SecurityCenter; sc != nil {
		status := sc.Status
		if status == "" {
			status = "not recorded"
		}
		fmt.Fprintf(w, "Security Center:\t%s site, account %q, AuthId %s, status %s when recorded\n", e(sc.Site), e(sc.DisplayName), e(sc.AuthID), e(status))
		fmt.Fprintf(w, "  Modules:\t%s\n", e(strings.Join(sc.Modules, ", ")))
		regions := strings.Join(sc.Regions, ", ")
		if regions == "" {
			regions = "all"
		}
		fmt.Fprintf(w, "  Regions:\t%s (new regions join automatically: %s)\n", e(regions), map[bool]string{true: "yes", false: "no"}[sc.RegionManagement])
		freq := "host sync " + sc.HostSync
		if sc.CloudSync != "" {
			freq += ", cloud-service sync " + sc.CloudSync
		}
		fmt.Fprintf(w, "  Frequencies:\t%s, AK status check %s\n", e(freq), e(sc.AKCheck))
		if a := sc.AuditLog; a != nil {
			fmt.Fprintf(w, "  Audit logs:\tKafka topic %s, logset %s in %s, CLS topic %s, CloudAudit tracking set %s\n", e(a.KafkaTopic), e(a.LogsetID), e(a.Region), e(a.TopicID), e(a.TrackID))
		}
	} else {
		fmt.Fprintf(w, "Security Center:\tnot submitted by onboard (--security-center skip): see the console\n")
	}
	for _, r := range v.Reminders {
		fmt.Fprintf(w, "Keep in mind:\t%s\n", e(r))
	}
}
