package query

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
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

var created = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

var testUser = &iamtypes.User{
	Arn:              aws.String("arn:aws:iam::123456789012:user/division_abc/subdivision_xyz/Bob"),
	CreateDate:       aws.Time(created),
	Path:             aws.String("/division_abc/subdivision_xyz/"),
	UserId:           aws.String("AIDACKCEVSQ6C2EXAMPLE"),
	UserName:         aws.String("Bob"),
	Tags:             []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String("a&b")}},
	PasswordLastUsed: aws.Time(created.Add(1500 * time.Millisecond)),
}

// TestGolden pins the XML of a few responses; go test -update rewrites testdata/*.golden.
func TestGolden(t *testing.T) {
	tests := []struct {
		name      string
		action    string
		namespace string
		out       any
		err       *awserr.Error
	}{
		{name: "GetUser", action: "GetUser", namespace: IAMNamespace, out: &iam.GetUserOutput{User: testUser}},
		{name: "ListUsers", action: "ListUsers", namespace: IAMNamespace, out: &iam.ListUsersOutput{
			Users: []iamtypes.User{*testUser, {UserName: aws.String("Alice")}}, IsTruncated: true, Marker: aws.String("next"),
		}},
		{name: "ListUsersEmpty", action: "ListUsers", namespace: IAMNamespace, out: &iam.ListUsersOutput{Users: []iamtypes.User{}}},
		{name: "DeleteUser", action: "DeleteUser", namespace: IAMNamespace, out: &iam.DeleteUserOutput{}},
		{name: "UpdateRole", action: "UpdateRole", namespace: IAMNamespace, out: &iam.UpdateRoleOutput{}},
		{name: "GetRolePolicy", action: "GetRolePolicy", namespace: IAMNamespace, out: &iam.GetRolePolicyOutput{
			RoleName: aws.String("r"), PolicyName: aws.String("p"),
			PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`),
		}},
		{name: "GetAccountSummary", action: "GetAccountSummary", namespace: IAMNamespace, out: &iam.GetAccountSummaryOutput{
			SummaryMap: map[string]int32{"Users": 3, "Groups": 1},
		}},
		{name: "AssumeRole", action: "AssumeRole", namespace: STSNamespace, out: &sts.AssumeRoleOutput{
			AssumedRoleUser: &ststypes.AssumedRoleUser{Arn: aws.String("arn:aws:sts::123456789012:assumed-role/r/s"), AssumedRoleId: aws.String("AROA3XFRBF535PLBIFPI4:s")},
			Credentials: &ststypes.Credentials{
				AccessKeyId: aws.String("ASIAIOSFODNN7EXAMPLE"), SecretAccessKey: aws.String("wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY"),
				SessionToken: aws.String("token"), Expiration: aws.Time(created.Add(time.Hour)),
			},
			PackedPolicySize: aws.Int32(6),
			SourceIdentity:   aws.String("src"),
		}},
		{name: "ErrorNoSuchEntity", namespace: IAMNamespace, err: awserr.NoSuchEntity("The user with name Bob cannot be found.")},
		{name: "ErrorServiceFailure", namespace: STSNamespace, err: awserr.ServiceFailure("")},
	}
	c := NewCodec()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			var err error
			if tt.err != nil {
				err = c.EncodeError(&buf, tt.namespace, "7a62c49f-347e-4fc4-9331-6e8eEXAMPLE", tt.err)
			} else {
				err = c.EncodeResponse(&buf, tt.action, tt.namespace, "7a62c49f-347e-4fc4-9331-6e8eEXAMPLE", tt.out)
			}
			if err != nil {
				t.Fatal(err)
			}
			buf.WriteByte('\n')
			path := filepath.Join("testdata", tt.name+".golden")
			if *update {
				if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), buf.String()); diff != "" {
				t.Errorf("%s (-golden +got):\n%s", tt.name, diff)
			}
		})
	}
}

type encodeKinds struct {
	U     uint16
	F     float32
	Blob  []byte
	Ptrs  []*inner
	PMap  map[string]*inner
	Empty map[string]string
	S     string
	Enum  iamtypes.StatusType
	B     bool
	When  time.Time
	Iface any
}

func TestEncodeResponse(t *testing.T) {
	tests := []struct {
		name string
		out  any
		want string // the content of <XResult>, or "-" for no Result element
	}{
		{"nil output", nil, "-"},
		{"struct value", iam.GetUserOutput{User: &iamtypes.User{UserName: aws.String("a")}}, "<User><UserName>a</UserName></User>"},
		{"other kinds", &encodeKinds{
			U: 7, F: 1.5, Blob: []byte{0, 1, 2}, Ptrs: []*inner{nil, {Count: 1}},
			PMap: map[string]*inner{"b": nil, "a": {Tags: []string{}}}, Empty: map[string]string{},
			S: "x", B: false, When: created.Add(123456789 * time.Nanosecond),
		}, "<U>7</U><F>1.5</F><Blob>AAEC</Blob><Ptrs><member></member><member><Count>1</Count></member></Ptrs>" +
			"<PMap><entry><key>a</key><value><Count>0</Count><Tags></Tags></value></entry><entry><key>b</key><value></value></entry></PMap>" +
			"<Empty></Empty><S>x</S><B>false</B><When>2026-01-02T03:04:05.123Z</When>"},
		{"escaping", &encodeKinds{S: "a\x00b\xffc\r\n<&>\"'\U0001F600\uFFFE"},
			"<U>0</U><F>0</F><S>a\uFFFDb\uFFFDc&#xD;\n&lt;&amp;&gt;&quot;'\U0001F600\uFFFD</S><B>false</B><When>0001-01-01T00:00:00Z</When>"},
	}
	c := NewCodec()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := c.EncodeResponse(&buf, "X", "ns", "id", tt.out); err != nil {
				t.Fatal(err)
			}
			want := `<XResponse xmlns="ns"><XResult>` + tt.want + `</XResult><ResponseMetadata><RequestId>id</RequestId></ResponseMetadata></XResponse>`
			if tt.want == "-" {
				want = `<XResponse xmlns="ns"><ResponseMetadata><RequestId>id</RequestId></ResponseMetadata></XResponse>`
			}
			if diff := cmp.Diff(want, buf.String()); diff != "" {
				t.Errorf("EncodeResponse(%#v) (-want +got):\n%s", tt.out, diff)
			}
		})
	}
}

func TestEncodeResponseBadOutput(t *testing.T) {
	c := NewCodec()
	var nilOut *iam.GetUserOutput
	for _, out := range []any{nilOut, 1, "x"} {
		if err := c.EncodeResponse(&bytes.Buffer{}, "X", "ns", "id", out); err == nil {
			t.Errorf("EncodeResponse(%#v) = nil, want an error", out)
		}
	}
}

type failWriter struct{}

var errWrite = errors.New("write failed")

func (failWriter) Write([]byte) (int, error) { return 0, errWrite }

func TestEncodeWriteError(t *testing.T) {
	c := NewCodec()
	if err := c.EncodeResponse(failWriter{}, "X", "ns", "id", nil); !errors.Is(err, errWrite) {
		t.Errorf("EncodeResponse to a failing writer = %v, want %v", err, errWrite)
	}
	if err := c.EncodeError(failWriter{}, "ns", "id", awserr.AccessDenied("")); !errors.Is(err, errWrite) {
		t.Errorf("EncodeError to a failing writer = %v, want %v", err, errWrite)
	}
}

func TestEncodeError(t *testing.T) {
	tests := []struct {
		name string
		err  *awserr.Error
		want string // <Type>, <Code>, <Message>
	}{
		{"nil is InternalFailure", nil, "<Type>Receiver</Type><Code>InternalFailure</Code><Message>The request processing has failed because of an unknown error, exception or failure.</Message>"},
		{"no fault, client status", &awserr.Error{Code: "X", Status: 400, Message: "m"}, "<Type>Sender</Type><Code>X</Code><Message>m</Message>"},
		{"no fault, server status", &awserr.Error{Code: "Y", Status: 503}, "<Type>Receiver</Type><Code>Y</Code><Message></Message>"},
		{"escaping", awserr.InvalidInput("a<b"), "<Type>Sender</Type><Code>InvalidInput</Code><Message>a&lt;b</Message>"},
	}
	c := NewCodec()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := c.EncodeError(&buf, "ns", "id", tt.err); err != nil {
				t.Fatal(err)
			}
			want := `<ErrorResponse xmlns="ns"><Error>` + tt.want + `</Error><RequestId>id</RequestId></ErrorResponse>`
			if diff := cmp.Diff(want, buf.String()); diff != "" {
				t.Errorf("EncodeError(%v) (-want +got):\n%s", tt.err, diff)
			}
		})
	}
}

// TestBufferReuse: a response larger than the pooled limit is written whole and not pooled.
func TestBufferReuse(t *testing.T) {
	c := NewCodec()
	big := strings.Repeat("x", 70<<10)
	for range 3 {
		var buf bytes.Buffer
		if err := c.EncodeResponse(&buf, "X", "ns", "id", &iamtypes.Tag{Key: aws.String(big)}); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(buf.String(), big) {
			t.Fatal("large response truncated")
		}
	}
}

func TestPercentEncoding(t *testing.T) {
	got := string(appendPercentEncoded(nil, `{"a": "b*~-._/"}é`))
	want := "%7B%22a%22%3A%20%22b%2A~-._%2F%22%7D%C3%A9"
	if got != want {
		t.Errorf("appendPercentEncoded = %q, want %q", got, want)
	}
}

// TestResponseNames: members whose element name differs from the Go name (per the SDK's
// deserializers) are written under the SDK's name, which case-sensitive clients need.
func TestResponseNames(t *testing.T) {
	var buf bytes.Buffer
	if err := NewCodec().EncodeResponse(&buf, "ListDelegationRequests", IAMNamespace, "id", &iam.ListDelegationRequestsOutput{IsTruncated: true}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "<isTruncated>true</isTruncated>") {
		t.Errorf("response %s lacks <isTruncated>", buf.String())
	}
}
