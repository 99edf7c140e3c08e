package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rsa"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/iamd-dev/iamd/internal/audit"
	"github.com/iamd-dev/iamd/internal/config"
	"github.com/iamd-dev/iamd/internal/store"
	"github.com/iamd-dev/iamd/internal/store/sqlite"
)

const trailUsage = `usage:
  iamd trail verify [--data DIR] [--head HEX]
      recompute the audit trail's hash chain and check each record's lookup columns (what
      LookupEvents searches: user name, access key, event name, ID, time, resources, ...)
      against the record; print "ok: N records, head HEX" or the first record that was
      edited (naming the column when only a column was), removed or reordered (and exit
      non-zero). With --head, a trail that does not end at that head (kept from an earlier
      run) is reported truncated.
  iamd trail export --dir DIR [--data DIR] [--from TIME] [--to TIME]
      write the trail as CloudTrail log files (AWSLogs/ACCOUNT/CloudTrail/REGION/...), one
      file per account, region and hour, plus CloudTrail-Digest files signed SHA256withRSA
      with the data directory's trail-signing-key.pem (created on first use), and the public
      key as DIR/trail-public-key.pem; TIME is RFC 3339.
  iamd trail validate --dir DIR [--public-key FILE]
      validate an export as aws cloudtrail validate-logs does: the digest chain, each
      digest's signature, each log file's hash; name the first bad file (and exit non-zero).
      The public key defaults to DIR/trail-public-key.pem.
  iamd trail import DIR --to IMPORTDB
      read AWS CloudTrail log files (AWSLogs/... or a flat directory, .json or .json.gz) into
      the SQLite store IMPORTDB (created if needed), one transaction per file; malformed
      files are reported by name and skipped; records already imported (by eventID) are skipped.
  iamd trail prune --before TIME [--data DIR]
      delete the records older than TIME (RFC 3339), keeping the newest record; the chain is
      verified first, and the last deleted record's sequence number and hash are kept as the
      checkpoint from which iamd trail verify checks what remains.
`

// chainPage is how many records verify and export read per query.
const chainPage = 1000

// runTrail runs `iamd trail ...`: offline commands over the audit trail in the data directory.
func runTrail(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, trailUsage)
		return errors.New("trail: no subcommand")
	}
	cfg := config.Default(getenv("HOME"), getenv("XDG_DATA_HOME"))
	fs := flag.NewFlagSet("iamd trail "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.DataDir, "data", cfg.DataDir, "data directory (database, seal keys, root credentials)")
	switch args[0] {
	case "verify":
		head := fs.String("head", "", "expected head hash (hex) from an earlier verify or export")
		if err := parseFlags(fs, args[1:]); err != nil {
			return err
		}
		return trailVerify(ctx, cfg, *head, stdout, stderr)
	case "export":
		var dir, from, to string
		fs.StringVar(&dir, "dir", "", "directory to write the CloudTrail layout into (required)")
		fs.StringVar(&from, "from", "", "export records from this time on (RFC 3339)")
		fs.StringVar(&to, "to", "", "export records up to this time (RFC 3339)")
		if err := parseFlags(fs, args[1:]); err != nil {
			return err
		}
		return trailExport(ctx, cfg, dir, from, to, stdout, stderr)
	case "validate":
		var dir, pub string
		fs.StringVar(&dir, "dir", "", "exported directory to validate (required)")
		fs.StringVar(&pub, "public-key", "", "PEM public key (default DIR/"+publicKeyFile+")")
		if err := parseFlags(fs, args[1:]); err != nil {
			return err
		}
		return trailValidate(dir, pub, stdout)
	case "prune":
		before := fs.String("before", "", "delete records older than this time (RFC 3339, required)")
		if err := parseFlags(fs, args[1:]); err != nil {
			return err
		}
		return trailPrune(ctx, cfg, *before, stdout, stderr)
	case "import":
		var to string
		fs.StringVar(&to, "to", "", "SQLite file to import into (required; not the server's database)")
		dir, err := parseWithArg(fs, args[1:])
		if err != nil {
			return err
		}
		return trailImport(ctx, dir, to, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, trailUsage)
		return nil
	}
	fmt.Fprint(stderr, trailUsage)
	return fmt.Errorf("trail: unknown subcommand %q", args[0])
}

