package iamsvc

import (
	"bytes"
	"context"
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base32"
	"encoding/pem"
	"errors"
	"strings"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/iamd-dev/iamd/internal/authn"
	"github.com/iamd-dev/iamd/internal/iam"
	"github.com/iamd-dev/iamd/internal/store"
)

func malformedCert(format string, args ...any) error {
	return iam.Errorf("MalformedCertificate", format, args...)
}

// parseCert reads one PEM certificate that is valid at now.
func parseCert(body string, now time.Time) (*x509.Certificate, error) {
	block, rest := pem.Decode([]byte(strings.TrimSpace(body)))
	if block == nil || block.Type != "CERTIFICATE" || len(bytes.TrimSpace(rest)) != 0 {
		return nil, malformedCert("Unable to parse certificate. Please ensure the certificate is in PEM format.")
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, malformedCert("Unable to parse certificate. Please ensure the certificate is in PEM format.")
	}
	if now.After(cert.NotAfter) {
		return nil, malformedCert("Certificate has expired.")
	}
	if now.Before(cert.NotBefore) {
		return nil, iam.Errorf("InvalidCertificate", "Certificate is not yet valid.")
	}
	return cert, nil
}

// Signing certificates.

// certificateID derives a signing certificate's ID from its DER bytes: the same certificate
// always gets the same ID, which makes a second upload in the account DuplicateCertificate.
func certificateID(cert *x509.Certificate) string {
	sum := sha256.Sum256(cert.Raw)
	return base32.StdEncoding.EncodeToString(sum[:20])
}

func signingCertOut(u *iam.User, k *iam.SigningCertificate) types.SigningCertificate {
	return types.SigningCertificate{UserName: userNameOut(u), CertificateId: ptr(k.ID), CertificateBody: ptr(k.Body),
		Status: types.StatusType(k.Status), UploadDate: ptr(k.Uploaded)}
}

// UploadSigningCertificate adds an X.509 signing certificate to a user (the caller without
// UserName), at most two per user, each certificate once in the account.
func (s *Service) UploadSigningCertificate(ctx context.Context, c *authn.Caller, in *sdk.UploadSigningCertificateInput) (*sdk.UploadSigningCertificateOutput, error) {
	user, err := existingKeyOwner(c, in.UserName)
	if err != nil {
		return nil, err
	}
	body := str(in.CertificateBody)
	if err := iam.CheckBody("certificateBody", body, iam.MaxCredentialBody); err != nil {
		return nil, err
	}
	if err := s.authorizeKeyOwner(ctx, c, "iam:UploadSigningCertificate", user); err != nil {
		return nil, err
	}
	now := s.nowUTC()
	cert, err := parseCert(body, now)
	if err != nil {
		return nil, err
	}
	acct := account(c)
	k := &iam.SigningCertificate{ID: certificateID(cert), Body: body, Status: iam.StatusActive, Uploaded: now}
	return mutate(ctx, s, func(tx store.Tx) (*sdk.UploadSigningCertificateOutput, error) {
		u, err := credUser(ctx, tx, acct, user)
		if err != nil {
			return nil, err
		}
		k.UserID = userID(u)
		have, err := tx.Links(ctx, acct, store.LinkUserSigningCert, k.UserID)
		if err != nil {
			return nil, err
		}
		if s.limits.Reached(iam.QuotaSigningCertificatesPerUser, len(have)) {
			return nil, s.limits.Exceeded(iam.QuotaSigningCertificatesPerUser)
		}
		e := &store.Entity{Account: acct, Kind: store.KindSigningCertificate, Name: k.ID, Path: "/", Created: now}
		dup := iam.Errorf("DuplicateCertificate", "The Certificate with id %s already exists.", k.ID)
		if err := addCred(ctx, tx, signingCerts, acct, k.UserID, k.ID, e, k, dup); err != nil {
			return nil, err
		}
		out := signingCertOut(u, k)
		return &sdk.UploadSigningCertificateOutput{Certificate: &out}, nil
	})
}

