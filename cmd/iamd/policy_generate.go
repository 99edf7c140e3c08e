package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/iamd-dev/iamd/internal/arn"
	"github.com/iamd-dev/iamd/internal/audit"
	"github.com/iamd-dev/iamd/internal/authz"
	"github.com/iamd-dev/iamd/internal/catalog"
	"github.com/iamd-dev/iamd/internal/catalog/lintcat"
	"github.com/iamd-dev/iamd/internal/config"
	"github.com/iamd-dev/iamd/internal/iam"
	"github.com/iamd-dev/iamd/internal/polgen"
	"github.com/iamd-dev/iamd/internal/policy"
	"github.com/iamd-dev/iamd/internal/store"
	"github.com/iamd-dev/iamd/internal/store/sqlite"
)

// policyGenerateUsage is the usage of `iamd policy generate`.
const policyGenerateUsage = `  iamd policy generate --principal ARN [--from TIME] [--to TIME] [--trail PATH] [--data DIR]
                       [--type KIND] [--json]
      generate a least-privilege policy from the principal's activity: ARN is an IAM user
      (arn:aws:iam::ACCOUNT:user/PATH/NAME) or role (arn:aws:iam::ACCOUNT:role/PATH/NAME; all
      its sessions count), spelt as CloudTrail records it (path included) unless iamd's store
      has the principal. The records are read from iamd's own trail (DIR/iamd.db, also
      while the server runs), or with --trail PATH from real CloudTrail: PATH is either a
      directory of CloudTrail log files (AWSLogs/... or flat, .json or .json.gz) or a
      database made by iamd trail import. TIME is RFC 3339 ("2024-05-01T00:00:00Z"), a date
      ("2024-05-01", UTC midnight) or a time relative to now ("-90d", "-12h", "-30m"); the
      window is [--from, --to), everything by default. KIND (identity by default, or
      boundary or session) sets the size quota the policy must fit.
      Prints the policy document on standard output and, on standard error, notes on how it
      was made and the comparison with the principal's current policies in iamd's store
      (granted and used, granted and never used, used but denied); when the principal is not
      in the store the comparison is unavailable. --json prints one JSON object instead:
      {"policy": DOCUMENT, "notes", "used", "denied", "diff", "stats"}.
`

// policyGenerate runs `iamd policy generate`.
func policyGenerate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	return policyGenerateAt(ctx, args, getenv, time.Now().UTC(), stdout, stderr)
}

