package analyzersvc

import (
	"context"
	"testing"

	sdk "github.com/aws/aws-sdk-go-v2/service/accessanalyzer"
	"github.com/aws/aws-sdk-go-v2/service/accessanalyzer/types"
)

// BenchmarkValidatePolicy: one ValidatePolicy call as root (no store access), a policy with
// three statements and two findings.
func BenchmarkValidatePolicy(b *testing.B) {
	s, _ := testService(b, nil)
	doc := `{"Version":"2012-10-17","Statement":[
 {"Sid":"Read","Effect":"Allow","Action":["s3:GetObject","s3:ListBucket","s3:GetObjct"],"Resource":["arn:aws:s3:::bucket","arn:aws:s3:::bucket/*"]},
 {"Sid":"Pass","Effect":"Allow","Action":"iam:PassRole","Resource":"*"},
 {"Sid":"Cond","Effect":"Allow","Action":"ec2:StartInstances","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/team":"core"}}}]}`
	in := &sdk.ValidatePolicyInput{PolicyDocument: &doc, PolicyType: types.PolicyTypeIdentityPolicy}
	ctx := context.Background()
	if _, err := s.ValidatePolicy(ctx, root, in); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.ValidatePolicy(ctx, root, in); err != nil {
			b.Fatal(err)
		}
	}
}
