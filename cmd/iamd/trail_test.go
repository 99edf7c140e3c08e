package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/google/go-cmp/cmp"
	_ "modernc.org/sqlite" // the test tampers with the database directly

	"github.com/iamd-dev/iamd/internal/audit"
	"github.com/iamd-dev/iamd/internal/config"
	"github.com/iamd-dev/iamd/internal/server"
	"github.com/iamd-dev/iamd/internal/store"
	"github.com/iamd-dev/iamd/internal/store/sqlite"
)

const testAccount = "123456789012"

// trailFixture runs a server in a fresh data directory, makes calls, closes it and returns the
// directory: a database whose trail has at least eight records, every one a row of the events
// table (rowsOnly), so that tests can tamper with them in SQL. servedTrail keeps the trail as
// the server left it.
func trailFixture(t *testing.T) string {
	t.Helper()
	dir := servedTrail(t)
	rowsOnly(t, dir)
	return dir
}

// servedTrail is trailFixture's trail as the server left it: mutations as rows, reads in
// blocks of records kept in the record journal's files.
func servedTrail(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	serveCalls(t, dir, "user", 4)
	return dir
}

// rowsOnly rewrites the trail of the data directory dir as a database written without a
// record journal holds it: every record in a row of the events table. The chain, Seqs and
// hashes stay the same.
func rowsOnly(t *testing.T, dir string) {
	t.Helper()
	ctx := context.Background()
	db := offlineStore(t, dir)
	chain, err := db.Chain(ctx, 0, 1<<20)
	if err != nil || len(chain) == 0 || chain[0].Seq != 1 {
		t.Fatalf("chain of %d records from %v (%v), want the whole trail from 1", len(chain), chain[0].Seq, err)
	}
	db.Close()
	tamper(t, dir, `DELETE FROM event_postings`, `DELETE FROM event_block_postings`, `DELETE FROM event_blocks`, `DELETE FROM event_resources`, `DELETE FROM events`)
	db = offlineStore(t, dir)
	defer db.Close()
	evs := make([]*store.Event, len(chain))
	for i, e := range chain {
		ev := e.Event
		ev.Record = e.Chained() // as kept: a read's record is compact
		evs[i] = &ev
	}
	if err := db.Update(ctx, func(tx store.Tx) error { return tx.Append(ctx, evs...) }); err != nil {
		t.Fatal(err)
	}
	again, err := db.Chain(ctx, 0, 1<<20)
	if err != nil || len(again) != len(chain) || again[len(again)-1].Hash != chain[len(chain)-1].Hash {
		t.Fatalf("rewritten trail: %d records (%v), want %d with the same head", len(again), err, len(chain))
	}
}

