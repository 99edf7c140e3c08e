package trail

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	mrand "math/rand/v2"
	"reflect"
	"strings"
	"sync"
	"time"
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
	// IdPVerification is how AssumeRoleWithWebIdentity trusted its provider's TLS endpoint
	// ("IAMTrustStore" or "Thumbprint"; additionalEventData.identityProviderConnectionVerificationMethod).
	IdPVerification string

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

// Source maps the Query service to CloudTrail's eventSource.
func Source(service string) string {
	switch service { // the usual ones without building the string
	case "iam":
		return "iam.amazonaws.com"
	case "sts":
		return "sts.amazonaws.com"
	}
	return service + ".amazonaws.com"
}

// ReadOnly reports whether CloudTrail marks an action read-only: the actions that readOnlyAction
// names, else those whose name starts with Get, List, Simulate, Decode, Lookup or Describe.
func ReadOnly(action string) bool {
	if ro, ok := readOnlyAction[action]; ok {
		return ro
	}
	for _, p := range []string{"Get", "List", "Simulate", "Decode", "Lookup", "Describe"} {
		if strings.HasPrefix(action, p) {
			return true
		}
	}
	return false
}

// readOnlyAction holds the actions whose readOnly flag their name does not tell. CloudTrail marks
// the STS calls that assume a role read-only (AWS's records of AssumeRole, and of
// AssumeRoleWithWebIdentity, carry "readOnly":true), and GetFederationToken, which creates a
// federated user session, not (its records carry "readOnly":false). iamd's AssumeRoleForService
// is a service's AssumeRole (iamd exec, iamd instance run) and is marked as AssumeRole is.
var readOnlyAction = map[string]bool{
	"AssumeRole": true, "AssumeRoleWithSAML": true, "AssumeRoleWithWebIdentity": true,
	"AssumeRoleForService": true, "GetFederationToken": false,
}

// issuesCredentials are the STS actions whose successful records keep their responseElements
// although CloudTrail marks some of them read-only: AWS records the credentials (without their
// secrets here), the assumed role user or federated user, and the packed policy size.
var issuesCredentials = map[string]bool{
	"AssumeRole": true, "AssumeRoleWithSAML": true, "AssumeRoleWithWebIdentity": true,
	"GetSessionToken": true, "GetFederationToken": true, "AssumeRoot": true, "AssumeRoleForService": true,
}

// keepsResponse reports whether a successful call's record holds its response: every call that
// is not read-only, and the STS calls that issue credentials.
func keepsResponse(call *Call, readOnly bool) bool {
	return !readOnly || call.Service == "sts" && issuesCredentials[call.Action]
}

// paramsRecorded reports whether a call's record holds its parameters. IAM and STS record a
// call that authorization refused with "requestParameters":null (AWS's AccessDenied records of
// AssumeRole, GetRole, CreateServiceLinkedRole); other failures keep what was asked.
func paramsRecorded(call *Call) bool {
	return call.ErrCode != "AccessDenied" || call.Service != "iam" && call.Service != "sts"
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
	// These fields are audit.Summary's: what the record implies.
	Resources []string
	// JSON is the CloudTrail record (Build).
	JSON []byte
	// Compact is the record in the compact form instead (BuildCompact, audit.AppendCompact).
	Compact []byte
}

// Bytes returns the record as built: JSON or Compact.
func (r *Record) Bytes() []byte {
	if r.Compact != nil {
		return r.Compact
	}
	return r.JSON
}

// Build makes the record of a call.
func Build(call *Call) (*Record, error) { return build(call, false) }

// BuildCompact makes the record of a call in the compact form (audit.AppendCompact): what the
// store keeps of a read or a denial. Its JSON, made when it is read (audit.RecordJSON), is
// what Build makes.
func BuildCompact(call *Call) (*Record, error) { return build(call, true) }

// WithCompact builds the compact record of call (what BuildCompact makes) into a record and a
// buffer reused from call to call, and hands it to use, for which it is valid until use
// returns: for a record that is copied where it goes, as the recorder's are. It returns use's
// error.
func WithCompact(call *Call, use func(*Record) error) error {
	s := scratchPool.Get().(*scratch)
	defer s.put()
	all, start := buildInto(call, true, &s.rec, s.buf[:0])
	s.buf = all
	s.rec.Compact = all[start:len(all):len(all)]
	err := use(&s.rec)
	s.rec = Record{}
	return err
}

