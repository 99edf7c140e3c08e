package samlsp_test

import (
	"crypto/rsa"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/beevik/etree"
	"github.com/google/go-cmp/cmp"

	"github.com/iamd-dev/iamd/internal/samlsp"
	"github.com/iamd-dev/iamd/internal/samlsp/samltest"
)

func encKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	k, _, err := samltest.NewEncryptionKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestDecryptRoundTrip(t *testing.T) {
	p, md := newIdP(t, "https://idp.example.com")
	key, other := encKey(t), encKey(t)
	type transport struct{ name, alg, digest, mgf string }
	transports := []transport{
		{"mgf1p", samlsp.RSAOAEPMGF1P, "", ""},
		{"mgf1p explicit sha1", samlsp.RSAOAEPMGF1P, samlsp.DigestSHA1, ""},
		{"oaep11 default", samlsp.RSAOAEP, "", ""},
		{"oaep11 sha256", samlsp.RSAOAEP, samlsp.DigestSHA256, samlsp.MGF1SHA256},
		{"oaep11 sha512 mgf1sha1", samlsp.RSAOAEP, samlsp.DigestSHA512, samlsp.MGF1SHA1},
	}
	for _, block := range []string{samlsp.AES128CBC, samlsp.AES256CBC, samlsp.AES128GCM, samlsp.AES256GCM} {
		for _, tr := range transports {
			for _, beside := range []bool{false, true} {
				for _, signResponse := range []bool{false, true} {
					name := block[strings.LastIndex(block, "#")+1:] + "/" + tr.name
					if beside {
						name += "/key beside"
					}
					if signResponse {
						name += "/response signed"
					}
					t.Run(name, func(t *testing.T) {
						o := p.Options(now, "1", stdAttrs()...)
						o.SignResponse = signResponse
						o.Encrypt = &samltest.Encryption{Key: &key.PublicKey, Block: block, KeyTransport: tr.alg, Digest: tr.digest, MGF: tr.mgf, KeyBeside: beside}
						resp, err := p.Response(o)
						if err != nil {
							t.Fatal(err)
						}
						raw, _ := base64.StdEncoding.DecodeString(resp)
						if strings.Contains(string(raw), "alice@example.com") {
							t.Fatalf("response shows the assertion in clear: %s", raw)
						}
						// Each key is tried: the wrong one first.
						got, err := samlsp.ParseDecrypting(resp, md, &samlsp.Decryption{Keys: []*rsa.PrivateKey{other, key}, Required: true}, now)
						if err != nil {
							t.Fatalf("ParseDecrypting: %v", err)
						}
						want := samlsp.Assertion{ID: "_a1", Subject: "alice@example.com", RoleSessionName: "alice@example.com"}
						if diff := cmp.Diff(want, samlsp.Assertion{ID: got.ID, Subject: got.Subject, RoleSessionName: got.RoleSessionName}); diff != "" {
							t.Errorf("assertion (-want +got):\n%s", diff)
						}
					})
				}
			}
		}
	}
}

// refusal checks that err is a *samlsp.Error with message msg.
func refusal(t *testing.T, err error, msg string) {
	t.Helper()
	e, ok := samlsp.AsError(err)
	if !ok {
		t.Fatalf("err = %v, want a *samlsp.Error %q", err, msg)
	}
	if e.Message != msg {
		t.Errorf("message = %q (%v), want %q", e.Message, err, msg)
	}
}

// response wraps an EncryptedAssertion in a Response signed by p.
func tamperedResponse(t *testing.T, p *samltest.IdP, enc *samltest.Encryption, edit func(ea *etree.Element)) string {
	t.Helper()
	o := p.Options(now, "1", stdAttrs()...)
	o.Encrypt = enc
	resp, err := p.Response(o)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := base64.StdEncoding.DecodeString(resp)
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(raw); err != nil {
		t.Fatal(err)
	}
	edit(doc.FindElement("//EncryptedAssertion"))
	b, _ := doc.WriteToBytes()
	return base64.StdEncoding.EncodeToString(b)
}

