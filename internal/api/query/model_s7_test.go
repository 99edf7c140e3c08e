package query

import (
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/google/go-cmp/cmp"

	"github.com/iamd-dev/iamd/internal/api/awserr"
)

// TestDecodeModelConstraints: the service model's constraints in AWS's words. "Name=" is an
// empty string where the member is a string, refused where the model sets a minimum length; for
// a list it is the empty list, and a string whose model sets no minimum keeps the empty value.
func TestDecodeModelConstraints(t *testing.T) {
	tests := []struct {
		name    string
		form    string
		into    func() any
		want    any    // on success
		wantErr string // the ValidationError message
	}{
		{
			name: "optional user name, min 1",
			form: "Action=GetUser&UserName=",
			into: func() any { return &iam.GetUserInput{} },
			wantErr: "2 validation errors detected: Value '' at 'userName' failed to satisfy constraint: Member must have length greater than or equal to 1; " +
				`Value '' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+`,
		},
		{
			name: "marker and path prefix together",
			form: "Marker=&PathPrefix=&MaxItems=5",
			into: func() any { return &iam.ListUsersInput{} },
			wantErr: "4 validation errors detected: Value '' at 'marker' failed to satisfy constraint: Member must have length greater than or equal to 1; " +
				`Value '' at 'marker' failed to satisfy constraint: Member must satisfy regular expression pattern: [\u0020-\u00FF]+; ` +
				"Value '' at 'pathPrefix' failed to satisfy constraint: Member must have length greater than or equal to 1; " +
				`Value '' at 'pathPrefix' failed to satisfy constraint: Member must satisfy regular expression pattern: \u002F[\u0021-\u007F]*`,
		},
		{
			name: "required member: length and pattern, not null",
			form: "UserName=",
			into: func() any { return &iam.CreateUserInput{} },
			wantErr: "2 validation errors detected: Value '' at 'userName' failed to satisfy constraint: Member must have length greater than or equal to 1; " +
				`Value '' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+`,
		},
		{
			// The ARN pattern's "\u10000-\u10FFFF" is U+1000, '0'-U+10FF and "FF" to Java's and
			// Python's regular expressions: nothing beyond U+FFFF.
			name: "ARN with a character beyond U+FFFF",
			form: "RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fr%F0%9F%98%80&RoleSessionName=ss",
			into: func() any { return &sts.AssumeRoleInput{} },
			wantErr: "1 validation error detected: Value 'arn:aws:iam::123456789012:role/r\U0001F600' at 'roleArn' failed to satisfy constraint: Member must satisfy regular expression pattern: " +
				`[\u0009\u000A\u000D\u0020-\u007E\u0085\u00A0-\uD7FF\uE000-\uFFFD\u10000-\u10FFFF]+`,
		},
		{
			name: "ARN with characters the pattern takes (U+1000, U+10FF, U+FFFD)",
			form: "RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fr%E1%80%80%E1%83%BF%EF%BF%BD&RoleSessionName=ss",
			into: func() any { return &sts.AssumeRoleInput{} },
			want: &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::123456789012:role/r\u1000\u10FF\uFFFD"), RoleSessionName: aws.String("ss")},
		},
		{
			name: "min 9",
			form: "SerialNumber=&UserName=u",
			into: func() any { return &iam.DeactivateMFADeviceInput{} },
			wantErr: "2 validation errors detected: Value '' at 'serialNumber' failed to satisfy constraint: Member must have length greater than or equal to 9; " +
				`Value '' at 'serialNumber' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=/:,.@-]+`,
		},
		{
			name: "nested structure member",
			form: "RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fr&RoleSessionName=ss&PolicyArns.member.1.arn=",
			into: func() any { return &sts.AssumeRoleInput{} },
			wantErr: "2 validation errors detected: Value '' at 'policyArns.1.member.arn' failed to satisfy constraint: Member must have length greater than or equal to 20; " +
				`Value '' at 'policyArns.1.member.arn' failed to satisfy constraint: Member must satisfy regular expression pattern: [\u0009\u000A\u000D\u0020-\u007E\u0085\u00A0-\uD7FF\uE000-\uFFFD\u10000-\u10FFFF]+`,
		},
		{
			name: "tag key",
			form: "UserName=u&Tags.member.1.Key=&Tags.member.1.Value=v",
			into: func() any { return &iam.TagUserInput{} },
			wantErr: "2 validation errors detected: Value '' at 'tags.1.member.key' failed to satisfy constraint: Member must have length greater than or equal to 1; " +
				`Value '' at 'tags.1.member.key' failed to satisfy constraint: Member must satisfy regular expression pattern: [\p{L}\p{Z}\p{N}_.:/=+\-@]+`,
		},
		{
			name: "empty lists stay empty lists",
			form: "UserName=u&Tags=",
			into: func() any { return &iam.CreateUserInput{} },
			want: &iam.CreateUserInput{UserName: aws.String("u"), Tags: []iamtypes.Tag{}},
		},
		{
			name: "no model minimum: tag value and description stay empty",
			form: "RoleName=r&Description=",
			into: func() any { return &iam.UpdateRoleInput{} },
			want: &iam.UpdateRoleInput{RoleName: aws.String("r"), Description: aws.String("")},
		},
		{
			name: "tag value may be empty",
			form: "UserName=u&Tags.member.1.Key=k&Tags.member.1.Value=",
			into: func() any { return &iam.TagUserInput{} },
			want: &iam.TagUserInput{UserName: aws.String("u"), Tags: []iamtypes.Tag{{Key: aws.String("k"), Value: aws.String("")}}},
		},
		{
			name:    "list of enums names the list, value left out",
			form:    "Filter.member.1=User&Filter.member.2=Users",
			into:    func() any { return &iam.GetAccountAuthorizationDetailsInput{} },
			wantErr: "1 validation error detected: Value at 'filter' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [User, Role, Group, LocalManagedPolicy, AWSManagedPolicy], Member must not be null]",
		},
		{
			name:    "list of strings: element constraints, the list named, value left out",
			form:    "UserName=u&TagKeys.member.1=a&TagKeys.member.2=",
			into:    func() any { return &iam.UntagUserInput{} },
			wantErr: "1 validation error detected: Value at 'tagKeys' failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to 128, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+, Member must not be null]",
		},
		{
			name:    "list length leaves the value out; several members together",
			form:    "Arn=arn%3Aaws%3Aiam%3A%3A123456789012%3Auser%2Fu&ServiceNamespaces=&Marker=%01",
			into:    func() any { return &iam.ListPoliciesGrantingServiceAccessInput{} },
			wantErr: "2 validation errors detected: Value '\x01' at 'marker' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\u0020-\\u00FF]+; Value at 'serviceNamespaces' failed to satisfy constraint: Member must have length greater than or equal to 1",
		},
		{
			name:    "sensitive and secret members leave the value out",
			form:    "OldPassword=" + strings.Repeat("p", 129) + "&NewPassword=new",
			into:    func() any { return &iam.ChangePasswordInput{} },
			wantErr: "1 validation error detected: Value at 'oldPassword' failed to satisfy constraint: Member must have length less than or equal to 128",
		},
		{
			name:    "integer range",
			form:    "MaxItems=1001",
			into:    func() any { return &iam.ListUsersInput{} },
			wantErr: "1 validation error detected: Value '1001' at 'maxItems' failed to satisfy constraint: Member must have value less than or equal to 1000",
		},
		{
			name:    "lookahead pattern: no double hyphen",
			form:    "AccountAlias=ab--cd",
			into:    func() any { return &iam.CreateAccountAliasInput{} },
			wantErr: "1 validation error detected: Value 'ab--cd' at 'accountAlias' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$",
		},
		{
			name: "lookahead pattern: single hyphens pass",
			form: "AccountAlias=ab-cd-e",
			into: func() any { return &iam.CreateAccountAliasInput{} },
			want: &iam.CreateAccountAliasInput{AccountAlias: aws.String("ab-cd-e")},
		},
		{
			name:    "MFA code is a secret",
			form:    "UserName=u&SerialNumber=arn%3Aaws%3Aiam%3A%3A123456789012%3Amfa%2Fd&AuthenticationCode1=12345x&AuthenticationCode2=123456",
			into:    func() any { return &iam.EnableMFADeviceInput{} },
			wantErr: "1 validation error detected: Value at 'authenticationCode1' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\d]+",
		},
		{
			name:    "service-specific credential ID: value left out of a pattern failure only",
			form:    "ServiceSpecificCredentialId=AAAAAAAAAAAAAAAAAAA%21&Status=Active",
			into:    func() any { return &iam.UpdateServiceSpecificCredentialInput{} },
			wantErr: `1 validation error detected: Value at 'serviceSpecificCredentialId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w]+`,
		},
		{
			name:    "UpdateServiceSpecificCredential status: neither value nor set",
			form:    "ServiceSpecificCredentialId=AAAAAAAAAAAAAAAAAAAA&Status=Bogus",
			into:    func() any { return &iam.UpdateServiceSpecificCredentialInput{} },
			wantErr: "1 validation error detected: Value at 'status' failed to satisfy constraint: Member must satisfy enum value set",
		},
		{
			name:    "empty enum is an enum failure, once",
			form:    "AccessKeyId=AKIAAAAAAAAAAAAAAAAA&Status=",
			into:    func() any { return &iam.UpdateAccessKeyInput{} },
			wantErr: "1 validation error detected: Value '' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive, Expired]",
		},
	}
	c := NewCodec()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.into()
			err := c.DecodeForm(mustParse(t, tt.form), in)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("DecodeForm(%q) = %v, want success", tt.form, err)
				}
				if diff := cmp.Diff(tt.want, in, cmp.AllowUnexported(iam.CreateUserInput{}, iam.UpdateRoleInput{}, iam.TagUserInput{}, iamtypes.Tag{}, iam.CreateAccountAliasInput{}, sts.AssumeRoleInput{})); diff != "" {
					t.Errorf("DecodeForm(%q) mismatch (-want +got):\n%s", tt.form, diff)
				}
				return
			}
			ae, ok := awserr.As(err)
			if !ok || ae.Code != "ValidationError" {
				t.Fatalf("DecodeForm(%q) = %v, want ValidationError", tt.form, err)
			}
			if ae.Message != tt.wantErr {
				t.Errorf("DecodeForm(%q) message\n got %q\nwant %q", tt.form, ae.Message, tt.wantErr)
			}
		})
	}
}

