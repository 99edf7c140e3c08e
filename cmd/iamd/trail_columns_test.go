package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/iamd-dev/iamd/internal/audit"
)

// columnsFixture is a served trail and the sequence number of its first CreateUser record
// (root creating user0), whose resources name user0.
func columnsFixture(t *testing.T) (string, int64) {
	t.Helper()
	dir := trailFixture(t)
	db := sqlDB(t, dir)
	defer db.Close()
	var seq int64
	if err := db.QueryRow(`SELECT min(seq) FROM events WHERE name = 'CreateUser'`).Scan(&seq); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM event_resources WHERE seq = ?`, seq).Scan(&n); err != nil || n != 1 {
		t.Fatalf("CreateUser record %d has %d event_resources rows (%v), want 1", seq, n, err)
	}
	return dir, seq
}

// tamperArgs runs one statement with arguments (for values SQL literals cannot hold, like NUL).
func tamperArgs(t *testing.T, dir, stmt string, args ...any) {
	t.Helper()
	db := sqlDB(t, dir)
	defer db.Close()
	if _, err := db.Exec(stmt, args...); err != nil {
		t.Fatalf("%s: %v", stmt, err)
	}
}

// TestTrailVerifyColumns: editing any lookup column of an intact record (or its
// event_resources rows) is reported like an edited record, naming the record and the column.
func TestTrailVerifyColumns(t *testing.T) {
	fixture, seq := columnsFixture(t)
	s := strconv.FormatInt(seq, 10)
	for _, tc := range []struct {
		name  string
		stmt  string
		args  []any
		field string
		want  string // in the message
	}{
		// The new-user trial: root's CreateUser calls listed under alice by LookupEvents.
		{name: "username and access key of every CreateUser", stmt: `UPDATE events SET username = 'alice', access_key = 'AKIAALICE0000000000' WHERE name = 'CreateUser'`,
			field: "username", want: `its username column is "alice", the record says "root"`},
		{name: "username", stmt: `UPDATE events SET username = 'alice' WHERE seq = ` + s, field: "username"},
		{name: "access key", stmt: `UPDATE events SET access_key = 'AKIAALICE0000000000' WHERE seq = ` + s, field: "access_key",
			want: `its access_key column is "AKIAALICE0000000000", the record says "` + rootKey + `"`},
		{name: "event name", stmt: `UPDATE events SET name = 'GetUser' WHERE seq = ` + s, field: "name"},
		{name: "event ID", stmt: `UPDATE events SET event_id = 'not-the-id' WHERE seq = ` + s, field: "event_id"},
		{name: "time", stmt: `UPDATE events SET time = time - 7200000000000 WHERE seq = ` + s, field: "time"},
		{name: "read only", stmt: `UPDATE events SET read_only = 1 - read_only WHERE seq = ` + s, field: "read_only", want: "column is true, the record says false"},
		{name: "account", stmt: `UPDATE events SET account = '444455556666' WHERE seq = ` + s, field: "account"},
		{name: "source", stmt: `UPDATE events SET source = 'sts.amazonaws.com' WHERE seq = ` + s, field: "source"},
		{name: "resources", stmt: `UPDATE events SET resources = ? WHERE seq = ` + s, args: []any{"\nAWS::IAM::User\x00alice\n"}, field: "resources",
			want: `its resources column is [AWS::IAM::User "alice"], the record says [AWS::IAM::User "user0"]`},
		{name: "resources emptied", stmt: `UPDATE events SET resources = '' WHERE seq = ` + s, field: "resources"},
		{name: "event_resources row renamed", stmt: `UPDATE event_resources SET name = 'alice' WHERE seq = ` + s, field: "event_resources",
			want: `its event_resources rows are [AWS::IAM::User "alice"], the record says [AWS::IAM::User "user0"]`},
		{name: "event_resources row added", stmt: `INSERT INTO event_resources (account, name, type, seq) VALUES (?, 'alice', 'AWS::IAM::User', ?)`,
			args: []any{testAccount, seq}, field: "event_resources"},
		{name: "event_resources row deleted", stmt: `DELETE FROM event_resources WHERE seq = ` + s, field: "event_resources",
			want: `rows are [], the record says [AWS::IAM::User "user0"]`},
		{name: "event_resources row moved to another account", stmt: `UPDATE event_resources SET account = '444455556666' WHERE seq = ` + s,
			field: "event_resources", want: `in account "444455556666"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := copyData(t, fixture)
			tamperArgs(t, dir, tc.stmt, tc.args...)
			out, _, err := runIamd("trail", "verify", "--data", dir)
			var ce *audit.ChainError
			if !errors.As(err, &ce) {
				t.Fatalf("verify after %s: err = %v, out %q; want record %d edited", tc.stmt, err, out, seq)
			}
			if ce.Seq != seq || ce.Kind != audit.Edited || ce.Field != tc.field {
				t.Errorf("verify after %s: record %d %s, field %q; want record %d edited, field %q", tc.stmt, ce.Seq, ce.Kind, ce.Field, seq, tc.field)
			}
			if wantMsg := "record " + s + " was edited: the record is intact but its " + tc.field + " "; !strings.HasPrefix(err.Error(), wantMsg) {
				t.Errorf("message %q, want it to start with %q", err, wantMsg)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("message %q, want it to contain %q", err, tc.want)
			}
			if strings.HasPrefix(out, "ok") {
				t.Errorf("verify of a tampered trail printed %q", out)
			}
		})
	}
}

