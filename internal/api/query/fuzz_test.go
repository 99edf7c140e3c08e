package query

import (
	"io"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/google/go-cmp/cmp"
)

// FuzzDecodeForm checks that no form body makes DecodeForm panic, that decoding does not
// depend on the order url.Values yields its keys (decoding twice gives the same value and the
// same error), and that whatever decodes can be encoded.
func FuzzDecodeForm(f *testing.F) {
	for _, seed := range []string{
		"Action=CreateUser&Version=2010-05-08&UserName=bob&Tags.member.1.Key=k&Tags.member.1.Value=v",
		"UserName=bob&Tags=",
		"Tags.member.2.Key=k&Tags.member.1.Value=v&Tags.member.x=1",
		"MaxItems=abc&Marker=m",
		"PolicySourceArn=a&ContextEntries.member.1.ContextKeyValues.member.1=v&ContextEntries.member.1.ContextKeyType=ip",
		"PolicyArns.member.1.arn=a&DurationSeconds=900&Tags.member.1.Key=k",
		"Map.entry.1.key=a&Map.entry.1.value=b&PMap.entry.1.value.Count=1&Next.Next.Next.U8=1&When=2026-01-01T00:00:00Z&Blob=AA==",
		"a.b.c.d=1&..=2&.=3&Tags.member.99999999999999999999.Key=1",
		"PolicySourceArn=a&PolicyExclusionList.member.1.PolicyArn=x&PolicyExclusionList.member.2.InlinePolicyIdentifier.PolicyName=p",
		"S.Circle=1&S.Name=x&L.member.1.Box.W=2&L.member.2=",
		"UserName=&Password=a%20secret%20password&Path=/a b/&MaxItems=0&RoleArn=arn:x",
	} {
		f.Add(seed)
	}
	c := NewCodec(append(sdkUnionOptions(), WithoutModelConstraints(), WithUnion[shape](&shapeMemberCircle{}, &shapeMemberBox{}, &shapeMemberName{}))...)
	targets := []func() any{
		func() any { return &iam.CreateUserInput{} },
		func() any { return &iam.SimulatePrincipalPolicyInput{} },
		func() any { return &iam.ListUsersInput{} },
		func() any { return &sts.AssumeRoleInput{} },
		func() any { return &scalars{} },
		func() any { return &holder{} },
	}
	// The service models' constraints, as the server checks them, on the SDK's inputs.
	model := NewCodec(sdkUnionOptions()...)
	modelTargets := []func() any{
		func() any { return &iam.CreateUserInput{} },
		func() any { return &iam.CreateLoginProfileInput{} },
		func() any { return &iam.SimulatePrincipalPolicyInput{} },
		func() any { return &iam.ListPoliciesInput{} },
		func() any { return &sts.AssumeRoleInput{} },
	}
	f.Fuzz(func(t *testing.T, body string) {
		form, err := url.ParseQuery(body)
		if err != nil {
			return
		}
		for _, newTarget := range modelTargets {
			errA, errB := model.DecodeForm(form, newTarget()), model.DecodeForm(form, newTarget())
			if diff := cmp.Diff(errString(errA), errString(errB)); diff != "" {
				t.Fatalf("DecodeForm(%q) with the model: errors differ between runs:\n%s", body, diff)
			}
			// A password is a secret: no constraint message may echo it.
			if pw := form.Get("Password"); pw != "" && strings.Contains(errString(errA), "Value '"+pw+"' at 'password'") {
				t.Fatalf("DecodeForm(%q) with the model: error %q echoes the password", body, errString(errA))
			}
		}
		for _, newTarget := range targets {
			a, b := newTarget(), newTarget()
			errA := c.DecodeForm(form, a)
			errB := c.DecodeForm(form, b)
			if diff := cmp.Diff(errString(errA), errString(errB)); diff != "" {
				t.Fatalf("DecodeForm(%q) errors differ between runs:\n%s", body, diff)
			}
			if diff := cmp.Diff(a, b, sdkCmp); diff != "" {
				t.Fatalf("DecodeForm(%q) values differ between runs:\n%s", body, diff)
			}
			if err := c.EncodeResponse(io.Discard, "X", "ns", "id", a); err != nil {
				t.Fatalf("EncodeResponse after DecodeForm(%q): %v", body, err)
			}
		}
	})
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
