package query

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/google/go-cmp/cmp"

	"github.com/iamd-dev/iamd/internal/api/awserr"
)

type shape interface{ isShape() }

type shapeMemberCircle struct{ Value float64 }

type shapeMemberBox struct{ Value *box }

type shapeMemberName struct{ Value string }

type shapeMemberUnregistered struct{ Value string }

type box struct {
	W     int32
	Label *string
}

func (*shapeMemberCircle) isShape()       {}
func (*shapeMemberBox) isShape()          {}
func (*shapeMemberName) isShape()         {}
func (*shapeMemberUnregistered) isShape() {}

type holder struct {
	S     shape
	L     []shape
	Other any
	W     weirdEnum
}

// weirdEnum has a Values method of the wrong shape, so it is a plain string.
type weirdEnum string

func (weirdEnum) Values() []string { return []string{"a"} }

func shapeCodec() *Codec {
	return NewCodec(WithUnion[shape](&shapeMemberCircle{}, &shapeMemberBox{}), WithUnion[shape](&shapeMemberName{}))
}

func TestUnionDecode(t *testing.T) {
	tests := []struct {
		name string
		form string
		want holder
	}{
		{"scalar member", "S.Circle=1.5", holder{S: &shapeMemberCircle{1.5}}},
		{"pointer member", "S.Box.W=2&S.Box.Label=l", holder{S: &shapeMemberBox{&box{W: 2, Label: aws.String("l")}}}},
		{"unknown member", "S.Bogus=1&Other.X=1", holder{}},
		{"list", "L.member.1.Name=a&L.member.2.Bogus=1&W=zzz", holder{L: []shape{&shapeMemberName{"a"}, nil}, W: "zzz"}},
	}
	c := shapeCodec()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got holder
			if err := c.DecodeForm(mustParse(t, tt.form), &got); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("DecodeForm(%q) (-want +got):\n%s", tt.form, diff)
			}
		})
	}
}

func TestUnionDecodeErrors(t *testing.T) {
	tests := []struct {
		name string
		form string
		into any
		want string
	}{
		{
			name: "two members",
			form: "S.Circle=1&S.Name=x",
			into: &holder{},
			want: "1 validation error detected: Value '' at 's' failed to satisfy constraint: Member must have exactly one of [Box, Circle, Name] set",
		},
		{
			name: "bad member value",
			form: "S.Box.W=x",
			into: &holder{},
			want: "1 validation error detected: Value 'x' at 's.box.w' failed to satisfy constraint: Member must be an integer",
		},
		{
			name: "required members inside an SDK union",
			form: "PolicySourceArn=a&ActionNames.member.1=s3%3AGetObject&PolicyExclusionList.member.1.InlinePolicyIdentifier.PolicyName=p&PolicyExclusionList.member.2.PolicyArn=arn",
			into: &iam.SimulatePrincipalPolicyInput{},
			want: "2 validation errors detected: " +
				"Value null at 'policyExclusionList.1.member.inlinePolicyIdentifier.attachmentName' failed to satisfy constraint: Member must not be null; " +
				"Value null at 'policyExclusionList.1.member.inlinePolicyIdentifier.attachmentType' failed to satisfy constraint: Member must not be null",
		},
	}
	c := NewCodec(append(sdkUnionOptions(), WithoutModelConstraints(), WithUnion[shape](&shapeMemberCircle{}, &shapeMemberBox{}, &shapeMemberName{}))...)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := c.DecodeForm(mustParse(t, tt.form), tt.into)
			if diff := cmp.Diff(awserr.ValidationError(tt.want), err); diff != "" {
				t.Errorf("DecodeForm(%q) (-want +got):\n%s", tt.form, diff)
			}
		})
	}
}

// TestUnionRequiredSkipsEmpty: a union holding a nil member, or a member with a nil pointer
// Value, has nothing to check.
func TestUnionRequiredSkipsEmpty(t *testing.T) {
	c := shapeCodec()
	p := c.plan(reflect.TypeFor[holder]())
	for _, h := range []holder{
		{S: (*shapeMemberBox)(nil)},
		{S: &shapeMemberBox{}},
		{L: []shape{&shapeMemberCircle{}, &shapeMemberBox{&box{}}}},
	} {
		d := decoder{}
		d.checkRequired(p, reflect.ValueOf(&h).Elem())
		if len(d.failures) != 0 {
			t.Errorf("checkRequired(%+v) = %q, want none", h, d.failures)
		}
	}
}

