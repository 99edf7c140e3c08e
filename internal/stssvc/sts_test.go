package stssvc

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/google/go-cmp/cmp"

	"github.com/iamd-dev/iamd/internal/authn"
	"github.com/iamd-dev/iamd/internal/authz"
	"github.com/iamd-dev/iamd/internal/iam"
	"github.com/iamd-dev/iamd/internal/policy"
)

const testRoleARN = "arn:aws:iam::111122223333:role/deploy"

// fieldErr returns err's *iam.FieldError, or nil.
func fieldErr(err error) *iam.FieldError {
	var fe *iam.FieldError
	if errors.As(err, &fe) {
		return fe
	}
	return nil
}

// codeOf returns err's *iam.Error code, or "".
func codeOf(err error) string {
	var e *iam.Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

func TestCheckAssumeRoleInput(t *testing.T) {
	pattern := func(field, value, p string) *iam.FieldError {
		return &iam.FieldError{Field: field, Value: value, Constraint: "Member must satisfy regular expression pattern: " + p}
	}
	length := func(field, value, c string) *iam.FieldError {
		return &iam.FieldError{Field: field, Value: value, Constraint: "Member must have length " + c}
	}
	sensitive := func(field, c string) *iam.FieldError {
		return &iam.FieldError{Field: field, Sensitive: true, Constraint: c}
	}
	keySet := "Member must satisfy constraint: [Member must have length less than or equal to 128, Member must have length greater than or equal to 1, " +
		`Member must satisfy regular expression pattern: [\p{L}\p{Z}\p{N}_.:/=+\-@]+, Member must not be null]`
	fiftyOne := make([]string, 51)
	for i := range fiftyOne {
		fiftyOne[i] = "k" + strings.Repeat("x", i%5)
	}
	cases := []struct {
		name string
		edit func(in *sdk.AssumeRoleInput)
		want *iam.FieldError
	}{
		{"valid", func(*sdk.AssumeRoleInput) {}, nil},
		{"every optional member valid", func(in *sdk.AssumeRoleInput) {
			in.ExternalId = aws.String("arn:aws:acct/ext_id+=,.@-9")
			in.SerialNumber = aws.String("arn:aws:iam::111122223333:mfa/alice")
			in.TokenCode = aws.String("012345")
			in.SourceIdentity = aws.String("alice@example.com")
			in.TransitiveTagKeys = []string{"team", "cost center", "ümlaut:1"}
			in.Policy = aws.String("{\"Version\":\"2012-10-17\",\t\"Statement\":[]}\r\n é")
			in.PolicyArns = []types.PolicyDescriptorType{{Arn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")}, {}}
		}, nil},
		{"external id with a space and !", func(in *sdk.AssumeRoleInput) { in.ExternalId = aws.String("bad id!") },
			pattern("externalId", "bad id!", `[\w+=,.@:\/-]*`)},
		{"external id non-ASCII letter", func(in *sdk.AssumeRoleInput) { in.ExternalId = aws.String("extérieur") },
			pattern("externalId", "extérieur", `[\w+=,.@:\/-]*`)},
		{"external id of 1", func(in *sdk.AssumeRoleInput) { in.ExternalId = aws.String("x") },
			length("externalId", "x", "greater than or equal to 2")},
		{"external id of 1224", func(in *sdk.AssumeRoleInput) { in.ExternalId = aws.String(strings.Repeat("e", 1224)) }, nil},
		{"external id of 1225", func(in *sdk.AssumeRoleInput) { in.ExternalId = aws.String(strings.Repeat("e", 1225)) },
			length("externalId", strings.Repeat("e", 1225), "less than or equal to 1224")},
		{"session name with a colon", func(in *sdk.AssumeRoleInput) { in.RoleSessionName = aws.String("a:b") },
			pattern("roleSessionName", "a:b", `[\w+=,.@-]*`)},
		{"session name of 33 two-byte characters", func(in *sdk.AssumeRoleInput) { in.RoleSessionName = aws.String(strings.Repeat("é", 33)) },
			pattern("roleSessionName", strings.Repeat("é", 33), `[\w+=,.@-]*`)},
		{"serial number with a space", func(in *sdk.AssumeRoleInput) {
			in.SerialNumber, in.TokenCode = aws.String("GAHT 12345678"), aws.String("123456")
		}, pattern("serialNumber", "GAHT 12345678", `[\w+=/:,.@-]*`)},
		{"serial number of 8", func(in *sdk.AssumeRoleInput) { in.SerialNumber = aws.String("GAHT1234") },
			length("serialNumber", "GAHT1234", "greater than or equal to 9")},
		{"token code of 5 digits", func(in *sdk.AssumeRoleInput) { in.TokenCode = aws.String("12345") },
			sensitive("tokenCode", "Member must have length greater than or equal to 6")},
		{"token code of 7 digits", func(in *sdk.AssumeRoleInput) { in.TokenCode = aws.String("1234567") },
			sensitive("tokenCode", "Member must have length less than or equal to 6")},
		{"token code with a letter", func(in *sdk.AssumeRoleInput) { in.TokenCode = aws.String("12345a") },
			sensitive("tokenCode", `Member must satisfy regular expression pattern: [\d]*`)},
		{"token code with an Arabic-Indic digit", func(in *sdk.AssumeRoleInput) { in.TokenCode = aws.String("12345٣") },
			sensitive("tokenCode", `Member must satisfy regular expression pattern: [\d]*`)},
		{"source identity with a colon", func(in *sdk.AssumeRoleInput) { in.SourceIdentity = aws.String("aws:alice") },
			pattern("sourceIdentity", "aws:alice", `[\w+=,.@-]*`)},
		{"source identity of 1", func(in *sdk.AssumeRoleInput) { in.SourceIdentity = aws.String("a") },
			length("sourceIdentity", "a", "greater than or equal to 2")},
		{"source identity of 65", func(in *sdk.AssumeRoleInput) { in.SourceIdentity = aws.String(strings.Repeat("s", 65)) },
			length("sourceIdentity", strings.Repeat("s", 65), "less than or equal to 64")},
		{"51 transitive tag keys", func(in *sdk.AssumeRoleInput) { in.TransitiveTagKeys = fiftyOne },
			&iam.FieldError{Field: "transitiveTagKeys", Constraint: "Member must have length less than or equal to 50", Sensitive: true}},
		{"transitive tag key with !", func(in *sdk.AssumeRoleInput) { in.TransitiveTagKeys = []string{"team", "bad!"} },
			&iam.FieldError{Field: "transitiveTagKeys", Constraint: keySet, Sensitive: true}},
		{"empty transitive tag key", func(in *sdk.AssumeRoleInput) { in.TransitiveTagKeys = []string{""} },
			&iam.FieldError{Field: "transitiveTagKeys", Constraint: keySet, Sensitive: true}},
		{"role ARN of 2049", func(in *sdk.AssumeRoleInput) {
			in.RoleArn = aws.String(testRoleARN + strings.Repeat("r", 2049-len(testRoleARN)))
		},
			length("roleArn", testRoleARN+strings.Repeat("r", 2049-len(testRoleARN)), "less than or equal to 2048")},
		{"role ARN with a control character", func(in *sdk.AssumeRoleInput) { in.RoleArn = aws.String(testRoleARN + "\x01") },
			pattern("roleArn", testRoleARN+"\x01", arnPattern)},
		{"policy ARN too short", func(in *sdk.AssumeRoleInput) {
			in.PolicyArns = []types.PolicyDescriptorType{{Arn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")}, {Arn: aws.String("arn:aws:iam::1:p")}}
		}, length("policyArns.2.member.arn", "arn:aws:iam::1:p", "greater than or equal to 20")},
		{"empty policy", func(in *sdk.AssumeRoleInput) { in.Policy = aws.String("") },
			length("policy", "", "greater than or equal to 1")},
		{"policy with a character past U+00FF", func(in *sdk.AssumeRoleInput) { in.Policy = aws.String(`{"Sid":"€"}`) },
			pattern("policy", `{"Sid":"€"}`, `[\u0009\u000A\u000D\u0020-\u00FF]+`)},
		{"duration of 899", func(in *sdk.AssumeRoleInput) { in.DurationSeconds = aws.Int32(899) },
			&iam.FieldError{Field: "durationSeconds", Value: "899", Constraint: "Member must have value greater than or equal to 900"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := &sdk.AssumeRoleInput{RoleArn: aws.String(testRoleARN), RoleSessionName: aws.String("ci-run")}
			tc.edit(in)
			err := checkAssumeRoleInput(in)
			got := fieldErr(err)
			if err != nil && got == nil {
				t.Fatalf("checkAssumeRoleInput(%s) = %v, want a field error", tc.name, err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("checkAssumeRoleInput(%s): error (-want +got):\n%s", tc.name, diff)
			}
		})
	}
}

// TestAssumeRoleValidatesFirst: a malformed member is a ValidationError before the caller, the
// role or any policy is looked at (the Service here has no store and no authorizer).
func TestAssumeRoleValidatesFirst(t *testing.T) {
	s := &Service{}
	root := authn.RootCaller("111122223333")
	in := &sdk.AssumeRoleInput{RoleArn: aws.String(testRoleARN), RoleSessionName: aws.String("ci-run"), ExternalId: aws.String("bad id!")}
	_, err := s.AssumeRole(context.Background(), &root, in)
	want := &iam.FieldError{Field: "externalId", Value: "bad id!", Constraint: `Member must satisfy regular expression pattern: [\w+=,.@:\/-]*`}
	if diff := cmp.Diff(want, fieldErr(err)); diff != "" {
		t.Errorf("AssumeRole(ExternalId %q) = %v; (-want +got):\n%s", "bad id!", err, diff)
	}
}

func userCaller() authn.Caller {
	return authn.UserCaller("111122223333", &iam.User{Name: "carol", Path: "/", ID: "AIDAEXAMPLEEXAMPLE01"})
}

// TestGetSessionTokenNeedsNoPermission: the Service has no authorizer at all, so any
// authorization would fail; GetSessionToken must not ask for one.
func TestGetSessionTokenNeedsNoPermission(t *testing.T) {
	s := newSessionService(t)
	s.now = func() time.Time { return sessionNow }
	for _, c := range []authn.Caller{userCaller(), authn.RootCaller("111122223333")} {
		t.Run(c.Principal.ARN, func(t *testing.T) {
			out, err := s.GetSessionToken(context.Background(), &c, &sdk.GetSessionTokenInput{DurationSeconds: aws.Int32(900)})
			if err != nil {
				t.Fatalf("GetSessionToken(%s) = %v, want credentials", c.Principal.ARN, err)
			}
			cr := out.Credentials
			cred, err := s.OpenSession(context.Background(), aws.ToString(cr.AccessKeyId), aws.ToString(cr.SessionToken), sessionNow)
			if err != nil {
				t.Fatalf("OpenSession: %v", err)
			}
			got := cred.Caller
			if got.Principal != c.Principal || got.UserID != c.UserID || got.Session == nil || got.Session.MFA {
				t.Errorf("session caller = %+v (session %+v), want %+v without MFA", got, got.Session, c.Principal)
			}
			if want := sessionNow.Add(900 * time.Second); !cr.Expiration.Equal(want) {
				t.Errorf("expiration = %v, want %v", cr.Expiration, want)
			}
		})
	}
}

func TestGetSessionTokenRefusals(t *testing.T) {
	s := newSessionService(t)
	s.now = func() time.Time { return sessionNow }
	user := userCaller()
	session := userCaller()
	session.Session = &authn.Session{}
	cases := []struct {
		name      string
		caller    authn.Caller
		in        sdk.GetSessionTokenInput
		wantCode  string
		wantField *iam.FieldError
	}{
		{"session credentials", session, sdk.GetSessionTokenInput{}, iam.CodeAccessDenied, nil},
		{"token code of 5 digits, before the session check", session, sdk.GetSessionTokenInput{SerialNumber: aws.String("arn:aws:iam::111122223333:mfa/carol"), TokenCode: aws.String("12345")},
			"", &iam.FieldError{Field: "tokenCode", Sensitive: true, Constraint: "Member must have length greater than or equal to 6"}},
		{"serial number with a space", user, sdk.GetSessionTokenInput{SerialNumber: aws.String("GAHT 12345678"), TokenCode: aws.String("123456")},
			"", &iam.FieldError{Field: "serialNumber", Value: "GAHT 12345678", Constraint: `Member must satisfy regular expression pattern: [\w+=/:,.@-]*`}},
		{"duration of 129601", user, sdk.GetSessionTokenInput{DurationSeconds: aws.Int32(129601)},
			"", &iam.FieldError{Field: "durationSeconds", Value: "129601", Constraint: "Member must have value less than or equal to 129600"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.GetSessionToken(context.Background(), &tc.caller, &tc.in)
			if err == nil {
				t.Fatalf("GetSessionToken(%s) succeeded, want an error", tc.name)
			}
			if got := codeOf(err); got != tc.wantCode {
				t.Errorf("GetSessionToken(%s) code = %q (%v), want %q", tc.name, got, err, tc.wantCode)
			}
			if diff := cmp.Diff(tc.wantField, fieldErr(err)); diff != "" {
				t.Errorf("GetSessionToken(%s) field error (-want +got):\n%s", tc.name, diff)
			}
		})
	}
}

func TestSessionTokenLimit(t *testing.T) {
	session := func(c authn.Caller, mfa bool) authn.Caller {
		c.Session = &authn.Session{MFA: mfa}
		return c
	}
	user, root := userCaller(), authn.RootCaller("111122223333")
	role := authn.Caller{Principal: policy.PrincipalInfo{Type: policy.PrincipalRoleSession, ARN: "arn:aws:sts::111122223333:assumed-role/deploy/ci", Account: "111122223333"},
		Session: &authn.Session{}}
	fed := authn.Caller{Principal: policy.PrincipalInfo{Type: policy.PrincipalFederatedUser, ARN: "arn:aws:sts::111122223333:federated-user/bob", Account: "111122223333"},
		Session: &authn.Session{}}
	fedMFA, fedPolicy := fed, fed
	fedMFA.Session = &authn.Session{MFA: true}
	fedPolicy.Session = &authn.Session{Policies: []string{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`}}
	cases := []struct {
		name            string
		caller          authn.Caller
		service, action string
		want            string // the *iam.Error code; "" for none
	}{
		{"user session without MFA calls IAM", session(user, false), "iam", "GetUser", iam.CodeInvalidClientTokenID},
		{"user session with MFA calls IAM", session(user, true), "iam", "GetUser", ""},
		{"root session without MFA calls IAM", session(root, false), "iam", "ListUsers", iam.CodeInvalidClientTokenID},
		{"user session assumes a role", session(user, false), "sts", "AssumeRole", ""},
		{"user session asks who it is", session(user, false), "sts", "GetCallerIdentity", ""},
		{"user session asks for a key's account", session(user, true), "sts", "GetAccessKeyInfo", iam.CodeAccessDenied},
		{"root session decodes a message", session(root, true), "sts", "DecodeAuthorizationMessage", iam.CodeAccessDenied},
		{"user session calls another service", session(user, false), "s3", "ListBuckets", ""},
		{"long-term user key calls IAM", user, "iam", "GetUser", ""},
		{"long-term user key calls STS", user, "sts", "GetAccessKeyInfo", ""},
		{"role session calls IAM", role, "iam", "GetUser", ""},
		{"role session calls STS", role, "sts", "GetAccessKeyInfo", ""},
		{"federated user calls IAM", fed, "iam", "GetUser", iam.CodeInvalidClientTokenID},
		{"federated user creates a user", fed, "iam", "CreateUser", iam.CodeInvalidClientTokenID},
		{"federated user with MFA lists users", fedMFA, "iam", "ListUsers", iam.CodeInvalidClientTokenID},
		{"federated user with a session policy lists users", fedPolicy, "iam", "ListUsers", iam.CodeInvalidClientTokenID},
		{"federated user asks who it is", fedPolicy, "sts", "GetCallerIdentity", ""},
		{"federated user assumes a role", fedPolicy, "sts", "AssumeRole", iam.CodeAccessDenied},
		{"federated user asks for a session token", fed, "sts", "GetSessionToken", iam.CodeAccessDenied},
		{"federated user asks for a federation token", fed, "sts", "GetFederationToken", iam.CodeAccessDenied},
		{"federated user decodes a message", fedPolicy, "sts", "DecodeAuthorizationMessage", iam.CodeAccessDenied},
		{"federated user asks for a key's account", fed, "sts", "GetAccessKeyInfo", iam.CodeAccessDenied},
		{"federated user assumes root", fed, "sts", "AssumeRoot", iam.CodeAccessDenied},
		{"federated user looks up events", fedPolicy, "cloudtrail", "LookupEvents", ""},
		{"federated user validates a policy", fedPolicy, "access-analyzer", "ValidatePolicy", ""},
		{"federated user calls another service", fed, "s3", "ListBuckets", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := SessionTokenLimit(&tc.caller, tc.service, tc.action)
			if got := codeOf(err); got != tc.want || (err == nil) != (tc.want == "") {
				t.Errorf("SessionTokenLimit(%s, %s:%s) = %v, want code %q", tc.caller.Principal.ARN, tc.service, tc.action, err, tc.want)
			}
		})
	}
	plain := session(user, false)
	err := SessionTokenLimit(&plain, "sts", "GetAccessKeyInfo")
	if want := "AccessDenied: Cannot call GetAccessKeyInfo with session credentials"; err == nil || err.Error() != want {
		t.Errorf("SessionTokenLimit message = %v, want %s", err, want)
	}
	for _, tc := range []struct{ service, action, want string }{
		{"sts", "AssumeRole", "AccessDenied: Cannot call AssumeRole with session credentials"},
		{"iam", "CreateUser", "InvalidClientTokenId: " + msgInvalidToken},
	} {
		err := SessionTokenLimit(&fedPolicy, tc.service, tc.action)
		if err == nil || err.Error() != tc.want {
			t.Errorf("SessionTokenLimit(federated user, %s:%s) = %v, want %s", tc.service, tc.action, err, tc.want)
		}
	}
}

// TestGetAccessKeyInfoFromSessionToken: GetSessionToken credentials are refused before any
// authorization (the Service has no authorizer), and the key ID is validated first.
func TestGetAccessKeyInfoFromSessionToken(t *testing.T) {
	s := &Service{}
	c := userCaller()
	c.Session = &authn.Session{MFA: true}
	_, err := s.GetAccessKeyInfo(context.Background(), &c, &sdk.GetAccessKeyInfoInput{AccessKeyId: aws.String("AKIAEXAMPLEEXAMPLE01")})
	if codeOf(err) != iam.CodeAccessDenied {
		t.Errorf("GetAccessKeyInfo with GetSessionToken credentials = %v, want AccessDenied", err)
	}
	_, err = s.GetAccessKeyInfo(context.Background(), &c, &sdk.GetAccessKeyInfoInput{AccessKeyId: aws.String("AKIA-EXAMPLE-EXAMPLE")})
	want := &iam.FieldError{Field: "accessKeyId", Value: "AKIA-EXAMPLE-EXAMPLE", Constraint: `Member must satisfy regular expression pattern: [\w]*`}
	if diff := cmp.Diff(want, fieldErr(err)); diff != "" {
		t.Errorf("GetAccessKeyInfo(AKIA-EXAMPLE-EXAMPLE) = %v; (-want +got):\n%s", err, diff)
	}
}

// TestRoleTagContext: the role's tags become aws:ResourceTag/KEY and iam:ResourceTag/KEY beside
// the request's keys, and the caller's map is left as it was.
func TestRoleTagContext(t *testing.T) {
	tests := []struct {
		name  string
		tags  []iam.Tag
		extra map[string][]string
		want  map[string][]string
	}{
		{"no tags", nil, map[string][]string{"sts:RoleSessionName": {"s1"}}, map[string][]string{"sts:RoleSessionName": {"s1"}}},
		{"tags and request keys", []iam.Tag{{Key: "protected", Value: "true"}, {Key: "Team", Value: ""}},
			map[string][]string{"iam:PassedToService": {"ec2.amazonaws.com"}},
			map[string][]string{
				"iam:PassedToService":       {"ec2.amazonaws.com"},
				"aws:ResourceTag/protected": {"true"}, "iam:ResourceTag/protected": {"true"},
				"aws:ResourceTag/Team": {""}, "iam:ResourceTag/Team": {""},
			}},
		{"nil extra", []iam.Tag{{Key: "k", Value: "v"}}, nil, map[string][]string{"aws:ResourceTag/k": {"v"}, "iam:ResourceTag/k": {"v"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := len(tc.extra)
			got := authz.ResourceTagContext(tc.tags, true, tc.extra)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ResourceTagContext(%v, true, %v) (-want +got):\n%s", tc.tags, tc.extra, diff)
			}
			if len(tc.extra) != before {
				t.Errorf("ResourceTagContext changed its extra argument: %v", tc.extra)
			}
		})
	}
}

// TestSessionTags: AssumeRole's Tags and TransitiveTagKeys against each other and against the
// calling session's transitive tags, with AWS's answers as LocalStack recorded them
// (test_sts.snapshot.json, TestSTSAssumeRoleTagging).
func TestSessionTags(t *testing.T) {
	tag := func(k, v string) iam.Tag { return iam.Tag{Key: k, Value: v} }
	inherited := &authn.Session{Tags: map[string]string{"SessionTag1": "SessionValue1", "Local": "old"}, TransitiveKeys: []string{"SessionTag1"}}
	cases := []struct {
		name       string
		req        []iam.Tag
		transitive []string
		from       *authn.Session
		want       map[string]string
		wantMsg    string // the InvalidParameterValue message; "" for success
	}{
		{"no tags", nil, nil, nil, map[string]string{}, ""},
		{"tags, none transitive", []iam.Tag{tag("team", "blue"), tag("env", "")}, nil, nil, map[string]string{"team": "blue", "env": ""}, ""},
		{"transitive key as tagged", []iam.Tag{tag("SessionTag1", "v1")}, []string{"SessionTag1"}, nil, map[string]string{"SessionTag1": "v1"}, ""},
		{"transitive key in another case", []iam.Tag{tag("SessionTag1", "v1")}, []string{"sessiontag1"}, nil, map[string]string{"SessionTag1": "v1"}, ""},
		{"transitive key not tagged", []iam.Tag{tag("SessionTag1", "v1")}, []string{"InvalidKey"}, nil, nil, msgTransitiveNotTagged},
		{"transitive key without any tags", nil, []string{"team"}, nil, nil, msgTransitiveNotTagged},
		{"second transitive key not tagged", []iam.Tag{tag("a", "1"), tag("b", "2")}, []string{"A", "c"}, nil, nil, msgTransitiveNotTagged},
		{"keys differing only in case", []iam.Tag{tag("SessionTag1", "v1"), tag("sessiontag1", "v2")}, []string{"sessiontag1"}, nil, nil, msgDuplicateTagKeys},
		{"the same key twice", []iam.Tag{tag("team", "blue"), tag("env", "prod"), tag("team", "red")}, nil, nil, nil, msgDuplicateTagKeys},
		{"duplicate before an untagged transitive key", []iam.Tag{tag("a", "1"), tag("A", "2")}, []string{"z"}, nil, nil, msgDuplicateTagKeys},
		{"chained, inherited tag passes on", []iam.Tag{tag("team", "blue")}, nil, inherited, map[string]string{"team": "blue", "SessionTag1": "SessionValue1"}, ""},
		{"chained, inherited key set again", []iam.Tag{tag("SessionTag1", "SessionValue2")}, nil, inherited, nil, msgTransitiveConflict},
		{"chained, inherited key set again in another case", []iam.Tag{tag("sessiontag1", "SessionValue2")}, nil, inherited, nil, msgTransitiveConflict},
		{"chained, inherited key set again and made transitive", []iam.Tag{tag("SESSIONTAG1", "x")}, []string{"SESSIONTAG1"}, inherited, nil, msgTransitiveConflict},
		{"chained, key spelled otherwise by an older session", []iam.Tag{tag("team", "blue")}, nil,
			&authn.Session{Tags: map[string]string{"SessionTag1": "v1"}, TransitiveKeys: []string{"sessiontag1"}}, map[string]string{"team": "blue", "SessionTag1": "v1"}, ""},
		{"chained, a tag of the caller that was not transitive", []iam.Tag{tag("Local", "new")}, nil, inherited, map[string]string{"Local": "new", "SessionTag1": "SessionValue1"}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := sessionTags(tc.req, tc.transitive, tc.from)
			var msg string
			if err != nil {
				var e *iam.Error
				if !errors.As(err, &e) || e.Code != iam.CodeInvalidParameterValue {
					t.Fatalf("sessionTags(%v, %v) = %v, want InvalidParameterValue", tc.req, tc.transitive, err)
				}
				msg = e.Message
			}
			if msg != tc.wantMsg {
				t.Errorf("sessionTags(%v, %v) error %q, want %q", tc.req, tc.transitive, msg, tc.wantMsg)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("sessionTags(%v, %v) tags (-want +got):\n%s", tc.req, tc.transitive, diff)
			}
		})
	}
}

// TestTransitiveKeys: a new session's transitive keys are the requested ones, spelled as their
// tags' keys, and the calling session's, each once.
func TestTransitiveKeys(t *testing.T) {
	from := &authn.Session{Tags: map[string]string{"Heart": "1", "Star": "1", "Local": "x"}, TransitiveKeys: []string{"Heart", "star"}}
	cases := []struct {
		name      string
		tags      map[string]string
		requested []string
		from      *authn.Session
		want      []string
	}{
		{"none", map[string]string{"team": "blue"}, nil, nil, nil},
		{"as tagged", map[string]string{"Star": "1", "Heart": "1"}, []string{"Star", "Heart"}, nil, []string{"Star", "Heart"}},
		{"in another case, twice", map[string]string{"SessionTag1": "v"}, []string{"sessiontag1", "SESSIONTAG1"}, nil, []string{"SessionTag1"}},
		{"inherited stay transitive", map[string]string{"Heart": "1", "Star": "1", "Sun": "2"}, []string{"Sun"}, from, []string{"Sun", "Heart", "Star"}},
		{"inherited, none requested", map[string]string{"Heart": "1", "Star": "1"}, nil, from, []string{"Heart", "Star"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := transitiveKeys(tc.tags, tc.requested, tc.from)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("transitiveKeys(%v, %v, %+v) (-want +got):\n%s", tc.tags, tc.requested, tc.from, diff)
			}
		})
	}
}

// TestSAMLSessionTags: an assertion's PrincipalTag and TransitiveTagKeys attributes meet
// AssumeRole's rules (sessionTags): keys are case-insensitive, and a transitive key naming no
// tag is refused, not dropped.
func TestSAMLSessionTags(t *testing.T) {
	many := map[string]string{}
	for i := range 51 {
		many["k"+strconv.Itoa(i)] = "v"
	}
	cases := []struct {
		name       string
		tags       map[string]string
		transitive []string
		want       []string
		wantCode   string // the *iam.Error code, "ValidationError" for a field error; "" for success
		wantMsg    string
	}{
		{"no tags", nil, nil, nil, "", ""},
		{"tags, none transitive", map[string]string{"Dept": "eng"}, nil, nil, "", ""},
		{"transitive key as tagged", map[string]string{"Dept": "eng", "Team": "a"}, []string{"Team", "Dept"}, []string{"Team", "Dept"}, "", ""},
		{"transitive key in another case", map[string]string{"Dept": "eng"}, []string{"dept"}, []string{"Dept"}, "", ""},
		{"transitive key twice in two cases", map[string]string{"Dept": "eng"}, []string{"DEPT", "dept"}, []string{"Dept"}, "", ""},
		{"transitive key naming no tag", map[string]string{"Dept": "eng"}, []string{"Dept", "Cost"}, nil, iam.CodeInvalidParameterValue, msgTransitiveNotTagged},
		{"transitive key without any tags", nil, []string{"Dept"}, nil, iam.CodeInvalidParameterValue, msgTransitiveNotTagged},
		{"keys differing only in case", map[string]string{"Dept": "eng", "dept": "ops"}, nil, nil, iam.CodeInvalidParameterValue, msgDuplicateTagKeys},
		{"reserved prefix", map[string]string{"aws:dept": "eng", "Team": "a"}, nil, nil, iam.CodeInvalidIdentityToken, "Invalid PrincipalTag attribute in AuthnResponse: aws:dept"},
		{"51 tags", many, nil, nil, "ValidationError", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := samlSessionTags(tc.tags, tc.transitive)
			code, msg := codeOf(err), ""
			var e *iam.Error
			if errors.As(err, &e) {
				msg = e.Message
			}
			if fe := fieldErr(err); fe != nil {
				code = "ValidationError"
			}
			if code != tc.wantCode || tc.wantMsg != "" && msg != tc.wantMsg || (err == nil) != (tc.wantCode == "") {
				t.Errorf("samlSessionTags(%v, %v) = %v, want code %q message %q", tc.tags, tc.transitive, err, tc.wantCode, tc.wantMsg)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("samlSessionTags(%v, %v) transitive keys (-want +got):\n%s", tc.tags, tc.transitive, diff)
			}
		})
	}
}

// TestARNRefusals: AssumeRoleWithSAML and AssumeRoleForService refuse a RoleArn (and SAML a
// PrincipalArn) of the wrong form before anything is looked up (the Service has no store): a
// value that is not an ARN at all as AssumeRole does, "<arn> is invalid"; SAML's ARNs of the
// wrong kind as clients quote AWS.
func TestARNRefusals(t *testing.T) {
	const (
		role = "arn:aws:iam::111122223333:role/deploy"
		prov = "arn:aws:iam::111122223333:saml-provider/corp"
	)
	s := &Service{}
	ctx := context.Background()
	saml := func(roleARN, provARN string) error {
		_, err := s.AssumeRoleWithSAML(ctx, &authn.Caller{}, &sdk.AssumeRoleWithSAMLInput{RoleArn: aws.String(roleARN), PrincipalArn: aws.String(provARN), SAMLAssertion: aws.String("PHNhbWw+")})
		return err
	}
	forService := func(roleARN string) error {
		c := userCaller()
		_, err := s.AssumeRoleForService(ctx, &c, &AssumeRoleForServiceInput{RoleArn: aws.String(roleARN), ServiceName: aws.String("ec2.amazonaws.com"), RoleSessionName: aws.String("i-0123456789abcdef0")})
		return err
	}
	cases := []struct {
		name string
		err  error
		want string // "ValidationError: message"
	}{
		{"SAML RoleArn not an ARN", saml("nothing-valid-in-here", prov), "ValidationError: nothing-valid-in-here is invalid"},
		{"SAML RoleArn without a partition", saml("arn::b:::something/test-role", prov), "ValidationError: arn::b:::something/test-role is invalid"},
		{"SAML RoleArn without a resource", saml("arn:a:a::aaaaaaaaaa:", prov), "ValidationError: arn:a:a::aaaaaaaaaa: is invalid"},
		{"SAML RoleArn a provider's", saml(prov, prov), "ValidationError: Request ARN is invalid"},
		{"SAML ARNs swapped", saml(prov, role), "ValidationError: Request ARN is invalid"},
		{"SAML PrincipalArn not an ARN", saml(role, "nothing-valid-in-here"), "ValidationError: nothing-valid-in-here is invalid"},
		{"SAML PrincipalArn with not enough colons", saml(role, "arn:a:::something/test-role"), "ValidationError: arn:a:::something/test-role is invalid"},
		{"SAML PrincipalArn a role's", saml(role, role), "ValidationError: Principal ARN is invalid"},
		{"SAML PrincipalArn in another partition", saml(role, "arn:aws-cn:iam::111122223333:saml-provider/corp"), "ValidationError: Principal ARN is invalid"},
		{"service RoleArn not an ARN", forService("nothing-valid-in-here"), "ValidationError: nothing-valid-in-here is invalid"},
		{"service RoleArn without a service", forService("arn:a::::something/test-role"), "ValidationError: arn:a::::something/test-role is invalid"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var e *iam.Error
			if !errors.As(tc.err, &e) {
				t.Fatalf("%s: error %v, want %s", tc.name, tc.err, tc.want)
			}
			if got := e.Error(); got != tc.want {
				t.Errorf("%s: error %q, want %q", tc.name, got, tc.want)
			}
		})
	}
	// An ARN of the wrong kind in AssumeRoleForService is still iamd's field error.
	if fe := fieldErr(forService(prov)); fe == nil || fe.Field != "roleArn" {
		t.Errorf("AssumeRoleForService(%s) = %v, want a roleArn field error", prov, fe)
	}
}