// ListSigningCertificates lists a user's signing certificates (the caller's without UserName).
func (s *Service) ListSigningCertificates(ctx context.Context, c *authn.Caller, in *sdk.ListSigningCertificatesInput) (*sdk.ListSigningCertificatesOutput, error) {
	// existingKeyOwner: this call's UserName is existingUserNameType (128).
	u, certs, next, err := listUserCreds[iam.SigningCertificate](ctx, s, c, "iam:ListSigningCertificates", signingCerts, existingKeyOwner, in.UserName, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	out := &sdk.ListSigningCertificatesOutput{Certificates: []types.SigningCertificate{}, Marker: next, IsTruncated: next != nil}
	for _, k := range certs {
		out.Certificates = append(out.Certificates, signingCertOut(u, k))
	}
	return out, nil
}

// UpdateSigningCertificate activates or deactivates a signing certificate.
func (s *Service) UpdateSigningCertificate(ctx context.Context, c *authn.Caller, in *sdk.UpdateSigningCertificateInput) (*sdk.UpdateSigningCertificateOutput, error) {
	user, err := existingKeyOwner(c, in.UserName)
	if err != nil {
		return nil, err
	}
	id := str(in.CertificateId)
	if err := iam.CheckCertificateID(id); err != nil {
		return nil, err
	}
	if err := iam.CheckStatus(string(in.Status)); err != nil {
		return nil, err
	}
	if err := s.authorizeKeyOwner(ctx, c, "iam:UpdateSigningCertificate", user); err != nil {
		return nil, err
	}
	return changeCred(ctx, s, signingCerts, account(c), user, id, func(_ *iam.User, k *iam.SigningCertificate) (*sdk.UpdateSigningCertificateOutput, error) {
		k.Status = string(in.Status)
		return &sdk.UpdateSigningCertificateOutput{}, nil
	})
}

// DeleteSigningCertificate deletes a signing certificate.
func (s *Service) DeleteSigningCertificate(ctx context.Context, c *authn.Caller, in *sdk.DeleteSigningCertificateInput) (*sdk.DeleteSigningCertificateOutput, error) {
	user, err := existingKeyOwner(c, in.UserName)
	if err != nil {
		return nil, err
	}
	id := str(in.CertificateId)
	if err := iam.CheckCertificateID(id); err != nil {
		return nil, err
	}
	if err := s.authorizeKeyOwner(ctx, c, "iam:DeleteSigningCertificate", user); err != nil {
		return nil, err
	}
	return dropCred[sdk.DeleteSigningCertificateOutput](ctx, s, signingCerts, account(c), user, id)
}

// Server certificates.

func noSuchServerCert(name string) error {
	return iam.Errorf(iam.CodeNoSuchEntity, "The Server Certificate with name %s cannot be found.", name)
}

func serverCertExists(name string) error {
	return iam.Errorf(iam.CodeEntityAlreadyExists, "The Server Certificate with name %s already exists.", name)
}

var taggedServerCert = tagged{store.KindServerCertificate, "ServerCertificate", "serverCertificateName", iam.MaxServerCertificateName, noSuchServerCert,
	func(e *store.Entity) (any, *[]iam.Tag, error) {
		sc, err := decode[iam.ServerCertificate](e)
		if err != nil {
			return nil, nil, err
		}
		return sc, &sc.Tags, nil
	}}

// parsePrivateKey reads a PEM private key (PKCS #1, PKCS #8 or SEC 1) and checks that it
// belongs to the certificate. The key never appears in an error.
func parsePrivateKey(text string, cert *x509.Certificate) error {
	block, _ := pem.Decode([]byte(strings.TrimSpace(text)))
	if block == nil {
		return malformedCert("Unable to parse private key.")
	}
	var key any
	var err error
	switch block.Type {
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(block.Bytes)
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	default:
		err = errors.New("unknown PEM type")
	}
	if err != nil {
		return malformedCert("Unable to parse private key.")
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		return malformedCert("Unable to parse private key.")
	}
	pub, ok := signer.Public().(interface{ Equal(crypto.PublicKey) bool })
	if !ok || !pub.Equal(cert.PublicKey) {
		return iam.Errorf("KeyPairMismatch", "The public key certificate and the private key do not match.")
	}
	return nil
}

// checkChain checks that a certificate chain is one or more PEM certificates.
func checkChain(chain string) error {
	rest := []byte(strings.TrimSpace(chain))
	for n := 0; ; n++ {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			if n == 0 || len(bytes.TrimSpace(rest)) != 0 {
				return malformedCert("Unable to parse certificate chain. Please ensure the certificate chain is in PEM format.")
			}
			return nil
		}
		if _, err := x509.ParseCertificate(block.Bytes); block.Type != "CERTIFICATE" || err != nil {
			return malformedCert("Unable to parse certificate chain. Please ensure the certificate chain is in PEM format.")
		}
	}
}