func build(call *Call, compact bool) (*Record, error) {
	s := scratchPool.Get().(*scratch)
	defer s.put()
	out := &Record{}
	all, start := buildInto(call, compact, out, s.buf[:0])
	// The record is written after the parameters and response in the scratch buffer (it copies
	// them from there), then copied out at its size: one exact allocation, where an estimate of
	// its size either wasted memory or, short, grew the buffer and copied the record twice.
	rec := append(make([]byte, 0, len(all)-start), all[start:]...)
	s.buf = all
	if compact {
		out.Compact = rec
	} else {
		out.JSON = rec
	}
	return out, nil
}

// buildInto builds the record of call into out, but for its bytes: buf (empty) is extended
// with the parameters and response, then the record (JSON, or compact), which starts at start.
func buildInto(call *Call, compact bool, out *Record, buf []byte) (all []byte, start int) {
	id := NewEventID(call.Time)
	ev := event(call, id)
	var res []string
	if call.Params != nil && paramsRecorded(call) {
		var params []byte
		buf, params, res = encodeParams(buf, call.Params)
		params = withIncomingTags(call, params)
		if omitted, ok := bound(params); ok {
			// The record no longer names the parameters' resources, so its lookup
			// columns cannot either (audit.Summarize derives them from the record).
			params, res = omitted, nil
		}
		ev.RequestParameters = params
	}
	if call.Response != nil && call.ErrCode == "" && keepsResponse(call, ev.ReadOnly) {
		var resp []byte
		buf, resp, _ = encodeValue(buf, call.Response, false)
		ev.ResponseElements, _ = bound(resp)
	}
	start = len(buf)
	if compact {
		all = ev.AppendCompact(buf)
	} else {
		all = ev.AppendJSON(buf)
	}
	// The indexed fields are what the record implies (audit.Summary), so that iamd trail
	// verify can check them against it; res are the parameters' resources encodeParams found.
	s := ev.Summary(res)
	*out = Record{
		Time: s.Time, Account: s.Account, Source: s.Source, Name: s.Name, ID: s.ID,
		ReadOnly: s.ReadOnly, AccessKey: s.AccessKey, Username: s.Username,
		Resources: s.Resources,
	}
	return all, start
}

// MaxFieldSize is the most bytes of JSON a record's requestParameters or responseElements may
// hold. CloudTrail documents 100 KB for each and that "CloudTrail truncates a field if the
// field's contents exceeds the maximum field size. If a field is truncated, omitted is present
// with a value of true" (User Guide, "CloudTrail record contents"). iamd writes such a field as
// {"omitted":true} and nothing else: without the bound, a request that fails validation (an
// unsigned AssumeRoleWithWebIdentity, say) would put up to the whole body limit into the trail.
// The size is that of the field as the record writes it, secrets already left out.
const MaxFieldSize = 100 << 10

// omittedField is what a record holds in place of a field over MaxFieldSize.
const omittedField = `{"omitted":true}`

// bound returns raw, or the omitted marker and true when raw is over MaxFieldSize.
func bound(raw json.RawMessage) (json.RawMessage, bool) {
	if len(raw) <= MaxFieldSize {
		return raw, false
	}
	return json.RawMessage(omittedField), true
}

// scratchPool holds the buffers Build encodes parameters and responses into before copying
// them into the record, with the record WithCompact builds in its buffer; one grown beyond
// maxScratch (a call with large documents) is dropped.
var scratchPool = sync.Pool{New: func() any { return &scratch{buf: make([]byte, 0, 4096)} }}

type scratch struct {
	buf []byte
	rec Record
}

func (s *scratch) put() {
	if cap(s.buf) <= maxScratch {
		scratchPool.Put(s)
	}
}

const maxScratch = 64 << 10

// encodeParams appends the record form of a call's parameters to buf, returning the extended
// buffer, the part of it that holds them (nil for none) and the resources they name.
func encodeParams(buf []byte, v any) ([]byte, json.RawMessage, []string) {
	return encodeValue(buf, v, true)
}

func encodeValue(buf []byte, v any, withResources bool) ([]byte, json.RawMessage, []string) {
	var res []string
	var resp *[]string
	if withResources {
		resp = &res
	}
	start := len(buf)
	buf, empty, err := encodeTop(buf, v, resp)
	switch {
	case err != nil: // a value the encoder does not model: the general path
		raw := recordJSON(v)
		if withResources {
			res = resourcesOf(raw)
		}
		return buf, raw, res
	case empty:
		return buf, nil, res
	}
	return buf, buf[start:len(buf):len(buf)], res
}

