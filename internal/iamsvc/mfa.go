package iamsvc

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	sdk "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/iamd-dev/iamd/internal/authn"
	"github.com/iamd-dev/iamd/internal/iam"
	"github.com/iamd-dev/iamd/internal/mfa"
	"github.com/iamd-dev/iamd/internal/store"
)

// enableWindow is how many 30-second steps back EnableMFADevice looks for the two codes;
// ResyncMFADevice looks further.
const (
	enableWindow = 10
	resyncWindow = 120
)

func noSuchDevice(serial string) error {
	return iam.Errorf(iam.CodeNoSuchEntity, "MFA Device with serial number %s does not exist.", serial)
}

func loadDevice(ctx context.Context, r store.Reader, acct, serial string) (*mfa.Device, *store.Entity, error) {
	name, ok := mfa.DeviceName(acct, serial)
	if !ok {
		return nil, nil, noSuchDevice(serial)
	}
	d, e, err := load[mfa.Device](ctx, r, acct, store.KindMFADevice, name, noSuchDevice(serial))
	if err != nil {
		return nil, nil, err
	}
	if d.Serial != serial {
		return nil, nil, noSuchDevice(serial)
	}
	return d, e, nil
}

// checkSerial checks a SerialNumber against the model's serialNumberType: 9–256 characters of
// [\w+=/:,.@-]+. AWS checks it before looking the device up, so a malformed serial number is a
// ValidationError at 'serialNumber', not NoSuchEntity.
func checkSerial(serial string) error {
	if n := utf8.RuneCountInString(serial); n < 9 || n > 256 {
		return &iam.FieldError{Field: "serialNumber", Value: serial, Constraint: iam.LengthConstraint(n, 9, 256)}
	}
	for _, r := range serial {
		if !(r == '_' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || strings.ContainsRune("+=/:,.@-", r)) {
			return &iam.FieldError{Field: "serialNumber", Value: serial, Constraint: `Member must satisfy regular expression pattern: [\w+=/:,.@-]+`}
		}
	}
	return nil
}

// checkCode checks an MFA code against the API Reference's constraints on AuthenticationCode1
// and AuthenticationCode2: 6 characters of [\d]+. The error leaves the code out: AWS's
// ValidationError would echo it ("Value '12345a' at …"), but a code is a credential, and the
// message reaches the client, the log and the audit record's errorMessage.
func checkCode(field, code string) error {
	n := utf8.RuneCountInString(code)
	switch {
	case n < 6:
		return &iam.FieldError{Field: field, Sensitive: true, Constraint: "Member must have length greater than or equal to 6"}
	case n > 6:
		return &iam.FieldError{Field: field, Sensitive: true, Constraint: "Member must have length less than or equal to 6"}
	}
	for _, r := range code {
		if r < '0' || r > '9' {
			return &iam.FieldError{Field: field, Sensitive: true, Constraint: `Member must satisfy regular expression pattern: [\d]+`}
		}
	}
	return nil
}

// checkCodes checks the two consecutive codes EnableMFADevice and ResyncMFADevice take.
func checkCodes(code1, code2 *string) error {
	if err := checkCode("authenticationCode1", str(code1)); err != nil {
		return err
	}
	return checkCode("authenticationCode2", str(code2))
}