// policyGenerateAt is policyGenerate with the time relative windows count from.
func policyGenerateAt(ctx context.Context, args []string, getenv func(string) string, now time.Time, stdout, stderr io.Writer) error {
	cfg := config.Default(getenv("HOME"), getenv("XDG_DATA_HOME"))
	fs := flag.NewFlagSet("iamd policy generate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var principal, from, to, trailPath, kindName string
	fs.StringVar(&principal, "principal", "", "ARN of the IAM user or role (required)")
	fs.StringVar(&from, "from", "", "start of the window (RFC 3339, YYYY-MM-DD or -90d/-12h/-30m)")
	fs.StringVar(&to, "to", "", "end of the window, exclusive (same forms)")
	fs.StringVar(&trailPath, "trail", "", "CloudTrail log directory or iamd trail import database (default: iamd's own trail)")
	fs.StringVar(&cfg.DataDir, "data", cfg.DataDir, "data directory (its iamd.db holds the trail and the principal's policies)")
	fs.StringVar(&kindName, "type", "identity", "policy type whose size quota applies: identity, boundary or session")
	asJSON := fs.Bool("json", false, "print one JSON object with the policy, notes and comparison")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if principal == "" {
		return errors.New("policy generate: --principal ARN is required")
	}
	kind, ok := map[string]policy.Kind{"identity": policy.Identity, "boundary": policy.Boundary, "session": policy.Session}[strings.ToLower(kindName)]
	if !ok {
		return fmt.Errorf("policy generate: unknown --type %q (want identity, boundary or session)", kindName)
	}
	var o polgen.Options
	var err error
	if o.From, err = parseWhen(from, now); err != nil {
		return fmt.Errorf("policy generate: --from: %w", err)
	}
	if o.To, err = parseWhen(to, now); err != nil {
		return fmt.Errorf("policy generate: --to: %w", err)
	}
	o.Principal, o.Kind = principal, kind
	// Validate the result with the same adapter as iamd policy validate.
	if o.Catalog, err = catalog.Load(); err != nil {
		return fmt.Errorf("policy generate: %w", err)
	}
	lint := lintcat.Adapt(o.Catalog)
	o.Lint = &lint
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))

	// The principal's policies today, from iamd's store when it has one.
	var own *sqlite.DB
	if _, err := os.Stat(filepath.Join(cfg.DataDir, "iamd.db")); err == nil {
		if own, err = openTrail(ctx, cfg, stderr); err != nil {
			return fmt.Errorf("policy generate: %w", err)
		}
		defer own.Close()
		cur, canonical, err := currentPolicies(ctx, own, principal)
		if err != nil {
			return fmt.Errorf("policy generate: %w", err)
		}
		if cur != nil {
			o.Current, o.Principal = cur, canonical
		}
		o.IAMPath = storePaths(ctx, own, o.Principal)
	}
	g, err := polgen.New(o)
	if err != nil {
		return fmt.Errorf("policy generate: %w", err)
	}
	var skipped int
	switch {
	case trailPath == "":
		if own == nil {
			return fmt.Errorf("policy generate: no iamd database at %s (use --data DIR, or --trail for CloudTrail files)", filepath.Join(cfg.DataDir, "iamd.db"))
		}
		skipped, err = addChain(ctx, own, g)
	default:
		skipped, err = addTrail(ctx, trailPath, g, logger, stderr)
	}
	if err != nil {
		return fmt.Errorf("policy generate: %w", err)
	}
	res, err := g.Result()
	if err != nil {
		return fmt.Errorf("policy generate: %w", err)
	}
	if skipped > 0 {
		res.Notes = append(res.Notes, fmt.Sprintf("%d records that are not CloudTrail records were skipped.", skipped))
	}
	if *asJSON {
		return writeGenerateJSON(stdout, res)
	}
	if _, err := io.WriteString(stdout, res.Policy); err != nil {
		return fmt.Errorf("policy generate: write: %w", err)
	}
	writeGenerateReport(stderr, res)
	return nil
}

// parseWhen reads a window bound: "" (unbounded), RFC 3339, a date, or -N{d,h,m} before now.
func parseWhen(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	if len(s) >= 3 && s[0] == '-' {
		n, err := strconv.Atoi(s[1 : len(s)-1])
		if err == nil && n >= 0 {
			switch s[len(s)-1] {
			case 'd':
				return now.Add(-time.Duration(n) * 24 * time.Hour), nil
			case 'h':
				return now.Add(-time.Duration(n) * time.Hour), nil
			case 'm':
				return now.Add(-time.Duration(n) * time.Minute), nil
			}
		}
	}
	return time.Time{}, fmt.Errorf("%q is not RFC 3339, YYYY-MM-DD or a relative time such as -90d, -12h or -30m", s)
}

// chainReaders is how many goroutines read pages of the trail at once: reading SQLite costs
// several times what generating does.
const chainReaders = 2

