package query

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/google/go-cmp/cmp"

	"github.com/iamd-dev/iamd/internal/api/awserr"
)

// scalars covers kinds the SDK's IAM and STS types do not use.
type scalars struct {
	U8             uint8
	U              *uint
	F32            float32
	F64            *float64
	I8             int8
	B              bool
	Blob           []byte
	When           time.Time
	Ptrs           []*inner
	Map            map[string]string
	PMap           map[string]*inner
	Inner          *inner
	Next           *scalars // recursive
	Iface          any      // not carried
	Fn             func()   // not carried
	ResultMetadata struct{ X string }
	hidden         string //nolint:unused // checks that unexported fields are skipped
}

type inner struct {
	Name  *string
	Count int32
	Tags  []string
}

func mustParse(t *testing.T, q string) url.Values {
	t.Helper()
	v, err := url.ParseQuery(q)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestDecodeForm(t *testing.T) {
	tests := []struct {
		name string
		form string
		into func() any
		want any
	}{
		{
			name: "CreateUser with tags, path and boundary",
			form: "Action=CreateUser&Version=2010-05-08&UserName=bob&Path=%2Fdev%2F&PermissionsBoundary=arn%3Aaws%3Aiam%3A%3A123456789012%3Apolicy%2Fb" +
				"&Tags.member.2.Key=team&Tags.member.2.Value=x&Tags.member.1.Key=k&Tags.member.1.Value=",
			into: func() any { return &iam.CreateUserInput{} },
			want: &iam.CreateUserInput{
				UserName: aws.String("bob"), Path: aws.String("/dev/"),
				PermissionsBoundary: aws.String("arn:aws:iam::123456789012:policy/b"),
				Tags:                []iamtypes.Tag{{Key: aws.String("k"), Value: aws.String("")}, {Key: aws.String("team"), Value: aws.String("x")}},
			},
		},
		{
			name: "empty list",
			form: "UserName=bob&Tags=",
			into: func() any { return &iam.CreateUserInput{} },
			want: &iam.CreateUserInput{UserName: aws.String("bob"), Tags: []iamtypes.Tag{}},
		},
		{
			name: "unknown and malformed-but-unknown parameters are ignored",
			form: "UserName=bob&Bogus=1&Tags.bogus=1&UserName.x=2&X-Amz-Date=20260101T000000Z",
			into: func() any { return &iam.CreateUserInput{} },
			want: &iam.CreateUserInput{UserName: aws.String("bob")},
		},
		{
			name: "ListUsers with Marker and MaxItems",
			form: "Action=ListUsers&Marker=m1&MaxItems=10&PathPrefix=%2F",
			into: func() any { return &iam.ListUsersInput{} },
			want: &iam.ListUsersInput{Marker: aws.String("m1"), MaxItems: aws.Int32(10), PathPrefix: aws.String("/")},
		},
		{
			name: "UpdateAccessKey enum",
			form: "AccessKeyId=AKIA1&Status=Inactive&UserName=bob",
			into: func() any { return &iam.UpdateAccessKeyInput{} },
			want: &iam.UpdateAccessKeyInput{AccessKeyId: aws.String("AKIA1"), Status: iamtypes.StatusTypeInactive, UserName: aws.String("bob")},
		},
		{
			name: "AssumeRole policy ARNs use the wire name arn",
			form: "RoleArn=arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fr&RoleSessionName=s&DurationSeconds=900" +
				"&PolicyArns.member.1.arn=arn%3Aaws%3Aiam%3A%3Aaws%3Apolicy%2FA&PolicyArns.member.2.Arn=ignored" +
				"&TransitiveTagKeys.member.1=k&Tags.member.1.Key=k&Tags.member.1.Value=v",
			into: func() any { return &sts.AssumeRoleInput{} },
			want: &sts.AssumeRoleInput{
				RoleArn: aws.String("arn:aws:iam::1:role/r"), RoleSessionName: aws.String("s"), DurationSeconds: aws.Int32(900),
				PolicyArns:        []ststypes.PolicyDescriptorType{{Arn: aws.String("arn:aws:iam::aws:policy/A")}, {}},
				TransitiveTagKeys: []string{"k"},
				Tags:              []ststypes.Tag{{Key: aws.String("k"), Value: aws.String("v")}},
			},
		},
		{
			name: "SimulatePrincipalPolicy nested lists",
			form: "PolicySourceArn=arn&ActionNames.member.1=s3%3AGetObject" +
				"&ContextEntries.member.1.ContextKeyName=aws%3ASourceIp&ContextEntries.member.1.ContextKeyType=ip" +
				"&ContextEntries.member.1.ContextKeyValues.member.1=10.0.0.1&ContextEntries.member.1.ContextKeyValues.member.2=10.0.0.2",
			into: func() any { return &iam.SimulatePrincipalPolicyInput{} },
			want: &iam.SimulatePrincipalPolicyInput{
				PolicySourceArn: aws.String("arn"), ActionNames: []string{"s3:GetObject"},
				ContextEntries: []iamtypes.ContextEntry{{
					ContextKeyName: aws.String("aws:SourceIp"), ContextKeyType: iamtypes.ContextKeyTypeEnumIp,
					ContextKeyValues: []string{"10.0.0.1", "10.0.0.2"},
				}},
			},
		},
		{
			name: "kinds the SDK does not use",
			form: "U8=255&U=7&F32=1.5&F64=-2.25&I8=-128&B=TRUE&Blob=AAEC&When=2026-01-02T03%3A04%3A05.123%2B01%3A00" +
				"&Ptrs.member.1.Name=a&Ptrs.member.1.Count=3&Ptrs.member.1.Tags.member.1=t" +
				"&Map.entry.1.key=a&Map.entry.1.value=1&Map.entry.2.key=b" +
				"&PMap.entry.1.key=k&PMap.entry.1.value.Count=2" +
				"&Inner.Name=n&Next.Next.B=false&Next.U8=1&Iface=x&Fn=y&ResultMetadata.X=z&hidden=h",
			into: func() any { return &scalars{} },
			want: &scalars{
				U8: 255, U: ptr(uint(7)), F32: 1.5, F64: ptr(-2.25), I8: -128, B: true, Blob: []byte{0, 1, 2},
				When:  time.Date(2026, 1, 2, 2, 4, 5, 123e6, time.UTC),
				Ptrs:  []*inner{{Name: aws.String("a"), Count: 3, Tags: []string{"t"}}},
				Map:   map[string]string{"a": "1", "b": ""},
				PMap:  map[string]*inner{"k": {Count: 2}},
				Inner: &inner{Name: aws.String("n")},
				Next:  &scalars{U8: 1, Next: &scalars{}},
			},
		},
	}
	c := NewCodec(WithoutModelConstraints())
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.into()
			if err := c.DecodeForm(mustParse(t, tt.form), got); err != nil {
				t.Fatalf("DecodeForm(%q): %v", tt.form, err)
			}
			if diff := cmp.Diff(tt.want, got, sdkCmp); diff != "" {
				t.Errorf("DecodeForm(%q) (-want +got):\n%s", tt.form, diff)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

// sortedJoin joins failures in the order DecodeForm reports them.
func sortedJoin(failures []string) string {
	slices.Sort(failures)
	return strings.Join(failures, "; ")
}

func TestDecodeFormErrors(t *testing.T) {
	tests := []struct {
		name string
		form string
		into func() any
		want string // the ValidationError message
	}{
		{
			name: "missing required member",
			form: "Path=%2F",
			into: func() any { return &iam.CreateUserInput{} },
			want: "1 validation error detected: Value null at 'userName' failed to satisfy constraint: Member must not be null",
		},
		{
			name: "missing nested required members",
			form: "UserName=bob&Tags.member.1.Key=k&Tags.member.2.Value=v",
			into: func() any { return &iam.CreateUserInput{} },
			want: "2 validation errors detected: Value null at 'tags.1.member.value' failed to satisfy constraint: Member must not be null; " +
				"Value null at 'tags.2.member.key' failed to satisfy constraint: Member must not be null",
		},
		{
			name: "missing required enum",
			form: "AccessKeyId=AKIA",
			into: func() any { return &iam.UpdateAccessKeyInput{} },
			want: "1 validation error detected: Value null at 'status' failed to satisfy constraint: Member must not be null",
		},
		{
			name: "bad integer",
			form: "MaxItems=abc",
			into: func() any { return &iam.ListUsersInput{} },
			want: "1 validation error detected: Value 'abc' at 'maxItems' failed to satisfy constraint: Member must be an integer",
		},
		{
			name: "integer out of range",
			form: "MaxItems=2147483648",
			into: func() any { return &iam.ListUsersInput{} },
			want: "1 validation error detected: Value '2147483648' at 'maxItems' failed to satisfy constraint: Member must be an integer",
		},
		{
			name: "bad enum",
			form: "AccessKeyId=AKIA&Status=Bogus",
			into: func() any { return &iam.UpdateAccessKeyInput{} },
			want: "1 validation error detected: Value 'Bogus' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive, Expired]",
		},
		{
			name: "bad list index",
			form: "UserName=bob&Tags.member.x.Key=k",
			into: func() any { return &iam.CreateUserInput{} },
			want: "1 validation error detected: Value 'x' at 'tags' failed to satisfy constraint: Member must be indexed by contiguous integers starting at 1",
		},
		{
			name: "list index gap",
			form: "UserName=bob&Tags.member.1.Key=k&Tags.member.1.Value=v&Tags.member.3.Key=k&Tags.member.3.Value=v",
			into: func() any { return &iam.CreateUserInput{} },
			want: "1 validation error detected: Value '3' at 'tags' failed to satisfy constraint: Member must be indexed by contiguous integers starting at 1",
		},
		{
			name: "list index zero",
			form: "ActionNames.member.0=a&PolicySourceArn=p",
			into: func() any { return &iam.SimulatePrincipalPolicyInput{} },
			want: "1 validation error detected: Value '0' at 'actionNames' failed to satisfy constraint: Member must be indexed by contiguous integers starting at 1",
		},
		{
			name: "list index with leading zero",
			form: "ActionNames.member.01=a&PolicySourceArn=p",
			into: func() any { return &iam.SimulatePrincipalPolicyInput{} },
			want: "1 validation error detected: Value '01' at 'actionNames' failed to satisfy constraint: Member must be indexed by contiguous integers starting at 1",
		},
		{
			name: "huge list index",
			form: "ActionNames.member.99999999999=a&PolicySourceArn=p",
			into: func() any { return &iam.SimulatePrincipalPolicyInput{} },
			want: "1 validation error detected: Value '99999999999' at 'actionNames' failed to satisfy constraint: Member must be indexed by contiguous integers starting at 1",
		},
		{
			name: "bad scalars",
			form: "U8=256&U=-1&F32=x&I8=1.5&B=yes&Blob=!!&When=yesterday&Ptrs.member.1.Count=z&Map.entry.1.value=v&PMap.entry.2.key=k",
			into: func() any { return &scalars{} },
			want: "10 validation errors detected: " + sortedJoin([]string{
				"Value '1.5' at 'i8' failed to satisfy constraint: Member must be an integer",
				"Value '2' at 'pMap' failed to satisfy constraint: Member must be indexed by contiguous integers starting at 1",
				"Value '256' at 'u8' failed to satisfy constraint: Member must be a non-negative integer",
				"Value '-1' at 'u' failed to satisfy constraint: Member must be a non-negative integer",
				"Value '!!' at 'blob' failed to satisfy constraint: Member must be base64-encoded binary data",
				"Value 'x' at 'f32' failed to satisfy constraint: Member must be a number",
				"Value 'yes' at 'b' failed to satisfy constraint: Member must be a boolean",
				"Value 'yesterday' at 'when' failed to satisfy constraint: Member must be a timestamp in ISO 8601 format",
				"Value 'z' at 'ptrs.1.member.count' failed to satisfy constraint: Member must be an integer",
				"Value null at 'map.entry.1.key' failed to satisfy constraint: Member must not be null",
			}),
		},
	}
	c := NewCodec(WithoutModelConstraints())
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := c.DecodeForm(mustParse(t, tt.form), tt.into())
			e, ok := awserr.As(err)
			if !ok {
				t.Fatalf("DecodeForm(%q) = %v, want a ValidationError", tt.form, err)
			}
			want := awserr.ValidationError(tt.want)
			if diff := cmp.Diff(want, e); diff != "" {
				t.Errorf("DecodeForm(%q) (-want +got):\n%s", tt.form, diff)
			}
		})
	}
}

