package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/iamd-dev/iamd/internal/server"
)

// TestServeBusyPortChangesNothing: a first `iamd serve` that cannot bind its port creates no
// data directory and no root key, so the next start, the first that serves, creates them,
// prints the root credentials banner with the secret and writes them to a 0600 file; a later
// start reuses them: it names the file and the key without the secret, and the key works.
func TestServeBusyPortChangesNothing(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := busy.Addr().String()
	dir := filepath.Join(t.TempDir(), "data")
	env := map[string]string{"HOME": t.TempDir()}
	getenv := func(k string) string { return env[k] }
	args := []string{"serve", "--data", dir, "--listen", addr, "--aws-managed-policies=false"}

	err = run(context.Background(), args, getenv, io.Discard, io.Discard)
	busy.Close()
	if err == nil || !strings.Contains(err.Error(), "listen") {
		t.Fatalf("serve on busy port %s: err = %v, want a listen error", addr, err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("after the failed start, stat %s: %v, want it not to exist", dir, err)
	}

	// The port is free now: this start is the first that serves.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	banner, done := serveUntil(ctx, args, getenv, "shown once")
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("second serve: %v\nbanner:\n%s", err, banner)
	}

	b, err := os.ReadFile(filepath.Join(dir, server.RootCredentialsFile))
	if err != nil {
		t.Fatal(err)
	}
	var rc struct {
		ID     string `json:"AccessKeyId"`
		Secret string `json:"SecretAccessKey"`
	}
	if err := json.Unmarshal(b, &rc); err != nil || rc.ID == "" || rc.Secret == "" {
		t.Fatalf("root credentials file %s: %+v, %v", b, rc, err)
	}
	want := "export AWS_ACCESS_KEY_ID=" + rc.ID + " AWS_SECRET_ACCESS_KEY=" + rc.Secret
	if !strings.Contains(banner, want) || !strings.Contains(banner, "shown once") {
		t.Errorf("first serving start's banner:\n%s\nwant it to contain %q and the shown-once notice", banner, want)
	}
	if fi, err := os.Stat(filepath.Join(dir, server.RootCredentialsFile)); err != nil {
		t.Error(err)
	} else if fi.Mode().Perm() != 0o600 {
		t.Errorf("root credentials file mode %v, want 0600", fi.Mode().Perm())
	}

	// A later start reuses them.
	ctx2, cancel2 := context.WithCancel(context.Background())
	defer cancel2()
	later, done2 := serveUntil(ctx2, args, getenv, "root credentials")
	if strings.Contains(later, rc.Secret) || !strings.Contains(later, rc.ID) || !strings.Contains(later, server.RootCredentialsFile) {
		t.Errorf("later start's banner:\n%s\nwant the key ID and the file named, and no secret", later)
	}
	stsc := sts.NewFromConfig(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String("http://" + addr),
		Credentials: credentials.NewStaticCredentialsProvider(rc.ID, rc.Secret, "")})
	id, err := stsc.GetCallerIdentity(ctx2, &sts.GetCallerIdentityInput{})
	if err != nil || !strings.HasSuffix(aws.ToString(id.Arn), ":root") {
		t.Errorf("GetCallerIdentity with the saved root key after a restart: %v, %v", id, err)
	}
	cancel2()
	if err := <-done2; err != nil {
		t.Fatalf("later serve: %v", err)
	}
}

// serveUntil runs `iamd args` until ctx ends and returns what it printed up to the first line
// containing marker, and a channel that receives run's result.
func serveUntil(ctx context.Context, args []string, getenv func(string) string, marker string) (string, <-chan error) {
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := run(ctx, args, getenv, pw, io.Discard)
		pw.CloseWithError(err)
		done <- err
	}()
	var banner strings.Builder
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		banner.WriteString(sc.Text() + "\n")
		if strings.Contains(sc.Text(), marker) {
			break
		}
	}
	go io.Copy(io.Discard, pr) // let run finish writing, if it still does
	return banner.String(), done
}
