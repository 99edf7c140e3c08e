package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"

	"github.com/iamd-dev/iamd/internal/server"
)

// s6TagsTrust lets the account's principals assume a role and tag the session, the trust policy
// of LocalStack's TestSTSAssumeRoleTagging roles.
const s6TagsTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + testAccount +
	`:root"},"Action":["sts:AssumeRole","sts:TagSession"]}]}`

// s6TagsFixture starts a server with roles role-1 and role-2 (role-1 may assume role-2 and tag
// the session; both allow sessions of two hours) and a user allowed to assume and tag any role;
// it returns the user's STS client.
func s6TagsFixture(t *testing.T) (*server.Server, *sts.Client) {
	t.Helper()
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")
	for _, r := range []string{"role-1", "role-2"} {
		must[*iam.CreateRoleOutput](t, "CreateRole "+r)(root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(r),
			AssumeRolePolicyDocument: aws.String(s6TagsTrust), MaxSessionDuration: aws.Int32(7200)}))
	}
	must[*iam.PutRolePolicyOutput](t, "PutRolePolicy role-1")(root.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("role-1"), PolicyName: aws.String("p"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sts:AssumeRole","sts:TagSession"],"Resource":"` + s6Role("role-2") + `"}]}`)}))
	must[*iam.CreateUserOutput](t, "CreateUser")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("caller")}))
	must[*iam.PutUserPolicyOutput](t, "PutUserPolicy")(root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("caller"), PolicyName: aws.String("p"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sts:AssumeRole","sts:TagSession"],"Resource":"*"}]}`)}))
	k := must[*iam.CreateAccessKeyOutput](t, "CreateAccessKey")(root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("caller")}))
	return srv, stsClient(srv, aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey), "")
}

func s6Role(name string) string { return "arn:aws:iam::" + testAccount + ":role/" + name }

func s6Tags(kv ...string) []ststypes.Tag {
	var tags []ststypes.Tag
	for i := 0; i+1 < len(kv); i += 2 {
		tags = append(tags, ststypes.Tag{Key: aws.String(kv[i]), Value: aws.String(kv[i+1])})
	}
	return tags
}

// s6Refused checks that AssumeRole answered code and msg with HTTP 400 and no credentials.
func s6Refused(t *testing.T, what string, out *sts.AssumeRoleOutput, err error, code, msg string) {
	t.Helper()
	wantCode(t, what, err, code, msg)
	var re *awshttp.ResponseError
	if errors.As(err, &re) && re.HTTPStatusCode() != 400 {
		t.Errorf("%s: HTTP status %d, want 400", what, re.HTTPStatusCode())
	}
	if out != nil && out.Credentials != nil {
		t.Errorf("%s: credentials issued: %s", what, aws.ToString(out.Credentials.AccessKeyId))
	}
}

// s6AssumeRoleErrors returns the errorCode of the trail's AssumeRole records by session name
// ("" for a call that issued credentials), every record of each name in order.
func s6AssumeRoleErrors(t *testing.T, srv *server.Server) map[string][]string {
	t.Helper()
	got := map[string][]string{}
	for _, ev := range lookupOK(t, srv, attr("EventName", "AssumeRole")).Events {
		var rec struct {
			ErrorCode         string
			RequestParameters struct{ RoleSessionName string }
		}
		if err := json.Unmarshal([]byte(ev.CloudTrailEvent), &rec); err != nil {
			t.Fatalf("record %s: %v", ev.CloudTrailEvent, err)
		}
		got[rec.RequestParameters.RoleSessionName] = append(got[rec.RequestParameters.RoleSessionName], rec.ErrorCode)
	}
	return got
}

