package iamsvc

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/iamd-dev/iamd/internal/audit"
	"github.com/iamd-dev/iamd/internal/catalog"
	"github.com/iamd-dev/iamd/internal/iam"
	"github.com/iamd-dev/iamd/internal/store"
)

const (
	laUserARN = "arn:aws:iam::123456789012:user/dev/bob"
	laRoleARN = "arn:aws:iam::123456789012:role/app"
)

var (
	laUser = covered{arn: laUserARN, typ: "USER", name: "bob", id: "AIDANEWBOB00000000000", path: "/dev/", user: true}
	laRole = covered{arn: laRoleARN, typ: "ROLE", name: "app", id: "AROANEWAPP00000000000", path: "/"}
)

func roleSession(issuerType, issuerID, issuerARN string) audit.UserIdentity {
	return audit.UserIdentity{Type: "AssumedRole", PrincipalID: issuerID + ":s", ARN: "arn:aws:sts::123456789012:assumed-role/app/s",
		SessionContext: &audit.SessionContext{SessionIssuer: &audit.SessionIssuer{Type: issuerType, PrincipalID: issuerID, ARN: issuerARN}}}
}

func TestCoveredMade(t *testing.T) {
	tests := []struct {
		name string
		ent  covered
		id   audit.UserIdentity
		want bool
	}{
		{"user by unique ID", laUser, audit.UserIdentity{Type: "IAMUser", PrincipalID: laUser.id, ARN: laUserARN}, true},
		{"user deleted and created again", laUser, audit.UserIdentity{Type: "IAMUser", PrincipalID: "AIDAOLDBOB00000000000", ARN: laUserARN}, false},
		{"user record without an ID, same ARN", laUser, audit.UserIdentity{Type: "IAMUser", ARN: laUserARN}, true},
		{"user record without an ID, other ARN", laUser, audit.UserIdentity{Type: "IAMUser", ARN: "arn:aws:iam::123456789012:user/eve"}, false},
		{"authentication failure with the user's key", laUser, audit.UserIdentity{Type: "AWSAccount", AccessKeyID: "AKIAEXAMPLE"}, false},
		{"role session for a user report", laUser, roleSession("Role", laRole.id, laRoleARN), false},
		{"role session by issuer ID", laRole, roleSession("Role", laRole.id, laRoleARN), true},
		{"role deleted and created again", laRole, roleSession("Role", "AROAOLDAPP00000000000", laRoleARN), false},
		{"role session record without an ID, same ARN", laRole, roleSession("Role", "", laRoleARN), true},
		{"role session record without an ID, other ARN", laRole, roleSession("Role", "", "arn:aws:iam::123456789012:role/other"), false},
		{"federated user issued by a user", laRole, roleSession("IAMUser", "123456789012", laRoleARN), false},
		{"the user itself for a role report", laRole, audit.UserIdentity{Type: "IAMUser", PrincipalID: laRole.id, ARN: laRoleARN}, false},
		{"session without issuer", laRole, audit.UserIdentity{Type: "AssumedRole", SessionContext: &audit.SessionContext{}}, false},
		{"authentication failure for a role report", laRole, audit.UserIdentity{Type: "AWSAccount", AccessKeyID: "ASIAEXAMPLE"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.ent.made(&tc.id); got != tc.want {
				t.Errorf("%s made(%+v) = %v, want %v", tc.ent.arn, tc.id, got, tc.want)
			}
		})
	}
}

