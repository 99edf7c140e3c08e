package credsrv

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestContainer(t *testing.T) {
	const token = "Xk3-random-token"
	h := NewContainer(staticSource{c: testCreds}, token)
	for _, tc := range []struct {
		name   string
		method string
		auth   string
		want   int
	}{
		{"right token", "GET", token, 200},
		{"no token", "GET", "", 401},
		{"wrong token", "GET", token + "x", 403},
		{"prefix of the token", "GET", token[:5], 403},
		{"POST", "POST", token, 405},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hdr := map[string]string{}
			if tc.auth != "" {
				hdr["Authorization"] = tc.auth
			}
			code, body, _ := do(h, tc.method, "/creds", hdr)
			if code != tc.want {
				t.Fatalf("%s with Authorization %q = %d %q, want %d", tc.method, tc.auth, code, body, tc.want)
			}
			var got map[string]string
			if err := json.Unmarshal([]byte(body), &got); err != nil {
				t.Fatalf("body %q: %v", body, err)
			}
			if code != 200 {
				if got["code"] == "" || got["AccessKeyId"] != "" {
					t.Errorf("error body %q: want a code and no credentials", body)
				}
				return
			}
			want := map[string]string{"AccessKeyId": "ASIAEXAMPLE000000001", "SecretAccessKey": "secret", "Token": "token",
				"Expiration": "2026-03-01T13:00:00Z", "RoleArn": "arn:aws:iam::111122223333:role/app"}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("credentials (-want +got):\n%s", d)
			}
		})
	}
	if code, _, _ := do(NewContainer(staticSource{c: testCreds}, ""), "GET", "/creds", map[string]string{"Authorization": ""}); code != 401 {
		t.Errorf("empty configured token: %d, want 401", code)
	}
	if code, body, _ := do(NewContainer(staticSource{err: errors.New("boom")}, token), "GET", "/creds", map[string]string{"Authorization": token}); code != 500 {
		t.Errorf("source failure: %d %q, want 500", code, body)
	}
}
