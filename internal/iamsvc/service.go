package iamsvc

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/iamd-dev/iamd/internal/authn"
	"github.com/iamd-dev/iamd/internal/authz"
	"github.com/iamd-dev/iamd/internal/catalog"
	"github.com/iamd-dev/iamd/internal/iam"
	"github.com/iamd-dev/iamd/internal/policy"
	"github.com/iamd-dev/iamd/internal/recorder"
	"github.com/iamd-dev/iamd/internal/secrets"
	"github.com/iamd-dev/iamd/internal/store"
	"github.com/iamd-dev/iamd/internal/trail"
)

// Service is the IAM API.
type Service struct {
	store  store.Store
	authz  *authz.Authorizer
	keys   *secrets.Keyring
	rand   io.Reader
	now    func() time.Time
	logger *slog.Logger

	// users caches users read outside transactions (GetUser), invalidated with the authorizer's
	// caches by every committed mutation (see cachedUser).
	users *authn.Cache[userKey, *iam.User]

	// catalog is the AWS action catalog, decoded once on first use (it takes ~15 ms and 7 MB).
	catalog func() (*catalog.Catalog, error)

	// limits are the IAM quotas in force (AWS's defaults with the configured adjustable ones).
	limits iam.Limits

	// templates are the role template versions AcquireRole and GetRoleTemplateVersion read.
	templates []types.RoleTemplateVersion
}

// userKey names a cached user: account and lower-case name (names ignore case).
type userKey struct{ account, name string }

// maxCachedUsers bounds the user cache.
const maxCachedUsers = 100_000

// Config holds a Service's dependencies.
type Config struct {
	Store  store.Store
	Authz  *authz.Authorizer
	Keys   *secrets.Keyring
	Rand   io.Reader
	Now    func() time.Time
	Logger *slog.Logger
	// Limits are the IAM quotas (the zero value: AWS's defaults).
	Limits iam.Limits
	// RoleTemplates are the role template versions AcquireRole and GetRoleTemplateVersion serve
	// (see roletemplates.go); nil: none, as iamd ships none of AWS's.
	RoleTemplates []types.RoleTemplateVersion
	// Catalog returns the AWS action catalog (shared with other services); nil decodes the
	// embedded one once, on first use.
	Catalog func() (*catalog.Catalog, error)
}

// New returns the IAM service.
func New(c Config) *Service {
	cat := c.Catalog
	if cat == nil {
		cat = sync.OnceValues(catalog.Load)
	}
	return &Service{store: c.Store, authz: c.Authz, keys: c.Keys, rand: c.Rand, now: c.Now, logger: c.Logger,
		users:   authn.NewCache[userKey, *iam.User](c.Authz.Generation(), maxCachedUsers),
		catalog: cat, limits: c.Limits, templates: slices.Clone(c.RoleTemplates)}
}

// cachedUser reads a user outside any transaction, from the cache when it was read since the
// last committed mutation. Users change only through mutate, which bumps the generation after
// commit and before answering, so a change is visible to the very next request. The result is
// shared with other requests: callers must not modify it. A missing user is not cached.
func (s *Service) cachedUser(ctx context.Context, acct, name string) (*iam.User, error) {
	k := userKey{acct, strings.ToLower(name)}
	u, ok, gen := s.users.Get(k)
	if ok {
		return u, nil
	}
	u, err := view(ctx, s, func(r store.Reader) (*iam.User, error) {
		u, _, err := load[iam.User](ctx, r, acct, store.KindUser, name, noSuchUser(name))
		return u, err
	})
	if err != nil {
		return nil, err
	}
	s.users.Put(gen, k, u)
	return u, nil
}

// authorize decides action on resource for the caller (see authz.Authorize).
func (s *Service) authorize(ctx context.Context, c *authn.Caller, action, resource string, extra map[string][]string) error {
	return s.authz.Authorize(ctx, c, authz.Request{Action: action, Resource: resource, Context: extra})
}