// addChain feeds every record of a trail database up to its current end to g, in order, and
// returns how many were not CloudTrail records. Pages of the trail are read by chainReaders
// goroutines, a few pages ahead of the generation, and fed in order (so that the result does
// not depend on timing).
func addChain(ctx context.Context, db *sqlite.DB, g *polgen.Generator) (int, error) {
	cp, err := db.Checkpoint(ctx)
	if err != nil {
		return 0, err
	}
	// The Seq the next event will get; records appended from now on are not read.
	next, err := db.SeqAt(ctx, time.Unix(0, math.MaxInt64)) // the last time the store can hold
	if err != nil {
		return 0, err
	}
	first, last := cp.Seq, next-1
	pages := int((last - first + chainPage - 1) / chainPage)
	type page struct {
		evs []*store.StoredEvent
		err error
	}
	results := make([]chan page, pages)
	for i := range results {
		results[i] = make(chan page, 1)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ahead := make(chan struct{}, 2*chainReaders) // pages read but not yet generated from
	jobs := make(chan int)
	go func() {
		defer close(jobs)
		for k := range pages {
			select {
			case ahead <- struct{}{}:
			case <-ctx.Done():
				return
			}
			jobs <- k
		}
	}()
	for range chainReaders {
		go func() {
			for k := range jobs {
				lo := first + int64(k)*chainPage
				evs, err := db.Chain(ctx, lo, chainPage)
				// Pruning leaves no gaps, but keep to the page's range whatever the Seqs.
				for len(evs) > 0 && evs[len(evs)-1].Seq > lo+chainPage {
					evs = evs[:len(evs)-1]
				}
				results[k] <- page{evs, err}
			}
		}()
	}
	skipped := 0
	for k := range pages {
		p := <-results[k]
		<-ahead
		if p.err != nil {
			return 0, p.err
		}
		for _, e := range p.evs {
			if g.Add(e.Record) != nil {
				skipped++
			}
		}
	}
	return skipped, nil
}

// sqliteMagic starts every SQLite database file.
var sqliteMagic = []byte("SQLite format 3\x00")

// addTrail feeds the records of --trail PATH to g: a directory of CloudTrail log files, or a
// database made by iamd trail import.
func addTrail(ctx context.Context, path string, g *polgen.Generator, logger *slog.Logger, stderr io.Writer) (int, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return 0, fmt.Errorf("--trail: %w", err)
	}
	if !fi.IsDir() {
		head := make([]byte, len(sqliteMagic))
		f, err := os.Open(path)
		if err != nil {
			return 0, fmt.Errorf("--trail: %w", err)
		}
		_, err = io.ReadFull(f, head)
		f.Close()
		if err != nil || !bytes.Equal(head, sqliteMagic) {
			return 0, fmt.Errorf("--trail: %s is neither a directory of CloudTrail log files nor a database made by iamd trail import", path)
		}
		db, err := sqlite.Config{Path: path}.Open(ctx, logger)
		if err != nil {
			return 0, fmt.Errorf("--trail: %w", err)
		}
		defer db.Close()
		return addChain(ctx, db, g)
	}
	return addLogDir(ctx, path, g, stderr)
}

// addLogDir feeds the records of a directory of CloudTrail log files to g, in file order.
// A file that is not a log file is reported and skipped. One goroutine reads and decompresses
// the files while this one generates.
func addLogDir(ctx context.Context, dir string, g *polgen.Generator, stderr io.Writer) (int, error) {
	files, err := logFiles(dir)
	if err != nil {
		return 0, fmt.Errorf("--trail: %w", err)
	}
	if len(files) == 0 {
		return 0, fmt.Errorf("--trail: no CloudTrail log files (.json, .json.gz) under %s", dir)
	}
	type logFile struct {
		rel              string
		recs             [][]byte
		readErr, badFile error
	}
	loaded := make(chan logFile, 2)
	go func() {
		defer close(loaded)
		for _, rel := range files {
			if ctx.Err() != nil {
				return
			}
			data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(rel)))
			if err != nil {
				loaded <- logFile{rel: rel, readErr: err}
				return
			}
			recs, err := audit.ReadLogFile(data)
			loaded <- logFile{rel: rel, recs: recs, badFile: err}
		}
	}()
	skipped := 0
	var readErr error
	for f := range loaded {
		if f.readErr != nil {
			readErr = fmt.Errorf("--trail: %w", f.readErr)
		}
		if f.badFile != nil {
			fmt.Fprintf(stderr, "iamd: policy generate: skipped %s: %v\n", f.rel, f.badFile)
		}
		for _, r := range f.recs {
			if g.Add(r) != nil {
				skipped++
			}
		}
	}
	if readErr != nil {
		return 0, readErr
	}
	return skipped, ctx.Err()
}

