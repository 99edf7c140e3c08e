package trail_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	stssdk "github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/google/go-cmp/cmp"

	"github.com/iamd-dev/iamd/internal/audit"
	"github.com/iamd-dev/iamd/internal/trail"
)

func TestTruncate(t *testing.T) {
	for _, tc := range []struct {
		name string
		s    string
		n    int
		want string
	}{
		{"short", "abc", 5, "abc"},
		{"exact", "abcde", 5, "abcde"},
		{"ascii", "abcdef", 5, "abcde"},
		{"zero", "abc", 0, ""},
		{"empty", "", 3, ""},
		{"2-byte rune across the bound", "abcdé", 5, "abcd"},
		{"2-byte rune ending at the bound", "abcé!", 5, "abcé"},
		{"3-byte rune across the bound, 1 byte in", "abcd€", 5, "abcd"},
		{"3-byte rune across the bound, 2 bytes in", "abc€", 5, "abc"},
		{"3-byte rune ending at the bound", "ab€cd", 5, "ab€"},
		{"4-byte rune across the bound, 3 bytes in", "ab😀", 5, "ab"},
		{"4-byte rune across the bound, 1 byte in", "abcd😀", 5, "abcd"},
		{"4-byte rune ending at the bound", "a😀bc", 5, "a😀"},
		{"rune starting at the bound", "abcde€", 5, "abcde"},
		{"stray continuation bytes", "a\x80\x80\x80\x80\x80\x80", 5, "a\x80\x80\x80\x80"},
		{"invalid lead byte before the bound", "abc\xff\x80\x80", 5, "abc\xff\x80"},
		{"truncated rune in the input", "abc\xe2\x82x", 5, "abc\xe2\x82"},
		{"literal U+FFFD across the bound", "abc\uFFFD", 5, "abc"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := trail.Truncate(tc.s, tc.n)
			if got != tc.want {
				t.Errorf("truncate(%q, %d) = %q, want %q", tc.s, tc.n, got, tc.want)
			}
			if !strings.HasPrefix(tc.s, got) || len(got) > tc.n && len(tc.s) > tc.n {
				t.Errorf("truncate(%q, %d) = %q: not a prefix of at most %d bytes", tc.s, tc.n, got, tc.n)
			}
			if utf8.ValidString(tc.s) && !utf8.ValidString(got) {
				t.Errorf("truncate(%q, %d) = %q: split a rune", tc.s, tc.n, got)
			}
		})
	}
}