// flipLast flips a bit in the last byte of the base64 CipherValue under el.
func flipLast(t *testing.T, cv *etree.Element) {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(cv.Text())
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)-1] ^= 1
	cv.SetText(base64.StdEncoding.EncodeToString(b))
}

func TestDecryptRefusals(t *testing.T) {
	p, md := newIdP(t, "https://idp.example.com")
	key, other := encKey(t), encKey(t)
	keys := &samlsp.Decryption{Keys: []*rsa.PrivateKey{key}}
	enc := func(block, transport string) *samltest.Encryption {
		return &samltest.Encryption{Key: &key.PublicKey, Block: block, KeyTransport: transport}
	}
	plain := func(o samltest.Options) string {
		r, err := p.Response(o)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	encrypted := func(e *samltest.Encryption) string { return tamperedResponse(t, p, e, func(*etree.Element) {}) }
	unsigned := p.Options(now, "1", stdAttrs()...)
	unsigned.Unsigned, unsigned.Encrypt = true, enc(samlsp.AES256GCM, "")
	for _, tc := range []struct {
		name string
		resp string
		dec  *samlsp.Decryption
		want string
	}{
		{"wrong key", encrypted(enc(samlsp.AES256GCM, "")), &samlsp.Decryption{Keys: []*rsa.PrivateKey{other}}, samlsp.MsgDecrypt},
		{"no keys", encrypted(enc(samlsp.AES256GCM, "")), nil, samlsp.MsgDecrypt},
		{"tampered GCM data", tamperedResponse(t, p, enc(samlsp.AES128GCM, ""), func(ea *etree.Element) {
			flipLast(t, ea.FindElement("./EncryptedData/CipherData/CipherValue"))
		}), keys, samlsp.MsgDecrypt},
		{"tampered CBC data", tamperedResponse(t, p, enc(samlsp.AES256CBC, ""), func(ea *etree.Element) {
			flipLast(t, ea.FindElement("./EncryptedData/CipherData/CipherValue"))
		}), keys, samlsp.MsgDecrypt},
		{"tampered key", tamperedResponse(t, p, enc(samlsp.AES256CBC, ""), func(ea *etree.Element) {
			flipLast(t, ea.FindElement(".//EncryptedKey/CipherData/CipherValue"))
		}), keys, samlsp.MsgDecrypt},
		{"triple DES refused", encrypted(enc("http://www.w3.org/2001/04/xmlenc#tripledes-cbc", "")), keys, samlsp.MsgDecrypt},
		{"RSA PKCS#1 v1.5 refused", encrypted(enc(samlsp.AES256GCM, "http://www.w3.org/2001/04/xmlenc#rsa-1_5")), keys, samlsp.MsgDecrypt},
		{"unknown OAEP digest", encrypted(&samltest.Encryption{Key: &key.PublicKey, KeyTransport: samlsp.RSAOAEP, Digest: "http://www.w3.org/2001/04/xmldsig-more#md5"}),
			keys, samlsp.MsgDecrypt},
		{"mgf1p with sha256 digest", encrypted(&samltest.Encryption{Key: &key.PublicKey, KeyTransport: samlsp.RSAOAEPMGF1P, Digest: samlsp.DigestSHA256}),
			keys, samlsp.MsgDecrypt},
		{"no EncryptedKey", tamperedResponse(t, p, enc(samlsp.AES256GCM, ""), func(ea *etree.Element) {
			ki := ea.FindElement("./EncryptedData/KeyInfo")
			ki.RemoveChild(ki.FindElement("./EncryptedKey"))
		}), keys, samlsp.MsgDecrypt},
		{"encrypted but unsigned", plain(unsigned), keys, samlsp.MsgSignature},
		{"plain when required", plain(p.Options(now, "1", stdAttrs()...)), &samlsp.Decryption{Keys: keys.Keys, Required: true}, samlsp.MsgNotEncrypted},
		{"signature over EncryptedAssertion broken", func() string {
			o := p.Options(now, "1", stdAttrs()...)
			o.SignResponse, o.Encrypt = true, enc(samlsp.AES256GCM, "")
			r, err := p.Response(o)
			if err != nil {
				t.Fatal(err)
			}
			raw, _ := base64.StdEncoding.DecodeString(r)
			doc := etree.NewDocument()
			if err := doc.ReadFromBytes(raw); err != nil {
				t.Fatal(err)
			}
			flipLast(t, doc.FindElement("//EncryptedData/CipherData/CipherValue"))
			b, _ := doc.WriteToBytes()
			return base64.StdEncoding.EncodeToString(b)
		}(), keys, samlsp.MsgSignature},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := samlsp.ParseDecrypting(tc.resp, md, tc.dec, now)
			refusal(t, err, tc.want)
		})
	}
	t.Run("plain allowed when not required", func(t *testing.T) {
		if _, err := samlsp.ParseDecrypting(plain(p.Options(now, "1", stdAttrs()...)), md, keys, now); err != nil {
			t.Errorf("ParseDecrypting: %v", err)
		}
	})
}

