package stssvc

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	sdk "github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/aws-sdk-go-v2/service/sts/types"

	"github.com/iamd-dev/iamd/internal/authn"
	"github.com/iamd-dev/iamd/internal/authz"
	"github.com/iamd-dev/iamd/internal/iam"
	"github.com/iamd-dev/iamd/internal/oidc"
	"github.com/iamd-dev/iamd/internal/policy"
	"github.com/iamd-dev/iamd/internal/store"
	"github.com/iamd-dev/iamd/internal/trail"
)

// WebIdentityVerifier checks a web identity token from a registered OpenID Connect provider, as
// oidc.Parse parsed it: signature (against the issuer's published keys), lifetime at now, and
// audience (one of clientIDs). oidc.Verifier implements it; refusals are *oidc.Error values.
type WebIdentityVerifier interface {
	Verify(ctx context.Context, issuerURL string, clientIDs, thumbprints []string, tok *oidc.Token, now time.Time) (*oidc.Claims, error)
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
// Session tags in the token (the https://aws.amazon.com/tags claim) need sts:TagSession in the
// trust policy, which sees them as aws:RequestTag/*, aws:TagKeys and sts:TransitiveTagKeys; they
// are the session's aws:PrincipalTag/*, count in PackedPolicySize, and the transitive ones pass
// to a chained AssumeRole.
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
		return nil, badRoleARN(roleARN)
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

	// The token is parsed once: its issuer finds the provider, the provider's keys verify it,
	// and the verified claims carry the source identity and tags claims.
	tok, err := oidc.Parse(idToken)
	if err != nil {
		return nil, webIdentityError(err)
	}
	iss := tok.Issuer()
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
	claims, err := s.webID.Verify(ctx, iss, prov.ClientIDs, prov.Thumbprints, tok, now)
	if err != nil {
		s.logger.Info("web identity token refused", "request", c.RequestID, "issuer", iss, "err", err)
		return nil, webIdentityError(err)
	}
	if call := trail.FromContext(ctx); call != nil {
		// iamd checks the provider's TLS certificate against the system's trusted roots, never
		// against the provider's thumbprints: AWS's "IAMTrustStore" (oidc's package doc).
		call.IdPVerification = "IAMTrustStore"
	}

	sourceID, err := sourceIdentityOf(claims.Raw)
	if err != nil {
		return nil, err
	}
	tags, err := webIdentitySessionTags(claims.Raw)
	if err != nil {
		return nil, err
	}
	if call := trail.FromContext(ctx); call != nil && (sourceID != "" || tags != nil) {
		// CloudTrail shows what the token carried among the request's parameters.
		call.Params = newWebIdentityParams(in, sourceID, tags)
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
	if tags != nil {
		// Session policies and tags share the packed size, as for AssumeRole.
		for k, v := range tags.Tags {
			size += len(k) + len(v)
		}
		if packed = size * 100 / packedLimit; packed > 100 {
			return nil, iam.Errorf(iam.CodePackedPolicyTooLarge, "Packed policy consumes %d%% of allotted space, please use smaller policy.", packed)
		}
	}

	trust := s.authz.Compile(role.TrustPolicy, policy.Trust, policy.PolicyRef{ARN: roleARN, Name: "trust"})
	keys := webIdentityContext(prov.Name, provARN, session, claims)
	actions := []string{"sts:AssumeRoleWithWebIdentity"}
	if sourceID != "" {
		// The trust policy must allow setting the source identity the token carries.
		keys["sts:SourceIdentity"] = []string{sourceID}
		actions = append(actions, "sts:SetSourceIdentity")
	}
	if tags != nil {
		// And tagging the session with the tags it carries.
		addTagContext(keys, tags.Tags, tags.TransitiveKeys)
		actions = append(actions, "sts:TagSession")
	}
	// The role's tags are the resource's tags (aws:ResourceTag/*, iam:ResourceTag/*), as for
	// AssumeRole.
	keys = authz.ResourceTagContext(role.Tags, true, keys)
	if err := s.federatedTrust(&fed, actions, roleARN, roleAcct, trust, keys, provARN, msgWebIdentityDenied); err != nil {
		return nil, err
	}

	issued := now.Truncate(time.Second)
	sessionARN := iam.AssumedRoleARN(roleAcct, role.Name, session)
	t := &token{
		Expires: issued.Add(time.Duration(dur) * time.Second), Type: uint8(policy.PrincipalRoleSession), ARN: sessionARN, Account: roleAcct,
		SourceARN: iam.RoleARN(roleAcct, role.Path, role.Name), UserID: role.ID + ":" + session, Policies: docs, Issued: issued,
		SourceIdentity: sourceID, WebIdentityProvider: provARN,
	}
	if tags != nil {
		t.Tags, t.TransitiveKeys = tags.Tags, tags.transitive()
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
	if len(docs) > 0 || tags != nil {
		out.PackedPolicySize = ptr(int32(packed))
	}
	if sourceID != "" {
		out.SourceIdentity = ptr(sourceID)
	}
	s.touchRole(roleAcct, role.Name, issued, c.Region)
	return out, nil
}

// sourceIdentityClaim is the claim that carries a web identity token's source identity (IAM
// User Guide, "Monitor and control actions taken with assumed roles": "Include source identity
// in the https://aws.amazon.com/source_identity namespace in the token").
const sourceIdentityClaim = "https://aws.amazon.com/source_identity"

// msgSourceIdentityClaim refuses a source identity claim that AWS would not accept as a
// SourceIdentity (the AssumeRole parameter's constraints).
const msgSourceIdentityClaim = `Source Identity must match [a-zA-Z_0-9+=,.@-]{2,64} and not begin with "aws:"`

// sourceIdentityOf returns the source identity claim among a token's claims ("" when it has
// none). A claim that is not a string, or not a valid SourceIdentity (2 to 64 of [\w+=,.@-], not
// beginning with aws:), is an InvalidIdentityToken.
func sourceIdentityOf(claims map[string]json.RawMessage) (string, error) {
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

// sessionTagsClaim is the claim that carries a web identity token's session tags (IAM User
// Guide, "Passing session tags using AssumeRoleWithWebIdentity"): an object whose principal_tags
// maps each tag key to an array holding its one value, and whose optional transitive_tag_keys
// lists the keys that pass to chained sessions.
const sessionTagsClaim = "https://aws.amazon.com/tags"

// msgTagsClaim refuses a tags claim that is not shaped as AWS documents it (not an object, a
// tag whose value is not an array of one string, transitive keys that are not strings). The
// words are AWS's answer to AssumeRoleWithWebIdentity with tags it could not validate, as a
// client recorded it (ValidationError, hashicorp/terraform-provider-aws#44712; the token's
// content was not recorded).
const msgTagsClaim = "Unable to validate tags"

// webSessionTags are the session tags a web identity token carries.
type webSessionTags struct {
	// Tags are principal_tags, key to value.
	Tags map[string]string
	// TransitiveKeys are transitive_tag_keys as the token lists them.
	TransitiveKeys []string
}

// webIdentitySessionTags returns the session tags among a verified token's claims (nil when the
// token has no tags claim, or one without tags). The claim's shape is AWS's (see
// sessionTagsClaim; a value must be an array of exactly one string: "Multivalued session tags
// are not supported"); the tags and transitive keys then meet AssumeRole's Tags and
// TransitiveTagKeys rules: at most 50, keys and values as for IAM tags (in the order of their
// keys), keys distinct ignoring case, and every transitive key naming one of the tags (these
// two answered as AssumeRole answers them, InvalidParameterValue).
func webIdentitySessionTags(claims map[string]json.RawMessage) (*webSessionTags, error) {
	raw, ok := claims[sessionTagsClaim]
	if !ok || string(raw) == "null" {
		return nil, nil
	}
	bad := iam.Errorf(iam.CodeValidationError, msgTagsClaim)
	var claim map[string]json.RawMessage
	if err := json.Unmarshal(raw, &claim); err != nil || claim == nil {
		return nil, bad
	}
	var values map[string][]json.RawMessage
	if pt, ok := claim["principal_tags"]; ok && string(pt) != "null" {
		if err := json.Unmarshal(pt, &values); err != nil || values == nil {
			return nil, bad
		}
	}
	var transitive []string
	if tk, ok := claim["transitive_tag_keys"]; ok && string(tk) != "null" {
		var keys []json.RawMessage
		if err := json.Unmarshal(tk, &keys); err != nil || keys == nil {
			return nil, bad
		}
		for _, k := range keys {
			s, ok := jsonString(k)
			if !ok {
				return nil, bad
			}
			transitive = append(transitive, s)
		}
	}
	tags := make(map[string]string, len(values))
	for k, vs := range values {
		if len(vs) != 1 {
			return nil, bad
		}
		v, ok := jsonString(vs[0])
		if !ok {
			return nil, bad
		}
		tags[k] = v
	}
	// In AssumeRole's order: TransitiveTagKeys' members, the number of tags, each tag, then
	// the tags and transitive keys together (sessionTags).
	if err := checkTransitiveTagKeys(transitive); err != nil {
		return nil, err
	}
	if len(tags) > iam.MaxTags {
		return nil, tooManyTags(len(tags))
	}
	list := make([]iam.Tag, 0, len(tags))
	for i, k := range slices.Sorted(maps.Keys(tags)) {
		list = append(list, iam.Tag{Key: k, Value: tags[k]})
		if err := iam.CheckTagAt(i, list[i]); err != nil {
			return nil, err
		}
	}
	if _, err := sessionTags(list, transitive, nil); err != nil {
		return nil, err
	}
	if len(tags) == 0 {
		return nil, nil
	}
	return &webSessionTags{Tags: tags, TransitiveKeys: transitive}, nil
}

// jsonString decodes a JSON string (and nothing else).
func jsonString(raw json.RawMessage) (string, bool) {
	var s string
	if len(raw) == 0 || raw[0] != '"' || json.Unmarshal(raw, &s) != nil {
		return "", false
	}
	return s, true
}

// transitive returns the transitive keys that name one of the tags, spelled as the tag's key
// (tag keys are compared ignoring case), once each and in the token's order; a key naming no
// tag, which webIdentitySessionTags refuses, would be left out.
func (w *webSessionTags) transitive() []string {
	var out []string
	for _, k := range w.TransitiveKeys {
		for tk := range w.Tags {
			if strings.EqualFold(k, tk) && !slices.Contains(out, tk) {
				out = append(out, tk)
			}
		}
	}
	return out
}

// webIdentityParams are AssumeRoleWithWebIdentity's parameters as its CloudTrail record shows
// them when the token carries a source identity or session tags: the input's members (the token
// itself is a secret the record leaves out) and sourceIdentity, principalTags (key to value) and
// transitiveTagKeys, as in the IAM User Guide's "Example web identity AWS STS API event in
// CloudTrail log file". It has every member of the SDK input (TestWebIdentityParamsFields).
type webIdentityParams struct {
	RoleArn                 *string
	RoleSessionName         *string
	WebIdentityToken        *string
	DurationSeconds         *int32
	MinimumSessionTokenSize *int32
	Policy                  *string
	PolicyArns              []types.PolicyDescriptorType
	ProviderId              *string // the SDK member's name, which the record's key follows

	SourceIdentity    *string
	PrincipalTags     map[string]string
	TransitiveTagKeys []string
}

func newWebIdentityParams(in *sdk.AssumeRoleWithWebIdentityInput, sourceID string, tags *webSessionTags) *webIdentityParams {
	p := &webIdentityParams{
		RoleArn: in.RoleArn, RoleSessionName: in.RoleSessionName, WebIdentityToken: in.WebIdentityToken,
		DurationSeconds: in.DurationSeconds, MinimumSessionTokenSize: in.MinimumSessionTokenSize,
		Policy: in.Policy, PolicyArns: in.PolicyArns, ProviderId: in.ProviderId,
	}
	if sourceID != "" {
		p.SourceIdentity = &sourceID
	}
	if tags != nil {
		p.PrincipalTags, p.TransitiveTagKeys = tags.Tags, tags.TransitiveKeys
	}
	return p
}
