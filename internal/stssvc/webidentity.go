package stssvc

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	sdk "github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/iamd-dev/iamd/internal/authn"
	"github.com/iamd-dev/iamd/internal/authz"
	"github.com/iamd-dev/iamd/internal/iam"
	"github.com/iamd-dev/iamd/internal/oidc"
	"github.com/iamd-dev/iamd/internal/policy"
	"github.com/iamd-dev/iamd/internal/store"
	"github.com/iamd-dev/iamd/internal/trail"
)

// WebIdentityVerifier checks a web identity token from a registered OpenID Connect provider:
// signature (against the issuer's published keys), lifetime at now, and audience (one of
// clientIDs). oidc.Verifier implements it; refusals are *oidc.Error values.
type WebIdentityVerifier interface {
	Verify(ctx context.Context, issuerURL string, clientIDs, thumbprints []string, token string, now time.Time) (*oidc.Claims, error)
}

const msgWebIdentityDenied = "Not authorized to perform sts:AssumeRoleWithWebIdentity"

// webIdentityError maps a token refusal to STS's error codes.
func webIdentityError(err error) error {
	e, ok := oidc.AsError(err)
	if !ok {
		return err
	}
	switch e.Kind {
	case oidc.KindExpired:
		return iam.Errorf("ExpiredTokenException", "%s", e.Message)
	case oidc.KindUnreachable:
		return iam.Errorf("IDPCommunicationError", "%s", e.Message)
	}
	return iam.Errorf(iam.CodeInvalidIdentityToken, "%s", e.Message)
}

