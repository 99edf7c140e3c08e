// Package samlsp is iamd's SAML 2.0 service provider: it checks the base64 SAMLResponse that
// AssumeRoleWithSAML receives against the metadata of the identity provider registered in IAM,
// and extracts what STS needs (subject, issuer, recipient, the Role/Principal attribute pairs,
// RoleSessionName, SessionDuration, session tags, SourceIdentity).
//
// Checks, in order: the document is a SAML 2.0 protocol Response with a Success status, holding
// exactly one Assertion or EncryptedAssertion; an XML signature (enveloped, any canonicalization
// goxmldsig supports, exclusive c14n in practice) on the Response or on the Assertion verifies
// against one of the signing certificates in the provider's metadata; the Assertion's Issuer
// (and the Response's, if any) is the metadata's entityID; every AudienceRestriction names AWS's
// service provider (https://signin.aws.amazon.com/saml or urn:amazon:webservices); Conditions
// NotBefore/NotOnOrAfter hold at now within ClockSkew; a bearer SubjectConfirmation has a
// NotOnOrAfter in the future and a Recipient that is AWS's SAML endpoint; finally the assertion's
// ID was not seen before (Verifier keeps the IDs of accepted assertions, bounded, until they
// expire).
//
// Only the element that the signature covers is read afterwards (the copy goxmldsig returns), so
// content outside the signed element (signature wrapping) is never used.
//
// An EncryptedAssertion (XML Encryption: AES-CBC or AES-GCM content under an RSA-OAEP
// EncryptedKey, decrypt.go) is opened with the provider's private keys after the Response's
// signature, which covers it, is checked, and before the Assertion's own signature is; the
// decrypted content may hold no DTD. A provider may require encryption (Decryption.Required).
//
// Time comes in as a parameter. Known differences from AWS: the signing certificate must be within its validity period at the time of the call.
package samlsp