// currentPolicies loads the principal's identity-based policies from iamd's store, with its
// ARN as IAM spells it; nil when the store has no such principal.
func currentPolicies(ctx context.Context, db store.Store, principal string) (*polgen.Current, string, error) {
	a, err := arn.Parse(principal)
	if err != nil || a.Service != "iam" {
		return nil, "", nil
	}
	typ, rest, _ := strings.Cut(a.Resource, "/")
	name := rest[strings.LastIndexByte(rest, '/')+1:]
	var cur *polgen.Current
	var canonical string
	err = db.View(ctx, func(r store.Reader) error {
		cur, canonical = nil, ""
		c := &polgen.Current{}
		var boundary string
		switch typ {
		case "user":
			var u iam.User
			if ok, err := getEntity(ctx, r, a.Account, store.KindUser, name, &u); !ok || err != nil {
				return err
			}
			canonical, boundary = iam.UserARN(a.Account, u.Path, u.Name), u.Boundary
			addInline(c, canonical, u.Inline)
			if err := addAttached(ctx, r, c, a.Account, store.LinkUserPolicy, u.Name); err != nil {
				return err
			}
			groups, err := r.LinksTo(ctx, a.Account, store.LinkMember, u.Name)
			if err != nil {
				return err
			}
			for _, gname := range groups {
				var grp iam.Group
				if ok, err := getEntity(ctx, r, a.Account, store.KindGroup, gname, &grp); !ok || err != nil {
					return err
				}
				addInline(c, iam.GroupARN(a.Account, grp.Path, grp.Name), grp.Inline)
				if err := addAttached(ctx, r, c, a.Account, store.LinkGroupPolicy, grp.Name); err != nil {
					return err
				}
			}
		case "role":
			var role iam.Role
			if ok, err := getEntity(ctx, r, a.Account, store.KindRole, name, &role); !ok || err != nil {
				return err
			}
			canonical, boundary = iam.RoleARN(a.Account, role.Path, role.Name), role.Boundary
			addInline(c, canonical, role.Inline)
			if err := addAttached(ctx, r, c, a.Account, store.LinkRolePolicy, role.Name); err != nil {
				return err
			}
		default:
			return nil
		}
		if boundary != "" {
			doc, err := managedDocument(ctx, r, boundary)
			if err != nil {
				return err
			}
			c.Boundary = doc
		}
		cur = c
		return nil
	})
	if err != nil {
		return nil, "", fmt.Errorf("load the policies of %s: %w", principal, err)
	}
	return cur, canonical, nil
}

// storePaths looks up the paths of IAM entities in the principal's account in iamd's store,
// for records that name an entity without its path.
func storePaths(ctx context.Context, db store.Store, principal string) func(kind, name string) (string, bool) {
	a, err := arn.Parse(principal)
	if err != nil {
		return nil
	}
	kinds := map[string]store.Kind{"user": store.KindUser, "role": store.KindRole, "group": store.KindGroup,
		"policy": store.KindPolicy, "instance-profile": store.KindInstanceProfile}
	return func(kind, name string) (string, bool) {
		k, ok := kinds[kind]
		if !ok {
			return "", false
		}
		var path string
		err := db.View(ctx, func(r store.Reader) error {
			e, err := r.Get(ctx, a.Account, k, name)
			if err == nil {
				path = e.Path
			}
			return err
		})
		return path, err == nil && path != ""
	}
}

// getEntity decodes an entity into v; false when there is none.
func getEntity(ctx context.Context, r store.Reader, account string, kind store.Kind, name string, v any) (bool, error) {
	e, err := r.Get(ctx, account, kind, name)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return true, json.Unmarshal(e.Data, v)
}

func addInline(c *polgen.Current, owner string, ps []iam.InlinePolicy) {
	for _, p := range ps {
		c.Policies = append(c.Policies, polgen.CurrentPolicy{Name: owner + " inline " + p.Name, Document: p.Document})
	}
}

