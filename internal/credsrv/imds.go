package credsrv

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/aws/smithy-go"
)

// The IMDSv2 header names.
const (
	TokenHeader    = "X-Aws-Ec2-Metadata-Token"
	TokenTTLHeader = "X-Aws-Ec2-Metadata-Token-Ttl-Seconds"
)

// MaxTokenTTL is the longest session token lifetime EC2 grants (six hours).
const MaxTokenTTL = 21600 * time.Second

// IMDSConfig describes the instance an IMDS endpoint impersonates.
type IMDSConfig struct {
	// Source provides the role's credentials.
	Source Source
	// RoleName is the name listed under iam/security-credentials/. Empty: the role the Source's
	// credentials are for (Creds.RoleArn, or the *RoleError's role when they could not be
	// obtained), and no role at all (iam/info and the listing 404) while the Source answers
	// ErrNoRole, so that the listing follows an instance profile's role as the Source refreshes.
	RoleName string
	// InstanceProfileArn and InstanceProfileID are reported by iam/info.
	InstanceProfileArn string
	InstanceProfileID  string
	// InstanceID (i-…), AccountID, Region and AvailabilityZone (default Region+"a") describe the
	// instance; ImageID and InstanceType appear in the identity document.
	InstanceID       string
	AccountID        string
	Region           string
	AvailabilityZone string
	ImageID          string
	InstanceType     string
	// AllowV1 answers GET requests without a session token (IMDSv1). Off by default, as on
	// instances launched with HttpTokens=required.
	AllowV1 bool
	// Rand supplies the token signing key; Now is the clock (nil: time.Now).
	Rand io.Reader
	Now  func() time.Time
}

// IMDS is an http.Handler that answers like EC2's instance metadata service.
type IMDS struct {
	cfg     IMDSConfig
	key     []byte
	started time.Time
}