func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	return nil
}

// parseWithArg parses flags around one positional argument ("import DIR --to X" or
// "import --to X DIR") and returns it.
func parseWithArg(fs *flag.FlagSet, args []string) (string, error) {
	if err := fs.Parse(args); err != nil {
		return "", err
	}
	if fs.NArg() == 0 {
		return "", nil
	}
	arg := fs.Arg(0)
	if err := parseFlags(fs, fs.Args()[1:]); err != nil {
		return "", err
	}
	return arg, nil
}

// trailDB is the data directory's database file.
func trailDB(cfg config.Config) string { return filepath.Join(cfg.DataDir, "iamd.db") }

// openTrail opens the data directory's database. It refuses to create one: these commands
// only read the trail (opening applies no migration to an up-to-date database).
func openTrail(ctx context.Context, cfg config.Config, stderr io.Writer) (*sqlite.DB, error) {
	path := trailDB(cfg)
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("trail: no iamd database at %s: %w", path, err)
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	return sqlite.Config{Path: path}.Open(ctx, logger)
}

// trailError is a broken chain as `iamd trail verify` reports it.
type trailError struct{ *audit.ChainError }

func (e *trailError) Error() string {
	return fmt.Sprintf("record %d was %s: %s", e.Seq, e.Kind, e.Detail)
}

func (e *trailError) Unwrap() error { return e.ChainError }

// maxClassify bounds how many records verify loads to tell a reordered record from an edited
// one after the streaming check failed (audit.Verify needs the whole trail for that).
const maxClassify = 1 << 20

