package iamsvc

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"slices"
	"strings"

	sdk "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"golang.org/x/crypto/ssh"

	"github.com/iamd-dev/iamd/internal/authn"
	"github.com/iamd-dev/iamd/internal/iam"
	"github.com/iamd-dev/iamd/internal/secrets"
	"github.com/iamd-dev/iamd/internal/store"
)

// userCred is a kind of credential that belongs to a user (SSH public keys, signing
// certificates, service-specific credentials): stored by its ID and linked from the user's
// unique ID, so that renaming the user keeps it.
type userCred struct {
	kind    store.Kind
	link    store.LinkKind
	missing func(id string) error
}

var (
	sshKeys = userCred{store.KindSSHPublicKey, store.LinkUserSSHKey, func(id string) error {
		return iam.Errorf(iam.CodeNoSuchEntity, "The Public Key with id %s cannot be found.", id)
	}}
	signingCerts = userCred{store.KindSigningCertificate, store.LinkUserSigningCert, func(id string) error {
		return iam.Errorf(iam.CodeNoSuchEntity, "The Certificate with id %s cannot be found.", id)
	}}
	serviceCreds = userCred{store.KindServiceCredential, store.LinkUserServiceCred, func(id string) error {
		return iam.Errorf(iam.CodeNoSuchEntity, "No such credential %s exists", id)
	}}
)

// credUser loads the user a credential call names; "" (the root user) gives a nil user.
func credUser(ctx context.Context, r store.Reader, acct, name string) (*iam.User, error) {
	if name == "" {
		return nil, nil
	}
	u, _, err := load[iam.User](ctx, r, acct, store.KindUser, name, noSuchUser(name))
	return u, err
}

// userID is the key of a user's credential links ("" for the root user).
func userID(u *iam.User) string {
	if u == nil {
		return ""
	}
	return u.ID
}

// userNameOut is a user's name on the wire (nil for the root user).
func userNameOut(u *iam.User) *string {
	if u == nil {
		return nil
	}
	return ptr(u.Name)
}

// requiredUser checks a UserName that the operation requires.
func requiredUser(name *string) (string, error) {
	n := str(name)
	return n, iam.CheckName("userName", n, iam.MaxUserName)
}

// loadCred reads credential id of the user with unique ID uid; a missing credential or one of
// another user is the kind's NoSuchEntity.
func loadCred[T any](ctx context.Context, r store.Reader, k userCred, acct, uid, id string) (*T, *store.Entity, error) {
	v, e, err := load[T](ctx, r, acct, k.kind, id, k.missing(id))
	if err != nil {
		return nil, nil, err
	}
	ids, err := r.Links(ctx, acct, k.link, uid)
	if err != nil {
		return nil, nil, err
	}
	if !slices.ContainsFunc(ids, func(x string) bool { return strings.EqualFold(x, id) }) {
		return nil, nil, k.missing(id)
	}
	return v, e, nil
}

