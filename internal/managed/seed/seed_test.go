package seed

import (
	"context"
	"encoding/json"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/iamd-dev/iamd/internal/iam"
	"github.com/iamd-dev/iamd/internal/managed"
	"github.com/iamd-dev/iamd/internal/store"
	"github.com/iamd-dev/iamd/internal/store/sqlite"
)

var now = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func open(tb testing.TB) *sqlite.DB {
	tb.Helper()
	db, err := sqlite.Config{Path: filepath.Join(tb.TempDir(), "iamd.db")}.Open(context.Background(), slog.New(slog.DiscardHandler))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

func get(t *testing.T, st store.Store, name string) (*iam.ManagedPolicy, *store.Entity) {
	t.Helper()
	var e *store.Entity
	err := st.View(context.Background(), func(r store.Reader) error {
		var err error
		e, err = r.Get(context.Background(), Account, store.KindPolicy, name)
		return err
	})
	if err != nil {
		t.Fatalf("get %s: %v", name, err)
	}
	var p iam.ManagedPolicy
	if err := json.Unmarshal(e.Data, &p); err != nil {
		t.Fatal(err)
	}
	return &p, e
}

func TestEnsureEmbedded(t *testing.T) {
	ctx := context.Background()
	db := open(t)
	want, err := managed.Load()
	if err != nil {
		t.Fatal(err)
	}
	res, err := Ensure(ctx, db, now)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(Result{Version: managed.Version(), Loaded: len(want)}, res); diff != "" {
		t.Errorf("first Ensure (-want +got):\n%s", diff)
	}
	var n int
	if err := db.View(ctx, func(r store.Reader) (err error) { n, err = r.Count(ctx, Account, store.KindPolicy); return err }); err != nil || n != len(want) {
		t.Errorf("stored %d policies (%v), want %d", n, err, len(want))
	}
	p, e := get(t, db, "awslambdabasicexecutionrole")
	if e.Path != "/service-role/" || e.ID != managed.PolicyID("AWSLambdaBasicExecutionRole") || p.Name != "AWSLambdaBasicExecutionRole" ||
		iam.PolicyARN(Account, p.Path, p.Name) != "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole" || p.NextVersion != 2 {
		t.Errorf("entity %+v, policy %+v", e, p)
	}
	for _, mp := range want {
		if mp.Name != "ReadOnlyAccess" {
			continue
		}
		got, _ := get(t, db, mp.Name)
		if got.DefaultVersion != mp.DefaultVersion || got.Default() == nil || got.Default().Document != mp.Versions[len(mp.Versions)-1].Document {
			t.Errorf("ReadOnlyAccess default %s, want %s with the data's document", got.DefaultVersion, mp.DefaultVersion)
		}
	}

	again, err := Ensure(ctx, db, now)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(Result{Stored: managed.Version(), Version: managed.Version()}, again); diff != "" {
		t.Errorf("second Ensure (-want +got):\n%s", diff)
	}
}

// fromLoad is the source of policies decoded by load (the path Ensure takes when the
// precomputed rows are not of the data's version).
func fromLoad(load func() ([]managed.Policy, error)) func(context.Context) *source {
	return func(ctx context.Context) *source { return loadSource(ctx, load) }
}

func fake(docs map[string]string) func() ([]managed.Policy, error) {
	return func() ([]managed.Policy, error) {
		var out []managed.Policy
		for _, name := range []string{"A", "B"} {
			if docs[name] == "" {
				continue
			}
			out = append(out, managed.Policy{Name: name, Path: "/", ID: managed.PolicyID(name), DefaultVersion: "v3",
				Created: now.Add(-time.Hour), Updated: now.Add(-time.Hour),
				Versions: []managed.PolicyVersion{{ID: "v3", Document: docs[name], Created: now}}})
		}
		return out, nil
	}
}

// TestEnsureVersions loads a set, then newer and older data versions: only a newer one is
// written, over the stored policies, keeping their attachments and creation time.
func TestEnsureVersions(t *testing.T) {
	ctx := context.Background()
	db := open(t)
	if _, err := ensure(ctx, db, now, "0.0.9", fromLoad(fake(map[string]string{"A": "a1", "B": "b1"}))); err != nil {
		t.Fatal(err)
	}
	_, firstB := get(t, db, "B")
	if err := db.Update(ctx, func(tx store.Tx) error {
		return tx.Link(ctx, "123456789012", store.LinkUserPolicy, "alice", "arn:aws:iam::aws:policy/A")
	}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, version string
		docs          map[string]string
		want          Result
		wantA, wantB  string
	}{
		{"same version", "0.0.9", map[string]string{"A": "a2"}, Result{Stored: "0.0.9", Version: "0.0.9"}, "a1", "b1"},
		{"older version", "0.0.8", map[string]string{"A": "a2"}, Result{Stored: "0.0.9", Version: "0.0.8"}, "a1", "b1"},
		{"newer version, B dropped", "0.0.10", map[string]string{"A": "a3"}, Result{Stored: "0.0.9", Version: "0.0.10", Loaded: 1}, "a3", "b1"},
		{"newer again", "0.1.0", map[string]string{"A": "a4", "B": "b4"}, Result{Stored: "0.0.10", Version: "0.1.0", Loaded: 2}, "a4", "b4"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := ensure(ctx, db, now, tc.version, fromLoad(fake(tc.docs)))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, res); diff != "" {
				t.Errorf("Ensure %s (-want +got):\n%s", tc.version, diff)
			}
			a, _ := get(t, db, "A")
			b, e := get(t, db, "B")
			if a.Default().Document != tc.wantA || b.Default().Document != tc.wantB {
				t.Errorf("documents A %q, B %q; want %q, %q", a.Default().Document, b.Default().Document, tc.wantA, tc.wantB)
			}
			if !e.Created.Equal(firstB.Created) {
				t.Errorf("B created %v, want %v", e.Created, firstB.Created)
			}
		})
	}
	var links []string
	if err := db.View(ctx, func(r store.Reader) (err error) {
		links, err = r.LinksTo(ctx, "123456789012", store.LinkUserPolicy, "arn:aws:iam::aws:policy/A")
		return err
	}); err != nil || !cmp.Equal(links, []string{"alice"}) {
		t.Errorf("attachments of A after reloads: %v, %v; want [alice]", links, err)
	}
}