// TestBuildBoundsRequestStrings: a call that fails authentication is recorded, and what its
// record copies from the request's headers (User-Agent, a claimed access key, the credential
// scope's region, Host, an Action or X-Amz-Target, an error message echoing the Authorization
// header) is bounded, so that a 60 KB header does not make a 60 KB record. The record stays
// valid JSON and UTF-8, and its index columns are still the ones it implies.
func TestBuildBoundsRequestStrings(t *testing.T) {
	const big = 60 << 10
	t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		fill string // repeated to fill each header-derived field
	}{
		{"ascii", "a"},
		{"2-byte runes", "é"},
		{"3-byte runes", "€"},
		{"4-byte runes", "😀"},
		{"escaped in JSON", "<"},
		{"mixed", "ab€😀é"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			long := strings.Repeat(tc.fill, big/len(tc.fill))
			call := &trail.Call{Service: "iam", Action: long, Account: "123456789012", RequestID: "req-1", SourceIP: "192.0.2.1",
				UserAgent: long, Region: long, Host: long, TLS: true, TLSVersion: "TLSv1.3", CipherSuite: "TLS_AES_128_GCM_SHA256",
				Time: t0, AccessKeyID: long, ErrCode: "IncompleteSignature", ErrMsg: "Authorization header: '" + long + "'."}
			rec, err := trail.Build(call)
			if err != nil {
				t.Fatalf("Build: %v", err)
			}
			// <, > and & are written \u003c: six bytes of JSON per byte of input.
			if limit := 6*(trail.MaxUserAgent+trail.MaxErrorMessage+128+128+64+256) + 1024; len(rec.JSON) > limit {
				t.Errorf("record of a call with %d-byte headers is %d bytes, want at most %d", len(long), len(rec.JSON), limit)
			}
			if len(rec.JSON) > 8<<10 && tc.fill != "<" {
				t.Errorf("record is %d bytes, want under 8 KiB", len(rec.JSON))
			}
			if !utf8.Valid(rec.JSON) {
				t.Errorf("record is not valid UTF-8: %q", rec.JSON)
			}
			var got struct {
				UserAgent, ErrorMessage, EventName, AWSRegion string
				UserIdentity                                  struct{ Type, AccessKeyID string }
				TLSDetails                                    struct{ ClientProvidedHostHeader string }
			}
			if err := json.Unmarshal(rec.JSON, &got); err != nil {
				t.Fatalf("record is not JSON: %v: %s", err, rec.JSON)
			}
			for _, f := range []struct {
				field, got, sent string
				max              int
			}{
				{"userAgent", got.UserAgent, long, trail.MaxUserAgent},
				{"errorMessage", got.ErrorMessage, call.ErrMsg, trail.MaxErrorMessage},
				{"eventName", got.EventName, long, 128},
				{"awsRegion", got.AWSRegion, long, 64},
				{"userIdentity.accessKeyId", got.UserIdentity.AccessKeyID, long, 128},
				{"tlsDetails.clientProvidedHostHeader", got.TLSDetails.ClientProvidedHostHeader, long, 256},
			} {
				// Cut at a rune boundary: at most UTFMax-1 bytes short of the bound.
				if !strings.HasPrefix(f.sent, f.got) || len(f.got) > f.max || len(f.got) <= f.max-utf8.UTFMax {
					t.Errorf("%s is %d bytes %.20q…, want a prefix of the %d bytes sent, of %d to %d bytes",
						f.field, len(f.got), f.got, len(f.sent), f.max-utf8.UTFMax+1, f.max)
				}
			}
			if got.UserIdentity.Type != "Unknown" {
				t.Errorf("userIdentity.type = %q, want Unknown", got.UserIdentity.Type)
			}
			want, err := audit.Summarize(rec.JSON)
			if err != nil {
				t.Fatalf("Summarize: %v", err)
			}
			cols := audit.Summary{Time: want.Time, Account: rec.Account, Source: rec.Source, Name: rec.Name, ID: rec.ID,
				Username: rec.Username, AccessKey: rec.AccessKey, ReadOnly: rec.ReadOnly, Resources: rec.Resources}
			if diff := cmp.Diff(want, cols); diff != "" {
				t.Errorf("Build's columns (-Summarize +Build):\n%s", diff)
			}
			if _, err := audit.CheckIndex(1, rec.JSON, cols); err != nil {
				t.Errorf("CheckIndex: %v", err)
			}
		})
	}
}

// TestBuildKeepsShortStrings: values within the bounds are recorded whole.
func TestBuildKeepsShortStrings(t *testing.T) {
	ua := strings.Repeat("€", trail.MaxUserAgent/3) + "a" // exactly MaxUserAgent bytes
	msg := strings.Repeat("m", trail.MaxErrorMessage)
	call := &trail.Call{Service: "sts", Action: "GetCallerIdentity", RequestID: "req-1", UserAgent: ua, Region: "eu-west-1",
		Time: time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC), AccessKeyID: "AKIAIOSFODNN7EXAMPLE", ErrCode: "InvalidClientTokenId", ErrMsg: msg}
	rec, err := trail.Build(call)
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	var got struct {
		UserAgent, ErrorMessage, EventName, AWSRegion string
		UserIdentity                                  struct{ AccessKeyID string }
	}
	if err := json.Unmarshal(rec.JSON, &got); err != nil {
		t.Fatalf("record is not JSON: %v: %s", err, rec.JSON)
	}
	want := got
	want.UserAgent, want.ErrorMessage, want.EventName, want.AWSRegion, want.UserIdentity.AccessKeyID = ua, msg, call.Action, call.Region, call.AccessKeyID
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("record of a call within the bounds (-want +got):\n%s", diff)
	}
}