// checkPrivateKeyField checks the PrivateKey member without echoing it: AWS leaves sensitive
// values out of validation messages.
func checkPrivateKeyField(key string) error {
	var fe *iam.FieldError
	if err := iam.CheckBody("privateKey", key, iam.MaxCredentialBody); errors.As(err, &fe) {
		return iam.Errorf(iam.CodeValidationError, "1 validation error detected: Value at 'privateKey' failed to satisfy constraint: %s", fe.Constraint)
	}
	return nil
}

func serverCertMeta(acct string, sc *iam.ServerCertificate) *types.ServerCertificateMetadata {
	return &types.ServerCertificateMetadata{Arn: ptr(iam.ServerCertificateARN(acct, sc.Path, sc.Name)), Path: ptr(sc.Path),
		ServerCertificateId: ptr(sc.ID), ServerCertificateName: ptr(sc.Name), Expiration: ptr(sc.Expiration), UploadDate: ptr(sc.Uploaded)}
}

// serverCertResource is the ARN a server certificate action is authorized against: the stored
// certificate's, or one with the default path when it does not exist (so that authorization
// never reveals existence). The path and the certificate's tags (none when it does not exist)
// are returned with it.
func (s *Service) serverCertResource(ctx context.Context, acct, name string) (arn, path string, tags []iam.Tag) {
	sc, err := view(ctx, s, func(r store.Reader) (*iam.ServerCertificate, error) {
		sc, _, err := load[iam.ServerCertificate](ctx, r, acct, store.KindServerCertificate, name, noSuchServerCert(name))
		return sc, err
	})
	if err != nil {
		return iam.ServerCertificateARN(acct, "/", name), "/", nil
	}
	return iam.ServerCertificateARN(acct, sc.Path, sc.Name), sc.Path, sc.Tags
}

// serverCertARN is serverCertResource without the path.
func (s *Service) serverCertARN(ctx context.Context, acct, name string) (string, []iam.Tag) {
	arn, _, tags := s.serverCertResource(ctx, acct, name)
	return arn, tags
}

// UploadServerCertificate stores a server certificate with its private key (sealed) and chain.
func (s *Service) UploadServerCertificate(ctx context.Context, c *authn.Caller, in *sdk.UploadServerCertificateInput) (*sdk.UploadServerCertificateOutput, error) {
	name, path := str(in.ServerCertificateName), str(in.Path)
	if path == "" {
		path = "/"
	}
	if err := iam.CheckName("serverCertificateName", name, iam.MaxServerCertificateName); err != nil {
		return nil, err
	}
	if err := iam.CheckPath("path", path); err != nil {
		return nil, err
	}
	body, key, chain := str(in.CertificateBody), str(in.PrivateKey), str(in.CertificateChain)
	if err := iam.CheckBody("certificateBody", body, iam.MaxCredentialBody); err != nil {
		return nil, err
	}
	if err := checkPrivateKeyField(key); err != nil {
		return nil, err
	}
	if in.CertificateChain != nil {
		if err := iam.CheckBody("certificateChain", chain, iam.MaxCertificateChain); err != nil {
			return nil, err
		}
	}
	tags := tagsIn(in.Tags)
	if err := iam.CheckTags("ServerCertificate", tags, nil); err != nil {
		return nil, err
	}
	acct := account(c)
	arn := iam.ServerCertificateARN(acct, path, name)
	extra := tagContext(tags)
	if err := s.authorize(ctx, c, "iam:UploadServerCertificate", arn, extra); err != nil {
		return nil, err
	}
	if len(tags) > 0 {
		if err := s.authorize(ctx, c, "iam:TagServerCertificate", arn, extra); err != nil {
			return nil, err
		}
	}
	now := s.nowUTC()
	cert, err := parseCert(body, now)
	if err != nil {
		return nil, err
	}
	if err := parsePrivateKey(key, cert); err != nil {
		return nil, err
	}
	if in.CertificateChain != nil {
		if err := checkChain(chain); err != nil {
			return nil, err
		}
	}
	id, err := s.newID("ASCA")
	if err != nil {
		return nil, err
	}
	sealed, err := s.keys.Seal([]byte(key), []byte(arn), s.rand)
	if err != nil {
		return nil, err
	}
	sc := &iam.ServerCertificate{Name: name, ID: id, Path: path, Body: body, Chain: chain, SealedKey: sealed, Uploaded: now,
		Expiration: cert.NotAfter.UTC(), Tags: tags}
	return mutate(ctx, s, func(tx store.Tx) (*sdk.UploadServerCertificateOutput, error) {
		n, err := tx.Count(ctx, acct, store.KindServerCertificate)
		if err != nil {
			return nil, err
		}
		if s.limits.Reached(iam.QuotaServerCertificates, n) {
			return nil, s.limits.Exceeded(iam.QuotaServerCertificates)
		}
		e := &store.Entity{Account: acct, Kind: store.KindServerCertificate, Name: name, ID: id, Path: path, Created: now}
		if err := create(ctx, tx, e, sc, serverCertExists(name)); err != nil {
			return nil, err
		}
		return &sdk.UploadServerCertificateOutput{ServerCertificateMetadata: serverCertMeta(acct, sc), Tags: tagsOut(tags)}, nil
	})
}