func TestAttempt(t *testing.T) {
	at := time.Date(2026, 3, 4, 5, 6, 7, 0, time.FixedZone("x", 3600))
	me := audit.UserIdentity{Type: "IAMUser", PrincipalID: laUser.id, ARN: laUserARN}
	tests := []struct {
		name   string
		rec    audit.Event
		wantNS string
		want   bool
	}{
		{"successful call", audit.Event{UserIdentity: me, EventSource: "iam.amazonaws.com", EventName: "GetUser", AWSRegion: "us-east-1"}, "iam", true},
		{"denied call", audit.Event{UserIdentity: me, EventSource: "iam.amazonaws.com", EventName: "ListUsers", AWSRegion: "us-east-1", ErrorCode: "AccessDenied"}, "iam", true},
		{"failed validation", audit.Event{UserIdentity: me, EventSource: "sts.amazonaws.com", EventName: "AssumeRole", AWSRegion: "eu-west-1", ErrorCode: "ValidationError"}, "sts", true},
		{"unauthenticated", audit.Event{UserIdentity: audit.UserIdentity{Type: "AWSAccount", AccessKeyID: "AKIA"}, EventSource: "iam.amazonaws.com", EventName: "GetUser", ErrorCode: "SignatureDoesNotMatch"}, "", false},
		{"someone else", audit.Event{UserIdentity: audit.UserIdentity{Type: "IAMUser", PrincipalID: "AIDAOTHER", ARN: laUserARN}, EventSource: "iam.amazonaws.com", EventName: "GetUser"}, "", false},
		{"not an AWS event source", audit.Event{UserIdentity: me, EventSource: "iam.example.com", EventName: "GetUser"}, "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := laUser
			ns, a, ok := attempt(&e, &tc.rec, at)
			if ns != tc.wantNS || ok != tc.want {
				t.Fatalf("attempt(%+v) = %q, %v; want %q, %v", tc.rec, ns, ok, tc.wantNS, tc.want)
			}
			if !ok {
				return
			}
			if a.ent != &e || a.action != tc.rec.EventName || a.region != tc.rec.AWSRegion || !a.time.Equal(at) || a.time.Location() != time.UTC {
				t.Errorf("attempt(%+v) = %+v; want entity %s, action %s, region %s, time %v in UTC", tc.rec, a, e.arn, tc.rec.EventName, tc.rec.AWSRegion, at)
			}
		})
	}
}

func TestAllowedServices(t *testing.T) {
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		texts []string
		want  []string // nil: every service of the catalog
	}{
		{"one action", []string{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*"}}`}, []string{"iam"}},
		{"union of policies", []string{
			`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*"}}`,
			`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["s3:Get*","sts:GetCallerIdentity"],"Resource":"*"}}`,
		}, []string{"iam", "s3", "sts"}},
		{"deny grants nothing", []string{`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"ec2:*","Resource":"*"},{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`}, []string{"s3"}},
		{"unknown service", []string{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"nosuchservice:Get","Resource":"*"}}`}, []string{}},
		{"unparsable policy", []string{`{`}, []string{}},
		{"NotAction", []string{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}}`}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			want := tc.want
			if want == nil {
				want = slices.Sorted(slices.Values(cat.Services()))
			}
			got := allowedServices(cat, tc.texts)
			if d := cmp.Diff(want, sortedKeys(got)); d != "" {
				t.Errorf("allowedServices(%q) (-want +got):\n%s", tc.texts, d)
			}
		})
	}
}

func sortedKeys(m map[string]bool) []string {
	return slices.AppendSeq([]string{}, slices.Values(slices.Sorted(maps.Keys(m))))
}