// event is the record of call without its parameters and response.
func event(call *Call, id string) audit.Event {
	ev := audit.Event{
		EventVersion:       EventVersion,
		UserIdentity:       identity(call),
		EventTime:          call.Time,
		EventSource:        Source(call.Service),
		EventName:          truncate(call.Action, maxEventName),
		AWSRegion:          truncate(call.Region, maxRegion),
		SourceIPAddress:    call.SourceIP,
		UserAgent:          truncate(call.UserAgent, MaxUserAgent),
		ErrorCode:          call.ErrCode,
		ErrorMessage:       truncate(call.ErrMsg, MaxErrorMessage),
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
	if call.Service == "sts" && call.ErrCode == "" {
		ev.AdditionalEventData = requestDetails(ev.AWSRegion, call.Host, call.IdPVerification)
	}
	if call.TLS {
		ev.TLSDetails = &audit.TLSDetails{TLSVersion: call.TLSVersion, CipherSuite: call.CipherSuite, ClientProvidedHostHeader: truncate(call.Host, maxHost)}
	}
	if call.Service == "sts" && call.ErrCode == "" && assumesRole[call.Action] {
		// CloudTrail lists the role an STS call assumed in the record's resources.
		if role := stringMember(call.Params, "RoleArn"); role != "" {
			ev.Resources = []audit.Resource{{ARN: role, AccountID: arnAccount(role), Type: "AWS::IAM::Role"}}
		}
		if call.Action == "AssumeRoleWithSAML" {
			// AssumeRoleWithSAML's records list the SAML provider after the role.
			if prov := stringMember(call.Params, "PrincipalArn"); prov != "" {
				ev.Resources = append(ev.Resources, audit.Resource{ARN: prov, AccountID: arnAccount(prov), Type: "AWS::IAM::SAMLProvider"})
			}
		}
	}
	return ev
}

// withIncomingTags adds incomingTransitiveTags to the parameters of an AssumeRole made with a
// role session that has transitive session tags: the tags the new session inherits, keyed by
// tag key, as the IAM User Guide's chained AssumeRole record shows them ("Logging IAM and AWS
// STS API calls with AWS CloudTrail"). Other calls' parameters are returned as they are.
func withIncomingTags(call *Call, params json.RawMessage) json.RawMessage {
	c := call.Caller
	if call.Service != "sts" || call.Action != "AssumeRole" || c == nil || c.Session == nil || len(c.Session.TransitiveKeys) == 0 {
		return params
	}
	incoming := make(map[string]string, len(c.Session.TransitiveKeys))
	for _, k := range c.Session.TransitiveKeys {
		if v, ok := c.Session.Tags[k]; ok {
			incoming[audit.ValidString(k)] = audit.ValidString(v)
		}
	}
	if len(incoming) == 0 {
		return params
	}
	m := map[string]json.RawMessage{}
	if len(params) > 0 && json.Unmarshal(params, &m) != nil {
		return params
	}
	tags, err := json.Marshal(incoming)
	if err != nil {
		return params
	}
	m["incomingTransitiveTags"] = tags
	out, err := json.Marshal(m) // sorted keys, as the encoder writes them
	if err != nil {
		return params
	}
	return out
}

// requestDetails is the additionalEventData of a successful STS call, as AWS's records of
// AssumeRole and AssumeRoleWithWebIdentity carry it: {"RequestDetails":{"awsServingRegion":
// REGION,"endpointType":"regional"}}, "global" when the request named STS's global endpoint
// (sts.amazonaws.com).
func requestDetails(region, host, verification string) json.RawMessage {
	endpoint := "regional"
	if h, _, _ := strings.Cut(host, ":"); strings.EqualFold(h, "sts.amazonaws.com") {
		endpoint = "global"
	}
	b := append(make([]byte, 0, 160), '{')
	if verification != "" {
		// Before RequestDetails, as a real GitHub Actions AssumeRoleWithWebIdentity record has it.
		b = append(b, `"identityProviderConnectionVerificationMethod":`...)
		b = audit.AppendString(b, verification)
		b = append(b, ',')
	}
	b = append(b, `"RequestDetails":{"awsServingRegion":`...)
	b = audit.AppendString(b, region)
	b = append(b, `,"endpointType":"`...)
	b = append(b, endpoint...)
	return append(b, `"}}`...)
}

// Bounds on the strings a record copies from a request: without them every request that fails
// authentication, which is recorded as CloudTrail records it, could put up to the whole header
// limit (64 KiB of User-Agent, Host, Authorization echoed in an error message) into the trail.
// CloudTrail documents no limit for these fields; GuardDuty, whose findings copy CloudTrail's
// userAgent, documents 1,024 characters for it (ApiCall.userAgent), and iamd keeps that.
// A longer value is cut at a UTF-8 rune boundary at or below the bound, with no marker, so
// that the recorded value is always a prefix of the one sent.
const (
	// MaxUserAgent is the most bytes of the User-Agent header a record keeps (userAgent).
	MaxUserAgent = 1024
	// MaxErrorMessage is the most bytes of an error message a record keeps (errorMessage);
	// messages can echo request input (an Authorization header, a parameter value).
	MaxErrorMessage = 1024
	// maxEventName bounds eventName: the Action parameter or X-Amz-Target of a request that
	// names no operation. The longest IAM or STS action name is under 64 bytes.
	maxEventName = 128
	// maxAccessKeyID bounds the access key a failed request claimed (IAM's AccessKeyId is
	// at most 128 characters).
	maxAccessKeyID = 128
	// maxRegion bounds awsRegion, the credential scope's region.
	maxRegion = 64
	// maxHost bounds tlsDetails.clientProvidedHostHeader (a DNS name is at most 253 bytes).
	maxHost = 256
)

// truncate returns s cut to at most n bytes without splitting a UTF-8 encoded rune. Bytes
// that are not valid UTF-8 are cut anywhere: the record writes each as U+FFFD either way.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	// The rune that holds byte n starts at most UTFMax-1 bytes before it.
	for p := n; p >= 0 && p > n-utf8.UTFMax; p-- {
		if utf8.RuneStart(s[p]) {
			if r, size := utf8.DecodeRuneInString(s[p:]); (r != utf8.RuneError || size > 1) && p+size > n {
				return s[:p]
			}
			break
		}
	}
	return s[:n]
}