// TestDecryptNoEntities checks that decrypted content with a DTD (an entity definition) is
// refused rather than expanded, and that only an Assertion is accepted.
func TestDecryptNoEntities(t *testing.T) {
	key := encKey(t)
	for _, tc := range []struct{ name, plain string }{
		{"internal entity", `<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "lol">]><saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_a">&x;</saml:Assertion>`},
		{"external entity", `<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_a">&x;</saml:Assertion>`},
		{"doctype only", `<!DOCTYPE a><saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_a"/>`},
		{"not an assertion", `<saml:Response xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"/>`},
		{"not XML", `lol`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ea, err := samltest.EncryptData([]byte(tc.plain), samltest.Encryption{Key: &key.PublicKey})
			if err != nil {
				t.Fatal(err)
			}
			el, err := samlsp.DecryptAssertion(ea, []*rsa.PrivateKey{key})
			if el != nil {
				d := etree.NewDocument()
				d.SetRoot(el)
				s, _ := d.WriteToString()
				t.Errorf("DecryptAssertion(%s) = %s, want a refusal", tc.plain, s)
			}
			refusal(t, err, samlsp.MsgDecrypt)
		})
	}
	t.Run("assertion accepted", func(t *testing.T) {
		in := `<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_a"><saml:Issuer>x</saml:Issuer></saml:Assertion>`
		ea, err := samltest.EncryptData([]byte(in), samltest.Encryption{Key: &key.PublicKey, Block: samlsp.AES128CBC})
		if err != nil {
			t.Fatal(err)
		}
		el, err := samlsp.DecryptAssertion(ea, []*rsa.PrivateKey{key})
		if err != nil {
			t.Fatalf("DecryptAssertion: %v", err)
		}
		if got := el.SelectAttrValue("ID", ""); got != "_a" {
			t.Errorf("ID = %q, want _a", got)
		}
	})
}

func BenchmarkParseDecrypting(b *testing.B) {
	p, err := samltest.New("https://idp.example.com", now)
	if err != nil {
		b.Fatal(err)
	}
	md, err := samlsp.ParseMetadata(p.Metadata())
	if err != nil {
		b.Fatal(err)
	}
	key, _, err := samltest.NewEncryptionKey()
	if err != nil {
		b.Fatal(err)
	}
	dec := &samlsp.Decryption{Keys: []*rsa.PrivateKey{key}}
	for _, tc := range []struct {
		name string
		enc  *samltest.Encryption
	}{
		{"plain", nil},
		{"aes256-gcm", &samltest.Encryption{Key: &key.PublicKey, Block: samlsp.AES256GCM}},
		{"aes128-cbc", &samltest.Encryption{Key: &key.PublicKey, Block: samlsp.AES128CBC}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			o := p.Options(now, "1", stdAttrs()...)
			o.Encrypt = tc.enc
			resp, err := p.Response(o)
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if _, err := samlsp.ParseDecrypting(resp, md, dec, now); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