func TestReportServices(t *testing.T) {
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 3, 4, 5, 0, 0, 0, time.UTC)
	user, role := laUser, laRole
	attempts := map[string][]access{ // each service's in trail order
		"iam": {
			{ent: &user, action: "GetUser", region: "eu-central-1", time: t0.Add(-time.Hour)}, // older: not the last
			{ent: &user, action: "GetUser", region: "us-east-1", time: t0},
			{ent: &user, action: "ListUsers", region: "us-west-2", time: t0.Add(2 * time.Hour)}, // denied: still an attempt
			{ent: &role, action: "GetRole", region: "eu-west-1", time: t0.Add(time.Hour)},
			{ent: &role, action: "NoSuchAction", region: "eu-west-1", time: t0.Add(3 * time.Hour)},
		},
		"sts": {{ent: &user, action: "GetCallerIdentity", region: "us-east-1", time: t0}}, // not allowed
	}
	use := usage{}
	for ns, as := range attempts {
		for _, a := range as {
			use.add(ns, a)
		}
	}
	iamName := "iam"
	if sv, ok := cat.Service("iam"); ok {
		iamName = sv.Name
	}
	s3Name := "s3"
	if sv, ok := cat.Service("s3"); ok {
		s3Name = sv.Name
	}
	want := []iam.ServiceAccess{
		{Namespace: "iam", Name: iamName,
			Entities: []iam.EntityAccess{
				{ARN: laRoleARN, Type: "ROLE", Name: "app", ID: role.id, Path: "/", Time: t0.Add(3 * time.Hour), Region: "eu-west-1"},
				{ARN: laUserARN, Type: "USER", Name: "bob", ID: user.id, Path: "/dev/", Time: t0.Add(2 * time.Hour), Region: "us-west-2"},
			},
			Actions: []iam.ActionAccess{
				{Name: "GetRole", Entity: laRoleARN, Region: "eu-west-1", Time: t0.Add(time.Hour)},
				{Name: "GetUser", Entity: laUserARN, Region: "us-east-1", Time: t0},
				{Name: "ListUsers", Entity: laUserARN, Region: "us-west-2", Time: t0.Add(2 * time.Hour)},
			}},
		{Namespace: "s3", Name: s3Name},
	}
	got := reportServices(cat, map[string]bool{"iam": true, "s3": true}, use)
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("reportServices(allowed iam, s3; used iam, sts) (-want +got):\n%s", d)
	}
	if iamName == "iam" || s3Name == "s3" {
		t.Errorf("the catalog names no service for iam (%q) or s3 (%q)", iamName, s3Name)
	}
}

// TestUsageAddTies: attempts come oldest first, so on equal times the later one (the newer
// record) is kept, for the entity and for the action; an older attempt never replaces a newer.
func TestUsageAddTies(t *testing.T) {
	t0 := time.Date(2026, 3, 4, 5, 0, 0, 0, time.UTC)
	user := laUser
	tests := []struct {
		name       string
		attempts   []access // in trail order
		wantRegion string   // of the entity's and the action's last attempt
	}{
		{"equal times: the later record", []access{
			{ent: &user, action: "GetUser", region: "us-east-1", time: t0},
			{ent: &user, action: "GetUser", region: "eu-west-1", time: t0},
		}, "eu-west-1"},
		{"newer time first", []access{
			{ent: &user, action: "GetUser", region: "us-east-1", time: t0.Add(time.Second)},
			{ent: &user, action: "GetUser", region: "eu-west-1", time: t0},
		}, "us-east-1"},
		{"newer time last", []access{
			{ent: &user, action: "GetUser", region: "us-east-1", time: t0},
			{ent: &user, action: "GetUser", region: "eu-west-1", time: t0.Add(time.Second)},
		}, "eu-west-1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			use := usage{}
			for _, a := range tc.attempts {
				use.add("iam", a)
			}
			su := use["iam"]
			if su == nil {
				t.Fatalf("add(%+v): no iam usage", tc.attempts)
			}
			if got := su.entities[laUserARN].region; got != tc.wantRegion {
				t.Errorf("add(%+v): entity's last region %q, want %q", tc.attempts, got, tc.wantRegion)
			}
			if got := su.actions["GetUser"].region; got != tc.wantRegion {
				t.Errorf("add(%+v): GetUser's last region %q, want %q", tc.attempts, got, tc.wantRegion)
			}
		})
	}
}

