package iamsvc

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base32"
	"encoding/base64"
	"encoding/pem"
	"encoding/xml"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	sdk "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/iamd-dev/iamd/internal/authn"
	"github.com/iamd-dev/iamd/internal/iam"
	"github.com/iamd-dev/iamd/internal/store"
)

// SAML provider limits (IAM API Reference, "IAM and AWS STS quotas").
const (
	// MinSAMLMetadata and MaxSAMLMetadata bound SAMLMetadataDocument, in characters.
	MinSAMLMetadata = 1000
	MaxSAMLMetadata = 10000000
	// MaxSAMLProviderName is the longest provider name.
	MaxSAMLProviderName = 128
)

// MaxSAMLIdentityProviders is "Identity providers (IdPs) associated with an IAM SAML provider
// object" (10). AWS documents the value, not what it counts or its error. In SAML 2.0 metadata
// (saml-metadata-2.0-os, 2.4.3) an identity provider is described by an IDPSSODescriptor, and
// the document AWS takes is one EntityDescriptor (iamd, like the metadata its AssumeRoleWithSAML
// reads, refuses an EntitiesDescriptor), so iamd counts the IDPSSODescriptor elements of the
// document. The refusal is LimitExceeded, which the API Reference lists for CreateSAMLProvider
// and UpdateSAMLProvider, in the form of AWS's other quota messages.
const MaxSAMLIdentityProviders = 10

// samlIdPQuota is the LimitExceeded refusal of metadata describing more than
// MaxSAMLIdentityProviders identity providers.
var samlIdPQuota = &iam.LimitError{Message: "Cannot exceed quota for IdentityProvidersPerSAMLProvider: " + strconv.Itoa(MaxSAMLIdentityProviders),
	Quota: "IdentityProvidersPerSAMLProvider"}

// samlMetadataNS is the SAML 2.0 metadata namespace.
const samlMetadataNS = "urn:oasis:names:tc:SAML:2.0:metadata"

// samlDefaultValidity is how long a provider stays valid when its metadata names no validUntil
// (AWS reports a date 100 years after creation).
const samlDefaultValidity = 100

func noSuchSAMLProvider(arn string) error {
	return iam.Errorf(iam.CodeNoSuchEntity, "Manifest not found for arn %s", arn)
}

// samlMetadata is the part of SAML 2.0 metadata (saml-metadata-2.0-os) that AWS requires of an
// identity provider: an EntityDescriptor with an IDPSSODescriptor whose KeyDescriptors carry the
// signing certificates.
type samlMetadata struct {
	XMLName    xml.Name
	ValidUntil string `xml:"validUntil,attr"`
	IDP        []struct {
		Keys []struct {
			Use   string   `xml:"use,attr"`
			Certs []string `xml:"KeyInfo>X509Data>X509Certificate"`
		} `xml:"KeyDescriptor"`
	} `xml:"IDPSSODescriptor"`
}

// parseSAMLMetadata checks a SAMLMetadataDocument: its length, that it is SAML 2.0 identity
// provider metadata with at least one signing certificate that parses as X.509, and returns the
// metadata's validUntil (zero if it names none).
func parseSAMLMetadata(doc string) (time.Time, error) {
	if err := lengthErrField("sAMLMetadataDocument", doc, MinSAMLMetadata, MaxSAMLMetadata); err != nil {
		return time.Time{}, err
	}
	bad := iam.Errorf(iam.CodeInvalidInput, "Could not parse metadata")
	var md samlMetadata
	if err := xml.Unmarshal([]byte(doc), &md); err != nil {
		return time.Time{}, bad
	}
	if md.XMLName.Space != samlMetadataNS || md.XMLName.Local != "EntityDescriptor" || len(md.IDP) == 0 {
		return time.Time{}, bad
	}
	if len(md.IDP) > MaxSAMLIdentityProviders {
		return time.Time{}, samlIdPQuota
	}
	signing := 0
	for _, idp := range md.IDP {
		for _, k := range idp.Keys {
			if k.Use != "" && k.Use != "signing" {
				continue
			}
			for _, c := range k.Certs {
				der, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(c), ""))
				if err != nil {
					return time.Time{}, bad
				}
				if _, err := x509.ParseCertificate(der); err != nil {
					return time.Time{}, bad
				}
				signing++
			}
		}
	}
	if signing == 0 {
		return time.Time{}, bad
	}
	// A fixed quota: the zero Limits are AWS's values.
	var fixed iam.Limits
	if signing > int(fixed.Get(iam.QuotaKeysPerSAMLProvider)) {
		return time.Time{}, fixed.Exceeded(iam.QuotaKeysPerSAMLProvider)
	}
	var until time.Time
	if md.ValidUntil != "" {
		t, err := time.Parse(time.RFC3339, md.ValidUntil)
		if err != nil {
			return time.Time{}, bad
		}
		until = t.UTC().Truncate(time.Second)
	}
	return until, nil
}