func TestUnionEncode(t *testing.T) {
	tests := []struct {
		name string
		in   holder
		want string
	}{
		{"scalar member", holder{S: &shapeMemberCircle{2.5}}, "<S><Circle>2.5</Circle></S>"},
		{"pointer member", holder{S: &shapeMemberBox{&box{W: 1}}}, "<S><Box><W>1</W></Box></S>"},
		{"nil pointer value", holder{S: &shapeMemberBox{}}, "<S></S>"},
		{"nil member", holder{S: (*shapeMemberName)(nil)}, "<S></S>"},
		{"unregistered member", holder{S: &shapeMemberUnregistered{"x"}}, "<S></S>"},
		{"list", holder{L: []shape{&shapeMemberName{"a"}, nil}}, "<L><member><Name>a</Name></member><member></member></L>"},
		{"unregistered interface", holder{Other: 1}, ""},
	}
	c := shapeCodec()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := c.EncodeResponse(&buf, "X", "ns", "id", &tt.in); err != nil {
				t.Fatal(err)
			}
			want := `<XResponse xmlns="ns"><XResult>` + tt.want + `</XResult><ResponseMetadata><RequestId>id</RequestId></ResponseMetadata></XResponse>`
			if diff := cmp.Diff(want, buf.String()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

type notNamedRight struct{ Value string }

func (*notNamedRight) isShape() {}

type shapeMemberNoValue struct{ V string }

func (*shapeMemberNoValue) isShape() {}

type shapeMemberValue struct{ Value string }

func (shapeMemberValue) isShape() {}

func TestWithUnionPanics(t *testing.T) {
	tests := []struct {
		name string
		opt  func() Option
	}{
		{"not an interface", func() Option { return WithUnion[int](1) }},
		{"nil member", func() Option { return WithUnion[shape](nil) }},
		{"not a pointer", func() Option { return WithUnion[shape](shapeMemberValue{}) }},
		{"no Value", func() Option { return WithUnion[shape](&shapeMemberNoValue{}) }},
		{"wrong name", func() Option { return WithUnion[shape](&notNamedRight{}) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("WithUnion did not panic")
				}
			}()
			tt.opt()
		})
	}
}

// TestSDKUnionRoundTrip spells out one SimulatePrincipalPolicy request with every
// PolicyIdentifier member, as the SDK serializes it.
func TestSDKUnionRoundTrip(t *testing.T) {
	s, client, _ := startServer(t, IAMNamespace, newIAMClient)
	in := &iam.SimulatePrincipalPolicyInput{
		PolicySourceArn: aws.String("arn:aws:iam::123456789012:user/bob"),
		ActionNames:     []string{"s3:GetObject"},
		PolicyExclusionList: []iamtypes.PolicyIdentifier{
			&iamtypes.PolicyIdentifierMemberPolicyArn{Value: "arn:aws:iam::aws:policy/ReadOnlyAccess"},
			&iamtypes.PolicyIdentifierMemberPolicyType{Value: iamtypes.PolicyIdentifierPolicyTypeInline},
			&iamtypes.PolicyIdentifierMemberInlinePolicyIdentifier{Value: iamtypes.InlinePolicyIdentifierType{
				AttachmentName: aws.String("bob"), AttachmentType: iamtypes.AttachmentTypeUser, PolicyName: aws.String("p"),
			}},
		},
	}
	s.mu.Lock()
	s.out, s.errOut = &iam.SimulatePrincipalPolicyOutput{}, nil
	s.mu.Unlock()
	if _, err := client.SimulatePrincipalPolicy(t.Context(), in); err != nil {
		t.Fatal(err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.decErr != nil {
		t.Fatal(s.decErr)
	}
	if diff := cmp.Diff(in, s.got, sdkCmp); diff != "" {
		t.Errorf("decoded (-sent +decoded):\n%s", diff)
	}
}

// TestSDKUnionsComplete walks every IAM and STS input and output type and fails for any
// interface-typed member whose union sdkUnions does not list, so that the registration the
// API layer copies from Example stays complete when the SDK grows unions.
func TestSDKUnionsComplete(t *testing.T) {
	known := sdkUnions()
	seen := map[reflect.Type]bool{}
	var walk func(reflect.Type, string)
	walk = func(rt reflect.Type, where string) {
		for rt.Kind() == reflect.Pointer || rt.Kind() == reflect.Slice || rt.Kind() == reflect.Map {
			rt = rt.Elem()
		}
		if seen[rt] {
			return
		}
		seen[rt] = true
		switch rt.Kind() {
		case reflect.Interface:
			if _, ok := known[rt]; !ok {
				t.Errorf("%s: union %s is not registered in sdkUnions", where, rt)
			}
			for _, m := range known[rt] {
				walk(m, where)
			}
		case reflect.Struct:
			for i := range rt.NumField() {
				if f := rt.Field(i); f.IsExported() && f.Name != "ResultMetadata" {
					walk(f.Type, rt.Name()+"."+f.Name)
				}
			}
		}
	}
	for _, client := range []any{iam.New(iam.Options{}), sts.New(sts.Options{})} {
		for _, op := range operations(client) {
			walk(op.in, op.name)
			walk(op.out, op.name)
		}
	}
}