// TestBuildOmitsLargeFields: requestParameters or responseElements whose JSON is over
// trail.MaxFieldSize (CloudTrail's 100 KB) are written as {"omitted":true}, so that a request
// that fails validation with a 500 KB parameter makes a small record; the record is valid JSON,
// its lookup columns are still the ones it implies, and a field at the bound is kept whole.
func TestBuildOmitsLargeFields(t *testing.T) {
	const omitted = `{"omitted":true}`
	t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	role := "arn:aws:iam::123456789012:role/deploy"
	// overhead is the JSON around one string member of the parameters.
	overhead := func(v func(string) any) int {
		raw, _, ok := trail.EncodeFast(v("x"))
		if !ok {
			t.Fatalf("EncodeFast(%T) is not supported", v("x"))
		}
		return len(raw) - 1
	}
	policyDoc := func(s string) any { return &iamsdk.CreatePolicyInput{PolicyDocument: aws.String(s)} }
	atBound := strings.Repeat("a", trail.MaxFieldSize-overhead(policyDoc))
	type tagged struct {
		Name string `json:"name"` // a JSON tag: the encoder does not model it, Build takes the general path
	}
	big := strings.Repeat("a", 500<<10)
	for _, tc := range []struct {
		name          string
		call          trail.Call
		params, resp  string // want; "" means kept as encoded
		wantResources []string
		maxSize       int
	}{
		{
			name: "unsigned AssumeRoleWithWebIdentity with a 500 KB RoleSessionName",
			call: trail.Call{Service: "sts", Action: "AssumeRoleWithWebIdentity", ErrCode: "ValidationError", ErrMsg: "1 validation error detected",
				Params: &stssdk.AssumeRoleWithWebIdentityInput{RoleArn: aws.String(role), RoleSessionName: aws.String(big), WebIdentityToken: aws.String("eyJ")}},
			params: omitted, maxSize: 4 << 10,
		},
		{
			name: "500 KB of 3-byte runes",
			call: trail.Call{Service: "iam", Action: "CreateUser", ErrCode: "ValidationError",
				Params: &iamsdk.CreateUserInput{UserName: aws.String(strings.Repeat("€", 500<<10/3))}},
			params: omitted, maxSize: 4 << 10,
		},
		{
			name: "escaping makes it too large", // 20 KB of '<' is 120 KB of JSON
			call: trail.Call{Service: "iam", Action: "CreatePolicy", Caller: callers()[1],
				Params: &iamsdk.CreatePolicyInput{PolicyName: aws.String("p"), PolicyDocument: aws.String(strings.Repeat("<", 20<<10))}},
			params: omitted, maxSize: 4 << 10,
		},
		{
			name: "at the bound", call: trail.Call{Service: "iam", Action: "CreatePolicy", Caller: callers()[1], Params: policyDoc(atBound)},
			maxSize: trail.MaxFieldSize + 4<<10,
		},
		{
			name: "a byte over the bound", call: trail.Call{Service: "iam", Action: "CreatePolicy", Caller: callers()[1], Params: policyDoc(atBound + "a")},
			params: omitted, maxSize: 4 << 10,
		},
		{
			name: "secrets do not count", // the password is left out, what remains is small
			call: trail.Call{Service: "iam", Action: "CreateLoginProfile", Caller: callers()[1],
				Params: &iamsdk.CreateLoginProfileInput{UserName: aws.String("bob"), Password: aws.String(big)}},
			wantResources: []string{"AWS::IAM::User\x00bob"}, maxSize: 4 << 10,
		},
		{
			name: "resources are no longer those of the parameters",
			call: trail.Call{Service: "iam", Action: "PutUserPolicy", Caller: callers()[1], ErrCode: "MalformedPolicyDocument",
				Params: &iamsdk.PutUserPolicyInput{UserName: aws.String("bob"), PolicyName: aws.String("p"), PolicyDocument: aws.String(big)}},
			params: omitted, maxSize: 4 << 10,
		},
		{
			name: "a successful AssumeRole keeps the role it names in resources",
			call: trail.Call{Service: "sts", Action: "AssumeRole", Caller: callers()[1],
				Params: &stssdk.AssumeRoleInput{RoleArn: aws.String(role), RoleSessionName: aws.String("s"), Policy: aws.String(big)}},
			params: omitted, wantResources: []string{"AWS::IAM::Role\x00" + role, "AWS::IAM::Role\x00deploy"}, maxSize: 4 << 10,
		},
		{
			name: "a large response",
			call: trail.Call{Service: "iam", Action: "CreateRole", Caller: callers()[1],
				Params:   &iamsdk.CreateRoleInput{RoleName: aws.String("r")},
				Response: &iamsdk.CreateRoleOutput{Role: &iamtypes.Role{RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String(big)}}},
			resp: omitted, wantResources: []string{"AWS::IAM::Role\x00r"}, maxSize: 4 << 10,
		},
		{
			name: "the general path", call: trail.Call{Service: "iam", Action: "X", Caller: callers()[1], Params: &tagged{Name: big}},
			params: omitted, maxSize: 4 << 10,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			call := tc.call
			call.Account, call.RequestID, call.Time = "123456789012", "req-1", t0
			rec, err := trail.Build(&call)
			if err != nil {
				t.Fatalf("Build: %v", err)
			}
			if len(rec.JSON) > tc.maxSize {
				t.Errorf("record is %d bytes, want at most %d", len(rec.JSON), tc.maxSize)
			}
			var got struct {
				RequestParameters, ResponseElements json.RawMessage
			}
			if err := json.Unmarshal(rec.JSON, &got); err != nil {
				t.Fatalf("record is not JSON: %v: %.300s", err, rec.JSON)
			}
			for _, f := range []struct {
				name, want string
				got        json.RawMessage
				v          any
			}{
				{"requestParameters", tc.params, got.RequestParameters, call.Params},
				{"responseElements", tc.resp, got.ResponseElements, call.Response},
			} {
				want := f.want
				if want == "" {
					want = "null"
					if f.v != nil {
						raw, _ := trail.EncodeLegacy(f.v)
						want = string(raw)
					}
				}
				if string(f.got) != want {
					t.Errorf("%s is %d bytes %.60s…, want %d bytes %.60s…", f.name, len(f.got), f.got, len(want), want)
				}
			}
			sum, err := audit.Summarize(rec.JSON)
			if err != nil {
				t.Fatalf("Summarize: %v", err)
			}
			if diff := cmp.Diff(tc.wantResources, sum.Resources); diff != "" {
				t.Errorf("resources the record implies (-want +got):\n%s", diff)
			}
			cols := audit.Summary{Time: rec.Time, Account: rec.Account, Source: rec.Source, Name: rec.Name, ID: rec.ID,
				Username: rec.Username, AccessKey: rec.AccessKey, ReadOnly: rec.ReadOnly, Resources: rec.Resources}
			if _, err := audit.CheckIndex(1, rec.JSON, cols); err != nil {
				t.Errorf("CheckIndex of Build's columns: %v", err)
			}
			legacy, err := trail.BuildLegacy(&call, rec.ID)
			if err != nil {
				t.Fatalf("BuildLegacy: %v", err)
			}
			if !bytes.Equal(legacy, rec.JSON) {
				t.Errorf("Build and the general path differ:\nBuild:   %.300s\ngeneral: %.300s", rec.JSON, legacy)
			}
		})
	}
}