// TestS6STSTagsTransitiveKeyNotTagged: a TransitiveTagKeys entry that names none of the
// request's tags (compared ignoring case) is InvalidParameterValue "The specified transitive
// tag key must be included in the requested tags." (HTTP 400), as LocalStack recorded AWS
// answering (localstack/localstack tests/aws/services/sts/test_sts.snapshot.json,
// test_assume_role_tag_validation), and no session is issued; the key in another case is
// accepted, as AWS accepted it.
func TestS6STSTagsTransitiveKeyNotTagged(t *testing.T) {
	ctx := context.Background()
	srv, user := s6TagsFixture(t)
	const msg = "The specified transitive tag key must be included in the requested tags."
	for _, tc := range []struct {
		name, session string
		tags          []ststypes.Tag
		transitive    []string
		msg           string
	}{
		{"key not among the tags", "SessionInvalidTransitiveKeys", s6Tags("SessionTag1", "SessionValue1"), []string{"InvalidKey"}, msg},
		{"key without any tags", "SessionTransitiveNoTags", nil, []string{"SessionTag1"}, msg},
		{"key in another case", "SessionInvalidCasingTransitiveKeys", s6Tags("SessionTag1", "SessionValue1"), []string{"sessiontag1"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := user.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(s6Role("role-1")), RoleSessionName: aws.String(tc.session),
				Tags: tc.tags, TransitiveTagKeys: tc.transitive})
			if tc.msg == "" {
				if err != nil {
					t.Fatalf("AssumeRole(tags %v, transitive %v) = %v, want credentials", tc.tags, tc.transitive, err)
				}
				return
			}
			s6Refused(t, "AssumeRole transitive "+tc.name, out, err, "InvalidParameterValue", tc.msg)
		})
	}
	got := s6AssumeRoleErrors(t, srv)
	for session, want := range map[string]string{"SessionInvalidTransitiveKeys": "InvalidParameterValue", "SessionTransitiveNoTags": "InvalidParameterValue",
		"SessionInvalidCasingTransitiveKeys": ""} {
		if len(got[session]) != 1 || got[session][0] != want {
			t.Errorf("trail AssumeRole records of session %s: error codes %q, want [%q]", session, got[session], want)
		}
	}
}

// TestS6STSTagsDuplicateKeys: two session tags whose keys differ only in case are
// InvalidParameterValue "Duplicate tag keys found. Please note that Tag keys are case
// insensitive." (HTTP 400), as LocalStack recorded AWS answering (test_sts.snapshot.json,
// test_assume_role_tag_validation), and no session is issued; iamd used to issue one carrying both.
func TestS6STSTagsDuplicateKeys(t *testing.T) {
	ctx := context.Background()
	srv, user := s6TagsFixture(t)
	const msg = "Duplicate tag keys found. Please note that Tag keys are case insensitive."
	for _, tc := range []struct {
		name, session string
		tags          []ststypes.Tag
		transitive    []string
	}{
		{"keys differing in case", "SessionDuplicateCasing", s6Tags("SessionTag1", "SessionValue1", "sessiontag1", "SessionValue2"), []string{"sessiontag1"}},
		{"the same key twice", "SessionDuplicateSame", s6Tags("team", "blue", "team", "red"), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := user.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(s6Role("role-1")), RoleSessionName: aws.String(tc.session),
				Tags: tc.tags, TransitiveTagKeys: tc.transitive})
			s6Refused(t, "AssumeRole "+tc.name, out, err, "InvalidParameterValue", msg)
		})
	}
	got := s6AssumeRoleErrors(t, srv)
	for _, session := range []string{"SessionDuplicateCasing", "SessionDuplicateSame"} {
		if len(got[session]) != 1 || got[session][0] != "InvalidParameterValue" {
			t.Errorf("trail AssumeRole records of session %s: error codes %q, want [InvalidParameterValue]", session, got[session])
		}
	}
}

