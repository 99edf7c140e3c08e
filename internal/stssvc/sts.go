package stssvc

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	sdk "github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/aws-sdk-go-v2/service/sts/types"

	"github.com/iamd-dev/iamd/internal/authn"
	"github.com/iamd-dev/iamd/internal/authz"
	"github.com/iamd-dev/iamd/internal/iam"
	"github.com/iamd-dev/iamd/internal/policy"
	"github.com/iamd-dev/iamd/internal/samlsp"
	"github.com/iamd-dev/iamd/internal/secrets"
	"github.com/iamd-dev/iamd/internal/store"
)

// Service is the STS API.
type Service struct {
	store  store.Store
	authz  *authz.Authorizer
	keys   *secrets.Keyring
	rand   io.Reader
	now    func() time.Time
	logger *slog.Logger
	webID  WebIdentityVerifier
	// saml verifies AssumeRoleWithSAML responses and remembers the assertion IDs it accepted.
	saml *samlsp.Verifier
	// opened remembers session tokens already opened, by access key ID (see OpenSession).
	opened *authn.Cache[string, openedSession]
	// roles caches roles for AssumeRole, bound to the authorizer's generation.
	roles *authn.Cache[roleKey, *cachedRole]
	// touched is when each role's last use was last written.
	touchMu sync.Mutex
	touched map[roleKey]time.Time
}

// Config holds a Service's dependencies.
type Config struct {
	Store  store.Store
	Authz  *authz.Authorizer
	Keys   *secrets.Keyring
	Rand   io.Reader
	Now    func() time.Time
	Logger *slog.Logger
	// WebIdentity verifies AssumeRoleWithWebIdentity tokens (nil: every call fails with
	// IDPCommunicationError).
	WebIdentity WebIdentityVerifier
}