// listCreds returns every credential of the kind that the user with unique ID uid holds, in ID order.
func listCreds[T any](ctx context.Context, r store.Reader, k userCred, acct, uid string) ([]*T, error) {
	ids, err := r.Links(ctx, acct, k.link, uid)
	if err != nil {
		return nil, err
	}
	out := make([]*T, 0, len(ids))
	for _, id := range ids {
		v, _, err := load[T](ctx, r, acct, k.kind, id, k.missing(id))
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// addCred stores a new credential of the user and links it.
func addCred(ctx context.Context, tx store.Tx, k userCred, acct, uid, id string, e *store.Entity, v any, exists error) error {
	if err := create(ctx, tx, e, v, exists); err != nil {
		return err
	}
	return tx.Link(ctx, acct, k.link, uid, id)
}

// changeCred loads a user's credential, lets fn change it and saves it, in one mutation; fn's
// result is the operation's output.
func changeCred[T, O any](ctx context.Context, s *Service, k userCred, acct, user, id string, fn func(u *iam.User, v *T) (*O, error)) (*O, error) {
	return mutate(ctx, s, func(tx store.Tx) (*O, error) {
		u, err := credUser(ctx, tx, acct, user)
		if err != nil {
			return nil, err
		}
		v, e, err := loadCred[T](ctx, tx, k, acct, userID(u), id)
		if err != nil {
			return nil, err
		}
		out, err := fn(u, v)
		if err != nil {
			return nil, err
		}
		return out, save(ctx, tx, e, v)
	})
}

// dropCred deletes a user's credential (its link goes with it).
func dropCred[O any](ctx context.Context, s *Service, k userCred, acct, user, id string) (*O, error) {
	return mutate(ctx, s, func(tx store.Tx) (*O, error) {
		u, err := credUser(ctx, tx, acct, user)
		if err != nil {
			return nil, err
		}
		if _, _, err := loadCred[struct{}](ctx, tx, k, acct, userID(u), id); err != nil {
			return nil, err
		}
		return new(O), tx.Delete(ctx, acct, k.kind, id)
	})
}

// listUserCreds runs a List* of a user's credentials of the kind (the caller's own when
// userName is nil): checks userName with owner (keyOwner or existingKeyOwner, per the call's
// model bound) and the paging input, authorizes action, reads the credentials and returns the
// user, the page and the next page's marker.
func listUserCreds[T any](ctx context.Context, s *Service, c *authn.Caller, action string, k userCred, owner func(*authn.Caller, *string) (string, error), userName, marker *string, maxItems *int32) (*iam.User, []*T, *string, error) {
	user, err := owner(c, userName)
	if err != nil {
		return nil, nil, nil, err
	}
	if err := checkPaging(marker, maxItems); err != nil {
		return nil, nil, nil, err
	}
	if err := s.authorizeKeyOwner(ctx, c, action, user); err != nil {
		return nil, nil, nil, err
	}
	u, all, err := readCreds[T](ctx, s, k, account(c), user)
	if err != nil {
		return nil, nil, nil, err
	}
	start, end, next, err := slicePage(len(all), marker, maxItems)
	if err != nil {
		return nil, nil, nil, err
	}
	return u, all[start:end], next, nil
}

// readCreds reads the user's credentials of the kind for a listing.
func readCreds[T any](ctx context.Context, s *Service, k userCred, acct, user string) (*iam.User, []*T, error) {
	var u *iam.User
	var all []*T
	_, err := view(ctx, s, func(r store.Reader) (*struct{}, error) {
		var err error
		if u, err = credUser(ctx, r, acct, user); err != nil {
			return nil, err
		}
		all, err = listCreds[T](ctx, r, k, acct, userID(u))
		return nil, err
	})
	return u, all, err
}

// SSH public keys.

func unrecognizedKey() error {
	return iam.Errorf("UnrecognizedPublicKeyEncoding", "The public key encoding format is unsupported or unrecognized.")
}

func invalidKey(why string) error {
	return iam.Errorf("InvalidPublicKey", "%s", why)
}

// parseSSHKey reads an RSA public key in OpenSSH ("ssh-rsa AAAA… comment") or PEM (PKIX or
// PKCS #1) form, at least 2048 bits, as AWS requires.
func parseSSHKey(body string) (ssh.PublicKey, *rsa.PublicKey, error) {
	text := strings.TrimSpace(body)
	var pub *rsa.PublicKey
	if strings.HasPrefix(text, "-----BEGIN") {
		block, rest := pem.Decode([]byte(text))
		if block == nil || len(strings.TrimSpace(string(rest))) != 0 {
			return nil, nil, invalidKey("The public key is malformed or otherwise invalid.")
		}
		switch block.Type {
		case "PUBLIC KEY":
			k, err := x509.ParsePKIXPublicKey(block.Bytes)
			if err != nil {
				return nil, nil, invalidKey("The public key is malformed or otherwise invalid.")
			}
			r, ok := k.(*rsa.PublicKey)
			if !ok {
				return nil, nil, unrecognizedKey()
			}
			pub = r
		case "RSA PUBLIC KEY":
			r, err := x509.ParsePKCS1PublicKey(block.Bytes)
			if err != nil {
				return nil, nil, invalidKey("The public key is malformed or otherwise invalid.")
			}
			pub = r
		default:
			return nil, nil, unrecognizedKey()
		}
	} else {
		if kind, _, _ := strings.Cut(text, " "); kind != ssh.KeyAlgoRSA {
			return nil, nil, unrecognizedKey()
		}
		k, _, _, rest, err := ssh.ParseAuthorizedKey([]byte(text))
		if err != nil || len(rest) != 0 {
			return nil, nil, invalidKey("The public key is malformed or otherwise invalid.")
		}
		ck, ok := k.(ssh.CryptoPublicKey)
		if !ok {
			return nil, nil, unrecognizedKey()
		}
		if pub, ok = ck.CryptoPublicKey().(*rsa.PublicKey); !ok {
			return nil, nil, unrecognizedKey()
		}
	}
	if pub.N.BitLen() < 2048 {
		return nil, nil, invalidKey("The public key must be at least 2048 bits long.")
	}
	k, err := ssh.NewPublicKey(pub)
	if err != nil {
		return nil, nil, invalidKey("The public key is malformed or otherwise invalid.")
	}
	return k, pub, nil
}

// encodeSSHKey writes a stored key in the encoding GetSSHPublicKey asks for.
func encodeSSHKey(body string, enc types.EncodingType) (string, error) {
	k, pub, err := parseSSHKey(body)
	if err != nil {
		return "", err
	}
	if enc == types.EncodingTypeSsh {
		return strings.TrimSuffix(string(ssh.MarshalAuthorizedKey(k)), "\n"), nil
	}
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return "", err
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})), nil
}