// lengthErrField checks a string's length in characters, as AWS's ValidationError reports it.
func lengthErrField(field, v string, lo, hi int) error {
	n := utf8.RuneCountInString(v)
	if n < lo {
		return &iam.FieldError{Field: field, Value: v, Constraint: "Member must have length greater than or equal to " + strconv.Itoa(lo)}
	}
	if n > hi {
		return &iam.FieldError{Field: field, Value: v, Constraint: "Member must have length less than or equal to " + strconv.Itoa(hi)}
	}
	return nil
}

// checkSAMLName checks a provider name: 1–128 characters of [\w._-].
func checkSAMLName(name string) error {
	if err := lengthErrField("name", name, 1, MaxSAMLProviderName); err != nil {
		return err
	}
	for _, r := range name {
		if !(r == '_' || r == '.' || r == '-' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9') {
			return &iam.FieldError{Field: "name", Value: name, Constraint: `Member must satisfy regular expression pattern: [\w._-]+`}
		}
	}
	return nil
}

// SAML assertion encryption (CreateSAMLProvider and UpdateSAMLProvider's AddPrivateKey,
// RemovePrivateKey and AssertionEncryptionMode).
const (
	// MaxSAMLPrivateKeys is how many private keys a provider holds (two, for rotation).
	MaxSAMLPrivateKeys = 2
	// MaxSAMLPrivateKey is the longest AddPrivateKey, in characters.
	MaxSAMLPrivateKey = 16384
)

// samlKeyQuota is the LimitExceeded refusal of a third private key.
var samlKeyQuota = &iam.LimitError{Message: "Cannot exceed quota for PrivateKeysPerSAMLProvider: " + strconv.Itoa(MaxSAMLPrivateKeys),
	Quota: "PrivateKeysPerSAMLProvider"}

// checkEncryptionMode checks an AssertionEncryptionMode ("" when absent).
func checkEncryptionMode(m types.AssertionEncryptionModeType) error {
	switch m {
	case "", types.AssertionEncryptionModeTypeRequired, types.AssertionEncryptionModeTypeAllowed:
		return nil
	}
	return &iam.FieldError{Field: "assertionEncryptionMode", Value: string(m), Constraint: "Member must satisfy enum value set: [Required, Allowed]"}
}

// parseSAMLPrivateKey checks an AddPrivateKey (a PEM RSA private key, PKCS #1 or PKCS #8) and
// returns its PKCS #8 DER. Refusals never show the key.
func parseSAMLPrivateKey(text string) ([]byte, error) {
	if n := utf8.RuneCountInString(text); n < 1 || n > MaxSAMLPrivateKey {
		c := "Member must have length greater than or equal to 1"
		if n > 0 {
			c = "Member must have length less than or equal to " + strconv.Itoa(MaxSAMLPrivateKey)
		}
		return nil, &iam.FieldError{Field: "addPrivateKey", Constraint: c, Sensitive: true}
	}
	bad := iam.Errorf(iam.CodeInvalidInput, "The private key is not a valid PEM-encoded RSA private key.")
	block, _ := pem.Decode([]byte(strings.TrimSpace(text)))
	if block == nil {
		return nil, bad
	}
	var key any
	var err error
	switch block.Type {
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	default:
		return nil, bad
	}
	rk, ok := key.(*rsa.PrivateKey)
	if err != nil || !ok || rk.Validate() != nil {
		return nil, bad
	}
	return x509.MarshalPKCS8PrivateKey(rk)
}