func trailVerify(ctx context.Context, cfg config.Config, headHex string, stdout, stderr io.Writer) error {
	var want *[32]byte
	if headHex != "" {
		b, err := hex.DecodeString(headHex)
		if err != nil || len(b) != 32 {
			return fmt.Errorf("trail verify: --head %q is not a 64-digit hex hash", headHex)
		}
		want = (*[32]byte)(b)
	}
	db, err := openTrail(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	cp, err := db.Checkpoint(ctx)
	if err != nil {
		return err
	}
	rows, err := openResourceRows(ctx, trailDB(cfg))
	if err != nil {
		return fmt.Errorf("trail verify: %w", err)
	}
	defer rows.Close()
	v := audit.ResumeVerifier(cp.Seq, cp.Hash)
	var page []columnsCheck // the current page's, in its order
	n, err := eachRecord(ctx, db, func(evs []*store.StoredEvent) { page = checkColumns(evs) }, func(e *store.StoredEvent) error {
		c := page[0]
		page = page[1:]
		if err := v.Add(audit.Stored{Seq: e.Seq, Record: e.Chained(), Hash: e.Hash}); err != nil {
			return err
		}
		if c.err != nil {
			return c.err
		}
		return rows.check(e.Seq, c.want)
	})
	if err == nil && want != nil {
		err = v.Finish(*want)
	}
	if err == nil {
		err = db.CheckBlocks(ctx)
	}
	var ce *audit.ChainError
	if errors.As(err, &ce) {
		if ce.Field == "" && (ce.Kind == audit.Edited || ce.Kind == audit.Removed) {
			ce = classify(ctx, db, cp, ce, want)
		}
		return &trailError{ce}
	}
	if err != nil {
		return err
	}
	head := v.Head()
	fmt.Fprintf(stdout, "ok: %d records, head %s", n, hex.EncodeToString(head[:]))
	if cp.Seq > 0 {
		fmt.Fprintf(stdout, " (from the prune checkpoint after record %d, %s)", cp.Seq, hex.EncodeToString(cp.Hash[:]))
	}
	fmt.Fprintln(stdout)
	return nil
}

// classify re-checks a small enough trail with audit.Verify, which sees the whole trail and
// can tell a record out of place from an edited or removed one.
func classify(ctx context.Context, db *sqlite.DB, cp store.Checkpoint, ce *audit.ChainError, head *[32]byte) *audit.ChainError {
	var all []audit.Stored
	_, err := eachRecord(ctx, db, nil, func(e *store.StoredEvent) error {
		if len(all) >= maxClassify {
			return errors.New("too long")
		}
		all = append(all, audit.Stored{Seq: e.Seq, Record: e.Chained(), Hash: e.Hash})
		return nil
	})
	if err != nil {
		return ce
	}
	var full *audit.ChainError
	if errors.As(audit.VerifyResumed(cp.Seq, cp.Hash, all, head), &full) {
		return full
	}
	return ce
}

// eachRecord streams the trail in order through fn and returns how many records fn accepted.
// onPage, if not nil, sees each page of records before fn sees them one by one.
func eachRecord(ctx context.Context, db *sqlite.DB, onPage func([]*store.StoredEvent), fn func(*store.StoredEvent) error) (int64, error) {
	var n, after int64
	for {
		evs, err := db.Chain(ctx, after, chainPage)
		if err != nil {
			return n, err
		}
		if onPage != nil {
			onPage(evs)
		}
		for _, e := range evs {
			if err := fn(e); err != nil {
				return n, err
			}
			n++
		}
		if len(evs) < chainPage {
			return n, nil
		}
		after = evs[len(evs)-1].Seq
	}
}

// columnsCheck is what audit.CheckIndex found for one record: the columns its record implies,
// and the first stored column that differs.
type columnsCheck struct {
	want audit.Summary
	err  error
}

// checkColumns checks the lookup columns of a page of records against the records, on
// GOMAXPROCS goroutines: it parses every record, which costs several times what hashing does.
func checkColumns(evs []*store.StoredEvent) []columnsCheck {
	out := make([]columnsCheck, len(evs))
	workers := min(runtime.GOMAXPROCS(0), len(evs))
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(evs); i += workers {
				e := evs[i]
				out[i].want, out[i].err = audit.CheckIndex(e.Seq, e.Record, audit.Summary{Time: e.Time, Account: e.Account, Source: e.Source,
					Name: e.Name, ID: e.ID, Username: e.Username, AccessKey: e.AccessKey, ReadOnly: e.ReadOnly, Resources: e.Resources})
			}
		})
	}
	wg.Wait()
	return out
}

// resourceRows reads the SQLite store's event_resources table in Seq order: the rows
// LookupEvents joins to events to find records by resource name. They are a second copy of
// each event's resources column that store.StoredEvent does not return, so verify reads them
// itself, on a connection of its own, in one snapshot that ends at top.
type resourceRows struct {
	db   *sql.DB
	tx   *sql.Tx
	rows *sql.Rows
	top  int64 // the last Seq in the snapshot; later events have no rows to read here
	// blocks reads the Seq ranges of records kept in blocks, in order: their resources are
	// postings (sqlite.DB.CheckBlocks checks them), not rows. block is the current range.
	blocks *sql.Rows
	block  [2]int64
	next   resourceRow
	have   bool // next holds an unread row
	err    error
}

type resourceRow struct {
	seq                int64
	account, typ, name string
}

// openResourceRows opens a read-only connection to the database file path (the driver is
// the one package sqlite registers) and starts reading event_resources.
func openResourceRows(ctx context.Context, path string) (*resourceRows, error) {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "query_only(1)")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	r := &resourceRows{db: db}
	if r.tx, err = db.BeginTx(ctx, nil); err != nil {
		r.Close()
		return nil, err
	}
	if err := r.tx.QueryRowContext(ctx, sqlite.LastSeqSQL).Scan(&r.top); err != nil {
		r.Close()
		return nil, err
	}
	if r.blocks, err = r.tx.QueryContext(ctx, `SELECT first_seq, first_seq + n - 1 FROM event_blocks ORDER BY first_seq`); err != nil {
		r.Close()
		return nil, err
	}
	r.block = [2]int64{-1, -1}
	if r.rows, err = r.tx.QueryContext(ctx, `SELECT seq, account, type, name FROM event_resources WHERE seq <= ? ORDER BY seq`, r.top); err != nil {
		r.Close()
		return nil, err
	}
	r.advance()
	return r, nil
}

