package query

import (
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// BenchmarkDecodeFormModel measures what the service model's constraints cost DecodeForm: the
// same requests decoded with them and without (WithoutModelConstraints).
func BenchmarkDecodeFormModel(b *testing.B) {
	doc := `{"Version":"2012-10-17","Statement":[` + strings.Repeat(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket/*"},`, 30) +
		`{"Effect":"Deny","Action":"*","Resource":"*"}]}`
	forms := []struct {
		name string
		form string
		into func() any
	}{
		{"CreateUser", "UserName=bob&Path=%2Fdev%2F&PermissionsBoundary=arn%3Aaws%3Aiam%3A%3A123456789012%3Apolicy%2Fboundary" +
			"&Tags.member.1.Key=team&Tags.member.1.Value=core&Tags.member.2.Key=env&Tags.member.2.Value=prod", func() any { return &iam.CreateUserInput{} }},
		{"PutUserPolicy 2.4KB", "UserName=bob&PolicyName=p&PolicyDocument=" + url.QueryEscape(doc), func() any { return &iam.PutUserPolicyInput{} }},
	}
	for _, f := range forms {
		form, err := url.ParseQuery(f.form)
		if err != nil {
			b.Fatal(err)
		}
		for _, c := range []struct {
			name  string
			codec *Codec
		}{{"model", NewCodec()}, {"types-only", NewCodec(WithoutModelConstraints())}} {
			b.Run(f.name+"/"+c.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if err := c.codec.DecodeForm(form, f.into()); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
