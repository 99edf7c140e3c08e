package iam

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// QuotaID names one IAM quota of the "IAM and AWS STS quotas" page (IAM User Guide).
type QuotaID int

// The quotas iamd enforces. The first group is adjustable in AWS (Service Quotas) and with
// iamd's --quota NAME=N; the rest are fixed.
const (
	QuotaUsers QuotaID = iota
	QuotaGroups
	QuotaRoles
	QuotaPolicies
	QuotaInstanceProfiles
	QuotaServerCertificates
	QuotaPoliciesPerRole
	QuotaPoliciesPerUser
	QuotaTrustPolicySize
	QuotaOIDCProviders

	QuotaPoliciesPerGroup
	QuotaAccessKeysPerUser
	QuotaGroupsPerUser
	QuotaSigningCertificatesPerUser
	QuotaSSHPublicKeysPerUser
	QuotaServiceCredentialsPerService
	QuotaMFADevicesPerUser
	QuotaSAMLProviders
	QuotaRolesPerInstanceProfile
	QuotaVersionsPerPolicy
	QuotaPolicyVersionsInUse
	QuotaPolicySize
	QuotaUserPolicySize
	QuotaGroupPolicySize
	QuotaRolePolicySize
	// QuotaVirtualMFADevices is always the users-per-account value, as AWS documents.
	QuotaVirtualMFADevices
	// QuotaKeysPerSAMLProvider is "Keys per SAML provider": iamd counts the signing
	// certificates of the provider's metadata document (the "keys that can be used to validate
	// the SAML authentication response", as the UpdateSAMLProvider reference calls them). AWS
	// documents the value, not its error; the message follows the other quotas' form.
	QuotaKeysPerSAMLProvider

	numQuotas
)

// Quota describes one quota.
type Quota struct {
	ID QuotaID
	// Name is the quota's name in iamd's configuration (--quota NAME=N): the Service Quotas
	// name in lower case with hyphens ("Users per account" is users-per-account).
	Name string
	// Key is the name AWS's LimitExceeded messages use: "Cannot exceed quota for Key: N".
	Key string
	// Default is AWS's default value.
	Default int64
	// Adjustable quotas can be raised in AWS and changed with --quota.
	Adjustable bool
	// Summary is the GetAccountSummary key that reports the quota ("" for none).
	Summary string
}

// Quotas returns the quota table in QuotaID order. Defaults are those of the IAM User Guide's
// "IAM and AWS STS quotas" page (and GetAccountSummary of a new account).
func Quotas() []Quota { return slices.Clone(quotaTable[:]) }

// quotaTable is read-only; Quotas hands out a slice of it and Get reads it on every check.
var quotaTable = [numQuotas]Quota{
	{QuotaUsers, "users-per-account", "UsersPerAccount", 5000, true, "UsersQuota"},
	{QuotaGroups, "groups-per-account", "GroupsPerAccount", 300, true, "GroupsQuota"},
	{QuotaRoles, "roles-per-account", "RolesPerAccount", 1000, true, "RolesQuota"},
	{QuotaPolicies, "customer-managed-policies-per-account", "PoliciesPerAccount", 1500, true, "PoliciesQuota"},
	{QuotaInstanceProfiles, "instance-profiles-per-account", "InstanceProfilesPerAccount", 1000, true, "InstanceProfilesQuota"},
	{QuotaServerCertificates, "server-certificates-per-account", "ServerCertificatesPerAccount", MaxServerCertificatesPerAccount, true, "ServerCertificatesQuota"},
	{QuotaPoliciesPerRole, "managed-policies-per-role", "PoliciesPerRole", 10, true, "AttachedPoliciesPerRoleQuota"},
	{QuotaPoliciesPerUser, "managed-policies-per-user", "PoliciesPerUser", 10, true, "AttachedPoliciesPerUserQuota"},
	{QuotaTrustPolicySize, "role-trust-policy-length", "ACLSizePerRole", 2048, true, "AssumeRolePolicySizeQuota"},
	{QuotaOIDCProviders, "openid-connect-providers-per-account", "OpenIdConnectProvidersPerAccount", 100, true, ""},

	{QuotaPoliciesPerGroup, "managed-policies-per-group", "PoliciesPerGroup", 10, false, "AttachedPoliciesPerGroupQuota"},
	{QuotaAccessKeysPerUser, "access-keys-per-user", "AccessKeysPerUser", 2, false, "AccessKeysPerUserQuota"},
	{QuotaGroupsPerUser, "groups-per-user", "GroupsPerUser", 10, false, "GroupsPerUserQuota"},
	{QuotaSigningCertificatesPerUser, "signing-certificates-per-user", "SigningCertificatesPerUser", MaxSigningCertificatesPerUser, false, "SigningCertificatesPerUserQuota"},
	{QuotaSSHPublicKeysPerUser, "ssh-public-keys-per-user", "SSHPublicKeysPerUser", MaxSSHPublicKeysPerUser, false, ""},
	{QuotaServiceCredentialsPerService, "service-specific-credentials-per-user-per-service", "ServiceSpecificCredentialsPerUserPerService", MaxServiceCredentialsPerService, false, ""},
	{QuotaMFADevicesPerUser, "mfa-devices-per-user", "MFADevicesPerUser", 8, false, ""},
	{QuotaSAMLProviders, "saml-providers-per-account", "SAMLProvidersPerAccount", 100, false, ""},
	{QuotaRolesPerInstanceProfile, "roles-per-instance-profile", "InstanceSessionsPerInstanceProfile", 1, false, ""},
	{QuotaVersionsPerPolicy, "versions-per-policy", "VersionsPerPolicy", 5, false, "VersionsPerPolicyQuota"},
	{QuotaPolicyVersionsInUse, "policy-versions-in-use", "PolicyVersionsInUse", 10000, false, "PolicyVersionsInUseQuota"},
	{QuotaPolicySize, "managed-policy-length", "PolicySize", 6144, false, "PolicySizeQuota"},
	{QuotaUserPolicySize, "user-inline-policy-length", "UserPolicySize", 2048, false, "UserPolicySizeQuota"},
	{QuotaGroupPolicySize, "group-inline-policy-length", "GroupPolicySize", 5120, false, "GroupPolicySizeQuota"},
	{QuotaRolePolicySize, "role-inline-policy-length", "RolePolicySize", 10240, false, "RolePolicySizeQuota"},
	{QuotaVirtualMFADevices, "virtual-mfa-devices-per-account", "VirtualMFADevicesPerAccount", 5000, false, ""},
	{QuotaKeysPerSAMLProvider, "keys-per-saml-provider", "KeysPerSAMLProvider", 10, false, ""},
}