// TestTrailVerifyColumnsIntact: trails whose columns nobody touched verify, whether the server
// wrote them or iamd trail import derived them from real CloudTrail files; so does a trail
// whose event_resources rows for pruned records remain (LookupEvents never reaches them).
func TestTrailVerifyColumnsIntact(t *testing.T) {
	served, _ := columnsFixture(t)
	last, head := lastRecord(t, served)
	imported := t.TempDir()
	if _, _, err := runIamd("trail", "import", filepath.Join("testdata", "trail"), "--to", filepath.Join(imported, "iamd.db")); err == nil {
		t.Fatal("import of the test files: no error for the malformed files")
	}
	orphan := copyData(t, served)
	tamperArgs(t, orphan, `INSERT INTO event_resources (account, name, type, seq) VALUES (?, 'gone', 'AWS::IAM::User', 0)`, testAccount)
	for _, tc := range []struct {
		name, dir, want string
	}{
		{"served", served, "ok: " + strconv.FormatInt(last, 10) + " records, head " + head + "\n"},
		{"imported", imported, "ok: "},
		{"row of a record not in the trail", orphan, "ok: " + strconv.FormatInt(last, 10) + " records"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, _, err := runIamd("trail", "verify", "--data", tc.dir)
			if err != nil || !strings.HasPrefix(out, tc.want) {
				t.Fatalf("verify of an intact trail: %q, %v; want %q", out, err, tc.want)
			}
		})
	}
	db := sqlDB(t, imported)
	defer db.Close()
	var n, rows int
	if err := db.QueryRow(`SELECT count(*), (SELECT count(*) FROM event_resources) FROM events`).Scan(&n, &rows); err != nil || n == 0 || rows == 0 {
		t.Errorf("imported %d records with %d event_resources rows (%v); want some of each", n, rows, err)
	}
}

// TestTrailVerifyColumnsExitStatus runs the binary: a tampered column makes iamd trail verify
// exit non-zero with the record and the column on stderr.
func TestTrailVerifyColumnsExitStatus(t *testing.T) {
	fixture, seq := columnsFixture(t)
	dir := copyData(t, fixture)
	tamper(t, dir, `UPDATE events SET username = 'alice' WHERE name = 'CreateUser'`)
	cmd := exec.Command(os.Args[0], "trail", "verify", "--data", dir)
	cmd.Env = append(os.Environ(), "IAMD_TEST_MAIN=1")
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() == 0 {
		t.Fatalf("iamd trail verify of a tampered trail: %v, want a non-zero exit status", err)
	}
	want := "iamd: record " + strconv.FormatInt(seq, 10) + ` was edited: the record is intact but its username column is "alice", the record says "root"`
	if !strings.Contains(stderr.String(), want) || stdout.Len() != 0 {
		t.Errorf("stdout %q, stderr %q; want only stderr containing %q", stdout.String(), stderr.String(), want)
	}
}
