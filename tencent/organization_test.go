package tencent

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"reflect"
	"testing"
	"time"

	"onboard/emulator/tcloud"
)

// The organization structs the generic client sends and reads, and every field the emulator answers, are
// in the official Node SDK models with the same JSON type.
func TestOrganizationStructsAndEmulatorMatchTheNodeModels(t *testing.T) {
	models := nodeModels(t, "organization", "v20210331")
	describe := modelFields(t, models, "DescribeOrganizationResponse")
	membersResp := modelFields(t, models, "DescribeOrganizationMembersResponse")
	member := modelFields(t, models, "OrgMember")
	checkStruct(t, "DescribeOrganization request", reflect.TypeOf(organizationDescribeRequest{}), modelFields(t, models, "DescribeOrganizationRequest"))
	checkStruct(t, "DescribeOrganization response", reflect.TypeOf(organizationDescribeResponse{}.Response), describe)
	checkStruct(t, "DescribeOrganizationMembers request", reflect.TypeOf(organizationMembersRequest{}), modelFields(t, models, "DescribeOrganizationMembersRequest"))
	checkStruct(t, "DescribeOrganizationMembers response", reflect.TypeOf(organizationMembersResponse{}.Response), membersResp)
	checkStruct(t, "OrgMember", reflect.TypeOf(organizationMember{}), member)

	emu := tcloud.New(tcloud.Options{})
	emu.AddMember(tcloud.Options{}, "alpha")
	hs := httptest.NewServer(emu)
	defer hs.Close()
	id, key := emu.RootKey()
	call := func(action string, body string) map[string]any {
		return emulatorAnswer(t, hs.URL, id, key, organizationService, organizationVersion, "", action, []byte(body))
	}
	checkAnswer(t, "DescribeOrganization", call("DescribeOrganization", `{}`), describe)
	list := call("DescribeOrganizationMembers", `{"Offset":0,"Limit":10}`)
	checkAnswer(t, "DescribeOrganizationMembers", list, membersResp)
	items, _ := list["Items"].([]any)
	if len(items) != 2 {
		t.Fatalf("members: %v", list)
	}
	for _, it := range items {
		checkAnswer(t, "OrgMember", it.(map[string]any), member)
	}
	identities := call("DescribeOrganizationMemberAuthIdentities", fmt.Sprintf(`{"Offset":0,"Limit":10,"MemberUin":%d}`, emu.Members()[0].OwnerUIN()))
	checkAnswer(t, "DescribeOrganizationMemberAuthIdentities", identities, modelFields(t, models, "DescribeOrganizationMemberAuthIdentitiesResponse"))
	for _, it := range identities["Items"].([]any) {
		checkAnswer(t, "OrgMemberAuthIdentity", it.(map[string]any), modelFields(t, models, "OrgMemberAuthIdentity"))
	}

	stsModels := nodeModels(t, "sts", "v20180813")
	checkAnswer(t, "AssumeRole", assumeRoleAnswer(t, hs.URL, id, key, emu.Members()[0].OwnerUIN()), modelFields(t, stsModels, "AssumeRoleResponse"))
}

func assumeRoleAnswer(t *testing.T, url, id, key string, member uint64) map[string]any {
	body := []byte(fmt.Sprintf(`{"RoleArn":%q,"RoleSessionName":"contract"}`, MemberRoleARN(fmt.Sprint(member), MemberAccessRole)))
	answer := emulatorAnswer(t, url, id, key, "sts", "2018-08-13", "ap-guangzhou", "AssumeRole", body)
	if answer["Credentials"] == nil {
		t.Fatalf("AssumeRole: %v", answer)
	}
	return answer
}

// The real SDK lists an organization of more members than one page holds, and acts in a member through
// the assumed member access role, with the temporary credentials' token.
func TestOrganizationMembersAndAssumeRole(t *testing.T) {
	emu := tcloud.New(tcloud.Options{})
	for i := range 55 {
		emu.AddMember(tcloud.Options{}, fmt.Sprintf("m%02d", i))
	}
	hs := httptest.NewServer(emu)
	defer hs.Close()
	id, key := emu.RootKey()
	c, err := New(Options{Credential: Credential{SecretID: id, SecretKey: SecretKey(key)}, Endpoint: hs.URL})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	org, err := c.Organization(ctx)
	if err != nil || !org.IsManager || org.ManagerUIN != fmt.Sprint(emu.OwnerUIN()) {
		t.Fatalf("organization %+v, %v", org, err)
	}
	members, err := c.OrganizationMembers(ctx)
	if err != nil || len(members) != 56 {
		t.Fatalf("%d members (want 55 and the management account), %v", len(members), err)
	}
	target := emu.Members()[54]
	cred, expires, err := c.AssumeRole(ctx, MemberRoleARN(fmt.Sprint(target.OwnerUIN()), MemberAccessRole), "onboard-test", time.Hour)
	if err != nil || !cred.Temporary() || time.Until(expires) < 50*time.Minute {
		t.Fatalf("assume role: %v, %v, temporary %v", err, expires, cred.Temporary())
	}
	inMember, err := New(Options{Credential: cred, Endpoint: hs.URL})
	if err != nil {
		t.Fatal(err)
	}
	who, err := inMember.Identify(ctx)
	if err != nil || who.OwnerUIN != fmt.Sprint(target.OwnerUIN()) || !who.IsTemporary() || who.IsRoot() {
		t.Fatalf("identity in the member: %+v, %v", who, err)
	}
	if _, err := inMember.CreateUser(ctx, UserSpec{Name: "reader"}); err != nil {
		t.Fatal(err)
	}
	if n := len(target.State().Users); n != 1 {
		t.Fatalf("the member holds %d users", n)
	}

	emu.SetMemberAccess(target.OwnerUIN(), false)
	if _, _, err := c.AssumeRole(ctx, MemberRoleARN(fmt.Sprint(target.OwnerUIN()), MemberAccessRole), "onboard-test", time.Hour); !errors.Is(err, ErrDenied) {
		t.Fatalf("denied member: %v", err)
	}

	// An account in no organization, under both readings.
	alone := tcloud.New(tcloud.Options{})
	hs2 := httptest.NewServer(alone)
	defer hs2.Close()
	aid, akey := alone.RootKey()
	ac, _ := New(Options{Credential: Credential{SecretID: aid, SecretKey: SecretKey(akey)}, Endpoint: hs2.URL})
	for _, empty := range []bool{false, true} {
		alone.NoOrganizationAsEmpty(empty)
		if _, err := ac.Organization(ctx); !errors.Is(err, ErrNotFound) {
			t.Fatalf("no organization (empty answer %v): %v", empty, err)
		}
	}
}
