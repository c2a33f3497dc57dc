package tencent

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	cam "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/cam/v20190116"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/profile"
	sts "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/sts/v20180813"
)

// Identity is who a key belongs to.
type Identity struct {
	OwnerUIN string // the root account
	// UserUIN is the caller as STS names it: the UIN of a key's user (OwnerUIN for a root key), or for
	// temporary credentials "<uin>:<federated name>" or "<roleId>:<session name>".
	UserUIN string
	ARN     string
	Type    string
	AppID   uint64
}

// IsRoot reports whether the key is the root account's own.
func (i Identity) IsRoot() bool { return i.UserUIN != "" && i.UserUIN == i.OwnerUIN }

// IsTemporary reports whether the caller is an STS session (GetFederationToken or AssumeRole): its
// UserId is "<principal>:<session name>" and its Arn is in the sts namespace
// (https://www.tencentcloud.com/document/api/598/45494). Such a caller has no CAM key of its own and no
// attached policies to read.
func (i Identity) IsTemporary() bool {
	return strings.Contains(i.UserUIN, ":") || strings.HasPrefix(i.ARN, "qcs::sts:")
}

// User is a CAM sub-user.
type User struct {
	UIN    uint64
	Name   string
	Remark string
}

// UserSpec describes a sub-user to create. It never asks CAM for a key: the key is created separately so
// its secret goes straight to the secret store.
type UserSpec struct {
	Name         string
	Remark       string
	ConsoleLogin bool
}

// PolicyScope selects preset (QCS), custom (Local) or all policies.
type PolicyScope string

const (
	ScopeAll    PolicyScope = "All"
	ScopePreset PolicyScope = "QCS"
	ScopeCustom PolicyScope = "Local"
)

// PolicySummary is one line of a policy listing.
type PolicySummary struct {
	ID     uint64
	Name   string
	Preset bool
}

// Policy is a policy with its document.
type Policy struct {
	PolicySummary
	Description string
	Document    string
}

// PolicySpec describes a custom policy to create or update.
type PolicySpec struct {
	Name        string
	Description string
	Document    string
}

// AttachedPolicy is a policy attached to a user.
type AttachedPolicy struct {
	ID     uint64
	Name   string
	Preset bool
}

// PolicyEntity is a principal a policy is attached to: a sub-user, a user group or a role.
type PolicyEntity struct {
	ID         string // CAM's ID of the entity
	Name       string
	UIN        uint64 // a sub-user's UIN; 0 for groups and roles
	Kind       string // user, group or role
	AttachedAt string
}

// AccessKey is an API key; Secret is set only when the key was just created.
type AccessKey struct {
	ID          string
	Secret      SecretKey
	Status      string // Active or Inactive
	Created     string
	Description string
}

func (c *Client) cam() (*cam.Client, error) {
	return sdkClient(c, "cam", "", func(cr *common.Credential, r string, p *profile.ClientProfile) (*cam.Client, error) {
		return cam.NewClient(cr, r, p)
	})
}

// CallerIdentity returns who the client's key belongs to from STS GetCallerIdentity alone, which every
// valid key may call: it is how a new least-privilege key is checked.
func (c *Client) CallerIdentity(ctx context.Context) (Identity, error) {
	stsClient, err := sdkClient(c, "sts", c.opts.Region, func(cr *common.Credential, r string, p *profile.ClientProfile) (*sts.Client, error) {
		return sts.NewClient(cr, r, p)
	})
	if err != nil {
		return Identity{}, err
	}
	var id Identity
	err = c.do(ctx, "sts", "GetCallerIdentity", false, func() error {
		resp, err := stsClient.GetCallerIdentityWithContext(ctx, sts.NewGetCallerIdentityRequest())
		if err == nil {
			r := resp.Response
			id = Identity{OwnerUIN: str(r.AccountId), UserUIN: str(r.UserId), ARN: str(r.Arn), Type: str(r.Type)}
		}
		return err
	})
	if err != nil {
		return Identity{}, fmt.Errorf("identify caller: %w", err)
	}
	return id, nil
}