// mutate runs fn in a write transaction and appends the call's audit record in the same
// transaction, so the change and its record commit together. It then invalidates the
// authorizer's caches, so the change applies from the very next request.
func mutate[T any](ctx context.Context, s *Service, fn func(tx store.Tx) (*T, error)) (*T, error) {
	call := trail.FromContext(ctx)
	var out *T
	err := s.store.Update(ctx, func(tx store.Tx) error {
		var err error
		if out, err = fn(tx); err != nil {
			return err
		}
		if call == nil {
			return nil
		}
		call.Response = out
		ev, err := trail.Build(call)
		if err != nil {
			return fmt.Errorf("build audit record: %w", err)
		}
		return recorder.Append(ctx, tx, ev)
	})
	// Cached principals and access keys are reloaded after any change (even one whose commit
	// reported an error: it may have committed), before this call is answered.
	s.authz.Invalidate()
	if err != nil {
		if call != nil {
			call.Response = nil
		}
		return nil, err
	}
	if call != nil {
		call.Recorded = true
	}
	return out, nil
}

// view runs fn on a read snapshot.
func view[T any](ctx context.Context, s *Service, fn func(r store.Reader) (*T, error)) (*T, error) {
	var out *T
	err := s.store.View(ctx, func(r store.Reader) error {
		var err error
		out, err = fn(r)
		return err
	})
	return out, err
}

// load reads and decodes an entity; missing is the error to return when it does not exist.
func load[T any](ctx context.Context, r store.Reader, account string, kind store.Kind, name string, missing error) (*T, *store.Entity, error) {
	e, err := r.Get(ctx, account, kind, name)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, missing
	}
	if err != nil {
		return nil, nil, err
	}
	v := new(T)
	if err := json.Unmarshal(e.Data, v); err != nil {
		return nil, nil, fmt.Errorf("decode %s %s: %w", kind, name, err)
	}
	return v, e, nil
}

// save encodes v into e and updates it.
func save(ctx context.Context, tx store.Tx, e *store.Entity, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	e.Data = b
	return tx.Update(ctx, e)
}

// create encodes v and creates the entity; exists is the error when the name is taken.
func create(ctx context.Context, tx store.Tx, e *store.Entity, v any, exists error) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	e.Data = b
	if err := tx.Create(ctx, e); errors.Is(err, store.ErrExists) {
		return exists
	} else if err != nil {
		return err
	}
	return nil
}

