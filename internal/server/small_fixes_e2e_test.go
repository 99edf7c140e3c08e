package server_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// TestNoPasswordPolicyNamesTheAccount: with no password policy, Get and Delete answer
// NoSuchEntity naming the caller's account ID as the "domain name", as AWS does.
func TestNoPasswordPolicyNamesTheAccount(t *testing.T) {
	ctx := context.Background()
	for _, acct := range []string{"343253349634", "111122223333"} {
		t.Run(acct, func(t *testing.T) {
			cfg := testConfig(t, t.TempDir())
			cfg.AccountID = acct
			root := iamClient(start(t, cfg), rootKey, rootSecret, "")
			want := "The Password Policy with domain name " + acct + " cannot be found."
			_, err := root.GetAccountPasswordPolicy(ctx, &iam.GetAccountPasswordPolicyInput{})
			wantCode(t, "GetAccountPasswordPolicy", err, "NoSuchEntity", want)
			_, err = root.DeleteAccountPasswordPolicy(ctx, &iam.DeleteAccountPasswordPolicyInput{})
			wantCode(t, "DeleteAccountPasswordPolicy", err, "NoSuchEntity", want)
		})
	}
}

// TestServiceLinkedRoleServices: CreateServiceLinkedRole accepts the principals of services that
// have service-linked roles (iamd's table and AWS's managed policies) and refuses any other
// principal with AWS's AccessDenied (403), creating nothing.
func TestServiceLinkedRoleServices(t *testing.T) {
	ctx := context.Background()
	root := iamClient(start(t, testConfig(t, t.TempDir())), rootKey, rootSecret, "")
	for _, tc := range []struct {
		service, suffix, wantName string
	}{
		{"ecs.amazonaws.com", "", "AWSServiceRoleForECS"},                                     // iamd's table
		{"lambda.amazonaws.com", "", "AWSServiceRoleForLambda"},                               // named in AWSLambda_FullAccess
		{"route53resolver.amazonaws.com", "", "AWSServiceRoleForRoute53Resolver"},             // arn:*: partition pattern
		{"batch.amazonaws.com", "", "AWSServiceRoleForBatch"},                                 // AWS's answer, recorded
		{"restore-testing.backup.amazonaws.com", "", "AWSServiceRoleForBackupRestoreTesting"}, // labels, last first
	} {
		t.Run(tc.service, func(t *testing.T) {
			in := &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String(tc.service)}
			if tc.suffix != "" {
				in.CustomSuffix = aws.String(tc.suffix)
			}
			out, err := root.CreateServiceLinkedRole(ctx, in)
			if err != nil {
				t.Fatalf("CreateServiceLinkedRole %s: %v", tc.service, err)
			}
			if got := aws.ToString(out.Role.RoleName); got != tc.wantName {
				t.Errorf("CreateServiceLinkedRole %s: role %s, want %s", tc.service, got, tc.wantName)
			}
		})
	}
	for _, service := range []string{"notaservice.amazonaws.com", "OpenSearch.amazonaws.com", "s3.amazonaws.com", "ecs.amazonaws.com.cn", "notaservice"} {
		t.Run(service, func(t *testing.T) {
			_, err := root.CreateServiceLinkedRole(ctx, &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String(service)})
			wantCode(t, "CreateServiceLinkedRole "+service, err, "AccessDenied", "Cannot find Service Linked Role template for "+service)
			var re *awshttp.ResponseError
			if !errors.As(err, &re) || re.HTTPStatusCode() != http.StatusForbidden {
				t.Errorf("CreateServiceLinkedRole %s: %v, want HTTP 403", service, err)
			}
			roles, err := root.ListRoles(ctx, &iam.ListRolesInput{PathPrefix: aws.String("/aws-service-role/" + service + "/")})
			if err != nil || len(roles.Roles) != 0 {
				t.Errorf("roles under /aws-service-role/%s/: %d (%v), want none", service, len(roles.Roles), err)
			}
		})
	}
}