// assumesRole are the STS actions whose successful records name the role in resources.
var assumesRole = map[string]bool{"AssumeRole": true, "AssumeRoleWithSAML": true, "AssumeRoleWithWebIdentity": true}

// stringMember returns the string member name of an STS input, or "".
func stringMember(params any, name string) string {
	v := reflect.ValueOf(params)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return ""
	}
	f := v.Elem().FieldByName(name)
	if !f.IsValid() || f.Kind() != reflect.Pointer || f.IsNil() || f.Elem().Kind() != reflect.String {
		return ""
	}
	return f.Elem().String()
}

// arnAccount is the account field of an ARN: what lies between its fourth and fifth colons (""
// when it has fewer than five).
func arnAccount(arn string) string {
	rest := arn
	for range 4 {
		i := strings.IndexByte(rest, ':')
		if i < 0 {
			return ""
		}
		rest = rest[i+1:]
	}
	acct, _, ok := strings.Cut(rest, ":")
	if !ok {
		return ""
	}
	return acct
}

func identity(call *Call) audit.UserIdentity {
	c := call.Caller
	if c == nil {
		// Authentication failed, so nothing says whose the key is (if anyone's): the identity
		// is Unknown, with the key the request claimed, as long as its sender likes up to the
		// header limit. AWSAccount would claim that another AWS account made the call.
		return audit.UserIdentity{Type: "Unknown", AccessKeyID: truncate(call.AccessKeyID, maxAccessKeyID)}
	}
	id := audit.UserIdentity{PrincipalID: c.UserID, ARN: c.Principal.ARN, AccountID: c.Principal.Account, AccessKeyID: c.AccessKeyID}
	switch c.Principal.Type {
	case policy.PrincipalRoot, policy.PrincipalUser:
		id.Type = "Root"
		if c.Principal.Type == policy.PrincipalUser {
			id.Type, id.UserName = "IAMUser", c.UserName
		}
		if s := c.Session; s != nil {
			// Credentials from GetSessionToken: CloudTrail describes the session by its
			// attributes alone (no issuer: the user is the caller).
			id.SessionContext = &audit.SessionContext{Attributes: &audit.SessionAttributes{CreationDate: s.Issued, MFAAuthenticated: s.MFA}}
		}
	case policy.PrincipalRoleSession, policy.PrincipalFederatedUser:
		id.Type = "AssumedRole"
		issuerType := "Role"
		src := c.Principal.SourceARN
		issuerID, _, _ := strings.Cut(c.UserID, ":")
		var webID *audit.WebIDFederationData
		if c.Principal.Type == policy.PrincipalFederatedUser {
			// GetFederationToken's session: its issuer is the IAM user or the root user that
			// called it, and CloudTrail writes an empty webIdFederationData. The session's
			// aws:userid is ACCOUNT:NAME, so the issuer's principalId is the account only for
			// the root user; an IAM user's is its unique ID, left out when the session does
			// not carry it rather than written wrong.
			id.Type, issuerType, webID = "FederatedUser", "IAMUser", &audit.WebIDFederationData{}
			if strings.HasSuffix(src, ":root") {
				issuerType = "Root"
			} else {
				issuerID = ""
				if s := c.Session; s != nil {
					issuerID = s.IssuerID
				}
			}
		} else if s := c.Session; s != nil && s.WebIdentityProvider != "" {
			// A role session from AssumeRoleWithWebIdentity names its provider, with the
			// attributes AWS's records of such sessions carry: none.
			webID = &audit.WebIDFederationData{FederatedProvider: s.WebIdentityProvider, Attributes: map[string]string{}}
		}
		issuerName := src[strings.LastIndexByte(src, '/')+1:]
		if issuerType == "Root" {
			issuerName = "" // the root user has no name (an account alias is not iamd's to give)
		}
		sc := &audit.SessionContext{
			SessionIssuer: &audit.SessionIssuer{Type: issuerType, PrincipalID: issuerID, ARN: src, AccountID: c.Principal.Account,
				UserName: issuerName},
			WebIDFederationData: webID,
			Attributes:          &audit.SessionAttributes{},
		}
		if s := c.Session; s != nil {
			sc.Attributes.CreationDate, sc.Attributes.MFAAuthenticated = s.Issued, s.MFA
			sc.SourceIdentity = s.SourceIdentity
		}
		id.SessionContext = sc
	case policy.PrincipalFederated:
		// AssumeRoleWithWebIdentity's caller: principalId is PROVIDER-ARN:AUDIENCE:SUBJECT.
		id.Type, id.ARN, id.UserName, id.IdentityProvider = "WebIdentityUser", "", c.UserName, c.Principal.ARN
		if strings.Contains(c.Principal.ARN, ":saml-provider/") {
			// AssumeRoleWithSAML's: principalId is NAMEQUALIFIER:SUBJECT, and CloudTrail's
			// identityProvider is the name qualifier (saml:namequalifier), a base64 hash
			// that holds no colon.
			id.Type = "SAMLUser"
			if q, _, ok := strings.Cut(c.UserID, ":"); ok {
				id.IdentityProvider = q
			}
		}
	case policy.PrincipalService:
		id = audit.UserIdentity{Type: "AWSService", InvokedBy: c.Principal.ARN}
	default:
		id.Type = "Unknown"
	}
	return id
}

