package authn_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/iamd-dev/iamd/internal/authn"
	"github.com/iamd-dev/iamd/internal/iam"
	"github.com/iamd-dev/iamd/internal/secrets"
	"github.com/iamd-dev/iamd/internal/sigv4"
	"github.com/iamd-dev/iamd/internal/store"
	"github.com/iamd-dev/iamd/internal/store/sqlite"
)

const (
	acct      = "123456789012"
	keyID     = "AKIAAUTHNTEST0000001"
	keySecret = "authnTestSecretKey0000000000000000000000"
)

var now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// fixture is a SQLite store holding user alice (path /eng/) with one active access key.
type fixture struct {
	db   *sqlite.DB
	keys *secrets.Keyring
}

func newFixture(tb testing.TB) *fixture {
	tb.Helper()
	ctx := context.Background()
	db, err := sqlite.Config{Path: filepath.Join(tb.TempDir(), "iamd.db")}.Open(ctx, slog.New(slog.DiscardHandler))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	rnd := rand.NewChaCha8([32]byte{1})
	kf, err := secrets.GenerateKeyFile(rnd)
	if err != nil {
		tb.Fatal(err)
	}
	keys, err := secrets.ParseKeyring(kf)
	if err != nil {
		tb.Fatal(err)
	}
	sealed, err := keys.Seal([]byte(keySecret), []byte(keyID), rnd)
	if err != nil {
		tb.Fatal(err)
	}
	f := &fixture{db: db, keys: keys}
	err = db.Update(ctx, func(tx store.Tx) error {
		u, _ := json.Marshal(&iam.User{Name: "alice", ID: "AIDAALICE00000000001", Path: "/eng/", Created: now})
		if err := tx.Create(ctx, &store.Entity{Account: acct, Kind: store.KindUser, Name: "alice", ID: "AIDAALICE00000000001", Path: "/eng/", Created: now, Data: u}); err != nil {
			return err
		}
		k, _ := json.Marshal(&iam.AccessKey{ID: keyID, Account: acct, User: "alice", Status: iam.StatusActive, Created: now, Sealed: sealed})
		return tx.Create(ctx, &store.Entity{Kind: store.KindAccessKey, Name: keyID, Path: "/", Created: now, Data: k})
	})
	if err != nil {
		tb.Fatal(err)
	}
	return f
}

// update rewrites an entity's decoded value in the store, as a mutation would (without
// bumping any generation: that is the caller's choice).
func update[T any](tb testing.TB, f *fixture, account string, kind store.Kind, name string, change func(*T)) {
	tb.Helper()
	ctx := context.Background()
	err := f.db.Update(ctx, func(tx store.Tx) error {
		e, err := tx.Get(ctx, account, kind, name)
		if err != nil {
			return err
		}
		var v T
		if err := json.Unmarshal(e.Data, &v); err != nil {
			return err
		}
		change(&v)
		if e.Data, err = json.Marshal(&v); err != nil {
			return err
		}
		return tx.Update(ctx, e)
	})
	if err != nil {
		tb.Fatal(err)
	}
}

// signed returns a request signed with the test key at now, parsed as the middleware does.
func signed(tb testing.TB, secret string) (*sigv4.Request, *sigv4.Auth) {
	tb.Helper()
	body := "Action=GetUser&Version=2010-05-08"
	hr, err := http.NewRequest(http.MethodPost, "http://127.0.0.1:8343/", strings.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	hr.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	sum := sha256.Sum256([]byte(body))
	creds := aws.Credentials{AccessKeyID: keyID, SecretAccessKey: secret}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, hr, hex.EncodeToString(sum[:]), "iam", "us-east-1", now); err != nil {
		tb.Fatal(err)
	}
	b, _ := io.ReadAll(hr.Body)
	r := &sigv4.Request{Method: hr.Method, Path: hr.URL.EscapedPath(), RawQuery: hr.URL.RawQuery, Host: hr.Host, Header: hr.Header, Body: bytes.Clone(b)}
	auth, err := sigv4.Parse(r)
	if err != nil {
		tb.Fatal(err)
	}
	return r, auth
}

func code(err error) string {
	var ie *iam.Error
	if errors.As(err, &ie) {
		return ie.Code
	}
	if err != nil {
		return err.Error()
	}
	return ""
}

