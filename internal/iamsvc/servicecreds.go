package iamsvc

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"strconv"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/iamd-dev/iamd/internal/authn"
	"github.com/iamd-dev/iamd/internal/iam"
	"github.com/iamd-dev/iamd/internal/store"
)

// newServicePassword returns a service password: 32 random bytes in standard base64.
func newServicePassword(rand io.Reader) (string, error) {
	var buf [32]byte
	if _, err := io.ReadFull(rand, buf[:]); err != nil {
		return "", fmt.Errorf("new service password: %w", err)
	}
	return base64.StdEncoding.EncodeToString(buf[:]), nil
}

// sealServicePassword seals a new password into the credential (the credential ID is the
// associated data) and returns it, the only time it is shown.
func (s *Service) sealServicePassword(sc *iam.ServiceCredential) (string, error) {
	pw, err := newServicePassword(s.rand)
	if err != nil {
		return "", err
	}
	sc.Sealed, err = s.keys.Seal([]byte(pw), []byte(sc.ID), s.rand)
	return pw, err
}

// serviceCredOut is a credential on the wire. API-key services name the credential with an
// alias and a secret; the others with a user name and a password.
func serviceCredOut(u *iam.User, sc *iam.ServiceCredential, secret string) *types.ServiceSpecificCredential {
	out := &types.ServiceSpecificCredential{CreateDate: ptr(sc.Created), ServiceName: ptr(sc.Service), ServiceSpecificCredentialId: ptr(sc.ID),
		Status: types.StatusType(sc.Status), UserName: userNameOut(u)}
	if !sc.Expires.IsZero() {
		out.ExpirationDate = ptr(sc.Expires)
	}
	if _, apiKey := iam.CheckCredentialService(sc.Service); apiKey {
		out.ServiceCredentialAlias, out.ServiceCredentialSecret = ptr(sc.ServiceUser), ptr(secret)
	} else {
		out.ServiceUserName, out.ServicePassword = ptr(sc.ServiceUser), ptr(secret)
	}
	return out
}

func serviceCredMeta(u *iam.User, sc *iam.ServiceCredential) types.ServiceSpecificCredentialMetadata {
	o := serviceCredOut(u, sc, "")
	return types.ServiceSpecificCredentialMetadata{CreateDate: o.CreateDate, ServiceName: o.ServiceName, ServiceSpecificCredentialId: o.ServiceSpecificCredentialId,
		Status: o.Status, UserName: o.UserName, ExpirationDate: o.ExpirationDate, ServiceCredentialAlias: o.ServiceCredentialAlias, ServiceUserName: o.ServiceUserName}
}

