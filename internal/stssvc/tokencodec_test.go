package stssvc

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
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
	for _, bad := range []string{"", "{", "\x02rest", "\x01"} {
		if _, err := unmarshalToken([]byte(bad)); err == nil {
			t.Errorf("unmarshalToken(%q) accepted", bad)
		}
	}
}

func FuzzTokenCodec(f *testing.F) {
	f.Add(roleSession().marshal())
	f.Add([]byte(`{"ak":"x"}`))
	f.Add([]byte{tokenV1, 0xff, 0xff, 0xff, 0xff, 0x0f})
	f.Fuzz(func(t *testing.T, b []byte) {
		tok, err := unmarshalToken(b)
		if err != nil || b[0] != tokenV1 {
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
