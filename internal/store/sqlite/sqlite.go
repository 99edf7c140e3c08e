package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/iamd-dev/iamd/internal/audit"
	"github.com/iamd-dev/iamd/internal/store"
	_ "modernc.org/sqlite" // the pure-Go SQLite driver registers itself as "sqlite"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Config configures the SQLite backend.
type Config struct {
	// Path is the database file.
	Path string
	// Readers is the size of the read connection pool (default 4).
	Readers int
	// NoJournal makes Record write each batch in a transaction of its own instead of through
	// the record journal (journal.go).
	NoJournal bool
}

// DB is the SQLite store. Writes go through one connection (SQLite has one writer at a time);
// reads use a pool of read-only connections on the WAL snapshot.
type DB struct {
	w, r   *sql.DB
	logger *slog.Logger

	// Prepared statements of the hot paths, on each pool. lastEvent and lastBlock find the
	// chain's end (lastBefore), which each index transaction reads; putBlock, putBlockPostings,
	// putPosting (a merge, postings.go, or a prune's rewritten group) and putJournalPos are what
	// it writes.
	getW, getR, insertEvent, insertResource, lastEvent, lastBlock *sql.Stmt
	putBlock, putPosting, putBlockPostings, putJournalPos         *sql.Stmt
	// groupPage and groupBlocks are a lookup's in merged postings (scanPostings).
	groupPage, groupBlocks *sql.Stmt
	stmts                  []*sql.Stmt // all of them, for Close

	// wmu serializes this process's write transactions (Update, Prune, the bulk loads). The
	// chain head is read back in each transaction that appends: another process may have
	// appended since (a second opener of the database records in transactions of its own),
	// and BEGIN IMMEDIATE makes the read and the appends one step for every process.
	wmu sync.Mutex

	// j is the record journal, nil when another process holds it (inUse), or Config.NoJournal.
	j     *journal
	inUse bool
	// recs reads the records kept in journal files (records.go), whoever holds the journal.
	recs *recordFiles
	// scratch holds the buffers that the write transactions storing blocks reuse (under wmu;
	// blocks.go).
	scratch indexScratch
}

// writerCacheKiB is the write connection's SQLite page cache, in KiB (readers keep SQLite's
// default of 2 MB each). It was 64 MB for the row-per-record index of session 6; with blocks,
// BenchmarkRecordMixed over 10⁶ records took 6.0–6.3 µs a record with 16 MB against 7.2–8.0
// with 64 MB (docs/benchmarks.md, session 16), and a smaller cache stops growing into new
// memory sooner (a page fault is costly in VMs such as the one measured).
const writerCacheKiB = 16 << 10

const getEntitySQL = `SELECT ` + entityCols + ` FROM entities WHERE account = ? AND kind = ? AND name_key = ?`