// CreateServiceSpecificCredential creates a user name and password for one service (at most
// two per user and service) and returns the password, the only time it is shown.
func (s *Service) CreateServiceSpecificCredential(ctx context.Context, c *authn.Caller, in *sdk.CreateServiceSpecificCredentialInput) (*sdk.CreateServiceSpecificCredentialOutput, error) {
	user, err := requiredUser(in.UserName)
	if err != nil {
		return nil, err
	}
	service := str(in.ServiceName)
	ok, apiKey := iam.CheckCredentialService(service)
	if !ok {
		return nil, iam.Errorf("NotSupportedService", "No such service %s is supported for Service-Specific Credentials", service)
	}
	if in.CredentialAgeDays != nil {
		if d := *in.CredentialAgeDays; d < 1 || d > iam.MaxServiceCredentialAgeDays {
			return nil, &iam.FieldError{Field: "credentialAgeDays", Value: strconv.Itoa(int(d)), Constraint: map[bool]string{true: "Member must have value greater than or equal to 1",
				false: "Member must have value less than or equal to 36600"}[d < 1]}
		}
		if !apiKey {
			return nil, iam.Errorf(iam.CodeInvalidInput, "CredentialAgeDays is only valid for services that support long-term API keys.")
		}
	}
	if err := s.authorizeUser(ctx, c, "iam:CreateServiceSpecificCredential", user, nil); err != nil {
		return nil, err
	}
	id, err := s.newID("ACCA")
	if err != nil {
		return nil, err
	}
	acct := account(c)
	now := s.nowUTC()
	sc := &iam.ServiceCredential{ID: id, Service: service, Status: iam.StatusActive, Created: now}
	if in.CredentialAgeDays != nil {
		sc.Expires = now.Add(time.Duration(*in.CredentialAgeDays) * 24 * time.Hour)
	}
	pw, err := s.sealServicePassword(sc)
	if err != nil {
		return nil, err
	}
	return mutate(ctx, s, func(tx store.Tx) (*sdk.CreateServiceSpecificCredentialOutput, error) {
		u, err := credUser(ctx, tx, acct, user)
		if err != nil {
			return nil, err
		}
		sc.UserID, sc.ServiceUser = u.ID, iam.ServiceUserName(u.Name, acct)
		have, err := listCreds[iam.ServiceCredential](ctx, tx, serviceCreds, acct, u.ID)
		if err != nil {
			return nil, err
		}
		n := 0
		for _, h := range have {
			if h.Service == service {
				n++
			}
		}
		if s.limits.Reached(iam.QuotaServiceCredentialsPerService, n) {
			return nil, s.limits.Exceeded(iam.QuotaServiceCredentialsPerService)
		}
		e := &store.Entity{Account: acct, Kind: store.KindServiceCredential, Name: id, Path: "/", Created: now}
		if err := addCred(ctx, tx, serviceCreds, acct, u.ID, id, e, sc, iam.Errorf(iam.CodeEntityAlreadyExists, "Credential %s already exists.", id)); err != nil {
			return nil, err
		}
		return &sdk.CreateServiceSpecificCredentialOutput{ServiceSpecificCredential: serviceCredOut(u, sc, pw)}, nil
	})
}

