package iam

import (
	"time"

	"github.com/iamd-dev/iamd/internal/arn"
)

// Partition is the ARN partition iamd issues.
const Partition = "aws"

// Tag is a key/value tag on an entity.
type Tag struct {
	Key   string `json:"k"`
	Value string `json:"v"`
}

// InlinePolicy is a policy embedded in a user, group or role. Document is the text as submitted.
type InlinePolicy struct {
	Name     string `json:"name"`
	Document string `json:"doc"`
}

// Account is an IAM account.
type Account struct {
	ID      string    `json:"id"`
	Created time.Time `json:"created"`
	Alias   string    `json:"alias,omitempty"`
}

// User is an IAM user.
type User struct {
	Name     string         `json:"name"`
	ID       string         `json:"id"`
	Path     string         `json:"path"`
	Created  time.Time      `json:"created"`
	Tags     []Tag          `json:"tags,omitempty"`
	Boundary string         `json:"boundary,omitempty"` // permissions boundary policy ARN
	Inline   []InlinePolicy `json:"inline,omitempty"`
	// PasswordLastUsed is when the user last signed in with a password (zero: never).
	PasswordLastUsed time.Time `json:"pwdUsed,omitzero"`
	// Login is the user's console password (nil: none).
	Login *LoginProfile `json:"login,omitempty"`
}

// LoginProfile is a user's password, hashed with a memory-hard function (package secrets).
type LoginProfile struct {
	Hash          string    `json:"hash"`
	Created       time.Time `json:"created"`
	Changed       time.Time `json:"changed"`
	ResetRequired bool      `json:"reset,omitempty"`
	// Previous holds earlier hashes, newest first, for the password reuse prevention policy.
	Previous []string `json:"prev,omitempty"`
}

// Group is an IAM group.
type Group struct {
	Name    string         `json:"name"`
	ID      string         `json:"id"`
	Path    string         `json:"path"`
	Created time.Time      `json:"created"`
	Inline  []InlinePolicy `json:"inline,omitempty"`
}

// Role is an IAM role.
type Role struct {
	Name               string         `json:"name"`
	ID                 string         `json:"id"`
	Path               string         `json:"path"`
	Created            time.Time      `json:"created"`
	TrustPolicy        string         `json:"trust"`
	Description        string         `json:"desc,omitempty"`
	MaxSessionDuration int32          `json:"maxSession"`
	Boundary           string         `json:"boundary,omitempty"`
	Tags               []Tag          `json:"tags,omitempty"`
	Inline             []InlinePolicy `json:"inline,omitempty"`
	LastUsed           time.Time      `json:"lastUsed,omitzero"`
	LastUsedRegion     string         `json:"lastUsedRegion,omitempty"`
}

// PolicyVersion is one version of a managed policy.
type PolicyVersion struct {
	ID       string    `json:"id"` // "v1", "v2", ...
	Document string    `json:"doc"`
	Created  time.Time `json:"created"`
}

// ManagedPolicy is a customer managed policy (or an AWS managed one, with Account "aws").
type ManagedPolicy struct {
	Name           string          `json:"name"`
	ID             string          `json:"id"`
	Path           string          `json:"path"`
	Created        time.Time       `json:"created"`
	Updated        time.Time       `json:"updated"`
	Description    string          `json:"desc,omitempty"`
	DefaultVersion string          `json:"default"`
	Versions       []PolicyVersion `json:"versions"`
	// NextVersion is the number of the next version ID (AWS never reuses version IDs).
	NextVersion int   `json:"next"`
	Tags        []Tag `json:"tags,omitempty"`
}

// Default returns the default version.
func (p *ManagedPolicy) Default() *PolicyVersion { return p.Version(p.DefaultVersion) }

// Version returns the version with the ID, or nil.
func (p *ManagedPolicy) Version(id string) *PolicyVersion {
	for i := range p.Versions {
		if p.Versions[i].ID == id {
			return &p.Versions[i]
		}
	}
	return nil
}

// Access key statuses. StatusExpired is reported for a credential past its expiry; a caller
// cannot set it.
const (
	StatusActive   = "Active"
	StatusInactive = "Inactive"
	StatusExpired  = "Expired"
)

// AccessKey is a long-term access key. The secret is sealed (package secrets) with the key ID as
// associated data; it is never stored in clear.
type AccessKey struct {
	ID      string    `json:"id"`
	Account string    `json:"account"`
	User    string    `json:"user"` // "" for the root user's keys
	Status  string    `json:"status"`
	Created time.Time `json:"created"`
	Sealed  []byte    `json:"sealed"`
	// Last use, updated at most once a minute.
	LastUsed        time.Time `json:"lastUsed,omitzero"`
	LastUsedService string    `json:"lastService,omitempty"`
	LastUsedRegion  string    `json:"lastRegion,omitempty"`
}

// InstanceProfile is an instance profile (at most one role).
type InstanceProfile struct {
	Name    string    `json:"name"`
	ID      string    `json:"id"`
	Path    string    `json:"path"`
	Created time.Time `json:"created"`
	Tags    []Tag     `json:"tags,omitempty"`
}

// ARN builders.

// UserARN returns the ARN of a user.
func UserARN(account, path, name string) string {
	return arn.IAM(Partition, account, "user", path, name)
}

// GroupARN returns the ARN of a group.
func GroupARN(account, path, name string) string {
	return arn.IAM(Partition, account, "group", path, name)
}

// RoleARN returns the ARN of a role.
func RoleARN(account, path, name string) string {
	return arn.IAM(Partition, account, "role", path, name)
}

// PolicyARN returns the ARN of a managed policy.
func PolicyARN(account, path, name string) string {
	return arn.IAM(Partition, account, "policy", path, name)
}

// InstanceProfileARN returns the ARN of an instance profile.
func InstanceProfileARN(account, path, name string) string {
	return arn.IAM(Partition, account, "instance-profile", path, name)
}

// RootARN returns the ARN of an account's root user.
func RootARN(account string) string { return "arn:" + Partition + ":iam::" + account + ":root" }

// AssumedRoleARN returns the ARN of a role session.
func AssumedRoleARN(account, role, session string) string {
	return "arn:" + Partition + ":sts::" + account + ":assumed-role/" + role + "/" + session
}

// FederatedUserARN returns the ARN of a federated user session.
func FederatedUserARN(account, name string) string {
	return "arn:" + Partition + ":sts::" + account + ":federated-user/" + name
}
