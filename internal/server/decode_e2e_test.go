package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
)

// TestDecodeAuthorizationMessage: with --encoded-authorization-messages an AccessDenied message
// carries the sealed decision trace, which only a caller allowed sts:DecodeAuthorizationMessage
// can open; session tokens never open as messages.
func TestDecodeAuthorizationMessage(t *testing.T) {
	ctx := context.Background()
	cfg := testConfig(t, t.TempDir())
	cfg.EncodedAuthorizationMessages = true
	srv := start(t, cfg)
	root := iamClient(srv, rootKey, rootSecret, "")
	for _, u := range []string{"dora", "auditor"} {
		must[*iam.CreateUserOutput](t, "CreateUser")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(u)}))
	}
	must[*iam.PutUserPolicyOutput](t, "PutUserPolicy")(root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("dora"), PolicyName: aws.String("p"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Sid":"NoUsers","Effect":"Deny","Action":"iam:ListUsers","Resource":"*"},{"Effect":"Allow","Action":"sts:GetSessionToken","Resource":"*"}]}`)}))
	must[*iam.PutUserPolicyOutput](t, "PutUserPolicy auditor")(root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("auditor"), PolicyName: aws.String("p"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:DecodeAuthorizationMessage","Resource":"*"}]}`)}))
	key := func(u string) (string, string) {
		k := must[*iam.CreateAccessKeyOutput](t, "CreateAccessKey")(root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(u)}))
		return aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey)
	}
	did, dsec := key("dora")
	aid, asec := key("auditor")

	_, err := iamClient(srv, did, dsec, "").ListUsers(ctx, &iam.ListUsersInput{})
	var ae smithy.APIError
	if !strings.Contains(err.Error(), "with an explicit deny in an identity-based policy Encoded authorization failure message: ") {
		t.Fatalf("denial = %v", err)
	}
	errors.As(err, &ae)
	enc := ae.ErrorMessage()[strings.LastIndex(ae.ErrorMessage(), ": ")+2:]

	// The denied user itself may not decode it.
	_, err = stsClient(srv, did, dsec, "").DecodeAuthorizationMessage(ctx, &sts.DecodeAuthorizationMessageInput{EncodedMessage: aws.String(enc)})
	wantCode(t, "decode without permission", err, "AccessDenied", "")

	out := must[*sts.DecodeAuthorizationMessageOutput](t, "DecodeAuthorizationMessage")(stsClient(srv, aid, asec, "").DecodeAuthorizationMessage(ctx, &sts.DecodeAuthorizationMessageInput{EncodedMessage: aws.String(enc)}))
	var m struct {
		Allowed, ExplicitDeny bool
		MatchedStatements     struct {
			Items []struct{ StatementID, Effect string }
		}
		Context struct {
			Principal        struct{ Name, ARN string }
			Action, Resource string
			Conditions       struct {
				Items []struct {
					Key    string
					Values struct{ Items []struct{ Value string } }
				}
			}
		}
	}
	if err := json.Unmarshal([]byte(aws.ToString(out.DecodedMessage)), &m); err != nil {
		t.Fatal(err)
	}
	if m.Allowed || !m.ExplicitDeny || m.Context.Action != "iam:ListUsers" || !strings.HasSuffix(m.Context.Principal.ARN, ":user/dora") ||
		m.Context.Principal.Name != "dora" || len(m.MatchedStatements.Items) != 1 || m.MatchedStatements.Items[0].StatementID != "NoUsers" {
		t.Errorf("decoded message = %+v\n%s", m, aws.ToString(out.DecodedMessage))
	}
	// Condition keys are spelled as AWS spells them (the engine looks them up lower-cased).
	conds := map[string][]string{}
	for _, it := range m.Context.Conditions.Items {
		for _, v := range it.Values.Items {
			conds[it.Key] = append(conds[it.Key], v.Value)
		}
	}
	for key, want := range map[string]string{"aws:SecureTransport": "false", "aws:PrincipalArn": m.Context.Principal.ARN, "aws:username": "dora", "aws:PrincipalType": "User"} {
		if got := conds[key]; len(got) != 1 || got[0] != want {
			t.Errorf("condition %s = %q, want [%q]\n%s", key, got, want, aws.ToString(out.DecodedMessage))
		}
	}

	_, err = stsClient(srv, aid, asec, "").DecodeAuthorizationMessage(ctx, &sts.DecodeAuthorizationMessageInput{EncodedMessage: aws.String("not-a-message")})
	wantCode(t, "garbage", err, "InvalidAuthorizationMessageException", "")
	st := must[*sts.GetSessionTokenOutput](t, "GetSessionToken")(stsClient(srv, did, dsec, "").GetSessionToken(ctx, &sts.GetSessionTokenInput{}))
	_, err = stsClient(srv, aid, asec, "").DecodeAuthorizationMessage(ctx, &sts.DecodeAuthorizationMessageInput{EncodedMessage: st.Credentials.SessionToken})
	wantCode(t, "a session token is not a message", err, "InvalidAuthorizationMessageException", "")
}
