package findings

import (
	"strings"
	"time"
)

// Snapshot is what the checks look at: an account as the IAM API describes it. Zero times mean
// "never" or "unknown".
type Snapshot struct {
	// Account is the account's 12-digit ID.
	Account string
	Root    Root
	Users   []User
	Groups  []Group
	Roles   []Role
	// Policies are the customer managed policies and the AWS managed policies in use, each with
	// its default version's document.
	Policies []ManagedPolicy
	// PasswordPolicy is nil when the account has none.
	PasswordPolicy *PasswordPolicy
	// OIDCProviders are the account's OpenID Connect providers.
	OIDCProviders []OIDCProvider
}

// Root is the account's root user, from the credential report and the account summary (and,
// when the root user runs the audit, its own keys and GetUser).
type Root struct {
	ARN string
	// MFA is true when the root user has an MFA device.
	MFA bool
	// AccessKeys are the root user's keys. Only the root user can list them with their IDs;
	// from the credential report, which has no IDs, ID is "access_key_1" or "access_key_2".
	AccessKeys       []AccessKey
	PasswordLastUsed time.Time
}

// AccessKey is an access key of a user or of the root user.
type AccessKey struct {
	ID       string
	Active   bool
	Created  time.Time
	LastUsed time.Time // zero: never used
}

// Password is a user's console password (login profile).
type Password struct {
	// Changed is when the password was last set (its creation, for one never changed).
	Changed  time.Time
	LastUsed time.Time // zero: never used
}

// InlinePolicy is an inline policy of a user, group or role.
type InlinePolicy struct {
	Name     string
	Document string // JSON, as submitted (not URL-encoded)
}

// User is an IAM user.
type User struct {
	Name, ARN string
	Created   time.Time
	// Password is nil when the user has no console password.
	Password   *Password
	MFA        bool
	AccessKeys []AccessKey
	Groups     []string
	Inline     []InlinePolicy
	// Attached are the ARNs of the managed policies attached to the user.
	Attached []string
	// LastAccessed is the user's service last accessed report; nil when it was not gathered.
	LastAccessed []ServiceAccess
}

// Group is an IAM group.
type Group struct {
	Name, ARN string
	Inline    []InlinePolicy
	Attached  []string
}

// Role is an IAM role.
type Role struct {
	Name, ARN, Path string
	Created         time.Time
	LastUsed        time.Time // zero: never used (RoleLastUsed)
	// TrustPolicy is the AssumeRolePolicyDocument (JSON, not URL-encoded).
	TrustPolicy  string
	Inline       []InlinePolicy
	Attached     []string
	LastAccessed []ServiceAccess
}

// ServiceLinked reports whether the role is a service-linked role.
func (r *Role) ServiceLinked() bool { return strings.HasPrefix(r.Path, "/aws-service-role/") }

// ManagedPolicy is a managed policy with its default version.
type ManagedPolicy struct {
	ARN, Name string
	// AWSManaged is true for AWS managed policies (arn:aws:iam::aws:policy/…).
	AWSManaged bool
	// Attachments is how many users, groups and roles it is attached to.
	Attachments int
	Document    string
}

// PasswordPolicy is the account password policy.
type PasswordPolicy struct {
	MinimumLength                                                      int
	RequireUppercase, RequireLowercase, RequireSymbols, RequireNumbers bool
	// MaxAge is the password lifetime in days; 0: passwords never expire.
	MaxAge int
	// ReusePrevention is how many previous passwords cannot be reused; 0: none.
	ReusePrevention int
}

// OIDCProvider is an OpenID Connect identity provider of the account.
type OIDCProvider struct {
	ARN       string
	ClientIDs []string
}

// ServiceAccess is one service of a service last accessed report.
type ServiceAccess struct {
	Namespace    string    // "s3"
	LastAccessed time.Time // zero: not accessed in the reporting period
	// Actions are the tracked actions (ACTION_LEVEL reports, for the services AWS tracks);
	// nil when the service's actions are not tracked.
	Actions []ActionAccess
}

// ActionAccess is one tracked action of a service last accessed report.
type ActionAccess struct {
	Name         string // "GetObject"
	LastAccessed time.Time
}
