package samlsp

import (
	"crypto/x509"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"strings"
)

// metadataNS is the SAML 2.0 metadata namespace.
const metadataNS = "urn:oasis:names:tc:SAML:2.0:metadata"

// Metadata is what verification needs from an identity provider's SAML metadata document.
type Metadata struct {
	// EntityID is the provider's entityID; assertions must name it as their Issuer.
	EntityID string
	// Certs are the signing certificates of its IDPSSODescriptors.
	Certs []*x509.Certificate
}

type metadataXML struct {
	XMLName  xml.Name
	EntityID string `xml:"entityID,attr"`
	IDP      []struct {
		Keys []struct {
			Use   string   `xml:"use,attr"`
			Certs []string `xml:"KeyInfo>X509Data>X509Certificate"`
		} `xml:"KeyDescriptor"`
	} `xml:"IDPSSODescriptor"`
}

// ParseMetadata reads an EntityDescriptor's entityID and IdP signing certificates (key
// descriptors with use="signing" or no use).
func ParseMetadata(doc string) (*Metadata, error) {
	var md metadataXML
	if err := xml.Unmarshal([]byte(doc), &md); err != nil {
		return nil, fmt.Errorf("saml metadata: %w", err)
	}
	if md.XMLName.Space != metadataNS || md.XMLName.Local != "EntityDescriptor" {
		return nil, errors.New("saml metadata: not an EntityDescriptor")
	}
	out := &Metadata{EntityID: strings.TrimSpace(md.EntityID)}
	for _, idp := range md.IDP {
		for _, k := range idp.Keys {
			if k.Use != "" && k.Use != "signing" {
				continue
			}
			for _, c := range k.Certs {
				der, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(c), ""))
				if err != nil {
					return nil, fmt.Errorf("saml metadata: certificate: %w", err)
				}
				cert, err := x509.ParseCertificate(der)
				if err != nil {
					return nil, fmt.Errorf("saml metadata: certificate: %w", err)
				}
				out.Certs = append(out.Certs, cert)
			}
		}
	}
	if len(out.Certs) == 0 {
		return nil, errors.New("saml metadata: no signing certificate")
	}
	return out, nil
}
