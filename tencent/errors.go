package tencent

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinels for what an API error means to the caller. An *APIError unwraps to one of them, so code above
// this package asks errors.Is(err, tencent.ErrDenied) and never looks at raw codes.
var (
	ErrAuth          = errors.New("credentials rejected")
	ErrDenied        = errors.New("permission denied")
	ErrNotFound      = errors.New("not found")
	ErrAlreadyExists = errors.New("already exists")
	ErrKeyLimit      = errors.New("access key limit reached")
	ErrThrottled     = errors.New("rate limit exceeded")
	ErrInvalid       = errors.New("invalid request")
	ErrUnavailable   = errors.New("service unavailable")
	ErrFailed        = errors.New("operation failed")
)

// APIError is an error answered by Tencent Cloud (or the transport to it), with the code, message and
// RequestId kept for the user and the debug log.
type APIError struct {
	Service, Action string
	Code, Message   string
	RequestID       string
	Err             error // the sentinel
}

func (e *APIError) Error() string {
	s := fmt.Sprintf("%s %s: %s", e.Service, e.Action, e.Code)
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.RequestID != "" {
		s += " (RequestId " + e.RequestID + ")"
	}
	return s
}

// Unwrap returns the sentinel.
func (e *APIError) Unwrap() error { return e.Err }

// sentinelFor maps a Tencent Cloud error code to its sentinel.
func sentinelFor(code string) error {
	switch {
	case code == "AuthFailure.UnauthorizedOperation", strings.HasPrefix(code, "UnauthorizedOperation"),
		code == "OperationDenied.ACLFailed", code == "OperationDenied.SubUin", code == "OperationDenied.UinNotMatch":
		return ErrDenied
	case strings.HasPrefix(code, "AuthFailure"):
		return ErrAuth
	case code == "OperationDenied.AccessKeyOverLimit":
		return ErrKeyLimit
	case strings.HasPrefix(code, "RequestLimitExceeded"):
		return ErrThrottled
	case strings.HasPrefix(code, "ResourceNotFound"), code == "InvalidParameter.UserNotExist",
		code == "InvalidParameter.PolicyIdNotExist", strings.HasSuffix(code, "NotExist"):
		return ErrNotFound
	case strings.HasSuffix(code, "InUse"), strings.HasSuffix(code, "Conflict"), strings.HasSuffix(code, "AlreadyExists"),
		code == "InvalidParameter.ExportConflict":
		return ErrAlreadyExists
	case strings.HasPrefix(code, "InternalError"), code == "ServiceUnavailable", code == "ClientError.NetworkError",
		code == "ClientError.HttpStatusCodeError", code == "ClientError.ParseJsonError", code == "InternalServerError":
		return ErrUnavailable
	case strings.HasPrefix(code, "InvalidParameter"), strings.HasPrefix(code, "MissingParameter"),
		strings.HasPrefix(code, "UnknownParameter"), code == "InvalidAction", code == "NoSuchVersion",
		strings.HasPrefix(code, "InvalidFilter"), code == "UnsupportedRegion":
		return ErrInvalid
	}
	return ErrFailed
}

// retryable reports whether a failed call may be sent again: throttling, server-side errors and
// network failures.
func retryable(err error) bool {
	return errors.Is(err, ErrThrottled) || errors.Is(err, ErrUnavailable)
}
