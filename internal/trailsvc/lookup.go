package trailsvc

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/iamd-dev/iamd/internal/api/awserr"
	"github.com/iamd-dev/iamd/internal/authn"
	"github.com/iamd-dev/iamd/internal/authz"
	"github.com/iamd-dev/iamd/internal/iam"
	"github.com/iamd-dev/iamd/internal/store"
)

// Action is the IAM action LookupEvents authorizes, on resource "*" (the Service
// Authorization Reference lists no resource type for it).
const Action = "cloudtrail:LookupEvents"

// Lookup limits from the CloudTrail API reference.
const (
	DefaultMaxResults = 50
	MaxMaxResults     = 50
	maxAttributeValue = 2000
)

// The lookup attribute keys CloudTrail accepts (LookupAttribute.AttributeKey).
const (
	KeyEventID      = "EventId"
	KeyEventName    = "EventName"
	KeyReadOnly     = "ReadOnly"
	KeyUsername     = "Username"
	KeyResourceType = "ResourceType"
	KeyResourceName = "ResourceName"
	KeyEventSource  = "EventSource"
	KeyAccessKeyID  = "AccessKeyId"
)

// CloudTrail's error codes for LookupEvents. All are client errors answered with HTTP 400.
const (
	CodeInvalidLookupAttributes = "InvalidLookupAttributesException"
	CodeInvalidTimeRange        = "InvalidTimeRangeException"
	CodeInvalidMaxResults       = "InvalidMaxResultsException"
	CodeInvalidNextToken        = "InvalidNextTokenException"
	CodeInvalidEventCategory    = "InvalidEventCategoryException"
	CodeAccessDenied            = "AccessDeniedException"
)

func clientError(code, msg string) *awserr.Error {
	return awserr.New(code, 400, awserr.Sender, msg)
}

// LookupAttribute is one lookup condition.
type LookupAttribute struct {
	AttributeKey   string
	AttributeValue string
}

// LookupEventsInput is the LookupEvents request. Times are epoch seconds, as the JSON 1.1
// protocol sends timestamps.
type LookupEventsInput struct {
	LookupAttributes []LookupAttribute `json:",omitempty"`
	StartTime        *float64          `json:",omitempty"`
	EndTime          *float64          `json:",omitempty"`
	EventCategory    *string           `json:",omitempty"`
	MaxResults       *int32            `json:",omitempty"`
	NextToken        *string           `json:",omitempty"`
}

// Resource is a resource an event refers to.
type Resource struct {
	ResourceType string `json:",omitempty"`
	ResourceName string `json:",omitempty"`
}

// Event is one event of the response. ReadOnly is the string "true" or "false", EventTime
// epoch seconds, and CloudTrailEvent the stored record's JSON.
type Event struct {
	EventID         string     `json:"EventId"`
	EventName       string     `json:",omitempty"`
	ReadOnly        string     `json:",omitempty"`
	AccessKeyID     string     `json:"AccessKeyId,omitempty"`
	EventTime       int64      `json:",omitempty"`
	EventSource     string     `json:",omitempty"`
	Username        string     `json:",omitempty"`
	Resources       []Resource `json:",omitempty"`
	CloudTrailEvent string     `json:",omitempty"`
}

// LookupEventsOutput is the LookupEvents response.
type LookupEventsOutput struct {
	Events    []Event
	NextToken *string `json:",omitempty"`
}

// Config holds a Service's dependencies.
type Config struct {
	Store  store.Store
	Authz  *authz.Authorizer
	Logger *slog.Logger
}

// Service is the CloudTrail lookup API.
type Service struct {
	store  store.Store
	authz  *authz.Authorizer
	logger *slog.Logger
}

// New returns the service.
func New(c Config) *Service {
	return &Service{store: c.Store, authz: c.Authz, logger: c.Logger}
}

// LookupEvents returns the caller's account's records that match the lookup, newest first.
func (s *Service) LookupEvents(ctx context.Context, c *authn.Caller, in *LookupEventsInput) (*LookupEventsOutput, error) {
	if err := s.authz.Authorize(ctx, c, authz.Request{Action: Action, Resource: "*"}); err != nil {
		// CloudTrail's JSON protocol names the code AccessDeniedException and answers 400.
		var ie *iam.Error
		if errors.As(err, &ie) && ie.Code == iam.CodeAccessDenied {
			return nil, clientError(CodeAccessDenied, ie.Message)
		}
		return nil, err
	}
	f, limit, err := Filter(c.Principal.Account, in)
	if err != nil {
		return nil, err
	}
	out := &LookupEventsOutput{Events: []Event{}}
	if in.EventCategory != nil {
		return out, nil // Insights events: iamd has none
	}
	f.Limit = limit + 1
	evs, err := s.store.Events(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("lookup events: %w", err)
	}
	if len(evs) > limit {
		evs = evs[:limit]
		tok := nextToken(evs[limit-1].Seq, lookupHash(in))
		out.NextToken = &tok
	}
	for _, e := range evs {
		out.Events = append(out.Events, eventOf(e))
	}
	return out, nil
}

func eventOf(e *store.StoredEvent) Event {
	ev := Event{
		EventID: e.ID, EventName: e.Name, ReadOnly: strconv.FormatBool(e.ReadOnly), AccessKeyID: e.AccessKey,
		EventTime: e.Time.Unix(), EventSource: e.Source, Username: e.Username, CloudTrailEvent: string(e.Record),
	}
	for _, r := range e.Resources {
		typ, name, _ := strings.Cut(r, "\x00")
		ev.Resources = append(ev.Resources, Resource{ResourceType: typ, ResourceName: name})
	}
	return ev
}

