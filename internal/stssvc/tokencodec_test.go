package stssvc

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/iamd-dev/iamd/internal/policy"
)

func TestTokenCodecRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name string
		tok  *token
	}{
		{"role session", roleSession()},
		{"minimal", &token{AccessKeyID: "ASIAEXAMPLEEXAMPLE01", Secret: "s", Expires: sessionNow, ARN: "arn:aws:iam::111122223333:user/bob", Account: "111122223333", UserID: "AIDAEXAMPLE", Issued: sessionNow}},
		{"empty values", &token{Tags: map[string]string{"": ""}, Policies: []string{""}, Chained: true, Type: 255}},
		{"before 1970", &token{Expires: time.Date(1960, 1, 1, 0, 0, 0, 1, time.UTC)}},
		{"web identity session", func() *token {
			t := roleSession()
			t.WebIdentityProvider = "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"
			return t
		}()},
		{"federated user", &token{AccessKeyID: "ASIAEXAMPLEEXAMPLE02", Secret: "s", Expires: sessionNow, Type: uint8(policy.PrincipalFederatedUser),
			ARN: "arn:aws:sts::111122223333:federated-user/f", Account: "111122223333", SourceARN: "arn:aws:iam::111122223333:user/alice",
			UserID: "111122223333:f", UserName: "alice", IssuerID: "AIDAEXAMPLEALICE", Issued: sessionNow}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := tc.tok.marshal()
			got, err := unmarshalToken(b)
			if err != nil {
				t.Fatalf("unmarshalToken(marshal()) = %v", err)
			}
			if diff := cmp.Diff(tc.tok, got, cmp.AllowUnexported(token{})); diff != "" {
				t.Errorf("round trip (-want +got):\n%s", diff)
			}
			// Every strict prefix and any trailing byte is malformed.
			for i := range len(b) {
				if _, err := unmarshalToken(b[:i]); err == nil {
					t.Fatalf("prefix of %d of %d bytes decoded", i, len(b))
				}
			}
			if _, err := unmarshalToken(append(b, 0)); err == nil {
				t.Error("a trailing byte decoded")
			}
		})
	}
}

// TestTokenCodecReadsJSON: tokens sealed before the binary form (JSON) still open, so live
// sessions survive an upgrade.
func TestTokenCodecReadsJSON(t *testing.T) {
	want := roleSession()
	b, err := json.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	got, err := unmarshalToken(b)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(token{})); diff != "" {
		t.Errorf("JSON token (-want +got):\n%s", diff)
	}
	for _, bad := range []string{"", "{", "\x03rest", "\x01", "\x02"} {
		if _, err := unmarshalToken([]byte(bad)); err == nil {
			t.Errorf("unmarshalToken(%q) accepted", bad)
		}
	}
}

// tokenV1Payload is a role session's payload as iamd sealed it before tokens carried
// WebIdentityProvider and IssuerID (version 1, written by marshal at commit 5ae7d5a).
const tokenV1Payload = "\x01\x14ASIAEXAMPLEEXAMPLE01\x06secret\x01\x80\x80\xba\x80\xdeř\xed1\x03-arn:aws:sts::111122223333:assumed-role/gh/run" +
	"\f111122223333!arn:aws:iam::111122223333:role/gh\x0fAROAEXAMPLE:run\x00\x00\x01\x04team\bplatform\x01\x04team\x00\x00" +
	"\x01\x80\x80\xf5\xf4\x97\xf4\x97\xed1\x05alice\x01"

// TestTokenCodecReadsV1: a version 1 payload still opens, with every field it had and the two
// later ones empty, so that sessions issued before an upgrade keep working; re-encoding it
// writes the current version, which decodes to the same token.
func TestTokenCodecReadsV1(t *testing.T) {
	at := time.Date(2026, 12, 1, 17, 0, 0, 0, time.UTC)
	want := &token{AccessKeyID: "ASIAEXAMPLEEXAMPLE01", Secret: "secret", Expires: at.Add(time.Hour), Type: uint8(policy.PrincipalRoleSession),
		ARN: "arn:aws:sts::111122223333:assumed-role/gh/run", Account: "111122223333", SourceARN: "arn:aws:iam::111122223333:role/gh",
		UserID: "AROAEXAMPLE:run", Tags: map[string]string{"team": "platform"}, TransitiveKeys: []string{"team"}, Issued: at, SourceIdentity: "alice", Chained: true}
	got, err := unmarshalToken([]byte(tokenV1Payload))
	if err != nil {
		t.Fatalf("unmarshalToken(version 1) = %v", err)
	}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(token{})); diff != "" {
		t.Errorf("version 1 token (-want +got):\n%s", diff)
	}
	b := got.marshal()
	if b[0] != tokenV2 {
		t.Errorf("re-encoded version = %d, want %d", b[0], tokenV2)
	}
	again, err := unmarshalToken(b)
	if err != nil {
		t.Fatalf("unmarshalToken(re-encoded) = %v", err)
	}
	if diff := cmp.Diff(want, again, cmp.AllowUnexported(token{})); diff != "" {
		t.Errorf("re-encoded token (-want +got):\n%s", diff)
	}
	// A version 1 payload followed by the two version 2 fields is malformed: the version
	// byte, not the length, says which fields there are.
	if _, err := unmarshalToken(append([]byte(tokenV1Payload), 0, 0)); err == nil {
		t.Error("version 1 payload with trailing fields decoded")
	}
}

func FuzzTokenCodec(f *testing.F) {
	f.Add(roleSession().marshal())
	f.Add([]byte(`{"ak":"x"}`))
	f.Add([]byte{tokenV1, 0xff, 0xff, 0xff, 0xff, 0x0f})
	f.Add([]byte(tokenV1Payload))
	f.Fuzz(func(t *testing.T, b []byte) {
		tok, err := unmarshalToken(b)
		if err != nil || b[0] == '{' {
			return
		}
		again, err := unmarshalToken(tok.marshal())
		if err != nil {
			t.Fatalf("re-encoding of a decoded token does not decode: %v", err)
		}
		if diff := cmp.Diff(tok, again, cmp.AllowUnexported(token{})); diff != "" {
			t.Errorf("decode → encode → decode changed the token (-first +second):\n%s", diff)
		}
	})
}
