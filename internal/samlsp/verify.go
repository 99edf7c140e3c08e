package samlsp

import (
	"crypto/rsa"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
	"github.com/russellhaering/goxmldsig/etreeutils"
)

// SAML namespaces and the values AWS's service provider expects.
const (
	protocolNS  = "urn:oasis:names:tc:SAML:2.0:protocol"
	assertionNS = "urn:oasis:names:tc:SAML:2.0:assertion"
	statusOK    = "urn:oasis:names:tc:SAML:2.0:status:Success"
	bearer      = "urn:oasis:names:tc:SAML:2.0:cm:bearer"
	nameIDFmt   = "urn:oasis:names:tc:SAML:2.0:nameid-format:"

	// Audience is AWS's SAML service provider entity ID; AudienceURN is the older one.
	Audience    = "https://signin.aws.amazon.com/saml"
	AudienceURN = "urn:amazon:webservices"

	// AttrPrefix starts the names of the attributes AWS reads.
	AttrPrefix = "https://aws.amazon.com/SAML/Attributes/"

	// ClockSkew is how far the IdP's clock may be off from ours.
	ClockSkew = 3 * time.Minute
	// DefaultMaxIDs is how many assertion IDs a Verifier remembers.
	DefaultMaxIDs = 100000
)

// Kind classifies a refusal.
type Kind int

// Kinds of refusal; STS maps them to its error codes.
const (
	// KindInvalid: malformed response, bad signature, wrong issuer, audience or recipient,
	// missing or invalid attributes (InvalidIdentityToken).
	KindInvalid Kind = iota
	// KindExpired: the assertion or its bearer confirmation has expired (ExpiredTokenException).
	KindExpired
	// KindRejected: the IdP reports a failed authentication (IDPRejectedClaim).
	KindRejected
	// KindReplayed: the assertion was already used.
	KindReplayed
)

// Error is a refusal; Message is safe to show the caller.
type Error struct {
	Kind    Kind
	Message string
	// Cause is internal detail for the log (may be nil).
	Cause error
}

