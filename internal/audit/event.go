package audit

import (
	"encoding/json"
	"fmt"
	"time"
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
	// CloudTrail does for calls without parameters or without a changing response. Pass them
	// through Redact first.
	RequestParameters  json.RawMessage
	ResponseElements   json.RawMessage
	RequestID          string
	EventID            string
	ReadOnly           bool
	Resources          []Resource // omitted when empty
	EventType          string     // EventTypeAPICall
	ManagementEvent    bool
	RecipientAccountID string
	EventCategory      string      // EventCategoryManagement
	TLSDetails         *TLSDetails // omitted when nil
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
type WebIDFederationData struct {
	FederatedProvider string            `json:"federatedProvider,omitempty"`
	Attributes        map[string]string `json:"attributes,omitempty"`
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
	EventVersion       string          `json:"eventVersion"`
	UserIdentity       UserIdentity    `json:"userIdentity"`
	EventTime          string          `json:"eventTime"`
	EventSource        string          `json:"eventSource"`
	EventName          string          `json:"eventName"`
	AWSRegion          string          `json:"awsRegion"`
	SourceIPAddress    string          `json:"sourceIPAddress"`
	UserAgent          string          `json:"userAgent"`
	ErrorCode          string          `json:"errorCode,omitempty"`
	ErrorMessage       string          `json:"errorMessage,omitempty"`
	RequestParameters  json.RawMessage `json:"requestParameters"`
	ResponseElements   json.RawMessage `json:"responseElements"`
	RequestID          string          `json:"requestID"`
	EventID            string          `json:"eventID"`
	ReadOnly           bool            `json:"readOnly"`
	Resources          []Resource      `json:"resources,omitempty"`
	EventType          string          `json:"eventType"`
	ManagementEvent    bool            `json:"managementEvent"`
	RecipientAccountID string          `json:"recipientAccountId"`
	EventCategory      string          `json:"eventCategory"`
	TLSDetails         *TLSDetails     `json:"tlsDetails,omitempty"`
}

// MarshalJSON writes the record in CloudTrail's layout. The output is deterministic: the
// same Event always gives the same bytes, which is what the hash chain stores (Link).
// Empty RequestParameters or ResponseElements are written as null.
func (e Event) MarshalJSON() ([]byte, error) {
	j := eventJSON{
		EventVersion:       e.EventVersion,
		UserIdentity:       e.UserIdentity,
		EventTime:          formatTime(e.EventTime),
		EventSource:        e.EventSource,
		EventName:          e.EventName,
		AWSRegion:          e.AWSRegion,
		SourceIPAddress:    e.SourceIPAddress,
		UserAgent:          e.UserAgent,
		ErrorCode:          e.ErrorCode,
		ErrorMessage:       e.ErrorMessage,
		RequestParameters:  nullIfEmpty(e.RequestParameters),
		ResponseElements:   nullIfEmpty(e.ResponseElements),
		RequestID:          e.RequestID,
		EventID:            e.EventID,
		ReadOnly:           e.ReadOnly,
		Resources:          e.Resources,
		EventType:          e.EventType,
		ManagementEvent:    e.ManagementEvent,
		RecipientAccountID: e.RecipientAccountID,
		EventCategory:      e.EventCategory,
		TLSDetails:         e.TLSDetails,
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads a CloudTrail record. Fields iamd does not model (sharedEventID,
// additionalEventData, ...) are ignored; a JSON null in requestParameters or
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
		EventVersion:       j.EventVersion,
		UserIdentity:       j.UserIdentity,
		EventTime:          t,
		EventSource:        j.EventSource,
		EventName:          j.EventName,
		AWSRegion:          j.AWSRegion,
		SourceIPAddress:    j.SourceIPAddress,
		UserAgent:          j.UserAgent,
		ErrorCode:          j.ErrorCode,
		ErrorMessage:       j.ErrorMessage,
		RequestParameters:  nilIfNull(j.RequestParameters),
		ResponseElements:   nilIfNull(j.ResponseElements),
		RequestID:          j.RequestID,
		EventID:            j.EventID,
		ReadOnly:           j.ReadOnly,
		Resources:          j.Resources,
		EventType:          j.EventType,
		ManagementEvent:    j.ManagementEvent,
		RecipientAccountID: j.RecipientAccountID,
		EventCategory:      j.EventCategory,
		TLSDetails:         j.TLSDetails,
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
