package securitycenter

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alibabacloud-go/tea/tea"

	"onboard/emulator/sas"
	"onboard/emulator/tcloud"
)

const (
	aliKeyID  = "LTAI5tClientTestKeyId"
	aliSecret = "client-test-secret"
)

// world is a Security Center emulator in front of a Tencent emulator, and a client of it.
type world struct {
	c     *Client
	sc    *sas.Server
	tc    *tcloud.Server
	tcURL string
	url   string
}

func newWorld(t *testing.T, configure ...func(*Options)) *world {
	t.Helper()
	tc := tcloud.New(tcloud.Options{})
	tc.SeedCVM("ap-guangzhou", 3)
	tc.SeedCVM("ap-tokyo", 2)
	tc.SeedVPC("ap-guangzhou", 2)
	tcs := httptest.NewServer(tc)
	t.Cleanup(tcs.Close)
	sc := sas.New(sas.Options{TencentEndpoint: tcs.URL})
	t.Cleanup(sc.Close)
	sc.AddAccessKey("1234567890123456", aliKeyID, aliSecret)
	hs := httptest.NewServer(checkParams(t, sc))
	t.Cleanup(hs.Close)
	w := &world{sc: sc, tc: tc, tcURL: tcs.URL, url: hs.URL}
	w.c = w.client(t, hs.URL, aliKeyID, aliSecret, configure...)
	return w
}

// checkParams fails the test when the client sends an action a parameter that Alibaba Cloud's reference
// does not list for it (emulator/sas/testdata/contract.json), or sends it by another HTTP method.
func checkParams(t *testing.T, next http.Handler) http.Handler {
	t.Helper()
	data, err := os.ReadFile("../emulator/sas/testdata/contract.json")
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		Actions map[string]struct {
			Method  string
			Request map[string]string
		}
	}
	if err := json.Unmarshal(data, &c); err != nil {
		t.Fatal(err)
	}
	signing := []string{"Action", "Version", "Format", "Timestamp", "SignatureNonce", "AccessKeyId", "SignatureMethod", "SignatureVersion", "Signature", "SecurityToken"}
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		params, _ := url.ParseQuery(r.URL.RawQuery)
		form, _ := url.ParseQuery(string(body))
		for k, v := range form {
			params[k] = v
		}
		action := r.Header.Get("x-acs-action")
		if action == "" {
			action = params.Get("Action")
		}
		spec, ok := c.Actions[action]
		switch {
		case !ok:
			t.Errorf("the client calls %s, which has no contract", action)
		case spec.Method != r.Method:
			t.Errorf("%s sent by %s; the reference says %s", action, r.Method, spec.Method)
		}
		for name := range params {
			parts := strings.Split(name, ".")
			path := parts[0]
			if len(parts) == 3 {
				path += "[]." + parts[2]
			}
			if _, known := spec.Request[path]; ok && !known && !slices.Contains(signing, name) {
				t.Errorf("%s: the client sends %s, which the reference does not list", action, name)
			}
		}
		next.ServeHTTP(rw, r)
	})
}

