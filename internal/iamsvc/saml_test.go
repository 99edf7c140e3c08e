package iamsvc

import (
	"bytes"
	"crypto/ed25519"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/iamd-dev/iamd/internal/iam"
)

// testSAMLCert is a self-signed Ed25519 certificate (deterministic: fixed seed, fixed dates),
// base64 DER as metadata carries it.
func testSAMLCert(t *testing.T, serial int64) string {
	t.Helper()
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{byte(serial)}, ed25519.SeedSize))
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: fmt.Sprint("idp", serial)},
		NotBefore: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2034, 1, 1, 0, 0, 0, 0, time.UTC)}
	der, err := x509.CreateCertificate(nil, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(der)
}

// testSAMLMetadataIdPs is an EntityDescriptor with idps IDPSSODescriptors, each with keys
// signing certificates, at least MinSAMLMetadata characters long.
func testSAMLMetadataIdPs(t *testing.T, idps, keys int) string {
	t.Helper()
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
		`<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="https://idp.example.com">` + "\n")
	serial := int64(1)
	for range idps {
		b.WriteString(`  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">` + "\n")
		for range keys {
			b.WriteString(`    <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>` +
				testSAMLCert(t, serial) + "</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>\n")
			serial++
		}
		b.WriteString(`    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://idp.example.com/sso"/>` + "\n" +
			"  </md:IDPSSODescriptor>\n")
	}
	// Ed25519 certificates are short: a comment keeps every document over MinSAMLMetadata.
	b.WriteString("</md:EntityDescriptor>\n<!-- " + strings.Repeat("padding ", MinSAMLMetadata/8) + "-->\n")
	return b.String()
}

// TestSAMLMetadataQuotas walks "Identity providers (IdPs) associated with an IAM SAML provider
// object" (IDPSSODescriptors in the metadata, 10) and "Keys per SAML provider" (signing
// certificates, 10) one below, at and one past their limits.
func TestSAMLMetadataQuotas(t *testing.T) {
	const (
		idpMsg = "Cannot exceed quota for IdentityProvidersPerSAMLProvider: 10"
		keyMsg = "Cannot exceed quota for KeysPerSAMLProvider: 10"
	)
	for _, tc := range []struct {
		name       string
		idps, keys int
		wantQuota  string // "": accepted
		wantMsg    string
	}{
		{"one IdP", 1, 1, "", ""},
		{"9 IdPs", 9, 1, "", ""},
		{"10 IdPs", 10, 1, "", ""},
		{"11 IdPs", 11, 1, "IdentityProvidersPerSAMLProvider", idpMsg},
		{"11 IdPs, 22 keys: IdPs are counted first", 11, 2, "IdentityProvidersPerSAMLProvider", idpMsg},
		{"2 IdPs, 10 keys", 2, 5, "", ""},
		{"3 IdPs, 12 keys", 3, 4, "KeysPerSAMLProvider", keyMsg},
		{"one IdP, 11 keys", 1, 11, "KeysPerSAMLProvider", keyMsg},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := testSAMLMetadataIdPs(t, tc.idps, tc.keys)
			_, err := parseSAMLMetadata(doc)
			if tc.wantQuota == "" {
				if err != nil {
					t.Fatalf("parseSAMLMetadata(%d IdPs × %d keys) = %v, want accepted", tc.idps, tc.keys, err)
				}
				return
			}
			var le *iam.LimitError
			if !errors.As(err, &le) || le.Quota != tc.wantQuota || le.Message != tc.wantMsg {
				t.Errorf("parseSAMLMetadata(%d IdPs × %d keys) = %v, want LimitExceeded %s: %s", tc.idps, tc.keys, err, tc.wantQuota, tc.wantMsg)
			}
		})
	}
}

// TestSAMLMetadataShape: documents that are not one EntityDescriptor with an IDPSSODescriptor
// are InvalidInput "Could not parse metadata", before any quota is counted.
func TestSAMLMetadataShape(t *testing.T) {
	one := testSAMLMetadataIdPs(t, 1, 1)
	for _, tc := range []struct {
		name, doc string
	}{
		{"no IDPSSODescriptor", strings.ReplaceAll(one, "md:IDPSSODescriptor", "md:SPSSODescriptor")},
		{"EntitiesDescriptor root", strings.Replace(strings.Replace(one, "<md:EntityDescriptor ", `<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"><md:EntityDescriptor `, 1),
			"</md:EntityDescriptor>", "</md:EntityDescriptor></md:EntitiesDescriptor>", 1)},
		{"not XML", strings.Repeat("x", MinSAMLMetadata)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if len(tc.doc) < MinSAMLMetadata {
				t.Fatalf("test document is %d characters, under the minimum", len(tc.doc))
			}
			_, err := parseSAMLMetadata(tc.doc)
			var ie *iam.Error
			if !errors.As(err, &ie) || ie.Code != iam.CodeInvalidInput || ie.Message != "Could not parse metadata" {
				t.Errorf("parseSAMLMetadata(%s) = %v, want InvalidInput: Could not parse metadata", tc.name, err)
			}
		})
	}
}
