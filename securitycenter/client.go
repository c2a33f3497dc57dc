// Package securitycenter is a narrow interface over the multi-cloud API of Alibaba Cloud Security Center
// (product sas, version 2018-12-03) with the project's own types, and its adapter over the generic RPC
// client of darabonba-openapi. Error codes become the sentinels of errors.go, and every call is retried by
// our own cancellable backoff (the SDK's retries are off).
//
// It is the only package that imports the Alibaba Cloud SDK; it must not import any other project package
// but retry.
package securitycenter

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	openapi "github.com/alibabacloud-go/darabonba-openapi/v2/client"
	openapiutil "github.com/alibabacloud-go/darabonba-openapi/v2/utils"
	"github.com/alibabacloud-go/tea/dara"
	"github.com/alibabacloud-go/tea/tea"

	"onboard/retry"
)

// Site is the Security Center instance an account is connected to.
type Site string

const (
	SiteMainland Site = "mainland" // Chinese mainland
	SiteOutside  Site = "outside"  // outside the Chinese mainland
)

// Endpoint is the site's API address.
func (s Site) Endpoint() string {
	if s == SiteMainland {
		return "tds.cn-shanghai.aliyuncs.com"
	}
	return "tds.ap-southeast-1.aliyuncs.com"
}

// regionID is the Security Center region of the site, sent where an action takes one.
func (s Site) regionID() string {
	if s == SiteMainland {
		return "cn-shanghai"
	}
	return "ap-southeast-1"
}

// ParseSite reads "mainland" or "outside".
func ParseSite(s string) (Site, error) {
	switch Site(s) {
	case SiteMainland, SiteOutside:
		return Site(s), nil
	}
	return "", fmt.Errorf("unknown Security Center site %q: valid sites are mainland, outside", s)
}

// Retry is the backoff policy for throttling, server errors and network failures.
type Retry = retry.Policy

// DefaultRetry suits interactive use: about six seconds of patience in all.
var DefaultRetry = Retry{Attempts: 6, Base: 200 * time.Millisecond, Max: 3 * time.Second}

// Options configure a Client.
type Options struct {
	Credentials Credentials
	Site        Site // default SiteOutside
	// Endpoint overrides the site's address: "http://127.0.0.1:8080" (an emulator) or "https://HOST" or
	// a bare HOST[:PORT] (HTTPS).
	Endpoint string
	Timeout  time.Duration // per request; default 30 s
	Retry    Retry
	Logger   *slog.Logger
	// PollInterval is the longest WaitForValidation waits before asking again (it starts at 50 ms and
	// doubles); default 2 s.
	PollInterval time.Duration
	// SignatureV1 signs with the legacy HMAC-SHA1 signature version 1.0 instead of ACS3-HMAC-SHA256.
	SignatureV1 bool
}

// Client implements API over darabonba-openapi. It is safe for concurrent use.
type Client struct {
	opts Options
	cfg  *openapiutil.Config
	// idle are SDK clients not in a call. An SDK client keeps per-call state (CallApi moves its Headers
	// aside), so calls at once each take their own.
	idle chan *openapi.Client
	log  *slog.Logger
}

var _ API = (*Client)(nil)