func TestOlder(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"0.0.656", "0.0.657", true},
		{"0.0.657", "0.0.656", false},
		{"0.0.99", "0.0.100", true},
		{"0.0.100", "0.0.99", false},
		{"0.0.656", "0.0.656", false},
		{"0.1.0", "0.0.999", false},
		{"1.0", "1.0.1", true},
		{"0.0.1-a", "0.0.1-b", true},
	} {
		t.Run(tc.a+"<"+tc.b, func(t *testing.T) {
			if got := older(tc.a, tc.b); got != tc.want {
				t.Errorf("older(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
			}
		})
	}
}

// BenchmarkEnsure measures a server's first start (an empty store) and later starts.
func BenchmarkEnsure(b *testing.B) {
	ctx := context.Background()
	b.Run("first", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			db := open(b)
			b.StartTimer()
			if _, err := Ensure(ctx, db, now); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("first-decoding", func(b *testing.B) { // without the precomputed rows
		for b.Loop() {
			b.StopTimer()
			db := open(b)
			b.StartTimer()
			if _, err := ensure(ctx, db, now, managed.Version(), fromLoad(managed.Load)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("later", func(b *testing.B) {
		db := open(b)
		if _, err := Ensure(ctx, db, now); err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if res, err := Ensure(ctx, db, now); err != nil || res.Loaded != 0 {
				b.Fatal(res, err)
			}
		}
	})
}
