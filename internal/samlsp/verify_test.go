package samlsp_test

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/iamd-dev/iamd/internal/samlsp"
	"github.com/iamd-dev/iamd/internal/samlsp/samltest"
)

var now = time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)

const (
	roleARN = "arn:aws:iam::123456789012:role/Admin"
	provARN = "arn:aws:iam::123456789012:saml-provider/Corp"
)

func newIdP(t *testing.T, entityID string) (*samltest.IdP, *samlsp.Metadata) {
	t.Helper()
	p, err := samltest.New(entityID, now)
	if err != nil {
		t.Fatal(err)
	}
	md, err := samlsp.ParseMetadata(p.Metadata())
	if err != nil {
		t.Fatalf("ParseMetadata: %v", err)
	}
	return p, md
}

func stdAttrs() []samltest.Attribute {
	return []samltest.Attribute{
		samltest.RoleAttr(roleARN, provARN, provARN, "arn:aws:iam::123456789012:role/ReadOnly"),
		samltest.Attr("RoleSessionName", "alice@example.com"),
		samltest.Attr("SessionDuration", "7200"),
		samltest.Attr("PrincipalTag:Dept", "eng"),
		samltest.Attr("TransitiveTagKeys", "Dept"),
		samltest.Attr("SourceIdentity", "alice"),
	}
}

func TestParseValid(t *testing.T) {
	p, md := newIdP(t, "https://idp.example.com")
	want := &samlsp.Assertion{
		Issuer: "https://idp.example.com", Subject: "alice@example.com", SubjectFormat: "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
		Recipient: samlsp.Audience, Audiences: []string{samlsp.Audience}, NotOnOrAfter: now.Add(5 * time.Minute),
		Roles:           []samlsp.RolePair{{roleARN, provARN}, {"arn:aws:iam::123456789012:role/ReadOnly", provARN}},
		RoleSessionName: "alice@example.com", SessionDuration: 7200, SourceIdentity: "alice",
		Tags: map[string]string{"Dept": "eng"}, TransitiveTagKeys: []string{"Dept"},
	}
	for _, tc := range []struct {
		name string
		edit func(*samltest.Options)
		want func(*samlsp.Assertion)
	}{
		{"assertion signed", func(*samltest.Options) {}, func(*samlsp.Assertion) {}},
		{"response signed", func(o *samltest.Options) { o.SignResponse = true }, func(*samlsp.Assertion) {}},
		{"urn audience", func(o *samltest.Options) { o.Audience = samlsp.AudienceURN }, func(a *samlsp.Assertion) { a.Audiences = []string{samlsp.AudienceURN} }},
		{"regional recipient", func(o *samltest.Options) { o.Recipient = "https://eu-west-1.signin.aws.amazon.com/saml" },
			func(a *samlsp.Assertion) { a.Recipient = "https://eu-west-1.signin.aws.amazon.com/saml" }},
		{"bearer expires first", func(o *samltest.Options) { o.BearerNotOnOrAfter = now.Add(2 * time.Minute) },
			func(a *samlsp.Assertion) { a.NotOnOrAfter = now.Add(2 * time.Minute) }},
		{"skew tolerated", func(o *samltest.Options) { o.NotBefore = now.Add(time.Minute) }, func(*samlsp.Assertion) {}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := p.Options(now, "1", stdAttrs()...)
			tc.edit(&o)
			resp, err := p.Response(o)
			if err != nil {
				t.Fatal(err)
			}
			got, err := samlsp.Parse(resp, md, now)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			w := *want
			w.ID = o.AssertionID
			tc.want(&w)
			if d := cmp.Diff(&w, got, cmpopts.IgnoreFields(samlsp.Assertion{}, "Attributes", "SessionNotOnOrAfter")); d != "" {
				t.Errorf("assertion (-want +got):\n%s", d)
			}
			if got.SubjectType() != "persistent" {
				t.Errorf("SubjectType = %q, want persistent", got.SubjectType())
			}
			if !got.HasRole(roleARN, provARN) || got.HasRole(roleARN, "arn:aws:iam::123456789012:saml-provider/Other") {
				t.Errorf("HasRole wrong for %v", got.Roles)
			}
		})
	}
}

// reencode decodes a response, applies f to its XML text, and encodes it again.
func reencode(t *testing.T, resp string, f func(string) string) string {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(resp)
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString([]byte(f(string(b))))
}