// TestS6STSTagsChainedTransitiveConflict: a role session with a transitive tag that assumes a
// role passing a tag with the same key, in any case, is refused with InvalidParameterValue "One
// of the specified transitive tag keys can't be set because it conflicts with a transitive tag
// key from the calling session." (HTTP 400), as LocalStack recorded AWS answering
// (test_sts.snapshot.json, test_iam_role_chaining_override_transitive_tags), and no session is
// issued; iamd used to let the new value win. A tag with another key is still accepted.
func TestS6STSTagsChainedTransitiveConflict(t *testing.T) {
	ctx := context.Background()
	srv, user := s6TagsFixture(t)
	first := must[*sts.AssumeRoleOutput](t, "AssumeRole role-1 with a transitive tag")(user.AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String(s6Role("role-1")), RoleSessionName: aws.String("Session1"),
		Tags: s6Tags("SessionTag1", "SessionValue1"), TransitiveTagKeys: []string{"SessionTag1"}}))
	c := first.Credentials
	role1 := stsClient(srv, aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken))
	const msg = "One of the specified transitive tag keys can't be set because it conflicts with a transitive tag key from the calling session."
	for _, tc := range []struct {
		name, session string
		tags          []ststypes.Tag
		transitive    []string
		msg           string
	}{
		{"same key", "Session2SessionTagOverride", s6Tags("SessionTag1", "SessionValue2"), nil, msg},
		{"same key in another case", "Session2SessionTagOverrideCase", s6Tags("sessiontag1", "SessionValue2"), nil, msg},
		{"same key, made transitive again", "Session2SessionTagOverrideTransitive", s6Tags("SessionTag1", "SessionValue2"), []string{"SessionTag1"}, msg},
		{"another key", "Session2OtherTag", s6Tags("SessionTag2", "SessionValue2"), nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := role1.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(s6Role("role-2")), RoleSessionName: aws.String(tc.session),
				Tags: tc.tags, TransitiveTagKeys: tc.transitive})
			if tc.msg == "" {
				if err != nil {
					t.Fatalf("chained AssumeRole(tags %v) = %v, want credentials", tc.tags, err)
				}
				return
			}
			s6Refused(t, "chained AssumeRole, "+tc.name, out, err, "InvalidParameterValue", tc.msg)
		})
	}
	got := s6AssumeRoleErrors(t, srv)
	for session, want := range map[string]string{"Session2SessionTagOverride": "InvalidParameterValue", "Session2SessionTagOverrideCase": "InvalidParameterValue",
		"Session2SessionTagOverrideTransitive": "InvalidParameterValue", "Session2OtherTag": ""} {
		if len(got[session]) != 1 || got[session][0] != want {
			t.Errorf("trail AssumeRole records of session %s: error codes %q, want [%q]", session, got[session], want)
		}
	}
}

// TestS6STSTagsTransitiveThroughChain: a transitive tag stays transitive along the whole chain
// (IAM User Guide, "Chaining roles with session tags": the inherited Heart and Star tags "will
// continue to be transitive"), also when TransitiveTagKeys spelled its key in another case:
// user → role-1 (tag SessionTag1, transitive key "sessiontag1") → role-2 → role-1, and the third
// session still has aws:PrincipalTag/SessionTag1 and still cannot set it. iamd passed a
// transitive tag one hop only, and lost it when the key's case differed from the tag's.
func TestS6STSTagsTransitiveThroughChain(t *testing.T) {
	ctx := context.Background()
	srv, user := s6TagsFixture(t)
	root := iamClient(srv, rootKey, rootSecret, "")
	must[*iam.PutRolePolicyOutput](t, "PutRolePolicy role-1 tagged read")(root.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("role-1"), PolicyName: aws.String("read"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetRole","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/SessionTag1":"SessionValue1"}}}]}`)}))
	must[*iam.PutRolePolicyOutput](t, "PutRolePolicy role-2")(root.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("role-2"), PolicyName: aws.String("p"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sts:AssumeRole","sts:TagSession"],"Resource":"` + s6Role("role-1") + `"}]}`)}))
	hop := func(c *sts.Client, role, session string, in *sts.AssumeRoleInput) *ststypes.Credentials {
		t.Helper()
		in.RoleArn, in.RoleSessionName = aws.String(s6Role(role)), aws.String(session)
		return must[*sts.AssumeRoleOutput](t, "AssumeRole "+role+" as "+session)(c.AssumeRole(ctx, in)).Credentials
	}
	client := func(c *ststypes.Credentials) (*sts.Client, *iam.Client) {
		id, secret, token := aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken)
		return stsClient(srv, id, secret, token), iamClient(srv, id, secret, token)
	}
	first, firstIAM := client(hop(user, "role-1", "Session1", &sts.AssumeRoleInput{Tags: s6Tags("SessionTag1", "SessionValue1"), TransitiveTagKeys: []string{"sessiontag1"}}))
	must[*iam.GetRoleOutput](t, "GetRole in the first session")(firstIAM.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("role-1")}))
	second, _ := client(hop(first, "role-2", "Session2", &sts.AssumeRoleInput{}))
	third, thirdIAM := client(hop(second, "role-1", "Session3", &sts.AssumeRoleInput{}))
	must[*iam.GetRoleOutput](t, "GetRole in the third session (tag passed on twice)")(thirdIAM.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("role-1")}))
	out, err := third.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(s6Role("role-2")), RoleSessionName: aws.String("Session4"), Tags: s6Tags("SessionTag1", "other")})
	s6Refused(t, "AssumeRole from the third session setting the inherited tag", out, err, "InvalidParameterValue",
		"One of the specified transitive tag keys can't be set because it conflicts with a transitive tag key from the calling session.")
}