// newSAMLKey parses and seals an AddPrivateKey for the provider arn under a new key ID (26
// characters of [A-Z2-7], as AWS's [A-Z0-9]{22,64} allows).
func (s *Service) newSAMLKey(text, arn string) (iam.SAMLPrivateKey, error) {
	der, err := parseSAMLPrivateKey(text)
	if err != nil {
		return iam.SAMLPrivateKey{}, err
	}
	b := make([]byte, 16)
	if _, err := io.ReadFull(s.rand, b); err != nil {
		return iam.SAMLPrivateKey{}, err
	}
	id := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b)
	sealed, err := s.keys.Seal(der, iam.SAMLKeyAD(arn, id), s.rand)
	if err != nil {
		return iam.SAMLPrivateKey{}, err
	}
	return iam.SAMLPrivateKey{ID: id, Added: s.nowUTC(), Sealed: sealed}, nil
}

// checkSAMLEncryption checks that a provider requiring encrypted assertions has a key to
// decrypt them.
func checkSAMLEncryption(p *iam.SAMLProvider) error {
	if p.EncryptionMode == string(types.AssertionEncryptionModeTypeRequired) && len(p.PrivateKeys) == 0 {
		return iam.Errorf(iam.CodeInvalidInput, "AssertionEncryptionMode Required needs a private key.")
	}
	return nil
}

// samlKeysOut lists a provider's private keys without their material.
func samlKeysOut(p *iam.SAMLProvider) []types.SAMLPrivateKey {
	out := []types.SAMLPrivateKey{}
	for _, k := range p.PrivateKeys {
		out = append(out, types.SAMLPrivateKey{KeyId: ptr(k.ID), Timestamp: ptr(k.Added)})
	}
	return out
}

// samlMode is a provider's AssertionEncryptionMode as GetSAMLProvider reports it.
func samlMode(p *iam.SAMLProvider) types.AssertionEncryptionModeType {
	if p.EncryptionMode == "" {
		return types.AssertionEncryptionModeTypeAllowed
	}
	return types.AssertionEncryptionModeType(p.EncryptionMode)
}

// samlTarget is the provider an operation names by ARN.
type samlTarget struct {
	acct, name, arn string
}

// samlArg checks a SAMLProviderArn and authorizes action on it (with tagOp the shared tag code
// authorizes). A provider ARN of another account names no provider of the caller's.
func (s *Service) samlArg(ctx context.Context, c *authn.Caller, action string, arnIn *string, tagOp bool) (samlTarget, error) {
	arn := str(arnIn)
	if err := lengthErrField("sAMLProviderArn", arn, 20, 2048); err != nil {
		return samlTarget{}, err
	}
	rest, ok := strings.CutPrefix(arn, "arn:"+iam.Partition+":iam::")
	acct, name, ok2 := strings.Cut(rest, ":saml-provider/")
	ok = ok && ok2 && len(acct) == 12 && checkSAMLName(name) == nil
	if !tagOp || !ok || acct != account(c) {
		var tags map[string][]string
		if ok && acct == account(c) {
			tags = s.entityTagContext(ctx, acct, taggedSAML(arn), name, nil)
		}
		if err := s.authorize(ctx, c, action, arn, tags); err != nil {
			return samlTarget{}, err
		}
	}
	if !ok {
		return samlTarget{}, iam.Errorf(iam.CodeInvalidInput, "ARN %s is not valid.", arn)
	}
	if acct != account(c) {
		return samlTarget{}, noSuchSAMLProvider(arn)
	}
	return samlTarget{acct: acct, name: name, arn: arn}, nil
}

