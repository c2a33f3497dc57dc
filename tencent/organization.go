package tencent

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"time"

	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/profile"
	sts "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/sts/v20180813"
)

// Tencent Cloud Organization has no typed module on the module proxy at a version that builds with
// common v1.3.210, so it goes through the SDK's generic client with the structs below (field names and
// types from the official Node SDK models, organization v20210331; contract_node_test.go checks them).
// Facts: docs/facts/organization.md.
const (
	organizationService = "organization"
	organizationVersion = "2021-03-31"
	// organizationPageMax is the largest Limit DescribeOrganizationMembers takes (1-50).
	organizationPageMax = 50
)

// MemberAccessRole is the role of the organization's preset member access identity, which the management
// account assumes to act in a member account (DescribeOrganizationMemberAuthIdentities example: identity 1,
// role OrganizationAccessControlRole, AdministratorAccess).
const MemberAccessRole = "OrganizationAccessControlRole"

// Organization is the organization the caller's account belongs to.
type Organization struct {
	ID         uint64
	ManagerUIN string
	// IsManager: the caller's account is the organization's management account.
	IsManager bool
}

// Member is a member account of an organization.
type Member struct {
	UIN  string
	Name string
}

type organizationDescribeRequest struct {
	Lang string `json:"Lang,omitempty"`
}

type organizationDescribeResponse struct {
	Response struct {
		OrgId     uint64 `json:"OrgId"`
		HostUin   uint64 `json:"HostUin"`
		IsManager bool   `json:"IsManager"`
		RequestId string `json:"RequestId"`
	} `json:"Response"`
}

type organizationMembersRequest struct {
	Offset int64 `json:"Offset"`
	Limit  int64 `json:"Limit"`
}

type organizationMembersResponse struct {
	Response struct {
		Items     []organizationMember `json:"Items"`
		Total     int64                `json:"Total"`
		RequestId string               `json:"RequestId"`
	} `json:"Response"`
}

type organizationMember struct {
	MemberUin uint64 `json:"MemberUin"`
	Name      string `json:"Name"`
}

// Organization returns the organization of the caller's account, or ErrNotFound when it belongs to none.
// Both answers the documentation leaves possible for such an account mean none: the error
// ResourceNotFound.OrganizationNotExist, or an answer whose OrgId is 0.
func (c *Client) Organization(ctx context.Context) (Organization, error) {
	var out organizationDescribeResponse
	if err := c.generic(ctx, organizationService, organizationVersion, "", "DescribeOrganization", false, organizationDescribeRequest{}, &out); err != nil {
		return Organization{}, fmt.Errorf("describe the organization: %w", err)
	}
	r := out.Response
	if r.OrgId == 0 {
		return Organization{}, fmt.Errorf("describe the organization: the account belongs to none: %w", ErrNotFound)
	}
	return Organization{ID: r.OrgId, ManagerUIN: strconv.FormatUint(r.HostUin, 10), IsManager: r.IsManager}, nil
}

// OrganizationMembers lists every account of the caller's organization, page by page (the management
// account may be among them: callers leave it out by UIN).
func (c *Client) OrganizationMembers(ctx context.Context) ([]Member, error) {
	var members []Member
	for offset := int64(0); ; offset += organizationPageMax {
		var out organizationMembersResponse
		if err := c.generic(ctx, organizationService, organizationVersion, "", "DescribeOrganizationMembers", false, organizationMembersRequest{Offset: offset, Limit: organizationPageMax}, &out); err != nil {
			return nil, fmt.Errorf("list the organization's members: %w", err)
		}
		for _, m := range out.Response.Items {
			members = append(members, Member{UIN: strconv.FormatUint(m.MemberUin, 10), Name: m.Name})
		}
		if len(out.Response.Items) == 0 || int64(len(members)) >= out.Response.Total {
			return members, nil
		}
	}
}

// MemberRoleARN is the resource description of a member account's role, as AssumeRole takes it:
// qcs::cam::uin/<member UIN>:roleName/<role name>.
func MemberRoleARN(memberUIN, role string) string {
	return "qcs::cam::uin/" + memberUIN + ":roleName/" + role
}

// sessionName is what AssumeRole's RoleSessionName accepts: 2-128 characters of [\w+=,.@_-].
var sessionName = regexp.MustCompile(`^[\w+=,.@-]{2,128}$`)

// AssumeRole asks STS for temporary credentials of a role (with the client's long-term key) that last
// duration; the credentials carry their token. The session name shows in the account's audit logs.
func (c *Client) AssumeRole(ctx context.Context, roleARN, session string, duration time.Duration) (Credential, time.Time, error) {
	if !sessionName.MatchString(session) {
		return Credential{}, time.Time{}, fmt.Errorf("assume role %s: session name %q is not 2-128 characters of letters, digits and +=,.@_-", roleARN, session)
	}
	stsClient, err := sdkClient(c, "sts", c.opts.Region, func(cr *common.Credential, r string, p *profile.ClientProfile) (*sts.Client, error) {
		return sts.NewClient(cr, r, p)
	})
	if err != nil {
		return Credential{}, time.Time{}, err
	}
	var cred Credential
	var expires time.Time
	err = c.do(ctx, "sts", "AssumeRole", false, func() error {
		req := sts.NewAssumeRoleRequest()
		req.RoleArn, req.RoleSessionName = common.StringPtr(roleARN), common.StringPtr(session)
		req.DurationSeconds = common.Uint64Ptr(uint64(duration / time.Second))
		resp, err := stsClient.AssumeRoleWithContext(ctx, req)
		if err != nil {
			return err
		}
		r := resp.Response
		if r.Credentials == nil || str(r.Credentials.TmpSecretId) == "" || str(r.Credentials.Token) == "" {
			return errors.New("STS answered no credentials")
		}
		cred = Credential{SecretID: str(r.Credentials.TmpSecretId), SecretKey: SecretKey(str(r.Credentials.TmpSecretKey)), Token: SecretKey(str(r.Credentials.Token))}
		if r.ExpiredTime != nil {
			expires = time.Unix(*r.ExpiredTime, 0)
		}
		return nil
	})
	if err != nil {
		return Credential{}, time.Time{}, fmt.Errorf("assume role %s: %w", roleARN, err)
	}
	return cred, expires, nil
}
