package iam

import (
	"fmt"
	"io"
	"time"
)

// SAMLProvider is a SAML 2.0 identity provider. Metadata is the IdP metadata document as
// submitted.
type SAMLProvider struct {
	Name       string    `json:"name"`
	UUID       string    `json:"uuid"`
	Metadata   string    `json:"metadata"`
	Created    time.Time `json:"created"`
	ValidUntil time.Time `json:"validUntil"`
	Tags       []Tag     `json:"tags,omitempty"`
	// EncryptionMode is the AssertionEncryptionMode, "Required" or "Allowed" ("" means Allowed).
	EncryptionMode string `json:"encryptionMode,omitempty"`
	// PrivateKeys decrypt encrypted assertions (at most two).
	PrivateKeys []SAMLPrivateKey `json:"privateKeys,omitempty"`
}

// SAMLPrivateKey is a SAML provider's assertion decryption key: its PKCS #8 DER sealed with the
// keyring under SAMLKeyAD.
type SAMLPrivateKey struct {
	ID     string    `json:"id"`
	Added  time.Time `json:"added"`
	Sealed []byte    `json:"sealed"`
}

// SAMLKeyAD is the associated data a SAML provider's private key is sealed with, binding it to
// the provider and the key ID.
func SAMLKeyAD(providerARN, keyID string) []byte {
	return []byte("saml-private-key\x00" + providerARN + "\x00" + keyID)
}

// SAMLProviderARN returns the ARN of a SAML provider.
func SAMLProviderARN(account, name string) string {
	return "arn:" + Partition + ":iam::" + account + ":saml-provider/" + name
}

// Deletion task statuses (GetServiceLinkedRoleDeletionStatus).
const (
	DeletionSucceeded  = "SUCCEEDED"
	DeletionInProgress = "IN_PROGRESS"
	DeletionFailed     = "FAILED"
	DeletionNotStarted = "NOT_STARTED"
)

// DeletionTask is the record of a DeleteServiceLinkedRole request. ID is
// "task/aws-service-role/SERVICE/ROLE/UUID".
type DeletionTask struct {
	ID      string    `json:"id"`
	Role    string    `json:"role"`
	Service string    `json:"service"`
	Status  string    `json:"status"`
	Created time.Time `json:"created"`
}

// AccessReport is a generated service last accessed report: the result, computed when the job
// was created, of GenerateServiceLastAccessedDetails for one entity.
type AccessReport struct {
	JobID       string          `json:"jobId"`
	ARN         string          `json:"arn"`
	Granularity string          `json:"granularity"` // SERVICE_LEVEL or ACTION_LEVEL
	Created     time.Time       `json:"created"`
	Completed   time.Time       `json:"completed"`
	Services    []ServiceAccess `json:"services"`
}

// ServiceAccess is one service of an AccessReport: when each entity covered by the report last
// used it.
type ServiceAccess struct {
	Namespace string `json:"ns"`
	Name      string `json:"name"`
	// Entities are the authenticated entities that used the service, most recent first.
	Entities []EntityAccess `json:"entities,omitempty"`
	// Actions are the tracked actions used, by name.
	Actions []ActionAccess `json:"actions,omitempty"`
}

// EntityAccess is an entity's last use of a service.
type EntityAccess struct {
	ARN    string    `json:"arn"`
	Type   string    `json:"type"` // USER, ROLE
	Name   string    `json:"name"`
	ID     string    `json:"id"`
	Path   string    `json:"path"`
	Time   time.Time `json:"time"`
	Region string    `json:"region,omitempty"`
}

// ActionAccess is the last use of a tracked action.
type ActionAccess struct {
	Name   string    `json:"name"`
	Entity string    `json:"entity"`
	Region string    `json:"region,omitempty"`
	Time   time.Time `json:"time"`
}

// NewUUID returns a random (version 4) UUID read from rand, in its 36-character form.
func NewUUID(rand io.Reader) (string, error) {
	var b [16]byte
	if _, err := io.ReadFull(rand, b[:]); err != nil {
		return "", fmt.Errorf("read random: %w", err)
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16]), nil
}