// GetServerCertificate returns a server certificate, its chain and tags; never its private key.
func (s *Service) GetServerCertificate(ctx context.Context, c *authn.Caller, in *sdk.GetServerCertificateInput) (*sdk.GetServerCertificateOutput, error) {
	name := str(in.ServerCertificateName)
	if err := iam.CheckName("serverCertificateName", name, iam.MaxServerCertificateName); err != nil {
		return nil, err
	}
	acct := account(c)
	arn, cur := s.serverCertARN(ctx, acct, name)
	if err := s.authorize(ctx, c, "iam:GetServerCertificate", arn, resourceTagContextOf(taggedServerCert.kind, cur, nil)); err != nil {
		return nil, err
	}
	return view(ctx, s, func(r store.Reader) (*sdk.GetServerCertificateOutput, error) {
		sc, _, err := load[iam.ServerCertificate](ctx, r, acct, store.KindServerCertificate, name, noSuchServerCert(name))
		if err != nil {
			return nil, err
		}
		out := &types.ServerCertificate{CertificateBody: ptr(sc.Body), ServerCertificateMetadata: serverCertMeta(acct, sc), Tags: tagsOut(sc.Tags)}
		if sc.Chain != "" {
			out.CertificateChain = ptr(sc.Chain)
		}
		return &sdk.GetServerCertificateOutput{ServerCertificate: out}, nil
	})
}

// ListServerCertificates lists the account's server certificates under a path prefix.
func (s *Service) ListServerCertificates(ctx context.Context, c *authn.Caller, in *sdk.ListServerCertificatesInput) (*sdk.ListServerCertificatesOutput, error) {
	acct := account(c)
	certs, next, err := listKind(ctx, s, c, "iam:ListServerCertificates", iam.ServerCertificateARN(acct, "/", "*"), store.KindServerCertificate,
		in.PathPrefix, in.Marker, in.MaxItems,
		func(_ store.Reader, sc *iam.ServerCertificate) (types.ServerCertificateMetadata, error) {
			return *serverCertMeta(acct, sc), nil
		})
	if err != nil {
		return nil, err
	}
	return &sdk.ListServerCertificatesOutput{ServerCertificateMetadataList: certs, Marker: next, IsTruncated: next != nil}, nil
}

