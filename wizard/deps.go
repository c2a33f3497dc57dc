package wizard

import (
	"context"
)

// Identity is what a Tencent Cloud key belongs to.
type Identity struct {
	AccountID string // the root account's UIN
	UIN       string // the key owner's UIN (equal to AccountID for a root key)
	Root      bool   // the key is the root account's own key
	UserName  string // the sub-user's name, when not root
	// CanManageCAM reports whether the key may create users and attach policies, when known.
	CanManageCAM bool
}

// Describe says plainly what kind of key this is.
func (id Identity) Describe() string {
	if id.Root {
		return "root account key of account " + id.AccountID
	}
	if id.UserName != "" {
		return "sub-user " + id.UserName + " of account " + id.AccountID
	}
	return "sub-user " + id.UIN + " of account " + id.AccountID
}

// CredentialChecker verifies a Tencent Cloud key live and says whose it is.
type CredentialChecker interface {
	CheckTencent(ctx context.Context, c Credential) (Identity, error)
}

// AlibabaChecker verifies an Alibaba Cloud key against Security Center on a site.
type AlibabaChecker interface {
	CheckAlibaba(ctx context.Context, site string, c Credential) error
}

// UserStatus says whether a CAM sub-user already exists.
type UserStatus struct {
	Exists bool
	UIN    string
	// Keys is how many API keys the user has (CAM allows two).
	Keys int
}

// UserChecker looks a CAM sub-user up by name, with the Tencent key the person chose.
type UserChecker interface {
	CheckUser(ctx context.Context, c Credential, name string) (UserStatus, error)
}

// Region is a Tencent Cloud region as Security Center's region management lists it.
type Region struct {
	ID   string
	Name string // a readable name, when known
	Area string
	// Selected marks a region this site already syncs.
	Selected bool
	// Disabled marks a region the other site already syncs; it cannot be chosen here.
	Disabled bool
}

// RegionLister lists the Tencent Cloud regions: those Security Center's region management offers on a
// site (with the Alibaba key), and those Tencent Cloud itself offers (with the Tencent key, for audit logs).
type RegionLister interface {
	SyncRegions(ctx context.Context, site string, alibaba Credential) ([]Region, error)
	TencentRegions(ctx context.Context, c Credential) ([]Region, error)
}

// Logset is a CLS logset.
type Logset struct {
	ID   string
	Name string
}

// Topic is a CLS log topic.
type Topic struct {
	ID   string
	Name string
}

// LogsetLister lists CLS logsets and topics in a region, for audit-log delivery.
type LogsetLister interface {
	Logsets(ctx context.Context, c Credential, region string) ([]Logset, error)
	Topics(ctx context.Context, c Credential, region, logsetID string) ([]Topic, error)
}

// StepStatus is where one engine step stands.
type StepStatus int

// Step states.
const (
	StepPending StepStatus = iota
	StepRunning
	StepDone
	StepSkipped // already there: nothing to do
	StepFailed
)

// StepEvent reports progress of one engine step.
type StepEvent struct {
	ID     string
	Title  string
	Status StepStatus
	// Detail is what the step made or found (an ID, a name), shown next to the title.
	Detail string
	Err    error
	// Fix is the next step for the person when Status is StepFailed.
	Fix string
}

// Outcome is what an onboarding run produced, for the summary screen.
type Outcome struct {
	Created  []string // one line per thing created
	Verified []string // one line per check that passed
	KeyPlace string   // where the sub-user's secret key is kept
	AuthID   int64    // Security Center's ID of the account, 0 when skipped
	Next     []string // next steps
	// Reminders are what must be kept in mind from now on (never delete the sub-user or its key).
	Reminders []string
}

// Plan is the engine's list of steps for the review screen.
type Plan struct {
	Steps []PlanStep
}

// PlanStep is one line of a plan: what the step will do.
type PlanStep struct {
	ID     string
	Title  string
	Action string // "exists", "will create", "will update"
}

// Engine runs an onboarding. Apply reports each step through emit (called from Apply's goroutine) and
// stops when ctx is cancelled, leaving its journal so that a later run resumes.
type Engine interface {
	Plan(ctx context.Context, a Answers) (Plan, error)
	Apply(ctx context.Context, a Answers, emit func(StepEvent)) (Outcome, error)
	Rollback(ctx context.Context, a Answers, emit func(StepEvent)) error
}

// RootKeyRetirer disables or deletes the root key once the sub-user's key works.
type RootKeyRetirer interface {
	RetireRootKey(ctx context.Context, a Answers, action string) error
}

// SyncProgress reports the first synchronisation of one resource kind.
type SyncProgress struct {
	Kind  string
	Done  int
	Total int // 0 while unknown
	Err   error
	// Finished marks the kind complete.
	Finished bool
}

// Syncer runs the first asset synchronisation.
type Syncer interface {
	Sync(ctx context.Context, a Answers, emit func(SyncProgress)) error
}

// Deps are the adapters the command layer passes in. A nil optional dependency skips its screen or check:
// a nil Syncer skips the first sync, a nil AlibabaChecker accepts the key unchecked.
type Deps struct {
	Credentials CredentialChecker
	Alibaba     AlibabaChecker
	Users       UserChecker
	Regions     RegionLister
	Logs        LogsetLister
	Engine      Engine
	RootKey     RootKeyRetirer
	Syncer      Syncer

	// FoundTencent and FoundAlibaba are the keys found in the environment or a profile, in order of
	// preference.
	FoundTencent []Credential
	FoundAlibaba []Credential

	// Sandbox marks a run against the emulators; the wizard says so at the top.
	Sandbox bool

	// Scrub, when set, masks every secret the process knows in all the wizard shows (the screens and the
	// accessible mode's lines), errors of both clouds included.
	Scrub func(string) string

	// Defaults, when set, changes the wizard's starting answers: the values the person already gave as
	// flags, so that every screen starts from them.
	Defaults func(*Answers)
}