func (e *Error) Error() string {
	if e.Cause != nil {
		return e.Message + ": " + e.Cause.Error()
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Cause }

// AsError returns err's *Error, if it has one.
func AsError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// Client-facing messages (AWS's where known, see the IAM troubleshooting guide).
const (
	MsgSignature       = "Response signature invalid"
	MsgMalformed       = "Invalid SAML response"
	MsgIssuer          = "Issuer not present in specified provider"
	MsgAudience        = "Response does not contain the required audience."
	MsgRecipient       = "Response does not contain a valid recipient."
	MsgExpired         = "The SAML assertion has expired."
	MsgNotYetValid     = "The SAML assertion is not yet valid."
	MsgReplayed        = "The SAML assertion has already been used."
	MsgStatus          = "The identity provider reported that authentication failed."
	MsgSessionName     = "RoleSessionName is required in AuthnResponse"
	MsgSessionNameFmt  = "RoleSessionName in AuthnResponse must match [a-zA-Z_0-9+=,.@-]{2,64}"
	MsgSourceIdentity  = `Source Identity must match [a-zA-Z_0-9+=,.@-]{2,64} and not begin with "aws:"`
	MsgSessionDuration = "SessionDuration in AuthnResponse must be an integer between 900 and 43200"
)

func invalid(msg string, cause error) error {
	return &Error{Kind: KindInvalid, Message: msg, Cause: cause}
}

// RolePair is one value of the Role attribute.
type RolePair struct {
	Role, Provider string
}

// Assertion is what a verified SAML response says.
type Assertion struct {
	// ID is the assertion's ID.
	ID string
	// Issuer is the assertion's Issuer (the provider's entityID).
	Issuer string
	// Subject is the NameID; SubjectFormat its Format attribute as given.
	Subject, SubjectFormat string
	// Recipient is the bearer SubjectConfirmationData's Recipient (saml:aud).
	Recipient string
	// Audiences are the AudienceRestriction values.
	Audiences []string
	// NotOnOrAfter is when the assertion stops being usable (the earliest of the conditions'
	// and the bearer confirmation's).
	NotOnOrAfter time.Time
	// SessionNotOnOrAfter is the AuthnStatement's limit on the session (zero if none).
	SessionNotOnOrAfter time.Time
	// Roles are the Role attribute's (role, provider) pairs.
	Roles []RolePair
	// RoleSessionName, SessionDuration (seconds, 0 if absent) and SourceIdentity attributes.
	RoleSessionName string
	SessionDuration int32
	SourceIdentity  string
	// Tags are the PrincipalTag:KEY attributes; TransitiveTagKeys lists keys that pass on.
	Tags              map[string]string
	TransitiveTagKeys []string
	// Attributes holds every attribute's values by Name.
	Attributes map[string][]string
}

// SubjectType is the NameID format as AWS reports it: without the
// urn:oasis:names:tc:SAML:2.0:nameid-format: prefix (so "persistent", "transient").
func (a *Assertion) SubjectType() string {
	return strings.TrimPrefix(a.SubjectFormat, nameIDFmt)
}

// HasRole reports whether the Role attribute pairs role with provider.
func (a *Assertion) HasRole(role, provider string) bool {
	for _, p := range a.Roles {
		if p.Role == role && p.Provider == provider {
			return true
		}
	}
	return false
}

// Verifier checks SAML responses and refuses replays. It is safe for concurrent use.
type Verifier struct {
	seen *replayCache
}

// NewVerifier returns a Verifier that remembers up to maxIDs assertion IDs.
func NewVerifier(maxIDs int) *Verifier {
	return &Verifier{seen: newReplayCache(maxIDs)}
}

// Verify checks a base64 SAMLResponse against md at now and records its assertion ID, so that a
// second use is refused until the assertion expires. Refusals are *Error values.
func (v *Verifier) Verify(response string, md *Metadata, now time.Time) (*Assertion, error) {
	return v.VerifyDecrypting(response, md, nil, now)
}

// Decryption holds what opens a provider's encrypted assertions.
type Decryption struct {
	// Keys are the provider's private keys; each is tried in turn.
	Keys []*rsa.PrivateKey
	// Required refuses responses whose assertion is not encrypted.
	Required bool
}

// VerifyDecrypting is Verify for a provider that may receive encrypted assertions: an
// EncryptedAssertion is opened with dec's keys, then checked like a plain one (dec may be nil).
func (v *Verifier) VerifyDecrypting(response string, md *Metadata, dec *Decryption, now time.Time) (*Assertion, error) {
	a, err := ParseDecrypting(response, md, dec, now)
	if err != nil {
		return nil, err
	}
	if !v.seen.use(a.Issuer+"\x00"+a.ID, a.NotOnOrAfter.Add(ClockSkew), now) {
		return nil, &Error{Kind: KindReplayed, Message: MsgReplayed}
	}
	return a, nil
}

// Parse checks a base64 SAMLResponse against md at now (everything but replay).
func Parse(response string, md *Metadata, now time.Time) (*Assertion, error) {
	return ParseDecrypting(response, md, nil, now)
}

// ParseDecrypting is Parse that opens an EncryptedAssertion with dec's keys (dec may be nil: no
// keys, encryption not required). A signature on the Response covers the EncryptedAssertion and
// is checked before decrypting; one on the Assertion is checked after.
func ParseDecrypting(response string, md *Metadata, dec *Decryption, now time.Time) (*Assertion, error) {
	raw, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(response), ""))
	if err != nil {
		return nil, invalid(MsgMalformed, err)
	}
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(raw); err != nil {
		return nil, invalid(MsgMalformed, err)
	}
	for _, t := range doc.Child {
		if _, ok := t.(*etree.Directive); ok {
			return nil, invalid(MsgMalformed, errors.New("DOCTYPE not allowed"))
		}
	}
	root := doc.Root()
	if !is(root, protocolNS, "Response") {
		return nil, invalid(MsgMalformed, errors.New("root is not a samlp:Response"))
	}
	vc := dsig.NewDefaultValidationContext(&dsig.MemoryX509CertificateStore{Roots: md.Certs})
	vc.Clock = dsig.NewFakeClockAt(now)
	respSigned := child(root, dsig.Namespace, dsig.SignatureTag) != nil
	if respSigned {
		if root, err = vc.Validate(root); err != nil {
			return nil, invalid(MsgSignature, err)
		}
	}
	st := child(child(root, protocolNS, "Status"), protocolNS, "StatusCode")
	if st == nil || st.SelectAttrValue("Value", "") != statusOK {
		return nil, &Error{Kind: KindRejected, Message: MsgStatus}
	}
	if iss := child(root, assertionNS, "Issuer"); iss != nil && md.EntityID != "" && strings.TrimSpace(iss.Text()) != md.EntityID {
		return nil, invalid(MsgIssuer, nil)
	}
	if eas := children(root, assertionNS, "EncryptedAssertion"); len(eas) > 0 {
		if len(eas) != 1 || child(root, assertionNS, "Assertion") != nil {
			return nil, invalid(MsgMalformed, errors.New("want exactly one assertion"))
		}
		var keys []*rsa.PrivateKey
		if dec != nil {
			keys = dec.Keys
		}
		el, err := DecryptAssertion(eas[0], keys)
		if err != nil {
			return nil, err
		}
		root.InsertChildAt(eas[0].Index(), el)
		root.RemoveChild(eas[0])
	} else if dec != nil && dec.Required {
		return nil, invalid(MsgNotEncrypted, nil)
	}
	as := children(root, assertionNS, "Assertion")
	if len(as) != 1 {
		return nil, invalid(MsgMalformed, errors.New("want exactly one Assertion, have "+strconv.Itoa(len(as))))
	}
	el := as[0]
	if child(el, dsig.Namespace, dsig.SignatureTag) != nil {
		ctx, err := etreeutils.NSBuildParentContext(el)
		if err != nil {
			return nil, invalid(MsgMalformed, err)
		}
		if el, err = etreeutils.NSDetatch(ctx, el); err != nil {
			return nil, invalid(MsgMalformed, err)
		}
		if el, err = vc.Validate(el); err != nil {
			return nil, invalid(MsgSignature, err)
		}
	} else if !respSigned {
		return nil, invalid(MsgSignature, errors.New("neither the Response nor the Assertion is signed"))
	}
	return readAssertion(el, md, now)
}