// Limits are the quotas in force: AWS's defaults with the configured adjustable ones changed.
// The zero value is AWS's defaults.
type Limits struct {
	set [numQuotas]int64 // 0: the default
}

// NewLimits applies overrides (quota name → value) to AWS's defaults. It rejects unknown names,
// quotas AWS does not let people change, and values below 1, listing the adjustable names.
func NewLimits(overrides map[string]int64) (Limits, error) {
	var l Limits
	byName := map[string]Quota{}
	var adjustable []string
	for _, q := range Quotas() {
		byName[q.Name] = q
		if q.Adjustable {
			adjustable = append(adjustable, q.Name)
		}
	}
	names := make([]string, 0, len(overrides))
	for n := range overrides {
		names = append(names, n)
	}
	sort.Strings(names)
	var problems []string
	for _, n := range names {
		q, ok := byName[n]
		v := overrides[n]
		switch {
		case !ok:
			problems = append(problems, fmt.Sprintf("unknown quota %q", n))
		case !q.Adjustable:
			problems = append(problems, fmt.Sprintf("quota %s is not adjustable in AWS", n))
		case v < 1:
			problems = append(problems, fmt.Sprintf("quota %s: %d is not a positive integer", n, v))
		default:
			l.set[q.ID] = v
		}
	}
	if len(problems) > 0 {
		return Limits{}, fmt.Errorf("%s (adjustable quotas: %s)", strings.Join(problems, "; "), strings.Join(adjustable, ", "))
	}
	return l, nil
}

// Get is the value of quota q.
func (l *Limits) Get(q QuotaID) int64 {
	if q == QuotaVirtualMFADevices {
		return l.Get(QuotaUsers)
	}
	if v := l.set[q]; v != 0 {
		return v
	}
	return quotaTable[q].Default
}

// Reached reports whether n entities already fill quota q.
func (l *Limits) Reached(q QuotaID, n int) bool { return int64(n) >= l.Get(q) }

// Exceeded is AWS's LimitExceeded for quota q: "Cannot exceed quota for Key: N".
func (l *Limits) Exceeded(q QuotaID) *LimitError {
	key := quotaTable[q].Key
	return &LimitError{Message: "Cannot exceed quota for " + key + ": " + strconv.FormatInt(l.Get(q), 10), Quota: key}
}

// Summary is the GetAccountSummary quota keys with their values.
func (l *Limits) Summary() map[string]int64 {
	m := map[string]int64{}
	for _, q := range quotaTable {
		if q.Summary != "" {
			m[q.Summary] = l.Get(q.ID)
		}
	}
	return m
}
