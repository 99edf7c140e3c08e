package findings

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/iamd-dev/iamd/internal/arn"
	"github.com/iamd-dev/iamd/internal/policy"
)

const acct = "111122223333"

var now = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

func daysAgo(d int) time.Time { return now.AddDate(0, 0, -d) }

// testCatalog is a small stand-in for the AWS action catalog.
func testCatalog() policy.Catalog {
	levels := map[string]string{
		"iam:PassRole": "Write", "iam:AttachRolePolicy": "Permissions management", "iam:PutUserPolicy": "Permissions management",
		"iam:GetUser": "Read", "iam:ListUsers": "List", "s3:GetObject": "Read", "s3:PutObject": "Write",
		"s3:PutBucketPolicy": "Permissions management", "sts:AssumeRole": "Write",
	}
	var all []string
	for a := range levels {
		all = append(all, a)
	}
	slices.Sort(all)
	keys := map[string]string{"aws:tagkeys": "ArrayOfString", "aws:username": "String", "aws:sourceip": "IPAddress"}
	return policy.Catalog{
		MatchActions: func(p string) []string {
			var out []string
			for _, a := range all {
				if arn.GlobFold(p, a) {
					out = append(out, a)
				}
			}
			return out
		},
		AccessLevel: func(a string) (string, bool) {
			for k, v := range levels {
				if strings.EqualFold(k, a) {
					return v, true
				}
			}
			return "", false
		},
		ConditionKeyType: func(k string) (string, bool) {
			t, ok := keys[strings.ToLower(k)]
			return t, ok
		},
	}
}

const (
	aliceARN   = "arn:aws:iam::" + acct + ":user/alice"
	devARN     = "arn:aws:iam::" + acct + ":group/dev"
	appARN     = "arn:aws:iam::" + acct + ":role/app"
	ciARN      = "arn:aws:iam::" + acct + ":role/ci"
	partnerARN = "arn:aws:iam::" + acct + ":role/partner"
	rootARN    = "arn:aws:iam::" + acct + ":root"
	readARN    = "arn:aws:iam::" + acct + ":policy/dev-read"
	appPolARN  = "arn:aws:iam::" + acct + ":policy/app"
	extraARN   = "arn:aws:iam::" + acct + ":policy/extra"
	github     = "arn:aws:iam::" + acct + ":oidc-provider/token.actions.githubusercontent.com"
)

func doc(stmts ...string) string {
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(stmts, ",") + `]}`
}

const ec2Trust = `{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}`

func ciTrust(cond string) string {
	return doc(`{"Effect":"Allow","Principal":{"Federated":"` + github + `"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{` + cond + `}}`)
}

func partnerTrust(principal, cond string) string {
	return doc(`{"Effect":"Allow","Principal":` + principal + `,"Action":"sts:AssumeRole"` + cond + `}`)
}

