package iamsvc

import (
	"context"
	"errors"

	sdk "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/iamd-dev/iamd/internal/authn"
	"github.com/iamd-dev/iamd/internal/iam"
	"github.com/iamd-dev/iamd/internal/secrets"
	"github.com/iamd-dev/iamd/internal/store"
)

func noSuchKey(id string) error {
	return iam.Errorf(iam.CodeNoSuchEntity, "The Access Key with id %s cannot be found.", id)
}

// keyOwner resolves the user an access key call is about: the named user, else the caller
// itself ("" for the root user).
func keyOwner(c *authn.Caller, userName *string) (string, error) {
	if n := str(userName); n != "" {
		return n, iam.CheckName("userName", n, iam.MaxUserName)
	}
	if c.IsRoot() {
		return "", nil
	}
	if c.UserName == "" {
		return "", iam.Errorf(iam.CodeValidationError, "Must specify userName when calling with non-User credentials")
	}
	return c.UserName, nil
}

func (s *Service) authorizeKeyOwner(ctx context.Context, c *authn.Caller, action, user string) error {
	if user == "" {
		return s.authorize(ctx, c, action, c.Principal.ARN, nil)
	}
	return s.authorizeUser(ctx, c, action, user, nil)
}

// NewAccessKey creates a key for user ("" = the account's root user) inside tx and returns the
// secret. Used by CreateAccessKey and by the server's bootstrap.
func NewAccessKey(ctx context.Context, tx store.Tx, keys *secrets.Keyring, k *iam.AccessKey, secret string, rnd interface{ Read([]byte) (int, error) }) error {
	sealed, err := keys.Seal([]byte(secret), []byte(k.ID), rnd)
	if err != nil {
		return err
	}
	k.Sealed = sealed
	e := &store.Entity{Account: "", Kind: store.KindAccessKey, Name: k.ID, Path: "/", Created: k.Created}
	if err := create(ctx, tx, e, k, iam.Errorf(iam.CodeEntityAlreadyExists, "Access key %s already exists.", k.ID)); err != nil {
		return err
	}
	return tx.Link(ctx, k.Account, store.LinkUserKey, k.User, k.ID)
}

// CreateAccessKey creates an access key and returns its secret, the only time it is shown.
func (s *Service) CreateAccessKey(ctx context.Context, c *authn.Caller, in *sdk.CreateAccessKeyInput) (*sdk.CreateAccessKeyOutput, error) {
	user, err := existingKeyOwner(c, in.UserName)
	if err != nil {
		return nil, err
	}
	if err := s.authorizeKeyOwner(ctx, c, "iam:CreateAccessKey", user); err != nil {
		return nil, err
	}
	acct := account(c)
	id, err := secrets.NewAccessKeyID("AKIA", s.rand)
	if err != nil {
		return nil, err
	}
	secret, err := secrets.NewSecretAccessKey(s.rand)
	if err != nil {
		return nil, err
	}
	return mutate(ctx, s, func(tx store.Tx) (*sdk.CreateAccessKeyOutput, error) {
		if user != "" {
			if _, _, err := load[iam.User](ctx, tx, acct, store.KindUser, user, noSuchUser(user)); err != nil {
				return nil, err
			}
		}
		existing, err := tx.Links(ctx, acct, store.LinkUserKey, user)
		if err != nil {
			return nil, err
		}
		if s.limits.Reached(iam.QuotaAccessKeysPerUser, len(existing)) {
			return nil, s.limits.Exceeded(iam.QuotaAccessKeysPerUser)
		}
		k := &iam.AccessKey{ID: id, Account: acct, User: user, Status: iam.StatusActive, Created: s.nowUTC()}
		if err := NewAccessKey(ctx, tx, s.keys, k, secret, s.rand); err != nil {
			return nil, err
		}
		out := &types.AccessKey{AccessKeyId: ptr(id), SecretAccessKey: ptr(secret), Status: types.StatusTypeActive, CreateDate: ptr(k.Created)}
		if user != "" {
			out.UserName = ptr(user)
		}
		return &sdk.CreateAccessKeyOutput{AccessKey: out}, nil
	})
}

// loadKey reads a key of the account's user; missing or another user's key is NoSuchEntity.
func loadKey(ctx context.Context, r store.Reader, acct, user, id string) (*iam.AccessKey, *store.Entity, error) {
	k, e, err := load[iam.AccessKey](ctx, r, "", store.KindAccessKey, id, noSuchKey(id))
	if err != nil {
		return nil, nil, err
	}
	if k.ID != id || k.Account != acct || !equalFold(k.User, user) {
		return nil, nil, noSuchKey(id)
	}
	return k, e, nil
}

func equalFold(a, b string) bool {
	return len(a) == len(b) && (a == b || lower(a) == lower(b))
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 32
		}
	}
	return string(b)
}

