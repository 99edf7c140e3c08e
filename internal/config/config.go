// Package config holds iamd's configuration tree: defaults beside their fields, flag binding,
// environment overrides for secrets and the listen address, validation that reports every problem
// together, and a redacted print form. No other package reads flags, files or the environment.
package config

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
)

// Enforce modes.
const (
	EnforceOn  = "on"  // denials are answered with AccessDenied
	EnforceLog = "log" // denials are logged and the call proceeds
)

// Config is the whole configuration of `iamd serve`.
type Config struct {
	// Listen is the API listener address (AWS Query, SigV4). Default 127.0.0.1:8343.
	Listen string
	// DataDir holds the database, the seal keys and the root credentials file.
	// Default $XDG_DATA_HOME/iamd or ~/.local/share/iamd.
	DataDir string
	// AccountID is the 12-digit ID of the default account, used when the data directory is new.
	// Empty means a random ID is chosen on first start.
	AccountID string
	// Region is the region iamd reports (aws:RequestedRegion is taken from the signature).
	Region string
	// Enforce is "on" (deny) or "log" (allow and log would-be denials).
	Enforce string
	// MaxBodyBytes caps request bodies. AWS Query requests are far below the default of 1 MiB.
	MaxBodyBytes int64
	// RootAccessKeyID and RootSecretAccessKey choose the root credentials on first start
	// (IAMD_ROOT_ACCESS_KEY_ID / IAMD_ROOT_SECRET_ACCESS_KEY).
	RootAccessKeyID     string
	RootSecretAccessKey string `secret:"true"`
	// ManagedPolicies loads AWS's managed policies (arn:aws:iam::aws:policy/...) into the store
	// on first start and when iamd carries a newer set. Default true.
	ManagedPolicies bool
	// EncodedAuthorizationMessages appends "Encoded authorization failure message: …" to
	// AccessDenied messages (decodable with sts:DecodeAuthorizationMessage). Off by default, so
	// messages match AWS IAM's exactly.
	EncodedAuthorizationMessages bool
	// TLSCert and TLSKey are PEM files; when both are set the API listener serves HTTPS
	// (aws:SecureTransport is then true and audit records carry tlsDetails).
	TLSCert string
	TLSKey  string
	// SealKeys is the key file content (IAMD_SEAL_KEYS); empty means <data>/keys, created on
	// first start.
	SealKeys string `secret:"true"`
	// TrailRetentionDays deletes audit records older than this many days (0 keeps them all).
	// Pruning keeps the trail verifiable from a checkpoint (see iamd trail prune).
	TrailRetentionDays int
	// TrailRetentionBytes prunes the oldest audit records while the stored records exceed
	// this many bytes (0: no size limit).
	TrailRetentionBytes int64
	// Quotas overrides the IAM quotas that AWS lets people raise, by name (--quota NAME=N,
	// repeatable; iamd lists the names when one is unknown).
	Quotas map[string]int64
}

// Default returns the configuration with every default filled in. home and xdgData come from the
// environment of the caller (cmd/iamd).
func Default(home, xdgData string) Config {
	data := filepath.Join(home, ".local", "share", "iamd")
	if xdgData != "" {
		data = filepath.Join(xdgData, "iamd")
	}
	return Config{
		Listen:          "127.0.0.1:8343",
		DataDir:         data,
		Region:          "us-east-1",
		Enforce:         EnforceOn,
		MaxBodyBytes:    1 << 20,
		ManagedPolicies: true,
	}
}

// Bind registers the operational flags on fs, with c's current values as defaults.
func (c *Config) Bind(fs *flag.FlagSet) {
	fs.StringVar(&c.Listen, "listen", c.Listen, "API listen address (host:port)")
	fs.StringVar(&c.DataDir, "data", c.DataDir, "data directory (database, seal keys, root credentials)")
	fs.StringVar(&c.AccountID, "account-id", c.AccountID, "12-digit ID of the default account, used on first start (default random)")
	fs.StringVar(&c.Region, "region", c.Region, "region iamd reports")
	fs.StringVar(&c.Enforce, "enforce", c.Enforce, `authorization mode: "on" denies, "log" only logs would-be denials`)
	fs.Int64Var(&c.MaxBodyBytes, "max-body-bytes", c.MaxBodyBytes, "largest request body accepted")
	fs.BoolVar(&c.ManagedPolicies, "aws-managed-policies", c.ManagedPolicies, "load AWS's managed policies into the store")
	fs.BoolVar(&c.EncodedAuthorizationMessages, "encoded-authorization-messages", c.EncodedAuthorizationMessages, "append an encoded decision trace to AccessDenied messages (sts:DecodeAuthorizationMessage)")
	fs.StringVar(&c.TLSCert, "tls-cert", c.TLSCert, "PEM certificate file: serve HTTPS (with --tls-key)")
	fs.StringVar(&c.TLSKey, "tls-key", c.TLSKey, "PEM private key file for --tls-cert")
	fs.IntVar(&c.TrailRetentionDays, "trail-retention-days", c.TrailRetentionDays, "delete audit records older than this many days (0: keep all)")
	fs.Int64Var(&c.TrailRetentionBytes, "trail-retention-bytes", c.TrailRetentionBytes, "delete the oldest audit records while the trail exceeds this many bytes (0: no limit)")
	fs.Func("quota", "raise an adjustable IAM quota: NAME=N (repeatable)", func(v string) error {
		name, n, ok := strings.Cut(v, "=")
		if !ok || name == "" {
			return fmt.Errorf("want NAME=N, got %q", v)
		}
		val, err := strconv.ParseInt(n, 10, 64)
		if err != nil || val <= 0 {
			return fmt.Errorf("quota %s: %q is not a positive integer", name, n)
		}
		if c.Quotas == nil {
			c.Quotas = map[string]int64{}
		}
		c.Quotas[name] = val
		return nil
	})
}