func TestParseRefused(t *testing.T) {
	p, md := newIdP(t, "https://idp.example.com")
	other, _ := newIdP(t, "https://idp.example.com")
	type res struct {
		Kind    samlsp.Kind
		Message string
	}
	build := func(edit func(*samltest.Options)) func(t *testing.T) string {
		return func(t *testing.T) string {
			o := p.Options(now, "2", stdAttrs()...)
			edit(&o)
			r, err := p.Response(o)
			if err != nil {
				t.Fatal(err)
			}
			return r
		}
	}
	valid := build(func(*samltest.Options) {})
	for _, tc := range []struct {
		name string
		resp func(t *testing.T) string
		want res
	}{
		{"not base64", func(*testing.T) string { return "%%%" }, res{samlsp.KindInvalid, samlsp.MsgMalformed}},
		{"not xml", func(*testing.T) string { return base64.StdEncoding.EncodeToString([]byte("<a")) }, res{samlsp.KindInvalid, samlsp.MsgMalformed}},
		{"not a response", func(*testing.T) string { return base64.StdEncoding.EncodeToString([]byte("<a/>")) }, res{samlsp.KindInvalid, samlsp.MsgMalformed}},
		{"doctype", func(t *testing.T) string {
			return reencode(t, valid(t), func(s string) string { return `<!DOCTYPE x [<!ENTITY e "x">]>` + s })
		}, res{samlsp.KindInvalid, samlsp.MsgMalformed}},
		{"unsigned", build(func(o *samltest.Options) { o.Unsigned = true }), res{samlsp.KindInvalid, samlsp.MsgSignature}},
		{"tampered subject", func(t *testing.T) string {
			return reencode(t, valid(t), func(s string) string {
				return strings.Replace(s, "alice@example.com</saml:NameID>", "mallory@example.com</saml:NameID>", 1)
			})
		}, res{samlsp.KindInvalid, samlsp.MsgSignature}},
		{"tampered role", func(t *testing.T) string {
			return reencode(t, valid(t), func(s string) string { return strings.Replace(s, "role/Admin", "role/Root", 1) })
		}, res{samlsp.KindInvalid, samlsp.MsgSignature}},
		{"signed by another key", func(t *testing.T) string {
			r, err := p.ResponseSignedBy(p.Options(now, "3", stdAttrs()...), other.Key, other.CertDER)
			if err != nil {
				t.Fatal(err)
			}
			return r
		}, res{samlsp.KindInvalid, samlsp.MsgSignature}},
		{"another key claiming our certificate", func(t *testing.T) string {
			r, err := p.ResponseSignedBy(p.Options(now, "4", stdAttrs()...), other.Key, p.CertDER)
			if err != nil {
				t.Fatal(err)
			}
			return r
		}, res{samlsp.KindInvalid, samlsp.MsgSignature}},
		{"second assertion appended", func(t *testing.T) string {
			return reencode(t, valid(t), func(s string) string {
				i := strings.Index(s, "<saml:Assertion")
				j := strings.Index(s, "</samlp:Response>")
				return s[:j] + strings.Replace(s[i:j], `ID="_a2"`, `ID="_evil"`, 1) + s[j:]
			})
		}, res{samlsp.KindInvalid, samlsp.MsgMalformed}},
		{"wrong audience", build(func(o *samltest.Options) { o.Audience = "https://other.example.com" }), res{samlsp.KindInvalid, samlsp.MsgAudience}},
		{"wrong recipient", build(func(o *samltest.Options) { o.Recipient = "https://evil.example.com/saml" }), res{samlsp.KindInvalid, samlsp.MsgRecipient}},
		{"wrong issuer", build(func(o *samltest.Options) { o.Issuer = "https://other.example.com" }), res{samlsp.KindInvalid, samlsp.MsgIssuer}},
		{"expired", build(func(o *samltest.Options) { o.NotOnOrAfter = now.Add(-4 * time.Minute) }), res{samlsp.KindExpired, samlsp.MsgExpired}},
		{"bearer expired", build(func(o *samltest.Options) { o.BearerNotOnOrAfter = now.Add(-4 * time.Minute) }), res{samlsp.KindExpired, samlsp.MsgExpired}},
		{"not yet valid", build(func(o *samltest.Options) { o.NotBefore = now.Add(4 * time.Minute) }), res{samlsp.KindInvalid, samlsp.MsgNotYetValid}},
		{"failed status", build(func(o *samltest.Options) { o.Status = "urn:oasis:names:tc:SAML:2.0:status:Requester" }), res{samlsp.KindRejected, samlsp.MsgStatus}},
		{"no session name", build(func(o *samltest.Options) { o.Attributes = o.Attributes[:1] }), res{samlsp.KindInvalid, samlsp.MsgSessionName}},
		{"bad session name", build(func(o *samltest.Options) { o.Attributes[1] = samltest.Attr("RoleSessionName", "a b") }), res{samlsp.KindInvalid, samlsp.MsgSessionNameFmt}},
		{"bad session duration", build(func(o *samltest.Options) { o.Attributes[2] = samltest.Attr("SessionDuration", "60") }), res{samlsp.KindInvalid, samlsp.MsgSessionDuration}},
		{"aws: source identity", build(func(o *samltest.Options) { o.Attributes[5] = samltest.Attr("SourceIdentity", "aws:x") }), res{samlsp.KindInvalid, samlsp.MsgSourceIdentity}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := samlsp.Parse(tc.resp(t), md, now)
			e, ok := samlsp.AsError(err)
			if !ok {
				t.Fatalf("Parse error = %v, want *samlsp.Error %+v", err, tc.want)
			}
			if d := cmp.Diff(tc.want, res{e.Kind, e.Message}); d != "" {
				t.Errorf("refusal (-want +got):\n%s\n(cause: %v)", d, e.Cause)
			}
		})
	}
}

