package stssvc

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/iamd-dev/iamd/internal/policy"
)

// TestOpenSessionTrailFields: a session token carries the web identity provider of a role
// session from AssumeRoleWithWebIdentity and the issuing user's ID of a federated user session,
// and OpenSession hands both to authn.Session, where the audit record finds them.
func TestOpenSessionTrailFields(t *testing.T) {
	const prov = "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"
	fedUser := &token{Expires: sessionNow.Add(time.Hour), Type: uint8(policy.PrincipalFederatedUser), ARN: "arn:aws:sts::111122223333:federated-user/f",
		Account: "111122223333", SourceARN: "arn:aws:iam::111122223333:user/alice", UserID: "111122223333:f", UserName: "alice",
		IssuerID: "AIDAEXAMPLEALICE", Issued: sessionNow}
	web := roleSession()
	web.WebIdentityProvider = prov
	tests := []struct {
		name              string
		tok               *token
		wantProv, wantIss string
	}{
		{"web identity role session", web, prov, ""},
		{"federated user", fedUser, "", "AIDAEXAMPLEALICE"},
		{"other role session", roleSession(), "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newSessionService(t)
			creds, err := s.issue(tc.tok)
			if err != nil {
				t.Fatal(err)
			}
			cred, err := s.OpenSession(context.Background(), *creds.AccessKeyId, *creds.SessionToken, sessionNow)
			if err != nil {
				t.Fatalf("OpenSession: %v", err)
			}
			got := [2]string{cred.Caller.Session.WebIdentityProvider, cred.Caller.Session.IssuerID}
			if d := cmp.Diff([2]string{tc.wantProv, tc.wantIss}, got); d != "" {
				t.Errorf("Session{WebIdentityProvider, IssuerID} of %s (-want +got):\n%s", tc.tok.ARN, d)
			}
		})
	}
}