func (r *resourceRows) advance() {
	r.have = r.err == nil && r.rows.Next()
	if r.have {
		r.err = r.rows.Scan(&r.next.seq, &r.next.account, &r.next.typ, &r.next.name)
		r.have = r.err == nil
	} else if r.err == nil {
		r.err = r.rows.Err()
	}
}

// check compares the rows of record seq with the resources its record implies (want). Calls
// come in increasing seq; rows of Seqs never asked about (pruned records) are skipped.
func (r *resourceRows) check(seq int64, want audit.Summary) error {
	if seq > r.top {
		return nil
	}
	for r.block[1] < seq && r.blocks.Next() {
		if err := r.blocks.Scan(&r.block[0], &r.block[1]); err != nil {
			return fmt.Errorf("event_blocks: %w", err)
		}
	}
	if err := r.blocks.Err(); err != nil {
		return fmt.Errorf("event_blocks: %w", err)
	}
	if r.block[0] <= seq && seq <= r.block[1] {
		return nil
	}
	var got []string
	for r.have && r.next.seq <= seq {
		if r.next.seq == seq {
			got = append(got, r.next.account+"\x00"+r.next.typ+"\x00"+r.next.name)
		}
		r.advance()
	}
	if r.err != nil {
		return fmt.Errorf("event_resources: %w", r.err)
	}
	exp := make([]string, len(want.Resources))
	for i, k := range want.Resources {
		exp[i] = want.Account + "\x00" + k
	}
	slices.Sort(got)
	if !slices.Equal(got, exp) {
		return &audit.ChainError{Seq: seq, Kind: audit.Edited, Field: "event_resources",
			Detail: fmt.Sprintf("the record is intact but its event_resources rows are %s, the record says %s", formatRows(got, want.Account), formatRows(exp, want.Account))}
	}
	return nil
}

// formatRows writes "account\x00type\x00name" rows as audit.FormatResources writes keys,
// naming the account of a row in another account than the record's.
func formatRows(rows []string, account string) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, row := range rows {
		acct, key, _ := strings.Cut(row, "\x00")
		typ, name, _ := strings.Cut(key, "\x00")
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s %q", typ, name)
		if acct != account {
			fmt.Fprintf(&b, " in account %q", acct)
		}
	}
	b.WriteByte(']')
	return b.String()
}

// Close ends the read and closes the connection.
func (r *resourceRows) Close() {
	if r.blocks != nil {
		r.blocks.Close()
	}
	if r.rows != nil {
		r.rows.Close()
	}
	if r.tx != nil {
		r.tx.Rollback()
	}
	r.db.Close()
}

// exportTrailName names the trail in digest file names: iamd has one trail.
const exportTrailName = "iamd"

// exportBucket stands in for the S3 bucket in digest files, which name their log files by
// bucket and key: the export is a directory laid out like the bucket.
const exportBucket = "iamd-export"

// logBatch is the records of one account and region in one hour: one log file.
type logBatch struct {
	account, region string
	hour            time.Time
	records         [][]byte
	oldest, newest  time.Time
	lastHash        [32]byte
}

// digestChain is the previous digest of an account and region.
type digestChain struct {
	object string
	hash   string
	sig    string
}

type exporter struct {
	dir                string
	key                *rsa.PrivateKey
	fingerprint        string
	digests            map[string]*digestChain // account/region → previous digest
	next               map[string]time.Time    // account/region → first hour not yet written
	files, digestFiles int
}

