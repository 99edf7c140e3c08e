package server_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/google/go-cmp/cmp"

	"github.com/iamd-dev/iamd/internal/credsrv"
	"github.com/iamd-dev/iamd/internal/server"
)

// postSTS sends a form to STS signed with the key, and returns the status and the body.
func postSTS(t *testing.T, srv *server.Server, id, secret, form string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, srv.Endpoint()+"/", strings.NewReader(form))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	sum := sha256.Sum256([]byte(form))
	creds := aws.Credentials{AccessKeyID: id, SecretAccessKey: secret}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "sts", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// TestAssumeRoleForService: an operator allowed iam:PassRole (to EC2 only) gets credentials for
// a role that trusts only ec2.amazonaws.com, as EC2 would; without PassRole, for another
// service, or for a role that does not trust the service, AccessDenied; the trail records the
// service's call as AWSService.
func TestAssumeRoleForService(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")
	trustEC2 := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	trustAcct := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + testAccount + `:root"},"Action":"sts:AssumeRole"}]}`
	for name, doc := range map[string]string{"web": trustEC2, "admin": trustAcct} {
		must[*iam.CreateRoleOutput](t, "CreateRole "+name)(root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(doc)}))
	}
	pass := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:PassRole","sts:AssumeRole"],"Resource":"*",` +
		`"Condition":{"StringEquals":{"iam:PassedToService":"ec2.amazonaws.com"}}}]}`
	keys := map[string][2]string{}
	for _, u := range []struct{ name, policy string }{{"op", pass}, {"nopass", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`}} {
		must[*iam.CreateUserOutput](t, "CreateUser")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(u.name)}))
		must[*iam.PutUserPolicyOutput](t, "PutUserPolicy")(root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String(u.name), PolicyName: aws.String("p"), PolicyDocument: aws.String(u.policy)}))
		k := must[*iam.CreateAccessKeyOutput](t, "CreateAccessKey")(root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(u.name)}))
		keys[u.name] = [2]string{aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey)}
	}
	roleARN := func(n string) string { return "arn:aws:iam::" + testAccount + ":role/" + n }
	form := func(role, service, session string) string {
		return "Action=AssumeRoleForService&Version=2011-06-15&RoleArn=" + url.QueryEscape(roleARN(role)) +
			"&ServiceName=" + url.QueryEscape(service) + "&RoleSessionName=" + session
	}
	for _, tc := range []struct {
		name, user, form string
		status           int
		code, msg        string
	}{
		{"EC2 assumes the role passed to it", "op", form("web", "ec2.amazonaws.com", "i-0123456789abcdef0"), 200, "", ""},
		{"without iam:PassRole", "nopass", form("web", "ec2.amazonaws.com", "i-0123456789abcdef0"), 403, "AccessDenied",
			"User: arn:aws:iam::" + testAccount + ":user/nopass is not authorized to perform: iam:PassRole on resource: " + roleARN("web")},
		{"PassRole only for EC2, passed to ECS", "op", form("web", "ecs-tasks.amazonaws.com", "0123456789abcdef0123456789abcdef"), 403, "AccessDenied",
			"User: arn:aws:iam::" + testAccount + ":user/op is not authorized to perform: iam:PassRole on resource: " + roleARN("web")},
		{"role does not trust the service", "op", form("admin", "ec2.amazonaws.com", "i-0123456789abcdef0"), 403, "AccessDenied",
			"User: ec2.amazonaws.com is not authorized to perform: sts:AssumeRole on resource: " + roleARN("admin")},
		{"role does not exist", "op", form("nope", "ec2.amazonaws.com", "i-0123456789abcdef0"), 403, "AccessDenied",
			"User: ec2.amazonaws.com is not authorized to perform: sts:AssumeRole on resource: " + roleARN("nope")},
		{"unknown service", "op", form("web", "lambda.amazonaws.com", "s1"), 400, "ValidationError",
			"1 validation error detected: Value 'lambda.amazonaws.com' at 'serviceName' failed to satisfy constraint: Member must satisfy enum value set: [ec2.amazonaws.com, ecs-tasks.amazonaws.com]"},
		{"no session name", "op", "Action=AssumeRoleForService&Version=2011-06-15&RoleArn=" + url.QueryEscape(roleARN("web")) + "&ServiceName=ec2.amazonaws.com", 400, "ValidationError", ""},
		{"duration over the role's maximum", "op", form("web", "ec2.amazonaws.com", "i-1") + "&DurationSeconds=7200", 400, "ValidationError",
			"The requested DurationSeconds exceeds the MaxSessionDuration set for this role."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k := keys[tc.user]
			status, body := postSTS(t, srv, k[0], k[1], tc.form)
			if status != tc.status {
				t.Fatalf("%s: status %d, want %d: %s", tc.form, status, tc.status, body)
			}
			if tc.code != "" {
				var e struct {
					Code    string `xml:"Error>Code"`
					Message string `xml:"Error>Message"`
				}
				if err := xml.Unmarshal([]byte(body), &e); err != nil {
					t.Fatalf("error body %s: %v", body, err)
				}
				if e.Code != tc.code || tc.msg != "" && !strings.HasPrefix(e.Message, tc.msg) {
					t.Errorf("%s: %s: %s, want %s: %s…", tc.form, e.Code, e.Message, tc.code, tc.msg)
				}
				return
			}
			var out struct {
				Key    string `xml:"AssumeRoleForServiceResult>Credentials>AccessKeyId"`
				Secret string `xml:"AssumeRoleForServiceResult>Credentials>SecretAccessKey"`
				Token  string `xml:"AssumeRoleForServiceResult>Credentials>SessionToken"`
				Arn    string `xml:"AssumeRoleForServiceResult>AssumedRoleUser>Arn"`
			}
			if err := xml.Unmarshal([]byte(body), &out); err != nil {
				t.Fatalf("body %s: %v", body, err)
			}
			want := "arn:aws:sts::" + testAccount + ":assumed-role/web/i-0123456789abcdef0"
			if out.Arn != want {
				t.Errorf("AssumedRoleUser.Arn = %q, want %q", out.Arn, want)
			}
			id, err := stsClient(srv, out.Key, out.Secret, out.Token).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
			if err != nil || aws.ToString(id.Arn) != want {
				t.Errorf("GetCallerIdentity with the service's credentials: %v, %v; want %s", id, err, want)
			}
		})
	}

	// credsrv's client for the action (what iamd exec and iamd instance run use).
	sess := credsrv.ServiceSession{Config: awsConfig(srv.Endpoint(), keys["op"][0], keys["op"][1], ""), RoleArn: roleARN("web"),
		ServiceName: "ec2.amazonaws.com", SessionName: "i-0fedcba9876543210", Duration: 20 * time.Minute}
	c, err := sess.Assume(ctx)
	if err != nil {
		t.Fatalf("ServiceSession.Assume: %v", err)
	}
	if left := time.Until(c.Expiration); left < 18*time.Minute || left > 21*time.Minute || c.RoleArn != roleARN("web") || c.SessionToken == "" {
		t.Errorf("ServiceSession.Assume = %+v; want 20 minutes of web's credentials", c)
	}
	sess.ServiceName = "ecs-tasks.amazonaws.com"
	var se *credsrv.STSError
	if _, err := sess.Assume(ctx); !errors.As(err, &se) || se.Code != "AccessDenied" {
		t.Errorf("ServiceSession.Assume for ECS: %v, want AccessDenied", err)
	}

	// The trail: the service's calls are AWSService; a PassRole denial is the operator's.
	evs := lookupOK(t, srv, attr("EventName", "AssumeRoleForService")).Events
	type rec struct {
		UserIdentity struct {
			Type, InvokedBy, UserName string
		}
		SourceIPAddress, UserAgent, ErrorCode string
	}
	var got []rec
	for _, ev := range evs {
		var r rec
		if err := json.Unmarshal([]byte(ev.CloudTrailEvent), &r); err != nil {
			t.Fatalf("record %s: %v", ev.CloudTrailEvent, err)
		}
		if r.UserIdentity.Type == "IAMUser" {
			r.SourceIPAddress, r.UserAgent = "", "" // the test client's
		}
		got = append(got, r)
	}
	svc := func(name, code string) rec {
		r := rec{SourceIPAddress: name, UserAgent: name, ErrorCode: code}
		r.UserIdentity.Type, r.UserIdentity.InvokedBy = "AWSService", name
		return r
	}
	user := func(name, code string) rec {
		r := rec{ErrorCode: code}
		r.UserIdentity.Type, r.UserIdentity.UserName = "IAMUser", name
		return r
	}
	// Newest first. Validation errors happen before the service acts.
	want := []rec{
		user("op", "AccessDenied"), svc("ec2.amazonaws.com", ""),
		svc("ec2.amazonaws.com", "ValidationError"), user("op", "ValidationError"), user("op", "ValidationError"),
		svc("ec2.amazonaws.com", "AccessDenied"), svc("ec2.amazonaws.com", "AccessDenied"),
		user("op", "AccessDenied"), user("nopass", "AccessDenied"), svc("ec2.amazonaws.com", ""),
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("AssumeRoleForService records (-want +got):\n%s", d)
	}
}