// serveCalls runs a server on the data directory dir, creates and reads n users named
// prefix0, prefix1, … and closes the server.
func serveCalls(t *testing.T, dir, prefix string, n int) {
	t.Helper()
	cfg := config.Default(t.TempDir(), "")
	cfg.ManagedPolicies = false // seconds under -race; the trail tests do not need them
	cfg.DataDir, cfg.Listen, cfg.AccountID = dir, "127.0.0.1:0", testAccount
	cfg.RootAccessKeyID, cfg.RootSecretAccessKey = rootKey, rootSecret
	srv, err := server.Start(context.Background(), cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	c := client(srv.Endpoint())
	ctx := context.Background()
	for i := range n {
		name := prefix + strconv.Itoa(i)
		if _, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.GetUser(ctx, &iam.GetUserInput{UserName: aws.String(name)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
}

// copyData copies a data directory's database so that each case tampers with its own.
func copyData(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	files, _ := filepath.Glob(filepath.Join(src, "iamd.db*"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, filepath.Base(f)), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

// offlineStore opens the store of data directory dir as an offline command does (no record
// journal of its own); the caller closes it.
func offlineStore(t *testing.T, dir string) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Config{Path: filepath.Join(dir, "iamd.db"), NoJournal: true}.Open(context.Background(), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func sqlDB(t *testing.T, dir string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "iamd.db"))
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func tamper(t *testing.T, dir string, stmts ...string) {
	t.Helper()
	db := sqlDB(t, dir)
	defer db.Close()
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// editRecord changes "eventName" to "eventNamf" in the record of event seq: in its row, or in
// the record journal file that keeps it.
func editRecord(t *testing.T, dir string, seq int64) {
	t.Helper()
	db := sqlDB(t, dir)
	defer db.Close()
	var file, at, n int64
	var name string
	var rec []byte
	if err := db.QueryRow(`SELECT record_file, record_at, record_len, name, record FROM events WHERE seq = ?`, seq).Scan(&file, &at, &n, &name, &rec); err != nil {
		t.Fatal(err)
	}
	if file == 0 {
		editName(t, rec, name)
		if _, err := db.Exec(`UPDATE events SET record = ? WHERE seq = ?`, rec, seq); err != nil {
			t.Fatal(err)
		}
		return
	}
	path := filepath.Join(dir, "iamd.db.records."+strconv.FormatInt(file, 10))
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	editName(t, b[at:at+n], name)
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// editName changes the last letter of the event name in rec, a record as stored (JSON or
// compact: both hold the name as it is), leaving its length as it was.
func editName(t *testing.T, rec []byte, name string) {
	t.Helper()
	i := bytes.Index(rec, []byte(name))
	if i < 0 || name == "" {
		t.Fatalf("no event name %q in the record %q", name, rec)
	}
	rec[i+len(name)-1] ^= 0x20
}

// firstSeq returns the first event's seq.
func firstSeq(t *testing.T, dir string) int64 {
	t.Helper()
	db := sqlDB(t, dir)
	defer db.Close()
	var seq int64
	if err := db.QueryRow(`SELECT min(seq) FROM events`).Scan(&seq); err != nil {
		t.Fatal(err)
	}
	return seq
}

// lastRecord returns the trail's last sequence number and head hash, read straight from SQL.
func lastRecord(t *testing.T, dir string) (int64, string) {
	t.Helper()
	db := sqlDB(t, dir)
	defer db.Close()
	var seq int64
	var h []byte
	if err := db.QueryRow(`SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1`).Scan(&seq, &h); err != nil {
		t.Fatal(err)
	}
	return seq, hex.EncodeToString(h)
}

func runIamd(args ...string) (string, string, error) {
	var out, errb bytes.Buffer
	getenv := func(string) string { return "" }
	err := run(context.Background(), args, getenv, &out, &errb)
	return out.String(), errb.String(), err
}

func TestTrailVerify(t *testing.T) {
	fixture := trailFixture(t)
	last, head := lastRecord(t, fixture)
	if last < 8 {
		t.Fatalf("fixture has %d records, want at least 8", last)
	}
	inRow := firstSeq(t, fixture)
	for _, tc := range []struct {
		name    string
		tamper  []string
		edit    int64 // the record to edit, if any
		args    []string
		wantSeq int64
		want    audit.Kind
	}{
		{name: "intact"},
		{name: "intact at the expected head", args: []string{"--head", head}},
		{name: "record edited", edit: 5, wantSeq: 5, want: audit.Edited},
		{name: "record edited in its row", edit: inRow, wantSeq: inRow, want: audit.Edited},
		{name: "hash edited", tamper: []string{`UPDATE events SET hash = zeroblob(32) WHERE seq = 3`}, wantSeq: 3, want: audit.Edited},
		{name: "record removed", tamper: []string{`DELETE FROM events WHERE seq = 4`}, wantSeq: 4, want: audit.Removed},
		{name: "records removed", tamper: []string{`DELETE FROM events WHERE seq IN (6, 7)`}, wantSeq: 6, want: audit.Removed},
		{name: "records swapped", tamper: []string{
			`CREATE TEMP TABLE saved AS SELECT * FROM events WHERE seq IN (2, 3)`,
			`UPDATE events SET (record, record_file, record_at, record_len, hash) = (SELECT record, record_file, record_at, record_len, hash FROM saved WHERE seq = 3) WHERE seq = 2`,
			`UPDATE events SET (record, record_file, record_at, record_len, hash) = (SELECT record, record_file, record_at, record_len, hash FROM saved WHERE seq = 2) WHERE seq = 3`,
		}, wantSeq: 2, want: audit.Reordered},
		{name: "last record removed, head kept", tamper: []string{`DELETE FROM events WHERE seq = ` + strconv.FormatInt(last, 10)},
			args: []string{"--head", head}, wantSeq: last, want: audit.Truncated},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := copyData(t, fixture)
			tamper(t, dir, tc.tamper...)
			if tc.edit != 0 {
				editRecord(t, dir, tc.edit)
			}
			out, _, err := runIamd(append([]string{"trail", "verify", "--data", dir}, tc.args...)...)
			if tc.want == 0 {
				if err != nil {
					t.Fatalf("verify of an intact trail: %v", err)
				}
				if want := "ok: " + strconv.FormatInt(last, 10) + " records, head " + head + "\n"; out != want {
					t.Errorf("verify printed %q, want %q", out, want)
				}
				return
			}
			var ce *audit.ChainError
			if !errors.As(err, &ce) {
				t.Fatalf("verify after %v: err = %v, want a broken chain at record %d", tc.tamper, err, tc.wantSeq)
			}
			if ce.Seq != tc.wantSeq || ce.Kind != tc.want {
				t.Errorf("verify after %v: record %d %s, want record %d %s", tc.tamper, ce.Seq, ce.Kind, tc.wantSeq, tc.want)
			}
			if wantMsg := "record " + strconv.FormatInt(tc.wantSeq, 10) + " was " + tc.want.String(); !strings.HasPrefix(err.Error(), wantMsg) {
				t.Errorf("message %q, want it to start with %q", err, wantMsg)
			}
			if strings.HasPrefix(out, "ok") {
				t.Errorf("verify of a broken trail printed %q", out)
			}
		})
	}
}

func TestTrailUsage(t *testing.T) {
	empty := t.TempDir()
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no subcommand", []string{"trail"}, "no subcommand"},
		{"unknown subcommand", []string{"trail", "fix"}, `unknown subcommand "fix"`},
		{"no database", []string{"trail", "verify", "--data", empty}, "no iamd database"},
		{"bad head", []string{"trail", "verify", "--data", empty, "--head", "abc"}, "not a 64-digit hex hash"},
		{"extra argument", []string{"trail", "verify", "now"}, "unexpected arguments"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := runIamd(tc.args...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("iamd %v: err = %v, want one containing %q", tc.args, err, tc.want)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(empty, "iamd.db")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("verify created a database in an empty directory (stat: %v)", err)
	}
}

type digestFile struct {
	AWSAccountID            string `json:"awsAccountId"`
	DigestS3Object          string `json:"digestS3Object"`
	DigestStartTime         string `json:"digestStartTime"`
	PreviousDigestS3Object  *string
	PreviousDigestHashValue *string
	LogFiles                []struct {
		S3Object, HashValue, HashAlgorithm string
	} `json:"logFiles"`
}

// readExport reads every .json.gz file under dir, gunzipped, keyed by its slash path.
func readExport(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".json.gz") {
			return err // the public key and the digests' signature sidecars are not gzipped
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		plain, err := io.ReadAll(zr)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		rel, _ := filepath.Rel(dir, path)
		files[filepath.ToSlash(rel)] = plain
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func TestTrailExport(t *testing.T) {
	fixture := trailFixture(t)
	dir := copyData(t, fixture)
	// The first four records two hours earlier: two log files, two chained digests. (The time
	// column is not hashed; eventTime in the records keeps its value.)
	tamper(t, dir, `UPDATE events SET time = time - 7200000000000 WHERE seq <= 4`)
	var wantIDs []string
	db := sqlDB(t, dir)
	rows, err := db.Query(`SELECT event_id FROM events ORDER BY seq`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id string
		rows.Scan(&id)
		wantIDs = append(wantIDs, id)
	}
	rows.Close()
	db.Close()

	out := t.TempDir()
	stdout, _, err := runIamd("trail", "export", "--data", dir, "--dir", out)
	if err != nil {
		t.Fatalf("export: %v", err)
	}
	if !strings.HasPrefix(stdout, "exported "+strconv.Itoa(len(wantIDs))+" records in 2 log files and 2 digest files") {
		t.Errorf("export printed %q", stdout)
	}
	files := readExport(t, out)
	var logs, digests []string
	for name := range files {
		switch {
		case strings.HasPrefix(name, "AWSLogs/"+testAccount+"/CloudTrail/us-east-1/"):
			logs = append(logs, name)
		case strings.HasPrefix(name, "AWSLogs/"+testAccount+"/CloudTrail-Digest/us-east-1/"):
			digests = append(digests, name)
		default:
			t.Errorf("unexpected file %s", name)
		}
	}
	sort.Strings(logs)
	sort.Strings(digests)
	if len(logs) != 2 || len(digests) != 2 {
		t.Fatalf("log files %v, digests %v: want two of each", logs, digests)
	}
	var gotIDs []string
	for _, name := range logs {
		var lf struct{ Records []struct{ EventID string } }
		if err := json.Unmarshal(files[name], &lf); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, r := range lf.Records {
			gotIDs = append(gotIDs, r.EventID)
		}
	}
	if !cmp.Equal(gotIDs, wantIDs) {
		t.Errorf("exported event IDs %v, want %v", gotIDs, wantIDs)
	}
	for i, name := range digests {
		var d digestFile
		if err := json.Unmarshal(files[name], &d); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if d.AWSAccountID != testAccount || d.DigestS3Object != name || len(d.LogFiles) != 1 || d.LogFiles[0].S3Object != logs[i] || d.LogFiles[0].HashAlgorithm != "SHA-256" {
			t.Errorf("digest %s = %+v, want the digest of %s", name, d, logs[i])
			continue
		}
		if sum := sha256.Sum256(files[logs[i]]); d.LogFiles[0].HashValue != hex.EncodeToString(sum[:]) {
			t.Errorf("digest %s: log file hash %s, want %x", name, d.LogFiles[0].HashValue, sum)
		}
		if i == 0 {
			if d.PreviousDigestS3Object != nil || d.PreviousDigestHashValue != nil {
				t.Errorf("first digest names a previous one: %+v", d)
			}
			continue
		}
		prev := sha256.Sum256(files[digests[i-1]])
		if d.PreviousDigestS3Object == nil || *d.PreviousDigestS3Object != digests[i-1] || d.PreviousDigestHashValue == nil || *d.PreviousDigestHashValue != hex.EncodeToString(prev[:]) {
			t.Errorf("digest %s does not chain to %s (hash %x): %+v", name, digests[i-1], prev, d)
		}
	}

	// Exporting again into the same directory gives the same names, so it refuses to overwrite.
	if _, _, err := runIamd("trail", "export", "--data", dir, "--dir", out); err == nil {
		t.Error("a second export over the first succeeded")
	}
	// A time range after every record exports nothing.
	empty := t.TempDir()
	if stdout, _, err := runIamd("trail", "export", "--data", dir, "--dir", empty, "--from", "2999-01-01T00:00:00Z"); err != nil || !strings.HasPrefix(stdout, "exported 0 records in 0 log files") {
		t.Errorf("export --from 2999: %q, %v", stdout, err)
	}
	// A broken trail is not exported.
	tamper(t, dir, `DELETE FROM events WHERE seq = 3`)
	var ce *audit.ChainError
	if _, _, err := runIamd("trail", "export", "--data", dir, "--dir", t.TempDir()); !errors.As(err, &ce) || ce.Seq != 3 || ce.Kind != audit.Removed {
		t.Errorf("export of a trail without record 3: err = %v, want record 3 removed", err)
	}
}
