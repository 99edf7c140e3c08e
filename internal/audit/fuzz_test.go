package audit

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// testSecretNames is the test's own copy of the secret key list, so that the fuzzer's
// oracle does not share code with Redact.
var testSecretNames = []string{
	"secretAccessKey", "sessionToken", "password", "oldPassword", "newPassword", "privateKey",
	"addPrivateKey", "SAMLAssertion", "webIdentityToken", "tokenCode", "authenticationCode1",
	"authenticationCode2", "base32StringSeed", "QRCodePNG", "servicePassword",
	"serviceCredentialSecret",
}

func isTestSecret(key string) bool {
	for _, n := range testSecretNames {
		if strings.EqualFold(key, n) {
			return true
		}
	}
	return false
}

// stripSecrets removes secret keys from a decoded JSON value: the oracle for Redact.
func stripSecrets(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, x := range v {
			if !isTestSecret(k) {
				out[k] = stripSecrets(x)
			}
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = stripSecrets(x)
		}
		return out
	}
	return v
}

// FuzzRedact checks that Redact never panics, returns valid JSON for valid input (nil for
// invalid), leaves no secret key at any depth, and loses nothing else.
func FuzzRedact(f *testing.F) {
	for _, s := range []string{
		`{"accessKey":{"userName":"Bob","accessKeyId":"AKIA","secretAccessKey":"s"}}`,
		`{"credentials":{"sessionToken":"t","accessKeyId":"ASIA"},"a":[{"password":"p"},1,"x"]}`,
		`{"p\u0061ssword":"x","pa\u017fsword":1}`,
		`[{"Password":[]},{"TOKENCODE":{}}]`,
		"{\n \"a\" : -0.5e-3 , \"b\" : [ true , false , null ] }",
		`"password"`, `null`, `{`, `{"a":1}}`, ``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		got := Redact(in)
		if !json.Valid(in) {
			if got != nil {
				t.Fatalf("Redact(%q) = %q, want nil for invalid input", in, got)
			}
			return
		}
		if !json.Valid(got) {
			t.Fatalf("Redact(%q) = %q, not valid JSON", in, got)
		}
		dec := json.NewDecoder(bytes.NewReader(got))
		dec.UseNumber()
		var gotV any
		if err := dec.Decode(&gotV); err != nil {
			t.Fatal(err)
		}
		if k, ok := findSecret(gotV); ok {
			t.Fatalf("Redact(%q) = %q still has secret key %q", in, got, k)
		}
		dec = json.NewDecoder(bytes.NewReader(in))
		dec.UseNumber()
		var inV any
		if err := dec.Decode(&inV); err != nil {
			t.Fatal(err)
		}
		// reflect.DeepEqual rather than cmp.Diff: cmp takes minutes on the deeply nested
		// arrays the fuzzer likes to build.
		if want := stripSecrets(inV); !reflect.DeepEqual(want, gotV) {
			t.Fatalf("Redact(%q) = %q lost or changed data:\nwant %#v\n got %#v", in, got, want, gotV)
		}
	})
}

func findSecret(v any) (string, bool) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if isTestSecret(k) {
				return k, true
			}
			if s, ok := findSecret(x); ok {
				return s, true
			}
		}
	case []any:
		for _, x := range v {
			if s, ok := findSecret(x); ok {
				return s, true
			}
		}
	}
	return "", false
}