// CreateSAMLProvider registers a SAML 2.0 identity provider from its metadata document, with
// an optional private key (sealed with the keyring) for encrypted assertions.
func (s *Service) CreateSAMLProvider(ctx context.Context, c *authn.Caller, in *sdk.CreateSAMLProviderInput) (*sdk.CreateSAMLProviderOutput, error) {
	name, doc := str(in.Name), str(in.SAMLMetadataDocument)
	if err := checkSAMLName(name); err != nil {
		return nil, err
	}
	until, err := parseSAMLMetadata(doc)
	if err != nil {
		return nil, err
	}
	if err := checkEncryptionMode(in.AssertionEncryptionMode); err != nil {
		return nil, err
	}
	tags := tagsIn(in.Tags)
	if err := iam.CheckTags("SAMLProvider", tags, nil); err != nil {
		return nil, err
	}
	acct := account(c)
	arn := iam.SAMLProviderARN(acct, name)
	if in.AddPrivateKey != nil {
		if _, err := parseSAMLPrivateKey(*in.AddPrivateKey); err != nil {
			return nil, err
		}
	}
	if err := s.authorize(ctx, c, "iam:CreateSAMLProvider", arn, tagContext(tags)); err != nil {
		return nil, err
	}
	if len(tags) > 0 {
		if err := s.authorize(ctx, c, "iam:TagSAMLProvider", arn, tagContext(tags)); err != nil {
			return nil, err
		}
	}
	id, err := iam.NewUUID(s.rand)
	if err != nil {
		return nil, err
	}
	p := &iam.SAMLProvider{Name: name, UUID: id, Metadata: doc, Created: s.nowUTC(), ValidUntil: until, Tags: tags,
		EncryptionMode: string(in.AssertionEncryptionMode)}
	if p.ValidUntil.IsZero() {
		p.ValidUntil = p.Created.AddDate(samlDefaultValidity, 0, 0)
	}
	if in.AddPrivateKey != nil {
		k, err := s.newSAMLKey(*in.AddPrivateKey, arn)
		if err != nil {
			return nil, err
		}
		p.PrivateKeys = []iam.SAMLPrivateKey{k}
	}
	if err := checkSAMLEncryption(p); err != nil {
		return nil, err
	}
	return mutate(ctx, s, func(tx store.Tx) (*sdk.CreateSAMLProviderOutput, error) {
		n, err := tx.Count(ctx, acct, store.KindSAMLProvider)
		if err != nil {
			return nil, err
		}
		if s.limits.Reached(iam.QuotaSAMLProviders, n) {
			return nil, s.limits.Exceeded(iam.QuotaSAMLProviders)
		}
		e := &store.Entity{Account: acct, Kind: store.KindSAMLProvider, Name: name, Path: "/", Created: p.Created}
		if err := create(ctx, tx, e, p, iam.Errorf(iam.CodeEntityAlreadyExists, "Provider with name %s already exists.", name)); err != nil {
			return nil, err
		}
		return &sdk.CreateSAMLProviderOutput{SAMLProviderArn: ptr(arn), Tags: tagsOut(tags)}, nil
	})
}

// GetSAMLProvider returns a provider's metadata document, dates and tags.
func (s *Service) GetSAMLProvider(ctx context.Context, c *authn.Caller, in *sdk.GetSAMLProviderInput) (*sdk.GetSAMLProviderOutput, error) {
	t, err := s.samlArg(ctx, c, "iam:GetSAMLProvider", in.SAMLProviderArn, false)
	if err != nil {
		return nil, err
	}
	return view(ctx, s, func(r store.Reader) (*sdk.GetSAMLProviderOutput, error) {
		p, _, err := load[iam.SAMLProvider](ctx, r, t.acct, store.KindSAMLProvider, t.name, noSuchSAMLProvider(t.arn))
		if err != nil {
			return nil, err
		}
		return &sdk.GetSAMLProviderOutput{SAMLMetadataDocument: ptr(p.Metadata), SAMLProviderUUID: ptr(p.UUID),
			CreateDate: ptr(p.Created), ValidUntil: ptr(p.ValidUntil), Tags: tagsOut(p.Tags),
			AssertionEncryptionMode: samlMode(p), PrivateKeyList: samlKeysOut(p)}, nil
	})
}

