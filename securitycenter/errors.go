package securitycenter

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinels for what an API error means to the caller. An *APIError unwraps to one of them, so code above
// this package asks errors.Is(err, securitycenter.ErrAuth) and never looks at raw codes.
var (
	ErrAuth          = errors.New("credentials rejected")
	ErrDenied        = errors.New("permission denied")
	ErrNotFound      = errors.New("not found")
	ErrAlreadyExists = errors.New("already exists")
	ErrConflict      = errors.New("conflicts with another setting")
	ErrThrottled     = errors.New("rate limit exceeded")
	ErrInvalid       = errors.New("invalid request")
	ErrUnavailable   = errors.New("service unavailable")
	ErrFailed        = errors.New("operation failed")
)

// APIError is an error answered by Security Center (or the transport to it), with the code, message and
// RequestId kept for the user and the debug log.
type APIError struct {
	Action        string
	Status        int // HTTP status; 0 for a transport failure
	Code, Message string
	RequestID     string
	// AuthAction is the RAM action a permission denial names ("yundun-sas:AddCloudVendorAccountAK"): the
	// service's AccessDeniedDetail.AuthAction, or the action's own RAM name.
	AuthAction string
	Err        error // the sentinel
}

func (e *APIError) Error() string {
	s := fmt.Sprintf("sas %s: %s", e.Action, e.Code)
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.RequestID != "" {
		s += " (RequestId " + e.RequestID + ")"
	}
	if e.AuthAction != "" {
		s += "; the Alibaba Cloud key lacks the RAM permission " + e.AuthAction
	}
	return s
}

// Unwrap returns the sentinel.
func (e *APIError) Unwrap() error { return e.Err }

// sentinelFor maps an error code and HTTP status to a sentinel. The action-specific codes of these
// actions are not published; the suffix rules cover the gateway's codes and the usual shapes.
func sentinelFor(code string, status int) error {
	switch {
	case strings.HasPrefix(code, "Throttling"):
		return ErrThrottled
	case strings.HasPrefix(code, "InvalidAccessKeyId"), code == "SignatureDoesNotMatch", code == "IncompleteSignature",
		strings.HasPrefix(code, "InvalidTimeStamp"), code == "SignatureNonceUsed", strings.HasPrefix(code, "InvalidSecurityToken"),
		code == "InvalidCredentials", code == "MissingSecurityToken":
		return ErrAuth
	// RAM's denials in OpenAPI calls: NoPermission, Forbidden.RAM, NotAuthorized
	// (https://www.alibabacloud.com/help/en/ram/support/how-to-troubleshoot-an-access-denied-error).
	case strings.HasPrefix(code, "Forbidden"), code == "NoPermission", strings.HasPrefix(code, "NoPermission."), code == "NotAuthorized":
		return ErrDenied
	case status >= 500, code == "InternalError", code == "ServiceUnavailable":
		return ErrUnavailable
	// The gateway's "no such action" (InvalidAction.NotFound, and InvalidApi.NotFound in older answers) is a
	// request the service cannot serve at all: never the "no such object" of the suffix rule below, which
	// would read as "no settings yet" and make the caller create them.
	case code == "InvalidApi.NotFound", code == "InvalidAction.NotFound", code == "InvalidVersion":
		return ErrInvalid
	case strings.HasSuffix(code, ".NotFound"), strings.HasSuffix(code, "NotExist"):
		return ErrNotFound
	case strings.Contains(code, "AlreadyExist"), strings.Contains(code, "Duplicate"):
		return ErrAlreadyExists
	case strings.HasSuffix(code, ".Conflict"):
		return ErrConflict
	case strings.HasPrefix(code, "Missing"), strings.HasPrefix(code, "Invalid"):
		return ErrInvalid
	}
	return ErrFailed
}

// retryable reports whether a failed call may be sent again: throttling, server errors and network
// failures.
func retryable(err error) bool {
	return errors.Is(err, ErrThrottled) || errors.Is(err, ErrUnavailable)
}
