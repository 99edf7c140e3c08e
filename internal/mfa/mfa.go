// Package mfa is iamd's virtual MFA devices: TOTP seeds (RFC 6238, 30-second steps, 6 digits,
// SHA-1, as AWS's virtual devices), their QR codes, and checking codes when a device is enabled
// or resynchronised (two consecutive codes) and when a caller presents one to STS (one code,
// never the same time step twice).
package mfa

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"image/png"
	"io"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/iamd-dev/iamd/internal/iam"
)

// Step is the TOTP time step.
const Step = 30 * time.Second

var opts = totp.ValidateOpts{Period: 30, Skew: 0, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// Device is a stored virtual MFA device. The seed is sealed (package secrets) with the serial
// number as associated data.
// RootUser is Device.User for a device enabled for the root user: a name no IAM user can have
// (the user name pattern has no '<'), the credential report's name for the root user.
const RootUser = "<root_account>"

// LinkOwner is the name a user's devices are linked from in the store: the user's, and "" for
// the root user (as its access keys are).
func LinkOwner(user string) string {
	if user == RootUser {
		return ""
	}
	return user
}

type Device struct {
	Name    string    `json:"name"`
	Path    string    `json:"path"`
	Serial  string    `json:"serial"`
	Created time.Time `json:"created"`
	Sealed  []byte    `json:"sealed"`
	// User is the IAM user the device is enabled for ("" = unassigned; RootUser for the root
	// user's).
	User    string    `json:"user,omitempty"`
	Enabled time.Time `json:"enabled,omitzero"`
	// LastStep is the last accepted time step: a code is never accepted twice.
	LastStep int64     `json:"lastStep,omitempty"`
	Tags     []iam.Tag `json:"tags,omitempty"`
}

// Serial is a virtual device's serial number: its ARN, arn:aws:iam::ACCOUNT:mfa/PATH/NAME.
func Serial(account, path, name string) string {
	if path == "" {
		path = "/"
	}
	return "arn:aws:iam::" + account + ":mfa" + path + name
}

// DeviceName returns the device name in a serial number of the account's virtual devices.
func DeviceName(account, serial string) (string, bool) {
	rest, ok := strings.CutPrefix(serial, "arn:aws:iam::"+account+":mfa/")
	if !ok || rest == "" || strings.HasSuffix(rest, "/") {
		return "", false
	}
	return rest[strings.LastIndexByte(rest, '/')+1:], true
}

// Encode returns the device's JSON.
func (d *Device) Encode() ([]byte, error) { return json.Marshal(d) }

// New makes a seed: its Base32 form (64 characters, from 40 random bytes) and the QR code PNG of
// its otpauth URL, as AWS's CreateVirtualMFADevice returns them.
func New(account, name string, rand io.Reader) (seed string, qr []byte, err error) {
	key, err := totp.Generate(totp.GenerateOpts{Issuer: "Amazon Web Services", AccountName: name + "@" + account, SecretSize: 40, Rand: rand})
	if err != nil {
		return "", nil, fmt.Errorf("mfa: %w", err)
	}
	img, err := key.Image(200, 200)
	if err != nil {
		return "", nil, fmt.Errorf("mfa: %w", err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return "", nil, fmt.Errorf("mfa: %w", err)
	}
	return key.Secret(), buf.Bytes(), nil
}

// Code returns the code of the step containing t (for tests and tools).
func Code(seed string, t time.Time) (string, error) {
	return totp.GenerateCodeCustom(seed, t, opts)
}

func step(t time.Time) int64 { return t.Unix() / int64(Step/time.Second) }

func codeAt(seed string, s int64) string {
	c, err := totp.GenerateCodeCustom(seed, time.Unix(s*int64(Step/time.Second), 0), opts)
	if err != nil {
		return ""
	}
	return c
}

// equal compares a code computed from the seed with a presented one in constant time, so that
// the time a check takes tells nothing about how much of a code was right.
func equal(want, got string) bool {
	return subtle.ConstantTimeCompare([]byte(want), []byte(got)) == 1
}

// Consecutive finds the step of code2 when code1 and code2 are the codes of two consecutive steps
// within `window` steps of now (AWS's EnableMFADevice and ResyncMFADevice); ok is false
// otherwise. Every step of the window is computed and compared, matched or not.
func Consecutive(seed, code1, code2 string, now time.Time, window int64) (int64, bool) {
	if len(code1) != 6 || len(code2) != 6 {
		return 0, false
	}
	n := step(now)
	var found int64
	ok := false
	prev := codeAt(seed, n-window-1)
	for s := n - window; s <= n+1; s++ {
		cur := codeAt(seed, s)
		match := equal(prev, code1)
		match = equal(cur, code2) && match
		if match && !ok {
			found, ok = s, true
		}
		prev = cur
	}
	return found, ok
}

// Check accepts code for the current step or one step either side, once: it returns the step
// accepted, which the caller stores in LastStep. All three steps are compared, in constant time.
func Check(seed, code string, lastStep int64, now time.Time) (int64, bool) {
	if len(code) != 6 {
		return 0, false
	}
	n := step(now)
	var found int64
	ok := false
	for s := n - 1; s <= n+1; s++ {
		match := equal(codeAt(seed, s), code)
		if match && s > lastStep && !ok {
			found, ok = s, true
		}
	}
	return found, ok
}
