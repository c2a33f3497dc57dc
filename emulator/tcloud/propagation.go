package tcloud

import (
	"time"

	"onboard/policy"
)

// CAM propagation. Tencent documents CAM as eventually consistent: a policy change is accepted at once,
// but the services see it only once CAM's cache expires, currently after one minute ("Eventual
// consistency", https://www.tencentcloud.com/document/product/436/12469). Options.Propagation plays that
// delay for the changes the tool makes: until it has passed,
//   - a new key is unknown to the services (AuthFailure.SecretIdNotFound), though CAM lists it;
//   - a new attachment grants nothing (a call that needs it: AuthFailure.UnauthorizedOperation);
//   - an updated policy still acts as it did before the update.
// CAM's own listings (ListAccessKeys, ListAttachedUserPolicies, GetPolicy) show the change at once.

// applied is when a change made now reaches the services.
func (s *Server) applied() time.Time {
	if s.propagation <= 0 {
		return time.Time{}
	}
	return s.now().Add(s.propagation)
}

// pending reports whether the services do not know the key yet.
func (k *accessKey) pending(now time.Time) bool { return now.Before(k.usableAt) }

// effective is the document the services apply at now: the earlier one while an update propagates.
func (p *camPolicy) effective(now time.Time) *policy.Document {
	if now.Before(p.earlierUntil) {
		return p.earlier
	}
	return p.parsed
}
