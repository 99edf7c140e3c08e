package iamsvc

import (
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/iamd-dev/iamd/internal/audit"
	"github.com/iamd-dev/iamd/internal/catalog"
	"github.com/iamd-dev/iamd/internal/iam"
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
	usage := map[string][]access{
		"iam": {
			{ent: &user, action: "GetUser", region: "us-east-1", time: t0},
			{ent: &user, action: "ListUsers", region: "us-west-2", time: t0.Add(2 * time.Hour)}, // denied: still an attempt
			{ent: &role, action: "GetRole", region: "eu-west-1", time: t0.Add(time.Hour)},
			{ent: &role, action: "NoSuchAction", region: "eu-west-1", time: t0.Add(3 * time.Hour)},
		},
		"sts": {{ent: &user, action: "GetCallerIdentity", region: "us-east-1", time: t0}}, // not allowed
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
	got := reportServices(cat, map[string]bool{"iam": true, "s3": true}, usage)
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("reportServices(allowed iam, s3; used iam, sts) (-want +got):\n%s", d)
	}
	if iamName == "iam" || s3Name == "s3" {
		t.Errorf("the catalog names no service for iam (%q) or s3 (%q)", iamName, s3Name)
	}
}
