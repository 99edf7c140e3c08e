package audit

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Summary is what a store keeps beside a record as lookup columns (LookupEvents'
// attributes). It is derived from the record alone, by one rule: Summarize applies it to a
// record's bytes (`iamd trail import`, `iamd trail verify`), Event.Summary to an Event about
// to be written (package trail). So a stored record implies its columns, and CheckIndex finds
// columns edited to make lookups lie about an intact record.
type Summary struct {
	// Time is eventTime. A record holds whole seconds; Event.Summary keeps the Event's own
	// time, which a store may keep: CheckIndex accepts any time within the record's second.
	Time time.Time
	// Account is recipientAccountId, or userIdentity.accountId when that is empty.
	Account string
	Source  string // eventSource
	Name    string // eventName
	ID      string // eventID
	// Username is userIdentity.userName, or the last element of userIdentity.arn (the
	// session name of an assumed role, "root" for the root user).
	Username  string
	AccessKey string // userIdentity.accessKeyId
	ReadOnly  bool
	// Resources are LookupEvents' resource keys, "type\x00name", sorted and without repeats:
	// for each entry of the record's resources its ARN and the ARN's last element (a
	// ResourceName matches either), and for each request parameter that names a resource
	// (ParamResourceType) its value. A key whose type or name holds a newline or NUL is left
	// out: no IAM name has one (only a refused request carries one), and stores frame keys
	// with them.
	Resources []string
}

// Summarize derives the lookup columns of one CloudTrail record. eventTime, eventID,
// eventSource and eventName are required; readOnly may be a boolean or, as some services
// write it, the string "true" or "false". A compact record (AppendCompact) is summarized as
// its JSON is.
func Summarize(rec []byte) (Summary, error) {
	if IsCompact(rec) {
		j, err := RecordJSON(rec)
		if err != nil {
			return Summary{}, err
		}
		rec = j
	}
	var r struct {
		EventTime    string `json:"eventTime"`
		EventSource  string `json:"eventSource"`
		EventName    string `json:"eventName"`
		EventID      string `json:"eventID"`
		Recipient    string `json:"recipientAccountId"`
		ReadOnly     any    `json:"readOnly"`
		UserIdentity struct {
			ARN         string `json:"arn"`
			AccountID   string `json:"accountId"`
			AccessKeyID string `json:"accessKeyId"`
			UserName    string `json:"userName"`
		} `json:"userIdentity"`
		RequestParameters json.RawMessage `json:"requestParameters"`
		Resources         []Resource      `json:"resources"`
	}
	if err := json.Unmarshal(rec, &r); err != nil {
		return Summary{}, fmt.Errorf("audit: record: %w", err)
	}
	for _, f := range []struct{ name, v string }{{"eventTime", r.EventTime}, {"eventID", r.EventID}, {"eventSource", r.EventSource}, {"eventName", r.EventName}} {
		if f.v == "" {
			return Summary{}, fmt.Errorf("audit: record %s: no %s", r.EventID, f.name)
		}
	}
	t, err := parseTime(r.EventTime)
	if err != nil {
		return Summary{}, fmt.Errorf("audit: record %s: eventTime: %w", r.EventID, err)
	}
	e := Event{EventTime: t, EventSource: r.EventSource, EventName: r.EventName, EventID: r.EventID, RecipientAccountID: r.Recipient,
		UserIdentity: UserIdentity{ARN: r.UserIdentity.ARN, AccountID: r.UserIdentity.AccountID, AccessKeyID: r.UserIdentity.AccessKeyID, UserName: r.UserIdentity.UserName},
		Resources:    r.Resources}
	switch v := r.ReadOnly.(type) {
	case bool:
		e.ReadOnly = v
	case string:
		e.ReadOnly = v == "true"
	}
	return e.Summary(ParamResources(r.RequestParameters)), nil
}

// SummarizeCompact derives the lookup columns of a compact record (AppendCompact) as Summary
// does for the Event it holds: Time is the record's own, not truncated to the second. A store
// that keeps a compact record may keep these columns only in it (package trail builds the
// columns of what it records so).
func SummarizeCompact(rec []byte) (Summary, error) {
	e, err := ParseCompact(rec)
	if err != nil {
		return Summary{}, err
	}
	return e.Summary(ParamResources(e.RequestParameters)), nil
}

// Summary derives the lookup columns of the record e writes (AppendJSON), as Summarize
// derives them from its bytes, except that Time is e.EventTime in UTC, not truncated.
// params are the resource keys its request parameters name: ParamResources of
// e.RequestParameters, or the same keys found while encoding them (package trail's encoder,
// which is tested to agree).
func (e *Event) Summary(params []string) Summary {
	u := &e.UserIdentity
	s := Summary{Time: e.EventTime.UTC(), Account: ValidString(e.RecipientAccountID), Source: ValidString(e.EventSource),
		Name: ValidString(e.EventName), ID: ValidString(e.EventID), Username: ValidString(u.UserName),
		AccessKey: ValidString(u.AccessKeyID), ReadOnly: e.ReadOnly}
	if s.Account == "" {
		s.Account = ValidString(u.AccountID)
	}
	if s.Username == "" && u.ARN != "" {
		s.Username = ValidString(arnTail(u.ARN))
	}
	s.Resources = resourceKeys(params, e.Resources)
	return s
}

// ParamResourceType returns the LookupEvents resource type named by a request parameter
// (lowerCamel, as records write them), and false for a parameter that names no resource.
func ParamResourceType(param string) (string, bool) {
	switch param {
	case "userName":
		return "AWS::IAM::User", true
	case "groupName":
		return "AWS::IAM::Group", true
	case "roleName", "roleArn":
		return "AWS::IAM::Role", true
	case "policyArn":
		return "AWS::IAM::Policy", true
	case "accessKeyId":
		return "AWS::IAM::AccessKey", true
	case "instanceProfileName":
		return "AWS::IAM::InstanceProfile", true
	}
	return "", false
}

// ParamResources returns the resource keys ("type\x00name") that a record's
// requestParameters name: each top-level member that ParamResourceType knows and whose value
// is a non-empty string, in the order of the members' names.
func ParamResources(params json.RawMessage) []string {
	if len(params) == 0 || params[0] != '{' {
		return nil
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(params, &m) != nil {
		return nil
	}
	var out []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		typ, ok := ParamResourceType(k)
		if !ok {
			continue
		}
		var v string
		if json.Unmarshal(m[k], &v) == nil && v != "" {
			out = append(out, typ+"\x00"+v)
		}
	}
	return out
}

// resourceKeys merges the keys request parameters name with the keys of a record's
// resources (the ARN and its last element) into Summary.Resources. When that is params
// itself (already sorted, valid and without repeats: the common case) it returns params.
func resourceKeys(params []string, rs []Resource) []string {
	if len(rs) == 0 && cleanKeys(params) {
		return params
	}
	var out []string
	add := func(k string) {
		typ, name, _ := strings.Cut(k, "\x00")
		if typ, name = ValidString(typ), ValidString(name); len(typ)+1+len(name) != len(k) {
			k = typ + "\x00" + name
		}
		if !strings.ContainsAny(typ, "\n\x00") && !strings.ContainsAny(name, "\n\x00") {
			out = append(out, k)
		}
	}
	for _, p := range params {
		add(p)
	}
	for _, r := range rs {
		if r.ARN == "" {
			continue
		}
		add(r.Type + "\x00" + r.ARN)
		if i := strings.LastIndexAny(r.ARN, "/:"); i >= 0 && i < len(r.ARN)-1 {
			add(r.Type + "\x00" + r.ARN[i+1:])
		}
	}
	if len(out) < 2 {
		return out
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// cleanKeys reports whether keys are valid UTF-8, in increasing order, and each a type without
// NUL or newline, a NUL, and a name without either.
func cleanKeys(keys []string) bool {
	for i, k := range keys {
		typ, name, _ := strings.Cut(k, "\x00")
		if (i > 0 && keys[i-1] >= k) || !utf8.ValidString(k) || strings.ContainsRune(typ, '\n') || strings.ContainsAny(name, "\n\x00") || len(typ) == len(k) {
			return false
		}
	}
	return true
}

// arnTail is an ARN's last path element, or its resource after the last colon.
func arnTail(arn string) string {
	if i := strings.LastIndexByte(arn, '/'); i >= 0 {
		return arn[i+1:]
	}
	return arn[strings.LastIndexByte(arn, ':')+1:]
}

// ValidString returns s with each byte that is not valid UTF-8 replaced by U+FFFD: the string
// a record's JSON (AppendString) gives back when decoded.
func ValidString(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			b.WriteRune(utf8.RuneError)
		} else {
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// CheckIndex compares the columns a store keeps beside record seq with the columns the
// record implies (Summarize), and returns those. When a column differs it returns a
// *ChainError of Kind Edited whose Field names the first such column ("time", "account",
// "source", "name", "event_id", "username", "access_key", "read_only" or "resources"): the
// record itself may be intact, but lookups by that column no longer find what it says.
// Times match anywhere within the record's second; resources match as sets.
func CheckIndex(seq int64, record []byte, stored Summary) (Summary, error) {
	want, err := Summarize(record)
	if err != nil {
		return want, &ChainError{Seq: seq, Kind: Edited, Field: "record", Detail: fmt.Sprintf("cannot be indexed: %v", err)}
	}
	diff := func(field, got, want string) error {
		return &ChainError{Seq: seq, Kind: Edited, Field: field,
			Detail: fmt.Sprintf("the record is intact but its %s column is %s, the record says %s", field, got, want)}
	}
	ts := func(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }
	switch {
	case !stored.Time.Truncate(time.Second).Equal(want.Time):
		return want, diff("time", ts(stored.Time), ts(want.Time))
	case stored.Account != want.Account:
		return want, diff("account", fmt.Sprintf("%q", stored.Account), fmt.Sprintf("%q", want.Account))
	case stored.Source != want.Source:
		return want, diff("source", fmt.Sprintf("%q", stored.Source), fmt.Sprintf("%q", want.Source))
	case stored.Name != want.Name:
		return want, diff("name", fmt.Sprintf("%q", stored.Name), fmt.Sprintf("%q", want.Name))
	case stored.ID != want.ID:
		return want, diff("event_id", fmt.Sprintf("%q", stored.ID), fmt.Sprintf("%q", want.ID))
	case stored.Username != want.Username:
		return want, diff("username", fmt.Sprintf("%q", stored.Username), fmt.Sprintf("%q", want.Username))
	case stored.AccessKey != want.AccessKey:
		return want, diff("access_key", fmt.Sprintf("%q", stored.AccessKey), fmt.Sprintf("%q", want.AccessKey))
	case stored.ReadOnly != want.ReadOnly:
		return want, diff("read_only", fmt.Sprint(stored.ReadOnly), fmt.Sprint(want.ReadOnly))
	}
	got := slices.Clone(stored.Resources)
	slices.Sort(got)
	if got = slices.Compact(got); !slices.Equal(got, want.Resources) {
		return want, diff("resources", FormatResources(got), FormatResources(want.Resources))
	}
	return want, nil
}

// FormatResources writes resource keys for people: [AWS::IAM::User "bob", ...].
func FormatResources(keys []string) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, k := range keys {
		if i > 0 {
			b.WriteString(", ")
		}
		typ, name, _ := strings.Cut(k, "\x00")
		fmt.Fprintf(&b, "%s %q", typ, name)
	}
	b.WriteByte(']')
	return b.String()
}
