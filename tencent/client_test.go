package tencent

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"onboard/emulator/tcloud"
)

// newEmulated returns the real SDK-backed client talking to a fresh emulator with the root key.
func newEmulated(t *testing.T) (*Client, *tcloud.Server, string) {
	t.Helper()
	emu := tcloud.New(tcloud.Options{})
	hs := httptest.NewServer(emu)
	t.Cleanup(hs.Close)
	id, key := emu.RootKey()
	c, err := New(Options{Credential: Credential{SecretID: id, SecretKey: SecretKey(key)}, Endpoint: hs.URL,
		Retry: Retry{Attempts: 4, Base: 10 * time.Millisecond, Max: 50 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	return c, emu, hs.URL
}

func TestIdentifyRootAndSubUser(t *testing.T) {
	c, emu, endpoint := newEmulated(t)
	ctx := context.Background()
	id, err := c.Identify(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !id.IsRoot() || id.OwnerUIN == "" || id.AppID == 0 {
		t.Fatalf("root identity: %+v", id)
	}
	u, err := c.CreateUser(ctx, UserSpec{Name: "sas", Remark: "managed-by: onboard"})
	if err != nil {
		t.Fatal(err)
	}
	key, err := c.CreateAccessKey(ctx, u.UIN, "")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(key.Secret.String()+key.MaskedID(), key.Secret.Reveal()) {
		t.Fatal("the secret is printable")
	}
	p, err := c.FindPolicy(ctx, ScopePreset, "QcloudCamReadOnlyAccess")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.AttachUserPolicy(ctx, p.ID, u.UIN); err != nil {
		t.Fatal(err)
	}
	sub, _ := New(Options{Credential: Credential{SecretID: key.ID, SecretKey: key.Secret}, Endpoint: endpoint})
	subID, err := sub.Identify(ctx)
	if err != nil {
		t.Fatalf("sub-user identify: %v", err)
	}
	if subID.IsRoot() || subID.UserUIN == subID.OwnerUIN || subID.OwnerUIN != id.OwnerUIN {
		t.Fatalf("sub-user identity: %+v", subID)
	}
	_ = emu
}

func (k AccessKey) MaskedID() string { return MaskID(k.ID) }

func TestUserPolicyAndKeyLifecycle(t *testing.T) {
	c, _, _ := newEmulated(t)
	ctx := context.Background()
	u, err := c.CreateUser(ctx, UserSpec{Name: "sas"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateUser(ctx, UserSpec{Name: "sas"}); !errors.Is(err, ErrAlreadyExists) {
		t.Fatalf("duplicate user: %v, want ErrAlreadyExists", err)
	}
	if got, err := c.GetUser(ctx, "sas"); err != nil || got.UIN != u.UIN {
		t.Fatalf("get user: %+v %v", got, err)
	}
	if _, err := c.GetUser(ctx, "nobody"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing user: %v", err)
	}
	if users, err := c.ListUsers(ctx); err != nil || len(users) != 1 {
		t.Fatalf("list users: %v %v", users, err)
	}

	doc := `{"version":"2.0","statement":[{"effect":"allow","action":["cvm:DescribeInstances"],"resource":["*"]}]}`
	id, err := c.CreatePolicy(ctx, PolicySpec{Name: "cspmPolicy", Document: doc})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreatePolicy(ctx, PolicySpec{Name: "cspmPolicy", Document: doc}); !errors.Is(err, ErrAlreadyExists) {
		t.Fatalf("duplicate policy: %v", err)
	}
	var api *APIError
	if _, err := c.CreatePolicy(ctx, PolicySpec{Name: "bad", Document: `{"version":"1.0","statement":[]}`}); !errors.As(err, &api) || !errors.Is(err, ErrInvalid) || api.RequestID == "" {
		t.Fatalf("bad document: %v (want ErrInvalid with a RequestId)", err)
	}
	found, err := c.FindPolicy(ctx, ScopeCustom, "cspmPolicy")
	if err != nil || found.ID != id || found.Preset {
		t.Fatalf("find custom policy: %+v %v", found, err)
	}
	if _, err := c.FindPolicy(ctx, ScopePreset, "NoSuchPreset"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing preset: %v", err)
	}
	newDoc := strings.Replace(doc, "cvm:DescribeInstances", "cvm:DescribeRegions", 1)
	if err := c.UpdatePolicy(ctx, id, PolicySpec{Name: "cspmPolicy", Document: newDoc}); err != nil {
		t.Fatal(err)
	}
	if p, err := c.GetPolicy(ctx, id); err != nil || p.Document != newDoc {
		t.Fatalf("get policy: %+v %v", p, err)
	}
	if err := c.AttachUserPolicy(ctx, id, u.UIN); err != nil {
		t.Fatal(err)
	}
	if att, err := c.ListAttachedUserPolicies(ctx, u.UIN); err != nil || len(att) != 1 || att[0].ID != id {
		t.Fatalf("attached: %+v %v", att, err)
	}
	if err := c.DetachUserPolicy(ctx, id, u.UIN); err != nil {
		t.Fatal(err)
	}
	if err := c.DeletePolicy(ctx, id); err != nil {
		t.Fatal(err)
	}

	k1, err := c.CreateAccessKey(ctx, u.UIN, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateAccessKey(ctx, u.UIN, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateAccessKey(ctx, u.UIN, ""); !errors.Is(err, ErrKeyLimit) {
		t.Fatalf("third key: %v, want ErrKeyLimit", err)
	}
	if err := c.UpdateAccessKey(ctx, u.UIN, k1.ID, "Inactive"); err != nil {
		t.Fatal(err)
	}
	keys, err := c.ListAccessKeys(ctx, u.UIN)
	if err != nil || len(keys) != 2 || keys[0].Secret != "" {
		t.Fatalf("list keys: %+v %v", keys, err)
	}
	if err := c.DeleteAccessKey(ctx, u.UIN, k1.ID); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteUser(ctx, "sas", false); err == nil {
		t.Fatal("a user with a key was deleted without force")
	}
	if err := c.DeleteUser(ctx, "sas", true); err != nil {
		t.Fatal(err)
	}
}

func TestCredentialAndPermissionErrors(t *testing.T) {
	c, _, endpoint := newEmulated(t)
	ctx := context.Background()
	wrong := c.opts.Credential
	wrong.SecretKey = SecretKey(wrong.SecretKey.Reveal() + "x") // a secret one byte longer is a different secret
	bad, _ := New(Options{Credential: wrong, Endpoint: endpoint})
	if _, err := bad.Identify(ctx); !errors.Is(err, ErrAuth) {
		t.Fatalf("wrong secret: %v, want ErrAuth", err)
	}
	u, _ := c.CreateUser(ctx, UserSpec{Name: "weak"})
	k, _ := c.CreateAccessKey(ctx, u.UIN, "")
	weak, _ := New(Options{Credential: Credential{SecretID: k.ID, SecretKey: k.Secret}, Endpoint: endpoint})
	_, err := weak.CreateUser(ctx, UserSpec{Name: "escalate"})
	if !errors.Is(err, ErrDenied) || !strings.Contains(err.Error(), "cam:AddUser") {
		t.Fatalf("sub-user without policy: %v, want ErrDenied naming cam:AddUser", err)
	}
}

func TestRetriesThrottlingServerErrorsAndDroppedConnections(t *testing.T) {
	for _, fault := range []string{"RequestLimitExceeded", "RequestLimitExceeded.UinLimitExceeded", "InternalError", tcloud.FaultHTTP500, tcloud.FaultDrop} {
		t.Run(fault, func(t *testing.T) {
			c, emu, _ := newEmulated(t)
			emu.FailNext("ListUsers", fault, 2)
			if _, err := c.ListUsers(context.Background()); err != nil {
				t.Fatalf("not retried: %v", err)
			}
			emu.FailNext("ListUsers", fault, 10)
			if _, err := c.ListUsers(context.Background()); err == nil || !(errors.Is(err, ErrThrottled) || errors.Is(err, ErrUnavailable)) {
				t.Fatalf("after the last attempt: %v", err)
			}
		})
	}
}

func TestMutatingCallIsNotRepeatedAfterADroppedConnection(t *testing.T) {
	c, emu, _ := newEmulated(t)
	emu.FailNext("AddUser", tcloud.FaultDrop, 1)
	if _, err := c.CreateUser(context.Background(), UserSpec{Name: "once"}); err == nil {
		t.Fatal("a create whose answer was lost reported success")
	}
	adds := 0
	for _, call := range emu.Calls() {
		if call.Action == "AddUser" {
			adds++
		}
	}
	if adds > 1 {
		t.Fatalf("AddUser was sent %d times after a dropped connection", adds)
	}
}

func TestCancellationDuringBackoff(t *testing.T) {
	c, emu, _ := newEmulated(t)
	c.opts.Retry = Retry{Attempts: 10, Base: 2 * time.Second, Max: 5 * time.Second}
	emu.FailNext("ListUsers", "RequestLimitExceeded", 100)
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(200 * time.Millisecond); cancel() }()
	start := time.Now()
	_, err := c.ListUsers(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("cancellation took %s; backoff must watch the context", d)
	}
}

func TestEndpointValidation(t *testing.T) {
	for _, bad := range []string{"127.0.0.1:80", "ftp://x", "http://"} {
		if _, err := New(Options{Credential: Credential{SecretID: "a", SecretKey: "b"}, Endpoint: bad}); err == nil || !strings.Contains(err.Error(), "endpoint") {
			t.Errorf("endpoint %q accepted: %v", bad, err)
		}
	}
}

func TestThrottlingAtPublishedRatesIsAbsorbedByRetries(t *testing.T) {
	emu := tcloud.New(tcloud.Options{RateLimits: tcloud.RateLimits{Rates: tcloud.PublishedRates}})
	hs := httptest.NewServer(emu)
	defer hs.Close()
	id, key := emu.RootKey()
	c, _ := New(Options{Credential: Credential{SecretID: id, SecretKey: SecretKey(key)}, Endpoint: hs.URL,
		Retry: Retry{Attempts: 8, Base: 100 * time.Millisecond, Max: time.Second}})
	errs := make(chan error, 40)
	for range 40 { // ListUsers allows 20/s: twice that at once must be throttled, then retried
		go func() { _, err := c.ListUsers(context.Background()); errs <- err }()
	}
	for range 40 {
		if err := <-errs; err != nil {
			t.Fatalf("a throttled call was not absorbed: %v", err)
		}
	}
	throttled := 0
	for _, call := range emu.Calls() {
		if call.Code == "RequestLimitExceeded" {
			throttled++
		}
	}
	if throttled == 0 {
		t.Fatal("no call was throttled: the test did not exercise the limit")
	}
}

func TestAReadAnsweredAfterTheClientTimeoutIsRetried(t *testing.T) {
	_, emu, endpoint := newEmulated(t)
	id, key := emu.RootKey()
	impatient, err := New(Options{Credential: Credential{SecretID: id, SecretKey: SecretKey(key)}, Endpoint: endpoint, Timeout: time.Second,
		Retry: Retry{Attempts: 3, Base: 10 * time.Millisecond, Max: 20 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	emu.AddFaults([]tcloud.FaultRule{{Action: "cam:ListUsers", Fault: tcloud.FaultDelay, Delay: 3 * time.Second, Nth: 1}})
	start := time.Now()
	if _, err := impatient.ListUsers(context.Background()); err != nil {
		t.Fatalf("not retried after a timeout: %v", err)
	}
	if d := time.Since(start); d > 2500*time.Millisecond {
		t.Errorf("took %s: the first attempt was not cut at the 1 s timeout", d)
	}
}