func trailExport(ctx context.Context, cfg config.Config, dir, from, to string, stdout, stderr io.Writer) error {
	if dir == "" {
		return errors.New("trail export: --dir is required")
	}
	var start, end time.Time
	for _, t := range []struct {
		flag, v string
		dst     *time.Time
	}{{"from", from, &start}, {"to", to, &end}} {
		if t.v == "" {
			continue
		}
		v, err := time.Parse(time.RFC3339, t.v)
		if err != nil {
			return fmt.Errorf("trail export: --%s %q is not an RFC 3339 time", t.flag, t.v)
		}
		*t.dst = v
	}
	db, err := openTrail(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	key, err := signingKey(cfg.DataDir)
	if err != nil {
		return fmt.Errorf("trail export: %w", err)
	}
	ex := &exporter{dir: dir, key: key, fingerprint: audit.PublicKeyFingerprint(&key.PublicKey),
		digests: map[string]*digestChain{}, next: map[string]time.Time{}}
	batches := map[string]*logBatch{}
	cp, err := db.Checkpoint(ctx)
	if err != nil {
		return err
	}
	v := audit.ResumeVerifier(cp.Seq, cp.Hash)
	var n int64
	after := cp.Seq
	for {
		evs, err := db.Chain(ctx, after, chainPage)
		if err != nil {
			return err
		}
		for _, e := range evs {
			if err := v.Add(audit.Stored{Seq: e.Seq, Record: e.Chained(), Hash: e.Hash}); err != nil {
				var ce *audit.ChainError
				errors.As(err, &ce)
				return fmt.Errorf("trail export: the trail is broken (run iamd trail verify): %w", &trailError{ce})
			}
			if (!start.IsZero() && e.Time.Before(start)) || (!end.IsZero() && e.Time.After(end)) {
				continue
			}
			var meta struct {
				Region  string `json:"awsRegion"`
				Account string `json:"recipientAccountId"`
			}
			if err := json.Unmarshal(e.Record, &meta); err != nil {
				return fmt.Errorf("trail export: record %d: %w", e.Seq, err)
			}
			if meta.Account == "" {
				meta.Account = e.Account
			}
			k := meta.Account + "/" + meta.Region
			hour := e.Time.UTC().Truncate(time.Hour)
			// A record committed after its hour's file was written (records are in commit
			// order, which can trail event time by a moment) goes into the next file, as
			// CloudTrail delivers late events.
			if b := batches[k]; b != nil && hour.Before(b.hour) {
				hour = b.hour
			} else if next := ex.next[k]; hour.Before(next) {
				hour = next
			}
			// An hour is complete once a later one starts.
			if err := ex.flush(batches, func(b *logBatch) bool { return b.hour.Before(hour) }); err != nil {
				return err
			}
			b := batches[k]
			if b == nil {
				b = &logBatch{account: meta.Account, region: meta.Region, hour: hour, oldest: e.Time}
				batches[k] = b
			}
			b.records = append(b.records, e.Record)
			b.lastHash = e.Hash
			if e.Time.Before(b.oldest) {
				b.oldest = e.Time
			}
			if e.Time.After(b.newest) {
				b.newest = e.Time
			}
			n++
		}
		if len(evs) < chainPage {
			break
		}
		after = evs[len(evs)-1].Seq
	}
	if err := ex.flush(batches, func(*logBatch) bool { return true }); err != nil {
		return err
	}
	if err := ex.put(publicKeyFile, publicKeyPEM(&key.PublicKey)); err != nil {
		return err
	}
	head := v.Head()
	fmt.Fprintf(stdout, "exported %d records in %d log files and %d digest files to %s; trail head %s (record %d)\n",
		n, ex.files, ex.digestFiles, dir, hex.EncodeToString(head[:]), v.Seq())
	fmt.Fprintf(stdout, "digests signed with the key of fingerprint %s; public key in %s (iamd trail validate --dir %s)\n",
		ex.fingerprint, filepath.Join(dir, publicKeyFile), dir)
	return nil
}

// flush writes and forgets the batches done says are complete, in a stable order.
func (ex *exporter) flush(batches map[string]*logBatch, done func(*logBatch) bool) error {
	keys := make([]string, 0, len(batches))
	for k, b := range batches {
		if done(b) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		if err := ex.write(batches[k]); err != nil {
			return err
		}
		delete(batches, k)
	}
	return nil
}

// write writes a batch's log file and the digest file that covers it.
func (ex *exporter) write(b *logBatch) error {
	// The file ID is the batch's last chain hash: the same trail always exports the same names.
	id := hex.EncodeToString(b.lastHash[:8])
	name := audit.LogFileName(b.account, b.region, b.newest, id)
	var buf bytes.Buffer
	if err := audit.WriteLogFile(&buf, b.records); err != nil {
		return err
	}
	sum, err := gunzipSHA256(buf.Bytes())
	if err != nil {
		return err
	}
	if err := ex.put(name, buf.Bytes()); err != nil {
		return err
	}
	ex.files++
	ex.next[b.account+"/"+b.region] = b.hour.Add(time.Hour)
	return ex.digest(b, name, sum)
}

// digest writes the CloudTrail digest file for one log file, chained to the previous digest
// of the same account and region and signed as CloudTrail signs digests (SHA256withRSA).
// CloudTrail keeps the signature in the S3 object's metadata; a directory has none, so it
// goes into a sidecar file (digestMetadataSuffix) holding the same metadata keys.
func (ex *exporter) digest(b *logBatch, logObject, logHash string) error {
	end := b.hour.Add(time.Hour)
	object := audit.DigestFileName(b.account, b.region, exportTrailName, end)
	newest, oldest := ctTime(b.newest), ctTime(b.oldest)
	d := audit.Digest{
		AWSAccountID: b.account, DigestStartTime: ctTime(b.hour), DigestEndTime: ctTime(end),
		DigestS3Bucket: exportBucket, DigestS3Object: object,
		DigestPublicKeyFingerprint: ex.fingerprint, DigestSignatureAlgorithm: audit.DigestSignatureAlgorithm,
		NewestEventTime: &newest, OldestEventTime: &oldest,
		LogFiles: []audit.DigestLogFile{{S3Bucket: exportBucket, S3Object: logObject, HashValue: logHash,
			HashAlgorithm: audit.HashAlgorithmSHA256, NewestEventTime: newest, OldestEventTime: oldest}},
	}
	chainKey := b.account + "/" + b.region
	if prev := ex.digests[chainKey]; prev != nil {
		bucket, alg := exportBucket, audit.HashAlgorithmSHA256
		d.PreviousDigestS3Bucket, d.PreviousDigestS3Object, d.PreviousDigestHashValue = &bucket, &prev.object, &prev.hash
		d.PreviousDigestHashAlgorithm, d.PreviousDigestSignature = &alg, &prev.sig
	}
	body, err := json.Marshal(d)
	if err != nil {
		return err
	}
	sig, err := audit.SignDigest(ex.key, body)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(body)
	if err := zw.Close(); err != nil {
		return err
	}
	if err := ex.put(object, buf.Bytes()); err != nil {
		return err
	}
	meta, err := json.Marshal(digestMetadata{Signature: sig, SignatureAlgorithm: audit.DigestSignatureAlgorithm})
	if err != nil {
		return err
	}
	if err := ex.put(object+digestMetadataSuffix, meta); err != nil {
		return err
	}
	sum := sha256.Sum256(body)
	ex.digests[chainKey] = &digestChain{object: object, hash: hex.EncodeToString(sum[:]), sig: sig}
	ex.digestFiles++
	return nil
}

func ctTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

// gunzipSHA256 is the hex SHA-256 of a gzip file's uncompressed content, as digests record.
func gunzipSHA256(gz []byte) (string, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return "", err
	}
	h := sha256.New()
	if _, err := io.Copy(h, zr); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// put writes one object of the layout under the export directory, refusing to overwrite.
func (ex *exporter) put(object string, data []byte) error {
	path := filepath.Join(ex.dir, filepath.FromSlash(object))
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("trail export: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("trail export: %w", err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("trail export: %w", err)
	}
	return f.Close()
}
