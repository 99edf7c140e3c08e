package polgen

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/iamd-dev/iamd/internal/catalog"
)

// record is the part of a CloudTrail record generation reads (see parseRecord).
type record struct {
	EventTime, EventSource, EventName, EventType string
	AWSRegion, ErrorCode, Recipient              string
	UserIdentity                                 struct {
		Type, ARN, AccountID string
		IssuerARN            string // sessionContext.sessionIssuer.arn
	}
	RequestParameters, ResponseElements json.RawMessage
	Resources                           []resource
}

// resource is an entry of a record's resources list.
type resource struct{ ARN, Type string }

// Add reads one CloudTrail record (a JSON object). Records of other principals or accounts,
// outside the window, or that are not API calls are skipped; an error means the record is not
// a CloudTrail record at all (callers may skip it and go on).
func (g *Generator) Add(data []byte) error {
	g.stats.Records++
	// Most records of a busy trail belong to someone else: the principal's ARN appears in
	// every record of the principal (userIdentity.arn, or sessionIssuer.arn for a role), spelt
	// as IAM stores it, so a record without it is skipped before it is decoded.
	if !bytes.Contains(data, g.needle) {
		g.stats.OtherCaller++
		return nil
	}
	var r record
	if err := parseRecord(data, &r); err != nil {
		return fmt.Errorf("polgen: record: %w", err)
	}
	if !g.mine(&r) {
		g.stats.OtherCaller++
		return nil
	}
	t, err := parseTime(r.EventTime)
	if err != nil {
		return fmt.Errorf("polgen: record: eventTime %q: %w", r.EventTime, err)
	}
	if (!g.o.From.IsZero() && t.Before(g.o.From)) || (!g.o.To.IsZero() && !t.Before(g.o.To)) {
		g.stats.OutOfWindow++
		return nil
	}
	if r.EventType != "" && r.EventType != "AwsApiCall" {
		g.stats.NotAPICall++
		return nil
	}
	g.stats.Matched++
	if g.stats.FirstEvent.IsZero() || t.Before(g.stats.FirstEvent) {
		g.stats.FirstEvent = t
	}
	if t.After(g.stats.LastEvent) {
		g.stats.LastEvent = t
	}
	g.use(&r)
	return nil
}

// mine reports whether the record is a call by the principal (any session of a role).
func (g *Generator) mine(r *record) bool {
	id := &r.UserIdentity
	acct := id.AccountID
	if acct == "" {
		acct = r.Recipient
	}
	if acct != g.account {
		return false
	}
	if !g.isRole {
		return id.Type == "IAMUser" && id.ARN == g.o.Principal
	}
	return id.Type == "AssumedRole" && id.IssuerARN == g.o.Principal
}

// deniedCode reports whether an errorCode means the call was refused for lack of permission.
func deniedCode(code string) bool {
	return code == "Client.UnauthorizedOperation" || code == "UnauthorizedOperation" || strings.Contains(code, "AccessDenied")
}

// parseTime reads eventTime: RFC 3339 ("2024-01-02T03:04:05Z", with or without fractions).
func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, err
	}
	return t.UTC(), nil
}

// use records what one call of the principal needed.
func (g *Generator) use(r *record) {
	m := g.mapEvent(r.EventSource, r.EventName)
	for _, a := range m.free {
		g.free[a]++
	}
	if len(m.actions) == 0 && len(m.free) > 0 {
		g.stats.NoPermission++
		return
	}
	if len(m.actions) == 0 {
		g.stats.Unmapped++
		g.unmapped[r.EventSource+" "+r.EventName]++
		return
	}
	p := &params{raw: r.RequestParameters}
	if r.EventSource == "iam.amazonaws.com" {
		g.learnResponse(r.ResponseElements)
	}
	if deniedCode(r.ErrorCode) {
		g.stats.Denied++
		for _, a := range m.actions {
			d := g.denied[a.String()]
			if d == nil {
				d = &deniedUse{resources: map[string]bool{}}
				g.denied[a.String()] = d
			}
			d.calls++
			rs, _ := g.resources(a, r, p)
			if len(rs) == 0 {
				rs = []string{"*"}
			}
			for _, s := range rs {
				d.resources[s] = true
			}
		}
		return
	}
	for _, a := range m.actions {
		u := g.usage(a)
		u.calls++
		u.addResources(g.resources(a, r, p))
		for _, name := range a.DependentActions {
			da, ok := g.cat.Action(name)
			if !ok {
				continue
			}
			rs, reason := g.resources(da, r, p)
			isPass := strings.EqualFold(da.String(), "iam:PassRole")
			if isPass && len(rs) == 0 {
				continue // the call passed no role
			}
			du := g.usage(da)
			du.depOf[a.String()] = true
			du.addResources(rs, reason)
			if isPass {
				if svc := passedToService(a.String(), r.EventSource); svc != "" {
					du.passedTo[svc] = true
				} else {
					du.anyTarget = true
				}
			}
		}
	}
}

func (g *Generator) usage(a *catalog.Action) *usage {
	k := a.String()
	u := g.used[k]
	if u == nil {
		u = &usage{action: a, depOf: map[string]bool{}, passedTo: map[string]bool{}}
		g.used[k] = u
	}
	return u
}