// TestSieve: the sieve passes every record a covered entity made, whether it searches for a
// few words or looks up many, and drops records of other callers (the few-word search only
// those that do not hold an ID or name as a substring).
func TestSieve(t *testing.T) {
	t0 := time.Date(2026, 3, 4, 5, 0, 0, 0, time.UTC)
	// Records by bob (by ID; by ARN only), sessions of app (by issuer ID; by issuer ARN only),
	// one of bob's with a name the encoder escaped, and records by others.
	rec := func(id audit.UserIdentity) []byte {
		b, err := json.Marshal(audit.Event{UserIdentity: id, EventTime: t0, EventSource: "iam.amazonaws.com", EventName: "GetUser", AWSRegion: "us-east-1"})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	renamed := "arn:aws:iam::123456789012:user/dev/robert" // bob's ID, his old name
	mine := [][]byte{
		rec(audit.UserIdentity{Type: "IAMUser", PrincipalID: laUser.id, ARN: renamed, UserName: "robert"}),
		rec(audit.UserIdentity{Type: "IAMUser", ARN: laUserARN}),
		rec(roleSession("Role", laRole.id, "arn:aws:iam::123456789012:role/old-name")),
		rec(roleSession("Role", "", laRoleARN)),
		bytes.Replace(rec(audit.UserIdentity{Type: "IAMUser", ARN: laUserARN}), []byte("/dev/bob"), []byte(`/dev/\u0062ob`), 1),
	}
	apps := "arn:aws:iam::123456789012:role/apps"
	others := []struct {
		rec []byte
		few bool // the few-word search passes it: it holds a name as a substring
	}{
		{rec(audit.UserIdentity{Type: "IAMUser", PrincipalID: "AIDAOTHER000000000000", ARN: "arn:aws:iam::123456789012:user/bobby", UserName: "bobby"}), true},
		{rec(audit.UserIdentity{Type: "AssumedRole", PrincipalID: "AROAOTHER000000000000:s", ARN: "arn:aws:sts::123456789012:assumed-role/apps/s",
			SessionContext: &audit.SessionContext{SessionIssuer: &audit.SessionIssuer{Type: "Role", PrincipalID: "AROAOTHER000000000000", ARN: apps}}}), true},
		{rec(audit.UserIdentity{Type: "IAMUser", PrincipalID: "AIDAOTHER000000000000", ARN: "arn:aws:iam::123456789012:user/eve", UserName: "eve"}), false},
		{rec(audit.UserIdentity{Type: "AWSAccount", AccessKeyID: "AKIAEXAMPLE"}), false},
	}
	var many []covered // more words than sieveWords: looked up in a set
	for i := range sieveWords {
		many = append(many, covered{arn: fmt.Sprintf("arn:aws:iam::123456789012:user/u%d", i), name: fmt.Sprintf("u%d", i), id: fmt.Sprintf("AIDAU%016d", i), user: true})
	}
	many = append(many, laUser, laRole)
	for _, tc := range []struct {
		name string
		ents []covered
		set  bool
	}{
		{"few words", []covered{laUser, laRole}, false},
		{"many words", many, true},
		{"many words, one too long for the set", append(slices.Clone(many), covered{name: strings.Repeat("x", maxWord+1), id: "AIDALONG"}), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sv := newSieve(tc.ents)
			if (sv.set != nil) != tc.set {
				t.Fatalf("newSieve(%d entities): set %v, want %v", len(tc.ents), sv.set != nil, tc.set)
			}
			for _, r := range mine {
				var ev audit.Event
				if err := json.Unmarshal(r, &ev); err != nil {
					t.Fatal(err)
				}
				made := slices.ContainsFunc(tc.ents, func(e covered) bool { return e.made(&ev.UserIdentity) })
				if !made {
					t.Errorf("no entity made %s: the case tests nothing", r)
				}
				if !sv.may(r) {
					t.Errorf("may(%s) = false, want true", r)
				}
			}
			for _, o := range others {
				if want := o.few && !tc.set; sv.may(o.rec) != want {
					t.Errorf("may(%s) = %v, want %v", o.rec, !want, want)
				}
			}
		})
	}
}

// reportOn generates a report on the fixture's user and returns its services by namespace.
func reportOn(t *testing.T, f *laFixture) map[string]types.ServiceLastAccessed {
	t.Helper()
	ctx := context.Background()
	target := "arn:aws:iam::" + laAccount + ":user/" + laName
	job, err := f.svc.GenerateServiceLastAccessedDetails(ctx, f.root, &sdk.GenerateServiceLastAccessedDetailsInput{Arn: &target,
		Granularity: types.AccessAdvisorUsageGranularityTypeActionLevel})
	if err != nil {
		t.Fatal(err)
	}
	out, err := f.svc.GetServiceLastAccessedDetails(ctx, f.root, &sdk.GetServiceLastAccessedDetailsInput{JobId: job.JobId})
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]types.ServiceLastAccessed{}
	for _, s := range out.ServicesLastAccessed {
		m[*s.ServiceNamespace] = s
	}
	return m
}

