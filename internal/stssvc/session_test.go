package stssvc

import (
	"context"
	"crypto/rand"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/iamd-dev/iamd/internal/iam"
	"github.com/iamd-dev/iamd/internal/policy"
	"github.com/iamd-dev/iamd/internal/secrets"
)

var sessionNow = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

// newSessionService is a Service with only what issuing and opening session tokens needs.
func newSessionService(t testing.TB) *Service {
	t.Helper()
	return &Service{keys: newTestKeys(t), rand: rand.Reader, opened: newOpenedCache()}
}

// newTestKeys is a keyring with one new random key.
func newTestKeys(t testing.TB) *secrets.Keyring {
	t.Helper()
	kf, err := secrets.GenerateKeyFile(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := secrets.ParseKeyring(kf)
	if err != nil {
		t.Fatal(err)
	}
	return keys
}

// roleSession is a typical role session: tags, a session policy, MFA, a source identity.
func roleSession() *token {
	return &token{
		Expires: sessionNow.Add(time.Hour), Type: uint8(policy.PrincipalRoleSession),
		ARN: "arn:aws:sts::111122223333:assumed-role/deploy/ci-run-42", Account: "111122223333",
		SourceARN: "arn:aws:iam::111122223333:role/deploy", UserID: "AROAEXAMPLEEXAMPLE01:ci-run-42",
		Policies:       []string{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::artifacts/*"}]}`},
		Tags:           map[string]string{"team": "platform", "env": "prod"},
		TransitiveKeys: []string{"team"}, MFA: true, MFATime: sessionNow.Add(-time.Minute), Issued: sessionNow.Add(-time.Minute),
		SourceIdentity: "alice",
	}
}

func TestOpenSession(t *testing.T) {
	for _, cached := range []bool{false, true} {
		name := "uncached"
		if cached {
			name = "cached"
		}
		t.Run(name, func(t *testing.T) {
			s := newSessionService(t)
			if !cached {
				s.opened = nil
			}
			testOpenSession(t, s, cached)
		})
	}
}

func testOpenSession(t *testing.T, s *Service, cached bool) {
	ctx := context.Background()
	creds, err := s.issue(roleSession())
	if err != nil {
		t.Fatal(err)
	}
	id, tok := *creds.AccessKeyId, *creds.SessionToken
	cred, err := s.OpenSession(ctx, id, tok, sessionNow)
	if err != nil {
		t.Fatalf("OpenSession: %v", err)
	}
	want := roleSession()
	c := cred.Caller
	if cred.Secret != *creds.SecretAccessKey || !cred.Expires.Equal(want.Expires) {
		t.Errorf("secret/expiry = %q %v, want the issued ones", cred.Secret, cred.Expires)
	}
	if c.Principal.ARN != want.ARN || c.Principal.SourceARN != want.SourceARN || c.Principal.Type != policy.PrincipalRoleSession || c.UserID != want.UserID {
		t.Errorf("principal = %+v %q, want %s from %s", c.Principal, c.UserID, want.ARN, want.SourceARN)
	}
	if s := c.Session; s == nil || !s.MFA || s.Tags["team"] != "platform" || len(s.Policies) != 1 || s.SourceIdentity != "alice" || len(s.TransitiveKeys) != 1 {
		t.Errorf("session = %+v, want the issued tags, policy, MFA and source identity", c.Session)
	}

	if cached {
		if _, hit, _ := s.opened.Get(id); !hit {
			t.Error("an opened token is not remembered")
		}
		// The second open is answered from the cache: the same credential.
		again, err := s.OpenSession(ctx, id, tok, sessionNow)
		if err != nil || again != cred {
			t.Errorf("second OpenSession = %p, %v; want the remembered %p", again, err, cred)
		}
	}

	tampered := []byte(tok)
	tampered[len(tampered)/2] ^= 1
	for _, tc := range []struct {
		name     string
		id, tok  string
		now      time.Time
		wantCode string
	}{
		{"tampered", id, string(tampered), sessionNow, iam.CodeInvalidClientTokenID},
		{"another key ID", "ASIAOTHEROTHEROTHER1", tok, sessionNow, iam.CodeInvalidClientTokenID},
		{"not a token", id, "garbage", sessionNow, iam.CodeInvalidClientTokenID},
		{"expired", id, tok, want.Expires, iam.CodeExpiredToken},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.OpenSession(ctx, tc.id, tc.tok, tc.now)
			var ie *iam.Error
			if !errors.As(err, &ie) || ie.Code != tc.wantCode {
				t.Errorf("OpenSession = %v, want %s", err, tc.wantCode)
			}
		})
	}
}

// BenchmarkOpenSession validates a role session token and builds its principal (issue 6:
// ≤ 5 µs): "first" opens the AEAD seal, decodes the claims, checks key ID and expiry and builds
// the caller; "again" is every later request of the session (constant-time comparison with the
// remembered token, expiry check).
func BenchmarkOpenSession(b *testing.B) {
	ctx := context.Background()
	for _, cached := range []bool{false, true} {
		name := "first"
		if cached {
			name = "again"
		}
		b.Run(name, func(b *testing.B) {
			s := newSessionService(b)
			if !cached {
				s.opened = nil
			}
			creds, err := s.issue(roleSession())
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.OpenSession(ctx, *creds.AccessKeyId, *creds.SessionToken, sessionNow); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func TestDueTouch(t *testing.T) {
	s := &Service{}
	steps := []struct {
		name    string
		role    string
		at      time.Duration
		wantDue bool
	}{
		{"first use", "deploy", 0, true},
		{"again at once", "deploy", time.Second, false},
		{"same role, other case", "DEPLOY", 2 * time.Second, false},
		{"another role", "build", 3 * time.Second, true},
		{"a minute after the write", "deploy", time.Minute, true},
		{"then within the minute", "deploy", time.Minute + 59*time.Second, false},
		{"a clock that went back", "deploy", 30 * time.Second, true},
	}
	for _, st := range steps {
		if got := s.dueTouch("111122223333", st.role, sessionNow.Add(st.at)); got != st.wantDue {
			t.Errorf("%s: dueTouch(%s, +%v) = %v, want %v", st.name, st.role, st.at, got, st.wantDue)
		}
	}
	if !s.dueTouch("444455556666", "deploy", sessionNow.Add(time.Minute+time.Second)) {
		t.Error("the same role name in another account shares the first account's timer")
	}
}

// TestAssumeRoleTouchesOncePerInterval: AssumeRole writes the role's last use on the first call
// and then once per touchInterval, however many calls come between.
func TestAssumeRoleTouchesOncePerInterval(t *testing.T) {
	s, st, c := newAssumeService(t)
	st.updated = make(chan struct{}, 8)
	now := sessionNow
	s.now = func() time.Time { return now }
	in := &sdk.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + benchAccount + ":role/bench-role"), RoleSessionName: aws.String("s1")}
	steps := []struct {
		name       string
		at         time.Duration
		calls      int
		wantWrites int
	}{
		{"first calls", 0, 3, 1},
		{"within the interval", touchInterval - time.Second, 2, 0},
		{"after the interval", touchInterval, 2, 1},
	}
	for _, step := range steps {
		now = sessionNow.Add(step.at)
		for range step.calls {
			if _, err := s.AssumeRole(context.Background(), c, in); err != nil {
				t.Fatalf("%s: AssumeRole: %v", step.name, err)
			}
		}
		for range step.wantWrites {
			<-st.updated
		}
		st.mu.Lock()
		got := st.updates
		st.mu.Unlock()
		want := 0
		for _, p := range steps {
			want += p.wantWrites
			if p.name == step.name {
				break
			}
		}
		if got != want {
			t.Errorf("%s: %d last-use writes so far, want %d", step.name, got, want)
		}
	}
}