func addAttached(ctx context.Context, r store.Reader, c *polgen.Current, account string, kind store.LinkKind, from string) error {
	arns, err := r.Links(ctx, account, kind, from)
	if err != nil {
		return err
	}
	for _, a := range arns {
		doc, err := managedDocument(ctx, r, a)
		if err != nil {
			return err
		}
		if doc != "" {
			c.Policies = append(c.Policies, polgen.CurrentPolicy{Name: a, Document: doc})
		}
	}
	return nil
}

// managedDocument is the default version of a managed policy, "" when it is gone.
func managedDocument(ctx context.Context, r store.Reader, policyARN string) (string, error) {
	account, name, ok := authz.PolicyARNParts(policyARN)
	if !ok {
		return "", nil
	}
	var mp iam.ManagedPolicy
	if ok, err := getEntity(ctx, r, account, store.KindPolicy, name, &mp); !ok || err != nil {
		return "", err
	}
	if v := mp.Default(); v != nil {
		return v.Document, nil
	}
	return "", nil
}

// writeGenerateJSON prints the result as one JSON object.
func writeGenerateJSON(w io.Writer, res *polgen.Result) error {
	out := struct {
		Principal string          `json:"principal"`
		From      *time.Time      `json:"from,omitempty"`
		To        *time.Time      `json:"to,omitempty"`
		Policy    json.RawMessage `json:"policy"`
		Size      int             `json:"size"`
		Limit     int             `json:"limit"`
		Notes     []string        `json:"notes"`
		Used      []polgen.Use    `json:"used"`
		Denied    []polgen.Use    `json:"denied"`
		Diff      *polgen.Diff    `json:"diff"`
		Stats     polgen.Stats    `json:"stats"`
	}{Principal: res.Principal, Policy: json.RawMessage(res.Policy), Size: res.Size, Limit: res.Limit,
		Notes: res.Notes, Used: res.Used, Denied: res.Denied, Diff: res.Diff, Stats: res.Stats}
	if !res.From.IsZero() {
		out.From = &res.From
	}
	if !res.To.IsZero() {
		out.To = &res.To
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("policy generate: write: %w", err)
	}
	return nil
}

// writeGenerateReport prints the notes and the comparison for people.
func writeGenerateReport(w io.Writer, res *polgen.Result) {
	st := res.Stats
	fmt.Fprintf(w, "iamd: %d records read, %d by %s in the window; %d actions granted, %d denied; policy %d of %d characters\n",
		st.Records, st.Matched, res.Principal, len(res.Used), len(res.Denied), res.Size, res.Limit)
	for _, n := range res.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
	d := res.Diff
	if d == nil {
		fmt.Fprintln(w, "comparison with current policies: unavailable (the principal is not in iamd's store)")
		return
	}
	list := func(title string, actions []string) {
		fmt.Fprintf(w, "%s (%d):\n", title, len(actions))
		for _, a := range actions {
			fmt.Fprintf(w, "  %s\n", a)
		}
	}
	list("granted and used", d.GrantedUsed)
	n := 0
	for _, s := range d.GrantedUnused {
		n += len(s.Actions)
	}
	fmt.Fprintf(w, "granted and never used in the window (%d):\n", n)
	// A broad grant (AdministratorAccess) leaves tens of thousands of actions unused: the text
	// shows the first services and actions of each, --json lists them all.
	const maxServices, maxActions = 30, 8
	for i, s := range d.GrantedUnused {
		if i == maxServices {
			fmt.Fprintf(w, "  … and %d more services (--json lists every action)\n", len(d.GrantedUnused)-maxServices)
			break
		}
		shown, more := s.Actions, ""
		if len(shown) > maxActions {
			shown, more = shown[:maxActions], fmt.Sprintf(" … (+%d)", len(s.Actions)-maxActions)
		}
		fmt.Fprintf(w, "  %s (%d): %s%s\n", s.Service, len(s.Actions), strings.Join(shown, " "), more)
	}
	list("used but denied", d.UsedDenied)
	if len(d.UsedNotGranted) > 0 {
		list("used in the window but not granted by the current policies", d.UsedNotGranted)
	}
}
