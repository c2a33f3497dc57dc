package tcloud

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// assumeMemberRole asks STS, with the client's key, for the member access role of account uin.
func (c *testClient) assumeMemberRole(uin uint64) (member *testClient, resp map[string]any) {
	c.t.Helper()
	resp = c.call("sts", "2018-08-13", "AssumeRole", map[string]any{
		"RoleArn": fmt.Sprintf("qcs::cam::uin/%d:roleName/%s", uin, MemberAccessRoleName), "RoleSessionName": "onboard-test"})
	creds, _ := resp["Credentials"].(map[string]any)
	id, _ := creds["TmpSecretId"].(string)
	secret, _ := creds["TmpSecretKey"].(string)
	token, _ := creds["Token"].(string)
	return &testClient{t: c.t, srv: c.srv, id: id, key: secret, now: c.now, token: token}, resp
}

func TestOrganizationMembersHaveTheirOwnState(t *testing.T) {
	s, c := newTestServer(t)
	a := s.AddMember(Options{}, "alpha")
	b := s.AddMember(Options{}, "beta")
	if a.OwnerUIN() == b.OwnerUIN() || a.OwnerUIN() == s.OwnerUIN() {
		t.Fatalf("member UINs %d, %d beside %d", a.OwnerUIN(), b.OwnerUIN(), s.OwnerUIN())
	}

	org := c.call("organization", "2021-03-31", "DescribeOrganization", map[string]any{})
	if org["IsManager"] != true || org["HostUin"] != float64(s.OwnerUIN()) {
		t.Fatalf("DescribeOrganization of the management account: %v", org)
	}
	list := c.call("organization", "2021-03-31", "DescribeOrganizationMembers", map[string]any{"Offset": 0, "Limit": 2})
	if list["Total"] != float64(3) || len(list["Items"].([]any)) != 2 {
		t.Fatalf("first page of members: %v", list)
	}
	if code := errorCode(c.call("organization", "2021-03-31", "DescribeOrganizationMembers", map[string]any{"Offset": 0})); code != "MissingParameter" {
		t.Fatalf("without Limit: %q", code)
	}

	// The management account's root key assumes the member access role of alpha; the temporary key acts
	// in alpha only, and needs its token.
	inA, resp := c.assumeMemberRole(a.OwnerUIN())
	if inA.token == "" {
		t.Fatalf("AssumeRole: %v", resp)
	}
	who := inA.call("sts", "2018-08-13", "GetCallerIdentity", map[string]any{})
	if who["AccountId"] != fmt.Sprint(a.OwnerUIN()) || who["Type"] != "CAMRole" {
		t.Fatalf("caller in alpha: %v", who)
	}
	if r := inA.call("cam", "2019-01-16", "AddUser", map[string]any{"Name": "reader", "UseApi": 0, "ConsoleLogin": 0}); errorCode(r) != "" {
		t.Fatalf("AddUser through the role: %v", r)
	}
	if len(a.State().Users) != 1 || len(b.State().Users) != 0 || len(s.State().Users) != 0 {
		t.Fatalf("users: alpha %v, beta %v, management %v", a.State().Users, b.State().Users, s.State().Users)
	}
	noToken := *inA
	noToken.token = ""
	if code := errorCode(noToken.call("cam", "2019-01-16", "ListUsers", map[string]any{})); code != "AuthFailure.TokenFailure" {
		t.Fatalf("temporary key without its token: %q", code)
	}
	if code := errorCode(inA.call("organization", "2021-03-31", "DescribeOrganizationMembers", map[string]any{"Offset": 0, "Limit": 10})); code != "UnauthorizedOperation" {
		t.Fatalf("a member lists the members: %q", code)
	}

	// A member whose role no longer trusts the management account refuses the role, until allowed again.
	if err := s.SetMemberAccess(b.OwnerUIN(), false); err != nil {
		t.Fatal(err)
	}
	if _, resp := c.assumeMemberRole(b.OwnerUIN()); errorCode(resp) != "UnauthorizedOperation" {
		t.Fatalf("denied member: %v", resp)
	}
	s.SetMemberAccess(b.OwnerUIN(), true)
	if _, resp := c.assumeMemberRole(b.OwnerUIN()); errorCode(resp) != "" {
		t.Fatalf("allowed again: %v", resp)
	}
	// A member cannot assume another member's role, and no account is another's member by accident.
	if _, resp := inA.assumeMemberRole(b.OwnerUIN()); errorCode(resp) != "UnauthorizedOperation" {
		t.Fatalf("member assumes a sibling's role: %v", resp)
	}
	if _, resp := c.assumeMemberRole(999999999999); errorCode(resp) != "ResourceNotFound.RoleNotFound" {
		t.Fatalf("role of no member: %v", resp)
	}
}

func TestOrganizationAbsentBothReadings(t *testing.T) {
	s, c := newTestServer(t)
	if code := errorCode(c.call("organization", "2021-03-31", "DescribeOrganization", map[string]any{})); code != "ResourceNotFound.OrganizationNotExist" {
		t.Fatalf("no organization: %q", code)
	}
	s.NoOrganizationAsEmpty(true)
	if r := c.call("organization", "2021-03-31", "DescribeOrganization", map[string]any{}); errorCode(r) != "" || r["OrgId"] != float64(0) {
		t.Fatalf("no organization, empty reading: %v", r)
	}
}

func TestSeedGenMembers(t *testing.T) {
	sd, err := ParseSeedGen("cvm=4,members=3")
	if err != nil {
		t.Fatal(err)
	}
	if len(sd.Members) != 3 || sd.Members[2].Total() != 4 {
		t.Fatalf("members %+v", sd.Members)
	}
	if _, err := ParseSeedGen(fmt.Sprintf("members=%d", MaxSeedMembers+1)); err == nil {
		t.Fatal("too many members accepted")
	}
}

func TestSeedFileMembers(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "org.json")
	os.WriteFile(good, []byte(`{"regions": {"ap-guangzhou": {"cvm": 1}}, "members": [{"regions": {"ap-shanghai": {"cvm": 2}}}, {"regions": {}, "cam_users": 3}]}`), 0o600)
	sd, err := ReadSeedFile(good)
	if err != nil || len(sd.Members) != 2 || sd.Members[0].Total() != 2 || sd.Members[1].CAMUsers != 3 {
		t.Fatalf("%+v, %v", sd, err)
	}
	for body, want := range map[string]string{
		`{"regions": {}, "members": [{"regions": {}, "members": [{"regions": {}}]}]}`: "member 1 has members",
		`{"regions": {}, "members": [{"regions": {"mars-1": {"cvm": 1}}}]}`:           "member 1: ",
	} {
		bad := filepath.Join(dir, "bad.json")
		os.WriteFile(bad, []byte(body), 0o600)
		if _, err := ReadSeedFile(bad); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", body, err, want)
		}
	}
}

// The inspection endpoint shows a member's state with ?account=UIN.
func TestInspectMember(t *testing.T) {
	s, c := newTestServer(t)
	m := s.AddMember(Options{}, "alpha")
	m.SeedUsers(2)
	resp, err := http.Get(c.srv.URL + InspectPath + "?account=" + fmt.Sprint(m.OwnerUIN()))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st State
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil || len(st.Users) != 2 {
		t.Fatalf("member state %+v, %v", st, err)
	}
}
