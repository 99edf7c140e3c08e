package audit

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestRedact(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string // "" means nil
	}{
		{"nil", "", ""},
		{"invalid JSON", `{"password":`, ""},
		{"trailing garbage", `{"a":1} x`, ""},
		{"null", `null`, `null`},
		{"scalar", `"password"`, `"password"`},
		{"no secrets", `{"userName":"Bob","path":"/"}`, `{"userName":"Bob","path":"/"}`},
		{"no secrets keeps layout", "{ \"userName\" : \"Bob\" }", "{ \"userName\" : \"Bob\" }"},
		{"empty object", `{}`, `{}`},
		{"empty array", ` [ ] `, ` [ ] `},
		{
			"CreateAccessKey response",
			`{"accessKey":{"userName":"Bob","accessKeyId":"AKIAIOSFODNN7EXAMPLE","status":"Active","secretAccessKey":"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY","createDate":"2024-01-02T03:04:05Z"}}`,
			`{"accessKey":{"userName":"Bob","accessKeyId":"AKIAIOSFODNN7EXAMPLE","status":"Active","createDate":"2024-01-02T03:04:05Z"}}`,
		},
		{
			"AssumeRole response",
			`{"credentials":{"accessKeyId":"ASIAEXAMPLE","secretAccessKey":"s","sessionToken":"t","expiration":"2024-01-02T04:04:05Z"},"assumedRoleUser":{"arn":"arn:aws:sts::123456789012:assumed-role/R/s"}}`,
			`{"credentials":{"accessKeyId":"ASIAEXAMPLE","expiration":"2024-01-02T04:04:05Z"},"assumedRoleUser":{"arn":"arn:aws:sts::123456789012:assumed-role/R/s"}}`,
		},
		{
			"AssumeRole request keeps serialNumber",
			`{"roleArn":"arn:aws:iam::123456789012:role/R","serialNumber":"arn:aws:iam::123456789012:mfa/Bob","tokenCode":"123456"}`,
			`{"roleArn":"arn:aws:iam::123456789012:role/R","serialNumber":"arn:aws:iam::123456789012:mfa/Bob"}`,
		},
		{
			"CreateLoginProfile keeps passwordResetRequired",
			`{"userName":"Bob","password":"hunter2","passwordResetRequired":true}`,
			`{"userName":"Bob","passwordResetRequired":true}`,
		},
		{"ChangePassword", `{"oldPassword":"a","newPassword":"b"}`, `{}`},
		{"first member", `{"password":"x","a":1,"b":2}`, `{"a":1,"b":2}`},
		{"middle member", `{"a":1,"password":"x","b":2}`, `{"a":1,"b":2}`},
		{"last member", `{"a":1,"b":2,"password":"x"}`, `{"a":1,"b":2}`},
		{"consecutive", `{"a":1,"password":"x","sessionToken":"y","b":2}`, `{"a":1,"b":2}`},
		{"object value", `{"privateKey":{"pem":"-----BEGIN"},"a":[1]}`, `{"a":[1]}`},
		{"array value", `{"SAMLAssertion":["x",{"y":1}],"a":null}`, `{"a":null}`},
		{"in arrays of objects", `{"keys":[{"id":"A","secretAccessKey":"s"},{"id":"B"},7,[{"password":"p","q":true}]]}`,
			`{"keys":[{"id":"A"},{"id":"B"},7,[{"q":true}]]}`},
		{"deep", `{"a":{"b":{"c":{"d":[{"e":{"webIdentityToken":"eyJ","f":-1.5e3}}]}}}}`, `{"a":{"b":{"c":{"d":[{"e":{"f":-1.5e3}}]}}}}`},
		{"top-level array", `[{"password":"p"},{"ok":false}]`, `[{},{"ok":false}]`},
		{"pretty input is compacted when redacting", "{\n  \"a\" : [ 1 , 2 ],\n  \"password\" : \"p\"\n}", `{"a":[1,2]}`},
		{"upper case", `{"SECRETACCESSKEY":"s","Password":"p","SessionToken":"t"}`, `{}`},
		{"Query form case", `{"SecretAccessKey":"s","OldPassword":"p","NewPassword":"q","TokenCode":"1","SAMLAssertion":"x","WebIdentityToken":"y"}`, `{}`},
		{"MFA device", `{"serialNumber":"arn:aws:iam::123456789012:mfa/d","base32StringSeed":"AAAA","qrCodePNG":"iVBOR","authenticationCode1":"1","authenticationCode2":"2"}`,
			`{"serialNumber":"arn:aws:iam::123456789012:mfa/d"}`},
		{"service credentials", `{"serviceUserName":"u","servicePassword":"p","serviceCredentialSecret":"s"}`, `{"serviceUserName":"u"}`},
		{"SAML provider key", `{"name":"idp","addPrivateKey":"-----BEGIN"}`, `{"name":"idp"}`},
		{"escaped key", `{"p\u0061ssword":"x","a\u0062":1}`, `{"a\u0062":1}`},
		{"escaped quote in key", `{"pass\"word":"x"}`, `{"pass\"word":"x"}`},
		{"long s folds to s", `{"pa\u017f\u017fword":"x","ok":1}`, `{"ok":1}`},
		{"long s written raw", "{\"pa\u017f\u017fword\":\"x\",\"ok\":1}", `{"ok":1}`},
		{"Kelvin sign folds to k, long key", "{\"servicecredentialsecret\u212a\":1,\"secretaccess\u212aey\":\"x\",\"ok\":1}",
			"{\"servicecredentialsecret\u212a\":1,\"ok\":1}"},
		{"long non-secret key with non-ASCII", "{\"servicecredential\u017fecret\":\"x\",\"\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\":1}",
			"{\"\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\":1}"},
		{"long plain key", `{"aVeryLongParameterNameIndeed":1,"password":"p"}`, `{"aVeryLongParameterNameIndeed":1}`},
		{"secret word as a value", `{"name":"password","note":"secretAccessKey"}`, `{"name":"password","note":"secretAccessKey"}`},
		{"similar keys stay", `{"passwordPolicy":{},"secretAccessKeyId":"x","sessionTokenExpiry":1,"passwords":[]}`,
			`{"passwordPolicy":{},"secretAccessKeyId":"x","sessionTokenExpiry":1,"passwords":[]}`},
		{"strings with escapes and brackets", `{"a":"}\"]{,","password":"\\\"","b":"\u00e9"}`, `{"a":"}\"]{,","b":"\u00e9"}`},
		{"literals", `{"t":true,"f":false,"n":null,"password":true}`, `{"t":true,"f":false,"n":null}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := json.RawMessage(tt.in)
			if tt.in == "" {
				in = nil
			}
			got := Redact(in)
			if tt.want == "" {
				if got != nil {
					t.Errorf("Redact(%s) = %s, want nil", tt.in, got)
				}
				return
			}
			if string(got) != tt.want {
				t.Errorf("Redact(%s)\n got %s\nwant %s", tt.in, got, tt.want)
			}
			if !json.Valid(got) {
				t.Errorf("Redact(%s) = %s, which is not valid JSON", tt.in, got)
			}
		})
	}
}

// TestRedactReturnsInputWhenClean pins the no-copy path that keeps recording cheap.
func TestRedactReturnsInputWhenClean(t *testing.T) {
	in := json.RawMessage(`{"userName":"Bob","tags":[{"key":"k","value":"v"}]}`)
	got := Redact(in)
	if len(got) == 0 || &got[0] != &in[0] {
		t.Errorf("Redact of clean input copied it: %s", got)
	}
	if raceEnabled {
		return
	}
	if allocs := testing.AllocsPerRun(100, func() { Redact(in) }); allocs != 0 {
		t.Errorf("Redact of clean input: %v allocations, want 0", allocs)
	}
}

func TestRedactKeepsEverythingElse(t *testing.T) {
	in := json.RawMessage(`{"b":{"x":[1,{"password":"p","y":"z"}]},"a":"s","secretAccessKey":"k","c":[true,null,1.25]}`)
	got := decodeJSON(t, Redact(in))
	want := stripSecrets(decodeJSON(t, in))
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Redact(%s) (-want +got):\n%s", in, diff)
	}
}

func decodeJSON(t testing.TB, b []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("Unmarshal(%s): %v", b, err)
	}
	return v
}