func sshKeyOut(u *iam.User, k *iam.SSHPublicKey, body string) *types.SSHPublicKey {
	return &types.SSHPublicKey{UserName: userNameOut(u), SSHPublicKeyId: ptr(k.ID), Fingerprint: ptr(k.Fingerprint),
		SSHPublicKeyBody: ptr(body), Status: types.StatusType(k.Status), UploadDate: ptr(k.Uploaded)}
}

// UploadSSHPublicKey adds an SSH public key to a user (at most five, each once).
func (s *Service) UploadSSHPublicKey(ctx context.Context, c *authn.Caller, in *sdk.UploadSSHPublicKeyInput) (*sdk.UploadSSHPublicKeyOutput, error) {
	user, err := requiredUser(in.UserName)
	if err != nil {
		return nil, err
	}
	body := str(in.SSHPublicKeyBody)
	if err := iam.CheckBody("sSHPublicKeyBody", body, iam.MaxCredentialBody); err != nil {
		return nil, err
	}
	if err := s.authorizeUser(ctx, c, "iam:UploadSSHPublicKey", user, nil); err != nil {
		return nil, err
	}
	key, _, err := parseSSHKey(body)
	if err != nil {
		return nil, err
	}
	id, err := secrets.NewAccessKeyID("APKA", s.rand)
	if err != nil {
		return nil, err
	}
	acct := account(c)
	k := &iam.SSHPublicKey{ID: id, Body: body, Fingerprint: ssh.FingerprintLegacyMD5(key), Status: iam.StatusActive, Uploaded: s.nowUTC()}
	return mutate(ctx, s, func(tx store.Tx) (*sdk.UploadSSHPublicKeyOutput, error) {
		u, err := credUser(ctx, tx, acct, user)
		if err != nil {
			return nil, err
		}
		k.UserID = u.ID
		have, err := listCreds[iam.SSHPublicKey](ctx, tx, sshKeys, acct, u.ID)
		if err != nil {
			return nil, err
		}
		for _, h := range have {
			if h.Fingerprint == k.Fingerprint {
				return nil, iam.Errorf("DuplicateSSHPublicKey", "The SSH public key is already associated with the specified IAM user.")
			}
		}
		if s.limits.Reached(iam.QuotaSSHPublicKeysPerUser, len(have)) {
			return nil, s.limits.Exceeded(iam.QuotaSSHPublicKeysPerUser)
		}
		e := &store.Entity{Account: acct, Kind: store.KindSSHPublicKey, Name: id, Path: "/", Created: k.Uploaded}
		if err := addCred(ctx, tx, sshKeys, acct, u.ID, id, e, k, iam.Errorf(iam.CodeEntityAlreadyExists, "Public key %s already exists.", id)); err != nil {
			return nil, err
		}
		return &sdk.UploadSSHPublicKeyOutput{SSHPublicKey: sshKeyOut(u, k, body)}, nil
	})
}