// ApplyEnv applies the environment overrides: secrets and the listen address only.
func (c *Config) ApplyEnv(getenv func(string) string) {
	if v := getenv("IAMD_LISTEN"); v != "" {
		c.Listen = v
	}
	c.RootAccessKeyID = getenv("IAMD_ROOT_ACCESS_KEY_ID")
	c.RootSecretAccessKey = getenv("IAMD_ROOT_SECRET_ACCESS_KEY")
	c.SealKeys = getenv("IAMD_SEAL_KEYS")
}

var (
	accountIDRE = regexp.MustCompile(`^[0-9]{12}$`)
	accessKeyRE = regexp.MustCompile(`^[A-Z0-9]{16,128}$`)
	regionRE    = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]+$`)
)

// Validate reports every problem in c together.
func (c *Config) Validate() error {
	var errs []error
	if _, _, err := net.SplitHostPort(c.Listen); err != nil {
		errs = append(errs, fmt.Errorf("listen %q: %w", c.Listen, err))
	}
	if c.DataDir == "" {
		errs = append(errs, errors.New("data directory is empty"))
	}
	if c.AccountID != "" && !accountIDRE.MatchString(c.AccountID) {
		errs = append(errs, fmt.Errorf("account-id %q: must be 12 digits", c.AccountID))
	}
	if !regionRE.MatchString(c.Region) {
		errs = append(errs, fmt.Errorf("region %q: not a region name", c.Region))
	}
	if c.Enforce != EnforceOn && c.Enforce != EnforceLog {
		errs = append(errs, fmt.Errorf("enforce %q: must be %q or %q", c.Enforce, EnforceOn, EnforceLog))
	}
	if c.MaxBodyBytes < 4096 {
		errs = append(errs, fmt.Errorf("max-body-bytes %d: must be at least 4096", c.MaxBodyBytes))
	}
	if c.TrailRetentionDays < 0 {
		errs = append(errs, fmt.Errorf("trail-retention-days %d: must not be negative", c.TrailRetentionDays))
	}
	if c.TrailRetentionBytes < 0 {
		errs = append(errs, fmt.Errorf("trail-retention-bytes %d: must not be negative", c.TrailRetentionBytes))
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		errs = append(errs, errors.New("tls-cert and tls-key must be given together"))
	}
	if (c.RootAccessKeyID == "") != (c.RootSecretAccessKey == "") {
		errs = append(errs, errors.New("IAMD_ROOT_ACCESS_KEY_ID and IAMD_ROOT_SECRET_ACCESS_KEY must be set together"))
	}
	if c.RootAccessKeyID != "" && !accessKeyRE.MatchString(c.RootAccessKeyID) {
		errs = append(errs, errors.New("IAMD_ROOT_ACCESS_KEY_ID: must be 16 to 128 upper-case letters and digits"))
	}
	if c.RootSecretAccessKey != "" && len(c.RootSecretAccessKey) < 16 {
		errs = append(errs, errors.New("IAMD_ROOT_SECRET_ACCESS_KEY: must be at least 16 characters"))
	}
	return errors.Join(errs...)
}

// String prints the effective configuration, one "name: value" line per field, with secret
// fields redacted.
func (c Config) String() string {
	var b strings.Builder
	v := reflect.ValueOf(c)
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		val := fmt.Sprint(v.Field(i).Interface())
		if f.Tag.Get("secret") == "true" && val != "" {
			val = "<redacted>"
		}
		fmt.Fprintf(&b, "%s: %s\n", f.Name, val)
	}
	return b.String()
}