// clean is an account with no findings: every check has something to look at and passes.
func clean() *Snapshot {
	return &Snapshot{
		Account: acct,
		Root:    Root{ARN: rootARN, MFA: true, PasswordLastUsed: daysAgo(200)},
		Users: []User{{
			Name: "alice", ARN: aliceARN, Created: daysAgo(400),
			Password: &Password{Changed: daysAgo(30), LastUsed: daysAgo(1)}, MFA: true,
			AccessKeys: []AccessKey{{ID: "AKIAALICE1", Active: true, Created: daysAgo(10), LastUsed: daysAgo(1)},
				{ID: "AKIAALICEOLD", Active: false, Created: daysAgo(300)}},
			Groups:       []string{"dev"},
			LastAccessed: []ServiceAccess{{Namespace: "s3", LastAccessed: daysAgo(2), Actions: []ActionAccess{{Name: "GetObject", LastAccessed: daysAgo(2)}}}},
		}},
		Groups: []Group{{Name: "dev", ARN: devARN, Attached: []string{readARN}}},
		Roles: []Role{
			{Name: "app", ARN: appARN, Path: "/", Created: daysAgo(400), LastUsed: daysAgo(3), TrustPolicy: doc(ec2Trust),
				Attached: []string{appPolARN}, LastAccessed: []ServiceAccess{{Namespace: "s3", LastAccessed: daysAgo(3)}}},
			{Name: "ci", ARN: ciARN, Path: "/", Created: daysAgo(10), TrustPolicy: ciTrust(
				`"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"},"StringLike":{"token.actions.githubusercontent.com:sub":"repo:org/repo:*"}`),
				Attached: []string{appPolARN}},
			{Name: "partner", ARN: partnerARN, Path: "/", Created: daysAgo(10),
				TrustPolicy: partnerTrust(`{"AWS":"arn:aws:iam::444455556666:root"}`, `,"Condition":{"StringEquals":{"sts:ExternalId":"x-123"}}`),
				Attached:    []string{appPolARN}},
			{Name: "AWSServiceRoleForSupport", ARN: "arn:aws:iam::" + acct + ":role/aws-service-role/support.amazonaws.com/AWSServiceRoleForSupport",
				Path: "/aws-service-role/support.amazonaws.com/", Created: daysAgo(400), TrustPolicy: doc(ec2Trust),
				Inline:       []InlinePolicy{{Name: "x", Document: doc(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}`)}},
				LastAccessed: []ServiceAccess{{Namespace: "s3"}}},
		},
		Policies: []ManagedPolicy{
			{ARN: readARN, Name: "dev-read", Attachments: 1, Document: doc(`{"Effect":"Allow","Action":["s3:GetObject","iam:GetUser"],"Resource":"*"}`)},
			{ARN: appPolARN, Name: "app", Attachments: 3, Document: doc(
				`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket/*"}`,
				`{"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::`+acct+`:role/app-worker"}`,
				`{"Effect":"Allow","Action":"iam:AttachRolePolicy","Resource":"arn:aws:iam::`+acct+`:role/app-worker"}`,
				`{"Effect":"Allow","Action":"s3:PutObject","Resource":"*","Condition":{"ForAllValues:StringEquals":{"aws:TagKeys":["team"]},"Null":{"aws:TagKeys":"false"}}}`,
				`{"Effect":"Deny","Action":"s3:PutObject","Resource":"*","Condition":{"ForAnyValue:StringEquals":{"aws:TagKeys":["secret"]}}}`)},
		},
		PasswordPolicy: &PasswordPolicy{MinimumLength: 14, RequireUppercase: true, RequireLowercase: true, RequireSymbols: true,
			RequireNumbers: true, MaxAge: 90, ReusePrevention: 24},
		OIDCProviders: []OIDCProvider{{ARN: github, ClientIDs: []string{"sts.amazonaws.com"}}},
	}
}

// got is the part of a finding the table compares.
type got struct {
	Code     string
	Severity Severity
	Resource string
}

func summarize(fs []Finding) []got {
	out := []got{}
	for _, f := range fs {
		out = append(out, got{f.Code, f.Severity, f.Resource})
	}
	return out
}

func user(s *Snapshot) *User { return &s.Users[0] }
func role(s *Snapshot, name string) *Role {
	for i := range s.Roles {
		if s.Roles[i].Name == name {
			return &s.Roles[i]
		}
	}
	panic(name)
}

func addPolicy(s *Snapshot, stmts ...string) {
	s.Policies = append(s.Policies, ManagedPolicy{ARN: extraARN, Name: "extra", Document: doc(stmts...)})
}

// notExternal is every check but EXTERNAL_ACCESS, which reports the clean account's roles
// trusting a partner and GitHub Actions (TestExternalAccess).
func notExternal() []string {
	var out []string
	for _, c := range Checks() {
		if c.Code != CodeExternalAccess {
			out = append(out, c.Code)
		}
	}
	return out
}

func TestCleanAccountHasNoFindings(t *testing.T) {
	if fs := Audit(clean(), Options{Now: now, Catalog: testCatalog(), Only: notExternal()}); len(fs) != 0 {
		t.Errorf("Audit(clean) = %+v, want no findings", fs)
	}
}

func TestChecks(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(s *Snapshot)
		want   []got
	}{
		{"root access key", func(s *Snapshot) {
			s.Root.AccessKeys = []AccessKey{{ID: "access_key_1", Active: true, Created: daysAgo(500), LastUsed: daysAgo(200)}}
		}, []got{{CodeRootAccessKeys, Critical, rootARN}}},
		{"root inactive access key still counts", func(s *Snapshot) {
			s.Root.AccessKeys = []AccessKey{{ID: "access_key_1", Created: daysAgo(500)}}
		}, []got{{CodeRootAccessKeys, Critical, rootARN}}},
		{"root without MFA", func(s *Snapshot) { s.Root.MFA = false }, []got{{CodeRootNoMFA, Critical, rootARN}}},
		{"root password used recently", func(s *Snapshot) { s.Root.PasswordLastUsed = daysAgo(2) },
			[]got{{CodeRootUsedRecently, High, rootARN}}},
		{"root key used recently", func(s *Snapshot) {
			s.Root.AccessKeys = []AccessKey{{ID: "access_key_2", Active: true, Created: daysAgo(500), LastUsed: daysAgo(0)}}
		}, []got{{CodeRootAccessKeys, Critical, rootARN}, {CodeRootUsedRecently, High, rootARN}}},
		{"console user without MFA", func(s *Snapshot) { user(s).MFA = false }, []got{{CodeUserConsoleNoMFA, Medium, aliceARN}}},
		{"user with keys only needs no MFA", func(s *Snapshot) { user(s).MFA, user(s).Password = false, nil }, []got{}},
		{"key older than the period", func(s *Snapshot) { user(s).AccessKeys[0].Created = daysAgo(200) },
			[]got{{CodeAccessKeyNotRotated, Medium, aliceARN}}},
		{"old key unused in the period", func(s *Snapshot) {
			user(s).AccessKeys[0].Created, user(s).AccessKeys[0].LastUsed = daysAgo(200), daysAgo(100)
		}, []got{{CodeAccessKeyNotRotated, Medium, aliceARN}, {CodeUnusedIAMUserAccessKey, Medium, aliceARN}}},
		{"old key never used", func(s *Snapshot) {
			user(s).AccessKeys[0].Created, user(s).AccessKeys[0].LastUsed = daysAgo(95), time.Time{}
		}, []got{{CodeAccessKeyNotRotated, Medium, aliceARN}, {CodeUnusedIAMUserAccessKey, Medium, aliceARN}}},
		{"new key never used is not judged", func(s *Snapshot) { user(s).AccessKeys[0].LastUsed = time.Time{} }, []got{}},
		{"two active keys", func(s *Snapshot) { user(s).AccessKeys[1].Active = true; user(s).AccessKeys[1].Created = daysAgo(5) },
			[]got{{CodeUserTwoActiveKeys, Medium, aliceARN}}},
		{"password unused in the period", func(s *Snapshot) { user(s).Password = &Password{Changed: daysAgo(200), LastUsed: daysAgo(100)} },
			[]got{{CodeUnusedIAMUserPassword, Medium, aliceARN}}},
		{"old password never used", func(s *Snapshot) { user(s).Password = &Password{Changed: daysAgo(200)} },
			[]got{{CodeUnusedIAMUserPassword, Medium, aliceARN}}},
		{"new password never used is not judged", func(s *Snapshot) { user(s).Password = &Password{Changed: daysAgo(3)} }, []got{}},
		{"user with an attached policy", func(s *Snapshot) { user(s).Attached = []string{readARN} },
			[]got{{CodeUserDirectPolicy, Low, aliceARN}}},
		// Her group attaches a managed policy: her permissions are not only inline.
		{"user with an inline policy, her group a managed one", func(s *Snapshot) {
			user(s).Inline = []InlinePolicy{{Name: "mine", Document: doc(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}`)}}
		}, []got{{CodeUserDirectPolicy, Low, aliceARN}}},
		{"user with an inline policy and no group", func(s *Snapshot) {
			user(s).Inline = []InlinePolicy{{Name: "mine", Document: doc(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}`)}}
			user(s).Groups = nil
		}, []got{{CodeInlineOnlyPolicies, Low, aliceARN}, {CodeUserDirectPolicy, Low, aliceARN}}},
		{"user with an inline policy in a group with inline policies only", func(s *Snapshot) {
			user(s).Inline = []InlinePolicy{{Name: "mine", Document: doc(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}`)}}
			s.Groups[0].Attached = nil
			s.Groups[0].Inline = []InlinePolicy{{Name: "g", Document: doc(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}`)}}
		}, []got{{CodeInlineOnlyPolicies, Low, devARN}, {CodeInlineOnlyPolicies, Low, aliceARN}, {CodeUserDirectPolicy, Low, aliceARN}}},
		{"user with an inline policy, a managed one of her own", func(s *Snapshot) {
			user(s).Inline = []InlinePolicy{{Name: "mine", Document: doc(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}`)}}
			user(s).Groups, user(s).Attached = nil, []string{readARN}
		}, []got{{CodeUserDirectPolicy, Low, aliceARN}}},
		{"group with inline policies only", func(s *Snapshot) {
			s.Groups[0].Attached = nil
			s.Groups[0].Inline = []InlinePolicy{{Name: "g", Document: doc(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}`)}}
		}, []got{{CodeInlineOnlyPolicies, Low, devARN}}},
		{"Action * on Resource *", func(s *Snapshot) { addPolicy(s, `{"Effect":"Allow","Action":"*","Resource":"*"}`) },
			[]got{{CodeStarStarGrant, High, extraARN}}},
		{"Action * with NotResource, in an inline role policy", func(s *Snapshot) {
			role(s, "app").Inline = []InlinePolicy{{Name: "admin", Document: doc(`{"Effect":"Allow","Action":["s3:GetObject","*"],"NotResource":"arn:aws:s3:::x"}`)}}
		}, []got{{CodeStarStarGrant, High, appARN}}},
		{"Action * on one bucket", func(s *Snapshot) { addPolicy(s, `{"Effect":"Allow","Action":"*","Resource":"arn:aws:s3:::b"}`) }, []got{}},
		{"Deny * on *", func(s *Snapshot) { addPolicy(s, `{"Effect":"Deny","Action":"*","Resource":"*"}`) }, []got{}},
		{"iam:Pass* on *", func(s *Snapshot) { addPolicy(s, `{"Effect":"Allow","Action":"iam:Pass*","Resource":"*"}`) },
			[]got{{CodePassRoleStar, High, extraARN}}},
		{"iam:PassRole on every role", func(s *Snapshot) {
			addPolicy(s, `{"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::*:role/*"}`)
		}, []got{{CodePassRoleStar, High, extraARN}}},
		{"iam:PassRole on * for one service", func(s *Snapshot) {
			addPolicy(s, `{"Effect":"Allow","Action":"iam:PassRole","Resource":"*","Condition":{"StringEquals":{"iam:PassedToService":"ec2.amazonaws.com"}}}`)
		}, []got{}},
		{"NotAction on *", func(s *Snapshot) { addPolicy(s, `{"Effect":"Allow","NotAction":"s3:*","Resource":"*"}`) },
			[]got{{CodePassRoleStar, High, extraARN}, {CodePermissionsMgmtBroad, Medium, extraARN}}},
		{"iam:Attach* on *", func(s *Snapshot) { addPolicy(s, `{"Effect":"Allow","Action":"iam:Attach*","Resource":"*"}`) },
			[]got{{CodePermissionsMgmtBroad, Medium, extraARN}}},
		{"s3:PutBucketPolicy with NotResource", func(s *Snapshot) {
			addPolicy(s, `{"Effect":"Allow","Action":"s3:PutBucketPolicy","NotResource":"arn:aws:s3:::secret"}`)
		}, []got{{CodePermissionsMgmtBroad, Medium, extraARN}}},
		{"trust of another account without ExternalId", func(s *Snapshot) {
			role(s, "partner").TrustPolicy = partnerTrust(`{"AWS":"444455556666"}`, "")
		}, []got{{CodeCrossAccountNoExtID, High, partnerARN}}},
		{"trust of a role of another account, condition on another key", func(s *Snapshot) {
			role(s, "partner").TrustPolicy = partnerTrust(`{"AWS":["arn:aws:iam::`+acct+`:root","arn:aws:iam::444455556666:role/x"]}`,
				`,"Condition":{"Null":{"sts:ExternalId":"false"},"Bool":{"aws:MultiFactorAuthPresent":"true"}}`)
		}, []got{{CodeCrossAccountNoExtID, High, partnerARN}}},
		{"trust of everyone", func(s *Snapshot) { role(s, "partner").TrustPolicy = partnerTrust(`"*"`, "") },
			[]got{{CodeCrossAccountNoExtID, Critical, partnerARN}}},
		{"trust of AWS * restricted to the organization", func(s *Snapshot) {
			role(s, "partner").TrustPolicy = partnerTrust(`{"AWS":"*"}`, `,"Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-abc"}}`)
		}, []got{}},
		{"trust of the account itself", func(s *Snapshot) {
			role(s, "partner").TrustPolicy = partnerTrust(`{"AWS":"arn:aws:iam::`+acct+`:role/admin"}`, "")
		}, []got{}},
		{"GitHub trust without sub", func(s *Snapshot) {
			role(s, "ci").TrustPolicy = ciTrust(`"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"}`)
		}, []got{{CodeOIDCTrustNoSub, Critical, ciARN}}},
		{"GitHub trust with sub *", func(s *Snapshot) {
			role(s, "ci").TrustPolicy = ciTrust(`"StringLike":{"token.actions.githubusercontent.com:sub":"*"}`)
		}, []got{{CodeOIDCTrustNoSub, Critical, ciARN}}},
		{"Google trust without sub", func(s *Snapshot) {
			role(s, "ci").TrustPolicy = doc(`{"Effect":"Allow","Principal":{"Federated":"accounts.google.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"accounts.google.com:aud":"x"}}}`)
		}, []got{{CodeOIDCTrustNoSub, High, ciARN}}},
		{"Cognito trust without sub", func(s *Snapshot) {
			role(s, "ci").TrustPolicy = doc(`{"Effect":"Allow","Principal":{"Federated":"cognito-identity.amazonaws.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"cognito-identity.amazonaws.com:aud":"x"}}}`)
		}, []got{}},
		{"ForAllValues in Allow without a Null check", func(s *Snapshot) {
			addPolicy(s, `{"Effect":"Allow","Action":"s3:PutObject","Resource":"*","Condition":{"ForAllValues:StringEquals":{"aws:TagKeys":["team"]}}}`)
		}, []got{{CodeForAllValuesAbsentKey, Medium, extraARN}}},
		{"ForAllValues on the sub of a GitHub trust", func(s *Snapshot) {
			role(s, "ci").TrustPolicy = ciTrust(`"ForAllValues:StringLike":{"token.actions.githubusercontent.com:sub":"repo:org/repo:*"}`)
		}, []got{{CodeForAllValuesAbsentKey, Medium, ciARN}}},
		{"ForAllValues with a single-valued key", func(s *Snapshot) {
			addPolicy(s, `{"Effect":"Deny","Action":"s3:PutObject","Resource":"*","Condition":{"ForAllValues:StringEquals":{"aws:username":["bob"]}}}`)
		}, []got{{CodeForAllValuesSingleKey, Medium, extraARN}}},
		{"no password policy", func(s *Snapshot) { s.PasswordPolicy = nil }, []got{{CodeWeakPasswordPolicy, Medium, rootARN}}},
		{"short passwords that never expire", func(s *Snapshot) { s.PasswordPolicy.MinimumLength, s.PasswordPolicy.MaxAge = 8, 0 },
			[]got{{CodeWeakPasswordPolicy, Medium, rootARN}}},
		{"role unused in the period", func(s *Snapshot) { role(s, "app").LastUsed = daysAgo(100) },
			[]got{{CodeUnusedIAMRole, Low, appARN}}},
		{"old role never used", func(s *Snapshot) { role(s, "app").LastUsed = time.Time{} },
			[]got{{CodeUnusedIAMRole, Low, appARN}}},
		{"new role never used is not judged", func(s *Snapshot) { role(s, "partner").LastUsed = time.Time{} }, []got{}},
		{"role with an unused service", func(s *Snapshot) {
			role(s, "app").LastAccessed = append(role(s, "app").LastAccessed, ServiceAccess{Namespace: "iam", LastAccessed: daysAgo(120)})
		}, []got{{CodeUnusedPermission, Low, appARN}}},
		{"user with an unused tracked action", func(s *Snapshot) {
			sv := &user(s).LastAccessed[0]
			sv.Actions = append(sv.Actions, ActionAccess{Name: "PutObject"})
		}, []got{{CodeUnusedPermission, Low, aliceARN}}},
		{"new user's unused services are not judged", func(s *Snapshot) {
			user(s).Created = daysAgo(20)
			user(s).LastAccessed = append(user(s).LastAccessed, ServiceAccess{Namespace: "iam"})
		}, []got{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := clean()
			tc.change(s)
			fs := Audit(s, Options{Now: now, Catalog: testCatalog(), Only: notExternal()})
			if d := cmp.Diff(tc.want, summarize(fs)); d != "" {
				t.Errorf("findings (-want +got):\n%s\nall: %+v", d, fs)
			}
		})
	}
}

// anti is an account with one finding of several checks, for the tests of evidence, filters
// and rendering.
func anti() *Snapshot {
	s := clean()
	s.Root.AccessKeys = []AccessKey{{ID: "access_key_1", Active: true, Created: daysAgo(500), LastUsed: daysAgo(1)}}
	user(s).AccessKeys[1].Active, user(s).AccessKeys[1].Created = true, daysAgo(100)
	addPolicy(s, `{"Sid":"Admin","Effect":"Allow","Action":"*","Resource":"*"}`)
	role(s, "partner").TrustPolicy = partnerTrust(`{"AWS":"444455556666"}`, "")
	return s
}

func TestEvidence(t *testing.T) {
	fs := Audit(anti(), Options{Now: now, Catalog: testCatalog(), Only: notExternal()})
	ev := map[string][]string{}
	for _, f := range fs {
		for _, e := range f.Evidence {
			ev[f.Code] = append(ev[f.Code], e.String())
		}
	}
	want := map[string][]string{
		CodeRootAccessKeys:         {"access key access_key_1; created 2025-01-17T12:00:00Z; last used 2026-05-31T12:00:00Z"},
		CodeRootUsedRecently:       {"access key access_key_1; created 2025-01-17T12:00:00Z; last used 2026-05-31T12:00:00Z"},
		CodeStarStarGrant:          {"policy " + extraARN + "; statement 0; sid Admin"},
		CodeCrossAccountNoExtID:    {"policy trust; statement 0; principal 444455556666"},
		CodeAccessKeyNotRotated:    {"access key AKIAALICEOLD; created 2026-02-21T12:00:00Z"},
		CodeUnusedIAMUserAccessKey: {"access key AKIAALICEOLD; created 2026-02-21T12:00:00Z"},
		CodeUserTwoActiveKeys: {"access key AKIAALICE1; created 2026-05-22T12:00:00Z; last used 2026-05-31T12:00:00Z",
			"access key AKIAALICEOLD; created 2026-02-21T12:00:00Z"},
	}
	if d := cmp.Diff(want, ev); d != "" {
		t.Errorf("evidence by code (-want +got):\n%s", d)
	}
}

func TestOnlyAndDays(t *testing.T) {
	for _, tc := range []struct {
		name string
		o    Options
		want []string
	}{
		{"all", Options{}, []string{CodeRootAccessKeys, CodeCrossAccountNoExtID, CodeRootUsedRecently, CodeStarStarGrant,
			CodeAccessKeyNotRotated, CodeExternalAccess, CodeExternalAccess, CodeUserTwoActiveKeys, CodeUnusedIAMUserAccessKey}},
		{"only two, any case", Options{Only: []string{"star_star_grant", CodeRootAccessKeys}}, []string{CodeRootAccessKeys, CodeStarStarGrant}},
		{"a longer period keeps the old key", Options{Days: 120, Only: notExternal()}, []string{CodeRootAccessKeys, CodeCrossAccountNoExtID,
			CodeRootUsedRecently, CodeStarStarGrant, CodeUserTwoActiveKeys}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.o.Now, tc.o.Catalog = now, testCatalog()
			var codes []string
			for _, f := range Audit(anti(), tc.o) {
				codes = append(codes, f.Code)
			}
			if d := cmp.Diff(tc.want, codes); d != "" {
				t.Errorf("codes with %+v (-want +got):\n%s", tc.o.Only, d)
			}
		})
	}
}

func TestChecksTable(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range Checks() {
		if seen[c.Code] || c.Severity < Info || c.Severity > Critical || c.Title == "" || c.run == nil {
			t.Errorf("check %+v: duplicate code or missing field", c)
		}
		seen[c.Code] = true
		if !KnownCode(strings.ToLower(c.Code)) {
			t.Errorf("KnownCode(%q) = false", c.Code)
		}
	}
	if KnownCode("NOPE") {
		t.Error("KnownCode(NOPE) = true")
	}
}

func TestSeverity(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Severity
		ok   bool
	}{{"critical", Critical, true}, {"HIGH", High, true}, {"medium", Medium, true}, {"low", Low, true}, {"info", Info, true}, {"none", 0, false}, {"", 0, false}} {
		got, err := ParseSeverity(tc.in)
		if got != tc.want || (err == nil) != tc.ok {
			t.Errorf("ParseSeverity(%q) = %v, %v; want %v, ok %v", tc.in, got, err, tc.want, tc.ok)
		}
		if tc.ok && got.String() != strings.ToLower(tc.in) {
			t.Errorf("%v.String() = %q, want %q", got, got.String(), strings.ToLower(tc.in))
		}
	}
	if s := Severity(9).String(); s != "Severity(9)" {
		t.Errorf("Severity(9).String() = %q", s)
	}
}

func TestExternalAccess(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(s *Snapshot)
		want   []got
	}{
		{"a partner with ExternalId and GitHub with sub", func(*Snapshot) {},
			[]got{{CodeExternalAccess, Medium, ciARN}, {CodeExternalAccess, Medium, partnerARN}}},
		{"GitHub without sub", func(s *Snapshot) {
			role(s, "ci").TrustPolicy = ciTrust(`"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"}`)
		}, []got{{CodeExternalAccess, High, ciARN}, {CodeExternalAccess, Medium, partnerARN}}},
		{"everyone", func(s *Snapshot) { role(s, "partner").TrustPolicy = partnerTrust(`{"AWS":"*"}`, "") },
			[]got{{CodeExternalAccess, High, partnerARN}, {CodeExternalAccess, Medium, ciARN}}},
		{"services and the account only", func(s *Snapshot) {
			role(s, "ci").TrustPolicy = doc(ec2Trust)
			role(s, "partner").TrustPolicy = partnerTrust(`{"AWS":"arn:aws:iam::`+acct+`:root"}`, "")
		}, []got{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := clean()
			tc.change(s)
			fs := Audit(s, Options{Now: now, Catalog: testCatalog(), Only: []string{CodeExternalAccess}})
			if d := cmp.Diff(tc.want, summarize(fs)); d != "" {
				t.Errorf("findings (-want +got):\n%s\nall: %+v", d, fs)
			}
		})
	}
}