// UpdateServerCertificate renames a server certificate or moves it to another path. The caller
// needs the permission on both the old and the new ARN; the private key is resealed for the new ARN.
func (s *Service) UpdateServerCertificate(ctx context.Context, c *authn.Caller, in *sdk.UpdateServerCertificateInput) (*sdk.UpdateServerCertificateOutput, error) {
	name := str(in.ServerCertificateName)
	if err := checkRename("serverCertificateName", name, in.NewServerCertificateName, in.NewPath, iam.MaxServerCertificateName, iam.MaxServerCertificateName); err != nil {
		return nil, err
	}
	acct := account(c)
	oldARN, newPath, cur := s.serverCertResource(ctx, acct, name)
	tags := resourceTagContextOf(taggedServerCert.kind, cur, nil)
	if err := s.authorize(ctx, c, "iam:UpdateServerCertificate", oldARN, tags); err != nil {
		return nil, err
	}
	newName := name
	if in.NewServerCertificateName != nil {
		newName = *in.NewServerCertificateName
	}
	if in.NewPath != nil {
		newPath = *in.NewPath
	}
	newARN := iam.ServerCertificateARN(acct, newPath, newName)
	if newARN != oldARN {
		if err := s.authorize(ctx, c, "iam:UpdateServerCertificate", newARN, tags); err != nil {
			return nil, err
		}
	}
	return mutate(ctx, s, func(tx store.Tx) (*sdk.UpdateServerCertificateOutput, error) {
		sc, e, err := load[iam.ServerCertificate](ctx, tx, acct, store.KindServerCertificate, name, noSuchServerCert(name))
		if err != nil {
			return nil, err
		}
		cur := iam.ServerCertificateARN(acct, sc.Path, sc.Name)
		if in.NewPath != nil {
			sc.Path = *in.NewPath
		}
		renamed := in.NewServerCertificateName != nil && *in.NewServerCertificateName != sc.Name
		if renamed {
			sc.Name = *in.NewServerCertificateName
		}
		if next := iam.ServerCertificateARN(acct, sc.Path, sc.Name); next != cur {
			key, err := s.keys.Open(sc.SealedKey, []byte(cur))
			if err != nil {
				return nil, err
			}
			if sc.SealedKey, err = s.keys.Seal(key, []byte(next), s.rand); err != nil {
				return nil, err
			}
		}
		e.Path = sc.Path
		if !renamed {
			return &sdk.UpdateServerCertificateOutput{}, save(ctx, tx, e, sc)
		}
		if err := tx.Delete(ctx, acct, store.KindServerCertificate, name); err != nil {
			return nil, err
		}
		ne := &store.Entity{Account: acct, Kind: store.KindServerCertificate, Name: sc.Name, ID: sc.ID, Path: sc.Path, Created: e.Created}
		return &sdk.UpdateServerCertificateOutput{}, create(ctx, tx, ne, sc, serverCertExists(sc.Name))
	})
}

// DeleteServerCertificate deletes a server certificate and its private key.
func (s *Service) DeleteServerCertificate(ctx context.Context, c *authn.Caller, in *sdk.DeleteServerCertificateInput) (*sdk.DeleteServerCertificateOutput, error) {
	name := str(in.ServerCertificateName)
	if err := iam.CheckName("serverCertificateName", name, iam.MaxServerCertificateName); err != nil {
		return nil, err
	}
	acct := account(c)
	arn, cur := s.serverCertARN(ctx, acct, name)
	if err := s.authorize(ctx, c, "iam:DeleteServerCertificate", arn, resourceTagContextOf(taggedServerCert.kind, cur, nil)); err != nil {
		return nil, err
	}
	return mutate(ctx, s, func(tx store.Tx) (*sdk.DeleteServerCertificateOutput, error) {
		if err := tx.Delete(ctx, acct, store.KindServerCertificate, name); errors.Is(err, store.ErrNotFound) {
			return nil, noSuchServerCert(name)
		} else if err != nil {
			return nil, err
		}
		return &sdk.DeleteServerCertificateOutput{}, nil
	})
}

// TagServerCertificate adds or replaces tags on a server certificate.
func (s *Service) TagServerCertificate(ctx context.Context, c *authn.Caller, in *sdk.TagServerCertificateInput) (*sdk.TagServerCertificateOutput, error) {
	name := str(in.ServerCertificateName)
	arn, cur := s.serverCertARN(ctx, account(c), name)
	return &sdk.TagServerCertificateOutput{}, s.tag(ctx, c, taggedServerCert, "iam:TagServerCertificate", name, arn, cur, tagsIn(in.Tags))
}

// UntagServerCertificate removes tags from a server certificate.
func (s *Service) UntagServerCertificate(ctx context.Context, c *authn.Caller, in *sdk.UntagServerCertificateInput) (*sdk.UntagServerCertificateOutput, error) {
	name := str(in.ServerCertificateName)
	arn, cur := s.serverCertARN(ctx, account(c), name)
	return &sdk.UntagServerCertificateOutput{}, s.untag(ctx, c, taggedServerCert, "iam:UntagServerCertificate", name, arn, cur, in.TagKeys)
}

// ListServerCertificateTags lists a server certificate's tags.
func (s *Service) ListServerCertificateTags(ctx context.Context, c *authn.Caller, in *sdk.ListServerCertificateTagsInput) (*sdk.ListServerCertificateTagsOutput, error) {
	name := str(in.ServerCertificateName)
	arn, cur := s.serverCertARN(ctx, account(c), name)
	tags, next, err := s.listTags(ctx, c, taggedServerCert, "iam:ListServerCertificateTags", name, arn, cur, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &sdk.ListServerCertificateTagsOutput{Tags: tags, Marker: next, IsTruncated: next != nil}, nil
}
