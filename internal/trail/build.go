package trail

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/iamd-dev/iamd/internal/audit"
	"github.com/iamd-dev/iamd/internal/authn"
	"github.com/iamd-dev/iamd/internal/policy"
)

// EventVersion is the CloudTrail record format version iamd writes.
const EventVersion = "1.11"

// Call is everything the record of one request is built from. The middleware creates it when the
// request arrives and puts it in the context; services fill Params, Response and Resources, and
// mark it Recorded when they append its record in their own transaction.
type Call struct {
	Service   string // "iam", "sts"
	Action    string // "CreateUser"
	Account   string // the account the request is for (recipientAccountId)
	RequestID string
	SourceIP  string
	UserAgent string
	Region    string
	Time      time.Time
	TLS       bool
	// TLSVersion ("TLSv1.3") and CipherSuite ("TLS_AES_128_GCM_SHA256") of a TLS connection.
	TLSVersion, CipherSuite string
	Host                    string

	// Caller is nil when authentication failed; AccessKeyID is then what the request claimed.
	Caller      *authn.Caller
	AccessKeyID string

	Params   any // the SDK input value
	Response any // the SDK output value (nil on error)
	ErrCode  string
	ErrMsg   string

	// Recorded is set once the record has been appended.
	Recorded bool
}

type ctxKey struct{}

// WithCall returns a context carrying call.
func WithCall(ctx context.Context, call *Call) context.Context {
	return context.WithValue(ctx, ctxKey{}, call)
}

// FromContext returns the call in ctx, or nil.
func FromContext(ctx context.Context) *Call {
	c, _ := ctx.Value(ctxKey{}).(*Call)
	return c
}

// Sources maps the Query service to CloudTrail's eventSource.
func Source(service string) string { return service + ".amazonaws.com" }

// ReadOnly reports whether CloudTrail marks an action read-only.
func ReadOnly(action string) bool {
	for _, p := range []string{"Get", "List", "Simulate", "Decode", "Lookup", "Describe"} {
		if strings.HasPrefix(action, p) {
			return true
		}
	}
	return false
}

// Record is a built CloudTrail record with the fields the store indexes.
type Record struct {
	Time      time.Time
	Account   string
	Source    string // eventSource
	Name      string // eventName
	ID        string // eventID
	Username  string
	AccessKey string
	ReadOnly  bool
	// Resources are "type\x00name" pairs (LookupEvents ResourceType/ResourceName).
	Resources []string
	// JSON is the CloudTrail record.
	JSON []byte
}

// Build makes the record of a call.
func Build(call *Call) (*Record, error) {
	id := NewID()
	ev := audit.Event{
		EventVersion:       EventVersion,
		UserIdentity:       identity(call),
		EventTime:          call.Time,
		EventSource:        Source(call.Service),
		EventName:          call.Action,
		AWSRegion:          call.Region,
		SourceIPAddress:    call.SourceIP,
		UserAgent:          call.UserAgent,
		ErrorCode:          call.ErrCode,
		ErrorMessage:       call.ErrMsg,
		RequestID:          call.RequestID,
		EventID:            id,
		ReadOnly:           ReadOnly(call.Action),
		EventType:          "AwsApiCall",
		ManagementEvent:    true,
		RecipientAccountID: call.Account,
		EventCategory:      "Management",
	}
	if ev.AWSRegion == "" {
		ev.AWSRegion = "us-east-1"
	}
	if c := call.Caller; c != nil && c.Principal.Type == policy.PrincipalService {
		// A service's own call (AssumeRoleForService) comes from the service, as CloudTrail shows it.
		ev.SourceIPAddress, ev.UserAgent = c.Principal.ARN, c.Principal.ARN
	}
	if call.TLS {
		ev.TLSDetails = &audit.TLSDetails{TLSVersion: call.TLSVersion, CipherSuite: call.CipherSuite, ClientProvidedHostHeader: call.Host}
	}
	if call.Params != nil {
		ev.RequestParameters = audit.Redact(camelJSON(call.Params))
	}
	if call.Response != nil && call.ErrCode == "" && !ev.ReadOnly {
		ev.ResponseElements = audit.Redact(camelJSON(call.Response))
	}
	rec, err := json.Marshal(ev)
	if err != nil {
		return nil, err
	}
	out := &Record{
		Time: call.Time, Account: call.Account, Source: ev.EventSource, Name: call.Action, ID: id,
		ReadOnly: ev.ReadOnly, AccessKey: ev.UserIdentity.AccessKeyID, Username: username(call),
		Resources: resources(call.Params), JSON: rec,
	}
	return out, nil
}