// CreateVirtualMFADevice creates an unassigned virtual MFA device and returns its seed and QR
// code, the only time they are shown.
func (s *Service) CreateVirtualMFADevice(ctx context.Context, c *authn.Caller, in *sdk.CreateVirtualMFADeviceInput) (*sdk.CreateVirtualMFADeviceOutput, error) {
	name, path := str(in.VirtualMFADeviceName), str(in.Path)
	if path == "" {
		path = "/"
	}
	if err := iam.CheckName("virtualMFADeviceName", name, 226); err != nil {
		return nil, err
	}
	if err := iam.CheckPath("path", path); err != nil {
		return nil, err
	}
	tags := tagsIn(in.Tags)
	if err := iam.CheckTags("MFADevice", tags, nil); err != nil {
		return nil, err
	}
	acct := account(c)
	serial := mfa.Serial(acct, path, name)
	if err := s.authorize(ctx, c, "iam:CreateVirtualMFADevice", serial, tagContext(tags)); err != nil {
		return nil, err
	}
	if len(tags) > 0 {
		// Tags given at creation need the tagging permission too, as for CreateRole.
		if err := s.authorize(ctx, c, "iam:TagMFADevice", serial, tagContext(tags)); err != nil {
			return nil, err
		}
	}
	seed, qr, err := mfa.New(acct, name, s.rand)
	if err != nil {
		return nil, err
	}
	sealed, err := s.keys.Seal([]byte(seed), []byte(serial), s.rand)
	if err != nil {
		return nil, err
	}
	d := &mfa.Device{Name: name, Path: path, Serial: serial, Created: s.nowUTC(), Sealed: sealed, Tags: tags}
	return mutate(ctx, s, func(tx store.Tx) (*sdk.CreateVirtualMFADeviceOutput, error) {
		e := &store.Entity{Account: acct, Kind: store.KindMFADevice, Name: name, Path: path, Created: d.Created}
		if err := s.createCounted(ctx, tx, iam.QuotaVirtualMFADevices, e, d, iam.Errorf(iam.CodeEntityAlreadyExists, "MFADevice entity at the same path and name already exists.")); err != nil {
			return nil, err
		}
		return &sdk.CreateVirtualMFADeviceOutput{VirtualMFADevice: &types.VirtualMFADevice{
			SerialNumber: ptr(serial), Base32StringSeed: []byte(seed), QRCodePNG: qr, Tags: tagsOut(tags),
		}}, nil
	})
}

// mfaUser resolves the user an MFA call is about: the caller when no name is given; for the
// root user, mfa.RootUser when it names no one or "root" and no IAM user has that name (AWS lets
// the root user manage its MFA only in its console, which iamd has not; clients require a user
// name). A name given is at most maxName characters (the model's userNameType, 64, or
// existingUserNameType, 128, depending on the operation).
func (s *Service) mfaUser(ctx context.Context, c *authn.Caller, name *string, maxName int) (string, error) {
	n := str(name)
	if n == "" {
		if c.IsRoot() {
			return mfa.RootUser, nil
		}
		if c.UserName == "" {
			return "", iam.Errorf(iam.CodeValidationError, "Must specify userName when calling with non-User credentials")
		}
		return c.UserName, nil
	}
	if err := iam.CheckName("userName", n, maxName); err != nil {
		return "", err
	}
	if c.IsRoot() && strings.EqualFold(n, rootUserName) {
		_, err := view(ctx, s, func(r store.Reader) (*store.Entity, error) { return r.Get(ctx, account(c), store.KindUser, n) })
		if errors.Is(err, store.ErrNotFound) {
			return mfa.RootUser, nil
		}
		if err != nil {
			return "", err
		}
	}
	return n, nil
}

// rootUserName is the user name with which the root user names itself in the MFA calls, and
// that they answer for its devices.
const rootUserName = "root"

// mfaUserName is the user name the MFA calls answer for a device's user.
func mfaUserName(user string) string {
	if user == mfa.RootUser {
		return rootUserName
	}
	return user
}

func (s *Service) authorizeMFAUser(ctx context.Context, c *authn.Caller, action, user string) error {
	if user == mfa.RootUser && c.IsRoot() {
		return nil
	}
	return s.authorizeUser(ctx, c, action, user, nil)
}

