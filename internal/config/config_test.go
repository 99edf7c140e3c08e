package config

import (
	"flag"
	"io"
	"strings"
	"testing"
)

func TestDefaultIsValid(t *testing.T) {
	c := Default("/home/u", "")
	if err := c.Validate(); err != nil {
		t.Fatalf("default config invalid: %v", err)
	}
	if c.DataDir != "/home/u/.local/share/iamd" {
		t.Errorf("DataDir = %q", c.DataDir)
	}
	if got := Default("/home/u", "/xdg").DataDir; got != "/xdg/iamd" {
		t.Errorf("XDG DataDir = %q", got)
	}
}

func TestFlagsAndEnv(t *testing.T) {
	c := Default("/h", "")
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	c.Bind(fs)
	if err := fs.Parse([]string{"--listen", "127.0.0.1:9000", "--account-id", "111122223333", "--enforce", "log"}); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"IAMD_ROOT_ACCESS_KEY_ID": "AKIAROOTROOTROOT0001", "IAMD_ROOT_SECRET_ACCESS_KEY": "secretsecretsecretsecret"}
	c.ApplyEnv(func(k string) string { return env[k] })
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.Listen != "127.0.0.1:9000" || c.AccountID != "111122223333" || c.Enforce != EnforceLog || c.RootAccessKeyID != "AKIAROOTROOTROOT0001" {
		t.Errorf("config = %+v", c)
	}
	s := c.String()
	if strings.Contains(s, "secretsecret") || !strings.Contains(s, "RootSecretAccessKey: <redacted>") {
		t.Errorf("String() leaks or misses redaction:\n%s", s)
	}
}

func TestValidateReportsEveryProblem(t *testing.T) {
	c := Config{Listen: "nope", AccountID: "12", Region: "x", Enforce: "maybe", MaxBodyBytes: 1, RootAccessKeyID: "a", TLSCert: "c.pem"}
	err := c.Validate()
	if err == nil {
		t.Fatal("want errors")
	}
	for _, want := range []string{"listen", "data directory", "account-id", "region", "enforce", "max-body-bytes", "must be set together", "IAMD_ROOT_ACCESS_KEY_ID:", "tls-cert and tls-key"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	c2 := Default("/h", "")
	c2.RootAccessKeyID, c2.RootSecretAccessKey = "AKIAROOTROOTROOT0001", "short"
	if err := c2.Validate(); err == nil || !strings.Contains(err.Error(), "at least 16") {
		t.Errorf("short secret: %v", err)
	}
}

func TestRetentionAndQuotaFlags(t *testing.T) {
	c := Default("/h", "")
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	c.Bind(fs)
	args := []string{"--trail-retention-days", "90", "--trail-retention-bytes", "1048576", "--quota", "users-per-account=10000", "--quota", "roles-per-account=2000"}
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.TrailRetentionDays != 90 || c.TrailRetentionBytes != 1<<20 {
		t.Errorf("retention = %d days, %d bytes; want 90, 1048576", c.TrailRetentionDays, c.TrailRetentionBytes)
	}
	if c.Quotas["users-per-account"] != 10000 || c.Quotas["roles-per-account"] != 2000 || len(c.Quotas) != 2 {
		t.Errorf("quotas = %v", c.Quotas)
	}
	for _, bad := range []string{"nameonly", "=5", "x=0", "x=-1", "x=many"} {
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		c := Default("/h", "")
		c.Bind(fs)
		if err := fs.Parse([]string{"--quota", bad}); err == nil {
			t.Errorf("--quota %q accepted", bad)
		}
	}
	neg := Default("/h", "")
	neg.TrailRetentionDays, neg.TrailRetentionBytes = -1, -1
	err := neg.Validate()
	if err == nil || !strings.Contains(err.Error(), "trail-retention-days") || !strings.Contains(err.Error(), "trail-retention-bytes") {
		t.Errorf("negative retention: %v", err)
	}
}