// New returns the STS service.
func New(c Config) *Service {
	s := &Service{store: c.Store, authz: c.Authz, keys: c.Keys, rand: c.Rand, now: c.Now, logger: c.Logger, webID: c.WebIdentity,
		saml: samlsp.NewVerifier(samlsp.DefaultMaxIDs), opened: newOpenedCache()}
	if c.Authz != nil {
		s.roles = authn.NewCache[roleKey, *cachedRole](c.Authz.Generation(), maxCached)
	}
	return s
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func ptr[T any](v T) *T { return &v }

// GetCallerIdentity answers who the caller is. It needs no permission: AWS answers it even when
// every policy denies.
func (s *Service) GetCallerIdentity(ctx context.Context, c *authn.Caller, in *sdk.GetCallerIdentityInput) (*sdk.GetCallerIdentityOutput, error) {
	return &sdk.GetCallerIdentityOutput{Account: ptr(c.Principal.Account), Arn: ptr(c.Principal.ARN), UserId: ptr(c.UserID)}, nil
}

// issuedCredentials holds temporary credentials and the values their pointers point to, so
// that a response's credentials take one allocation instead of five.
type issuedCredentials struct {
	cred            types.Credentials
	id, secret, tok string
	expires         time.Time
}

// issue mints temporary credentials carrying t.
func (s *Service) issue(t *token) (*types.Credentials, error) {
	id, err := secrets.NewAccessKeyID("ASIA", s.rand)
	if err != nil {
		return nil, err
	}
	secret, err := secrets.NewSecretAccessKey(s.rand)
	if err != nil {
		return nil, err
	}
	t.AccessKeyID, t.Secret = id, secret
	tok, err := s.keys.SealToken(t.marshal(), s.rand)
	if err != nil {
		return nil, err
	}
	ic := &issuedCredentials{id: id, secret: secret, tok: tok, expires: t.Expires}
	ic.cred = types.Credentials{AccessKeyId: &ic.id, SecretAccessKey: &ic.secret, SessionToken: &ic.tok, Expiration: &ic.expires}
	return &ic.cred, nil
}

func validation(field, value, constraint string) error {
	return &iam.FieldError{Field: field, Value: value, Constraint: constraint}
}

// GetSessionToken issues temporary credentials for an IAM user or the root user. It needs no
// permission, and no policy can refuse it, not even an explicit Deny: its purpose is to
// authenticate the user with MFA, and AWS does not let policies control authentication ("No
// permissions are required for a user to get a session token", IAM User Guide, "Permissions for
// GetSessionToken"). What the session may call afterwards is SessionTokenLimit.
func (s *Service) GetSessionToken(ctx context.Context, c *authn.Caller, in *sdk.GetSessionTokenInput) (*sdk.GetSessionTokenOutput, error) {
	d, err := longTermDuration(c, in.DurationSeconds)
	if err != nil {
		return nil, err
	}
	if err := checkMFAInput(in.SerialNumber, in.TokenCode); err != nil {
		return nil, err
	}
	if c.Session != nil {
		return nil, iam.Errorf(iam.CodeAccessDenied, "Cannot call GetSessionToken with session credentials")
	}
	mfaTime, err := s.checkMFA(ctx, c, in.SerialNumber, in.TokenCode)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC().Truncate(time.Second)
	t := &token{Expires: now.Add(time.Duration(d) * time.Second), Type: uint8(c.Principal.Type), ARN: c.Principal.ARN, Account: c.Principal.Account,
		SourceARN: c.Principal.SourceARN, UserID: c.UserID, UserName: c.UserName, Issued: now, MFA: !mfaTime.IsZero(), MFATime: mfaTime}
	cred, err := s.issue(t)
	if err != nil {
		return nil, err
	}
	return &sdk.GetSessionTokenOutput{Credentials: cred}, nil
}

// longTermDuration is the session length for GetSessionToken and GetFederationToken: 900 to
// 129,600 seconds (default 43,200), at most an hour for the root user.
func longTermDuration(c *authn.Caller, requested *int32) (int32, error) {
	d, maxD := int32(43200), int32(129600)
	if c.IsRoot() {
		d, maxD = 3600, 3600
	}
	if requested == nil {
		return d, nil
	}
	d = *requested
	if d < 900 {
		return 0, validation("durationSeconds", strconv.Itoa(int(d)), "Member must have value greater than or equal to 900")
	}
	if d > 129600 {
		return 0, validation("durationSeconds", strconv.Itoa(int(d)), "Member must have value less than or equal to 129600")
	}
	return min(d, maxD), nil
}

// roleARNParts splits arn:aws:iam::ACCOUNT:role/path/NAME.
func roleARNParts(arn string) (acct, name string, ok bool) {
	rest, ok := strings.CutPrefix(arn, "arn:aws:iam::")
	if !ok {
		return "", "", false
	}
	acct, res, ok := strings.Cut(rest, ":")
	if !ok || !strings.HasPrefix(res, "role/") || len(acct) != 12 {
		return "", "", false
	}
	return acct, res[strings.LastIndexByte(res, '/')+1:], true
}

// badRoleARN is the refusal of a RoleArn that names no role iamd can look up. A value that is not
// an ARN at all (not six colon-separated parts beginning "arn", or an empty partition, service
// or resource) is AWS's ValidationError "ARN is invalid", as AWS answered AssumeRole for
// "nothing-valid-in-here", "arn::b:::something/test-role", "arn:a::::something/test-role",
// "arn:a:::something/test-role" and "arn:a:a::aaaaaaaaaa:" (LocalStack's recording against AWS,
// localstack/localstack tests/aws/services/sts/test_sts.snapshot.json,
// test_sts_invalid_parameters). AWS's text for a well-formed ARN that is not a role's is not
// recorded; iamd's names the constraint.
func badRoleARN(arn string) error {
	if err := notAnARN(arn); err != nil {
		return err
	}
	return validation("roleArn", arn, "Member must satisfy the ARN format of a role")
}

// notAnARN returns AWS's ValidationError "<arn> is invalid" when arn is not an ARN at all (see
// badRoleARN), and nil otherwise.
func notAnARN(arn string) error {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[1] == "" || parts[2] == "" || parts[5] == "" {
		return iam.Errorf(iam.CodeValidationError, "%s is invalid", arn)
	}
	return nil
}

func isSessionNameChar(r rune) bool {
	return r < 128 && (r == '_' || r == '+' || r == '=' || r == ',' || r == '.' || r == '@' || r == '-' ||
		'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9')
}

func checkSessionName(name string) error {
	return checkMember("roleSessionName", name, 2, 64, isSessionNameChar, sessionNamePattern)
}

// The STS model's patterns, written as AWS quotes them in ValidationError messages.
const (
	sessionNamePattern   = `[\w+=,.@-]*` // RoleSessionName, SourceIdentity
	externalIDPattern    = `[\w+=,.@:\/-]*`
	serialNumberPattern  = `[\w+=/:,.@-]*`
	tokenCodePattern     = `[\d]*`
	accessKeyIDPattern   = `[\w]*`
	tagKeyPattern        = `[\p{L}\p{Z}\p{N}_.:/=+\-@]+`
	arnPattern           = `[\u0009\u000A\u000D\u0020-\u007E\u0085\u00A0-\uD7FF\uE000-\uFFFD\u10000-\u10FFFF]+`
	sessionPolicyPattern = `[\u0009\u000A\u000D\u0020-\u00FF]+`
)

// isWordChar is the model's \w, Java's: ASCII letters, digits and underscore.
func isWordChar(r rune) bool {
	return r == '_' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
}

// isIDChar is the class ExternalId and SerialNumber share: [\w+=,.@:/-].
func isIDChar(r rune) bool { return isSessionNameChar(r) || r == ':' || r == '/' }

func isDigit(r rune) bool { return '0' <= r && r <= '9' }

func isTagKeyChar(r rune) bool {
	return unicode.IsLetter(r) || unicode.In(r, unicode.Z) || unicode.IsNumber(r) || strings.ContainsRune("_.:/=+-@", r)
}

func isARNChar(r rune) bool {
	return r == '\t' || r == '\n' || r == '\r' || 0x20 <= r && r <= 0x7E || r == 0x85 || 0xA0 <= r && r <= 0xD7FF ||
		0xE000 <= r && r <= 0xFFFD || 0x10000 <= r && r <= 0x10FFFF
}

func isSessionPolicyChar(r rune) bool {
	return r == '\t' || r == '\n' || r == '\r' || 0x20 <= r && r <= 0xFF
}

// checkMember checks a string member against its model's length bounds, counted in characters,
// and its pattern, whose character class ok tests; the first failure is the error, in AWS's words.
func checkMember(field, v string, minLen, maxLen int, ok func(rune) bool, pattern string) error {
	n := utf8.RuneCountInString(v)
	if n < minLen {
		return validation(field, v, "Member must have length greater than or equal to "+strconv.Itoa(minLen))
	}
	if n > maxLen {
		return validation(field, v, "Member must have length less than or equal to "+strconv.Itoa(maxLen))
	}
	for _, r := range v {
		if !ok(r) {
			return validation(field, v, "Member must satisfy regular expression pattern: "+pattern)
		}
	}
	return nil
}

// checkMFAInput checks SerialNumber and TokenCode against the model, before any MFA check.
func checkMFAInput(serial, code *string) error {
	if serial != nil {
		if err := checkMember("serialNumber", *serial, 9, 256, isIDChar, serialNumberPattern); err != nil {
			return err
		}
	}
	if code != nil {
		return checkTokenCode(*code)
	}
	return nil
}

// checkTransitiveTagKeys checks TransitiveTagKeys: at most 50 keys, each a session tag key. AWS
// leaves a list's value out of the message and names every constraint of its members at once.
func checkTransitiveTagKeys(keys []string) error {
	if len(keys) > 50 {
		return &iam.FieldError{Field: "transitiveTagKeys", Constraint: "Member must have length less than or equal to 50", Sensitive: true}
	}
	for _, k := range keys {
		n := utf8.RuneCountInString(k)
		bad := n < 1 || n > iam.MaxTagKey
		for _, r := range k {
			bad = bad || !isTagKeyChar(r)
		}
		if bad {
			return &iam.FieldError{Field: "transitiveTagKeys", Sensitive: true, Constraint: "Member must satisfy constraint: [Member must have length less than or equal to " +
				strconv.Itoa(iam.MaxTagKey) + ", Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: " + tagKeyPattern + ", Member must not be null]"}
		}
	}
	return nil
}

// checkAssumeRoleInput checks AssumeRole's string members against the STS model (lengths and
// patterns), as AWS does before anything else.
func checkAssumeRoleInput(in *sdk.AssumeRoleInput) error {
	if err := checkMember("roleArn", str(in.RoleArn), 20, 2048, isARNChar, arnPattern); err != nil {
		return err
	}
	if err := checkSessionName(str(in.RoleSessionName)); err != nil {
		return err
	}
	for i, pa := range in.PolicyArns {
		if pa.Arn == nil {
			continue
		}
		if err := checkMember("policyArns."+strconv.Itoa(i+1)+".member.arn", *pa.Arn, 20, 2048, isARNChar, arnPattern); err != nil {
			return err
		}
	}
	if in.Policy != nil {
		if err := checkMember("policy", *in.Policy, 1, math.MaxInt, isSessionPolicyChar, sessionPolicyPattern); err != nil {
			return err
		}
	}
	if in.DurationSeconds != nil {
		if d := *in.DurationSeconds; d < 900 {
			return validation("durationSeconds", strconv.Itoa(int(d)), "Member must have value greater than or equal to 900")
		} else if d > 43200 {
			return validation("durationSeconds", strconv.Itoa(int(d)), "Member must have value less than or equal to 43200")
		}
	}
	if err := checkTransitiveTagKeys(in.TransitiveTagKeys); err != nil {
		return err
	}
	if in.ExternalId != nil {
		if err := checkMember("externalId", *in.ExternalId, 2, 1224, isIDChar, externalIDPattern); err != nil {
			return err
		}
	}
	if err := checkMFAInput(in.SerialNumber, in.TokenCode); err != nil {
		return err
	}
	if in.SourceIdentity != nil {
		return checkMember("sourceIdentity", *in.SourceIdentity, 2, 64, isSessionNameChar, sessionNamePattern)
	}
	return nil
}

// AWS's refusals of AssumeRole's session tags, as LocalStack recorded AWS answering them
// (localstack/localstack tests/aws/services/sts/test_sts.snapshot.json,
// TestSTSAssumeRoleTagging): InvalidParameterValue, HTTP 400.
const (
	msgDuplicateTagKeys    = "Duplicate tag keys found. Please note that Tag keys are case insensitive."
	msgTransitiveNotTagged = "The specified transitive tag key must be included in the requested tags."
	msgTransitiveConflict  = "One of the specified transitive tag keys can't be set because it conflicts with a transitive tag key from the calling session."
)

// addTagContext adds a request's session tags to a trust policy evaluation's condition keys:
// aws:RequestTag/KEY, aws:TagKeys (sorted; absent without tags) and sts:TransitiveTagKeys as the
// request lists them.
func addTagContext(m map[string][]string, tags map[string]string, transitive []string) {
	if len(tags) > 0 {
		for k, v := range tags {
			m["aws:RequestTag/"+k] = []string{v}
		}
		m["aws:TagKeys"] = slices.Sorted(maps.Keys(tags))
	}
	if len(transitive) > 0 {
		m["sts:TransitiveTagKeys"] = transitive
	}
}

// tooManyTags is the ValidationError for n session tags, more than the model's tagListType
// allows (50).
func tooManyTags(n int) error {
	return validation("tags", strconv.Itoa(n), "Member must have length less than or equal to 50")
}

// requestTags checks a request's Tags as AssumeRole and GetFederationToken do: at most 50 (the
// model's tagListType), each a valid tag. It returns them and what they add to the packed size.
func requestTags(in []types.Tag) ([]iam.Tag, int, error) {
	if len(in) > iam.MaxTags {
		return nil, 0, tooManyTags(len(in))
	}
	tags := make([]iam.Tag, len(in))
	size := 0
	for i, t := range in {
		tags[i] = iam.Tag{Key: str(t.Key), Value: str(t.Value)}
		if err := iam.CheckTagAt(i, tags[i]); err != nil {
			return nil, 0, err
		}
		size += len(tags[i].Key) + len(tags[i].Value)
	}
	return tags, size, nil
}

// sessionTags checks a request's session tags (each already checked by iam.CheckTagAt) and
// TransitiveTagKeys, and returns the new session's tags: the request's, and the transitive tags
// of the calling session from, if any, passed on. Tag keys are case-insensitive: two tags whose
// keys differ only in case (or not at all) are refused, and every transitive key must name one
// of the request's tags, ignoring case (AWS accepted TransitiveTagKeys "sessiontag1" for the tag
// "SessionTag1"), also when the request has no tags at all. A chained request may not set a tag
// whose key, ignoring case, is one of the calling session's transitive keys, whether or not it
// makes it transitive (AWS refused "SessionTag1" and "sessiontag1" after "SessionTag1" was
// passed on; the IAM User Guide, "Chaining roles with session tags": passing the inherited
// Heart tag with another value "will fail").
func sessionTags(req []iam.Tag, transitive []string, from *authn.Session) (map[string]string, error) {
	tags := make(map[string]string, len(req))
	keys := make(map[string]string, len(req)) // lower-case key → the key as given
	for _, t := range req {
		if _, dup := keys[strings.ToLower(t.Key)]; dup {
			return nil, iam.Errorf(iam.CodeInvalidParameterValue, msgDuplicateTagKeys)
		}
		tags[t.Key] = t.Value
		keys[strings.ToLower(t.Key)] = t.Key
	}
	if from != nil {
		for _, k := range from.TransitiveKeys {
			if _, set := keys[strings.ToLower(k)]; set {
				return nil, iam.Errorf(iam.CodeInvalidParameterValue, msgTransitiveConflict)
			}
		}
	}
	for _, k := range transitive {
		if _, ok := keys[strings.ToLower(k)]; !ok {
			return nil, iam.Errorf(iam.CodeInvalidParameterValue, msgTransitiveNotTagged)
		}
	}
	// Transitive session tags from a chained session pass on.
	if from != nil {
		for _, k := range from.TransitiveKeys {
			key, v := inheritedTag(from.Tags, k)
			tags[key] = v
		}
	}
	return tags, nil
}

// transitiveKeys returns the transitive keys of a new session whose tags sessionTags returned:
// the requested keys, each spelled as its tag's key so that the next hop finds the tag, and the
// calling session's, which stay transitive (IAM User Guide, "Chaining roles with session tags":
// the inherited Heart and Star tags "will continue to be transitive"); each once.
func transitiveKeys(tags map[string]string, requested []string, from *authn.Session) []string {
	var out []string
	made := map[string]bool{}
	add := func(k string) {
		if !made[k] {
			made[k] = true
			out = append(out, k)
		}
	}
	for _, k := range requested {
		key, _ := inheritedTag(tags, k)
		add(key)
	}
	if from != nil {
		for _, k := range from.TransitiveKeys {
			key, _ := inheritedTag(from.Tags, k)
			add(key)
		}
	}
	return out
}

// inheritedTag finds a tag by a transitive key, ignoring case if need be (TransitiveTagKeys may
// spell a key otherwise, and so may sessions issued before transitive keys were kept as their
// tags' keys), and returns the tag's key and value.
func inheritedTag(tags map[string]string, k string) (string, string) {
	if v, ok := tags[k]; ok {
		return k, v
	}
	for tk, v := range tags {
		if strings.EqualFold(tk, k) {
			return tk, v
		}
	}
	return k, ""
}

// SessionTokenLimit returns AWS's refusal when c signs with temporary credentials of a kind that
// may not call an operation whatever its policies allow, and nil otherwise (also for every other
// kind of caller). service is the signing name ("iam", "sts"), action the operation's name.
// GetAccessKeyInfo applies it; every other Query call is for the API layer to apply after
// authentication. Other services (CloudTrail, Access Analyzer) are not limited: AWS names only
// IAM and STS.
//
// Credentials from GetSessionToken cannot call IAM operations unless MFA was presented to
// GetSessionToken (AWS answers InvalidClientTokenId), and of STS only AssumeRole and
// GetCallerIdentity (the refusal is AWS's "Cannot call GetSessionToken with session credentials"
// for the operation called).
//
// Credentials from GetFederationToken (a federated user) cannot call any IAM operation through
// the API, MFA or not, and of STS only GetCallerIdentity (API Reference, GetFederationToken,
// "Permissions"); see federationLimit.
func SessionTokenLimit(c *authn.Caller, service, action string) error {
	if c == nil {
		return nil
	}
	if c.Principal.Type == policy.PrincipalFederatedUser {
		return federationLimit(service, action)
	}
	if c.Session == nil || c.Principal.Type != policy.PrincipalUser && c.Principal.Type != policy.PrincipalRoot {
		return nil
	}
	if len(c.Session.Policies) > 0 {
		// A delegated access token (GetDelegatedAccessToken) is a user session too, carrying the
		// delegation's permission policy; GetSessionToken's sessions carry no session policy.
		return nil
	}
	switch service {
	case "iam":
		if !c.Session.MFA {
			return iam.Errorf(iam.CodeInvalidClientTokenID, msgInvalidToken)
		}
	case "sts":
		if action != "AssumeRole" && action != "GetCallerIdentity" {
			return sessionCredentialsRefusal(action)
		}
	}
	return nil
}

// federationLimit is what a federated user's credentials (GetFederationToken) may not call: any
// IAM operation, answered InvalidClientTokenId "The security token included in the request is
// invalid" as AWS answers GetSessionToken credentials without MFA (awslimitchecker's
// documentation and jantman/awslimitchecker#139, from AWS Support: federation credentials "will
// fail with an invalid token error" on the IAM API; no recorded response gives the text), and
// any STS operation but GetCallerIdentity, answered AccessDenied "Cannot call <action> with
// session credentials" (AWS's words for GetSessionToken and GetFederationToken called with
// session credentials, hashicorp/vault#4108, apache/hadoop#4705; no response of AWS to
// AssumeRole or DecodeAuthorizationMessage with federation credentials is recorded, so iamd
// answers them in the same form).
func federationLimit(service, action string) error {
	switch service {
	case "iam":
		return iam.Errorf(iam.CodeInvalidClientTokenID, msgInvalidToken)
	case "sts":
		if action != "GetCallerIdentity" {
			return sessionCredentialsRefusal(action)
		}
	}
	return nil
}

// sessionCredentialsRefusal is AWS's refusal of an STS operation that the caller's temporary
// credentials may not call.
func sessionCredentialsRefusal(action string) error {
	return iam.Errorf(iam.CodeAccessDenied, "Cannot call %s with session credentials", action)
}

// msgChainedDuration refuses a role chaining session longer than an hour.
const msgChainedDuration = "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."

// packedLimit is the packed size that session policies and tags may take (AWS reports the use
// as a percentage of it in PackedPolicySize).
const packedLimit = 2048

// AssumeRole issues role session credentials after checking the role's trust policy and the
// caller's own permission to assume it.
func (s *Service) AssumeRole(ctx context.Context, c *authn.Caller, in *sdk.AssumeRoleInput) (*sdk.AssumeRoleOutput, error) {
	roleARN, session := str(in.RoleArn), str(in.RoleSessionName)
	if err := checkAssumeRoleInput(in); err != nil {
		return nil, err
	}
	if c.IsRoot() {
		return nil, iam.Errorf(iam.CodeAccessDenied, "Roles may not be assumed by root accounts.")
	}
	roleAcct, roleName, ok := roleARNParts(roleARN)
	if !ok {
		return nil, badRoleARN(roleARN)
	}
	sessionPolicies, size, err := s.sessionPolicies(ctx, in.Policy, in.PolicyArns)
	if err != nil {
		return nil, err
	}
	reqTags, n, err := requestTags(in.Tags)
	if err != nil {
		return nil, err
	}
	size += n
	tags, err := sessionTags(reqTags, in.TransitiveTagKeys, c.Session)
	if err != nil {
		return nil, err
	}

	role, err := s.role(ctx, roleAcct, roleName)
	denied := func() error {
		return iam.Errorf(iam.CodeAccessDenied, "User: %s is not authorized to perform: sts:AssumeRole on resource: %s", c.Principal.ARN, roleARN)
	}
	if err != nil {
		return nil, err
	}
	if role == nil {
		return nil, denied()
	}
	sourceARN := iam.RoleARN(roleAcct, role.Path, role.Name)
	if sourceARN != roleARN && iam.RoleARN(roleAcct, "/", role.Name) != roleARN {
		return nil, denied()
	}
	packed := size * 100 / packedLimit
	if packed > 100 {
		return nil, iam.Errorf(iam.CodePackedPolicyTooLarge, "Packed policy consumes %d%% of allotted space, please use smaller policy.", packed)
	}

	chained := c.Principal.Type == policy.PrincipalRoleSession
	dur := int32(3600)
	if in.DurationSeconds != nil {
		dur = *in.DurationSeconds
	}
	maxD := role.MaxSessionDuration
	if maxD == 0 {
		maxD = 3600
	}
	if chained && dur > 3600 {
		// AWS's words alone, without the "1 validation error detected" frame of its model
		// checks (aws-vault#263, prowler#7721, aws/eks-anywhere#9485 quote AWS's answer).
		return nil, iam.Errorf(iam.CodeValidationError, msgChainedDuration)
	}
	if dur > maxD {
		return nil, iam.Errorf(iam.CodeValidationError, "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
	}

	mfaTime, err := s.checkMFA(ctx, c, in.SerialNumber, in.TokenCode)
	if err != nil {
		return nil, err
	}
	if !mfaTime.IsZero() {
		// The MFA this request presented counts for it (aws:MultiFactorAuth*) and passes on
		// to the session; the caller itself stays as it was.
		caller := *c
		sess := authn.Session{}
		if c.Session != nil {
			sess = *c.Session
		}
		sess.MFA, sess.MFATime = true, mfaTime
		caller.Session = &sess
		c = &caller
	}
	extra := map[string][]string{"sts:RoleSessionName": {session}}
	if in.ExternalId != nil {
		extra["sts:ExternalId"] = []string{*in.ExternalId}
	}
	// A source identity is set by this request or carried on from a chained session; either way
	// the role's trust policy (and an IAM caller's own policies) must allow sts:SetSourceIdentity.
	sourceID := str(in.SourceIdentity)
	if c.Session != nil && c.Session.SourceIdentity != "" {
		// "The value that is set cannot be changed during the role session."
		if sourceID != "" && sourceID != c.Session.SourceIdentity {
			return nil, iam.Errorf(iam.CodeAccessDenied, "User: %s is not authorized to perform: sts:SetSourceIdentity on resource: %s because a role session's source identity cannot be changed",
				c.Principal.ARN, roleARN)
		}
		sourceID = c.Session.SourceIdentity
	}
	if sourceID != "" {
		extra["sts:SourceIdentity"] = []string{sourceID}
	}
	addTagContext(extra, tags, in.TransitiveTagKeys)
	// The role's tags are the resource's tags (aws:ResourceTag/*, iam:ResourceTag/*). Without
	// tags that would be a copy of extra, which nothing changes from here on.
	if len(role.Tags) > 0 {
		extra = authz.ResourceTagContext(role.Tags, true, extra)
	}
	trust := s.trustPolicy(role, roleARN)
	// The trust policy must allow the caller whatever its own policies say.
	tr := policy.Explain(authz.WithLazyContext(policy.Input{Action: "sts:AssumeRole", Resource: roleARN,
		Principal: c.Principal, ResourceAccount: roleAcct, ResourcePolicy: trust}, authz.LazyContext{Caller: c, Extra: extra}))
	trustAllows := tr.Decision.Effect != policy.DecisionExplicitDeny
	if trustAllows {
		trustAllows = false
		for _, m := range tr.Matched {
			if m.Policy.Kind == policy.Trust && m.Effect == policy.Allow {
				trustAllows = true
			}
		}
	}
	if !trustAllows {
		if s.authz.Enforcing() {
			return nil, denied()
		}
		s.logger.Warn("would deny (enforce=log): trust policy", "request", c.RequestID, "role", roleARN)
	}
	// And the caller's side (identity policies, boundary, session), with the trust policy as the
	// resource-based policy, as AWS evaluates it.
	if err := s.authz.Authorize(ctx, c, authz.Request{Action: "sts:AssumeRole", Resource: roleARN, ResourceAccount: roleAcct, Context: extra, ResourcePolicy: trust}); err != nil {
		return nil, err
	}
	if len(tags) > 0 {
		if err := s.authz.Authorize(ctx, c, authz.Request{Action: "sts:TagSession", Resource: roleARN, ResourceAccount: roleAcct, Context: extra, ResourcePolicy: trust}); err != nil {
			return nil, err
		}
	}
	if sourceID != "" {
		if err := s.authz.Authorize(ctx, c, authz.Request{Action: "sts:SetSourceIdentity", Resource: roleARN, ResourceAccount: roleAcct, Context: extra, ResourcePolicy: trust}); err != nil {
			return nil, err
		}
	}

	now := s.now().UTC().Truncate(time.Second)
	sessionARN := iam.AssumedRoleARN(roleAcct, role.Name, session)
	t := &token{
		Expires: now.Add(time.Duration(dur) * time.Second), Type: uint8(policy.PrincipalRoleSession), ARN: sessionARN, Account: roleAcct,
		SourceARN: sourceARN, UserID: role.ID + ":" + session, Policies: sessionPolicies, Issued: now,
		Chained: chained, TransitiveKeys: transitiveKeys(tags, in.TransitiveTagKeys, c.Session),
	}
	if len(tags) > 0 {
		t.Tags = tags
	}
	if c.Session != nil {
		t.MFA, t.MFATime = c.Session.MFA, c.Session.MFATime
	}
	t.SourceIdentity = sourceID
	cred, err := s.issue(t)
	if err != nil {
		return nil, err
	}
	// The output and its assumed role user in one allocation.
	res := &struct {
		out      sdk.AssumeRoleOutput
		user     types.AssumedRoleUser
		arn, uid string
	}{arn: sessionARN, uid: t.UserID}
	res.user = types.AssumedRoleUser{Arn: &res.arn, AssumedRoleId: &res.uid}
	res.out = sdk.AssumeRoleOutput{Credentials: cred, AssumedRoleUser: &res.user}
	out := &res.out
	if len(sessionPolicies) > 0 || len(tags) > 0 {
		out.PackedPolicySize = ptr(int32(packed))
	}
	if t.SourceIdentity != "" {
		out.SourceIdentity = ptr(t.SourceIdentity)
	}
	// Record the role's last use off the request path.
	s.touchRole(roleAcct, role.Name, now, c.Region)
	return out, nil
}

// touchInterval is how often a role's last use is written at most: a role assumed many times a
// second costs one write a minute, not one per session (AWS, too, reports last use with a delay).
const touchInterval = time.Minute

// role returns the role (nil when there is none), from the cache when it was loaded at the
// current generation: every committed change to roles bumps it before it is acknowledged. The
// returned role is shared: callers must not modify it.
func (s *Service) role(ctx context.Context, acct, name string) (*cachedRole, error) {
	key := roleKey{acct, strings.ToLower(name)}
	var gen uint64
	if s.roles != nil {
		r, ok, g := s.roles.Get(key)
		if ok {
			return r, nil
		}
		gen = g
	}
	var role *iam.Role
	err := s.store.View(ctx, func(r store.Reader) error {
		var err error
		role, err = decodeEntity[iam.Role](ctx, r, acct, store.KindRole, name)
		return err
	})
	if err != nil || role == nil {
		return nil, err
	}
	cr := &cachedRole{Role: role}
	if s.roles != nil {
		s.roles.Put(gen, key, cr)
	}
	return cr, nil
}

// roleKey names a role in the role cache and for dueTouch: its account and its name in lower case.
type roleKey struct{ acct, name string }

// cachedRole is a role as the role cache holds it, with its trust policy compiled once for the
// role ARN requests name it by (AssumeRole takes the ARN with or without the role's path). A
// change to the role makes the cache load it again, trust policy and all.
type cachedRole struct {
	*iam.Role
	trust atomic.Pointer[compiledTrust]
}

// compiledTrust is a role's trust policy compiled with arn as its policy ARN.
type compiledTrust struct {
	arn      string
	compiled *policy.Compiled
}

// trustPolicy returns the role's trust policy compiled for roleARN, as authz.Compile returns it,
// without hashing the document again on every call.
func (s *Service) trustPolicy(r *cachedRole, roleARN string) *policy.Compiled {
	if t := r.trust.Load(); t != nil && t.arn == roleARN {
		return t.compiled
	}
	c := s.authz.Compile(r.TrustPolicy, policy.Trust, policy.PolicyRef{ARN: roleARN, Name: "trust"})
	r.trust.Store(&compiledTrust{arn: roleARN, compiled: c})
	return c
}

// dueTouch reports whether the role's last use should be written now, and if so notes it.
func (s *Service) dueTouch(acct, name string, now time.Time) bool {
	key := roleKey{acct, strings.ToLower(name)}
	s.touchMu.Lock()
	defer s.touchMu.Unlock()
	if last, ok := s.touched[key]; ok && now.Sub(last) < touchInterval && !now.Before(last) {
		return false
	}
	if s.touched == nil || len(s.touched) >= maxCached {
		s.touched = map[roleKey]time.Time{}
	}
	s.touched[key] = now
	return true
}

// touchRole records the role's last use (RoleLastUsed), at most once per touchInterval, off the
// request path: whether it is due is decided here, and only a due write gets a goroutine (a role
// assumed many times a second starts one a minute, not one per call).
func (s *Service) touchRole(acct, name string, now time.Time, region string) {
	if s.dueTouch(acct, name, now) {
		go s.writeLastUse(acct, name, now, region)
	}
}

// writeLastUse writes the role's last use.
func (s *Service) writeLastUse(acct, name string, now time.Time, region string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := s.store.Update(ctx, func(tx store.Tx) error {
		e, err := tx.Get(ctx, acct, store.KindRole, name)
		if err != nil {
			return err
		}
		var r iam.Role
		if err := json.Unmarshal(e.Data, &r); err != nil {
			return err
		}
		r.LastUsed, r.LastUsedRegion = now, region
		if e.Data, err = json.Marshal(&r); err != nil {
			return err
		}
		return tx.Update(ctx, e)
	})
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		s.logger.Warn("recording role last use", "role", name, "err", err)
	}
}

// GetAccessKeyInfo returns the account that owns an access key.
func (s *Service) GetAccessKeyInfo(ctx context.Context, c *authn.Caller, in *sdk.GetAccessKeyInfoInput) (*sdk.GetAccessKeyInfoOutput, error) {
	id := str(in.AccessKeyId)
	if err := checkMember("accessKeyId", id, 16, 128, isWordChar, accessKeyIDPattern); err != nil {
		return nil, err
	}
	if err := SessionTokenLimit(c, "sts", "GetAccessKeyInfo"); err != nil {
		return nil, err
	}
	if err := s.authz.Authorize(ctx, c, authz.Request{Action: "sts:GetAccessKeyInfo", Resource: "*"}); err != nil {
		return nil, err
	}
	if id == c.AccessKeyID {
		return &sdk.GetAccessKeyInfoOutput{Account: ptr(c.Principal.Account)}, nil
	}
	var k iam.AccessKey
	err := s.store.View(ctx, func(r store.Reader) error {
		e, err := r.Get(ctx, "", store.KindAccessKey, id)
		if err != nil {
			return err
		}
		return json.Unmarshal(e.Data, &k)
	})
	if err != nil || k.ID != id {
		return nil, iam.Errorf(iam.CodeInvalidParameterValue, "The access key ID %s is not valid.", id)
	}
	return &sdk.GetAccessKeyInfoOutput{Account: ptr(k.Account)}, nil
}
