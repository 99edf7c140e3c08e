package audit

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"
)

// Values iamd writes into every record it makes. CloudTrail documents 1.11 as the current
// eventVersion; iamd only records API calls, and all of them are management events.
const (
	EventVersion            = "1.11"
	EventTypeAPICall        = "AwsApiCall"
	EventCategoryManagement = "Management"
)

// timeLayout is how CloudTrail writes eventTime: UTC, whole seconds, a literal Z.
const timeLayout = "2006-01-02T15:04:05Z"

// Event is one CloudTrail record for one API request, allowed or denied. Its JSON form
// (see MarshalJSON) has CloudTrail's field names in CloudTrail's order, so a record can be
// read by tools written for CloudTrail logs.
type Event struct {
	EventVersion    string
	UserIdentity    UserIdentity
	EventTime       time.Time // written in UTC, truncated to the second
	EventSource     string    // "iam.amazonaws.com", "sts.amazonaws.com"
	EventName       string    // the API action, "CreateUser"
	AWSRegion       string
	SourceIPAddress string
	UserAgent       string
	ErrorCode       string // omitted when empty
	ErrorMessage    string // omitted when empty
	// RequestParameters and ResponseElements are JSON values; nil is written as null, as
	// CloudTrail does for calls without parameters or without a changing response. They must
	// hold no secrets: internal/trail leaves out the members whose key names a secret
	// (IsSecretName) while it encodes them, and keeps map keys (tag keys) as given, where
	// Redact would also drop a tag whose key looks like a secret.
	RequestParameters json.RawMessage
	ResponseElements  json.RawMessage
	// AdditionalEventData is a JSON object of what the service adds about the request (STS:
	// RequestDetails with the serving region and endpoint type); omitted when empty. Like
	// RequestParameters, it must be compact JSON as json.Marshal writes it (see AppendJSON).
	AdditionalEventData json.RawMessage
	RequestID           string
	EventID             string
	ReadOnly            bool
	Resources           []Resource // omitted when empty
	EventType           string     // EventTypeAPICall
	ManagementEvent     bool
	RecipientAccountID  string
	EventCategory       string      // EventCategoryManagement
	TLSDetails          *TLSDetails // omitted when nil
}

// UserIdentity is the caller, as in CloudTrail's userIdentity element. Every field except
// Type is omitted when empty.
type UserIdentity struct {
	Type           string          `json:"type"` // IAMUser, AssumedRole, Root, FederatedUser, AWSAccount, ...
	PrincipalID    string          `json:"principalId,omitempty"`
	ARN            string          `json:"arn,omitempty"`
	AccountID      string          `json:"accountId,omitempty"`
	AccessKeyID    string          `json:"accessKeyId,omitempty"`
	UserName       string          `json:"userName,omitempty"`
	SessionContext *SessionContext `json:"sessionContext,omitempty"`
	InvokedBy      string          `json:"invokedBy,omitempty"`
	// IdentityProvider names the external provider for SAMLUser and WebIdentityUser callers.
	IdentityProvider string `json:"identityProvider,omitempty"`
}

// SessionContext describes the session behind temporary credentials. CloudTrail writes an
// empty sessionIssuer or webIdFederationData object rather than omitting it for some callers;
// a non-nil pointer to a zero value reproduces that.
type SessionContext struct {
	SessionIssuer       *SessionIssuer       `json:"sessionIssuer,omitempty"`
	WebIDFederationData *WebIDFederationData `json:"webIdFederationData,omitempty"`
	Attributes          *SessionAttributes   `json:"attributes,omitempty"`
	SourceIdentity      string               `json:"sourceIdentity,omitempty"`
}

// SessionIssuer is the role or user whose credentials created the session.
type SessionIssuer struct {
	Type        string `json:"type,omitempty"` // Role, IAMUser, Root
	PrincipalID string `json:"principalId,omitempty"`
	ARN         string `json:"arn,omitempty"`
	AccountID   string `json:"accountId,omitempty"`
	UserName    string `json:"userName,omitempty"`
}

// WebIDFederationData names the OIDC provider for sessions from AssumeRoleWithWebIdentity.
// Attributes is written when non-nil, even empty: AWS's records of web identity role sessions
// carry "attributes": {} (see MarshalJSON).
type WebIDFederationData struct {
	FederatedProvider string            `json:"federatedProvider,omitempty"`
	Attributes        map[string]string `json:"attributes,omitempty"`
}