// GetSSHPublicKey returns a user's SSH public key in OpenSSH or PEM encoding.
func (s *Service) GetSSHPublicKey(ctx context.Context, c *authn.Caller, in *sdk.GetSSHPublicKeyInput) (*sdk.GetSSHPublicKeyOutput, error) {
	user, err := requiredUser(in.UserName)
	if err != nil {
		return nil, err
	}
	id := str(in.SSHPublicKeyId)
	if err := iam.CheckSSHPublicKeyID(id); err != nil {
		return nil, err
	}
	if in.Encoding != types.EncodingTypeSsh && in.Encoding != types.EncodingTypePem {
		return nil, &iam.FieldError{Field: "encoding", Value: string(in.Encoding), Constraint: "Member must satisfy enum value set: [SSH, PEM]"}
	}
	if err := s.authorizeUser(ctx, c, "iam:GetSSHPublicKey", user, nil); err != nil {
		return nil, err
	}
	acct := account(c)
	return view(ctx, s, func(r store.Reader) (*sdk.GetSSHPublicKeyOutput, error) {
		u, err := credUser(ctx, r, acct, user)
		if err != nil {
			return nil, err
		}
		k, _, err := loadCred[iam.SSHPublicKey](ctx, r, sshKeys, acct, u.ID, id)
		if err != nil {
			return nil, err
		}
		body, err := encodeSSHKey(k.Body, in.Encoding)
		if err != nil {
			return nil, err
		}
		return &sdk.GetSSHPublicKeyOutput{SSHPublicKey: sshKeyOut(u, k, body)}, nil
	})
}

// ListSSHPublicKeys lists a user's SSH public keys (the caller's own without UserName).
func (s *Service) ListSSHPublicKeys(ctx context.Context, c *authn.Caller, in *sdk.ListSSHPublicKeysInput) (*sdk.ListSSHPublicKeysOutput, error) {
	u, keys, next, err := listUserCreds[iam.SSHPublicKey](ctx, s, c, "iam:ListSSHPublicKeys", sshKeys, keyOwner, in.UserName, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	out := &sdk.ListSSHPublicKeysOutput{SSHPublicKeys: []types.SSHPublicKeyMetadata{}, Marker: next, IsTruncated: next != nil}
	for _, k := range keys {
		out.SSHPublicKeys = append(out.SSHPublicKeys, types.SSHPublicKeyMetadata{UserName: userNameOut(u), SSHPublicKeyId: ptr(k.ID),
			Status: types.StatusType(k.Status), UploadDate: ptr(k.Uploaded)})
	}
	return out, nil
}

// UpdateSSHPublicKey activates or deactivates a user's SSH public key.
func (s *Service) UpdateSSHPublicKey(ctx context.Context, c *authn.Caller, in *sdk.UpdateSSHPublicKeyInput) (*sdk.UpdateSSHPublicKeyOutput, error) {
	user, err := requiredUser(in.UserName)
	if err != nil {
		return nil, err
	}
	id := str(in.SSHPublicKeyId)
	if err := iam.CheckSSHPublicKeyID(id); err != nil {
		return nil, err
	}
	if err := iam.CheckStatus(string(in.Status)); err != nil {
		return nil, err
	}
	if err := s.authorizeUser(ctx, c, "iam:UpdateSSHPublicKey", user, nil); err != nil {
		return nil, err
	}
	return changeCred(ctx, s, sshKeys, account(c), user, id, func(_ *iam.User, k *iam.SSHPublicKey) (*sdk.UpdateSSHPublicKeyOutput, error) {
		k.Status = string(in.Status)
		return &sdk.UpdateSSHPublicKeyOutput{}, nil
	})
}

// DeleteSSHPublicKey deletes a user's SSH public key.
func (s *Service) DeleteSSHPublicKey(ctx context.Context, c *authn.Caller, in *sdk.DeleteSSHPublicKeyInput) (*sdk.DeleteSSHPublicKeyOutput, error) {
	user, err := requiredUser(in.UserName)
	if err != nil {
		return nil, err
	}
	id := str(in.SSHPublicKeyId)
	if err := iam.CheckSSHPublicKeyID(id); err != nil {
		return nil, err
	}
	if err := s.authorizeUser(ctx, c, "iam:DeleteSSHPublicKey", user, nil); err != nil {
		return nil, err
	}
	return dropCred[sdk.DeleteSSHPublicKeyOutput](ctx, s, sshKeys, account(c), user, id)
}