// readAssertion checks and reads a signed Assertion element.
func readAssertion(el *etree.Element, md *Metadata, now time.Time) (*Assertion, error) {
	a := &Assertion{ID: el.SelectAttrValue("ID", ""), Attributes: map[string][]string{}}
	if a.ID == "" {
		return nil, invalid(MsgMalformed, errors.New("assertion has no ID"))
	}
	a.Issuer = text(child(el, assertionNS, "Issuer"))
	if a.Issuer == "" || md.EntityID != "" && a.Issuer != md.EntityID {
		return nil, invalid(MsgIssuer, nil)
	}

	// Conditions: validity window and audiences.
	cond := child(el, assertionNS, "Conditions")
	if cond == nil {
		return nil, invalid(MsgAudience, nil)
	}
	nb, err := timeAttr(cond, "NotBefore")
	if err != nil {
		return nil, err
	}
	if !nb.IsZero() && now.Add(ClockSkew).Before(nb) {
		return nil, invalid(MsgNotYetValid, nil)
	}
	if a.NotOnOrAfter, err = timeAttr(cond, "NotOnOrAfter"); err != nil {
		return nil, err
	}
	if !a.NotOnOrAfter.IsZero() && !now.Add(-ClockSkew).Before(a.NotOnOrAfter) {
		return nil, &Error{Kind: KindExpired, Message: MsgExpired}
	}
	restrictions := children(cond, assertionNS, "AudienceRestriction")
	if len(restrictions) == 0 {
		return nil, invalid(MsgAudience, nil)
	}
	for _, r := range restrictions {
		ok := false
		for _, au := range children(r, assertionNS, "Audience") {
			v := text(au)
			a.Audiences = append(a.Audiences, v)
			ok = ok || v == Audience || v == AudienceURN
		}
		if !ok {
			return nil, invalid(MsgAudience, nil)
		}
	}

	if err := readSubject(el, a, now); err != nil {
		return nil, err
	}
	if authn := child(el, assertionNS, "AuthnStatement"); authn != nil {
		if a.SessionNotOnOrAfter, err = timeAttr(authn, "SessionNotOnOrAfter"); err != nil {
			return nil, err
		}
	}
	for _, st := range children(el, assertionNS, "AttributeStatement") {
		for _, at := range children(st, assertionNS, "Attribute") {
			name := at.SelectAttrValue("Name", "")
			for _, v := range children(at, assertionNS, "AttributeValue") {
				a.Attributes[name] = append(a.Attributes[name], text(v))
			}
		}
	}
	return a, readAWSAttributes(a)
}