const insertEventSQL = `INSERT INTO events (seq, time, account, source, name, event_id, username, access_key, read_only, resources, record, record_file, record_at, record_len, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

// insertResourceSQL indexes an event's resource name for LookupEvents (migration 0003).
const insertResourceSQL = `INSERT OR IGNORE INTO event_resources (account, name, type, seq) VALUES (?, ?, ?, ?)`

// The last event row and the last block before a Seq (lastBefore).
const (
	lastEventSQL = `SELECT seq, hash FROM events WHERE seq < ? ORDER BY seq DESC LIMIT 1`
	lastBlockSQL = `SELECT first_seq, n, last_hash FROM event_blocks WHERE first_seq < ? ORDER BY first_seq DESC LIMIT 1`
)

// What an index transaction writes: a block (insertBlock), its postings, the journal position.
const (
	putBlockSQL = `INSERT INTO event_blocks (first_seq, n, file, t_min, t_max, bytes, last_hash, meta) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`
	// OR IGNORE: a row already there (damage, which CheckBlocks reports) must not fail a
	// merge, and so every later index transaction (postings.go).
	putPostingSQL       = `INSERT OR IGNORE INTO event_postings (account, attr, value, first_seq, positions) VALUES (?, ?, ?, ?, ?)`
	putBlockPostingsSQL = `INSERT INTO event_block_postings (first_seq, entries, postings) VALUES (?, ?, ?)`
	putJournalPosSQL    = `INSERT INTO record_journal (id, generation, byte_offset) VALUES (1, ?, ?)
		ON CONFLICT (id) DO UPDATE SET generation = excluded.generation, byte_offset = excluded.byte_offset`
)

// LastSeqSQL selects the trail's last Seq, in the events table or in blocks (0: none).
const LastSeqSQL = `SELECT max(COALESCE((SELECT MAX(seq) FROM events), 0),
	COALESCE((SELECT first_seq + n - 1 FROM event_blocks ORDER BY first_seq DESC LIMIT 1), 0))`

var _ store.Store = (*DB)(nil)

// Open opens (creating if needed) the database and applies pending migrations.
func (c Config) Open(ctx context.Context, logger *slog.Logger) (*DB, error) {
	if c.Path == "" {
		return nil, errors.New("sqlite: no database path")
	}
	abs, err := filepath.Abs(c.Path)
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	// Create the file owner-only before SQLite does (its WAL and shared-memory files copy the
	// mode): the database holds sealed secrets and the audit trail.
	f, err := os.OpenFile(abs, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("sqlite: create %s: %w", abs, err)
	}
	f.Close()
	q := url.Values{}
	for _, p := range []string{"journal_mode(WAL)", "synchronous(NORMAL)", "busy_timeout(10000)", "foreign_keys(1)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	// The writer's page cache holds the hot leaf pages of the trail's lookup indexes (the
	// default 2 MB does not, once a trail has many resource names): indexing a record costs
	// ≈ 20% less (BenchmarkRecordMixed). Readers keep the default.
	writerCache := "&_pragma=" + url.QueryEscape(fmt.Sprintf("cache_size(%d)", -writerCacheKiB))
	w, err := sql.Open("sqlite", "file:"+abs+"?"+q.Encode()+writerCache)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", abs, err)
	}
	w.SetMaxOpenConns(1)
	w.SetConnMaxIdleTime(0)
	db := &DB{w: w, logger: logger, recs: newRecordFiles(filepath.Dir(abs), filepath.Base(abs)+".records.")}
	if err := db.migrate(ctx); err != nil {
		w.Close()
		return nil, err
	}
	if err := db.reindexEvents(ctx); err != nil {
		w.Close()
		return nil, err
	}
	q.Set("_txlock", "deferred")
	q.Add("_pragma", "query_only(1)")
	r, err := sql.Open("sqlite", "file:"+abs+"?"+q.Encode())
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlite: open readers %s: %w", abs, err)
	}
	n := c.Readers
	if n <= 0 {
		n = 4
	}
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	db.r = r
	for _, p := range []struct {
		dst  **sql.Stmt
		pool *sql.DB
		sql  string
	}{
		{&db.getW, w, getEntitySQL}, {&db.getR, r, getEntitySQL}, {&db.insertEvent, w, insertEventSQL},
		{&db.insertResource, w, insertResourceSQL}, {&db.lastEvent, w, lastEventSQL}, {&db.lastBlock, w, lastBlockSQL},
		{&db.putBlock, w, putBlockSQL}, {&db.putPosting, w, putPostingSQL}, {&db.putBlockPostings, w, putBlockPostingsSQL}, {&db.putJournalPos, w, putJournalPosSQL},
		{&db.groupPage, r, groupPageSQL}, {&db.groupBlocks, r, groupBlocksSQL},
	} {
		if *p.dst, err = p.pool.PrepareContext(ctx, p.sql); err != nil {
			db.Close()
			return nil, fmt.Errorf("sqlite: prepare: %w", err)
		}
		db.stmts = append(db.stmts, *p.dst)
	}
	if !c.NoJournal {
		if err := db.openJournal(ctx, abs); err != nil {
			db.Close()
			return nil, err
		}
	}
	return db, nil
}

// Close indexes the records journaled and closes both pools and the journal.
func (db *DB) Close() error {
	jerr := db.closeJournal()
	for _, st := range db.stmts {
		st.Close()
	}
	var rerr error
	if db.r != nil {
		rerr = db.r.Close()
	}
	werr := db.w.Close()
	db.recs.close()
	if db.j != nil {
		db.j.lock.Close()
	}
	return errors.Join(jerr, rerr, werr)
}

func (db *DB) migrate(ctx context.Context) error {
	if _, err := db.w.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied TEXT NOT NULL)`); err != nil {
		return fmt.Errorf("sqlite: migrations table: %w", err)
	}
	files, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	sort.Strings(files)
	if err := db.refuseNewer(ctx, files); err != nil {
		return err
	}
	for _, f := range files {
		base := filepath.Base(f)
		v, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil {
			return fmt.Errorf("sqlite: migration %s: bad number", base)
		}
		body, err := migrations.ReadFile(f)
		if err != nil {
			return fmt.Errorf("sqlite: %w", err)
		}
		err = db.writeTx(ctx, func(tx *sql.Tx) error {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, v).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			if _, err := tx.ExecContext(ctx, string(body)); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied) VALUES (?, ?)`, v, time.Now().UTC().Format(time.RFC3339))
			return err
		})
		if err != nil {
			return fmt.Errorf("sqlite: migration %s: %w", base, err)
		}
	}
	return nil
}

// errNewerSchema: the database has migrations this binary does not know: a newer iamd wrote
// it. Writing to it could break what that version keeps (an older binary appending rows would
// take Seqs that blocks hold, for one).
var errNewerSchema = errors.New("sqlite: the database was written by a newer iamd")

// refuseNewer returns errNewerSchema when schema_migrations holds a version that is neither
// one of the migration files nor a Go migration of this binary.
func (db *DB) refuseNewer(ctx context.Context, files []string) error {
	known := map[int]bool{reindexVersion: true}
	for _, f := range files {
		if v, err := strconv.Atoi(strings.SplitN(filepath.Base(f), "_", 2)[0]); err == nil {
			known[v] = true
		}
	}
	rows, err := db.w.QueryContext(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return fmt.Errorf("sqlite: migrations: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return fmt.Errorf("sqlite: migrations: %w", err)
		}
		if !known[v] {
			return fmt.Errorf("%w (schema migration %d; upgrade iamd to open it)", errNewerSchema, v)
		}
	}
	return rows.Err()
}

func (db *DB) writeTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// Update runs fn in a write transaction.
func (db *DB) Update(ctx context.Context, fn func(tx store.Tx) error) error {
	db.wmu.Lock()
	defer db.wmu.Unlock()
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: begin: %w", err)
	}
	t := &txn{reader: reader{tx: tx, get: db.getW}, db: db}
	var journaled batchTaken
	if db.j != nil {
		journaled = db.j.take()
	}
	err = t.index(ctx, journaled)
	if err == nil {
		err = fn(t)
	}
	if err == nil && journaled.end != (journalPos{}) {
		err = db.j.sync(journaled)
	}
	if err != nil {
		tx.Rollback()
		db.j.giveBack(journaled)
		return err
	}
	if err := tx.Commit(); err != nil {
		db.j.giveBack(journaled)
		return fmt.Errorf("sqlite: commit: %w", err)
	}
	db.j.indexed(journaled)
	return nil
}

// index appends journaled records taken from the record journal and moves its position past
// them, in the transaction.
func (t *txn) index(ctx context.Context, b batchTaken) error {
	if b.end == (journalPos{}) {
		return nil
	}
	if err := t.appendJournaled(ctx, &b.recs); err != nil {
		return err
	}
	_, err := t.tx.StmtContext(ctx, t.db.putJournalPos).ExecContext(ctx, b.end.gen, b.end.off)
	if err != nil {
		return fmt.Errorf("sqlite: record journal position: %w", err)
	}
	return nil
}

// View runs fn in a read transaction on a consistent snapshot.
func (db *DB) View(ctx context.Context, fn func(r store.Reader) error) error {
	tx, err := db.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("sqlite: begin: %w", err)
	}
	defer tx.Rollback()
	return fn(reader{tx: tx, get: db.getR})
}

type reader struct {
	tx  *sql.Tx
	get *sql.Stmt
}

type txn struct {
	reader
	db       *DB
	head     [32]byte // chain head after this transaction's appends
	next     int64    // the Seq of the next event appended
	appended bool     // head and next are known
}

func key(name string) string { return strings.ToLower(name) }

const entityCols = `account, kind, name, id, path, created, data`

func scanEntity(row interface{ Scan(...any) error }) (*store.Entity, error) {
	var e store.Entity
	var kind, created string
	if err := row.Scan(&e.Account, &kind, &e.Name, &e.ID, &e.Path, &created, &e.Data); err != nil {
		return nil, err
	}
	e.Kind = store.Kind(kind)
	t, err := time.Parse(time.RFC3339Nano, created)
	if err != nil {
		return nil, fmt.Errorf("sqlite: entity %s/%s: bad created time %q", kind, e.Name, created)
	}
	e.Created = t
	return &e, nil
}

func notFound(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%s: %w", what, store.ErrNotFound)
	}
	return fmt.Errorf("sqlite: %s: %w", what, err)
}

func (r reader) Get(ctx context.Context, account string, kind store.Kind, name string) (*store.Entity, error) {
	row := r.tx.StmtContext(ctx, r.get).QueryRowContext(ctx, account, string(kind), key(name))
	e, err := scanEntity(row)
	if err != nil {
		return nil, notFound(err, fmt.Sprintf("get %s %q", kind, name))
	}
	return e, nil
}

func (r reader) GetByID(ctx context.Context, account string, kind store.Kind, id string) (*store.Entity, error) {
	row := r.tx.QueryRowContext(ctx, `SELECT `+entityCols+` FROM entities WHERE account = ? AND kind = ? AND id = ? AND id <> ''`, account, string(kind), id)
	e, err := scanEntity(row)
	if err != nil {
		return nil, notFound(err, fmt.Sprintf("get %s id %q", kind, id))
	}
	return e, nil
}

func (r reader) List(ctx context.Context, account string, kind store.Kind, p store.Page) ([]*store.Entity, string, error) {
	q := `SELECT ` + entityCols + `, name_key FROM entities WHERE account = ? AND kind = ? AND name_key > ?`
	args := []any{account, string(kind), p.Marker}
	if p.PathPrefix != "" && p.PathPrefix != "/" {
		q += ` AND substr(path, 1, ?) = ?`
		args = append(args, len(p.PathPrefix), p.PathPrefix)
	}
	q += ` ORDER BY name_key`
	if p.Limit > 0 {
		q += ` LIMIT ?`
		args = append(args, p.Limit+1)
	}
	rows, err := r.tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, "", fmt.Errorf("sqlite: list %s: %w", kind, err)
	}
	defer rows.Close()
	var out []*store.Entity
	var keys []string
	for rows.Next() {
		var e store.Entity
		var k, created, nk string
		if err := rows.Scan(&e.Account, &k, &e.Name, &e.ID, &e.Path, &created, &e.Data, &nk); err != nil {
			return nil, "", fmt.Errorf("sqlite: list %s: %w", kind, err)
		}
		e.Kind = store.Kind(k)
		if e.Created, err = time.Parse(time.RFC3339Nano, created); err != nil {
			return nil, "", fmt.Errorf("sqlite: entity %s/%s: bad created time", k, e.Name)
		}
		out = append(out, &e)
		keys = append(keys, nk)
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("sqlite: list %s: %w", kind, err)
	}
	next := ""
	if p.Limit > 0 && len(out) > p.Limit {
		out = out[:p.Limit]
		next = keys[p.Limit-1]
	}
	return out, next, nil
}

func (r reader) Count(ctx context.Context, account string, kind store.Kind) (int, error) {
	var n int
	// entity_counts is kept by triggers (migration 0008).
	err := r.tx.QueryRowContext(ctx, `SELECT coalesce((SELECT n FROM entity_counts WHERE account = ? AND kind = ?), 0)`, account, string(kind)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("sqlite: count %s: %w", kind, err)
	}
	return n, nil
}

func (r reader) links(ctx context.Context, q string, args ...any) ([]string, error) {
	rows, err := r.tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: links: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, fmt.Errorf("sqlite: links: %w", err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: links: %w", err)
	}
	return out, nil
}

func (r reader) Links(ctx context.Context, account string, kind store.LinkKind, from string) ([]string, error) {
	return r.links(ctx, `SELECT to_name FROM links WHERE account = ? AND kind = ? AND from_key = ? ORDER BY to_key`, account, string(kind), key(from))
}

func (r reader) LinksTo(ctx context.Context, account string, kind store.LinkKind, to string) ([]string, error) {
	return r.links(ctx, `SELECT from_name FROM links WHERE account = ? AND kind = ? AND to_key = ? ORDER BY from_key`, account, string(kind), key(to))
}

func created(e *store.Entity) string {
	if e.Created.IsZero() {
		return time.Now().UTC().Format(time.RFC3339Nano)
	}
	return e.Created.UTC().Format(time.RFC3339Nano)
}

func (t *txn) Create(ctx context.Context, e *store.Entity) error {
	path := e.Path
	if path == "" {
		path = "/"
	}
	res, err := t.tx.ExecContext(ctx, `INSERT INTO entities (account, kind, name_key, name, id, path, created, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		e.Account, string(e.Kind), key(e.Name), e.Name, e.ID, path, created(e), e.Data)
	if err != nil {
		return fmt.Errorf("sqlite: create %s %q: %w", e.Kind, e.Name, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("create %s %q: %w", e.Kind, e.Name, store.ErrExists)
	}
	return nil
}

func (t *txn) Update(ctx context.Context, e *store.Entity) error {
	path := e.Path
	if path == "" {
		path = "/"
	}
	res, err := t.tx.ExecContext(ctx, `UPDATE entities SET name = ?, id = ?, path = ?, data = ? WHERE account = ? AND kind = ? AND name_key = ?`,
		e.Name, e.ID, path, e.Data, e.Account, string(e.Kind), key(e.Name))
	if err != nil {
		return fmt.Errorf("sqlite: update %s %q: %w", e.Kind, e.Name, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("update %s %q: %w", e.Kind, e.Name, store.ErrNotFound)
	}
	return nil
}

// linkKinds maps an entity kind to the relations whose ends name entities of that kind.
var linkKinds = map[store.Kind]struct{ from, to []store.LinkKind }{
	store.KindGroup:           {from: []store.LinkKind{store.LinkMember, store.LinkGroupPolicy}},
	store.KindUser:            {from: []store.LinkKind{store.LinkUserPolicy, store.LinkUserKey, store.LinkUserMFA}, to: []store.LinkKind{store.LinkMember}},
	store.KindRole:            {from: []store.LinkKind{store.LinkRolePolicy}, to: []store.LinkKind{store.LinkProfileRole}},
	store.KindPolicy:          {to: []store.LinkKind{store.LinkUserPolicy, store.LinkGroupPolicy, store.LinkRolePolicy}},
	store.KindInstanceProfile: {from: []store.LinkKind{store.LinkProfileRole}},
	store.KindAccessKey:       {to: []store.LinkKind{store.LinkUserKey}},
	store.KindMFADevice:       {to: []store.LinkKind{store.LinkUserMFA}},
	// Credential links start at a user ID, not a name: deleting a user by name cannot clean
	// them (DeleteUser refuses while they exist); deleting the credential does.
	store.KindSSHPublicKey:       {to: []store.LinkKind{store.LinkUserSSHKey}},
	store.KindSigningCertificate: {to: []store.LinkKind{store.LinkUserSigningCert}},
	store.KindServiceCredential:  {to: []store.LinkKind{store.LinkUserServiceCred}},
}

func (t *txn) Delete(ctx context.Context, account string, kind store.Kind, name string) error {
	res, err := t.tx.ExecContext(ctx, `DELETE FROM entities WHERE account = ? AND kind = ? AND name_key = ?`, account, string(kind), key(name))
	if err != nil {
		return fmt.Errorf("sqlite: delete %s %q: %w", kind, name, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("delete %s %q: %w", kind, name, store.ErrNotFound)
	}
	lk := linkKinds[kind]
	for _, l := range lk.from {
		if _, err := t.tx.ExecContext(ctx, `DELETE FROM links WHERE account = ? AND kind = ? AND from_key = ?`, account, string(l), key(name)); err != nil {
			return fmt.Errorf("sqlite: delete links of %s %q: %w", kind, name, err)
		}
	}
	for _, l := range lk.to {
		if _, err := t.tx.ExecContext(ctx, `DELETE FROM links WHERE account = ? AND kind = ? AND to_key = ?`, account, string(l), key(name)); err != nil {
			return fmt.Errorf("sqlite: delete links to %s %q: %w", kind, name, err)
		}
	}
	return nil
}

func (t *txn) Link(ctx context.Context, account string, kind store.LinkKind, from, to string) error {
	_, err := t.tx.ExecContext(ctx, `INSERT INTO links (account, kind, from_key, to_key, from_name, to_name) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		account, string(kind), key(from), key(to), from, to)
	if err != nil {
		return fmt.Errorf("sqlite: link %s %q → %q: %w", kind, from, to, err)
	}
	return nil
}

func (t *txn) Unlink(ctx context.Context, account string, kind store.LinkKind, from, to string) error {
	res, err := t.tx.ExecContext(ctx, `DELETE FROM links WHERE account = ? AND kind = ? AND from_key = ? AND to_key = ?`, account, string(kind), key(from), key(to))
	if err != nil {
		return fmt.Errorf("sqlite: unlink %s %q → %q: %w", kind, from, to, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("unlink %s %q → %q: %w", kind, from, to, store.ErrNotFound)
	}
	return nil
}

func (t *txn) Append(ctx context.Context, events ...*store.Event) error {
	if len(events) == 0 {
		return nil
	}
	if err := t.chainEnd(ctx); err != nil {
		return err
	}
	prev := t.head
	insert := t.tx.StmtContext(ctx, t.db.insertEvent)
	for _, e := range events {
		prev = audit.Link(prev, e.Record)
		res := ""
		if len(e.Resources) > 0 {
			res = "\n" + strings.Join(e.Resources, "\n") + "\n"
		}
		seq := t.next
		_, err := insert.ExecContext(ctx, seq, e.Time.UTC().UnixNano(), e.Account, e.Source, e.Name, e.ID, e.Username, e.AccessKey, e.ReadOnly, res, e.Record, 0, 0, 0, prev[:])
		if err != nil {
			return fmt.Errorf("sqlite: append event %s: %w", e.Name, err)
		}
		if len(e.Resources) > 0 {
			if err := t.indexResources(ctx, seq, e); err != nil {
				return err
			}
		}
		t.head, t.next = prev, seq+1
	}
	return nil
}

// appendJournaled appends records from the record journal as blocks (blocks.go), leaving
// each record in its file.
func (t *txn) appendJournaled(ctx context.Context, p *pendingRecords) error {
	if len(p.recs) == 0 {
		return nil
	}
	if err := t.chainEnd(ctx); err != nil {
		return err
	}
	var hashes [][32]byte
	if n := len(p.recs); n <= 4*indexBatch {
		hashes = grown(&t.db.scratch.hashes, n)
	} else {
		hashes = make([][32]byte, n) // a backlog's (the replay's): not kept
	}
	prev := t.head
	for i := range p.recs {
		prev = audit.Link(prev, p.record(i))
		hashes[i] = prev
	}
	if err := t.db.writeBlocks(ctx, t.tx, t.next, p, hashes); err != nil {
		return err
	}
	if err := t.db.mergeIfDue(ctx, t.tx); err != nil {
		return err
	}
	t.head, t.next = prev, t.next+int64(len(p.recs))
	return nil
}

// chainEnd reads the chain head and the next Seq at the transaction's first append.
func (t *txn) chainEnd(ctx context.Context) error {
	if t.appended {
		return nil
	}
	seq, h, _, err := t.db.chainEnd(ctx, t.tx)
	if err != nil {
		return fmt.Errorf("sqlite: append events: %w", err)
	}
	t.head, t.next, t.appended = h, seq+1, true
	return nil
}

// indexResources adds the event's resource names to event_resources, under its Seq.
func (t *txn) indexResources(ctx context.Context, seq int64, e *store.Event) error {
	st := t.tx.StmtContext(ctx, t.db.insertResource)
	for _, r := range e.Resources {
		typ, name, _ := strings.Cut(r, "\x00")
		if _, err := st.ExecContext(ctx, e.Account, name, typ, seq); err != nil {
			return fmt.Errorf("sqlite: append event %s: resource %q: %w", e.Name, name, err)
		}
	}
	return nil
}

const eventCols = `seq, time, account, source, name, event_id, username, access_key, read_only, resources, record, record_file, record_at, record_len, hash`

// qualifiedEventCols are eventCols for queries that join events to another table.
const qualifiedEventCols = `events.seq, events.time, events.account, events.source, events.name, events.event_id, events.username, events.access_key, events.read_only, events.resources, events.record, events.record_file, events.record_at, events.record_len, events.hash`

func (db *DB) scanEvents(ctx context.Context, qr querier, q string, args ...any) ([]*store.StoredEvent, error) {
	rows, err := qr.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: events: %w", err)
	}
	defer rows.Close()
	var out []*store.StoredEvent
	var locs []recordLoc
	journaled := false
	for rows.Next() {
		var e store.StoredEvent
		var ns int64
		var res string
		var h []byte
		var loc recordLoc
		if err := rows.Scan(&e.Seq, &ns, &e.Account, &e.Source, &e.Name, &e.ID, &e.Username, &e.AccessKey, &e.ReadOnly, &res, &e.Record, &loc.gen, &loc.at, &loc.n, &h); err != nil {
			return nil, fmt.Errorf("sqlite: events: %w", err)
		}
		locs = append(locs, loc)
		journaled = journaled || loc.gen != 0
		e.Time = time.Unix(0, ns).UTC()
		if res != "" {
			e.Resources = strings.Split(strings.Trim(res, "\n"), "\n")
		}
		copy(e.Hash[:], h)
		out = append(out, &e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: events: %w", err)
	}
	if journaled {
		if err := db.recs.fill(out, locs); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Events returns matching events, newest first: those of the events table and those kept
// in blocks (blocks.go), merged.
func (db *DB) Events(ctx context.Context, f store.EventFilter) ([]*store.StoredEvent, error) {
	if err := db.catchUp(ctx); err != nil {
		return nil, err
	}
	tx, err := db.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("sqlite: events: %w", err)
	}
	defer tx.Rollback()
	rows, err := db.rowEvents(ctx, tx, f)
	if err != nil {
		return nil, err
	}
	blocks, err := db.blockMatches(ctx, tx, f)
	if err != nil {
		return nil, err
	}
	return asJSON(mergeBySeq(rows, blocks, f.Limit, true)), nil
}

// asJSON gives the events whose record is kept compact their JSON, keeping the compact bytes
// as Stored (what the chain hashes). A compact record that no longer parses (the file was
// edited) gives an event with no record, as a frame that no longer decodes does.
func asJSON(evs []*store.StoredEvent) []*store.StoredEvent {
	for _, e := range evs {
		if audit.IsCompact(e.Record) {
			e.Stored = e.Record
			e.Record, _ = audit.RecordJSON(e.Stored)
		}
	}
	return evs
}

// rowEvents returns matching events of the events table, newest first. A resource name
// filter reads the newest matches from the event_resources index (migration 0003), joined
// to events.
func (db *DB) rowEvents(ctx context.Context, qr querier, f store.EventFilter) ([]*store.StoredEvent, error) {
	q := `SELECT ` + qualifiedEventCols + ` FROM events WHERE events.account = ?`
	args := []any{f.Account}
	order := "events.seq"
	add := func(cond string, v any) { q += " AND " + cond; args = append(args, v) }
	if f.Resource != "" {
		typ, name, _ := strings.Cut(f.Resource, "\x00")
		switch {
		case name != "":
			q = `SELECT ` + qualifiedEventCols + ` FROM event_resources AS r JOIN events ON events.seq = r.seq WHERE r.account = ? AND r.name = ?`
			args = []any{f.Account, name}
			order = "r.seq"
			if typ != "" {
				add("r.type = ?", typ)
			}
		default:
			add("instr(events.resources, ?) > 0", "\n"+typ+"\x00")
		}
	}
	// The lookup attribute's index, or the table itself, is read newest first and the time
	// range checked per row: the unary + keeps SQLite from reading the whole range from the
	// time index and sorting it (seconds for a wide range over 10⁶ records). A window far in
	// the past without another attribute still reads every newer record.
	const tcol = "+events.time"
	if order == "events.seq" && f.Name == "" && f.ID == "" && f.Username == "" && f.AccessKey == "" {
		// No lookup attribute: read the table newest first; an index on (account, …) would
		// have SQLite read the whole account and sort it.
		q = strings.Replace(q, "WHERE events.account = ?", "WHERE +events.account = ?", 1)
	}
	if !f.Start.IsZero() {
		add(tcol+" >= ?", f.Start.UTC().UnixNano())
	}
	if !f.End.IsZero() {
		add(tcol+" <= ?", f.End.UTC().UnixNano())
	}
	if f.Name != "" {
		add("events.name = ?", f.Name)
	}
	if f.ID != "" {
		add("events.event_id = ?", f.ID)
	}
	if f.Username != "" {
		add("events.username = ?", f.Username)
	}
	if f.AccessKey != "" {
		add("events.access_key = ?", f.AccessKey)
	}
	if f.Source != "" {
		add("events.source = ?", f.Source)
	}
	if f.ReadOnly != nil {
		add("events.read_only = ?", *f.ReadOnly)
	}
	if f.BeforeSeq > 0 {
		add(order+" < ?", f.BeforeSeq)
	}
	if order == "r.seq" {
		// An event with the name under two types (a user and a role named alike) has two
		// event_resources rows: it is one event.
		q += " GROUP BY r.seq"
	}
	q += " ORDER BY " + order + " DESC"
	if f.Limit > 0 {
		q += " LIMIT ?"
		args = append(args, f.Limit)
	}
	return db.scanEvents(ctx, qr, q, args...)
}

// Chain returns events after seq `after` in order.
func (db *DB) Chain(ctx context.Context, after int64, limit int) ([]*store.StoredEvent, error) {
	if limit <= 0 {
		limit = 1000
	}
	if err := db.catchUp(ctx); err != nil {
		return nil, err
	}
	tx, err := db.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("sqlite: events: %w", err)
	}
	defer tx.Rollback()
	rows, err := db.scanEvents(ctx, tx, `SELECT `+eventCols+` FROM events WHERE seq > ? ORDER BY seq LIMIT ?`, after, limit)
	if err != nil {
		return nil, err
	}
	blocks, err := db.blockChain(ctx, tx, after, limit)
	if err != nil {
		return nil, err
	}
	return asJSON(mergeBySeq(rows, blocks, limit, false)), nil
}
