package wizard

import (
	"context"

	"onboard/inventory"
	"onboard/onboarding"
	"onboard/securitycenter"
	"onboard/tencent"
)

// Secret is a value that must never be printed: String and MarshalJSON give "****".
type Secret string

// String hides the secret.
func (Secret) String() string { return "****" }

// GoString hides the secret from %#v too.
func (Secret) GoString() string { return "****" }

// MarshalJSON hides the secret.
func (Secret) MarshalJSON() ([]byte, error) { return []byte(`"****"`), nil }

// Reveal returns the secret itself, for the one place that must send it.
func (s Secret) Reveal() string { return string(s) }

// Credential is a cloud API key and where it came from.
type Credential struct {
	// Source says where the key was found ("environment (TENCENTCLOUD_SECRET_ID)", "the sandbox demo
	// key", ...), or SourceTyped.
	Source string
	ID     string
	Secret Secret
	// Flags are the command-line flags that choose this key again (--profile NAME); none for the
	// environment, which a script sets the same way.
	Flags []string
}

// Masked returns the key ID with all but its first four and last four characters hidden.
func (c Credential) Masked() string { return MaskID(c.ID) }

// MaskID hides the middle of an access key ID behind a fixed "****", so that the mask does not tell
// the ID's length either.
func MaskID(id string) string {
	if len(id) <= 8 {
		return "****"
	}
	return id[:4] + "****" + id[len(id)-4:]
}

// Credential sources the person picks besides the keys found on the machine.
const (
	SourceTyped = "typed"
	SourceSkip  = "skip"
)

// TencentReader is what the wizard reads from Tencent Cloud, with the key the person chose, to ask its
// questions: whose key it is, whether the sub-user exists, the regions, logsets and topics for audit
// logs, whether it has Lighthouse servers, the WAF and Cloud Firewall log sources for Agentic SOC, and
// the organization it manages. *tencent.Client has every method.
type TencentReader interface {
	Identify(ctx context.Context) (tencent.Identity, error)
	GetUser(ctx context.Context, name string) (tencent.User, error)
	ListAccessKeys(ctx context.Context, userUIN uint64) ([]tencent.AccessKey, error)
	Regions(ctx context.Context, product string) ([]tencent.Region, error)
	ListLogsets(ctx context.Context, region, name string) ([]tencent.Logset, error)
	ListTopics(ctx context.Context, region, logsetID, name string) ([]tencent.Topic, error)
	ListLighthouseInstances(ctx context.Context, region string, offset, limit int) (tencent.Page[tencent.LighthouseInstance], error)
	onboarding.SOCSourceReader
	onboarding.OrganizationReader
}

// SecurityCenterReader is what the wizard reads from Security Center with the Alibaba Cloud key the
// person chose: a cheap read that proves the key, and the region choices. *securitycenter.Client has both.
type SecurityCenterReader interface {
	ListAccounts(ctx context.Context, f securitycenter.AccountFilter) ([]securitycenter.Account, error)
	Regions(ctx context.Context, vendor securitycenter.Vendor) ([]securitycenter.RegionChoice, error)
}

// Engine is the onboarding engine as the wizard uses it: a plan made by reading only, then that plan
// applied. *onboarding.Engine is one.
type Engine interface {
	Plan(ctx context.Context, req onboarding.Request) (onboarding.Plan, error)
	ApplyPlan(ctx context.Context, p onboarding.Plan, emit func(onboarding.Event)) (onboarding.Result, error)
}

// Organization onboards an organization's members with the answers' keys, as tencent --org does: a dry
// run for the review, then the apply of the reviewed plans. onboarding.Organization is one.
type Organization interface {
	Onboard(ctx context.Context, req onboarding.OrganizationRequest, emit func(onboarding.MemberEvent)) (onboarding.OrganizationResult, error)
}

// Deps are what the command layer passes in: builders of the clients and of the engine for the keys the
// person chose, the keys found on the machine, and what the flags already said.
type Deps struct {
	Tencent        func(c Credential) (TencentReader, error)
	SecurityCenter func(site string, c Credential) (SecurityCenterReader, error)
	// Engine builds the engine for the answers (the clients of their keys); progress receives the first
	// sync's progress while ApplyPlan runs it.
	Engine func(a Answers, progress func(inventory.Progress)) (Engine, error)
	// Agents builds the agent installer for the answers' keys; nil: the summary offers no agent.
	Agents func(a Answers) (Agents, error)
	// Organization builds the organization onboarding for the answers' keys, when they choose members.
	Organization func(a Answers) (Organization, error)
	// RetryCommand, when set, is the command the flags path prints to retry the members named, for the
	// command line args (Answers.Args); without it the wizard names them with --members itself.
	RetryCommand func(args []string, members []string) string

	// FoundTencent and FoundAlibaba are the keys found in the environment or a profile, in order of
	// preference.
	FoundTencent []Credential
	FoundAlibaba []Credential

	// Start holds the values the person already gave as flags (zero fields keep the defaults), and what
	// only flags say (--account, --adopt-user, ...), which the request carries through unchanged.
	Start onboarding.Request

	// Sandbox marks a run against the emulators: the wizard says so at the top, and the command for
	// scripts carries --sandbox.
	Sandbox bool

	// Scrub, when set, masks every secret the process knows in all the wizard shows.
	Scrub func(string) string
}

func (d Deps) scrub(s string) string {
	if d.Scrub == nil {
		return s
	}
	return d.Scrub(s)
}
