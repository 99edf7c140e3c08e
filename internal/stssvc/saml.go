package stssvc

import (
	"context"
	"crypto/rsa"
	"crypto/sha1" //nolint:gosec // AWS defines NameQualifier as a SHA-1 digest; not used for security.
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/aws-sdk-go-v2/service/sts/types"

	"github.com/iamd-dev/iamd/internal/authn"
	"github.com/iamd-dev/iamd/internal/authz"
	"github.com/iamd-dev/iamd/internal/iam"
	"github.com/iamd-dev/iamd/internal/policy"
	"github.com/iamd-dev/iamd/internal/samlsp"
	"github.com/iamd-dev/iamd/internal/store"
	"github.com/iamd-dev/iamd/internal/trail"
)

const (
	msgSAMLDenied     = "Not authorized to perform sts:AssumeRoleWithSAML"
	msgNoSAMLProvider = "Specified provider doesn't exist."
)

// samlError maps a SAML response refusal to STS's error codes.
func samlError(err error) error {
	e, ok := samlsp.AsError(err)
	if !ok {
		return err
	}
	switch e.Kind {
	case samlsp.KindExpired:
		return iam.Errorf("ExpiredTokenException", "%s", e.Message)
	case samlsp.KindRejected:
		return iam.Errorf("IDPRejectedClaim", "%s", e.Message)
	}
	return iam.Errorf(iam.CodeInvalidIdentityToken, "%s", e.Message)
}

// AWS's ValidationError for a RoleArn that is an ARN but not a role's, and a PrincipalArn that
// is an ARN but not a SAML provider's, as clients quote AWS answering AssumeRoleWithSAML with the
// two swapped (physera/onelogin-aws-cli#12, oktadev/okta-aws-cli-assume-role#307: "Request ARN
// is invalid"; Versent/saml2aws#536, cevoaustralia/aws-google-auth#163: "Principal ARN is
// invalid"). No recording against AWS shows them.
const (
	msgSAMLBadRoleARN      = "Request ARN is invalid"
	msgSAMLBadPrincipalARN = "Principal ARN is invalid"
)

// badSAMLARN refuses an AssumeRoleWithSAML RoleArn or PrincipalArn of the wrong form: a value
// that is not an ARN at all as AssumeRole refuses it ("<arn> is invalid", recorded for
// AssumeRole only), an ARN of the wrong kind with msg.
func badSAMLARN(arn, msg string) error {
	if err := notAnARN(arn); err != nil {
		return err
	}
	return iam.Errorf(iam.CodeValidationError, "%s", msg)
}

// samlProviderParts splits arn:aws:iam::ACCOUNT:saml-provider/NAME.
func samlProviderParts(arn string) (acct, name string, ok bool) {
	rest, ok := strings.CutPrefix(arn, "arn:"+iam.Partition+":iam::")
	if !ok {
		return "", "", false
	}
	acct, name, ok = strings.Cut(rest, ":saml-provider/")
	return acct, name, ok && len(acct) == 12 && name != ""
}

