package server_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// TestDelegationRequests walks a delegation request through its lifecycle with the SDK: a
// partner files it from a policy template with a parameter, the customer's user associates it,
// forwards it, checks its own permissions against it, accepts it and releases the token, and the
// partner trades the token for credentials that act as the customer's user, narrowed to the
// request's policy. A second request is rejected.
func TestDelegationRequests(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")
	acct := "arn:aws:iam::" + testAccount

	// The partner: allowed to file requests and redeem tokens.
	must[*iam.CreateUserOutput](t, "CreateUser partner")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("partner")}))
	must[*iam.PutUserPolicyOutput](t, "PutUserPolicy partner")(root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("partner"), PolicyName: aws.String("p"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[
			{"Effect":"Allow","Action":["iam:CreateDelegationRequest","iam:GetDelegationRequest","iam:ListDelegationRequests"],"Resource":"*"},
			{"Effect":"Allow","Action":"sts:GetDelegatedAccessToken","Resource":"*"}]}`)}))
	pk := must[*iam.CreateAccessKeyOutput](t, "CreateAccessKey partner")(root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("partner")}))
	partner := iamClient(srv, aws.ToString(pk.AccessKey.AccessKeyId), aws.ToString(pk.AccessKey.SecretAccessKey), "")
	partnerSTS := stsClient(srv, aws.ToString(pk.AccessKey.AccessKeyId), aws.ToString(pk.AccessKey.SecretAccessKey), "")

	// The customer's user: may handle delegation requests and read users.
	coraARN := acct + ":user/cora"
	must[*iam.CreateUserOutput](t, "CreateUser cora")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("cora")}))
	must[*iam.PutUserPolicyOutput](t, "PutUserPolicy cora")(root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("cora"), PolicyName: aws.String("c"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[
			{"Effect":"Allow","Action":["iam:AssociateDelegationRequest","iam:AcceptDelegationRequest","iam:RejectDelegationRequest","iam:ListDelegationRequests"],"Resource":"*"},
			{"Effect":"Allow","Action":["iam:GetUser","iam:ListUserTags","iam:ListUsers"],"Resource":"*"}]}`)}))
	ck := must[*iam.CreateAccessKeyOutput](t, "CreateAccessKey cora")(root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("cora")}))
	cora := iamClient(srv, aws.ToString(ck.AccessKey.AccessKeyId), aws.ToString(ck.AccessKey.SecretAccessKey), "")

	// The partner's template: read one user, named by a parameter.
	tpl := must[*iam.CreatePolicyOutput](t, "CreatePolicy template")(root.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("partner-template"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:GetUser","iam:ListUserTags"],"Resource":"` + acct + `:user/{{username}}"}]}`)}))
	wantPolicy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:GetUser","iam:ListUserTags"],"Resource":"` + acct + `:user/cora"}]}`
	create := func(workflow string) string {
		t.Helper()
		out := must[*iam.CreateDelegationRequestOutput](t, "CreateDelegationRequest "+workflow)(partner.CreateDelegationRequest(ctx, &iam.CreateDelegationRequestInput{
			Description: aws.String("Read your user for onboarding"), NotificationChannel: aws.String("arn:aws:sns:us-east-1:" + testAccount + ":partner-events"),
			RequestorWorkflowId: aws.String(workflow), SessionDuration: aws.Int32(900), OwnerAccountId: aws.String(testAccount),
			Permissions: &iamtypes.DelegationPermission{PolicyTemplateArn: tpl.Policy.Arn,
				Parameters: []iamtypes.PolicyParameter{{Name: aws.String("username"), Type: iamtypes.PolicyParameterTypeEnumString, Values: []string{"cora"}}}}}))
		return aws.ToString(out.DelegationRequestId)
	}
	get := func(who *iam.Client, id string) *iamtypes.DelegationRequest {
		t.Helper()
		return must[*iam.GetDelegationRequestOutput](t, "GetDelegationRequest")(who.GetDelegationRequest(ctx, &iam.GetDelegationRequestInput{DelegationRequestId: aws.String(id)})).DelegationRequest
	}
	id := create("wf-0001")
	if len(id) < 16 {
		t.Fatalf("DelegationRequestId = %q, want at least 16 characters", id)
	}
	d := get(partner, id)
	if d.State != iamtypes.StateTypeUnassigned || aws.ToString(d.PermissionPolicy) != wantPolicy || aws.ToInt32(d.SessionDuration) != 900 ||
		aws.ToString(d.RequestorId) != testAccount || aws.ToString(d.OwnerAccountId) != testAccount || d.OwnerId != nil {
		t.Errorf("new request = state %s policy %s duration %d requestor %s owner %s/%s", d.State, aws.ToString(d.PermissionPolicy), aws.ToInt32(d.SessionDuration),
			aws.ToString(d.RequestorId), aws.ToString(d.OwnerAccountId), aws.ToString(d.OwnerId))
	}
	if exp := aws.ToTime(d.ExpirationTime).Sub(aws.ToTime(d.CreateDate)); exp != 24*time.Hour {
		t.Errorf("unassigned request expires after %s, want 24h", exp)
	}

	for _, tc := range []struct {
		name      string
		call      func() error
		code, msg string
	}{
		{"same workflow ID", func() error {
			_, err := partner.CreateDelegationRequest(ctx, &iam.CreateDelegationRequestInput{Description: aws.String("again"), NotificationChannel: aws.String("arn:aws:sns:us-east-1:" + testAccount + ":t"),
				RequestorWorkflowId: aws.String("wf-0001"), SessionDuration: aws.Int32(900), Permissions: &iamtypes.DelegationPermission{PolicyTemplateArn: tpl.Policy.Arn}})
			return err
		}, "EntityAlreadyExists", "A delegation request with workflow ID wf-0001 already exists."},
		{"session too short", func() error {
			_, err := partner.CreateDelegationRequest(ctx, &iam.CreateDelegationRequestInput{Description: aws.String("short"), NotificationChannel: aws.String("arn:aws:sns:us-east-1:" + testAccount + ":t"),
				RequestorWorkflowId: aws.String("wf-xxxx"), SessionDuration: aws.Int32(60), Permissions: &iamtypes.DelegationPermission{PolicyTemplateArn: tpl.Policy.Arn}})
			return err
		}, "ValidationError", "1 validation error detected: Value '60' at 'sessionDuration' failed to satisfy constraint: Member must have value greater than or equal to 300"},
		{"missing template", func() error {
			_, err := partner.CreateDelegationRequest(ctx, &iam.CreateDelegationRequestInput{Description: aws.String("none"), NotificationChannel: aws.String("arn:aws:sns:us-east-1:" + testAccount + ":t"),
				RequestorWorkflowId: aws.String("wf-yyyy"), SessionDuration: aws.Int32(900), Permissions: &iamtypes.DelegationPermission{PolicyTemplateArn: aws.String(acct + ":policy/none")}})
			return err
		}, "NoSuchEntity", ""},
		{"accept before associating", func() error {
			_, err := cora.AcceptDelegationRequest(ctx, &iam.AcceptDelegationRequestInput{DelegationRequestId: aws.String(id)})
			return err
		}, "InvalidInput", "Delegation request " + id + " is UNASSIGNED; AcceptDelegationRequest is not possible in that state."},
		{"missing request", func() error {
			_, err := cora.GetDelegationRequest(ctx, &iam.GetDelegationRequestInput{DelegationRequestId: aws.String("dr-000000000000000000000000")})
			return err
		}, "NoSuchEntity", "The delegation request with ID dr-000000000000000000000000 cannot be found."},
		{"token before release", func() error {
			_, err := partnerSTS.GetDelegatedAccessToken(ctx, &sts.GetDelegatedAccessTokenInput{TradeInToken: aws.String(id)})
			return err
		}, "AccessDenied", "The trade-in token is not valid."},
	} {
		t.Run(tc.name, func(t *testing.T) { wantCode(t, tc.name, tc.call(), tc.code, tc.msg) })
	}

	must[*iam.AssociateDelegationRequestOutput](t, "Associate")(cora.AssociateDelegationRequest(ctx, &iam.AssociateDelegationRequestInput{DelegationRequestId: aws.String(id)}))
	// As the owner, cora may now get and update it without a policy for them.
	must[*iam.UpdateDelegationRequestOutput](t, "Update")(cora.UpdateDelegationRequest(ctx, &iam.UpdateDelegationRequestInput{DelegationRequestId: aws.String(id), Notes: aws.String("please approve")}))
	chk := must[*iam.GetDelegationRequestOutput](t, "Get with permission check")(cora.GetDelegationRequest(ctx, &iam.GetDelegationRequestInput{DelegationRequestId: aws.String(id), DelegationPermissionCheck: true}))
	if d := chk.DelegationRequest; d.State != iamtypes.StateTypePendingApproval || aws.ToString(d.OwnerId) != coraARN || aws.ToString(d.Notes) != "please approve" {
		t.Errorf("after update: state %s owner %s notes %q", d.State, aws.ToString(d.OwnerId), aws.ToString(d.Notes))
	}
	if chk.PermissionCheckStatus != iamtypes.PermissionCheckStatusTypeComplete || chk.PermissionCheckResult != iamtypes.PermissionCheckResultTypeAllowed {
		t.Errorf("permission check = %s %s, want COMPLETE ALLOWED", chk.PermissionCheckStatus, chk.PermissionCheckResult)
	}
	_, err := root.AcceptDelegationRequest(ctx, &iam.AcceptDelegationRequestInput{DelegationRequestId: aws.String(id)})
	wantCode(t, "accept as root", err, "AccessDenied", "")
	must[*iam.AcceptDelegationRequestOutput](t, "Accept")(cora.AcceptDelegationRequest(ctx, &iam.AcceptDelegationRequestInput{DelegationRequestId: aws.String(id)}))
	if d := get(cora, id); d.State != iamtypes.StateTypeAccepted || aws.ToString(d.ApproverId) != coraARN {
		t.Errorf("after accept: state %s approver %s", d.State, aws.ToString(d.ApproverId))
	}
	before := time.Now().Add(-time.Second)
	must[*iam.SendDelegationTokenOutput](t, "SendDelegationToken")(cora.SendDelegationToken(ctx, &iam.SendDelegationTokenInput{DelegationRequestId: aws.String(id)}))
	if d := get(partner, id); d.State != iamtypes.StateTypeFinalized {
		t.Errorf("after send: state %s, want FINALIZED", d.State)
	}
	_, err = cora.RejectDelegationRequest(ctx, &iam.RejectDelegationRequestInput{DelegationRequestId: aws.String(id)})
	wantCode(t, "reject a finalized request", err, "InvalidInput", "")

	// The partner trades the token: cora's identity, limited to the request's policy.
	tok := must[*sts.GetDelegatedAccessTokenOutput](t, "GetDelegatedAccessToken")(partnerSTS.GetDelegatedAccessToken(ctx, &sts.GetDelegatedAccessTokenInput{TradeInToken: aws.String(id)}))
	if aws.ToString(tok.AssumedPrincipal) != coraARN {
		t.Errorf("AssumedPrincipal = %s, want %s", aws.ToString(tok.AssumedPrincipal), coraARN)
	}
	if exp := aws.ToTime(tok.Credentials.Expiration); exp.Before(before.Add(899*time.Second)) || exp.After(time.Now().Add(901*time.Second)) {
		t.Errorf("credentials expire at %s, want 15 minutes after the release", exp)
	}
	cr := tok.Credentials
	delegatedIAM := iamClient(srv, aws.ToString(cr.AccessKeyId), aws.ToString(cr.SecretAccessKey), aws.ToString(cr.SessionToken))
	delegatedSTS := stsClient(srv, aws.ToString(cr.AccessKeyId), aws.ToString(cr.SecretAccessKey), aws.ToString(cr.SessionToken))
	if id := must[*sts.GetCallerIdentityOutput](t, "GetCallerIdentity delegated")(delegatedSTS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})); aws.ToString(id.Arn) != coraARN {
		t.Errorf("delegated caller = %s, want %s", aws.ToString(id.Arn), coraARN)
	}
	must[*iam.GetUserOutput](t, "GetUser cora with delegated credentials")(delegatedIAM.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("cora")}))
	_, err = delegatedIAM.ListUsers(ctx, &iam.ListUsersInput{})
	wantCode(t, "ListUsers outside the request's policy", err, "AccessDenied", "")
	_, err = delegatedIAM.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("partner")})
	wantCode(t, "GetUser of another user", err, "AccessDenied", "")
	_, err = partnerSTS.GetDelegatedAccessToken(ctx, &sts.GetDelegatedAccessTokenInput{TradeInToken: aws.String(id)})
	wantCode(t, "token redeemed twice", err, "AccessDenied", "The trade-in token is not valid.")

	// A second request, rejected with a reason.
	id2 := create("wf-0002")
	must[*iam.AssociateDelegationRequestOutput](t, "Associate 2")(cora.AssociateDelegationRequest(ctx, &iam.AssociateDelegationRequestInput{DelegationRequestId: aws.String(id2)}))
	must[*iam.RejectDelegationRequestOutput](t, "Reject")(cora.RejectDelegationRequest(ctx, &iam.RejectDelegationRequestInput{DelegationRequestId: aws.String(id2), Notes: aws.String("too broad")}))
	if d := get(partner, id2); d.State != iamtypes.StateTypeRejected || aws.ToString(d.RejectionReason) != "too broad" {
		t.Errorf("rejected request: state %s reason %q", d.State, aws.ToString(d.RejectionReason))
	}
	_, err = cora.AcceptDelegationRequest(ctx, &iam.AcceptDelegationRequestInput{DelegationRequestId: aws.String(id2)})
	wantCode(t, "accept a rejected request", err, "InvalidInput", "")

	// Listing: newest first, paged, filtered by owner.
	var ids []string
	var marker *string
	for {
		page := must[*iam.ListDelegationRequestsOutput](t, "ListDelegationRequests")(cora.ListDelegationRequests(ctx, &iam.ListDelegationRequestsInput{MaxItems: aws.Int32(1), Marker: marker}))
		for _, d := range page.DelegationRequests {
			ids = append(ids, aws.ToString(d.DelegationRequestId))
		}
		if !page.IsTruncated {
			break
		}
		marker = page.Marker
	}
	if got, want := strings.Join(ids, ","), id2+","+id; got != want && got != id+","+id2 {
		t.Errorf("listed %s, want both requests (%s)", got, want)
	}
	none := must[*iam.ListDelegationRequestsOutput](t, "ListDelegationRequests by another owner")(cora.ListDelegationRequests(ctx, &iam.ListDelegationRequestsInput{OwnerId: aws.String(acct + ":user/partner")}))
	if len(none.DelegationRequests) != 0 {
		t.Errorf("requests owned by partner = %d, want 0", len(none.DelegationRequests))
	}
}