// TestCharClassMatchesRegexp: the fast path for patterns that are one repeated character class
// answers as the regexp does.
func TestCharClassMatchesRegexp(t *testing.T) {
	patterns := []string{
		`^(?:[\w+=,.@-]+)$`,
		`^(?:[\w+=,.@-]*)$`,
		`^(?:[\x{0009}\x{000A}\x{000D}\x{0020}-\x{00FF}]+)$`,
		`^(?:[\p{L}\p{Z}\p{N}_.:/=+\-@]+)$`,
		`^(?:[\x{0009}\x{000A}\x{000D}\x{0020}-\x{007E}\x{0085}\x{00A0}-\x{D7FF}\x{E000}-\x{FFFD}\x{10000}-\x{10FFFF}]+)$`,
		`^(?:[\d]*)$`,
	}
	samples := []string{"", "a", "abc_DEF+=,.@-", "a b", "tab\tnl\ncr\r", "\x01", "é", "\u0100", "€uro", "😀", "日本語", "12345", "1a", "\xff\xfe", "a\u0085b", "\uFFFE"}
	for _, p := range patterns {
		rx := regexp.MustCompile(p)
		c := simpleClass(p)
		if c == nil {
			t.Errorf("simpleClass(%q) = nil, want a class", p)
			continue
		}
		for _, s := range samples {
			if got, want := c.match(s), rx.MatchString(s); got != want {
				t.Errorf("pattern %q, value %q: class match %v, regexp %v", p, s, got, want)
			}
		}
	}
	for _, p := range []string{`^(?:(\x{002F})|(\x{002F}[\x{0021}-\x{007E}]+\x{002F}))$`, `^(?:v[1-9][0-9]*(\.[A-Za-z0-9-]*)?)$`} {
		if simpleClass(p) != nil {
			t.Errorf("simpleClass(%q) is a class, want nil (not one repeated class)", p)
		}
	}
}