// AssumeRoleWithSAML issues role session credentials to the holder of a SAML response from an
// identity provider registered in IAM. The call is unsigned: the signed assertion is the only
// proof of identity. The assertion's Role attribute must pair RoleArn with PrincipalArn, and the
// role's trust policy must allow the provider (Principal Federated: the provider's ARN), usually
// with a condition on SAML:aud.
func (s *Service) AssumeRoleWithSAML(ctx context.Context, c *authn.Caller, in *sdk.AssumeRoleWithSAMLInput) (*sdk.AssumeRoleWithSAMLOutput, error) {
	roleARN, provARN, assertion := str(in.RoleArn), str(in.PrincipalArn), str(in.SAMLAssertion)
	for _, f := range []struct{ name, v string }{{"roleArn", roleARN}, {"principalArn", provARN}} {
		if len(f.v) < 20 {
			return nil, validation(f.name, f.v, "Member must have length greater than or equal to 20")
		}
		if len(f.v) > 2048 {
			return nil, validation(f.name, f.v, "Member must have length less than or equal to 2048")
		}
	}
	if len(assertion) < 4 {
		return nil, validation("sAMLAssertion", "", "Member must have length greater than or equal to 4")
	}
	if len(assertion) > 100000 {
		return nil, validation("sAMLAssertion", "", "Member must have length less than or equal to 100000")
	}
	if in.DurationSeconds != nil {
		if d := *in.DurationSeconds; d < 900 {
			return nil, validation("durationSeconds", strconv.Itoa(int(d)), "Member must have value greater than or equal to 900")
		} else if d > 43200 {
			return nil, validation("durationSeconds", strconv.Itoa(int(d)), "Member must have value less than or equal to 43200")
		}
	}
	roleAcct, roleName, ok := roleARNParts(roleARN)
	if !ok {
		return nil, badSAMLARN(roleARN, msgSAMLBadRoleARN)
	}
	provAcct, provName, ok := samlProviderParts(provARN)
	if !ok {
		return nil, badSAMLARN(provARN, msgSAMLBadPrincipalARN)
	}
	docs, size, err := s.boundedSessionPolicies(ctx, in.Policy, in.PolicyArns)
	if err != nil {
		return nil, err
	}
	if call := trail.FromContext(ctx); call != nil {
		call.Account = roleAcct
	}

	var prov *iam.SAMLProvider
	var role *iam.Role
	err = s.store.View(ctx, func(r store.Reader) error {
		var err error
		if prov, err = decodeEntity[iam.SAMLProvider](ctx, r, provAcct, store.KindSAMLProvider, provName); err != nil {
			return err
		}
		role, err = decodeEntity[iam.Role](ctx, r, roleAcct, store.KindRole, roleName)
		return err
	})
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	if prov == nil || !prov.ValidUntil.IsZero() && now.After(prov.ValidUntil) {
		return nil, iam.Errorf(iam.CodeInvalidIdentityToken, msgNoSAMLProvider)
	}
	md, err := samlsp.ParseMetadata(prov.Metadata)
	if err != nil {
		s.logger.Warn("stored SAML metadata does not parse", "provider", provARN, "err", err)
		return nil, iam.Errorf(iam.CodeInvalidIdentityToken, "%s", samlsp.MsgSignature)
	}
	dec, err := s.samlDecryption(prov, iam.SAMLProviderARN(provAcct, provName))
	if err != nil {
		return nil, err
	}
	a, err := s.saml.VerifyDecrypting(assertion, md, dec, now)
	if err != nil {
		s.logger.Info("SAML response refused", "request", c.RequestID, "provider", provARN, "err", err)
		return nil, samlError(err)
	}

	// From here on the caller is the assertion's subject, and the request's parameters are
	// what the assertion carried, as the audit record shows them.
	nameQualifier := samlNameQualifier(a.Issuer, provAcct, provName)
	fed := *c
	fed.Principal = policy.PrincipalInfo{Type: policy.PrincipalFederated, ARN: provARN}
	fed.UserID, fed.UserName = nameQualifier+":"+a.Subject, a.Subject
	if call := trail.FromContext(ctx); call != nil {
		call.Caller = &fed
		call.Params = newSAMLParams(in, a)
	}

	if role == nil || iam.RoleARN(roleAcct, role.Path, role.Name) != roleARN && iam.RoleARN(roleAcct, "/", role.Name) != roleARN ||
		!a.HasRole(roleARN, provARN) {
		return nil, iam.Errorf(iam.CodeAccessDenied, msgSAMLDenied)
	}
	transitive, err := samlSessionTags(a.Tags, a.TransitiveTagKeys)
	if err != nil {
		return nil, err
	}
	for k, v := range a.Tags {
		size += len(k) + len(v)
	}
	packed := size * 100 / packedLimit
	if packed > 100 {
		return nil, iam.Errorf(iam.CodePackedPolicyTooLarge, "Packed policy consumes %d%% of allotted space, please use smaller policy.", packed)
	}
	dur := int32(3600)
	if in.DurationSeconds != nil {
		dur = *in.DurationSeconds
	}
	if maxD := max(role.MaxSessionDuration, 3600); dur > maxD {
		return nil, iam.Errorf(iam.CodeValidationError, "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
	}

	keys := samlContext(a, nameQualifier, provAcct+"/"+provName, provARN)
	trust := s.authz.Compile(role.TrustPolicy, policy.Trust, policy.PolicyRef{ARN: roleARN, Name: "trust"})
	actions := []string{"sts:AssumeRoleWithSAML"}
	if len(a.Tags) > 0 {
		actions = append(actions, "sts:TagSession")
	}
	if a.SourceIdentity != "" {
		// The trust policy must allow setting the source identity the assertion carries.
		actions = append(actions, "sts:SetSourceIdentity")
	}
	if err := s.federatedTrust(&fed, actions, roleARN, roleAcct, trust, keys, provARN, msgSAMLDenied); err != nil {
		return nil, err
	}

	issued := now.Truncate(time.Second)
	expires := issued.Add(time.Duration(dur) * time.Second)
	if sl := a.SessionNotOnOrAfter; !sl.IsZero() && sl.Before(expires) {
		// The session lasts until the IdP's SessionNotOnOrAfter if that comes first.
		expires = sl.Truncate(time.Second)
	}
	sessionARN := iam.AssumedRoleARN(roleAcct, role.Name, a.RoleSessionName)
	t := &token{
		Expires: expires, Type: uint8(policy.PrincipalRoleSession), ARN: sessionARN, Account: roleAcct,
		SourceARN: iam.RoleARN(roleAcct, role.Path, role.Name), UserID: role.ID + ":" + a.RoleSessionName, Policies: docs, Issued: issued,
		SourceIdentity: a.SourceIdentity,
	}
	if len(a.Tags) > 0 {
		t.Tags, t.TransitiveKeys = a.Tags, transitive
	}
	cred, err := s.issue(t)
	if err != nil {
		return nil, err
	}
	out := &sdk.AssumeRoleWithSAMLOutput{
		Credentials:     cred,
		AssumedRoleUser: &types.AssumedRoleUser{Arn: ptr(sessionARN), AssumedRoleId: ptr(t.UserID)},
		Subject:         ptr(a.Subject),
		SubjectType:     ptr(a.SubjectType()),
		Issuer:          ptr(a.Issuer),
		Audience:        ptr(a.Recipient),
		NameQualifier:   ptr(nameQualifier),
	}
	if len(docs) > 0 || len(a.Tags) > 0 {
		out.PackedPolicySize = ptr(int32(packed))
	}
	if a.SourceIdentity != "" {
		out.SourceIdentity = ptr(a.SourceIdentity)
	}
	s.touchRole(roleAcct, role.Name, issued, c.Region)
	return out, nil
}

// samlSessionTags checks an assertion's session tags (its PrincipalTag:KEY attributes) and
// TransitiveTagKeys values, and returns the new session's transitive keys. Each tag must be a
// valid IAM tag (else InvalidIdentityToken, "Invalid PrincipalTag attribute in AuthnResponse",
// checked in the order of the keys), and there may be at most 50 (the IAM User Guide, "Passing
// session tags in AWS STS", lists the limit for every operation that passes session tags;
// refused as AssumeRole refuses more than 50 Tags). Then the rules of AssumeRole's Tags and
// TransitiveTagKeys apply (sessionTags; the User Guide, "Passing session tags using
// AssumeRoleWithSAML", sets none of its own): tag keys are case-insensitive, so two tags whose
// keys differ only in case are refused, and every transitive key must name one of the tags,
// ignoring case, or the call is refused (both InvalidParameterValue); a transitive key is kept as
// its tag's key is spelled, once.
func samlSessionTags(tags map[string]string, transitive []string) ([]string, error) {
	keys := slices.Sorted(maps.Keys(tags))
	for _, k := range keys {
		if err := iam.CheckTags("Session", []iam.Tag{{Key: k, Value: tags[k]}}, nil); err != nil {
			return nil, iam.Errorf(iam.CodeInvalidIdentityToken, "Invalid PrincipalTag attribute in AuthnResponse: %s", k)
		}
	}
	if len(tags) > iam.MaxTags {
		return nil, tooManyTags(len(tags))
	}
	list := make([]iam.Tag, len(keys))
	for i, k := range keys {
		list[i] = iam.Tag{Key: k, Value: tags[k]}
	}
	checked, err := sessionTags(list, transitive, nil)
	if err != nil {
		return nil, err
	}
	return transitiveKeys(checked, transitive, nil), nil
}

// samlDecryption opens a provider's sealed private keys for decrypting its assertions.
func (s *Service) samlDecryption(prov *iam.SAMLProvider, arn string) (*samlsp.Decryption, error) {
	dec := &samlsp.Decryption{Required: prov.EncryptionMode == "Required"}
	for _, k := range prov.PrivateKeys {
		der, err := s.keys.Open(k.Sealed, iam.SAMLKeyAD(arn, k.ID))
		if err != nil {
			return nil, fmt.Errorf("SAML provider %s: opening private key %s: %w", arn, k.ID, err)
		}
		key, err := x509.ParsePKCS8PrivateKey(der)
		rk, ok := key.(*rsa.PrivateKey)
		if err != nil || !ok {
			return nil, fmt.Errorf("SAML provider %s: private key %s is not RSA PKCS #8: %v", arn, k.ID, err)
		}
		dec.Keys = append(dec.Keys, rk)
	}
	return dec, nil
}

// samlNameQualifier is AWS's saml:namequalifier: BASE64(SHA1(issuer + account + "/" + provider
// name)), which with saml:sub identifies a federated user.
func samlNameQualifier(issuer, acct, provName string) string {
	h := sha1.Sum([]byte(issuer + acct + "/" + provName)) //nolint:gosec // defined by AWS
	return base64.StdEncoding.EncodeToString(h[:])
}

// samlAttributeKeys maps attribute names (OIDs) to the saml: condition keys AWS derives from
// them (IAM User Guide, "Available keys for SAML-based federation").
var samlAttributeKeys = map[string]string{
	"urn:oid:1.3.6.1.4.1.5923.1.1.1.1":  "saml:edupersonaffiliation",
	"urn:oid:1.3.6.1.4.1.5923.1.1.1.2":  "saml:edupersonnickname",
	"urn:oid:1.3.6.1.4.1.5923.1.1.1.3":  "saml:edupersonorgdn",
	"urn:oid:1.3.6.1.4.1.5923.1.1.1.4":  "saml:edupersonorgunitdn",
	"urn:oid:1.3.6.1.4.1.5923.1.1.1.5":  "saml:edupersonprimaryaffiliation",
	"urn:oid:1.3.6.1.4.1.5923.1.1.1.6":  "saml:edupersonprincipalname",
	"urn:oid:1.3.6.1.4.1.5923.1.1.1.7":  "saml:edupersonentitlement",
	"urn:oid:1.3.6.1.4.1.5923.1.1.1.8":  "saml:edupersonprimaryorgunitdn",
	"urn:oid:1.3.6.1.4.1.5923.1.1.1.9":  "saml:edupersonscopedaffiliation",
	"urn:oid:1.3.6.1.4.1.5923.1.1.1.10": "saml:edupersontargetedid",
	"urn:oid:1.3.6.1.4.1.5923.1.1.1.11": "saml:edupersonassurance",
	"urn:oid:1.3.6.1.4.1.5923.1.2.1.2":  "saml:eduorghomepageuri",
	"urn:oid:1.3.6.1.4.1.5923.1.2.1.3":  "saml:eduorgidentityauthnpolicyuri",
	"urn:oid:1.3.6.1.4.1.5923.1.2.1.4":  "saml:eduorglegalname",
	"urn:oid:1.3.6.1.4.1.5923.1.2.1.5":  "saml:eduorgsuperioruri",
	"urn:oid:1.3.6.1.4.1.5923.1.2.1.6":  "saml:eduorgwhitepagesuri",
	"urn:oid:2.5.4.3":                   "saml:cn",
	"urn:oid:2.5.4.42":                  "saml:givenname",
	"urn:oid:0.9.2342.19200300.100.1.3": "saml:mail",
	"urn:oid:0.9.2342.19200300.100.1.1": "saml:uid",
}

// samlContext is the condition keys of a SAML request: saml:aud (the Recipient), saml:iss,
// saml:sub, saml:sub_type, saml:namequalifier, saml:doc, the eduPerson/eduOrg attribute keys,
// aws:FederatedProvider, sts:RoleSessionName, sts:SourceIdentity and the session tag keys.
func samlContext(a *samlsp.Assertion, nameQualifier, doc, provARN string) map[string][]string {
	m := map[string][]string{
		"saml:aud":              {a.Recipient},
		"saml:iss":              {a.Issuer},
		"saml:sub":              {a.Subject},
		"saml:sub_type":         {a.SubjectType()},
		"saml:namequalifier":    {nameQualifier},
		"saml:doc":              {doc},
		"aws:FederatedProvider": {provARN},
		"sts:RoleSessionName":   {a.RoleSessionName},
	}
	for name, vs := range a.Attributes {
		if k, ok := samlAttributeKeys[name]; ok && len(vs) > 0 {
			m[k] = vs
		}
	}
	if a.SourceIdentity != "" {
		m["sts:SourceIdentity"] = []string{a.SourceIdentity}
	}
	addTagContext(m, a.Tags, a.TransitiveTagKeys)
	return m
}

// federatedTrust evaluates the role's trust policy for each action a federated caller needs
// (sts:AssumeRoleWith…, and sts:TagSession or sts:SetSourceIdentity when the token or
// assertion carries tags or a source identity); a denial answers AccessDenied with denied, or
// is logged under --enforce=log.
func (s *Service) federatedTrust(fed *authn.Caller, actions []string, roleARN, roleAcct string, trust *policy.Compiled, keys map[string][]string, provARN, denied string) error {
	rc := authz.RequestContext(fed, nil, keys)
	for _, action := range actions {
		d := policy.Evaluate(&policy.Input{Action: action, Resource: roleARN, ResourceAccount: roleAcct, ResourcePolicy: trust,
			Principal: fed.Principal, Context: rc})
		if !d.Allowed() {
			if s.authz.Enforcing() {
				return iam.Errorf(iam.CodeAccessDenied, "%s", denied)
			}
			s.logger.Warn("would deny (enforce=log): trust policy", "request", fed.RequestID, "role", roleARN, "provider", provARN, "action", action)
		}
	}
	return nil
}

// samlParams are AssumeRoleWithSAML's parameters as its CloudTrail record shows them once the
// assertion is verified: the input's members (the assertion itself is a secret the record leaves
// out) and what the assertion carried: sAMLAssertionID (its ID attribute), roleSessionName,
// principalTags (key to value) and transitiveTagKeys when it has session tags, and
// sourceIdentity when it sets one, as in the IAM User Guide's AssumeRoleWithSAML records
// ("Logging IAM and AWS STS API calls with AWS CloudTrail", "Passing session tags in AWS STS").
// It has every member of the SDK input (TestSAMLParamsFields); the record's keys are the
// members' names in lowerCamel case, so SAMLAssertionID is written sAMLAssertionID, as AWS's.
type samlParams struct {
	RoleArn                 *string
	PrincipalArn            *string
	SAMLAssertion           *string
	DurationSeconds         *int32
	MinimumSessionTokenSize *int32
	Policy                  *string
	PolicyArns              []types.PolicyDescriptorType

	SAMLAssertionID   *string
	RoleSessionName   *string
	PrincipalTags     map[string]string
	TransitiveTagKeys []string
	SourceIdentity    *string
}

func newSAMLParams(in *sdk.AssumeRoleWithSAMLInput, a *samlsp.Assertion) *samlParams {
	p := &samlParams{
		RoleArn: in.RoleArn, PrincipalArn: in.PrincipalArn, SAMLAssertion: in.SAMLAssertion,
		DurationSeconds: in.DurationSeconds, MinimumSessionTokenSize: in.MinimumSessionTokenSize, Policy: in.Policy, PolicyArns: in.PolicyArns,
		SAMLAssertionID: nonEmpty(a.ID), RoleSessionName: nonEmpty(a.RoleSessionName), SourceIdentity: nonEmpty(a.SourceIdentity),
	}
	if len(a.Tags) > 0 {
		p.PrincipalTags, p.TransitiveTagKeys = a.Tags, a.TransitiveTagKeys
	}
	return p
}

// nonEmpty is a pointer to s, nil for "" (a member the record leaves out).
func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