// ListSAMLProviders lists the account's providers (the API has no paging).
func (s *Service) ListSAMLProviders(ctx context.Context, c *authn.Caller, _ *sdk.ListSAMLProvidersInput) (*sdk.ListSAMLProvidersOutput, error) {
	if err := s.authorize(ctx, c, "iam:ListSAMLProviders", "*", nil); err != nil {
		return nil, err
	}
	acct := account(c)
	return view(ctx, s, func(r store.Reader) (*sdk.ListSAMLProvidersOutput, error) {
		es, err := listAll(ctx, r, acct, store.KindSAMLProvider)
		if err != nil {
			return nil, err
		}
		out := &sdk.ListSAMLProvidersOutput{SAMLProviderList: []types.SAMLProviderListEntry{}}
		for _, e := range es {
			p, err := decode[iam.SAMLProvider](e)
			if err != nil {
				return nil, err
			}
			out.SAMLProviderList = append(out.SAMLProviderList, types.SAMLProviderListEntry{Arn: ptr(iam.SAMLProviderARN(acct, p.Name)),
				CreateDate: ptr(p.Created), ValidUntil: ptr(p.ValidUntil)})
		}
		return out, nil
	})
}

// checkSAMLKeyID checks a RemovePrivateKey: 22–64 characters of [A-Z0-9].
func checkSAMLKeyID(id string) error {
	if err := lengthErrField("removePrivateKey", id, 22, 64); err != nil {
		return err
	}
	for _, r := range id {
		if !('A' <= r && r <= 'Z' || '0' <= r && r <= '9') {
			return &iam.FieldError{Field: "removePrivateKey", Value: id, Constraint: "Member must satisfy regular expression pattern: [A-Z0-9]+"}
		}
	}
	return nil
}

// UpdateSAMLProvider replaces a provider's metadata document, changes its
// AssertionEncryptionMode, and adds or removes a private key (removal first, so that one request
// may rotate a key when two are held).
func (s *Service) UpdateSAMLProvider(ctx context.Context, c *authn.Caller, in *sdk.UpdateSAMLProviderInput) (*sdk.UpdateSAMLProviderOutput, error) {
	var until time.Time
	if in.SAMLMetadataDocument != nil {
		var err error
		if until, err = parseSAMLMetadata(*in.SAMLMetadataDocument); err != nil {
			return nil, err
		}
	}
	if err := checkEncryptionMode(in.AssertionEncryptionMode); err != nil {
		return nil, err
	}
	if in.RemovePrivateKey != nil {
		if err := checkSAMLKeyID(*in.RemovePrivateKey); err != nil {
			return nil, err
		}
	}
	if in.AddPrivateKey != nil {
		if _, err := parseSAMLPrivateKey(*in.AddPrivateKey); err != nil {
			return nil, err
		}
	}
	t, err := s.samlArg(ctx, c, "iam:UpdateSAMLProvider", in.SAMLProviderArn, false)
	if err != nil {
		return nil, err
	}
	var added *iam.SAMLPrivateKey
	if in.AddPrivateKey != nil {
		k, err := s.newSAMLKey(*in.AddPrivateKey, t.arn)
		if err != nil {
			return nil, err
		}
		added = &k
	}
	return mutate(ctx, s, func(tx store.Tx) (*sdk.UpdateSAMLProviderOutput, error) {
		p, e, err := load[iam.SAMLProvider](ctx, tx, t.acct, store.KindSAMLProvider, t.name, noSuchSAMLProvider(t.arn))
		if err != nil {
			return nil, err
		}
		if in.RemovePrivateKey != nil {
			i := slices.IndexFunc(p.PrivateKeys, func(k iam.SAMLPrivateKey) bool { return k.ID == *in.RemovePrivateKey })
			if i < 0 {
				return nil, iam.Errorf(iam.CodeNoSuchEntity, "The private key with ID %s does not exist.", *in.RemovePrivateKey)
			}
			p.PrivateKeys = slices.Delete(slices.Clone(p.PrivateKeys), i, i+1)
		}
		if added != nil {
			if len(p.PrivateKeys) >= MaxSAMLPrivateKeys {
				return nil, samlKeyQuota
			}
			p.PrivateKeys = append(p.PrivateKeys, *added)
		}
		if in.AssertionEncryptionMode != "" {
			p.EncryptionMode = string(in.AssertionEncryptionMode)
		}
		if err := checkSAMLEncryption(p); err != nil {
			return nil, err
		}
		if in.SAMLMetadataDocument != nil {
			p.Metadata = *in.SAMLMetadataDocument
			p.ValidUntil = until
			if until.IsZero() {
				p.ValidUntil = p.Created.AddDate(samlDefaultValidity, 0, 0)
			}
		}
		return &sdk.UpdateSAMLProviderOutput{SAMLProviderArn: ptr(t.arn)}, save(ctx, tx, e, p)
	})
}