// NewIMDS returns the endpoint; it reads a 32-byte token key from cfg.Rand.
func NewIMDS(cfg IMDSConfig) (*IMDS, error) {
	if cfg.Source == nil || cfg.Rand == nil {
		return nil, errors.New("imds: Source and Rand are required")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.AvailabilityZone == "" {
		cfg.AvailabilityZone = cfg.Region + "a"
	}
	if cfg.InstanceType == "" {
		cfg.InstanceType = "t3.micro"
	}
	if cfg.ImageID == "" {
		cfg.ImageID = "ami-00000000000000000"
	}
	key := make([]byte, 32)
	if _, err := io.ReadFull(cfg.Rand, key); err != nil {
		return nil, fmt.Errorf("imds: token key: %w", err)
	}
	return &IMDS{cfg: cfg, key: key, started: cfg.Now().UTC()}, nil
}

// ServeHTTP implements http.Handler.
func (m *IMDS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// EC2 refuses anything that went through a proxy: a forwarder that adds X-Forwarded-For
	// must not be able to get a token or read metadata.
	if len(r.Header.Values("X-Forwarded-For")) > 0 {
		httpError(w, http.StatusForbidden)
		return
	}
	if r.URL.Path == "/latest/api/token" {
		if r.Method != http.MethodPut {
			w.Header().Set("Allow", http.MethodPut)
			httpError(w, http.StatusMethodNotAllowed)
			return
		}
		m.issueToken(w, r)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		httpError(w, http.StatusMethodNotAllowed)
		return
	}
	tok := r.Header.Get(TokenHeader)
	switch {
	case tok != "":
		ttl, ok := m.checkToken(tok)
		if !ok {
			httpError(w, http.StatusUnauthorized)
			return
		}
		w.Header().Set(TokenTTLHeader, strconv.Itoa(ttl))
	case !m.cfg.AllowV1:
		httpError(w, http.StatusUnauthorized)
		return
	}
	m.serveMetadata(w, r)
}

func httpError(w http.ResponseWriter, code int) {
	w.Header().Set("Content-Type", "text/plain")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
	io.WriteString(w, http.StatusText(code))
}

// issueToken answers PUT /latest/api/token.
func (m *IMDS) issueToken(w http.ResponseWriter, r *http.Request) {
	ttl, err := strconv.Atoi(strings.TrimSpace(r.Header.Get(TokenTTLHeader)))
	if err != nil || ttl < 1 || time.Duration(ttl)*time.Second > MaxTokenTTL {
		httpError(w, http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "text/plain")
	w.Header().Set(TokenTTLHeader, strconv.Itoa(ttl))
	io.WriteString(w, m.Token(m.cfg.Now().Add(time.Duration(ttl)*time.Second)))
}

// Token returns a session token valid until expires.
func (m *IMDS) Token(expires time.Time) string {
	b := make([]byte, 8, 8+sha256.Size)
	binary.BigEndian.PutUint64(b, uint64(expires.Unix()))
	return base64.RawURLEncoding.EncodeToString(append(b, m.mac(b)...))
}

func (m *IMDS) mac(b []byte) []byte {
	h := hmac.New(sha256.New, m.key)
	h.Write([]byte("iamd imdsv2 token\x00"))
	h.Write(b)
	return h.Sum(nil)
}

// checkToken reports whether tok is a token this endpoint issued that has not expired, and its
// remaining lifetime in seconds.
func (m *IMDS) checkToken(tok string) (int, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || len(raw) != 8+sha256.Size || !hmac.Equal(raw[8:], m.mac(raw[:8])) {
		return 0, false
	}
	left := time.Unix(int64(binary.BigEndian.Uint64(raw[:8])), 0).Sub(m.cfg.Now())
	if left <= 0 {
		return 0, false
	}
	return int((left + time.Second - 1) / time.Second), true
}

const credsPrefix = "/latest/meta-data/iam/security-credentials/"

// listedRole is the role listed under security-credentials/ ("" for none).
func (m *IMDS) listedRole(ctx context.Context) string {
	if m.cfg.RoleName != "" {
		return m.cfg.RoleName
	}
	return roleOf(m.cfg.Source.Credentials(ctx))
}

// roleOf is the name of the role a Source's answer is for: the credentials' role, or the role
// it failed to obtain them for; "" for any other failure (ErrNoRole, or the instance profile
// unreadable with no credentials cached).
func roleOf(c Creds, err error) string {
	var re *RoleError
	switch {
	case err == nil:
		return roleName(c.RoleArn)
	case errors.As(err, &re):
		return roleName(re.RoleArn)
	}
	return ""
}

func (m *IMDS) serveMetadata(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	if name, ok := strings.CutPrefix(p, credsPrefix); ok && name != "" {
		m.serveCredentials(r.Context(), w, name)
		return
	}
	switch p {
	case "/latest", "/latest/":
		text(w, "dynamic\nmeta-data")
	case "/latest/meta-data", "/latest/meta-data/":
		text(w, "iam/\ninstance-id\ninstance-type\nplacement/")
	case "/latest/meta-data/iam", "/latest/meta-data/iam/":
		text(w, "info\nsecurity-credentials/")
	case "/latest/meta-data/iam/info":
		if m.listedRole(r.Context()) == "" {
			httpError(w, http.StatusNotFound)
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{
			"Code":               "Success",
			"LastUpdated":        stamp(m.started),
			"InstanceProfileArn": m.cfg.InstanceProfileArn,
			"InstanceProfileId":  m.cfg.InstanceProfileID,
		})
	case "/latest/meta-data/iam/security-credentials", credsPrefix:
		name := m.listedRole(r.Context())
		if name == "" {
			httpError(w, http.StatusNotFound)
			return
		}
		text(w, name)
	case "/latest/meta-data/instance-id":
		text(w, m.cfg.InstanceID)
	case "/latest/meta-data/instance-type":
		text(w, m.cfg.InstanceType)
	case "/latest/meta-data/placement", "/latest/meta-data/placement/":
		text(w, "availability-zone\nregion")
	case "/latest/meta-data/placement/region":
		text(w, m.cfg.Region)
	case "/latest/meta-data/placement/availability-zone":
		text(w, m.cfg.AvailabilityZone)
	case "/latest/dynamic", "/latest/dynamic/":
		text(w, "instance-identity/")
	case "/latest/dynamic/instance-identity", "/latest/dynamic/instance-identity/":
		text(w, "document")
	case "/latest/dynamic/instance-identity/document":
		writeJSON(w, http.StatusOK, m.identityDocument())
	default:
		httpError(w, http.StatusNotFound)
	}
}

// identityDocument has the fields of EC2's instance identity document.
func (m *IMDS) identityDocument() any {
	return struct {
		AccountID               string  `json:"accountId"`
		Architecture            string  `json:"architecture"`
		AvailabilityZone        string  `json:"availabilityZone"`
		BillingProducts         *string `json:"billingProducts"`
		DevpayProductCodes      *string `json:"devpayProductCodes"`
		MarketplaceProductCodes *string `json:"marketplaceProductCodes"`
		ImageID                 string  `json:"imageId"`
		InstanceID              string  `json:"instanceId"`
		InstanceType            string  `json:"instanceType"`
		KernelID                *string `json:"kernelId"`
		PendingTime             string  `json:"pendingTime"`
		PrivateIP               string  `json:"privateIp"`
		RamdiskID               *string `json:"ramdiskId"`
		Region                  string  `json:"region"`
		Version                 string  `json:"version"`
	}{
		AccountID: m.cfg.AccountID, Architecture: "x86_64", AvailabilityZone: m.cfg.AvailabilityZone,
		ImageID: m.cfg.ImageID, InstanceID: m.cfg.InstanceID, InstanceType: m.cfg.InstanceType,
		PendingTime: stamp(m.started), PrivateIP: "127.0.0.1", Region: m.cfg.Region, Version: "2017-09-30",
	}
}

// serveCredentials answers iam/security-credentials/NAME: the credentials when NAME is the role
// listed, 404 otherwise.
func (m *IMDS) serveCredentials(ctx context.Context, w http.ResponseWriter, name string) {
	if m.cfg.RoleName != "" && name != m.cfg.RoleName {
		httpError(w, http.StatusNotFound)
		return
	}
	c, err := m.cfg.Source.Credentials(ctx)
	if m.cfg.RoleName == "" && name != roleOf(c, err) {
		httpError(w, http.StatusNotFound)
		return
	}
	if err != nil {
		// EC2 reports a failed role assumption in the Code field, not with an HTTP error.
		writeJSON(w, http.StatusOK, map[string]string{
			"Code":        "AssumeRoleUnauthorizedAccess",
			"Message":     clientMessage(err),
			"LastUpdated": stamp(m.cfg.Now()),
		})
		return
	}
	writeJSON(w, http.StatusOK, imdsCreds{
		Code: "Success", LastUpdated: stamp(c.LastUpdated), Type: "AWS-HMAC",
		AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, Token: c.SessionToken,
		Expiration: stamp(c.Expiration),
	})
}

type imdsCreds struct {
	Code            string
	LastUpdated     string
	Type            string
	AccessKeyID     string `json:"AccessKeyId"`
	SecretAccessKey string
	Token           string
	Expiration      string
}

// clientMessage is the text a client sees for a failure to obtain credentials: the STS error's
// own message, never transport details.
func clientMessage(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode() + ": " + ae.ErrorMessage()
	}
	return "iamd could not obtain credentials for the role"
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func text(w http.ResponseWriter, s string) {
	w.Header().Set("Content-Type", "text/plain")
	io.WriteString(w, s)
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		httpError(w, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/plain") // EC2 serves every metadata item as text/plain
	w.WriteHeader(code)
	w.Write(b)
}