// Identify returns who the client's key belongs to and the account's AppId (STS GetCallerIdentity and
// CAM GetUserAppId).
func (c *Client) Identify(ctx context.Context) (Identity, error) {
	id, err := c.CallerIdentity(ctx)
	if err != nil {
		return Identity{}, err
	}
	camClient, err := c.cam()
	if err != nil {
		return Identity{}, err
	}
	err = c.do(ctx, "cam", "GetUserAppId", false, func() error {
		resp, err := camClient.GetUserAppIdWithContext(ctx, cam.NewGetUserAppIdRequest())
		if err == nil {
			id.AppID = u64(resp.Response.AppId)
			if owner := str(resp.Response.OwnerUin); owner != "" && owner != id.OwnerUIN {
				return fmt.Errorf("STS says account %s, CAM says %s", id.OwnerUIN, owner)
			}
		}
		return err
	})
	if err != nil {
		return Identity{}, fmt.Errorf("identify caller: %w", err)
	}
	return id, nil
}

// GetUser returns the sub-user of that name, or ErrNotFound.
func (c *Client) GetUser(ctx context.Context, name string) (User, error) {
	cl, err := c.cam()
	if err != nil {
		return User{}, err
	}
	req := cam.NewGetUserRequest()
	req.Name = common.StringPtr(name)
	var u User
	err = c.do(ctx, "cam", "GetUser", false, func() error {
		resp, err := cl.GetUserWithContext(ctx, req)
		if err == nil {
			u = User{UIN: u64(resp.Response.Uin), Name: str(resp.Response.Name), Remark: str(resp.Response.Remark)}
		}
		return err
	})
	if err != nil {
		return User{}, fmt.Errorf("get user %q: %w", name, err)
	}
	return u, nil
}

// CreateUser creates a sub-user without console login and without a key.
func (c *Client) CreateUser(ctx context.Context, spec UserSpec) (User, error) {
	cl, err := c.cam()
	if err != nil {
		return User{}, err
	}
	req := cam.NewAddUserRequest()
	req.Name = common.StringPtr(spec.Name)
	req.Remark = common.StringPtr(spec.Remark)
	req.UseApi = common.Uint64Ptr(0)
	req.ConsoleLogin = common.Uint64Ptr(boolToUint(spec.ConsoleLogin))
	var u User
	err = c.do(ctx, "cam", "AddUser", true, func() error {
		resp, err := cl.AddUserWithContext(ctx, req)
		if err == nil {
			u = User{UIN: u64(resp.Response.Uin), Name: str(resp.Response.Name), Remark: spec.Remark}
		}
		return err
	})
	if err != nil {
		return User{}, fmt.Errorf("create user %q: %w", spec.Name, err)
	}
	return u, nil
}

// DeleteUser deletes a sub-user; force also deletes its keys.
func (c *Client) DeleteUser(ctx context.Context, name string, force bool) error {
	cl, err := c.cam()
	if err != nil {
		return err
	}
	req := cam.NewDeleteUserRequest()
	req.Name = common.StringPtr(name)
	req.Force = common.Uint64Ptr(boolToUint(force))
	if err := c.do(ctx, "cam", "DeleteUser", true, func() error {
		_, err := cl.DeleteUserWithContext(ctx, req)
		return err
	}); err != nil {
		return fmt.Errorf("delete user %q: %w", name, err)
	}
	return nil
}

