// Package tencent is a narrow interface over Tencent Cloud with the project's own types, and its adapter
// over the official Go SDK. Error codes become the sentinels of errors.go, and every call is retried by
// our own cancellable backoff (the SDK's retries are off: they ignore cancellation).
//
// It is the only package that imports the Tencent SDK; it must not import any other project package but
// retry.
package tencent

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	tcerr "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/errors"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/profile"

	"onboard/retry"
)

// Site selects the API domain: the Chinese site (tencentcloudapi.com) or the international one.
type Site string

const (
	SiteDomestic      Site = "domestic"
	SiteInternational Site = "international"
)

// Retry is the backoff policy for throttling, server errors and network failures.
type Retry = retry.Policy

// DefaultRetry suits interactive use: about six seconds of patience in all.
var DefaultRetry = Retry{Attempts: 6, Base: 200 * time.Millisecond, Max: 3 * time.Second}

// Options configure a Client.
type Options struct {
	Credential Credential
	// Endpoint overrides every service's address, e.g. "http://127.0.0.1:8080" for the emulator or a
	// private endpoint; empty means the public domains of Site.
	Endpoint string
	Site     Site
	Timeout  time.Duration // per request; default 30 s
	Retry    Retry
	Logger   *slog.Logger
	// Region is the default region for calls that need one but are not regional in meaning (STS).
	Region string
}

// Client implements API over the official SDK. It is safe for concurrent use.
type Client struct {
	opts    Options
	cred    *common.Credential
	profile func() *profile.ClientProfile
	log     *slog.Logger

	// transport is every SDK client's: one pool of connections per host (a service's domain is the same
	// in every region), where each SDK client would otherwise keep its own two idle connections.
	transport http.RoundTripper

	mu      sync.Mutex
	clients map[clientKey]any

	cvmRegionsMu    sync.Mutex
	cvmRegionsKnown []Region // CVM DescribeRegions' answer, once had (sharedCVMRegions)
}

type clientKey struct{ service, region string }

// New returns a Client for the options.
func New(opts Options) (*Client, error) {
	if opts.Credential.SecretID == "" || opts.Credential.SecretKey.Reveal() == "" {
		return nil, errors.New("tencent client: no credential")
	}
	if opts.Timeout == 0 {
		opts.Timeout = 30 * time.Second
	}
	if opts.Retry.Attempts < 1 {
		opts.Retry = DefaultRetry
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Region == "" {
		opts.Region = "ap-guangzhou"
	}
	scheme, endpoint, err := parseEndpoint(opts.Endpoint)
	if err != nil {
		return nil, err
	}
	c := &Client{opts: opts, log: opts.Logger, clients: map[clientKey]any{}}
	next := http.DefaultTransport
	if t, ok := next.(*http.Transport); ok {
		t = t.Clone()
		t.IdleConnTimeout = 30 * time.Second // as the SDK sets its own
		t.MaxIdleConnsPerHost = 64           // a sync keeps up to 32 requests in flight
		next = t
	}
	c.transport = &pageTransport{next: logExchanges(c.log, next)}
	// A temporary key's token travels as X-TC-Token on every call; without it the key is refused.
	c.cred = common.NewTokenCredential(opts.Credential.SecretID, opts.Credential.SecretKey.Reveal(), opts.Credential.Token.Reveal())
	c.profile = func() *profile.ClientProfile {
		p := profile.NewClientProfile()
		p.Language = "en-US"
		p.HttpProfile.ReqTimeout = int(opts.Timeout / time.Second)
		p.RateLimitExceededMaxRetries = 0 // our own retry, which watches the context
		p.NetworkFailureMaxRetries = 0
		if scheme != "" {
			p.HttpProfile.Scheme = scheme
			p.HttpProfile.Endpoint = endpoint
		}
		if opts.Site == SiteInternational {
			p.HttpProfile.RootDomain = "intl.tencentcloudapi.com"
		}
		return p
	}
	return c, nil
}

// parseEndpoint turns "http://host:port" into the SDK's separate scheme and endpoint.
func parseEndpoint(raw string) (scheme, endpoint string, err error) {
	if raw == "" {
		return "", "", nil
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", "", fmt.Errorf("invalid Tencent Cloud endpoint %q: want http://HOST[:PORT] or https://HOST[:PORT]", raw)
	}
	return strings.ToUpper(u.Scheme), u.Host + strings.TrimSuffix(u.Path, "/"), nil
}

// sdkClient returns the cached SDK client of one service and region, building it with newFn.
func sdkClient[T any](c *Client, service, region string, newFn func(*common.Credential, string, *profile.ClientProfile) (T, error)) (T, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	key := clientKey{service, region}
	if cl, ok := c.clients[key]; ok {
		return cl.(T), nil
	}
	cl, err := newFn(c.cred, region, c.profile())
	if err != nil {
		var zero T
		return zero, fmt.Errorf("create %s client: %w", service, err)
	}
	if setter, ok := any(cl).(interface {
		WithHttpTransport(http.RoundTripper) *common.Client
	}); ok {
		setter.WithHttpTransport(c.transport)
	}
	c.clients[key] = cl
	return cl, nil
}

// do runs one API call with retries. Each attempt is a fresh Send (and so a fresh signature). A mutating
// call is retried only after an answer that proves it did nothing (throttling, a server error code); a
// network failure after a create may have created something, so it is returned to the caller, whose
// detection on the next run finds it.
func (c *Client) do(ctx context.Context, service, action string, mutating bool, call func() error) error {
	again := func(err error) bool { return retryable(err) && !(mutating && isNetworkError(err)) }
	logRetry := func(attempt int, wait time.Duration, err error) {
		c.log.Debug("retrying Tencent Cloud call", "service", service, "action", action, "attempt", attempt, "wait", wait, "error", err.Error())
	}
	err := retry.Do(ctx, c.opts.Retry, again, logRetry, func() error { return c.translate(service, action, call()) })
	if ctx.Err() != nil && err != nil {
		return fmt.Errorf("%s %s: %w", service, action, err)
	}
	return err
}

func isNetworkError(err error) bool {
	var api *APIError
	return errors.As(err, &api) && api.Code == "ClientError.NetworkError"
}

// translate turns an SDK error into an *APIError with its sentinel, and logs its RequestId.
func (c *Client) translate(service, action string, err error) error {
	if err == nil {
		return nil
	}
	var sdk *tcerr.TencentCloudSDKError
	if !errors.As(err, &sdk) {
		return &APIError{Service: service, Action: action, Code: "ClientError", Message: err.Error(), Err: ErrFailed}
	}
	e := &APIError{Service: service, Action: action, Code: sdk.GetCode(), Message: sdk.GetMessage(), RequestID: sdk.GetRequestId(), Err: sentinelFor(sdk.GetCode())}
	c.log.Warn("Tencent Cloud API error", "service", service, "action", action, "code", e.Code, "request_id", e.RequestID, "message", e.Message)
	return e
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func u64(p *uint64) uint64 {
	if p == nil {
		return 0
	}
	return *p
}
