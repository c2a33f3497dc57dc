package sas

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"onboard/emulator/tcloud"
)

// contract is testdata/contract.json: per action, the request parameters and the response fields with
// their JSON types, as Alibaba Cloud's reference publishes them.
type contract struct {
	Actions map[string]struct {
		Method   string
		Request  map[string]string
		Response map[string]string
		Source   []string
	}
}

func readContract(t *testing.T) contract {
	t.Helper()
	data, err := os.ReadFile("testdata/contract.json")
	if err != nil {
		t.Fatal(err)
	}
	var c contract
	if err := json.Unmarshal(data, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

// jsonType is the contract's name for a decoded JSON value's type.
func jsonType(v any) string {
	switch x := v.(type) {
	case string:
		return "string"
	case bool:
		return "boolean"
	case float64:
		if x == float64(int64(x)) {
			return "integer"
		}
		return "number"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", v)
}

// fieldTypes flattens a decoded answer into contract paths: A.B inside object A, A[].B inside the
// elements of array A.
func fieldTypes(prefix string, v any, out map[string][]string) {
	switch x := v.(type) {
	case map[string]any:
		for k, child := range x {
			path := k
			if prefix != "" {
				path = prefix + "." + k
			}
			out[path] = append(out[path], jsonType(child))
			fieldTypes(path, child, out)
		}
	case []any:
		for _, el := range x {
			if _, isObject := el.(map[string]any); isObject {
				fieldTypes(prefix+"[]", el, out)
			}
		}
	}
}

// paramPath is the contract name of a flattened request parameter: AuthModules.1 is AuthModules,
// AssetRefreshConfigs.1.Vendor is AssetRefreshConfigs[].Vendor.
func paramPath(name string) string {
	parts := strings.Split(name, ".")
	if len(parts) == 1 {
		return name
	}
	if len(parts) == 2 {
		return parts[0]
	}
	return parts[0] + "[]." + parts[2]
}

func TestEveryActionAnswersAsTheReferenceSays(t *testing.T) {
	c := readContract(t)
	emu, hs, tc, tcURL := newTestServer(t)
	id, key := subUserKey(t, tc, tcURL, "sas-contract", 186457)
	seen := map[string]bool{}
	call := func(action string, p url.Values) map[string]any {
		t.Helper()
		spec, ok := c.Actions[action]
		if !ok {
			t.Fatalf("%s is not in the contract", action)
		}
		seen[action] = true
		for name := range p {
			if _, ok := spec.Request[paramPath(name)]; !ok {
				t.Errorf("%s: the test sends %s, which the reference does not list", action, name)
			}
		}
		req, _ := http.NewRequest(spec.Method, hs.URL+"/?"+p.Encode(), nil)
		req.Header.Set("x-acs-action", action)
		signACS3(req, nil, testKeyID, testSecret, time.Now(), nonce())
		a := send(t, req)
		if a.Status != http.StatusOK {
			t.Fatalf("%s: %d %v", action, a.Status, a.Body)
		}
		got := map[string][]string{}
		fieldTypes("", a.Body, got)
		for path, types := range got {
			want, ok := spec.Response[path]
			if !ok {
				t.Errorf("%s answers %s, which the reference does not list", action, path)
				continue
			}
			for _, typ := range types {
				if typ != want {
					t.Errorf("%s answers %s as %s; the reference says %s", action, path, typ, want)
				}
			}
		}
		// The fields of the top level and of Data are always answered; nested ones where they apply.
		for path := range spec.Response {
			if !strings.Contains(path, "[]") && strings.Count(path, ".") <= 1 && got[path] == nil {
				t.Errorf("%s does not answer %s", action, path)
			}
		}
		return a.Body
	}

	call("GetSupportedModules", url.Values{"Lang": {"en"}})
	added := call("AddCloudVendorAccountAK", url.Values{"Vendor": {"Tencent"}, "AkType": {"sub"}, "SecretId": {id}, "SecretKey": {key},
		"AuthModules.1": {"HOST"}, "AuthModules.2": {"TRIAL"}, "VendorAuthAlias": {"contract"}, "CtdrCloudUserId": {"100000000001"}, "Lang": {"en"}})
	authID := strconv.FormatInt(int64(added["Data"].(map[string]any)["AuthId"].(float64)), 10)
	call("ModifyCloudVendorAccountAK", url.Values{"AuthIds": {authID}, "VendorAuthAlias": {"contract-2"}, "Status": {"0"}, "Lang": {"en"}})
	call("ListCloudVendorRegions", url.Values{"Vendor": {"Tencent"}, "Lang": {"en"}})
	call("SetSyncRefreshRegion", url.Values{"Vendor": {"Tencent"}, "RegionIds.1": {"ap-guangzhou"}, "DefaultRegion": {"0"}})
	call("ChangeAssetRefreshTaskConfig", url.Values{"RegionId": {"ap-southeast-1"}, "AssetRefreshConfigs.1.Vendor": {"3"},
		"AssetRefreshConfigs.1.RefreshConfigType": {"2"}, "AssetRefreshConfigs.1.SchedulePeriod": {"60"}, "AssetRefreshConfigs.1.Status": {"1"},
		"AssetRefreshConfigs.1.TargetId": {authID}})
	call("ListAssetRefreshTaskConfig", url.Values{"RegionId": {"ap-southeast-1"}, "TargetId": {authID}})
	call("RefreshAssets", url.Values{"AssetType": {"ecs"}, "Vendor": {"3"}})
	call("DescribeVendorList", nil)
	call("AddInstallCode", url.Values{"VendorName": {"Tencent"}, "Os": {"linux"}, "OnlyImage": {"false"},
		"ExpiredDate": {strconv.FormatInt(time.Now().Add(time.Hour).UnixMilli(), 10)}})
	codes := call("DescribeInstallCodes", nil)["InstallCodes"].([]any)
	code := codes[0].(map[string]any)["CaptchaCode"].(string)
	if !emu.ConnectAgent(tcloud.AgentInstall{InstanceID: "ins-contract1", Region: "ap-guangzhou", Code: code, OS: "Linux"}) {
		t.Fatal("an agent with the account's install code was refused")
	}
	call("DescribeCloudCenterInstances", url.Values{"MachineTypes": {"ecs"}, "CurrentPage": {"1"}, "PageSize": {"100"}, "Lang": {"en"},
		"Criteria": {`[{"name":"instanceId","value":"ins-contract1"}]`}, "LogicalExp": {"OR"}})
	info := `{"kafkaUserName":"ls-1","kafkaBootstrapServers":"kafkaconsumer-ap-guangzhou.cls.tencentcs.com:9096","kafkaTopic":"out-1"}`
	call("AddCloudVendorTrialConfig", url.Values{"AuthId": {authID}, "Vendor": {"Tencent"}, "AuthInfo": {info}})
	call("DescribeCloudVendorTrialConfig", url.Values{"AuthId": {authID}, "Vendor": {"Tencent"}})
	call("ModifyCloudVendorTrialConfig", url.Values{"AuthId": {authID}, "Vendor": {"Tencent"}, "AuthInfo": {info}})
	call("DescribeCloudVendorAccountAKList", url.Values{"Vendor": {"Tencent"}, "CurrentPage": {"1"}, "PageSize": {"20"}, "Lang": {"en"}})
	call("ModifyCloudVendorTrialConfig", url.Values{"AuthId": {authID}, "Vendor": {"Tencent"}, "DeleteTrail": {"true"}})
	call("DeleteCloudVendorAccountAK", url.Values{"AuthId": {authID}})

	var missed []string
	for action := range c.Actions {
		if !seen[action] {
			missed = append(missed, action)
		}
	}
	sort.Strings(missed)
	if len(missed) > 0 {
		t.Errorf("the contract lists actions the test never calls: %v", missed)
	}
}

func TestTheContractCoversEveryActionTheClientCalls(t *testing.T) {
	c := readContract(t)
	var calls []string
	for _, file := range []string{"../../securitycenter/accounts.go", "../../securitycenter/settings.go", "../../securitycenter/agent.go"} {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range regexp.MustCompile(`action: "(\w+)"`).FindAllStringSubmatch(string(data), -1) {
			calls = append(calls, m[1])
		}
	}
	if len(calls) < 13 {
		t.Fatalf("found %d calls in the client: the check below proves nothing", len(calls))
	}
	for _, action := range calls {
		spec, ok := c.Actions[action]
		if !ok {
			t.Errorf("the client calls %s, which has no contract", action)
			continue
		}
		if len(spec.Source) == 0 || !strings.HasPrefix(spec.Source[0], "https://") {
			t.Errorf("%s: no source URL", action)
		}
	}
}

// signACS3Form signs an ACS3 request whose parameters are a form body, signing content-type or not.
func signACS3Form(req *http.Request, body []byte, signContentType bool) {
	sum := sha256.Sum256(body)
	now := time.Now().UTC().Format("2006-01-02T15:04:05Z")
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("x-acs-version", Version)
	req.Header.Set("x-acs-date", now)
	req.Header.Set("x-acs-signature-nonce", nonce())
	req.Header.Set("x-acs-content-sha256", hex.EncodeToString(sum[:]))
	names := []string{"host", "x-acs-action", "x-acs-content-sha256", "x-acs-date", "x-acs-signature-nonce", "x-acs-version"}
	if signContentType {
		names = append([]string{"content-type"}, names...)
	}
	var headers strings.Builder
	for _, n := range names {
		v := req.Header.Get(n)
		if n == "host" {
			v = req.URL.Host
		}
		headers.WriteString(n + ":" + v + "\n")
	}
	canonical := req.Method + "\n/\n\n" + headers.String() + "\n" + strings.Join(names, ";") + "\n" + hex.EncodeToString(sum[:])
	h := sha256.Sum256([]byte(canonical))
	m := hmac.New(sha256.New, []byte(testSecret))
	m.Write([]byte("ACS3-HMAC-SHA256\n" + hex.EncodeToString(h[:])))
	req.Header.Set("Authorization", "ACS3-HMAC-SHA256 Credential="+testKeyID+",SignedHeaders="+strings.Join(names, ";")+",Signature="+hex.EncodeToString(m.Sum(nil)))
}

func TestACS3FormBodiesAreServedAndTheirContentTypeMustBeSigned(t *testing.T) {
	emu, hs, _, _ := newTestServer(t)
	post := func(form url.Values, signContentType bool, tamper func(string) string) answer {
		body := form.Encode()
		req, _ := http.NewRequest(http.MethodPost, hs.URL+"/", strings.NewReader(tamper(body)))
		req.Header.Set("x-acs-action", "SetSyncRefreshRegion")
		signACS3Form(req, []byte(body), signContentType)
		return send(t, req)
	}
	same := func(s string) string { return s }
	form := url.Values{"Vendor": {"Tencent"}, "RegionIds.1": {"ap-guangzhou"}, "RegionIds.2": {"ap-tokyo"}}
	if a := post(form, false, same); a.code() != "IncompleteSignature" {
		t.Errorf("content-type not signed: %+v", a)
	}
	if a := post(form, true, func(s string) string { return strings.Replace(s, "ap-tokyo", "ap-seoul", 1) }); a.code() != "SignatureDoesNotMatch" {
		t.Errorf("a tampered body: %+v", a)
	}
	if a := post(form, true, same); a.Status != http.StatusOK {
		t.Fatalf("a signed form body: %+v", a)
	}
	if got := emu.State().Accounts[0].Sites[SiteOutside].SyncRegions["Tencent"]; len(got) != 2 || got[1] != "ap-tokyo" {
		t.Errorf("the parameters of the body were not used: %v", got)
	}
}