func TestDecodeFormBadTarget(t *testing.T) {
	c := NewCodec(WithoutModelConstraints())
	var nilInput *iam.CreateUserInput
	x := 1
	for _, in := range []any{nil, iam.CreateUserInput{}, nilInput, &x} {
		if err := c.DecodeForm(url.Values{"UserName": {"bob"}}, in); err == nil {
			t.Errorf("DecodeForm(%T) = nil, want an error", in)
		} else if _, ok := awserr.As(err); ok {
			t.Errorf("DecodeForm(%T) = %v, want a programmer error, not a wire error", in, err)
		}
	}
}

// TestDecodeFormRepeatedKeys: a repeated parameter takes its first value, as url.Values.Get does.
func TestDecodeFormRepeatedKeys(t *testing.T) {
	var in iam.GetUserInput
	if err := NewCodec(WithoutModelConstraints()).DecodeForm(url.Values{"UserName": {"a", "b"}, "Empty": {}}, &in); err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(in.UserName); got != "a" {
		t.Errorf("UserName = %q, want %q", got, "a")
	}
}

// TestDecodeFormWideList decodes a list with many elements, given in reverse order, which
// exercises the index of wide tree nodes.
func TestDecodeFormWideList(t *testing.T) {
	const n = 5000
	form := url.Values{"PolicySourceArn": {"a"}}
	want := make([]string, n)
	for i := n; i >= 1; i-- {
		v := "s3:Action" + strconv.Itoa(i)
		form.Set("ActionNames.member."+strconv.Itoa(i), v)
		want[i-1] = v
	}
	var in iam.SimulatePrincipalPolicyInput
	if err := NewCodec(WithoutModelConstraints()).DecodeForm(form, &in); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, in.ActionNames); diff != "" {
		t.Errorf("ActionNames (-want +got):\n%s", diff)
	}
}