// DeleteSAMLProvider deletes a provider.
func (s *Service) DeleteSAMLProvider(ctx context.Context, c *authn.Caller, in *sdk.DeleteSAMLProviderInput) (*sdk.DeleteSAMLProviderOutput, error) {
	t, err := s.samlArg(ctx, c, "iam:DeleteSAMLProvider", in.SAMLProviderArn, false)
	if err != nil {
		return nil, err
	}
	return mutate(ctx, s, func(tx store.Tx) (*sdk.DeleteSAMLProviderOutput, error) {
		if _, _, err := load[iam.SAMLProvider](ctx, tx, t.acct, store.KindSAMLProvider, t.name, noSuchSAMLProvider(t.arn)); err != nil {
			return nil, err
		}
		return &sdk.DeleteSAMLProviderOutput{}, tx.Delete(ctx, t.acct, store.KindSAMLProvider, t.name)
	})
}

// taggedSAML reaches a provider's tags; its names are checked by samlArg (max 0).
func taggedSAML(arn string) tagged {
	return tagged{store.KindSAMLProvider, "SAMLProvider", "sAMLProviderArn", 0,
		func(string) error { return noSuchSAMLProvider(arn) },
		func(e *store.Entity) (any, *[]iam.Tag, error) {
			p, err := decode[iam.SAMLProvider](e)
			if err != nil {
				return nil, nil, err
			}
			return p, &p.Tags, nil
		}}
}

// TagSAMLProvider adds or replaces tags on a provider.
func (s *Service) TagSAMLProvider(ctx context.Context, c *authn.Caller, in *sdk.TagSAMLProviderInput) (*sdk.TagSAMLProviderOutput, error) {
	t, err := s.samlArg(ctx, c, "iam:TagSAMLProvider", in.SAMLProviderArn, true)
	if err != nil {
		return nil, err
	}
	return &sdk.TagSAMLProviderOutput{}, s.tag(ctx, c, taggedSAML(t.arn), "iam:TagSAMLProvider", t.name, t.arn, s.entityTags(ctx, account(c), taggedSAML(t.arn), t.name), tagsIn(in.Tags))
}

// UntagSAMLProvider removes tags from a provider.
func (s *Service) UntagSAMLProvider(ctx context.Context, c *authn.Caller, in *sdk.UntagSAMLProviderInput) (*sdk.UntagSAMLProviderOutput, error) {
	t, err := s.samlArg(ctx, c, "iam:UntagSAMLProvider", in.SAMLProviderArn, true)
	if err != nil {
		return nil, err
	}
	return &sdk.UntagSAMLProviderOutput{}, s.untag(ctx, c, taggedSAML(t.arn), "iam:UntagSAMLProvider", t.name, t.arn, s.entityTags(ctx, account(c), taggedSAML(t.arn), t.name), in.TagKeys)
}

// ListSAMLProviderTags lists a provider's tags.
func (s *Service) ListSAMLProviderTags(ctx context.Context, c *authn.Caller, in *sdk.ListSAMLProviderTagsInput) (*sdk.ListSAMLProviderTagsOutput, error) {
	t, err := s.samlArg(ctx, c, "iam:ListSAMLProviderTags", in.SAMLProviderArn, true)
	if err != nil {
		return nil, err
	}
	tags, next, err := s.listTags(ctx, c, taggedSAML(t.arn), "iam:ListSAMLProviderTags", t.name, t.arn, s.entityTags(ctx, account(c), taggedSAML(t.arn), t.name), in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &sdk.ListSAMLProviderTagsOutput{Tags: tags, Marker: next, IsTruncated: next != nil}, nil
}