// New returns a Client for the options.
func New(opts Options) (*Client, error) {
	if opts.Credentials.cred == nil {
		return nil, errors.New("security center client: no credentials")
	}
	if opts.Site == "" {
		opts.Site = SiteOutside
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
	if opts.PollInterval == 0 {
		opts.PollInterval = 2 * time.Second
	}
	protocol, endpoint, err := parseEndpoint(opts.Endpoint)
	if err != nil {
		return nil, err
	}
	if endpoint == "" {
		endpoint = opts.Site.Endpoint()
	}
	ms := int(opts.Timeout / time.Millisecond)
	cfg := &openapiutil.Config{
		Credential: opts.Credentials.cred, Endpoint: dara.String(endpoint), Protocol: dara.String(protocol),
		ReadTimeout: dara.Int(ms), ConnectTimeout: dara.Int(min(ms, 10000)),
	}
	if protocol == "http" {
		// A loopback emulator: never through a proxy from the environment.
		cfg.NoProxy = dara.String(strings.Split(endpoint, ":")[0])
	}
	if opts.SignatureV1 {
		cfg.SignatureAlgorithm = dara.String("v2")
	}
	if x := newExchangeClient(opts.Logger, opts.Site, time.Duration(ms+min(ms, 10000))*time.Millisecond); x != nil {
		cfg.HttpClient = x // the debug log records every exchange
	} else {
		cfg.HttpClient = &httpClient{timeout: time.Duration(ms+min(ms, 10000)) * time.Millisecond}
	}
	sdk, err := openapi.NewClient(cfg)
	if err != nil {
		return nil, fmt.Errorf("security center client: %w", err)
	}
	c := &Client{opts: opts, cfg: cfg, idle: make(chan *openapi.Client, 4), log: opts.Logger}
	c.idle <- sdk
	return c, nil
}

// takeSDK returns an idle SDK client, or a new one when every one is in a call.
func (c *Client) takeSDK() (*openapi.Client, error) {
	select {
	case sdk := <-c.idle:
		return sdk, nil
	default:
		return openapi.NewClient(c.cfg)
	}
}

// putSDK gives back an SDK client whose call has ended.
func (c *Client) putSDK(sdk *openapi.Client) {
	select {
	case c.idle <- sdk:
	default: // enough are idle
	}
}

// parseEndpoint splits an endpoint override into the SDK's protocol and host[:port].
func parseEndpoint(raw string) (protocol, host string, err error) {
	if raw == "" {
		return "https", "", nil
	}
	if !strings.Contains(raw, "://") {
		raw = "https://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") {
		return "", "", fmt.Errorf("invalid Security Center endpoint %q: want http://HOST[:PORT], https://HOST[:PORT] or HOST[:PORT]", raw)
	}
	return u.Scheme, u.Host, nil
}

// call is one action and its parameters. A POST sends them as a signed form body, never in the URL: some
// carry a secret (SecretKey), and a URL ends up in transport errors, HTTP logs and proxies. RPC actions
// take their parameters from the query or the form body alike
// (https://www.alibabacloud.com/help/en/sdk/product-overview/v3-request-structure-and-signature). A GET
// (DescribeCloudVendorTrialConfig, no secret) keeps them in the query.
type call struct {
	action   string
	method   string         // default POST
	query    map[string]any // the parameters, flattened as the SDK flattens a query
	mutating bool           // not idempotent: a network failure is not retried, it may have taken effect
}

// do runs one call with retries and returns the response body. Each attempt is signed afresh (new date
// and nonce). The SDK has no context, so an attempt runs in its own goroutine and a cancelled context
// returns at once; the abandoned attempt ends with its read timeout.
func (c *Client) do(ctx context.Context, cl call) (map[string]any, error) {
	method := cl.method
	if method == "" {
		method = "POST"
	}
	params := &openapiutil.Params{
		Action: dara.String(cl.action), Version: dara.String("2018-12-03"), Protocol: dara.String("HTTPS"),
		Pathname: dara.String("/"), Method: dara.String(method), AuthType: dara.String("AK"), Style: dara.String("RPC"),
		ReqBodyType: dara.String("formData"), BodyType: dara.String("json"),
	}
	again := func(err error) bool { return retryable(err) && !(cl.mutating && isNetworkError(err)) }
	logRetry := func(attempt int, wait time.Duration, err error) {
		c.log.Debug("retrying Security Center call", "action", cl.action, "attempt", attempt, "wait", wait, "error", err.Error())
	}
	var body map[string]any
	err := retry.Do(ctx, c.opts.Retry, again, logRetry, func() (err error) {
		body, err = c.attempt(ctx, params, cl)
		return err
	})
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("sas %s: %w", cl.action, err)
		}
		return nil, err
	}
	return body, nil
}

func (c *Client) attempt(ctx context.Context, params *openapiutil.Params, cl call) (map[string]any, error) {
	type result struct {
		res map[string]any
		err error
	}
	done := make(chan result, 1)
	go func() {
		req := &openapiutil.OpenApiRequest{}
		if dara.StringValue(params.Method) == "POST" {
			req.Body = cl.query
		} else {
			req.Query = openapiutil.Query(cl.query)
		}
		sdk, err := c.takeSDK()
		if err != nil {
			done <- result{nil, err}
			return
		}
		res, err := sdk.CallApi(params, req, &dara.RuntimeOptions{})
		c.putSDK(sdk)
		done <- result{res, err}
	}()
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case r := <-done:
		if r.err != nil {
			return nil, c.translate(cl.action, r.err)
		}
		body, _ := r.res["body"].(map[string]any)
		if body == nil {
			return nil, &APIError{Action: cl.action, Code: "InvalidResponse", Message: "the answer has no JSON body", Err: ErrFailed}
		}
		return body, nil
	}
}

func isNetworkError(err error) bool {
	var api *APIError
	return errors.As(err, &api) && api.Code == "NetworkError"
}

// translate turns an SDK error into an *APIError with its sentinel, and logs its RequestId.
func (c *Client) translate(action string, err error) error {
	var sdk *tea.SDKError
	if !errors.As(err, &sdk) {
		return &APIError{Action: action, Code: "NetworkError", Message: err.Error(), Err: ErrUnavailable}
	}
	e := &APIError{Action: action, Code: tea.StringValue(sdk.Code), Status: tea.IntValue(sdk.StatusCode), Message: tea.StringValue(sdk.Message)}
	if data := tea.StringValue(sdk.Data); data != "" {
		var body struct {
			Code, Message, RequestId string
			AccessDeniedDetail       struct{ AuthAction string }
		}
		if json.Unmarshal([]byte(data), &body) == nil {
			if body.Message != "" {
				e.Message = body.Message
			}
			e.RequestID = body.RequestId
			e.AuthAction = body.AccessDeniedDetail.AuthAction
		}
	}
	if e.Code == "" {
		e.Code = "HTTP" + strconv.Itoa(e.Status)
	}
	e.Err = sentinelFor(e.Code, e.Status)
	if e.Err == ErrDenied && e.AuthAction == "" {
		e.AuthAction = ramService + action
	}
	c.log.Warn("Security Center API error", "action", action, "code", e.Code, "status", e.Status, "request_id", e.RequestID, "message", e.Message)
	return e
}

// httpClient is the SDK's HTTP client when the debug log is off. The SDK's default one is shared by
// every client of the process and has its timeout rewritten on every call while other calls read it: a
// data race as soon as several accounts are connected at once. Like the SDK's, it keeps the first
// transport it is given, so connections are reused.
type httpClient struct {
	once    sync.Once
	client  *http.Client
	timeout time.Duration
}

func (h *httpClient) Call(req *http.Request, transport *http.Transport) (*http.Response, error) {
	h.once.Do(func() { h.client = &http.Client{Transport: transport, Timeout: h.timeout} })
	return h.client.Do(req)
}