// AssumeRoleWithWebIdentity issues role session credentials to the holder of an OpenID Connect
// ID token from a provider registered in the role's account. The call is unsigned: the token
// is the only proof of identity, and the role's trust policy must allow the provider (Principal
// Federated: the provider's ARN), usually with conditions on PROVIDER:sub and PROVIDER:aud.
// A source identity in the token (the https://aws.amazon.com/source_identity claim) needs
// sts:SetSourceIdentity in the trust policy too, and stays with the session and its chains.
func (s *Service) AssumeRoleWithWebIdentity(ctx context.Context, c *authn.Caller, in *sdk.AssumeRoleWithWebIdentityInput) (*sdk.AssumeRoleWithWebIdentityOutput, error) {
	roleARN, session, idToken := str(in.RoleArn), str(in.RoleSessionName), str(in.WebIdentityToken)
	if len(roleARN) < 20 {
		return nil, validation("roleArn", roleARN, "Member must have length greater than or equal to 20")
	}
	if len(roleARN) > 2048 {
		return nil, validation("roleArn", roleARN, "Member must have length less than or equal to 2048")
	}
	if err := checkSessionName(session); err != nil {
		return nil, err
	}
	if len(idToken) < 4 {
		return nil, validation("webIdentityToken", "", "Member must have length greater than or equal to 4")
	}
	if len(idToken) > 20000 {
		return nil, validation("webIdentityToken", "", "Member must have length less than or equal to 20000")
	}
	if in.DurationSeconds != nil {
		if d := *in.DurationSeconds; d < 900 {
			return nil, validation("durationSeconds", strconv.Itoa(int(d)), "Member must have value greater than or equal to 900")
		} else if d > 43200 {
			return nil, validation("durationSeconds", strconv.Itoa(int(d)), "Member must have value less than or equal to 43200")
		}
	}
	if in.ProviderId != nil {
		if n := utf8.RuneCountInString(*in.ProviderId); n < 4 || n > 2048 {
			c := "Member must have length greater than or equal to 4"
			if n > 2048 {
				c = "Member must have length less than or equal to 2048"
			}
			return nil, validation("providerId", *in.ProviderId, c)
		}
		// OAuth 2.0 access tokens (Login with Amazon, Facebook) are not OpenID Connect tokens.
		return nil, iam.Errorf(iam.CodeInvalidIdentityToken, "%s", oidc.MsgMalformed)
	}
	roleAcct, roleName, ok := roleARNParts(roleARN)
	if !ok {
		return nil, validation("roleArn", roleARN, "Member must satisfy the ARN format of a role")
	}
	docs, size, err := s.boundedSessionPolicies(ctx, in.Policy, in.PolicyArns)
	if err != nil {
		return nil, err
	}
	packed := size * 100 / packedLimit
	if packed > 100 {
		return nil, iam.Errorf(iam.CodePackedPolicyTooLarge, "Packed policy consumes %d%% of allotted space, please use smaller policy.", packed)
	}
	if call := trail.FromContext(ctx); call != nil {
		call.Account = roleAcct
	}

	iss, err := oidc.UnverifiedIssuer(idToken)
	if err != nil {
		return nil, webIdentityError(err)
	}
	var prov *oidc.Provider
	var role *iam.Role
	err = s.store.View(ctx, func(r store.Reader) error {
		var err error
		if strings.HasPrefix(iss, "https://") {
			if prov, err = decodeEntity[oidc.Provider](ctx, r, roleAcct, store.KindOIDCProvider, oidc.IssuerName(iss)); err != nil {
				return err
			}
		}
		role, err = decodeEntity[iam.Role](ctx, r, roleAcct, store.KindRole, roleName)
		return err
	})
	if err != nil {
		return nil, err
	}
	if prov == nil {
		return nil, iam.Errorf(iam.CodeInvalidIdentityToken, "No OpenIDConnect provider found in your account for %s", iss)
	}
	if s.webID == nil {
		return nil, iam.Errorf("IDPCommunicationError", "%s", oidc.MsgUnreachable)
	}
	now := s.now().UTC()
	claims, err := s.webID.Verify(ctx, iss, prov.ClientIDs, prov.Thumbprints, idToken, now)
	if err != nil {
		s.logger.Info("web identity token refused", "request", c.RequestID, "issuer", iss, "err", err)
		return nil, webIdentityError(err)
	}

	sourceID, err := webIdentitySourceIdentity(idToken)
	if err != nil {
		return nil, err
	}

	// From here on the caller is the token's subject, as the audit record shows it.
	provARN := oidc.ARN(roleAcct, prov.Name)
	fed := *c
	fed.Principal = policy.PrincipalInfo{Type: policy.PrincipalFederated, ARN: provARN}
	fed.UserID, fed.UserName = provARN+":"+claims.ClientID+":"+claims.Subject, claims.Subject
	if call := trail.FromContext(ctx); call != nil {
		call.Caller = &fed
	}

	if role == nil || iam.RoleARN(roleAcct, role.Path, role.Name) != roleARN && iam.RoleARN(roleAcct, "/", role.Name) != roleARN {
		return nil, iam.Errorf(iam.CodeAccessDenied, msgWebIdentityDenied)
	}
	dur := int32(3600)
	if in.DurationSeconds != nil {
		dur = *in.DurationSeconds
	}
	if maxD := max(role.MaxSessionDuration, 3600); dur > maxD {
		return nil, iam.Errorf(iam.CodeValidationError, "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
	}

	trust := s.authz.Compile(role.TrustPolicy, policy.Trust, policy.PolicyRef{ARN: roleARN, Name: "trust"})
	keys := webIdentityContext(prov.Name, provARN, session, claims)
	actions := []string{"sts:AssumeRoleWithWebIdentity"}
	if sourceID != "" {
		// The trust policy must allow setting the source identity the token carries.
		keys["sts:SourceIdentity"] = []string{sourceID}
		actions = append(actions, "sts:SetSourceIdentity")
	}
	for _, action := range actions {
		d := policy.Evaluate(&policy.Input{Action: action, Resource: roleARN, ResourceAccount: roleAcct, ResourcePolicy: trust,
			Principal: fed.Principal, Context: authz.RequestContext(&fed, nil, keys)})
		if !d.Allowed() {
			if s.authz.Enforcing() {
				return nil, iam.Errorf(iam.CodeAccessDenied, msgWebIdentityDenied)
			}
			s.logger.Warn("would deny (enforce=log): trust policy", "request", c.RequestID, "role", roleARN, "provider", provARN, "action", action)
		}
	}

	issued := now.Truncate(time.Second)
	sessionARN := iam.AssumedRoleARN(roleAcct, role.Name, session)
	t := &token{
		Expires: issued.Add(time.Duration(dur) * time.Second), Type: uint8(policy.PrincipalRoleSession), ARN: sessionARN, Account: roleAcct,
		SourceARN: iam.RoleARN(roleAcct, role.Path, role.Name), UserID: role.ID + ":" + session, Policies: docs, Issued: issued,
		SourceIdentity: sourceID,
	}
	cred, err := s.issue(t)
	if err != nil {
		return nil, err
	}
	out := &sdk.AssumeRoleWithWebIdentityOutput{
		Credentials:                 cred,
		AssumedRoleUser:             &types.AssumedRoleUser{Arn: ptr(sessionARN), AssumedRoleId: ptr(t.UserID)},
		SubjectFromWebIdentityToken: ptr(claims.Subject),
		Audience:                    ptr(claims.ClientID),
		// The API reference says "the value of the iss field", but real responses (and so
		// CloudTrail's responseElements) carry the provider's ARN.
		Provider: ptr(provARN),
	}
	if len(docs) > 0 {
		out.PackedPolicySize = ptr(int32(packed))
	}
	if sourceID != "" {
		out.SourceIdentity = ptr(sourceID)
	}
	go s.touchRole(roleAcct, role.Name, issued, c.Region)
	return out, nil
}

// sourceIdentityClaim is the claim that carries a web identity token's source identity (IAM
// User Guide, "Monitor and control actions taken with assumed roles": "Include source identity
// in the https://aws.amazon.com/source_identity namespace in the token").
const sourceIdentityClaim = "https://aws.amazon.com/source_identity"

// msgSourceIdentityClaim refuses a source identity claim that AWS would not accept as a
// SourceIdentity (the AssumeRole parameter's constraints).
const msgSourceIdentityClaim = `Source Identity must match [a-zA-Z_0-9+=,.@-]{2,64} and not begin with "aws:"`

// webIdentitySourceIdentity returns the source identity claim of a token ("" when it has none).
// Call it only after the token verified: it reads the payload without checking the signature,
// which is sound then because a compact JWS has exactly one payload. A claim that is not a
// string, or not a valid SourceIdentity (2 to 64 of [\w+=,.@-], not beginning with aws:), is an
// InvalidIdentityToken.
func webIdentitySourceIdentity(idToken string) (string, error) {
	tok, err := jwt.ParseSigned(idToken, oidc.Algorithms)
	if err != nil {
		return "", iam.Errorf(iam.CodeInvalidIdentityToken, "%s", oidc.MsgMalformed)
	}
	var claims map[string]json.RawMessage
	if err := tok.UnsafeClaimsWithoutVerification(&claims); err != nil {
		return "", iam.Errorf(iam.CodeInvalidIdentityToken, "%s", oidc.MsgMalformed)
	}
	raw, ok := claims[sourceIdentityClaim]
	if !ok || string(raw) == "null" {
		return "", nil
	}
	var v string
	if err := json.Unmarshal(raw, &v); err != nil {
		return "", iam.Errorf(iam.CodeInvalidIdentityToken, "%s", msgSourceIdentityClaim)
	}
	if n := utf8.RuneCountInString(v); n < 2 || n > 64 || strings.HasPrefix(strings.ToLower(v), "aws:") {
		return "", iam.Errorf(iam.CodeInvalidIdentityToken, "%s", msgSourceIdentityClaim)
	}
	for _, r := range v {
		if !isSessionNameChar(r) {
			return "", iam.Errorf(iam.CodeInvalidIdentityToken, "%s", msgSourceIdentityClaim)
		}
	}
	return v, nil
}

// webIdentityContext is the condition keys of a web identity request: PROVIDER:sub, :aud (azp
// when the token has one, as AWS documents), :oaud (the aud values then), :amr, plus
// aws:FederatedProvider and sts:RoleSessionName.
func webIdentityContext(name, provARN, session string, c *oidc.Claims) map[string][]string {
	m := map[string][]string{
		name + ":sub":           {c.Subject},
		"aws:FederatedProvider": {provARN},
		"sts:RoleSessionName":   {session},
	}
	if c.AuthorizedParty != "" {
		m[name+":aud"] = []string{c.AuthorizedParty}
		m[name+":oaud"] = c.Audience
	} else {
		m[name+":aud"] = c.Audience
	}
	if len(c.AMR) > 0 {
		m[name+":amr"] = c.AMR
	}
	return m
}

// decodeEntity loads and decodes an entity; nil (and no error) when it does not exist.
func decodeEntity[T any](ctx context.Context, r store.Reader, acct string, kind store.Kind, name string) (*T, error) {
	e, err := r.Get(ctx, acct, kind, name)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	v := new(T)
	if err := json.Unmarshal(e.Data, v); err != nil {
		return nil, err
	}
	return v, nil
}