func (s *Service) openSeed(d *mfa.Device) (string, error) {
	b, err := s.keys.Open(d.Sealed, []byte(d.Serial))
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// EnableMFADevice assigns a virtual device to a user after checking two consecutive codes.
func (s *Service) EnableMFADevice(ctx context.Context, c *authn.Caller, in *sdk.EnableMFADeviceInput) (*sdk.EnableMFADeviceOutput, error) {
	if err := checkCodes(in.AuthenticationCode1, in.AuthenticationCode2); err != nil {
		return nil, err
	}
	user, serial, err := s.mfaDeviceArgs(ctx, c, "iam:EnableMFADevice", in.UserName, in.SerialNumber, iam.MaxExistingUserName)
	if err != nil {
		return nil, err
	}
	acct := account(c)
	return mutate(ctx, s, func(tx store.Tx) (*sdk.EnableMFADeviceOutput, error) {
		if user != mfa.RootUser {
			u, _, err := load[iam.User](ctx, tx, acct, store.KindUser, user, noSuchUser(user))
			if err != nil {
				return nil, err
			}
			user = u.Name
		}
		d, e, err := loadDevice(ctx, tx, acct, serial)
		if err != nil {
			return nil, err
		}
		if d.User != "" {
			return nil, iam.Errorf(iam.CodeEntityAlreadyExists, "MFA Device is already in use.")
		}
		devices, err := tx.Links(ctx, acct, store.LinkUserMFA, mfa.LinkOwner(user))
		if err != nil {
			return nil, err
		}
		if s.limits.Reached(iam.QuotaMFADevicesPerUser, len(devices)) {
			return nil, s.limits.Exceeded(iam.QuotaMFADevicesPerUser)
		}
		seed, err := s.openSeed(d)
		if err != nil {
			return nil, err
		}
		st, ok := mfa.Consecutive(seed, str(in.AuthenticationCode1), str(in.AuthenticationCode2), s.now(), enableWindow)
		if !ok {
			return nil, iam.Errorf(iam.CodeInvalidAuthCode, "Authentication code for device is not valid.")
		}
		d.User, d.Enabled, d.LastStep = user, s.nowUTC(), st
		if err := save(ctx, tx, e, d); err != nil {
			return nil, err
		}
		return &sdk.EnableMFADeviceOutput{}, tx.Link(ctx, acct, store.LinkUserMFA, mfa.LinkOwner(user), d.Name)
	})
}

// ResyncMFADevice resynchronises a device with two consecutive codes over a wider window.
func (s *Service) ResyncMFADevice(ctx context.Context, c *authn.Caller, in *sdk.ResyncMFADeviceInput) (*sdk.ResyncMFADeviceOutput, error) {
	if err := checkCodes(in.AuthenticationCode1, in.AuthenticationCode2); err != nil {
		return nil, err
	}
	user, serial, err := s.mfaDeviceArgs(ctx, c, "iam:ResyncMFADevice", in.UserName, in.SerialNumber, iam.MaxExistingUserName)
	if err != nil {
		return nil, err
	}
	acct := account(c)
	return mutate(ctx, s, func(tx store.Tx) (*sdk.ResyncMFADeviceOutput, error) {
		d, e, err := loadDevice(ctx, tx, acct, serial)
		if err != nil {
			return nil, err
		}
		if !strings.EqualFold(d.User, user) {
			return nil, noSuchDevice(serial)
		}
		seed, err := s.openSeed(d)
		if err != nil {
			return nil, err
		}
		st, ok := mfa.Consecutive(seed, str(in.AuthenticationCode1), str(in.AuthenticationCode2), s.now(), resyncWindow)
		if !ok {
			return nil, iam.Errorf(iam.CodeInvalidAuthCode, "Authentication code for device is not valid.")
		}
		d.LastStep = max(d.LastStep, st) // never lets a used code be accepted again
		return &sdk.ResyncMFADeviceOutput{}, save(ctx, tx, e, d)
	})
}

// mfaDeviceArgs checks the user (the caller's own when userName is nil) and serial number of a
// call on one of a user's MFA devices, and authorizes action on the user.
func (s *Service) mfaDeviceArgs(ctx context.Context, c *authn.Caller, action string, userName, serialNumber *string, maxName int) (user, serial string, err error) {
	serial = str(serialNumber)
	if user, err = s.mfaUser(ctx, c, userName, maxName); err != nil {
		return "", "", err
	}
	if err := checkSerial(serial); err != nil {
		return "", "", err
	}
	if err := s.authorizeMFAUser(ctx, c, action, user); err != nil {
		return "", "", err
	}
	return user, serial, nil
}

// DeactivateMFADevice removes a device from its user (the virtual device remains, unassigned).
func (s *Service) DeactivateMFADevice(ctx context.Context, c *authn.Caller, in *sdk.DeactivateMFADeviceInput) (*sdk.DeactivateMFADeviceOutput, error) {
	user, serial, err := s.mfaDeviceArgs(ctx, c, "iam:DeactivateMFADevice", in.UserName, in.SerialNumber, iam.MaxExistingUserName)
	if err != nil {
		return nil, err
	}
	acct := account(c)
	return mutate(ctx, s, func(tx store.Tx) (*sdk.DeactivateMFADeviceOutput, error) {
		d, e, err := loadDevice(ctx, tx, acct, serial)
		if err != nil {
			return nil, err
		}
		if d.User == "" || !strings.EqualFold(d.User, user) {
			return nil, noSuchDevice(serial)
		}
		if err := tx.Unlink(ctx, acct, store.LinkUserMFA, mfa.LinkOwner(d.User), d.Name); err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
		d.User, d.Enabled = "", time.Time{}
		return &sdk.DeactivateMFADeviceOutput{}, save(ctx, tx, e, d)
	})
}

// DeleteVirtualMFADevice deletes an unassigned virtual device.
func (s *Service) DeleteVirtualMFADevice(ctx context.Context, c *authn.Caller, in *sdk.DeleteVirtualMFADeviceInput) (*sdk.DeleteVirtualMFADeviceOutput, error) {
	serial := str(in.SerialNumber)
	if err := checkSerial(serial); err != nil {
		return nil, err
	}
	var tags map[string][]string
	if name, ok := mfa.DeviceName(account(c), serial); ok {
		tags = s.entityTagContext(ctx, account(c), taggedMFA, name, nil)
	}
	if err := s.authorize(ctx, c, "iam:DeleteVirtualMFADevice", serial, tags); err != nil {
		return nil, err
	}
	acct := account(c)
	return mutate(ctx, s, func(tx store.Tx) (*sdk.DeleteVirtualMFADeviceOutput, error) {
		d, _, err := loadDevice(ctx, tx, acct, serial)
		if err != nil {
			return nil, err
		}
		if d.User != "" {
			return nil, iam.Errorf(iam.CodeDeleteConflict, "MFA Device is in use and cannot be deleted.")
		}
		return &sdk.DeleteVirtualMFADeviceOutput{}, tx.Delete(ctx, acct, store.KindMFADevice, d.Name)
	})
}

// ListMFADevices lists the devices enabled for a user.
func (s *Service) ListMFADevices(ctx context.Context, c *authn.Caller, in *sdk.ListMFADevicesInput) (*sdk.ListMFADevicesOutput, error) {
	user, err := s.mfaUser(ctx, c, in.UserName, iam.MaxExistingUserName)
	if err != nil {
		return nil, err
	}
	if err := checkPaging(in.Marker, in.MaxItems); err != nil {
		return nil, err
	}
	if err := s.authorizeMFAUser(ctx, c, "iam:ListMFADevices", user); err != nil {
		return nil, err
	}
	acct := account(c)
	all, err := view(ctx, s, func(r store.Reader) (*[]types.MFADevice, error) {
		if user != mfa.RootUser {
			if _, _, err := load[iam.User](ctx, r, acct, store.KindUser, user, noSuchUser(user)); err != nil {
				return nil, err
			}
		}
		names, err := r.Links(ctx, acct, store.LinkUserMFA, mfa.LinkOwner(user))
		if err != nil {
			return nil, err
		}
		out := []types.MFADevice{}
		for _, n := range names {
			d, _, err := load[mfa.Device](ctx, r, acct, store.KindMFADevice, n, noSuchDevice(n))
			if err != nil {
				continue
			}
			out = append(out, types.MFADevice{UserName: ptr(mfaUserName(d.User)), SerialNumber: ptr(d.Serial), EnableDate: ptr(d.Enabled)})
		}
		return &out, nil
	})
	if err != nil {
		return nil, err
	}
	start, end, next, err := slicePage(len(*all), in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &sdk.ListMFADevicesOutput{MFADevices: (*all)[start:end], Marker: next, IsTruncated: next != nil}, nil
}

// ListVirtualMFADevices lists the account's virtual devices, by assignment status.
func (s *Service) ListVirtualMFADevices(ctx context.Context, c *authn.Caller, in *sdk.ListVirtualMFADevicesInput) (*sdk.ListVirtualMFADevicesOutput, error) {
	p, err := page(nil, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	acct := account(c)
	if err := s.authorize(ctx, c, "iam:ListVirtualMFADevices", "arn:aws:iam::"+acct+":mfa/*", nil); err != nil {
		return nil, err
	}
	status := in.AssignmentStatus
	return view(ctx, s, func(r store.Reader) (*sdk.ListVirtualMFADevicesOutput, error) {
		es, next, err := r.List(ctx, acct, store.KindMFADevice, p)
		if err != nil {
			return nil, err
		}
		out := &sdk.ListVirtualMFADevicesOutput{VirtualMFADevices: []types.VirtualMFADevice{}}
		for _, e := range es {
			d, err := decode[mfa.Device](e)
			if err != nil {
				return nil, err
			}
			assigned := d.User != ""
			if status == types.AssignmentStatusTypeAssigned && !assigned || status == types.AssignmentStatusTypeUnassigned && assigned {
				continue
			}
			v := types.VirtualMFADevice{SerialNumber: ptr(d.Serial), Tags: tagsOut(d.Tags)}
			if assigned {
				v.EnableDate = ptr(d.Enabled)
				if d.User == mfa.RootUser {
					v.User = &types.User{Arn: ptr(iam.RootARN(acct)), UserId: ptr(acct)}
				} else if u, _, err := load[iam.User](ctx, r, acct, store.KindUser, d.User, nil); err == nil {
					v.User = userOut(acct, u)
					v.User.Tags, v.User.PermissionsBoundary = nil, nil
				}
			}
			out.VirtualMFADevices = append(out.VirtualMFADevices, v)
		}
		out.Marker, out.IsTruncated = nextMarker(next)
		return out, nil
	})
}

// taggedMFA is the tag table entry of virtual MFA devices, named by the device name (the serial
// number's last path element; callers map serial → name first).
var taggedMFA = tagged{store.KindMFADevice, "MFADevice", "serialNumber", 0, noSuchDevice, func(e *store.Entity) (any, *[]iam.Tag, error) {
	d, err := decode[mfa.Device](e)
	if err != nil {
		return nil, nil, err
	}
	return d, &d.Tags, nil
}}

// mfaName maps a serial number of the caller's account to the device's store name.
func mfaName(c *authn.Caller, serial string) (string, error) {
	if err := checkSerial(serial); err != nil {
		return "", err
	}
	name, ok := mfa.DeviceName(account(c), serial)
	if !ok {
		return "", noSuchDevice(serial)
	}
	return name, nil
}

// TagMFADevice adds or replaces tags on a virtual MFA device.
func (s *Service) TagMFADevice(ctx context.Context, c *authn.Caller, in *sdk.TagMFADeviceInput) (*sdk.TagMFADeviceOutput, error) {
	serial := str(in.SerialNumber)
	name, err := mfaName(c, serial)
	if err != nil {
		return nil, err
	}
	return &sdk.TagMFADeviceOutput{}, s.tag(ctx, c, taggedMFA, "iam:TagMFADevice", name, serial, s.entityTags(ctx, account(c), taggedMFA, name), tagsIn(in.Tags))
}

// UntagMFADevice removes tags from a virtual MFA device.
func (s *Service) UntagMFADevice(ctx context.Context, c *authn.Caller, in *sdk.UntagMFADeviceInput) (*sdk.UntagMFADeviceOutput, error) {
	serial := str(in.SerialNumber)
	name, err := mfaName(c, serial)
	if err != nil {
		return nil, err
	}
	return &sdk.UntagMFADeviceOutput{}, s.untag(ctx, c, taggedMFA, "iam:UntagMFADevice", name, serial, s.entityTags(ctx, account(c), taggedMFA, name), in.TagKeys)
}

// ListMFADeviceTags lists a virtual MFA device's tags.
func (s *Service) ListMFADeviceTags(ctx context.Context, c *authn.Caller, in *sdk.ListMFADeviceTagsInput) (*sdk.ListMFADeviceTagsOutput, error) {
	serial := str(in.SerialNumber)
	if err := checkSerial(serial); err != nil {
		return nil, err
	}
	if err := checkPaging(in.Marker, in.MaxItems); err != nil {
		return nil, err
	}
	name, err := mfaName(c, serial)
	if err != nil {
		return nil, err
	}
	tags, next, err := s.listTags(ctx, c, taggedMFA, "iam:ListMFADeviceTags", name, serial, s.entityTags(ctx, account(c), taggedMFA, name), in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &sdk.ListMFADeviceTagsOutput{Tags: tags, Marker: next, IsTruncated: next != nil}, nil
}

// GetMFADevice returns a user's MFA device (virtual devices: its enable date and user).
func (s *Service) GetMFADevice(ctx context.Context, c *authn.Caller, in *sdk.GetMFADeviceInput) (*sdk.GetMFADeviceOutput, error) {
	user, serial, err := s.mfaDeviceArgs(ctx, c, "iam:GetMFADevice", in.UserName, in.SerialNumber, iam.MaxUserName)
	if err != nil {
		return nil, err
	}
	d, err := view(ctx, s, func(r store.Reader) (*mfa.Device, error) {
		d, _, err := loadDevice(ctx, r, account(c), serial)
		return d, err
	})
	if err != nil {
		return nil, err
	}
	if d.User == "" || !strings.EqualFold(d.User, user) {
		return nil, noSuchDevice(serial)
	}
	return &sdk.GetMFADeviceOutput{SerialNumber: ptr(d.Serial), UserName: ptr(mfaUserName(d.User)), EnableDate: ptr(d.Enabled)}, nil
}