func (w *world) client(t *testing.T, endpoint, id, secret string, configure ...func(*Options)) *Client {
	t.Helper()
	cred, err := StaticCredentials(id, Secret(secret), "", "test")
	if err != nil {
		t.Fatal(err)
	}
	opts := Options{Credentials: cred, Endpoint: endpoint, PollInterval: 10 * time.Millisecond,
		Retry: Retry{Attempts: 4, Base: 5 * time.Millisecond, Max: 20 * time.Millisecond}}
	for _, f := range configure {
		f(&opts)
	}
	c, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// tencent calls the Tencent emulator with its root key, to set up sub-users.
func (w *world) tencent(t *testing.T, service, version, action string, in any) map[string]any {
	t.Helper()
	id, secret := w.tc.RootKey()
	body, _ := json.Marshal(in)
	req, _ := http.NewRequest(http.MethodPost, w.tcURL+"/", bytes.NewReader(body))
	req.Header.Set("X-TC-Action", action)
	req.Header.Set("X-TC-Version", version)
	req.Header.Set("X-TC-Region", "ap-guangzhou")
	tcloud.Sign(req, body, id, secret, service, time.Now())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct{ Response map[string]any }
	json.NewDecoder(resp.Body).Decode(&out)
	if e, ok := out.Response["Error"]; ok {
		t.Fatalf("tencent %s %s: %v", service, action, e)
	}
	return out.Response
}

// Preset policies of the Tencent emulator.
const (
	cvmReadOnly = 243334
	vpcReadOnly = 186457
)

// preset finds a preset policy's ID by name.
func (w *world) preset(t *testing.T, name string) float64 {
	t.Helper()
	out := w.tencent(t, "cam", "2019-01-16", "ListPolicies", map[string]any{"Scope": "QCS", "Keyword": name, "Rp": 200})
	for _, p := range out["List"].([]any) {
		if p := p.(map[string]any); p["PolicyName"] == name {
			return p["PolicyId"].(float64)
		}
	}
	t.Fatalf("no preset policy %s", name)
	return 0
}

// subUser creates a Tencent sub-user with the policies and returns its UIN and key.
func (w *world) subUser(t *testing.T, name string, policies ...float64) (uin float64, id string, key Secret) {
	t.Helper()
	u := w.tencent(t, "cam", "2019-01-16", "AddUser", map[string]any{"Name": name, "UseApi": 1, "ConsoleLogin": 0})
	for _, p := range policies {
		w.tencent(t, "cam", "2019-01-16", "AttachUserPolicy", map[string]any{"PolicyId": p, "AttachUin": u["Uin"]})
	}
	return u["Uin"].(float64), u["SecretId"].(string), Secret(u["SecretKey"].(string))
}

func (w *world) owner() string {
	id := w.tc.OwnerUIN()
	return strings.TrimSpace(jsonString(id))
}

func jsonString(v any) string { b, _ := json.Marshal(v); return string(b) }

func module(a Account, m Module) ModuleStatus {
	for _, s := range a.Modules {
		if s.Module == m {
			return s
		}
	}
	return ModuleStatus{}
}

func TestEveryActionThroughTheRealLibrary(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	_, id, key := w.subUser(t, "sas-onboard", cvmReadOnly, w.preset(t, "QcloudCLSReadOnlyAccess"))

	mods, err := w.c.SupportedModules(ctx)
	if err != nil || len(mods) == 0 || mods[0].Vendor != VendorTencent || len(mods[0].Modules) != 4 || mods[0].Modules[2].Module != ModuleAgenticSOC {
		t.Fatalf("supported modules: %+v %v", mods, err)
	}

	added, err := w.c.AddAccount(ctx, AccountSpec{KeyType: KeySub, SecretID: id, SecretKey: key,
		Modules: []Module{ModuleHost, ModuleCSPM}, DisplayName: "prod"})
	if err != nil {
		t.Fatal(err)
	}
	if added.AuthID == 0 || added.Status != StatusValidating || added.MaskedSecretID == id || !strings.HasSuffix(added.MaskedSecretID, "***") {
		t.Fatalf("added: %+v", added)
	}
	acct, err := w.c.WaitForValidation(ctx, added.AuthID)
	if err != nil || acct.Status != StatusNormal || acct.VendorUID != w.owner() || acct.DisplayName != "prod" ||
		module(acct, ModuleHost).Status != StatusNormal || module(acct, ModuleCSPM).Status != StatusNormal {
		t.Fatalf("validated: %+v %v", acct, err)
	}

	name, off := "production", false
	mod, err := w.c.ModifyAccount(ctx, added.AuthID, AccountChange{DisplayName: &name, Enabled: &off})
	if err != nil || mod.DisplayName != "production" || mod.Enabled {
		t.Fatalf("modify: %+v %v", mod, err)
	}
	on := true
	if _, err := w.c.ModifyAccount(ctx, added.AuthID, AccountChange{Enabled: &on}); err != nil {
		t.Fatal(err)
	}

	regions, err := w.c.Regions(ctx, VendorTencent)
	if err != nil || len(regions) < 10 || regions[0].Selected || regions[0].TakenByOtherSite {
		t.Fatalf("regions: %+v %v", regions, err)
	}
	if err := w.c.SetSyncRegions(ctx, VendorTencent, []string{"ap-guangzhou", "ap-tokyo"}, true); err != nil {
		t.Fatal(err)
	}
	regions, _ = w.c.Regions(ctx, VendorTencent)
	selected := 0
	for _, r := range regions {
		if r.Selected {
			selected++
		}
	}
	if selected != 2 {
		t.Fatalf("after SetSyncRegions %d regions are selected, want 2", selected)
	}

	want := RefreshSettings{HostSync: "6h", CloudServiceSync: "7d", KeyCheck: "1h"}
	if err := w.c.SetRefreshSettings(ctx, VendorTencent, added.AuthID, want); err != nil {
		t.Fatal(err)
	}
	if got, err := w.c.RefreshSettings(ctx, VendorTencent, added.AuthID); err != nil || got != want {
		t.Fatalf("refresh settings: %+v %v, want %+v", got, err, want)
	}
	if err := w.c.SetRefreshSettings(ctx, VendorTencent, added.AuthID, RefreshSettings{KeyCheck: FrequencyOff}); err != nil {
		t.Fatal(err)
	}
	if got, _ := w.c.RefreshSettings(ctx, VendorTencent, added.AuthID); got.KeyCheck != FrequencyOff || got.HostSync != "6h" {
		t.Fatalf("after turning the key check off: %+v", got)
	}

	if err := w.c.RefreshAssets(ctx, VendorTencent, AssetsHosts); err != nil {
		t.Fatal(err)
	}
	if err := w.c.RefreshAssets(ctx, VendorTencent, AssetsCloudServices); err != nil {
		t.Fatal(err)
	}
	syncs := w.sc.State().Accounts[0].Sites[sas.SiteOutside].Syncs
	if len(syncs) != 2 || syncs[0].Total != 5 || syncs[0].Regions["ap-tokyo"] != 2 || syncs[1].Total != 2 || syncs[0].Error != "" {
		t.Fatalf("asset refreshes: %+v", syncs)
	}

	if _, err := w.c.AuditLog(ctx, added.AuthID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("audit log before any: %v, want ErrNotFound", err)
	}
	logset, topic := w.kafkaTopic(t)
	settings := AuditLogSettings{KafkaUser: logset, BootstrapServers: "kafkaconsumer-ap-guangzhou.cls.tencentcs.com:9096", Topic: topic}
	if err := w.c.AddAuditLog(ctx, added.AuthID, settings); err != nil {
		t.Fatal(err)
	}
	if err := w.c.AddAuditLog(ctx, added.AuthID, settings); !errors.Is(err, ErrAlreadyExists) {
		t.Fatalf("second AddAuditLog: %v, want ErrAlreadyExists", err)
	}
	st := w.waitAuditLog(t, added.AuthID)
	if st.Settings != settings || st.Status != "enable" {
		t.Fatalf("audit log: %+v", st)
	}
	settings.Topic = "out-no-such-topic"
	if err := w.c.ModifyAuditLog(ctx, added.AuthID, settings); err != nil {
		t.Fatal(err)
	}
	if st := w.waitAuditLog(t, added.AuthID); st.Status != "error" || !strings.Contains(st.Message, "No relevant queue found") {
		t.Fatalf("audit log with a topic that does not exist: %+v", st)
	}
	if err := w.c.DeleteAuditLog(ctx, added.AuthID); err != nil {
		t.Fatal(err)
	}

	if err := w.c.DeleteAccount(ctx, added.AuthID); err != nil {
		t.Fatal(err)
	}
	if list, err := w.c.ListAccounts(ctx, AccountFilter{}); err != nil || len(list) != 0 {
		t.Fatalf("after delete: %+v %v", list, err)
	}
	if err := w.c.DeleteAccount(ctx, added.AuthID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("deleting twice: %v, want ErrNotFound", err)
	}
}

// kafkaTopic creates a CLS logset and topic with Kafka consumption open in the Tencent emulator and
// returns the logset ID and the consumer topic. Without CLS in the Tencent emulator it returns made-up
// names, which the Security Center emulator then cannot check.
func (w *world) kafkaTopic(t *testing.T) (logset, topic string) {
	t.Helper()
	ls := w.tencent(t, "cls", "2020-10-16", "CreateLogset", map[string]any{"LogsetName": "cloudaudit"})
	tp := w.tencent(t, "cls", "2020-10-16", "CreateTopic", map[string]any{"LogsetId": ls["LogsetId"], "TopicName": "audit"})
	k := w.tencent(t, "cls", "2020-10-16", "OpenKafkaConsumer", map[string]any{"FromTopicId": tp["TopicId"]})
	return ls["LogsetId"].(string), k["TopicID"].(string)
}

func (w *world) waitAuditLog(t *testing.T, authID int64) AuditLogStatus {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		st, err := w.c.AuditLog(context.Background(), authID)
		if err != nil {
			t.Fatal(err)
		}
		if st.Status != "verify" || time.Now().After(deadline) {
			return st
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestListAccountsReadsEveryPage(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	// Keys Tencent Cloud rejects are still recorded (with an error status), and are not duplicates.
	for i := range 53 {
		if _, err := w.c.AddAccount(ctx, AccountSpec{KeyType: KeySub, SecretID: "AKIDunknown" + jsonString(i), SecretKey: "x", Modules: []Module{ModuleHost}}); err != nil {
			t.Fatal(err)
		}
	}
	list, err := w.c.ListAccounts(ctx, AccountFilter{Vendor: VendorTencent})
	if err != nil || len(list) != 53 {
		t.Fatalf("listed %d accounts (%v), want 53", len(list), err)
	}
	if list[0].Status != StatusError || !strings.Contains(list[0].Message, "AuthFailure") || module(list[0], ModuleHost).Message != "ak_invalid" {
		t.Fatalf("a rejected key: %+v", list[0])
	}
}

func TestServiceRules(t *testing.T) {
	ctx := context.Background()

	t.Run("a Tencent account already connected cannot be added twice", func(t *testing.T) {
		w := newWorld(t)
		_, id1, key1 := w.subUser(t, "first", cvmReadOnly)
		_, id2, key2 := w.subUser(t, "second", cvmReadOnly)
		if _, err := w.c.AddAccount(ctx, AccountSpec{KeyType: KeySub, SecretID: id1, SecretKey: key1, Modules: []Module{ModuleHost}}); err != nil {
			t.Fatal(err)
		}
		_, err := w.c.AddAccount(ctx, AccountSpec{KeyType: KeySub, SecretID: id2, SecretKey: key2, Modules: []Module{ModuleHost}})
		var api *APIError
		if !errors.Is(err, ErrAlreadyExists) || !errors.As(err, &api) || api.RequestID == "" || api.Status != 400 {
			t.Fatalf("second key of the same account: %v, want ErrAlreadyExists with a RequestId", err)
		}
	})

	t.Run("Agentic SOC needs the vendor account ID", func(t *testing.T) {
		w := newWorld(t)
		_, id, key := w.subUser(t, "soc", cvmReadOnly)
		_, err := w.c.AddAccount(ctx, AccountSpec{KeyType: KeySub, SecretID: id, SecretKey: key, Modules: []Module{ModuleHost, ModuleAgenticSOC}})
		var api *APIError
		if !errors.Is(err, ErrInvalid) || !errors.As(err, &api) || api.Code != "MissingCtdrCloudUserId" {
			t.Fatalf("Agentic SOC without CtdrCloudUserId: %v", err)
		}
		a, err := w.c.AddAccount(ctx, AccountSpec{KeyType: KeySub, SecretID: id, SecretKey: key, Modules: []Module{ModuleHost, ModuleAgenticSOC}, VendorAccountID: w.owner()})
		if err != nil {
			t.Fatal(err)
		}
		if a, err = w.c.WaitForValidation(ctx, a.AuthID); err != nil || a.VendorAccountID != w.owner() {
			t.Fatalf("%+v %v", a, err)
		}
	})

	t.Run("a region can be a sync region of one site only", func(t *testing.T) {
		w := newWorld(t)
		mainland := httptest.NewServer(w.sc.Site(sas.SiteMainland))
		defer mainland.Close()
		cn := w.client(t, mainland.URL, aliKeyID, aliSecret, func(o *Options) { o.Site = SiteMainland })
		if err := cn.SetSyncRegions(ctx, VendorTencent, []string{"ap-guangzhou", "ap-shanghai"}, false); err != nil {
			t.Fatal(err)
		}
		err := w.c.SetSyncRegions(ctx, VendorTencent, []string{"ap-singapore", "ap-guangzhou"}, false)
		if !errors.Is(err, ErrConflict) {
			t.Fatalf("a region of the other site: %v, want ErrConflict", err)
		}
		regions, _ := w.c.Regions(ctx, VendorTencent)
		for _, r := range regions {
			if r.RegionID == "ap-guangzhou" && (!r.TakenByOtherSite || r.Selected) {
				t.Fatalf("ap-guangzhou from the outside site: %+v", r)
			}
		}
		if err := w.c.SetSyncRegions(ctx, VendorTencent, []string{"ap-singapore"}, false); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("SchedulePeriod must be one of the service's periods", func(t *testing.T) {
		w := newWorld(t)
		_, err := w.c.do(ctx, call{action: "ChangeAssetRefreshTaskConfig", query: map[string]any{"AssetRefreshConfigs": []map[string]any{
			{"Vendor": 3, "RefreshConfigType": 0, "SchedulePeriod": 90, "Status": 1}}}})
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "SchedulePeriod") {
			t.Fatalf("SchedulePeriod 90: %v, want ErrInvalid", err)
		}
		if err := w.c.SetRefreshSettings(ctx, VendorTencent, 1, RefreshSettings{HostSync: "2h"}); err == nil {
			t.Fatal("the client accepted a 2h frequency")
		}
	})

	t.Run("a key lacking a module's permission shows a per-module error when added", func(t *testing.T) {
		w := newWorld(t)
		_, id, key := w.subUser(t, "vpc-only", vpcReadOnly)
		a, err := w.c.AddAccount(ctx, AccountSpec{KeyType: KeySub, SecretID: id, SecretKey: key, Modules: []Module{ModuleHost, ModuleCSPM}})
		if err != nil {
			t.Fatal(err)
		}
		a, err = w.c.WaitForValidation(ctx, a.AuthID)
		host := module(a, ModuleHost)
		if err != nil || a.Status != StatusError || host.Status != StatusError || module(a, ModuleCSPM).Status != StatusNormal ||
			!strings.Contains(host.Message, "cvm:DescribeInstances") {
			t.Fatalf("%+v %v", a, err)
		}
	})

	t.Run("a permission removed later shows when assets are refreshed", func(t *testing.T) {
		w := newWorld(t)
		uin, id, key := w.subUser(t, "hosts", cvmReadOnly)
		a, _ := w.c.AddAccount(ctx, AccountSpec{KeyType: KeySub, SecretID: id, SecretKey: key, Modules: []Module{ModuleHost}})
		if a, err := w.c.WaitForValidation(ctx, a.AuthID); err != nil || a.Status != StatusNormal {
			t.Fatalf("%+v %v", a, err)
		}
		w.tencent(t, "cam", "2019-01-16", "DetachUserPolicy", map[string]any{"PolicyId": cvmReadOnly, "DetachUin": uin})
		if err := w.c.RefreshAssets(ctx, VendorTencent, AssetsHosts); err != nil {
			t.Fatal(err)
		}
		list, _ := w.c.ListAccounts(ctx, AccountFilter{})
		host := module(list[0], ModuleHost)
		if list[0].Status != StatusError || host.Status != StatusError || !strings.Contains(host.Message, "AuthFailure.UnauthorizedOperation") {
			t.Fatalf("after refresh: %+v", list[0])
		}
		syncs := w.sc.State().Accounts[0].Sites[sas.SiteOutside].Syncs
		if len(syncs) != 1 || syncs[0].Error == "" {
			t.Fatalf("sync record: %+v", syncs)
		}
	})

	t.Run("a root key is refused for a sub-user connection", func(t *testing.T) {
		w := newWorld(t)
		id, secret := w.tc.RootKey()
		a, _ := w.c.AddAccount(ctx, AccountSpec{KeyType: KeySub, SecretID: id, SecretKey: Secret(secret), Modules: []Module{ModuleHost}})
		if a.Status != StatusError || !strings.Contains(a.Message, "root") {
			t.Fatalf("%+v", a)
		}
	})
}

func TestRequestsSignedWrongAreRefusedInBothSignatureVersions(t *testing.T) {
	for _, v1 := range []bool{false, true} {
		name := map[bool]string{false: "ACS3-HMAC-SHA256", true: "HMAC-SHA1"}[v1]
		signing := func(o *Options) { o.SignatureV1 = v1 }
		t.Run(name, func(t *testing.T) {
			w := newWorld(t, signing)
			ctx := context.Background()
			if _, err := w.c.SupportedModules(ctx); err != nil {
				t.Fatalf("right key: %v", err)
			}
			if got := w.sc.Calls(); got[len(got)-1].Signature != name {
				t.Fatalf("signed with %s, want %s", got[len(got)-1].Signature, name)
			}
			cases := []struct {
				what, id, secret, code string
			}{
				{"a wrong secret", aliKeyID, aliSecret + "x", "SignatureDoesNotMatch"},
				{"a secret with one byte changed", aliKeyID, "client-test-secreT", "SignatureDoesNotMatch"},
				{"an unknown key", "LTAI5tUnknownKeyId", aliSecret, "InvalidAccessKeyId.NotFound"},
			}
			for _, c := range cases {
				_, err := w.client(t, w.url, c.id, c.secret, signing).SupportedModules(ctx)
				var api *APIError
				if !errors.Is(err, ErrAuth) || !errors.As(err, &api) || api.Code != c.code || api.RequestID == "" {
					t.Errorf("%s: %v, want %s", c.what, err, c.code)
				}
			}
			skewed := sas.New(sas.Options{Now: func() time.Time { return time.Now().Add(20 * time.Minute) }})
			defer skewed.Close()
			skewed.AddAccessKey("1", aliKeyID, aliSecret)
			hs := httptest.NewServer(skewed)
			defer hs.Close()
			_, err := w.client(t, hs.URL, aliKeyID, aliSecret, signing).SupportedModules(ctx)
			var api *APIError
			if !errors.As(err, &api) || api.Code != "InvalidTimeStamp.Expired" || !errors.Is(err, ErrAuth) {
				t.Errorf("a clock 20 minutes off: %v", err)
			}
		})
	}
}

func TestThrottlingAndServerErrorsAreRetried(t *testing.T) {
	ctx := context.Background()
	for _, code := range []string{"Throttling.User", "ServiceUnavailable", "InternalError"} {
		t.Run(code, func(t *testing.T) {
			w := newWorld(t)
			w.sc.FailNext("GetSupportedModules", code, 2)
			if _, err := w.c.SupportedModules(ctx); err != nil {
				t.Fatalf("after two %s: %v", code, err)
			}
			if n := len(w.sc.Calls()); n != 3 {
				t.Fatalf("%d calls, want 3", n)
			}
		})
	}
	t.Run("attempts run out", func(t *testing.T) {
		w := newWorld(t)
		w.sc.FailNext("", "Throttling", 10)
		_, err := w.c.SupportedModules(ctx)
		if !errors.Is(err, ErrThrottled) || len(w.sc.Calls()) != 4 {
			t.Fatalf("%v after %d calls; want ErrThrottled after 4", err, len(w.sc.Calls()))
		}
	})
	t.Run("a refused request is not retried", func(t *testing.T) {
		w := newWorld(t)
		w.c.DeleteAccount(ctx, 42)
		if n := len(w.sc.Calls()); n != 1 {
			t.Fatalf("%d calls for one NotFound, want 1", n)
		}
	})
	t.Run("a dropped connection is retried for a read, not for an add", func(t *testing.T) {
		w := newWorld(t)
		w.sc.FailNext("GetSupportedModules", sas.FaultDrop, 1)
		if _, err := w.c.SupportedModules(ctx); err != nil {
			t.Fatal(err)
		}
		w.sc.FailNext("AddCloudVendorAccountAK", sas.FaultDrop, 1)
		_, err := w.c.AddAccount(ctx, AccountSpec{KeyType: KeySub, SecretID: "AKIDx", SecretKey: "y", Modules: []Module{ModuleHost}})
		if !errors.Is(err, ErrUnavailable) || len(w.sc.Calls()) != 3 {
			t.Fatalf("%v after %d calls", err, len(w.sc.Calls()))
		}
	})
	t.Run("waiting to retry ends when the context is cancelled", func(t *testing.T) {
		w := newWorld(t, func(o *Options) { o.Retry = Retry{Attempts: 5, Base: time.Minute, Max: time.Minute} })
		w.sc.FailNext("", "Throttling", 10)
		ctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
		defer cancel()
		start := time.Now()
		if _, err := w.c.SupportedModules(ctx); !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 5*time.Second {
			t.Fatalf("%v after %v", err, time.Since(start))
		}
	})
}

func TestEndpointsAndSites(t *testing.T) {
	if SiteMainland.Endpoint() != "tds.cn-shanghai.aliyuncs.com" || SiteOutside.Endpoint() != "tds.ap-southeast-1.aliyuncs.com" {
		t.Fatal("site endpoints")
	}
	for raw, want := range map[string][2]string{
		"":                         {"https", ""},
		"http://127.0.0.1:8080":    {"http", "127.0.0.1:8080"},
		"tds.private.example:443":  {"https", "tds.private.example:443"},
		"https://tds.example.com/": {"https", "tds.example.com"},
	} {
		p, h, err := parseEndpoint(raw)
		if err != nil || p != want[0] || h != want[1] {
			t.Errorf("%q: %s %s %v", raw, p, h, err)
		}
	}
	for _, bad := range []string{"ftp://x", "http://", "http://x/path"} {
		if _, _, err := parseEndpoint(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if _, err := ParseSite("china"); err == nil {
		t.Error("unknown site accepted")
	}
}

func TestAProxiedRequestIsServedByTheSiteItsHostNames(t *testing.T) {
	w := newWorld(t)
	c := w.client(t, "", aliKeyID, aliSecret, func(o *Options) { o.Site = SiteMainland })
	sdk := <-c.idle // the client's only SDK client while no call runs
	sdk.Protocol = ptr("http")
	sdk.HttpProxy = ptr(w.url)
	c.idle <- sdk
	if err := c.SetSyncRegions(context.Background(), VendorTencent, []string{"ap-beijing"}, false); err != nil {
		t.Fatal(err)
	}
	st := w.sc.State().Accounts[0].Sites
	if len(st[sas.SiteMainland].SyncRegions["Tencent"]) != 1 || len(st[sas.SiteOutside].SyncRegions["Tencent"]) != 0 {
		t.Fatalf("%+v", st)
	}
}

func TestSecretsTravelInTheSignedBodyNeverInTheURL(t *testing.T) {
	for _, v1 := range []bool{false, true} {
		name := map[bool]string{false: "ACS3-HMAC-SHA256", true: "HMAC-SHA1"}[v1]
		t.Run(name, func(t *testing.T) {
			w := newWorld(t, func(o *Options) { o.SignatureV1 = v1 })
			var mu sync.Mutex
			var urls []string
			recorder := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
				mu.Lock()
				urls = append(urls, r.URL.String())
				mu.Unlock()
				w.sc.ServeHTTP(rw, r)
			}))
			defer recorder.Close()
			c := w.client(t, recorder.URL, aliKeyID, aliSecret, func(o *Options) { o.SignatureV1 = v1 })
			ctx := context.Background()
			_, id, key := w.subUser(t, "sas-body", cvmReadOnly)
			added, err := c.AddAccount(ctx, AccountSpec{KeyType: KeySub, SecretID: id, SecretKey: key, Modules: []Module{ModuleHost}})
			if err != nil {
				t.Fatal(err)
			}
			_, id2, key2 := w.subUser(t, "sas-body-2", cvmReadOnly)
			if _, err := c.ModifyAccount(ctx, added.AuthID, AccountChange{SecretID: id2, SecretKey: key2}); err != nil {
				t.Fatal(err)
			}
			if got := w.sc.State().Accounts[0].Sites[sas.SiteOutside].CloudAccounts[0].SecretID; got != id2[:8]+"***" {
				t.Errorf("the emulator did not take the new key from the body: SecretId %s", got)
			}
			mu.Lock()
			if len(urls) != 2 {
				t.Errorf("%d requests, want 2", len(urls))
			}
			for _, u := range urls {
				if strings.Contains(u, key.Reveal()) || strings.Contains(u, key2.Reveal()) || strings.Contains(u, "SecretKey") {
					t.Errorf("a URL carries the SecretKey: %s", u)
				}
			}
			mu.Unlock()
			// A dropped connection: the transport's error quotes the URL, which holds no secret.
			w.sc.FailNext("ModifyCloudVendorAccountAK", sas.FaultDrop, 10) // every attempt
			_, err = c.ModifyAccount(ctx, added.AuthID, AccountChange{SecretID: id, SecretKey: key})
			if !errors.Is(err, ErrUnavailable) || strings.Contains(err.Error(), key.Reveal()) {
				t.Errorf("dropped modify: %v", err)
			}
		})
	}
}

func TestTheGatewaysUnknownActionNeverReadsAsNotFound(t *testing.T) {
	for _, code := range []string{"InvalidAction.NotFound", "InvalidApi.NotFound"} {
		t.Run(code, func(t *testing.T) {
			sc := sas.New(sas.Options{WithoutActions: []string{"DescribeCloudVendorTrialConfig"}, UnknownActionCode: code})
			t.Cleanup(sc.Close)
			sc.AddAccessKey("1234567890123456", aliKeyID, aliSecret)
			hs := httptest.NewServer(sc)
			t.Cleanup(hs.Close)
			c := (&world{}).client(t, hs.URL, aliKeyID, aliSecret)
			_, err := c.AuditLog(context.Background(), 2158)
			var api *APIError
			if errors.Is(err, ErrNotFound) || !errors.Is(err, ErrInvalid) || !errors.As(err, &api) || api.Code != code || api.Status != 404 {
				t.Fatalf("%v: an unknown action must not read as no settings yet", err)
			}
		})
	}
	// An object that does not exist still does.
	if !errors.Is(sentinelFor("CloudVendorTrialConfig.NotFound", 400), ErrNotFound) {
		t.Error("CloudVendorTrialConfig.NotFound is not ErrNotFound")
	}
}

func TestAPermissionDenialNamesTheMissingRAMAction(t *testing.T) {
	sc := sas.New(sas.Options{DeniedActions: []string{"AddCloudVendorAccountAK", "RefreshAssets"}})
	t.Cleanup(sc.Close)
	sc.AddAccessKey("1234567890123456", aliKeyID, aliSecret)
	hs := httptest.NewServer(sc)
	t.Cleanup(hs.Close)
	c := (&world{}).client(t, hs.URL, aliKeyID, aliSecret)
	ctx := context.Background()
	_, err := c.AddAccount(ctx, AccountSpec{KeyType: KeySub, SecretID: "AKIDdenied", SecretKey: "denied-secret-key", Modules: []Module{ModuleHost}})
	action, ok := MissingPermission(err)
	var api *APIError
	if !errors.Is(err, ErrDenied) || !ok || action != "yundun-sas:AddCloudVendorAccountAK" || !strings.Contains(err.Error(), action) ||
		!errors.As(err, &api) || api.Status != 403 || api.Code != "NoPermission" {
		t.Fatalf("%v (missing %q)", err, action)
	}
	if n := len(sc.Calls()); n != 1 {
		t.Errorf("a denial was retried: %d calls", n)
	}
	if err := c.RefreshAssets(ctx, VendorTencent, AssetsHosts); !strings.Contains(fmt.Sprint(err), "yundun-sas:RefreshAssets") {
		t.Errorf("refresh: %v", err)
	}
	if _, err := c.SupportedModules(ctx); err != nil {
		t.Errorf("an action not denied: %v", err)
	}
	// Without the service's AccessDeniedDetail, the action's own RAM name.
	e := (&Client{log: slog.New(slog.DiscardHandler)}).translate("ListCloudVendorRegions", &tea.SDKError{Code: tea.String("Forbidden.RAM"), StatusCode: tea.Int(403)})
	if a, _ := MissingPermission(e); a != "yundun-sas:ListCloudVendorRegions" {
		t.Errorf("Forbidden.RAM without detail: %v", e)
	}
}

func TestOperatorPolicyGrantsEveryActionTheClientCalls(t *testing.T) {
	var doc struct {
		Version   string
		Statement []struct {
			Effect, Resource string
			Action           []string
		}
	}
	data, err := OperatorPolicy([]Module{ModuleHost})
	if err != nil || json.Unmarshal(data, &doc) != nil || doc.Version != "1" || len(doc.Statement) != 1 || doc.Statement[0].Effect != "Allow" || doc.Statement[0].Resource != "*" {
		t.Fatalf("%s %v", data, err)
	}
	if slices.Contains(doc.Statement[0].Action, "yundun-sas:addCloudVendorTrialConfig") {
		t.Error("audit-log actions without the audit-log module")
	}
	all := OperatorActions([]Module{ModuleHost, ModuleCSPM, ModuleAgenticSOC, ModuleAuditLogs})
	// Every action this package calls is granted (case-insensitively, as RAM matches action names).
	src, _ := os.ReadFile("accounts.go")
	more, _ := os.ReadFile("settings.go")
	calls := regexp.MustCompile(`action: "(\w+)"`).FindAllStringSubmatch(string(src)+string(more), -1)
	if len(calls) < 13 {
		t.Fatalf("found %d calls in the sources: the check below proves nothing", len(calls))
	}
	for _, m := range calls {
		if !slices.ContainsFunc(all, func(a string) bool { return strings.EqualFold(a, "yundun-sas:"+m[1]) }) {
			t.Errorf("%s is called but not in the operator's policy", m[1])
		}
	}
}

// Calls at once each get an SDK client of their own (the SDK's keeps per-call state); the race detector
// watches this test.
func TestCallsAtOnce(t *testing.T) {
	w := newWorld(t)
	c := w.client(t, w.url, aliKeyID, aliSecret)
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Go(func() { _, errs[i] = c.Regions(context.Background(), VendorTencent) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("call %d: %v", i, err)
		}
	}
}