// ListAccessKeys lists a user's keys (metadata only).
func (s *Service) ListAccessKeys(ctx context.Context, c *authn.Caller, in *sdk.ListAccessKeysInput) (*sdk.ListAccessKeysOutput, error) {
	user, err := existingKeyOwner(c, in.UserName)
	if err != nil {
		return nil, err
	}
	if err := checkPaging(in.Marker, in.MaxItems); err != nil {
		return nil, err
	}
	if err := s.authorizeKeyOwner(ctx, c, "iam:ListAccessKeys", user); err != nil {
		return nil, err
	}
	acct := account(c)
	var all []types.AccessKeyMetadata
	_, err = view(ctx, s, func(r store.Reader) (*struct{}, error) {
		if user != "" {
			if _, _, err := load[iam.User](ctx, r, acct, store.KindUser, user, noSuchUser(user)); err != nil {
				return nil, err
			}
		}
		ids, err := r.Links(ctx, acct, store.LinkUserKey, user)
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			k, _, err := loadKey(ctx, r, acct, user, id)
			if err != nil {
				continue // a key deleted concurrently
			}
			m := types.AccessKeyMetadata{AccessKeyId: ptr(k.ID), Status: types.StatusType(k.Status), CreateDate: ptr(k.Created)}
			if k.User != "" {
				m.UserName = ptr(k.User)
			}
			all = append(all, m)
		}
		return nil, nil
	})
	if err != nil {
		return nil, err
	}
	start, end, next, err := slicePage(len(all), in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	out := &sdk.ListAccessKeysOutput{AccessKeyMetadata: append([]types.AccessKeyMetadata{}, all[start:end]...), Marker: next, IsTruncated: next != nil}
	return out, nil
}

// UpdateAccessKey activates or deactivates a key.
func (s *Service) UpdateAccessKey(ctx context.Context, c *authn.Caller, in *sdk.UpdateAccessKeyInput) (*sdk.UpdateAccessKeyOutput, error) {
	user, err := existingKeyOwner(c, in.UserName)
	if err != nil {
		return nil, err
	}
	id := str(in.AccessKeyId)
	if err := iam.CheckAccessKeyID(id); err != nil {
		return nil, err
	}
	if err := iam.CheckStatus(string(in.Status)); err != nil {
		return nil, err
	}
	if err := s.authorizeKeyOwner(ctx, c, "iam:UpdateAccessKey", user); err != nil {
		return nil, err
	}
	acct := account(c)
	return mutate(ctx, s, func(tx store.Tx) (*sdk.UpdateAccessKeyOutput, error) {
		k, e, err := loadKey(ctx, tx, acct, user, id)
		if err != nil {
			return nil, err
		}
		k.Status = string(in.Status)
		return &sdk.UpdateAccessKeyOutput{}, save(ctx, tx, e, k)
	})
}

// DeleteAccessKey deletes a key.
func (s *Service) DeleteAccessKey(ctx context.Context, c *authn.Caller, in *sdk.DeleteAccessKeyInput) (*sdk.DeleteAccessKeyOutput, error) {
	user, err := existingKeyOwner(c, in.UserName)
	if err != nil {
		return nil, err
	}
	id := str(in.AccessKeyId)
	if err := iam.CheckAccessKeyID(id); err != nil {
		return nil, err
	}
	if err := s.authorizeKeyOwner(ctx, c, "iam:DeleteAccessKey", user); err != nil {
		return nil, err
	}
	acct := account(c)
	return mutate(ctx, s, func(tx store.Tx) (*sdk.DeleteAccessKeyOutput, error) {
		k, _, err := loadKey(ctx, tx, acct, user, id)
		if err != nil {
			return nil, err
		}
		if err := tx.Unlink(ctx, acct, store.LinkUserKey, k.User, id); err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
		return &sdk.DeleteAccessKeyOutput{}, tx.Delete(ctx, "", store.KindAccessKey, id)
	})
}

// GetAccessKeyLastUsed reports when and where a key was last used. Any caller may ask about
// its own keys; AWS authorizes it against the key's user.
func (s *Service) GetAccessKeyLastUsed(ctx context.Context, c *authn.Caller, in *sdk.GetAccessKeyLastUsedInput) (*sdk.GetAccessKeyLastUsedOutput, error) {
	id := str(in.AccessKeyId)
	if err := iam.CheckAccessKeyID(id); err != nil {
		return nil, err
	}
	acct := account(c)
	k, err := view(ctx, s, func(r store.Reader) (*iam.AccessKey, error) {
		k, _, err := load[iam.AccessKey](ctx, r, "", store.KindAccessKey, id, noSuchKey(id))
		if err == nil && (k.ID != id || k.Account != acct) {
			err = noSuchKey(id)
		}
		return k, err
	})
	if err != nil {
		return nil, err
	}
	if err := s.authorizeKeyOwner(ctx, c, "iam:GetAccessKeyLastUsed", k.User); err != nil {
		return nil, err
	}
	lu := &types.AccessKeyLastUsed{ServiceName: ptr("N/A"), Region: ptr("N/A")}
	if !k.LastUsed.IsZero() {
		lu = &types.AccessKeyLastUsed{LastUsedDate: ptr(k.LastUsed), ServiceName: ptr(k.LastUsedService), Region: ptr(k.LastUsedRegion)}
	}
	out := &sdk.GetAccessKeyLastUsedOutput{AccessKeyLastUsed: lu}
	if k.User != "" {
		out.UserName = ptr(k.User)
	}
	return out, nil
}
