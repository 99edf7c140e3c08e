// Package samltest is a SAML 2.0 identity provider for tests: it makes a key and a self-signed
// certificate, the metadata document that registers them, and signed SAML responses.
package samltest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"math/big"
	"time"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
)

const (
	protocolNS  = "urn:oasis:names:tc:SAML:2.0:protocol"
	assertionNS = "urn:oasis:names:tc:SAML:2.0:assertion"
	// AttrPrefix starts the names of the attributes AWS reads.
	AttrPrefix = "https://aws.amazon.com/SAML/Attributes/"
)

// IdP is a test identity provider.
type IdP struct {
	EntityID string
	Key      *rsa.PrivateKey
	CertDER  []byte
}

// New makes an IdP with a 2048-bit RSA key and a certificate valid from a day before now for ten
// years.
func New(entityID string, now time.Time) (*IdP, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(now.UnixNano()),
		Subject:      pkix.Name{CommonName: entityID},
		NotBefore:    now.Add(-24 * time.Hour),
		NotAfter:     now.AddDate(10, 0, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	return &IdP{EntityID: entityID, Key: key, CertDER: der}, nil
}

// Metadata is the IdP's SAML 2.0 metadata (an EntityDescriptor with one signing key).
func (p *IdP) Metadata() string {
	doc := etree.NewDocument()
	ed := doc.CreateElement("md:EntityDescriptor")
	ed.CreateAttr("xmlns:md", "urn:oasis:names:tc:SAML:2.0:metadata")
	ed.CreateAttr("xmlns:ds", dsig.Namespace)
	ed.CreateAttr("entityID", p.EntityID)
	idp := ed.CreateElement("md:IDPSSODescriptor")
	idp.CreateAttr("protocolSupportEnumeration", protocolNS)
	kd := idp.CreateElement("md:KeyDescriptor")
	kd.CreateAttr("use", "signing")
	kd.CreateElement("ds:KeyInfo").CreateElement("ds:X509Data").CreateElement("ds:X509Certificate").SetText(base64.StdEncoding.EncodeToString(p.CertDER))
	sso := idp.CreateElement("md:SingleSignOnService")
	sso.CreateAttr("Binding", "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect")
	sso.CreateAttr("Location", p.EntityID+"/sso")
	s, _ := doc.WriteToString()
	return s
}

// Attribute is a SAML attribute.
type Attribute struct {
	Name   string
	Values []string
}

// Options describe a response. Options(now) gives a valid one.
type Options struct {
	ResponseID, AssertionID string
	Issuer                  string
	Issued                  time.Time
	NotBefore, NotOnOrAfter time.Time
	// BearerNotOnOrAfter is the SubjectConfirmationData's NotOnOrAfter.
	BearerNotOnOrAfter time.Time
	Audience           string
	Recipient          string
	Subject            string
	SubjectFormat      string
	Attributes         []Attribute
	// SignResponse signs the Response instead of the Assertion; Unsigned signs neither.
	SignResponse, Unsigned bool
	// Status overrides the Success status code.
	Status string
	// Encrypt, if set, replaces the (signed) Assertion with an EncryptedAssertion.
	Encrypt *Encryption
}

// Options returns options for a valid response at now with the given attributes.
func (p *IdP) Options(now time.Time, id string, attrs ...Attribute) Options {
	return Options{
		ResponseID: "_r" + id, AssertionID: "_a" + id, Issuer: p.EntityID, Issued: now,
		NotBefore: now.Add(-time.Minute), NotOnOrAfter: now.Add(5 * time.Minute), BearerNotOnOrAfter: now.Add(5 * time.Minute),
		Audience: "https://signin.aws.amazon.com/saml", Recipient: "https://signin.aws.amazon.com/saml",
		Subject: "alice@example.com", SubjectFormat: "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent", Attributes: attrs,
	}
}

func ts(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// Response builds and signs a SAML response with p's key and returns it base64-encoded.
func (p *IdP) Response(o Options) (string, error) {
	return p.ResponseSignedBy(o, p.Key, p.CertDER)
}

// ResponseSignedBy is Response signed with another key and certificate.
func (p *IdP) ResponseSignedBy(o Options, key *rsa.PrivateKey, certDER []byte) (string, error) {
	a := etree.NewElement("saml:Assertion")
	a.CreateAttr("xmlns:saml", assertionNS)
	a.CreateAttr("ID", o.AssertionID)
	a.CreateAttr("Version", "2.0")
	a.CreateAttr("IssueInstant", ts(o.Issued))
	a.CreateElement("saml:Issuer").SetText(o.Issuer)
	sub := a.CreateElement("saml:Subject")
	nid := sub.CreateElement("saml:NameID")
	nid.CreateAttr("Format", o.SubjectFormat)
	nid.SetText(o.Subject)
	sc := sub.CreateElement("saml:SubjectConfirmation")
	sc.CreateAttr("Method", "urn:oasis:names:tc:SAML:2.0:cm:bearer")
	scd := sc.CreateElement("saml:SubjectConfirmationData")
	scd.CreateAttr("NotOnOrAfter", ts(o.BearerNotOnOrAfter))
	scd.CreateAttr("Recipient", o.Recipient)
	cond := a.CreateElement("saml:Conditions")
	cond.CreateAttr("NotBefore", ts(o.NotBefore))
	cond.CreateAttr("NotOnOrAfter", ts(o.NotOnOrAfter))
	cond.CreateElement("saml:AudienceRestriction").CreateElement("saml:Audience").SetText(o.Audience)
	an := a.CreateElement("saml:AuthnStatement")
	an.CreateAttr("AuthnInstant", ts(o.Issued))
	an.CreateElement("saml:AuthnContext").CreateElement("saml:AuthnContextClassRef").SetText("urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport")
	if len(o.Attributes) > 0 {
		st := a.CreateElement("saml:AttributeStatement")
		for _, at := range o.Attributes {
			e := st.CreateElement("saml:Attribute")
			e.CreateAttr("Name", at.Name)
			for _, v := range at.Values {
				e.CreateElement("saml:AttributeValue").SetText(v)
			}
		}
	}
	sc2, err := dsig.NewSigningContext(key, [][]byte{certDER})
	if err != nil {
		return "", err
	}
	sc2.Canonicalizer = dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList("")
	if !o.Unsigned && !o.SignResponse {
		if a, err = sc2.SignEnveloped(a); err != nil {
			return "", err
		}
	}
	r := etree.NewElement("samlp:Response")
	r.CreateAttr("xmlns:samlp", protocolNS)
	r.CreateAttr("xmlns:saml", assertionNS)
	r.CreateAttr("ID", o.ResponseID)
	r.CreateAttr("Version", "2.0")
	r.CreateAttr("IssueInstant", ts(o.Issued))
	r.CreateAttr("Destination", o.Recipient)
	r.CreateElement("saml:Issuer").SetText(o.Issuer)
	status := o.Status
	if status == "" {
		status = "urn:oasis:names:tc:SAML:2.0:status:Success"
	}
	r.CreateElement("samlp:Status").CreateElement("samlp:StatusCode").CreateAttr("Value", status)
	if o.Encrypt != nil {
		ea, err := EncryptAssertion(a, *o.Encrypt)
		if err != nil {
			return "", err
		}
		r.AddChild(ea)
	} else {
		r.AddChild(a)
	}
	if o.SignResponse && !o.Unsigned {
		if r, err = sc2.SignEnveloped(r); err != nil {
			return "", err
		}
	}
	doc := etree.NewDocument()
	doc.SetRoot(r)
	b, err := doc.WriteToBytes()
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(b), nil
}

// RoleAttr is the Role attribute with "role,provider" values.
func RoleAttr(pairs ...string) Attribute {
	var vs []string
	for i := 0; i+1 < len(pairs); i += 2 {
		vs = append(vs, pairs[i]+","+pairs[i+1])
	}
	return Attribute{Name: AttrPrefix + "Role", Values: vs}
}

// Attr is an https://aws.amazon.com/SAML/Attributes/NAME attribute.
func Attr(name string, values ...string) Attribute {
	return Attribute{Name: AttrPrefix + name, Values: values}
}