// MarshalJSON writes federatedProvider unless empty and attributes unless nil, keys sorted.
func (w WebIDFederationData) MarshalJSON() ([]byte, error) {
	return w.appendJSON(nil), nil
}

func (w *WebIDFederationData) appendJSON(dst []byte) []byte {
	m := len(dst)
	dst = append(dst, '{')
	dst = appendOmitEmpty(dst, `,"federatedProvider":`, w.FederatedProvider)
	if w.Attributes != nil {
		dst = append(dst, `,"attributes":{`...)
		keys := make([]string, 0, len(w.Attributes))
		for k := range w.Attributes {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for i, k := range keys {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = AppendString(dst, k)
			dst = append(dst, ':')
			dst = AppendString(dst, w.Attributes[k])
		}
		dst = append(dst, '}')
	}
	return closeObject(dst, m)
}

// SessionAttributes holds when the session was created and whether MFA was used.
// CloudTrail writes both as strings: creationDate like eventTime, mfaAuthenticated as
// "true" or "false".
type SessionAttributes struct {
	CreationDate     time.Time
	MFAAuthenticated bool
}

type sessionAttributesJSON struct {
	CreationDate     string `json:"creationDate,omitempty"`
	MFAAuthenticated string `json:"mfaAuthenticated"`
}

// MarshalJSON writes the attributes the way CloudTrail does.
func (a SessionAttributes) MarshalJSON() ([]byte, error) {
	j := sessionAttributesJSON{MFAAuthenticated: "false"}
	if !a.CreationDate.IsZero() {
		j.CreationDate = formatTime(a.CreationDate)
	}
	if a.MFAAuthenticated {
		j.MFAAuthenticated = "true"
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads what MarshalJSON writes, and the ISO 8601 basic timestamps
// ("20131102T010628Z") that older CloudTrail records carry.
func (a *SessionAttributes) UnmarshalJSON(b []byte) error {
	var j sessionAttributesJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*a = SessionAttributes{}
	if j.CreationDate != "" {
		t, err := parseTime(j.CreationDate)
		if err != nil {
			return fmt.Errorf("audit: creationDate: %w", err)
		}
		a.CreationDate = t
	}
	switch j.MFAAuthenticated {
	case "true":
		a.MFAAuthenticated = true
	case "false", "":
	default:
		return fmt.Errorf("audit: mfaAuthenticated %q is neither \"true\" nor \"false\"", j.MFAAuthenticated)
	}
	return nil
}

// Resource is one entry of a record's resources list. The ARN key is upper case in
// CloudTrail, unlike every other key.
type Resource struct {
	ARN       string `json:"ARN,omitempty"`
	AccountID string `json:"accountId,omitempty"`
	Type      string `json:"type,omitempty"` // "AWS::IAM::Role"
}

// TLSDetails records the TLS connection a request arrived on.
type TLSDetails struct {
	TLSVersion               string `json:"tlsVersion,omitempty"`
	CipherSuite              string `json:"cipherSuite,omitempty"`
	ClientProvidedHostHeader string `json:"clientProvidedHostHeader,omitempty"`
}

// eventJSON is Event as written; the field order is CloudTrail's.
type eventJSON struct {
	EventVersion        string          `json:"eventVersion"`
	UserIdentity        UserIdentity    `json:"userIdentity"`
	EventTime           string          `json:"eventTime"`
	EventSource         string          `json:"eventSource"`
	EventName           string          `json:"eventName"`
	AWSRegion           string          `json:"awsRegion"`
	SourceIPAddress     string          `json:"sourceIPAddress"`
	UserAgent           string          `json:"userAgent"`
	ErrorCode           string          `json:"errorCode,omitempty"`
	ErrorMessage        string          `json:"errorMessage,omitempty"`
	RequestParameters   json.RawMessage `json:"requestParameters"`
	ResponseElements    json.RawMessage `json:"responseElements"`
	AdditionalEventData json.RawMessage `json:"additionalEventData,omitempty"`
	RequestID           string          `json:"requestID"`
	EventID             string          `json:"eventID"`
	ReadOnly            bool            `json:"readOnly"`
	Resources           []Resource      `json:"resources,omitempty"`
	EventType           string          `json:"eventType"`
	ManagementEvent     bool            `json:"managementEvent"`
	RecipientAccountID  string          `json:"recipientAccountId"`
	EventCategory       string          `json:"eventCategory"`
	TLSDetails          *TLSDetails     `json:"tlsDetails,omitempty"`
}

// MarshalJSON writes the record in CloudTrail's layout. The output is deterministic: the
// same Event always gives the same bytes, which is what the hash chain stores (Link).
// Empty RequestParameters or ResponseElements are written as null.
func (e Event) MarshalJSON() ([]byte, error) {
	j := eventJSON{
		EventVersion:        e.EventVersion,
		UserIdentity:        e.UserIdentity,
		EventTime:           formatTime(e.EventTime),
		EventSource:         e.EventSource,
		EventName:           e.EventName,
		AWSRegion:           e.AWSRegion,
		SourceIPAddress:     e.SourceIPAddress,
		UserAgent:           e.UserAgent,
		ErrorCode:           e.ErrorCode,
		ErrorMessage:        e.ErrorMessage,
		RequestParameters:   nullIfEmpty(e.RequestParameters),
		ResponseElements:    nullIfEmpty(e.ResponseElements),
		AdditionalEventData: nilIfNull(e.AdditionalEventData),
		RequestID:           e.RequestID,
		EventID:             e.EventID,
		ReadOnly:            e.ReadOnly,
		Resources:           e.Resources,
		EventType:           e.EventType,
		ManagementEvent:     e.ManagementEvent,
		RecipientAccountID:  e.RecipientAccountID,
		EventCategory:       e.EventCategory,
		TLSDetails:          e.TLSDetails,
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads a CloudTrail record. Fields iamd does not model (sharedEventID,
// apiVersion, ...) are ignored; a JSON null in requestParameters or
// responseElements becomes nil.
func (e *Event) UnmarshalJSON(b []byte) error {
	var j eventJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	t, err := parseTime(j.EventTime)
	if err != nil {
		return fmt.Errorf("audit: eventTime: %w", err)
	}
	*e = Event{
		EventVersion:        j.EventVersion,
		UserIdentity:        j.UserIdentity,
		EventTime:           t,
		EventSource:         j.EventSource,
		EventName:           j.EventName,
		AWSRegion:           j.AWSRegion,
		SourceIPAddress:     j.SourceIPAddress,
		UserAgent:           j.UserAgent,
		ErrorCode:           j.ErrorCode,
		ErrorMessage:        j.ErrorMessage,
		RequestParameters:   nilIfNull(j.RequestParameters),
		ResponseElements:    nilIfNull(j.ResponseElements),
		AdditionalEventData: nilIfNull(j.AdditionalEventData),
		RequestID:           j.RequestID,
		EventID:             j.EventID,
		ReadOnly:            j.ReadOnly,
		Resources:           j.Resources,
		EventType:           j.EventType,
		ManagementEvent:     j.ManagementEvent,
		RecipientAccountID:  j.RecipientAccountID,
		EventCategory:       j.EventCategory,
		TLSDetails:          j.TLSDetails,
	}
	return nil
}

func formatTime(t time.Time) string {
	return t.UTC().Truncate(time.Second).Format(timeLayout)
}

// parseTime accepts CloudTrail's layout, any RFC 3339 time, and the ISO 8601 basic form
// some documented sessionContext examples use.
func parseTime(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	t, err := time.Parse("20060102T150405Z", s)
	if err != nil {
		return time.Time{}, fmt.Errorf("time %q is not in CloudTrail's format %s", s, timeLayout)
	}
	return t, nil
}

// nullIfEmpty maps an empty value to nil, which encoding/json writes as null (an empty,
// non-nil RawMessage would be a marshalling error).
func nullIfEmpty(m json.RawMessage) json.RawMessage {
	if len(m) == 0 {
		return nil
	}
	return m
}

func nilIfNull(m json.RawMessage) json.RawMessage {
	if len(m) == 0 || string(m) == "null" {
		return nil
	}
	return m
}

// appendTime appends t in timeLayout, writing the digits itself: every record has one or two
// times, and AppendFormat took a tenth of building a GetUser record. Years outside 0–9999,
// which the layout cannot write in four digits, take AppendFormat.
func appendTime(dst []byte, t time.Time) []byte {
	t = t.UTC()
	y, mo, d := t.Date()
	if y < 0 || y > 9999 {
		return t.Truncate(time.Second).AppendFormat(dst, timeLayout)
	}
	h, mi, s := t.Clock()
	m := int(mo)
	return append(dst, byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10), '-',
		byte('0'+m/10), byte('0'+m%10), '-', byte('0'+d/10), byte('0'+d%10), 'T',
		byte('0'+h/10), byte('0'+h%10), ':', byte('0'+mi/10), byte('0'+mi%10), ':', byte('0'+s/10), byte('0'+s%10), 'Z')
}

// AppendJSON appends the record's JSON to dst and returns the extended slice: the same bytes
// as MarshalJSON, without its intermediate values and the validating re-compaction that
// json.Marshal applies to them. It requires that RequestParameters and ResponseElements be
// empty or compact JSON as json.Marshal writes it (HTML characters and U+2028/U+2029
// escaped), such as what Redact returns for such input; MarshalJSON accepts any valid JSON
// there and compacts it.
func (e *Event) AppendJSON(dst []byte) []byte {
	dst = append(dst, `{"eventVersion":`...)
	dst = AppendString(dst, e.EventVersion)
	dst = append(dst, `,"userIdentity":`...)
	dst = e.UserIdentity.appendJSON(dst)
	dst = append(dst, `,"eventTime":"`...)
	dst = appendTime(dst, e.EventTime)
	dst = append(dst, `","eventSource":`...)
	dst = AppendString(dst, e.EventSource)
	dst = append(dst, `,"eventName":`...)
	dst = AppendString(dst, e.EventName)
	dst = append(dst, `,"awsRegion":`...)
	dst = AppendString(dst, e.AWSRegion)
	dst = append(dst, `,"sourceIPAddress":`...)
	dst = AppendString(dst, e.SourceIPAddress)
	dst = append(dst, `,"userAgent":`...)
	dst = AppendString(dst, e.UserAgent)
	dst = appendOmitEmpty(dst, `,"errorCode":`, e.ErrorCode)
	dst = appendOmitEmpty(dst, `,"errorMessage":`, e.ErrorMessage)
	dst = append(dst, `,"requestParameters":`...)
	dst = appendRaw(dst, e.RequestParameters)
	dst = append(dst, `,"responseElements":`...)
	dst = appendRaw(dst, e.ResponseElements)
	if len(e.AdditionalEventData) > 0 && string(e.AdditionalEventData) != "null" {
		dst = append(dst, `,"additionalEventData":`...)
		dst = append(dst, e.AdditionalEventData...)
	}
	dst = append(dst, `,"requestID":`...)
	dst = AppendString(dst, e.RequestID)
	dst = append(dst, `,"eventID":`...)
	dst = AppendString(dst, e.EventID)
	dst = append(dst, `,"readOnly":`...)
	dst = strconv.AppendBool(dst, e.ReadOnly)
	if len(e.Resources) > 0 {
		dst = append(dst, `,"resources":[`...)
		for i, r := range e.Resources {
			if i > 0 {
				dst = append(dst, ',')
			}
			n := len(dst)
			dst = append(dst, '{')
			dst = appendOmitEmpty(dst, `,"ARN":`, r.ARN)
			dst = appendOmitEmpty(dst, `,"accountId":`, r.AccountID)
			dst = appendOmitEmpty(dst, `,"type":`, r.Type)
			dst = closeObject(dst, n)
		}
		dst = append(dst, ']')
	}
	dst = append(dst, `,"eventType":`...)
	dst = AppendString(dst, e.EventType)
	dst = append(dst, `,"managementEvent":`...)
	dst = strconv.AppendBool(dst, e.ManagementEvent)
	dst = append(dst, `,"recipientAccountId":`...)
	dst = AppendString(dst, e.RecipientAccountID)
	dst = append(dst, `,"eventCategory":`...)
	dst = AppendString(dst, e.EventCategory)
	if t := e.TLSDetails; t != nil {
		dst = append(dst, `,"tlsDetails":`...)
		n := len(dst)
		dst = append(dst, '{')
		dst = appendOmitEmpty(dst, `,"tlsVersion":`, t.TLSVersion)
		dst = appendOmitEmpty(dst, `,"cipherSuite":`, t.CipherSuite)
		dst = appendOmitEmpty(dst, `,"clientProvidedHostHeader":`, t.ClientProvidedHostHeader)
		dst = closeObject(dst, n)
	}
	return append(dst, '}')
}

func (u *UserIdentity) appendJSON(dst []byte) []byte {
	dst = append(dst, `{"type":`...)
	dst = AppendString(dst, u.Type)
	dst = appendOmitEmpty(dst, `,"principalId":`, u.PrincipalID)
	dst = appendOmitEmpty(dst, `,"arn":`, u.ARN)
	dst = appendOmitEmpty(dst, `,"accountId":`, u.AccountID)
	dst = appendOmitEmpty(dst, `,"accessKeyId":`, u.AccessKeyID)
	dst = appendOmitEmpty(dst, `,"userName":`, u.UserName)
	if sc := u.SessionContext; sc != nil {
		dst = append(dst, `,"sessionContext":`...)
		n := len(dst)
		dst = append(dst, '{')
		if si := sc.SessionIssuer; si != nil {
			dst = append(dst, `,"sessionIssuer":`...)
			m := len(dst)
			dst = append(dst, '{')
			dst = appendOmitEmpty(dst, `,"type":`, si.Type)
			dst = appendOmitEmpty(dst, `,"principalId":`, si.PrincipalID)
			dst = appendOmitEmpty(dst, `,"arn":`, si.ARN)
			dst = appendOmitEmpty(dst, `,"accountId":`, si.AccountID)
			dst = appendOmitEmpty(dst, `,"userName":`, si.UserName)
			dst = closeObject(dst, m)
		}
		if w := sc.WebIDFederationData; w != nil {
			dst = append(dst, `,"webIdFederationData":`...)
			dst = w.appendJSON(dst)
		}
		if a := sc.Attributes; a != nil {
			dst = append(dst, `,"attributes":{`...)
			if !a.CreationDate.IsZero() {
				dst = append(dst, `"creationDate":"`...)
				dst = appendTime(dst, a.CreationDate)
				dst = append(dst, `",`...)
			}
			dst = append(dst, `"mfaAuthenticated":"`...)
			dst = strconv.AppendBool(dst, a.MFAAuthenticated)
			dst = append(dst, `"}`...)
		}
		dst = appendOmitEmpty(dst, `,"sourceIdentity":`, sc.SourceIdentity)
		dst = closeObject(dst, n)
	}
	dst = appendOmitEmpty(dst, `,"invokedBy":`, u.InvokedBy)
	dst = appendOmitEmpty(dst, `,"identityProvider":`, u.IdentityProvider)
	return append(dst, '}')
}

// appendOmitEmpty appends a member written with a leading comma (`,"key":`) unless s is empty.
func appendOmitEmpty(dst []byte, key, s string) []byte {
	if s == "" {
		return dst
	}
	return AppendString(append(dst, key...), s)
}

// closeObject ends the object whose '{' is at dst[open], whose members were each appended
// with a leading comma: it drops the first member's comma and appends '}'.
func closeObject(dst []byte, open int) []byte {
	if len(dst) > open+1 && dst[open+1] == ',' {
		dst = append(dst[:open+1], dst[open+2:]...)
	}
	return append(dst, '}')
}

func appendRaw(dst []byte, m json.RawMessage) []byte {
	if len(m) == 0 {
		return append(dst, "null"...)
	}
	return append(dst, m...)
}

// jsonSafe tells the ASCII bytes AppendString copies as they are: all but control characters,
// the quote, the backslash and the HTML characters. A table lookup a byte is a quarter of the
// cost of the comparisons it replaced, and every record's strings pass through here.
var jsonSafe = func() (safe [utf8.RuneSelf]bool) {
	for b := byte(' '); b < utf8.RuneSelf; b++ {
		safe[b] = b != '"' && b != '\\' && b != '<' && b != '>' && b != '&'
	}
	return safe
}()

// AppendString appends s as a JSON string, exactly as json.Marshal writes it: HTML
// characters (<, >, &), control characters and U+2028/U+2029 escaped, and each byte that is
// not valid UTF-8 written as \ufffd.
func AppendString(dst []byte, s string) []byte {
	const hexDigits = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			if jsonSafe[b] {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		if c == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if c == '\u2028' || c == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[c&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
