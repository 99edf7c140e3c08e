package server_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/google/go-cmp/cmp"

	"github.com/iamd-dev/iamd/internal/server"
)

// sizedDoc is a policy document without whitespace of exactly n characters (n ≥ 150): a
// statement whose Sid pads it.
func sizedDoc(n int, principal bool) string {
	head := `{"Version":"2012-10-17","Statement":[{"Sid":"`
	tail := `","Effect":"Allow","Action":"iam:GetUser","Resource":"*"}]}`
	if principal {
		tail = `","Effect":"Allow","Principal":{"AWS":"` + acctARN + `root"},"Action":"sts:AssumeRole"}]}`
	}
	return head + strings.Repeat("s", n-len(head)-len(tail)) + tail
}

// TestQuotaWalks walks each quota that quota_e2e_test.go does not to its limit and one past it,
// on a server of its own: the adjustable ones set with --quota (lowered so the walk is short,
// or raised above AWS's default), the fixed ones at AWS's value. Every call up to the limit
// succeeds; the next answers LimitExceeded with AWS's message.
func TestQuotaWalks(t *testing.T) {
	ctx := context.Background()
	trust := aws.String(trustDoc(acctARN+"root", ""))
	policies := func(c *iam.Client, n int) []*string {
		var arns []*string
		for i := range n {
			p := must[*iam.CreatePolicyOutput](t, "CreatePolicy")(c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String(fmt.Sprintf("p%02d", i)), PolicyDocument: aws.String(policyDoc("iam:GetUser"))}))
			arns = append(arns, p.Policy.Arn)
		}
		return arns
	}
	var arns []*string
	tests := []struct {
		name   string
		quotas map[string]int64
		setup  func(c *iam.Client)
		limit  int
		call   func(c *iam.Client, i int) error
		msg    string
	}{
		{"UsersPerAccount", map[string]int64{"users-per-account": 3}, nil, 3, func(c *iam.Client, i int) error {
			_, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(fmt.Sprint("u", i))})
			return err
		}, "Cannot exceed quota for UsersPerAccount: 3"},
		{"GroupsPerAccount", map[string]int64{"groups-per-account": 3}, nil, 3, func(c *iam.Client, i int) error {
			_, err := c.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String(fmt.Sprint("g", i))})
			return err
		}, "Cannot exceed quota for GroupsPerAccount: 3"},
		{"RolesPerAccount", map[string]int64{"roles-per-account": 3}, nil, 3, func(c *iam.Client, i int) error {
			_, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(fmt.Sprint("r", i)), AssumeRolePolicyDocument: trust})
			return err
		}, "Cannot exceed quota for RolesPerAccount: 3"},
		{"RolesPerAccount with service-linked roles", map[string]int64{"roles-per-account": 2}, nil, 2, func(c *iam.Client, i int) error {
			if i == 0 {
				_, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: trust})
				return err
			}
			_, err := c.CreateServiceLinkedRole(ctx, &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String([]string{"", "elasticbeanstalk.amazonaws.com", "ecs.amazonaws.com"}[i])})
			return err
		}, "Cannot exceed quota for RolesPerAccount: 2"},
		{"VirtualMFADevicesPerAccount follows UsersPerAccount", map[string]int64{"users-per-account": 2}, nil, 2, func(c *iam.Client, i int) error {
			_, err := c.CreateVirtualMFADevice(ctx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String(fmt.Sprint("d", i))})
			return err
		}, "Cannot exceed quota for VirtualMFADevicesPerAccount: 2"},
		{"PoliciesPerAccount", map[string]int64{"customer-managed-policies-per-account": 3}, nil, 3, func(c *iam.Client, i int) error {
			_, err := c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String(fmt.Sprint("p", i)), PolicyDocument: aws.String(policyDoc("iam:GetUser"))})
			return err
		}, "Cannot exceed quota for PoliciesPerAccount: 3"},
		{"InstanceProfilesPerAccount", map[string]int64{"instance-profiles-per-account": 3}, nil, 3, func(c *iam.Client, i int) error {
			_, err := c.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String(fmt.Sprint("ip", i))})
			return err
		}, "Cannot exceed quota for InstanceProfilesPerAccount: 3"},
		{"ServerCertificatesPerAccount", map[string]int64{"server-certificates-per-account": 2}, nil, 2, func(c *iam.Client, i int) error {
			cert, key := validCert(t, fmt.Sprintf("s%d.example.com", i))
			_, err := c.UploadServerCertificate(ctx, &iam.UploadServerCertificateInput{ServerCertificateName: aws.String(fmt.Sprint("sc", i)), CertificateBody: aws.String(cert), PrivateKey: aws.String(key)})
			return err
		}, "Cannot exceed quota for ServerCertificatesPerAccount: 2"},
		{"OpenIdConnectProvidersPerAccount", map[string]int64{"openid-connect-providers-per-account": 2}, nil, 2, func(c *iam.Client, i int) error {
			_, err := c.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String(fmt.Sprintf("https://idp%d.example.com", i)),
				ClientIDList: []string{"sts.amazonaws.com"}, ThumbprintList: []string{strings.Repeat("a", 40)}})
			return err
		}, "Cannot exceed quota for OpenIdConnectProvidersPerAccount: 2"},
		{"PoliciesPerRole raised", map[string]int64{"managed-policies-per-role": 12}, func(c *iam.Client) {
			arns = policies(c, 13)
			must[*iam.CreateRoleOutput](t, "CreateRole")(c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: trust}))
		}, 12, func(c *iam.Client, i int) error {
			_, err := c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("r"), PolicyArn: arns[i]})
			return err
		}, "Cannot exceed quota for PoliciesPerRole: 12"},
		{"PoliciesPerUser lowered", map[string]int64{"managed-policies-per-user": 2}, func(c *iam.Client) {
			arns = policies(c, 3)
			must[*iam.CreateUserOutput](t, "CreateUser")(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("u")}))
		}, 2, func(c *iam.Client, i int) error {
			_, err := c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("u"), PolicyArn: arns[i]})
			return err
		}, "Cannot exceed quota for PoliciesPerUser: 2"},
		{"PoliciesPerGroup", nil, func(c *iam.Client) {
			arns = policies(c, 11)
			must[*iam.CreateGroupOutput](t, "CreateGroup")(c.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("g")}))
		}, 10, func(c *iam.Client, i int) error {
			_, err := c.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("g"), PolicyArn: arns[i]})
			return err
		}, "Cannot exceed quota for PoliciesPerGroup: 10"},
		{"ACLSizePerRole raised", map[string]int64{"role-trust-policy-length": 4096}, nil, 1, func(c *iam.Client, i int) error {
			// A trust policy of exactly 4,096 characters, then one of 4,097.
			_, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(fmt.Sprint("r", i)), AssumeRolePolicyDocument: aws.String(sizedDoc(4096+i, true))})
			return err
		}, "Cannot exceed quota for ACLSizePerRole: 4096"},
		{"ACLSizePerRole on update", map[string]int64{"role-trust-policy-length": 1000}, func(c *iam.Client) {
			must[*iam.CreateRoleOutput](t, "CreateRole")(c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: trust}))
		}, 1, func(c *iam.Client, i int) error {
			_, err := c.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("r"), PolicyDocument: aws.String(sizedDoc(1000+i, true))})
			return err
		}, "Cannot exceed quota for ACLSizePerRole: 1000"},
		{"PolicySize", nil, nil, 1, func(c *iam.Client, i int) error {
			_, err := c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String(fmt.Sprint("big", i)), PolicyDocument: aws.String(sizedDoc(6144+i, false))})
			return err
		}, "Cannot exceed quota for PolicySize: 6144"},
		{"AccessKeysPerUser of the root user", nil, nil, 1, func(c *iam.Client, _ int) error {
			// The root user starts with one key.
			_, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{})
			return err
		}, "Cannot exceed quota for AccessKeysPerUser: 2"},
		{"TagsPerPolicy", nil, func(c *iam.Client) { arns = policies(c, 1) }, 50, func(c *iam.Client, i int) error {
			_, err := c.TagPolicy(ctx, &iam.TagPolicyInput{PolicyArn: arns[0], Tags: []iamtypes.Tag{{Key: aws.String(fmt.Sprintf("k%02d", i)), Value: aws.String("v")}}})
			return err
		}, "Cannot exceed quota for TagsPerPolicy: 50"},
		{"TagsPerInstanceProfile", nil, func(c *iam.Client) {
			must[*iam.CreateInstanceProfileOutput](t, "CreateInstanceProfile")(c.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("ip")}))
		}, 50, func(c *iam.Client, i int) error {
			_, err := c.TagInstanceProfile(ctx, &iam.TagInstanceProfileInput{InstanceProfileName: aws.String("ip"), Tags: []iamtypes.Tag{{Key: aws.String(fmt.Sprintf("k%02d", i)), Value: aws.String("v")}}})
			return err
		}, "Cannot exceed quota for TagsPerInstanceProfile: 50"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig(t, t.TempDir())
			cfg.Quotas = tc.quotas
			root := iamClient(start(t, cfg), rootKey, rootSecret, "")
			if tc.setup != nil {
				tc.setup(root)
			}
			for i := range tc.limit {
				if err := tc.call(root, i); err != nil {
					t.Fatalf("call %d of %d: %v", i+1, tc.limit, err)
				}
			}
			wantCode(t, "one past the quota", tc.call(root, tc.limit), "LimitExceeded", tc.msg)
		})
	}
}