func username(call *Call) string {
	c := call.Caller
	if c == nil {
		return ""
	}
	switch c.Principal.Type {
	case policy.PrincipalUser:
		return c.UserName
	case policy.PrincipalRoot:
		return "root"
	case policy.PrincipalRoleSession, policy.PrincipalFederatedUser:
		return c.Principal.ARN[strings.LastIndexByte(c.Principal.ARN, '/')+1:]
	}
	return ""
}

func identity(call *Call) audit.UserIdentity {
	c := call.Caller
	if c == nil {
		return audit.UserIdentity{Type: "AWSAccount", AccessKeyID: call.AccessKeyID}
	}
	id := audit.UserIdentity{PrincipalID: c.UserID, ARN: c.Principal.ARN, AccountID: c.Principal.Account, AccessKeyID: c.AccessKeyID}
	switch c.Principal.Type {
	case policy.PrincipalRoot:
		id.Type = "Root"
	case policy.PrincipalUser:
		id.Type, id.UserName = "IAMUser", c.UserName
	case policy.PrincipalRoleSession, policy.PrincipalFederatedUser:
		id.Type = "AssumedRole"
		issuerType := "Role"
		if c.Principal.Type == policy.PrincipalFederatedUser {
			id.Type, issuerType = "FederatedUser", "IAMUser"
		}
		src := c.Principal.SourceARN
		issuerID, _, _ := strings.Cut(c.UserID, ":")
		sc := &audit.SessionContext{
			SessionIssuer: &audit.SessionIssuer{Type: issuerType, PrincipalID: issuerID, ARN: src, AccountID: c.Principal.Account,
				UserName: src[strings.LastIndexByte(src, '/')+1:]},
			Attributes: &audit.SessionAttributes{},
		}
		if s := c.Session; s != nil {
			sc.Attributes.CreationDate, sc.Attributes.MFAAuthenticated = s.Issued, s.MFA
			sc.SourceIdentity = s.SourceIdentity
		}
		id.SessionContext = sc
	case policy.PrincipalFederated:
		// AssumeRoleWithWebIdentity's caller: principalId is PROVIDER-ARN:AUDIENCE:SUBJECT.
		id.Type, id.ARN, id.UserName, id.IdentityProvider = "WebIdentityUser", "", c.UserName, c.Principal.ARN
		if strings.Contains(c.Principal.ARN, ":saml-provider/") { // AssumeRoleWithSAML's: NAMEQUALIFIER:SUBJECT.
			id.Type = "SAMLUser"
		}
	case policy.PrincipalService:
		id = audit.UserIdentity{Type: "AWSService", InvokedBy: c.Principal.ARN}
	default:
		id.Type = "Unknown"
	}
	return id
}

// resourceParams maps request parameters to LookupEvents resource types.
var resourceParams = map[string]string{
	"userName": "AWS::IAM::User", "groupName": "AWS::IAM::Group", "roleName": "AWS::IAM::Role",
	"policyArn": "AWS::IAM::Policy", "accessKeyId": "AWS::IAM::AccessKey",
	"instanceProfileName": "AWS::IAM::InstanceProfile", "roleArn": "AWS::IAM::Role",
}

func resources(params any) []string {
	if params == nil {
		return nil
	}
	var m map[string]any
	if json.Unmarshal(camelJSON(params), &m) != nil {
		return nil
	}
	var out []string
	for k, typ := range resourceParams {
		if v, ok := m[k].(string); ok && v != "" {
			out = append(out, typ+"\x00"+v)
		}
	}
	return out
}

// camelJSON encodes an SDK value as CloudTrail shapes parameters: lowerCamel keys, no nulls.
func camelJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	var x any
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if d.Decode(&x) != nil {
		return nil
	}
	x = camel(x)
	if m, ok := x.(map[string]any); ok && len(m) == 0 {
		return nil
	}
	out, err := json.Marshal(x)
	if err != nil {
		return nil
	}
	return out
}

func camel(x any) any {
	switch v := x.(type) {
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, e := range v {
			if e == nil || k == "ResultMetadata" {
				continue
			}
			if arr, ok := e.([]any); ok && len(arr) == 0 {
				continue
			}
			r, n := utf8.DecodeRuneInString(k)
			m[string(unicode.ToLower(r))+k[n:]] = camel(e)
		}
		return m
	case []any:
		for i := range v {
			v[i] = camel(v[i])
		}
		return v
	}
	return x
}

func NewID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