// ListUsers returns every sub-user.
func (c *Client) ListUsers(ctx context.Context) ([]User, error) {
	cl, err := c.cam()
	if err != nil {
		return nil, err
	}
	var users []User
	err = c.do(ctx, "cam", "ListUsers", false, func() error {
		resp, err := cl.ListUsersWithContext(ctx, cam.NewListUsersRequest())
		if err == nil {
			users = users[:0]
			for _, u := range resp.Response.Data {
				users = append(users, User{UIN: u64(u.Uin), Name: str(u.Name), Remark: str(u.Remark)})
			}
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	return users, nil
}

const policyPageSize = 200

// ListPolicies returns every policy of the scope whose name contains keyword, over all pages.
func (c *Client) ListPolicies(ctx context.Context, scope PolicyScope, keyword string) ([]PolicySummary, error) {
	cl, err := c.cam()
	if err != nil {
		return nil, err
	}
	var out []PolicySummary
	for page := uint64(1); ; page++ {
		req := cam.NewListPoliciesRequest()
		req.Scope = common.StringPtr(string(scope))
		req.Rp = common.Uint64Ptr(policyPageSize)
		req.Page = common.Uint64Ptr(page)
		if keyword != "" {
			req.Keyword = common.StringPtr(keyword)
		}
		var total uint64
		err := c.do(ctx, "cam", "ListPolicies", false, func() error {
			resp, err := cl.ListPoliciesWithContext(ctx, req)
			if err == nil {
				total = u64(resp.Response.TotalNum)
				for _, p := range resp.Response.List {
					out = append(out, PolicySummary{ID: u64(p.PolicyId), Name: str(p.PolicyName), Preset: u64(p.Type) == 2})
				}
			}
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("list policies: %w", err)
		}
		if page*policyPageSize >= total {
			return out, nil
		}
	}
}

// FindPolicy returns the policy of exactly that name in the scope, or ErrNotFound. The API's keyword
// search is not an exact match, so the name is compared here.
func (c *Client) FindPolicy(ctx context.Context, scope PolicyScope, name string) (PolicySummary, error) {
	list, err := c.ListPolicies(ctx, scope, name)
	if err != nil {
		return PolicySummary{}, err
	}
	for _, p := range list {
		if p.Name == name {
			return p, nil
		}
	}
	return PolicySummary{}, fmt.Errorf("policy %q: %w", name, ErrNotFound)
}

// GetPolicy returns a policy with its document.
func (c *Client) GetPolicy(ctx context.Context, id uint64) (Policy, error) {
	cl, err := c.cam()
	if err != nil {
		return Policy{}, err
	}
	req := cam.NewGetPolicyRequest()
	req.PolicyId = common.Uint64Ptr(id)
	var p Policy
	err = c.do(ctx, "cam", "GetPolicy", false, func() error {
		resp, err := cl.GetPolicyWithContext(ctx, req)
		if err == nil {
			r := resp.Response
			p = Policy{PolicySummary: PolicySummary{ID: id, Name: str(r.PolicyName), Preset: u64(r.Type) == 2},
				Description: str(r.Description), Document: str(r.PolicyDocument)}
		}
		return err
	})
	if err != nil {
		return Policy{}, fmt.Errorf("get policy %d: %w", id, err)
	}
	return p, nil
}

// CreatePolicy creates a custom policy and returns its ID.
func (c *Client) CreatePolicy(ctx context.Context, spec PolicySpec) (uint64, error) {
	cl, err := c.cam()
	if err != nil {
		return 0, err
	}
	req := cam.NewCreatePolicyRequest()
	req.PolicyName = common.StringPtr(spec.Name)
	req.PolicyDocument = common.StringPtr(spec.Document)
	req.Description = common.StringPtr(spec.Description)
	var id uint64
	err = c.do(ctx, "cam", "CreatePolicy", true, func() error {
		resp, err := cl.CreatePolicyWithContext(ctx, req)
		if err == nil {
			id = u64(resp.Response.PolicyId)
		}
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("create policy %q: %w", spec.Name, err)
	}
	return id, nil
}

// UpdatePolicy replaces a custom policy's document and description.
func (c *Client) UpdatePolicy(ctx context.Context, id uint64, spec PolicySpec) error {
	cl, err := c.cam()
	if err != nil {
		return err
	}
	req := cam.NewUpdatePolicyRequest()
	req.PolicyId = common.Uint64Ptr(id)
	req.PolicyDocument = common.StringPtr(spec.Document)
	// An empty description is left out rather than sent: CAM's page does not say whether "" clears the
	// description, and the description carries the marker that says who owns the policy.
	if spec.Description != "" {
		req.Description = common.StringPtr(spec.Description)
	}
	if err := c.do(ctx, "cam", "UpdatePolicy", true, func() error {
		_, err := cl.UpdatePolicyWithContext(ctx, req)
		return err
	}); err != nil {
		return fmt.Errorf("update policy %q: %w", spec.Name, err)
	}
	return nil
}

// DeletePolicy deletes custom policies.
func (c *Client) DeletePolicy(ctx context.Context, ids ...uint64) error {
	cl, err := c.cam()
	if err != nil {
		return err
	}
	req := cam.NewDeletePolicyRequest()
	req.PolicyId = common.Uint64Ptrs(ids)
	if err := c.do(ctx, "cam", "DeletePolicy", true, func() error {
		_, err := cl.DeletePolicyWithContext(ctx, req)
		return err
	}); err != nil {
		return fmt.Errorf("delete policies %v: %w", ids, err)
	}
	return nil
}

// AttachUserPolicy attaches a policy to a user.
func (c *Client) AttachUserPolicy(ctx context.Context, policyID, userUIN uint64) error {
	cl, err := c.cam()
	if err != nil {
		return err
	}
	req := cam.NewAttachUserPolicyRequest()
	req.PolicyId, req.AttachUin = common.Uint64Ptr(policyID), common.Uint64Ptr(userUIN)
	if err := c.do(ctx, "cam", "AttachUserPolicy", true, func() error {
		_, err := cl.AttachUserPolicyWithContext(ctx, req)
		return err
	}); err != nil {
		return fmt.Errorf("attach policy %d to user %d: %w", policyID, userUIN, err)
	}
	return nil
}

// DetachUserPolicy detaches a policy from a user.
func (c *Client) DetachUserPolicy(ctx context.Context, policyID, userUIN uint64) error {
	cl, err := c.cam()
	if err != nil {
		return err
	}
	req := cam.NewDetachUserPolicyRequest()
	req.PolicyId, req.DetachUin = common.Uint64Ptr(policyID), common.Uint64Ptr(userUIN)
	if err := c.do(ctx, "cam", "DetachUserPolicy", true, func() error {
		_, err := cl.DetachUserPolicyWithContext(ctx, req)
		return err
	}); err != nil {
		return fmt.Errorf("detach policy %d from user %d: %w", policyID, userUIN, err)
	}
	return nil
}

// ListAttachedUserPolicies returns every policy attached to a user, over all pages.
func (c *Client) ListAttachedUserPolicies(ctx context.Context, userUIN uint64) ([]AttachedPolicy, error) {
	cl, err := c.cam()
	if err != nil {
		return nil, err
	}
	var out []AttachedPolicy
	for page := uint64(1); ; page++ {
		req := cam.NewListAttachedUserPoliciesRequest()
		req.TargetUin, req.Page, req.Rp = common.Uint64Ptr(userUIN), common.Uint64Ptr(page), common.Uint64Ptr(policyPageSize)
		var total uint64
		err := c.do(ctx, "cam", "ListAttachedUserPolicies", false, func() error {
			resp, err := cl.ListAttachedUserPoliciesWithContext(ctx, req)
			if err == nil {
				total = u64(resp.Response.TotalNum)
				for _, p := range resp.Response.List {
					out = append(out, AttachedPolicy{ID: u64(p.PolicyId), Name: str(p.PolicyName), Preset: str(p.PolicyType) == "QCS"})
				}
			}
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("list policies of user %d: %w", userUIN, err)
		}
		if page*policyPageSize >= total {
			return out, nil
		}
	}
}

// ListEntitiesForPolicy returns every principal the policy is attached to, over all pages.
func (c *Client) ListEntitiesForPolicy(ctx context.Context, policyID uint64) ([]PolicyEntity, error) {
	cl, err := c.cam()
	if err != nil {
		return nil, err
	}
	var out []PolicyEntity
	for page := uint64(1); ; page++ {
		req := cam.NewListEntitiesForPolicyRequest()
		req.PolicyId, req.Page, req.Rp = common.Uint64Ptr(policyID), common.Uint64Ptr(page), common.Uint64Ptr(policyPageSize)
		req.EntityFilter = common.StringPtr("All")
		var total uint64
		var got int
		err := c.do(ctx, "cam", "ListEntitiesForPolicy", false, func() error {
			resp, err := cl.ListEntitiesForPolicyWithContext(ctx, req)
			if err == nil {
				total, got = u64(resp.Response.TotalNum), len(resp.Response.List)
				for _, e := range resp.Response.List {
					out = append(out, PolicyEntity{ID: str(e.Id), Name: str(e.Name), UIN: u64(e.Uin),
						Kind: entityKind(u64(e.RelatedType)), AttachedAt: str(e.AttachmentTime)})
				}
			}
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("list the principals of policy %d: %w", policyID, err)
		}
		if page*policyPageSize >= total || got == 0 {
			return out, nil
		}
	}
}

// entityKind names ListEntitiesForPolicy's RelatedType: 1 user, 2 user group, 3 role.
func entityKind(relatedType uint64) string {
	switch relatedType {
	case 1:
		return "user"
	case 2:
		return "group"
	case 3:
		return "role"
	}
	return fmt.Sprintf("entity type %d", relatedType)
}

// CreateAccessKey creates a key for the user (0: the caller) with a description. The secret is in the
// result only; store it at once.
func (c *Client) CreateAccessKey(ctx context.Context, userUIN uint64, description string) (AccessKey, error) {
	cl, err := c.cam()
	if err != nil {
		return AccessKey{}, err
	}
	req := cam.NewCreateAccessKeyRequest()
	if description != "" {
		req.Description = common.StringPtr(description)
	}
	if userUIN != 0 {
		req.TargetUin = common.Uint64Ptr(userUIN)
	}
	var k AccessKey
	err = c.do(ctx, "cam", "CreateAccessKey", true, func() error {
		resp, err := cl.CreateAccessKeyWithContext(ctx, req)
		if err == nil && resp.Response.AccessKey != nil {
			a := resp.Response.AccessKey
			k = AccessKey{ID: str(a.AccessKeyId), Secret: SecretKey(str(a.SecretAccessKey)), Status: str(a.Status), Created: str(a.CreateTime), Description: str(a.Description)}
		}
		return err
	})
	if err != nil {
		return AccessKey{}, fmt.Errorf("create access key for user %d: %w", userUIN, err)
	}
	if k.ID == "" || k.Secret.Reveal() == "" {
		return AccessKey{}, errors.New("create access key: the answer holds no key")
	}
	return k, nil
}

// ListAccessKeys returns a user's keys (without secrets).
func (c *Client) ListAccessKeys(ctx context.Context, userUIN uint64) ([]AccessKey, error) {
	cl, err := c.cam()
	if err != nil {
		return nil, err
	}
	req := cam.NewListAccessKeysRequest()
	if userUIN != 0 {
		req.TargetUin = common.Uint64Ptr(userUIN)
	}
	var keys []AccessKey
	err = c.do(ctx, "cam", "ListAccessKeys", false, func() error {
		resp, err := cl.ListAccessKeysWithContext(ctx, req)
		if err == nil {
			keys = keys[:0]
			for _, a := range resp.Response.AccessKeys {
				keys = append(keys, AccessKey{ID: str(a.AccessKeyId), Status: str(a.Status), Created: str(a.CreateTime), Description: str(a.Description)})
			}
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list access keys of user %d: %w", userUIN, err)
	}
	return keys, nil
}

// UpdateAccessKey sets a key Active or Inactive.
func (c *Client) UpdateAccessKey(ctx context.Context, userUIN uint64, keyID, status string) error {
	cl, err := c.cam()
	if err != nil {
		return err
	}
	req := cam.NewUpdateAccessKeyRequest()
	req.AccessKeyId, req.Status = common.StringPtr(keyID), common.StringPtr(status)
	if userUIN != 0 {
		req.TargetUin = common.Uint64Ptr(userUIN)
	}
	if err := c.do(ctx, "cam", "UpdateAccessKey", true, func() error {
		_, err := cl.UpdateAccessKeyWithContext(ctx, req)
		return err
	}); err != nil {
		return fmt.Errorf("set access key %s %s: %w", MaskID(keyID), status, err)
	}
	return nil
}

// DeleteAccessKey deletes a key.
func (c *Client) DeleteAccessKey(ctx context.Context, userUIN uint64, keyID string) error {
	cl, err := c.cam()
	if err != nil {
		return err
	}
	req := cam.NewDeleteAccessKeyRequest()
	req.AccessKeyId = common.StringPtr(keyID)
	if userUIN != 0 {
		req.TargetUin = common.Uint64Ptr(userUIN)
	}
	if err := c.do(ctx, "cam", "DeleteAccessKey", true, func() error {
		_, err := cl.DeleteAccessKeyWithContext(ctx, req)
		return err
	}); err != nil {
		return fmt.Errorf("delete access key %s: %w", MaskID(keyID), err)
	}
	return nil
}

func boolToUint(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

// ParseUIN reads a UIN given as a decimal string.
func ParseUIN(s string) (uint64, error) {
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("invalid UIN %q: want digits", s)
	}
	return n, nil
}