func TestVerifyReplay(t *testing.T) {
	p, md := newIdP(t, "https://idp.example.com")
	v := samlsp.NewVerifier(10)
	resp, err := p.Response(p.Options(now, "5", stdAttrs()...))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Verify(resp, md, now); err != nil {
		t.Fatalf("first Verify: %v", err)
	}
	_, err = v.Verify(resp, md, now.Add(time.Minute))
	if e, ok := samlsp.AsError(err); !ok || e.Kind != samlsp.KindReplayed {
		t.Errorf("second Verify = %v, want KindReplayed", err)
	}
	// Another assertion from the same IdP is fine.
	resp2, err := p.Response(p.Options(now, "6", stdAttrs()...))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Verify(resp2, md, now); err != nil {
		t.Errorf("other assertion: %v", err)
	}
}

func TestParseMetadata(t *testing.T) {
	p, _ := newIdP(t, "https://idp.example.com")
	for _, tc := range []struct {
		name, doc string
		ok        bool
	}{
		{"valid", p.Metadata(), true},
		{"not xml", "<x", false},
		{"not an entity descriptor", `<x xmlns="urn:oasis:names:tc:SAML:2.0:metadata"/>`, false},
		{"no certificate", `<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="x"><IDPSSODescriptor/></EntityDescriptor>`, false},
		{"encryption key only", strings.Replace(p.Metadata(), `use="signing"`, `use="encryption"`, 1), false},
		{"bad certificate", `<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="x"><IDPSSODescriptor><KeyDescriptor><KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#"><X509Data><X509Certificate>AAAA</X509Certificate></X509Data></KeyInfo></KeyDescriptor></IDPSSODescriptor></EntityDescriptor>`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			md, err := samlsp.ParseMetadata(tc.doc)
			if (err == nil) != tc.ok {
				t.Fatalf("ParseMetadata err = %v, want ok=%v", err, tc.ok)
			}
			if tc.ok && (md.EntityID != p.EntityID || len(md.Certs) != 1) {
				t.Errorf("metadata = %q with %d certs, want %q with 1", md.EntityID, len(md.Certs), p.EntityID)
			}
		})
	}
}

func BenchmarkParse(b *testing.B) {
	p, err := samltest.New("https://idp.example.com", now)
	if err != nil {
		b.Fatal(err)
	}
	md, err := samlsp.ParseMetadata(p.Metadata())
	if err != nil {
		b.Fatal(err)
	}
	resp, err := p.Response(p.Options(now, "b", stdAttrs()...))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := samlsp.Parse(resp, md, now); err != nil {
			b.Fatal(err)
		}
	}
}
