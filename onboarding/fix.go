package onboarding

import (
	"errors"

	"onboard/securitycenter"
	"onboard/store"
	"onboard/tencent"
)

// Fix is the next step for an error, in the engine's words: it never names a flag. Field names the
// Request field concerned in flag spelling ("sub-user", "adopt-policy", "regions", ...; "" for none),
// so each face words it its own way: the command line as a flag, the wizard as the screen of that field.
// A few fields are no Request field but an input the faces take: "tencent-key", "alibaba-key",
// "secret-store".
type Fix struct {
	Field string
	Say   string
}

// Fields of a Fix that are inputs of the faces rather than Request fields.
const (
	FixTencentKey  = "tencent-key"
	FixAlibabaKey  = "alibaba-key"
	FixSecretStore = "secret-store"
)

// fixRule matches an error (errors.Is or errors.As) and says its fix.
type fixRule struct {
	match func(error) bool
	fix   Fix
}

func is(target error) func(error) bool { return func(err error) bool { return errors.Is(err, target) } }

func as[T error]() func(error) bool {
	return func(err error) bool { var t T; return errors.As(err, &t) }
}

// fieldIs matches an invalid input of the named field.
func fieldIs(field string) func(error) bool {
	return func(err error) bool {
		var fe *FieldError
		return errors.As(err, &fe) && fe.Field == field
	}
}

// fixes is the one table of next steps, most specific first: the command line's error printer and the
// wizard both read it through FixFor.
var fixes = []fixRule{
	{as[*StalePlanError](), Fix{Say: "make the plan again, review it, and apply that one"}},
	{is(ErrBroadPolicy), Fix{Field: "allow-broad-policy", Say: "narrow the policy file to read access, or accept that the key holds more"}},
	{is(ErrRootKeyNotConfirmed), Fix{Field: "confirm-root-key", Say: "type the last four characters of the root key's SecretId to confirm, or keep the root key"}},
	{is(errNoOperatorKey), Fix{Field: "root-key", Say: "keep the root key, and retire it in the CAM console once Security Center works"}},
	{as[*UserOwnershipError](), Fix{Field: "adopt-user", Say: "take over the existing user by name, or choose another sub-user name"}},
	{as[*PolicyOwnershipError](), Fix{Field: "adopt-policy", Say: "take over the policy by name (its change then applies to every principal it is attached to), or give its current document as the policy's file to keep it as it is"}},
	{as[*KeyTypeError](), Fix{Say: "delete that account in Security Center's console (Multi-cloud assets), then run again"}},
	{fieldIs("regions"), Fix{Field: "regions", Say: "choose regions Security Center offers this site, or all"}},
	{fieldIs("audit-region"), Fix{Field: "audit-region", Say: "choose a region where CLS is offered, e.g. ap-guangzhou"}},
	{fieldIs("audit-logset"), Fix{Field: "audit-logset", Say: "give a logset ID of the audit region, or new"}},
	{fieldIs("audit-topic"), Fix{Field: "audit-topic", Say: "give a topic ID of that logset, or new"}},
	{is(tencent.ErrKeyLimit), Fix{Say: "free a key slot in the CAM console (delete or disable an unused key of that user), then run again"}},
	{as[*PermissionError](), Fix{Field: "skip-permission-check", Say: "grant the operator the permissions named, or skip the permission check when a CAM group grants them"}},
	{is(ErrPropagation), Fix{Say: "Tencent Cloud applies a new key or grant within about a minute: run the same command again; it resumes where it stopped"}},
	{is(tencent.ErrAuth), Fix{Field: FixTencentKey, Say: "Tencent Cloud rejected the key: check that it is the one meant, active and unexpired"}},
	{is(tencent.ErrNoCredentials), Fix{Field: FixTencentKey, Say: "give a Tencent Cloud key, or try everything without a cloud account first in the sandbox"}},
	{is(tencent.ErrNoProfile), Fix{Field: FixTencentKey, Say: "name a profile that exists in the tccli or ~/.tencentcloud configuration"}},
	{is(tencent.ErrDenied), Fix{Say: "the key lacks the permission named: grant it to the operator in the CAM console, or use an administrator's key"}},
	{is(securitycenter.ErrAuth), Fix{Field: FixAlibabaKey, Say: "Alibaba Cloud rejected the key: check that it is the one meant and active"}},
	{is(securitycenter.ErrNoCredentials), Fix{Field: "security-center", Say: "give Alibaba Cloud credentials for Security Center, or skip Security Center and enter the values the result lists in its console"}},
	{is(errNoSecurityCenter), Fix{Field: "security-center", Say: "give Alibaba Cloud credentials for Security Center, or skip Security Center and enter the values the result lists in its console"}},
	{is(securitycenter.ErrDenied), Fix{Field: FixAlibabaKey, Say: "the Alibaba Cloud key lacks the RAM permission named: attach the policy that `onboard policy show alibaba-operator` prints to its RAM user or role"}},
	{is(store.ErrKeyringUnavailable), Fix{Field: FixSecretStore, Say: "start or unlock the OS keyring, or keep secrets in a file"}},
	{is(store.ErrSecretNotFound), Fix{Field: FixSecretStore, Say: "the account's key is not in the secret store its record names: choose the store it was onboarded with, or run onboard tencent again for the account, which creates and stores a new key"}},
	{is(store.ErrCorrupt), Fix{Say: "keep a copy of onboard.db, then recover what it holds: sqlite3 onboard.db .recover | sqlite3 onboard-recovered.db, and move onboard-recovered.db to onboard.db. " +
		"Keys are in the secret store, not in the database; an account missing afterwards is recorded again by onboarding it again"}},
}

// FixFor is the next step known for err: the first rule of the table that matches it.
func FixFor(err error) (Fix, bool) {
	if err == nil {
		return Fix{}, false
	}
	for _, r := range fixes {
		if r.match(err) {
			return r.fix, true
		}
	}
	// Any other invalid input: its message says what is valid.
	if fe := (*FieldError)(nil); errors.As(err, &fe) {
		return Fix{Field: fe.Field, Say: "give a valid value, as the message says"}, true
	}
	return Fix{}, false
}