// TestS6STSTagsChainedDuration: a role session that assumes a role for more than an hour gets
// AWS's ValidationError in AWS's words alone, "The requested DurationSeconds exceeds the 1 hour
// session limit for roles assumed by role chaining." (as clients quote it: 99designs/aws-vault
// issue 263, prowler-cloud/prowler issue 7721, aws/eks-anywhere pull 9485), not in the "1
// validation error detected: Value '7200' at 'durationSeconds' ..." frame, even though the role
// allows two hours; an hour is granted.
func TestS6STSTagsChainedDuration(t *testing.T) {
	ctx := context.Background()
	srv, user := s6TagsFixture(t)
	first := must[*sts.AssumeRoleOutput](t, "AssumeRole role-1 for two hours")(user.AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String(s6Role("role-1")), RoleSessionName: aws.String("Session1"), DurationSeconds: aws.Int32(7200)}))
	c := first.Credentials
	role1 := stsClient(srv, aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken))
	for _, tc := range []struct {
		name     string
		duration int32
		msg      string
	}{
		{"two hours", 7200, "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."},
		{"an hour and a second", 3601, "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."},
		{"an hour", 3600, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := role1.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(s6Role("role-2")), RoleSessionName: aws.String(fmt.Sprintf("Chained%d", tc.duration)),
				DurationSeconds: aws.Int32(tc.duration)})
			if tc.msg == "" {
				if err != nil {
					t.Fatalf("chained AssumeRole for %d seconds = %v, want credentials", tc.duration, err)
				}
				return
			}
			s6Refused(t, fmt.Sprintf("chained AssumeRole for %d seconds", tc.duration), out, err, "ValidationError", tc.msg)
		})
	}
	got := s6AssumeRoleErrors(t, srv)
	for session, want := range map[string]string{"Chained7200": "ValidationError", "Chained3601": "ValidationError", "Chained3600": ""} {
		if len(got[session]) != 1 || got[session][0] != want {
			t.Errorf("trail AssumeRole records of session %s: error codes %q, want [%q]", session, got[session], want)
		}
	}
}

// TestS6STSTagsSAMLInvalidARN: AssumeRoleWithSAML through the SDK refuses a RoleArn or
// PrincipalArn that is not an ARN at all as AssumeRole does (ValidationError "<arn> is invalid",
// LocalStack's recording of AssumeRole, test_sts_invalid_parameters; nothing recorded for
// AssumeRoleWithSAML), and ARNs of the wrong kind with the words clients quote AWS using
// ("Request ARN is invalid", "Principal ARN is invalid"), all with HTTP 400.
func TestS6STSTagsSAMLInvalidARN(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	anon := sts.NewFromConfig(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(srv.Endpoint()), RetryMaxAttempts: 1})
	role, prov := s6Role("Admin"), "arn:aws:iam::"+testAccount+":saml-provider/Corp"
	for _, tc := range []struct {
		name, role, prov, msg string
	}{
		{"role not an ARN", "nothing-valid-in-here", prov, "nothing-valid-in-here is invalid"},
		{"role without a service", "arn:a::::something/test-role", prov, "arn:a::::something/test-role is invalid"},
		{"provider not an ARN", role, "nothing-valid-in-here", "nothing-valid-in-here is invalid"},
		{"swapped", prov, role, "Request ARN is invalid"},
		{"provider a role", role, role, "Principal ARN is invalid"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := anon.AssumeRoleWithSAML(ctx, &sts.AssumeRoleWithSAMLInput{RoleArn: aws.String(tc.role), PrincipalArn: aws.String(tc.prov), SAMLAssertion: aws.String("PHNhbWw+")})
			wantCode(t, "AssumeRoleWithSAML "+tc.name, err, "ValidationError", tc.msg)
			var re *awshttp.ResponseError
			if errors.As(err, &re) && re.HTTPStatusCode() != 400 {
				t.Errorf("AssumeRoleWithSAML %s: HTTP status %d, want 400", tc.name, re.HTTPStatusCode())
			}
			if out != nil {
				t.Errorf("AssumeRoleWithSAML %s: answered %+v", tc.name, out)
			}
		})
	}
}