// readSubject reads the NameID and checks that a bearer confirmation holds.
func readSubject(el *etree.Element, a *Assertion, now time.Time) error {
	sub := child(el, assertionNS, "Subject")
	if id := child(sub, assertionNS, "NameID"); id != nil {
		a.Subject, a.SubjectFormat = text(id), id.SelectAttrValue("Format", "")
	}
	var refusal error = invalid(MsgRecipient, errors.New("no bearer SubjectConfirmation"))
	for _, sc := range children(sub, assertionNS, "SubjectConfirmation") {
		if sc.SelectAttrValue("Method", "") != bearer {
			continue
		}
		d := child(sc, assertionNS, "SubjectConfirmationData")
		if d == nil {
			continue
		}
		exp, err := timeAttr(d, "NotOnOrAfter")
		if err != nil {
			return err
		}
		recipient := d.SelectAttrValue("Recipient", "")
		switch {
		case exp.IsZero():
			refusal = invalid(MsgMalformed, errors.New("bearer confirmation without NotOnOrAfter"))
		case !now.Add(-ClockSkew).Before(exp):
			refusal = &Error{Kind: KindExpired, Message: MsgExpired}
		case !validRecipient(recipient):
			refusal = invalid(MsgRecipient, nil)
		default:
			a.Recipient = recipient
			if a.NotOnOrAfter.IsZero() || exp.Before(a.NotOnOrAfter) {
				a.NotOnOrAfter = exp
			}
			return nil
		}
	}
	return refusal
}

// validRecipient accepts AWS's sign-in endpoint, global or regional
// (https://REGION.signin.aws.amazon.com/saml).
func validRecipient(r string) bool {
	if r == Audience {
		return true
	}
	region, ok := strings.CutSuffix(strings.TrimPrefix(r, "https://"), ".signin.aws.amazon.com/saml")
	if !ok || !strings.HasPrefix(r, "https://") || region == "" {
		return false
	}
	for _, c := range region {
		if !(c == '-' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

// readAWSAttributes reads the https://aws.amazon.com/SAML/Attributes/ attributes.
func readAWSAttributes(a *Assertion) error {
	for _, v := range a.Attributes[AttrPrefix+"Role"] {
		x, y, ok := strings.Cut(v, ",")
		x, y = strings.TrimSpace(x), strings.TrimSpace(y)
		if !ok || strings.Contains(y, ",") {
			continue
		}
		if strings.Contains(x, ":saml-provider/") {
			x, y = y, x
		}
		if strings.Contains(x, ":role/") && strings.Contains(y, ":saml-provider/") {
			a.Roles = append(a.Roles, RolePair{Role: x, Provider: y})
		}
	}
	names := a.Attributes[AttrPrefix+"RoleSessionName"]
	if len(names) == 0 {
		return invalid(MsgSessionName, nil)
	}
	a.RoleSessionName = names[0]
	if !validName(a.RoleSessionName) {
		return invalid(MsgSessionNameFmt, nil)
	}
	if d := a.Attributes[AttrPrefix+"SessionDuration"]; len(d) > 0 {
		n, err := strconv.Atoi(d[0])
		if err != nil || n < 900 || n > 43200 {
			return invalid(MsgSessionDuration, err)
		}
		a.SessionDuration = int32(n)
	}
	if s := a.Attributes[AttrPrefix+"SourceIdentity"]; len(s) > 0 {
		a.SourceIdentity = s[0]
		if !validName(a.SourceIdentity) || strings.HasPrefix(strings.ToLower(a.SourceIdentity), "aws:") {
			return invalid(MsgSourceIdentity, nil)
		}
	}
	for name, vs := range a.Attributes {
		if k, ok := strings.CutPrefix(name, AttrPrefix+"PrincipalTag:"); ok && k != "" && len(vs) > 0 {
			if a.Tags == nil {
				a.Tags = map[string]string{}
			}
			a.Tags[k] = vs[0]
		}
	}
	a.TransitiveTagKeys = a.Attributes[AttrPrefix+"TransitiveTagKeys"]
	return nil
}

// validName matches [a-zA-Z_0-9+=,.@-]{2,64}.
func validName(s string) bool {
	if len(s) < 2 || len(s) > 64 {
		return false
	}
	for _, c := range s {
		if !(strings.ContainsRune("_+=,.@-", c) || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

func timeAttr(el *etree.Element, name string) (time.Time, error) {
	v := el.SelectAttrValue(name, "")
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, invalid(MsgMalformed, err)
	}
	return t.UTC(), nil
}

func is(el *etree.Element, ns, tag string) bool {
	return el != nil && el.Tag == tag && el.NamespaceURI() == ns
}

func child(el *etree.Element, ns, tag string) *etree.Element {
	if el == nil {
		return nil
	}
	for _, c := range el.ChildElements() {
		if is(c, ns, tag) {
			return c
		}
	}
	return nil
}

func children(el *etree.Element, ns, tag string) []*etree.Element {
	if el == nil {
		return nil
	}
	var out []*etree.Element
	for _, c := range el.ChildElements() {
		if is(c, ns, tag) {
			out = append(out, c)
		}
	}
	return out
}

func text(el *etree.Element) string {
	if el == nil {
		return ""
	}
	return strings.TrimSpace(el.Text())
}
