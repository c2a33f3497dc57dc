package tcloud

import (
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// testClock is a clock the test moves by hand.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// A new key, a new attachment and a policy update reach the services only once the propagation delay has
// passed since the change; CAM's own listings show them at once.
func TestNewKeysAndGrantsTakeEffectAfterThePropagationDelay(t *testing.T) {
	clock := &testClock{t: time.Now()}
	s := New(Options{Propagation: time.Minute, Now: clock.now})
	hs := httptest.NewServer(s)
	t.Cleanup(hs.Close)
	id, key := s.RootKey()
	root := &testClient{t: t, srv: hs, id: id, key: key}
	cam := func(action string, params map[string]any) map[string]any {
		t.Helper()
		root.now = clock.now()
		r := root.call("cam", "2019-01-16", action, params)
		if errorCode(r) != "" {
			t.Fatalf("%s: %v", action, r)
		}
		return r
	}
	u := cam("AddUser", map[string]any{"Name": "reader"})
	uin := u["Uin"]
	policyID := cam("CreatePolicy", map[string]any{"PolicyName": "read", "PolicyDocument": `{"version":"2.0","statement":[{"effect":"allow","action":["cvm:DescribeInstances"],"resource":["*"]}]}`})["PolicyId"]
	k := cam("CreateAccessKey", map[string]any{"TargetUin": uin})["AccessKey"].(map[string]any)
	sub := &testClient{t: t, srv: hs, id: k["AccessKeyId"].(string), key: k["SecretAccessKey"].(string)}
	describe := func() string {
		t.Helper()
		sub.now = clock.now()
		return errorCode(sub.call("cvm", "2017-03-12", "DescribeInstances", map[string]any{}))
	}

	if keys := cam("ListAccessKeys", map[string]any{"TargetUin": uin})["AccessKeys"].([]any); len(keys) != 1 {
		t.Fatalf("CAM does not list the new key at once: %v", keys)
	}
	if code := describe(); code != "AuthFailure.SecretIdNotFound" {
		t.Fatalf("a key younger than the delay: %q, want AuthFailure.SecretIdNotFound", code)
	}
	clock.advance(time.Minute + time.Second)
	if code := describe(); code != "AuthFailure.UnauthorizedOperation" {
		t.Fatalf("the key after the delay, without a grant: %q, want AuthFailure.UnauthorizedOperation", code)
	}

	cam("AttachUserPolicy", map[string]any{"PolicyId": policyID, "AttachUin": uin})
	if list := cam("ListAttachedUserPolicies", map[string]any{"TargetUin": uin})["List"].([]any); len(list) != 1 {
		t.Fatalf("CAM does not list the new attachment at once: %v", list)
	}
	if code := describe(); code != "AuthFailure.UnauthorizedOperation" {
		t.Fatalf("a grant younger than the delay: %q, want AuthFailure.UnauthorizedOperation", code)
	}
	clock.advance(time.Minute + time.Second)
	if code := describe(); code != "" {
		t.Fatalf("the grant after the delay: %q, want success", code)
	}

	// The update takes the action away, but the services apply the earlier document for a minute more.
	cam("UpdatePolicy", map[string]any{"PolicyId": policyID, "PolicyDocument": `{"version":"2.0","statement":[{"effect":"allow","action":["cvm:DescribeRegions"],"resource":["*"]}]}`})
	if code := describe(); code != "" {
		t.Fatalf("an update younger than the delay already applies: %q", code)
	}
	clock.advance(time.Minute + time.Second)
	if code := describe(); code != "AuthFailure.UnauthorizedOperation" {
		t.Fatalf("the update after the delay: %q, want AuthFailure.UnauthorizedOperation", code)
	}
}

// Without a propagation delay (the default), every change applies at once.
func TestWithoutPropagationChangesApplyAtOnce(t *testing.T) {
	_, root := newTestServer(t)
	u := root.call("cam", "2019-01-16", "AddUser", map[string]any{"Name": "reader"})
	policyID := root.call("cam", "2019-01-16", "CreatePolicy", map[string]any{"PolicyName": "read", "PolicyDocument": `{"version":"2.0","statement":[{"effect":"allow","action":["cvm:DescribeInstances"],"resource":["*"]}]}`})["PolicyId"]
	root.call("cam", "2019-01-16", "AttachUserPolicy", map[string]any{"PolicyId": policyID, "AttachUin": u["Uin"]})
	k := root.call("cam", "2019-01-16", "CreateAccessKey", map[string]any{"TargetUin": u["Uin"]})["AccessKey"].(map[string]any)
	sub := &testClient{t: t, srv: root.srv, id: k["AccessKeyId"].(string), key: k["SecretAccessKey"].(string), now: time.Now()}
	if r := sub.call("cvm", "2017-03-12", "DescribeInstances", map[string]any{}); errorCode(r) != "" {
		t.Fatalf("a new key and grant without propagation: %v", r)
	}
}