// TestKeyCache checks that cached keys serve until the generation changes and that a change
// (deactivation, a new path, deletion) applies on the first request after Bump.
func TestKeyCache(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	a := authn.New(f.db, f.keys, nil, slog.New(slog.DiscardHandler))
	gen := &authn.Generation{}
	a.UseGeneration(gen)
	r, auth := signed(t, keySecret)

	c, err := a.Authenticate(ctx, r, auth, now)
	if err != nil {
		t.Fatalf("Authenticate: %v", err)
	}
	if got, want := c.Principal.ARN, "arn:aws:iam::"+acct+":user/eng/alice"; got != want {
		t.Errorf("caller ARN = %s, want %s", got, want)
	}

	// Deactivated in the store without a bump: the cache still answers (it is in use).
	update(t, f, "", store.KindAccessKey, keyID, func(k *iam.AccessKey) { k.Status = iam.StatusInactive })
	if _, err := a.Authenticate(ctx, r, auth, now); err != nil {
		t.Fatalf("Authenticate before Bump (cached): %v, want the cached key", err)
	}
	gen.Bump()
	if _, err := a.Authenticate(ctx, r, auth, now); code(err) != iam.CodeInvalidClientTokenID {
		t.Fatalf("Authenticate after deactivation: err = %v, want %s", err, iam.CodeInvalidClientTokenID)
	}

	// Reactivated and the user moved: the next request sees both.
	update(t, f, "", store.KindAccessKey, keyID, func(k *iam.AccessKey) { k.Status = iam.StatusActive })
	update(t, f, acct, store.KindUser, "alice", func(u *iam.User) { u.Path = "/ops/" })
	gen.Bump()
	c, err = a.Authenticate(ctx, r, auth, now)
	if err != nil {
		t.Fatalf("Authenticate after reactivation: %v", err)
	}
	if got, want := c.Principal.ARN, "arn:aws:iam::"+acct+":user/ops/alice"; got != want {
		t.Errorf("caller ARN after the path change = %s, want %s", got, want)
	}

	// A wrong secret fails even with the key cached.
	if r2, auth2 := signed(t, strings.Repeat("x", 40)); code(mustFail(a.Authenticate(ctx, r2, auth2, now))) != sigv4.CodeSignatureDoesNotMatch {
		t.Errorf("wrong secret: want %s", sigv4.CodeSignatureDoesNotMatch)
	}

	// Deleted.
	if err := f.db.Update(ctx, func(tx store.Tx) error { return tx.Delete(ctx, "", store.KindAccessKey, keyID) }); err != nil {
		t.Fatal(err)
	}
	gen.Bump()
	if _, err := a.Authenticate(ctx, r, auth, now); code(err) != iam.CodeInvalidClientTokenID {
		t.Fatalf("Authenticate after deletion: err = %v, want %s", err, iam.CodeInvalidClientTokenID)
	}
}

func mustFail(_ *authn.Caller, err error) error { return err }

// TestNoCacheWithoutGeneration checks that an Authenticator without UseGeneration reads the
// store on every request.
func TestNoCacheWithoutGeneration(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	a := authn.New(f.db, f.keys, nil, slog.New(slog.DiscardHandler))
	r, auth := signed(t, keySecret)
	if _, err := a.Authenticate(ctx, r, auth, now); err != nil {
		t.Fatalf("Authenticate: %v", err)
	}
	update(t, f, "", store.KindAccessKey, keyID, func(k *iam.AccessKey) { k.Status = iam.StatusInactive })
	if _, err := a.Authenticate(ctx, r, auth, now); code(err) != iam.CodeInvalidClientTokenID {
		t.Fatalf("Authenticate after deactivation: err = %v, want %s", err, iam.CodeInvalidClientTokenID)
	}
}

// TestCache checks the generation rules of Cache.
func TestCache(t *testing.T) {
	gen := &authn.Generation{}
	c := authn.NewCache[string, int](gen, 2)
	_, ok, g0 := c.Get("a")
	if ok {
		t.Fatal("empty cache: Get(a) found a value")
	}
	c.Put(g0, "a", 1)
	if v, ok, _ := c.Get("a"); !ok || v != 1 {
		t.Errorf("Get(a) = %d, %v; want 1, true", v, ok)
	}
	// A value loaded before a bump is never served.
	_, _, before := c.Get("b")
	gen.Bump()
	c.Put(before, "b", 2)
	if v, ok, _ := c.Get("b"); ok {
		t.Errorf("Get(b) after a stale Put = %d, want a miss", v)
	}
	if v, ok, _ := c.Get("a"); ok {
		t.Errorf("Get(a) after Bump = %d, want a miss", v)
	}
	// Current puts serve; a stale put after a current one is dropped.
	_, _, g1 := c.Get("a")
	c.Put(g1, "a", 3)
	c.Put(before, "a", 4)
	if v, ok, _ := c.Get("a"); !ok || v != 3 {
		t.Errorf("Get(a) = %d, %v; want 3, true", v, ok)
	}
	// Full: the cache empties itself rather than grow past max.
	c.Put(g1, "b", 5)
	c.Put(g1, "c", 6)
	if _, ok, _ := c.Get("a"); ok {
		t.Error("Get(a) after overflowing max = hit, want a miss")
	}
	if v, ok, _ := c.Get("c"); !ok || v != 6 {
		t.Errorf("Get(c) = %d, %v; want 6, true", v, ok)
	}
}

// BenchmarkAuthenticate verifies a signed request for an IAM user's key held in SQLite, with
// and without the key cache.
func BenchmarkAuthenticate(b *testing.B) {
	ctx := context.Background()
	f := newFixture(b)
	r, auth := signed(b, keySecret)
	for _, cached := range []bool{false, true} {
		name := "store"
		a := authn.New(f.db, f.keys, nil, slog.New(slog.DiscardHandler))
		if cached {
			name = "cached"
			a.UseGeneration(&authn.Generation{})
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := a.Authenticate(ctx, r, auth, now); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