// createCounted is create for an entity that counts against an entities-per-account quota q:
// an existing name is still EntityAlreadyExists, and a full account answers LimitExceeded.
func (s *Service) createCounted(ctx context.Context, tx store.Tx, q iam.QuotaID, e *store.Entity, v any, exists error) error {
	if _, err := tx.Get(ctx, e.Account, e.Kind, e.Name); err == nil {
		return exists
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	n, err := tx.Count(ctx, e.Account, e.Kind)
	if err != nil {
		return err
	}
	if s.limits.Reached(q, n) {
		return s.limits.Exceeded(q)
	}
	return create(ctx, tx, e, v, exists)
}

func (s *Service) newID(prefix string) (string, error) {
	return secrets.NewUniqueID(prefix, s.rand)
}

func (s *Service) nowUTC() time.Time { return s.now().UTC().Truncate(time.Second) }

// account is the account a caller acts in.
func account(c *authn.Caller) string { return c.Principal.Account }

// str returns *p or "".
func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// ptr returns a pointer to v.
func ptr[T any](v T) *T { return &v }

// Pagination (Marker, MaxItems, IsTruncated) as AWS: MaxItems 1–1000, default 100. Markers are
// opaque to clients.

// maxMarker is the model's markerType maximum length, in characters.
const maxMarker = 320

// checkMarker checks a Marker against the model's markerType (1–320 characters of
// [\u0020-\u00FF]+), which AWS checks before anything else: a violation is a ValidationError at
// 'marker'. A marker that satisfies it but that iamd did not issue is InvalidInput "Invalid
// Marker." (page, slicePage). An empty marker is taken as none, as everywhere in iamd.
func checkMarker(marker *string) error {
	m := str(marker)
	if m == "" {
		return nil
	}
	if utf8.RuneCountInString(m) > maxMarker {
		return &iam.FieldError{Field: "marker", Value: m, Constraint: fmt.Sprintf("Member must have length less than or equal to %d", maxMarker)}
	}
	for _, r := range m {
		if r < 0x20 || r > 0xff { // invalid UTF-8 decodes as U+FFFD: outside too
			return &iam.FieldError{Field: "marker", Value: m, Constraint: `Member must satisfy regular expression pattern: [\u0020-\u00FF]+`}
		}
	}
	return nil
}

// checkPaging checks a request's Marker and MaxItems against the model's constraints. Operations
// that look something up before paging call it first, as AWS checks them before anything else.
func checkPaging(marker *string, maxItems *int32) error {
	if err := checkMarker(marker); err != nil {
		return err
	}
	_, err := page(nil, nil, maxItems)
	return err
}

func page(pathPrefix, marker *string, maxItems *int32) (store.Page, error) {
	p := store.Page{PathPrefix: str(pathPrefix), Limit: 100}
	if err := checkMarker(marker); err != nil {
		return p, err
	}
	if err := iam.CheckPathPrefix(p.PathPrefix); err != nil {
		return p, err
	}
	if maxItems != nil {
		n := *maxItems
		if n < 1 {
			return p, &iam.FieldError{Field: "maxItems", Value: strconv.Itoa(int(n)), Constraint: "Member must have value greater than or equal to 1"}
		}
		if n > 1000 {
			return p, &iam.FieldError{Field: "maxItems", Value: strconv.Itoa(int(n)), Constraint: "Member must have value less than or equal to 1000"}
		}
		p.Limit = int(n)
	}
	if m := str(marker); m != "" {
		b, err := base64.RawURLEncoding.DecodeString(m)
		if err != nil || len(b) == 0 {
			return p, iam.Errorf(iam.CodeInvalidInput, "Invalid Marker.")
		}
		p.Marker = string(b)
	}
	return p, nil
}

// nextMarker turns a store marker into the wire form ("" → nil).
func nextMarker(next string) (*string, bool) {
	if next == "" {
		return nil, false
	}
	return ptr(base64.RawURLEncoding.EncodeToString([]byte(next))), true
}

// slicePage pages an in-memory sorted list of n items with the same marker scheme (the
// marker is the decimal index of the next item).
func slicePage(n int, marker *string, maxItems *int32) (start, end int, next *string, err error) {
	if err := checkMarker(marker); err != nil {
		return 0, 0, nil, err
	}
	p, err := page(nil, nil, maxItems)
	if err != nil {
		return 0, 0, nil, err
	}
	if m := str(marker); m != "" {
		b, derr := base64.RawURLEncoding.DecodeString(m)
		i, cerr := strconv.Atoi(string(b))
		if derr != nil || cerr != nil || i < 0 || i > n {
			return 0, 0, nil, iam.Errorf(iam.CodeInvalidInput, "Invalid Marker.")
		}
		start = i
	}
	end = min(n, start+p.Limit)
	if end < n {
		next = ptr(base64.RawURLEncoding.EncodeToString([]byte(strconv.Itoa(end))))
	}
	return start, end, next, nil
}

// parsePolicy validates a submitted document of the kind, mapping syntax errors to
// MalformedPolicyDocument with AWS's message.
func parsePolicy(text string, kind policy.Kind) (*policy.Document, error) {
	doc, err := policy.Parse(text, kind)
	var se *policy.SyntaxError
	if errors.As(err, &se) && se.Charset {
		return nil, &iam.FieldError{Field: "policyDocument", Value: text, Constraint: `Member must satisfy regular expression pattern: [\u0009\u000A\u000D\u0020-\u00FF]+`}
	}
	if errors.As(err, &se) {
		return nil, iam.Errorf(iam.CodeMalformedPolicyDocument, "%s", se.Message)
	}
	if err != nil {
		return nil, iam.Errorf(iam.CodeMalformedPolicyDocument, "Syntax errors in policy.")
	}
	return doc, nil
}