// TestQuotaDefaults: a server without --quota reports AWS's default quotas in
// GetAccountSummary; --quota values replace the adjustable ones.
func TestQuotaDefaults(t *testing.T) {
	ctx := context.Background()
	awsDefaults := map[string]int32{
		"UsersQuota": 5000, "GroupsQuota": 300, "RolesQuota": 1000, "PoliciesQuota": 1500, "InstanceProfilesQuota": 1000,
		"ServerCertificatesQuota": 20, "AttachedPoliciesPerRoleQuota": 10, "AttachedPoliciesPerUserQuota": 10,
		"AttachedPoliciesPerGroupQuota": 10, "AssumeRolePolicySizeQuota": 2048, "GroupsPerUserQuota": 10,
		"AccessKeysPerUserQuota": 2, "SigningCertificatesPerUserQuota": 2, "VersionsPerPolicyQuota": 5,
		"PolicyVersionsInUseQuota": 10000, "PolicySizeQuota": 6144, "UserPolicySizeQuota": 2048,
		"GroupPolicySizeQuota": 5120, "RolePolicySizeQuota": 10240,
	}
	quotas := func(q map[string]int64) map[string]int32 {
		cfg := testConfig(t, t.TempDir())
		cfg.Quotas = q
		root := iamClient(start(t, cfg), rootKey, rootSecret, "")
		s := must[*iam.GetAccountSummaryOutput](t, "GetAccountSummary")(root.GetAccountSummary(ctx, &iam.GetAccountSummaryInput{}))
		got := map[string]int32{}
		for k, v := range s.SummaryMap {
			if strings.HasSuffix(k, "Quota") {
				got[k] = v
			}
		}
		return got
	}
	if diff := cmp.Diff(awsDefaults, quotas(nil)); diff != "" {
		t.Errorf("default quotas (-AWS +iamd):\n%s", diff)
	}
	want := map[string]int32{}
	for k, v := range awsDefaults {
		want[k] = v
	}
	want["UsersQuota"], want["RolesQuota"], want["AssumeRolePolicySizeQuota"], want["AttachedPoliciesPerRoleQuota"] = 7, 5000, 4096, 20
	got := quotas(map[string]int64{"users-per-account": 7, "roles-per-account": 5000, "role-trust-policy-length": 4096, "managed-policies-per-role": 20})
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("quotas with --quota (-want +got):\n%s", diff)
	}
}

// TestQuotaFlagErrors: an unknown or fixed quota name stops the server at start, naming the
// adjustable quotas.
func TestQuotaFlagErrors(t *testing.T) {
	for _, tc := range []struct {
		quota string
		want  string
	}{
		{"users-per-acount", `unknown quota "users-per-acount"`},
		{"access-keys-per-user", "quota access-keys-per-user is not adjustable in AWS"},
	} {
		t.Run(tc.quota, func(t *testing.T) {
			cfg := testConfig(t, t.TempDir())
			cfg.Quotas = map[string]int64{tc.quota: 3}
			srv, err := server.Start(context.Background(), cfg, slog.New(slog.DiscardHandler))
			if err == nil {
				srv.Close()
				t.Fatalf("Start with --quota %s=3 succeeded", tc.quota)
			}
			if !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "users-per-account, groups-per-account, roles-per-account") {
				t.Errorf("Start with --quota %s=3: %v, want %q and the adjustable names", tc.quota, err, tc.want)
			}
		})
	}
}
