package server_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// TestS6ModelSimulateAndGrants: members a constraint trial found unchecked against the IAM
// service model: the simulators' ContextKeyName (5–256) and ResourceHandlingOption (1–64),
// ListPoliciesGrantingServiceAccess's ServiceNamespaces members (1–64 of [\w-]*) and Marker.
func TestS6ModelSimulateAndGrants(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")
	must[*iam.CreateUserOutput](t, "CreateUser")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("ada")}))
	const doc = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`
	userARN := aws.String("arn:aws:iam::" + testAccount + ":user/ada")
	simulate := func(key string, handling *string) error {
		_, err := root.SimulateCustomPolicy(ctx, &iam.SimulateCustomPolicyInput{PolicyInputList: []string{doc}, ActionNames: []string{"s3:GetObject"},
			ContextEntries:         []types.ContextEntry{{ContextKeyName: aws.String(key), ContextKeyType: types.ContextKeyTypeEnumString, ContextKeyValues: []string{"v"}}},
			ResourceHandlingOption: handling})
		return err
	}
	grants := func(ns string, marker *string) error {
		_, err := root.ListPoliciesGrantingServiceAccess(ctx, &iam.ListPoliciesGrantingServiceAccessInput{Arn: userARN, ServiceNamespaces: []string{ns}, Marker: marker})
		return err
	}
	long257, long65 := "a:"+strings.Repeat("k", 255), strings.Repeat("s", 65)
	for _, tc := range []struct {
		name, code string
		err        error
	}{
		{"ContextKeyName of 4", "ValidationError", simulate("a:bc", nil)},
		{"ContextKeyName of 257", "ValidationError", simulate(long257, nil)},
		{"ContextKeyName of 5", "", simulate("a:bcd", nil)},
		{"ResourceHandlingOption of 65", "ValidationError", simulate("aws:username", aws.String(long65))},
		{"ResourceHandlingOption EC2-VPC-InstanceStore", "", simulate("aws:username", aws.String("EC2-VPC-InstanceStore"))},
		{"ServiceNamespaces member of 65", "ValidationError", grants(long65, nil)},
		{"ServiceNamespaces member with a space", "ValidationError", grants("s 3", nil)},
		{"ServiceNamespaces member s3", "", grants("s3", nil)},
		{"Marker of 321", "ValidationError", grants("s3", aws.String(strings.Repeat("m", 321)))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.code == "" {
				if tc.err != nil {
					t.Errorf("%s: %v, want success", tc.name, tc.err)
				}
				return
			}
			wantCode(t, tc.name, tc.err, tc.code, "")
		})
	}
}

// TestS6ModelListDelegationRequestsOwner: ListDelegationRequests' OwnerId is the model's
// ownerIdType (20–2048 characters of [a-zA-Z0-9:/+=,.@_-]).
func TestS6ModelListDelegationRequestsOwner(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")
	list := func(owner string) error {
		_, err := root.ListDelegationRequests(ctx, &iam.ListDelegationRequestsInput{OwnerId: aws.String(owner)})
		return err
	}
	wantCode(t, "OwnerId of 19", list(strings.Repeat("1", 19)), "ValidationError", "")
	wantCode(t, "OwnerId of 2049", list(strings.Repeat("1", 2049)), "ValidationError", "")
	wantCode(t, "OwnerId with a space", list("arn:aws:iam::123456789012:user/a b"), "ValidationError", "")
	if err := list("arn:aws:iam::" + testAccount + ":root"); err != nil {
		t.Errorf("ListDelegationRequests with a valid OwnerId: %v", err)
	}
}