// NewID returns a random (version 4) UUID, the form of AWS request IDs.
func NewID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	return formatUUID(&b)
}

// NewEventID returns a UUID for an event at time t: version 7, whose first 48 bits are t in
// Unix milliseconds and whose other bits are random. It is a UUID string like CloudTrail's
// eventID, and IDs of later events sort after earlier ones', so that the store's index of
// event IDs grows at its end instead of at a random page per record.
//
// Its random bits come from math/rand/v2's generator (ChaCha8, seeded by the runtime from the
// operating system), not crypto/rand: an event ID is unique, not secret (LookupEvents and every
// export show it), and the generator costs a tenth of a getrandom call.
func NewEventID(t time.Time) string {
	var b [16]byte
	binary.LittleEndian.PutUint64(b[6:14], mrand.Uint64())
	binary.LittleEndian.PutUint16(b[14:], uint16(mrand.Uint32()))
	ms := uint64(t.UnixMilli())
	b[0], b[1], b[2], b[3], b[4], b[5] = byte(ms>>40), byte(ms>>32), byte(ms>>24), byte(ms>>16), byte(ms>>8), byte(ms)
	b[6] = b[6]&0x0f | 0x70
	return formatUUID(&b)
}

// formatUUID sets the variant bits of b and writes it as 8-4-4-4-12 lower-case hex.
func formatUUID(b *[16]byte) string {
	b[8] = b[8]&0x3f | 0x80
	var s [36]byte
	hex.Encode(s[0:8], b[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], b[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], b[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], b[8:10])
	s[23] = '-'
	hex.Encode(s[24:], b[10:])
	return string(s[:])
}