// ListServiceSpecificCredentials lists a user's service-specific credentials (the caller's
// without UserName, every user's with AllUsers), optionally for one service; never passwords.
func (s *Service) ListServiceSpecificCredentials(ctx context.Context, c *authn.Caller, in *sdk.ListServiceSpecificCredentialsInput) (*sdk.ListServiceSpecificCredentialsOutput, error) {
	if err := checkPaging(in.Marker, in.MaxItems); err != nil {
		return nil, err
	}
	all := in.AllUsers != nil && *in.AllUsers
	var user string
	var err error
	if !all {
		if user, err = keyOwner(c, in.UserName); err != nil {
			return nil, err
		}
	}
	if _, err := page(nil, nil, in.MaxItems); err != nil {
		return nil, err
	}
	acct := account(c)
	if all {
		err = s.authorize(ctx, c, "iam:ListServiceSpecificCredentials", iam.UserARN(acct, "/", "*"), nil)
	} else {
		err = s.authorizeKeyOwner(ctx, c, "iam:ListServiceSpecificCredentials", user)
	}
	if err != nil {
		return nil, err
	}
	service := str(in.ServiceName)
	var items []types.ServiceSpecificCredentialMetadata
	_, err = view(ctx, s, func(r store.Reader) (*struct{}, error) {
		var creds []*iam.ServiceCredential
		users := map[string]*iam.User{}
		if all {
			es, _, err := r.List(ctx, acct, store.KindServiceCredential, store.Page{})
			if err != nil {
				return nil, err
			}
			for _, e := range es {
				sc, err := decode[iam.ServiceCredential](e)
				if err != nil {
					return nil, err
				}
				if _, ok := users[sc.UserID]; !ok {
					ue, err := r.GetByID(ctx, acct, store.KindUser, sc.UserID)
					if err != nil {
						return nil, err
					}
					if users[sc.UserID], err = decode[iam.User](ue); err != nil {
						return nil, err
					}
				}
				creds = append(creds, sc)
			}
		} else {
			if user == "" { // the root user has none
				return nil, nil
			}
			u, err := credUser(ctx, r, acct, user)
			if err != nil {
				return nil, err
			}
			users[u.ID] = u
			if creds, err = listCreds[iam.ServiceCredential](ctx, r, serviceCreds, acct, u.ID); err != nil {
				return nil, err
			}
		}
		for _, sc := range creds {
			if service == "" || sc.Service == service {
				items = append(items, serviceCredMeta(users[sc.UserID], sc))
			}
		}
		return nil, nil
	})
	if err != nil {
		return nil, err
	}
	start, end, next, err := slicePage(len(items), in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &sdk.ListServiceSpecificCredentialsOutput{ServiceSpecificCredentials: append([]types.ServiceSpecificCredentialMetadata{}, items[start:end]...),
		Marker: next, IsTruncated: next != nil}, nil
}

// serviceCredArgs checks the user and credential ID of an operation on one credential and
// authorizes action on the user.
func (s *Service) serviceCredArgs(ctx context.Context, c *authn.Caller, action string, userName, idIn *string) (user, id string, err error) {
	if user, err = keyOwner(c, userName); err != nil {
		return "", "", err
	}
	id = str(idIn)
	if err := iam.CheckServiceCredentialID(id); err != nil {
		return "", "", err
	}
	if err := s.authorizeKeyOwner(ctx, c, action, user); err != nil {
		return "", "", err
	}
	if user == "" { // the root user has no service-specific credentials
		return "", "", serviceCreds.missing(id)
	}
	return user, id, nil
}

// UpdateServiceSpecificCredential activates or deactivates a service-specific credential.
func (s *Service) UpdateServiceSpecificCredential(ctx context.Context, c *authn.Caller, in *sdk.UpdateServiceSpecificCredentialInput) (*sdk.UpdateServiceSpecificCredentialOutput, error) {
	if err := iam.CheckStatus(string(in.Status)); err != nil {
		return nil, err
	}
	user, id, err := s.serviceCredArgs(ctx, c, "iam:UpdateServiceSpecificCredential", in.UserName, in.ServiceSpecificCredentialId)
	if err != nil {
		return nil, err
	}
	return changeCred(ctx, s, serviceCreds, account(c), user, id, func(_ *iam.User, sc *iam.ServiceCredential) (*sdk.UpdateServiceSpecificCredentialOutput, error) {
		sc.Status = string(in.Status)
		return &sdk.UpdateServiceSpecificCredentialOutput{}, nil
	})
}

// ResetServiceSpecificCredential replaces a credential's password and returns the new one.
func (s *Service) ResetServiceSpecificCredential(ctx context.Context, c *authn.Caller, in *sdk.ResetServiceSpecificCredentialInput) (*sdk.ResetServiceSpecificCredentialOutput, error) {
	user, id, err := s.serviceCredArgs(ctx, c, "iam:ResetServiceSpecificCredential", in.UserName, in.ServiceSpecificCredentialId)
	if err != nil {
		return nil, err
	}
	return changeCred(ctx, s, serviceCreds, account(c), user, id, func(u *iam.User, sc *iam.ServiceCredential) (*sdk.ResetServiceSpecificCredentialOutput, error) {
		pw, err := s.sealServicePassword(sc)
		if err != nil {
			return nil, err
		}
		return &sdk.ResetServiceSpecificCredentialOutput{ServiceSpecificCredential: serviceCredOut(u, sc, pw)}, nil
	})
}

// DeleteServiceSpecificCredential deletes a service-specific credential.
func (s *Service) DeleteServiceSpecificCredential(ctx context.Context, c *authn.Caller, in *sdk.DeleteServiceSpecificCredentialInput) (*sdk.DeleteServiceSpecificCredentialOutput, error) {
	user, id, err := s.serviceCredArgs(ctx, c, "iam:DeleteServiceSpecificCredential", in.UserName, in.ServiceSpecificCredentialId)
	if err != nil {
		return nil, err
	}
	return dropCred[sdk.DeleteServiceSpecificCredentialOutput](ctx, s, serviceCreds, account(c), user, id)
}
