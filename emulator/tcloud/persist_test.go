package tcloud

import (
	"encoding/json"
	"net/http/httptest"
	"testing"
)

// What API calls made is saved and loaded into a fresh server: the sub-user's key still signs, its grant
// still allows, and the state reads the same; new ids do not collide with loaded ones.
func TestSavedStateLoadsIntoAFreshServer(t *testing.T) {
	s, c := newTestServer(t)
	cam := func(c *testClient, action string, p any) map[string]any {
		return c.call("cam", "2019-01-16", action, p)
	}
	u := cam(c, "AddUser", map[string]any{"Name": "sas", "UseApi": 1, "ConsoleLogin": 0})
	p := cam(c, "CreatePolicy", map[string]any{"PolicyName": "p1", "PolicyDocument": `{"version":"2.0","statement":[{"effect":"allow","action":["cam:ListUsers"],"resource":["*"]}]}`})
	if r := cam(c, "AttachUserPolicy", map[string]any{"PolicyId": p["PolicyId"], "AttachUin": u["Uin"]}); errorCode(r) != "" {
		t.Fatal(r)
	}
	if r := c.call("cls", "2020-10-16", "CreateLogset", map[string]any{"LogsetName": "ls"}); errorCode(r) != "" {
		t.Fatal(r)
	}
	data, err := s.SaveState()
	if err != nil {
		t.Fatal(err)
	}

	rootID, rootKey := s.RootKey()
	loaded := New(Options{RootSecretID: rootID, RootSecretKey: rootKey})
	if err := loaded.LoadState(data); err != nil {
		t.Fatal(err)
	}
	want, _ := json.Marshal(s.State())
	got, _ := json.Marshal(loaded.State())
	if string(got) != string(want) {
		t.Errorf("loaded state\n%s\nwant\n%s", got, want)
	}
	hs := httptest.NewServer(loaded)
	defer hs.Close()
	sub := &testClient{t: t, srv: hs, id: u["SecretId"].(string), key: u["SecretKey"].(string), now: c.now}
	if r := cam(sub, "ListUsers", map[string]any{}); errorCode(r) != "" {
		t.Errorf("the loaded sub-user's key and grant: %v", r)
	}
	root := &testClient{t: t, srv: hs, id: rootID, key: rootKey, now: c.now}
	p2 := cam(root, "CreatePolicy", map[string]any{"PolicyName": "p2", "PolicyDocument": `{"version":"2.0","statement":[{"effect":"allow","action":["cam:ListUsers"],"resource":["*"]}]}`})
	if errorCode(p2) != "" || p2["PolicyId"] == p["PolicyId"] {
		t.Errorf("a policy created after loading: %v (loaded %v)", p2, p["PolicyId"])
	}

	// A state that does not fit the fresh server is refused whole.
	again := New(Options{})
	if err := again.LoadState(data); err != nil {
		t.Fatal(err)
	}
	if err := again.LoadState(data); err == nil {
		t.Error("the same users loaded twice")
	}
	if err := New(Options{}).LoadState([]byte(`{"users": [`)); err == nil {
		t.Error("a truncated state loaded")
	}
}

// WAF's log deliveries and the switches of the seeded instances and domains are saved too; a saved switch
// of a domain the seed no longer holds is refused.
func TestSavedStateKeepsWAFDeliveries(t *testing.T) {
	seed := func(s *Server) {
		s.SeedWAFInstance(WAFInstanceSeed{ID: "waf_ent", Region: "gz", Level: 3})
		s.SeedWAFDomain(WAFDomainSeed{Domain: "a.example.com", InstanceID: "waf_ent"})
	}
	s, c := newTestServer(t)
	seed(s)
	if r := wafCall(c, "ap-guangzhou", "CreatePostCLSFlow", map[string]any{"LogType": 1, "CLSRegion": "ap-guangzhou", "LogsetName": "waf_post_logset", "LogTopicName": "access"}); errorCode(r) != "" {
		t.Fatal(r)
	}
	if r := wafCall(c, "ap-guangzhou", "ModifyDomainsCLSStatus", map[string]any{"Domains": []map[string]any{{"Domain": "a.example.com", "Edition": "clb-waf", "InstanceID": "waf_ent"}}, "Status": 1}); errorCode(r) != "" {
		t.Fatal(r)
	}
	data, err := s.SaveState()
	if err != nil {
		t.Fatal(err)
	}

	rootID, rootKey := s.RootKey()
	loaded := New(Options{RootSecretID: rootID, RootSecretKey: rootKey})
	seed(loaded)
	if err := loaded.LoadState(data); err != nil {
		t.Fatal(err)
	}
	if loaded.WAFFlowCount() != 1 || !loaded.WAFSwitches()["access-log:a.example.com"] {
		t.Errorf("loaded WAF: %d flows, switches %v", loaded.WAFFlowCount(), loaded.WAFSwitches())
	}
	if got, want := loaded.WAFSwitches(), s.WAFSwitches(); len(got) != len(want) {
		t.Errorf("switches %v, want %v", got, want)
	}
	if err := New(Options{}).LoadState(data); err == nil {
		t.Error("WAF switches of a domain the seed does not hold were loaded")
	}
}