// lastUse is what a report says of one service: when, where and (tracked services) which
// actions, as "Action region time".
type lastUse struct {
	Time    time.Time
	Region  string
	Actions []string
}

func lastUses(m map[string]types.ServiceLastAccessed) map[string]lastUse {
	out := map[string]lastUse{}
	for ns, s := range m {
		var u lastUse
		if s.LastAuthenticated != nil {
			u.Time = *s.LastAuthenticated
		}
		if s.LastAuthenticatedRegion != nil {
			u.Region = *s.LastAuthenticatedRegion
		}
		for _, a := range s.TrackedActionsLastAccessed {
			u.Actions = append(u.Actions, fmt.Sprintf("%s %s %s", *a.ActionName, *a.LastAccessedRegion, a.LastAccessedTime.Format(time.RFC3339)))
		}
		out[ns] = u
	}
	return out
}

// TestServiceLastAccessedPages: a report reads the whole trail, page after page: the user's
// newest call is on the last page, older ones only on the first; records of other users and of
// another account do not count.
func TestServiceLastAccessedPages(t *testing.T) {
	f := newLAFixture(t)
	const n = 2*trailPage + trailPage/2 // 2,500 records
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(i int) time.Time { return t0.Add(time.Duration(i) * time.Second) }
	var evs []*store.Event
	for i := range n {
		switch i {
		case 0:
			evs = append(evs, laEvent(laName, f.userID, "iam", "GetUser", "eu-west-1", at(i), i))
		case 1:
			evs = append(evs, laEvent(laName, f.userID, "s3", "GetObject", "eu-west-2", at(i), i))
		case n - 2: // the user's ID in another account's trail
			ev := laEvent(laName, f.userID, "sts", "GetCallerIdentity", "ap-south-1", at(i), i)
			ev.Account = "999999999999"
			evs = append(evs, ev)
		case n - 1:
			evs = append(evs, laEvent(laName, f.userID, "iam", "ListRoles", "us-east-2", at(i), i))
		default:
			evs = append(evs, laEvent(fmt.Sprintf("user-%03d", i%7), fmt.Sprintf("AIDAEXAMPLE%010d", i%7), "sts", "GetCallerIdentity", "us-east-1", at(i), i))
		}
	}
	f.append(t, evs)
	want := map[string]lastUse{
		"iam": {Time: at(n - 1), Region: "us-east-2", Actions: []string{
			"GetUser eu-west-1 " + at(0).Format(time.RFC3339),
			"ListRoles us-east-2 " + at(n-1).Format(time.RFC3339),
		}},
		"s3":  {Time: at(1), Region: "eu-west-2", Actions: []string{"GetObject eu-west-2 " + at(1).Format(time.RFC3339)}},
		"sts": {},
		"ec2": {Actions: []string{}},
	}
	if d := cmp.Diff(want, lastUses(reportOn(t, f)), cmpopts.EquateEmpty()); d != "" {
		t.Errorf("report over %d records, the user's on the first and last pages (-want +got):\n%s", n, d)
	}
}

// TestServiceLastAccessedTie: of two records at the same time, the report keeps the later.
func TestServiceLastAccessedTie(t *testing.T) {
	f := newLAFixture(t)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f.append(t, []*store.Event{
		laEvent(laName, f.userID, "iam", "GetUser", "eu-west-1", t0, 0),
		laEvent(laName, f.userID, "iam", "GetUser", "us-west-1", t0, 1),
	})
	got := lastUses(reportOn(t, f))["iam"]
	want := lastUse{Time: t0, Region: "us-west-1", Actions: []string{"GetUser us-west-1 " + t0.Format(time.RFC3339)}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("iam after two GetUser at %v, eu-west-1 then us-west-1 (-want +got):\n%s", t0, d)
	}
}