// Filter validates a lookup and turns it into the store's filter for account, returning the
// page size. Its errors are CloudTrail's exceptions.
func Filter(account string, in *LookupEventsInput) (store.EventFilter, int, error) {
	f := store.EventFilter{Account: account}
	if in.EventCategory != nil && *in.EventCategory != "insight" {
		return f, 0, clientError(CodeInvalidEventCategory, "Event category "+*in.EventCategory+" is not valid. The only valid event category is insight.")
	}
	limit := DefaultMaxResults
	if in.MaxResults != nil {
		if n := *in.MaxResults; n < 1 || n > MaxMaxResults {
			return f, 0, clientError(CodeInvalidMaxResults, fmt.Sprintf("MaxResults %d is not valid: the value must be from 1 to %d.", n, MaxMaxResults))
		}
		limit = int(*in.MaxResults)
	}
	if err := attribute(&f, in.LookupAttributes); err != nil {
		return f, 0, err
	}
	var ok bool
	if in.StartTime != nil {
		if f.Start, ok = epoch(*in.StartTime); !ok {
			return f, 0, clientError(CodeInvalidTimeRange, "StartTime is not a valid time.")
		}
	}
	if in.EndTime != nil {
		if f.End, ok = epoch(*in.EndTime); !ok {
			return f, 0, clientError(CodeInvalidTimeRange, "EndTime is not a valid time.")
		}
		// Records carry whole seconds: an end time includes every event of its second.
		f.End = f.End.Truncate(time.Second).Add(time.Second - time.Nanosecond)
	}
	if !f.Start.IsZero() && !f.End.IsZero() && f.Start.After(f.End) {
		return f, 0, clientError(CodeInvalidTimeRange, "Start time must not be after end time.")
	}
	if in.NextToken != nil {
		seq, err := parseToken(*in.NextToken, lookupHash(in))
		if err != nil {
			return f, 0, err
		}
		f.BeforeSeq = seq
	}
	return f, limit, nil
}

func attribute(f *store.EventFilter, attrs []LookupAttribute) error {
	switch len(attrs) {
	case 0:
		return nil
	case 1:
	default:
		return clientError(CodeInvalidLookupAttributes, "You can specify only one lookup attribute.")
	}
	k, v := attrs[0].AttributeKey, attrs[0].AttributeValue
	if v == "" || len(v) > maxAttributeValue {
		return clientError(CodeInvalidLookupAttributes, fmt.Sprintf("The value of lookup attribute %s must be from 1 to %d characters long.", k, maxAttributeValue))
	}
	switch k {
	case KeyEventID:
		f.ID = v
	case KeyEventName:
		f.Name = v
	case KeyUsername:
		f.Username = v
	case KeyEventSource:
		f.Source = v
	case KeyAccessKeyID:
		f.AccessKey = v
	case KeyResourceType:
		f.Resource = v + "\x00"
	case KeyResourceName:
		f.Resource = "\x00" + v
	case KeyReadOnly:
		b, err := strconv.ParseBool(v)
		if err != nil || (v != "true" && v != "false") {
			return clientError(CodeInvalidLookupAttributes, "The value of lookup attribute ReadOnly must be true or false.")
		}
		f.ReadOnly = &b
	default:
		return clientError(CodeInvalidLookupAttributes, "Lookup attribute key "+k+" is not valid. Valid keys are EventId, EventName, ReadOnly, Username, ResourceType, ResourceName, EventSource and AccessKeyId.")
	}
	return nil
}

// epoch converts epoch seconds (possibly fractional) to a time.
func epoch(sec float64) (time.Time, bool) {
	if math.IsNaN(sec) || math.IsInf(sec, 0) || sec < 0 || sec > 253402300799 { // 9999-12-31T23:59:59Z
		return time.Time{}, false
	}
	whole := math.Floor(sec)
	return time.Unix(int64(whole), int64((sec-whole)*1e9)).UTC(), true
}

// lookupHash identifies a lookup apart from its page: a NextToken is only valid for the lookup
// that produced it.
func lookupHash(in *LookupEventsInput) string {
	h := sha256.New()
	for _, a := range in.LookupAttributes {
		fmt.Fprintf(h, "a%q=%q;", a.AttributeKey, a.AttributeValue)
	}
	if in.StartTime != nil {
		fmt.Fprintf(h, "s%v;", *in.StartTime)
	}
	if in.EndTime != nil {
		fmt.Fprintf(h, "e%v;", *in.EndTime)
	}
	return hex.EncodeToString(h.Sum(nil)[:8])
}

const tokenVersion = "1"

func nextToken(beforeSeq int64, lookup string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(tokenVersion + ":" + strconv.FormatInt(beforeSeq, 10) + ":" + lookup))
}

func parseToken(tok, lookup string) (int64, error) {
	bad := clientError(CodeInvalidNextToken, "The NextToken is not valid.")
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return 0, bad
	}
	parts := strings.Split(string(b), ":")
	if len(parts) != 3 || parts[0] != tokenVersion {
		return 0, bad
	}
	seq, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil || seq < 1 {
		return 0, bad
	}
	if parts[2] != lookup {
		return 0, clientError(CodeInvalidNextToken, "The NextToken was issued for a different lookup; repeat the original lookup attributes and time range.")
	}
	return seq, nil
}
