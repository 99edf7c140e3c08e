package query

import (
	"io"
	"net/url"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/iamd-dev/iamd/internal/api/awserr"
)

func BenchmarkDecodeFormCreateUser(b *testing.B) {
	form, err := url.ParseQuery("Action=CreateUser&Version=2010-05-08&UserName=bob&Path=%2Fdev%2F" +
		"&PermissionsBoundary=arn%3Aaws%3Aiam%3A%3A123456789012%3Apolicy%2Fboundary" +
		"&Tags.member.1.Key=team&Tags.member.1.Value=core&Tags.member.2.Key=env&Tags.member.2.Value=prod")
	if err != nil {
		b.Fatal(err)
	}
	c := NewCodec()
	b.ReportAllocs()
	for b.Loop() {
		var in iam.CreateUserInput
		if err := c.DecodeForm(form, &in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeResponseGetUser(b *testing.B) {
	c := NewCodec()
	out := &iam.GetUserOutput{User: testUser}
	b.ReportAllocs()
	for b.Loop() {
		if err := c.EncodeResponse(io.Discard, "GetUser", IAMNamespace, "7a62c49f-347e-4fc4-9331-6e8eEXAMPLE", out); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeError(b *testing.B) {
	c := NewCodec()
	e := awserr.NoSuchEntity("The user with name bob cannot be found.")
	b.ReportAllocs()
	for b.Loop() {
		if err := c.EncodeError(io.Discard, IAMNamespace, "7a62c49f-347e-4fc4-9331-6e8eEXAMPLE", e); err != nil {
			b.Fatal(err)
		}
	}
}
