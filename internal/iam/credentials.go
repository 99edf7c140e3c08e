package iam

import (
	"time"

	"github.com/iamd-dev/iamd/internal/arn"
)

// Credential quotas (IAM API Reference, "IAM and AWS STS quotas").
const (
	MaxSSHPublicKeysPerUser          = 5
	MaxSigningCertificatesPerUser    = 2
	MaxServerCertificatesPerAccount  = 20
	MaxServiceCredentialsPerService  = 2
	MaxServerCertificateName         = 128
	MaxCredentialBody                = 16384
	MaxCertificateChain              = 2097152
	MaxServiceCredentialAgeDays      = 36600
	minSSHKeyID, minCertID, minSSCID = 20, 24, 20
)

// SSHPublicKey is an SSH public key of a user (for CodeCommit). Body is the key as submitted;
// UserID ties it to the user across renames.
type SSHPublicKey struct {
	ID          string    `json:"id"`
	UserID      string    `json:"userId"`
	Body        string    `json:"body"`
	Fingerprint string    `json:"fingerprint"` // MD5, colon-separated hex, as AWS shows it
	Status      string    `json:"status"`
	Uploaded    time.Time `json:"uploaded"`
}

// SigningCertificate is an X.509 signing certificate of a user ("" UserID: the root user). Its ID
// is derived from the certificate, so the same certificate cannot be uploaded twice in an account.
type SigningCertificate struct {
	ID       string    `json:"id"`
	UserID   string    `json:"userId"`
	Body     string    `json:"body"`
	Status   string    `json:"status"`
	Uploaded time.Time `json:"uploaded"`
}

// ServerCertificate is a TLS server certificate with its private key, sealed (package secrets)
// with the certificate's ARN as associated data and never returned.
type ServerCertificate struct {
	Name       string    `json:"name"`
	ID         string    `json:"id"`
	Path       string    `json:"path"`
	Body       string    `json:"body"`
	Chain      string    `json:"chain,omitempty"`
	SealedKey  []byte    `json:"sealedKey"`
	Uploaded   time.Time `json:"uploaded"`
	Expiration time.Time `json:"expiration"`
	Tags       []Tag     `json:"tags,omitempty"`
}

// ServiceCredential is a service-specific credential (a user name and password for one AWS
// service). The password is sealed with the credential ID as associated data.
type ServiceCredential struct {
	ID          string    `json:"id"`
	UserID      string    `json:"userId"`
	Service     string    `json:"service"`
	ServiceUser string    `json:"serviceUser"`
	Sealed      []byte    `json:"sealed"`
	Status      string    `json:"status"`
	Created     time.Time `json:"created"`
	Expires     time.Time `json:"expires,omitzero"`
}

// ServerCertificateARN returns the ARN of a server certificate.
func ServerCertificateARN(account, path, name string) string {
	return arn.IAM(Partition, account, "server-certificate", path, name)
}

// CredentialServices are the services that accept service-specific credentials; the ones whose
// value is true take long-term API keys (CredentialAgeDays, an alias and a secret).
var credentialServices = map[string]bool{
	"codecommit.amazonaws.com": false,
	"cassandra.amazonaws.com":  false,
	"bedrock.amazonaws.com":    true,
	"logs.amazonaws.com":       true,
}

// CheckCredentialService reports whether service-specific credentials exist for the service
// and whether they are API keys (which may expire).
func CheckCredentialService(service string) (ok, apiKey bool) {
	apiKey, ok = credentialServices[service]
	return ok, apiKey
}

// ServiceUserName is the user name of a service-specific credential: the IAM user's name and
// the account ID, as in jane-at-123456789012.
func ServiceUserName(user, account string) string { return user + "-at-" + account }

// CheckStatus checks a credential status that a caller sets: Active or Inactive. Expired is in
// the model's statusType (a credential with an expiry reports it) but is not a status a caller
// can set; AWS documents no answer, and iamd refuses it with InvalidInput rather than as a value
// outside the enum.
func CheckStatus(status string) error {
	if status == StatusExpired {
		return &InputError{"The status Expired cannot be set; a credential expires at its expiration date."}
	}
	if status != StatusActive && status != StatusInactive {
		return &FieldError{Field: "status", Value: status, Constraint: "Member must satisfy enum value set: [Active, Inactive]"}
	}
	return nil
}

// CheckSSHPublicKeyID, CheckCertificateID and CheckServiceCredentialID check credential IDs
// against AWS's pattern [\w]+ and lengths.
func CheckSSHPublicKeyID(id string) error { return checkID("sSHPublicKeyId", id, minSSHKeyID) }

// CheckAccessKeyID checks an AccessKeyId against the model's accessKeyIdType: 16–128
// characters of [\w]+. AWS checks it before looking the key up, so a malformed ID is a
// ValidationError at 'accessKeyId', not NoSuchEntity.
func CheckAccessKeyID(id string) error { return checkID("accessKeyId", id, 16) }

// CheckCertificateID checks a signing certificate ID (see CheckSSHPublicKeyID).
func CheckCertificateID(id string) error { return checkID("certificateId", id, minCertID) }

// CheckServiceCredentialID checks a service-specific credential ID (see CheckSSHPublicKeyID).
func CheckServiceCredentialID(id string) error {
	return checkID("serviceSpecificCredentialId", id, minSSCID)
}

func checkID(field, id string, min int) error {
	if err := lengthErr(field, id, min, 128); err != nil {
		return err
	}
	for _, r := range id {
		if !(r == '_' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9') {
			return &FieldError{Field: field, Value: id, Constraint: `Member must satisfy regular expression pattern: [\w]+`}
		}
	}
	return nil
}

// CheckBody checks a key or certificate text: 1 to max characters of [\u0009\u000A\u000D\u0020-\u00FF].
func CheckBody(field, body string, max int) error {
	if err := lengthErr(field, body, 1, max); err != nil {
		return err
	}
	for _, r := range body {
		if !(r == '\t' || r == '\n' || r == '\r' || r >= 0x20 && r <= 0xff) {
			return &FieldError{Field: field, Value: body, Constraint: `Member must satisfy regular expression pattern: [\u0009\u000A\u000D\u0020-\u00FF]+`}
		}
	}
	return nil
}
