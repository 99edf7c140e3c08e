package authz

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/iamd-dev/iamd/internal/arn"
	"github.com/iamd-dev/iamd/internal/authn"
	"github.com/iamd-dev/iamd/internal/iam"
	"github.com/iamd-dev/iamd/internal/policy"
	"github.com/iamd-dev/iamd/internal/policy/condition"
	"github.com/iamd-dev/iamd/internal/store"
)

// Authorizer decides requests.
type Authorizer struct {
	store  store.Store
	logger *slog.Logger
	// enforce is false in --enforce=log mode: denials are logged and the call proceeds.
	enforce bool

	mu    sync.RWMutex
	cache map[cacheKey]*policy.Compiled
	// interner shares action names, condition keys and resource prefixes between compiled
	// policies (faster comparisons, less memory); reset with the cache.
	interner *policy.Interner

	// gen counts committed changes; principals caches what Load returns for a principal (without
	// its session's policies and tags) at the current generation.
	gen        *authn.Generation
	principals *authn.Cache[principalKey, *Principal]

	// explain, when set, encodes a denial's full trace for the AccessDenied message
	// (--encoded-authorization-messages; STS's DecodeAuthorizationMessage opens it).
	explain Explainer
}

// Explainer seals the explanation of a denial: the engine input, its trace and the request's
// condition keys.
type Explainer func(c *authn.Caller, in *policy.Input, tr policy.Trace, context map[string][]string) string

// SetExplainer makes AccessDenied messages end with "Encoded authorization failure message: …".
func (a *Authorizer) SetExplainer(e Explainer) { a.explain = e }

// principalKey names the user or role whose policies a caller gets.
type principalKey struct {
	typ     policy.PrincipalType
	account string
	name    string
}

// maxCachedPrincipals bounds the principal cache.
const maxCachedPrincipals = 100_000

type cacheKey struct {
	kind policy.Kind
	ref  policy.PolicyRef
	hash [32]byte
}

// New returns an Authorizer. With enforce false, denials are logged but allowed.
func New(s store.Store, logger *slog.Logger, enforce bool) *Authorizer {
	gen := &authn.Generation{}
	return &Authorizer{store: s, logger: logger, enforce: enforce, cache: map[cacheKey]*policy.Compiled{}, interner: &policy.Interner{},
		gen: gen, principals: authn.NewCache[principalKey, *Principal](gen, maxCachedPrincipals)}
}

// Invalidate records that a change to users, groups, roles, policies, their links or access keys
// has committed: cached principals (and access keys, in an Authenticator sharing Generation) are
// reloaded from the store on their next use. Every committed mutation must call it before
// answering.
func (a *Authorizer) Invalidate() { a.gen.Bump() }

// Generation is the change counter Invalidate bumps, for an authn.Authenticator to share
// (authn.Authenticator.UseGeneration).
func (a *Authorizer) Generation() *authn.Generation { return a.gen }

// Compile parses and compiles a stored policy document, from the cache when it has been seen.
// Stored documents were validated when submitted; one that no longer parses is compiled as an
// empty policy (it allows nothing) and reported in the log.
func (a *Authorizer) Compile(text string, kind policy.Kind, ref policy.PolicyRef) *policy.Compiled {
	ref.Kind = kind
	k := cacheKey{kind: kind, ref: ref, hash: sha256.Sum256([]byte(text))}
	a.mu.RLock()
	c := a.cache[k]
	a.mu.RUnlock()
	if c != nil {
		return c
	}
	doc, err := policy.Parse(text, kind)
	if err != nil {
		a.logger.Error("stored policy does not parse; it allows nothing", "policy", ref.ARN+ref.Name, "err", err)
		doc = &policy.Document{Version: "2012-10-17"}
	}
	a.mu.RLock()
	in := a.interner
	a.mu.RUnlock()
	c, err = policy.CompileWith(doc, kind, ref, policy.CompileOptions{Interner: in})
	if err != nil {
		a.logger.Warn("policy compiled with problems", "policy", ref.ARN+ref.Name, "err", err)
	}
	a.mu.Lock()
	if len(a.cache) > 100_000 {
		clear(a.cache)
		a.interner = &policy.Interner{}
	}
	a.cache[k] = c
	a.mu.Unlock()
	return c
}

// Request is one action on one resource to authorize.
type Request struct {
	Action   string // "iam:CreateUser"
	Resource string // resource ARN or "*"
	// ResourceAccount is the account owning the resource ("" = the caller's).
	ResourceAccount string
	// Context holds request-specific condition keys (aws:RequestTag/…, iam:PassedToService, …),
	// keys in any case.
	Context map[string][]string
	// ResourcePolicy is the resource's policy (a role's trust policy for sts:AssumeRole).
	ResourcePolicy *policy.Compiled
}

// Principal is what the caller's identity contributes to decisions, loaded once per request.
type Principal struct {
	Identity []*policy.Compiled
	Boundary *policy.Compiled
	Session  []*policy.Compiled
	// Tags are the principal's tags (aws:PrincipalTag/*), session tags overriding.
	Tags []iam.Tag
	// Gone reports that the user or role the caller's credentials were issued for no longer
	// exists: it was deleted, or a namesake with another unique ID replaced it. The caller then
	// has no policies, and no policy, not even a resource-based one naming its ARN, grants it
	// anything: every request it makes is implicitly denied.
	Gone bool

	// id and created identify the user or role the policies were loaded from (for a federated
	// user, the IAM user who got the federation token), to check that a caller's credentials
	// were issued for it (issuedFor).
	id      string
	created time.Time
}

// errGone is the user or role behind a caller's credentials missing, or replaced by a namesake.
// It is a store.ErrNotFound, as a deleted entity always was for Load's callers.
var errGone = fmt.Errorf("the user or role the credentials were issued for is gone: %w", store.ErrNotFound)

// Load gathers the caller's policies: for a user its inline and attached policies and its
// groups', for a role session the role's and the session's; plus its permissions boundary.
// The root user has none (it needs none in its own account). When the user or role the caller's
// credentials were issued for is gone (deleted, or replaced by a namesake with another unique
// ID), the error is a store.ErrNotFound.
func (a *Authorizer) Load(ctx context.Context, r store.Reader, c *authn.Caller) (*Principal, error) {
	p, err := a.load(ctx, r, c)
	if err != nil {
		return nil, err
	}
	if !issuedFor(c, p) {
		return nil, fmt.Errorf("authz: load %s: %w", c.Principal.ARN, errGone)
	}
	return a.withSession(p, c), nil
}

// principal is Load in its own read transaction, with the part that does not depend on the
// session cached per user (by unique ID) or role (by ARN) until the next Invalidate. The cached entry records the
// unique ID of the user or role it was loaded from, and every caller is checked against it: a
// session issued for a deleted user or role never gets the policies of a namesake created since,
// and the namesake's own sessions never get a verdict cached for the old one. A caller whose user
// or role is gone gets a Principal with Gone set.
func (a *Authorizer) principal(ctx context.Context, c *authn.Caller) (*Principal, error) {
	k := principalKey{typ: c.Principal.Type, account: c.Principal.Account, name: c.UserName}
	switch {
	case k.typ != policy.PrincipalUser:
		k.name = c.Principal.SourceARN
	case c.UserID != "":
		// By unique ID: a renamed user's earlier credentials carry the old name, and a
		// namesake created since is another user.
		k.name = c.UserID
	}
	p, ok, gen := a.principals.Get(k)
	if !ok {
		err := a.store.View(ctx, func(r store.Reader) error {
			var err error
			p, err = a.load(ctx, r, c)
			return err
		})
		switch {
		case errors.Is(err, errGone):
			p = &Principal{Gone: true}
		case errors.Is(err, store.ErrNotFound):
			p = &Principal{} // something it refers to vanished under it: it has no policies
		case err != nil:
			return nil, err
		}
		a.principals.Put(gen, k, p)
	}
	if p.Gone || !issuedFor(c, p) {
		return &Principal{Gone: true}, nil
	}
	return a.withSession(p, c), nil
}

// issuedFor reports whether p, loaded by the name of c's user or role, is the very user or role
// c's credentials were issued for. AWS identifies principals by unique ID: a user or role deleted
// and created again under the same name is another principal, whose policies never apply to the
// old one's sessions. A caller carries the ID it was issued for in UserID: the user's AIDA… ID
// for a user (long-term key or GetSessionToken session), "AROA…:session" for a role session.
// A federation token carries no ID of the user who got it ("account:name" is the federated
// user's), so there the user must not have been created after the token was issued (to the
// second, the tokens' resolution). A caller without an ID (the policy simulator's) is not checked.
func issuedFor(c *authn.Caller, p *Principal) bool {
	switch c.Principal.Type {
	case policy.PrincipalUser:
		return c.UserID == "" || c.UserID == p.id
	case policy.PrincipalRoleSession:
		if c.UserID == "" {
			return true
		}
		roleID, _, _ := strings.Cut(c.UserID, ":")
		return roleID == p.id
	case policy.PrincipalFederatedUser:
		s := c.Session
		return s == nil || s.Issued.IsZero() || !p.created.Truncate(time.Second).After(s.Issued)
	}
	return true
}

// withSession adds the caller's session policies and tags to p, which it does not modify.
func (a *Authorizer) withSession(p *Principal, c *authn.Caller) *Principal {
	s := c.Session
	if s == nil {
		return p
	}
	q := *p
	for i, doc := range s.Policies {
		q.Session = append(q.Session, a.Compile(doc, policy.Session, policy.PolicyRef{Name: "session-policy-" + strconv.Itoa(i)}))
	}
	for k, v := range s.Tags {
		q.Tags = iam.MergeTags(q.Tags, []iam.Tag{{Key: k, Value: v}})
	}
	return &q
}

// load is Load without the session's policies and tags.
func (a *Authorizer) load(ctx context.Context, r store.Reader, c *authn.Caller) (*Principal, error) {
	p := &Principal{}
	acct := c.Principal.Account
	switch c.Principal.Type {
	case policy.PrincipalRoot:
		return p, nil
	case policy.PrincipalUser, policy.PrincipalFederatedUser:
		name := c.UserName
		if c.Principal.Type == policy.PrincipalFederatedUser {
			name = sourceName(c.Principal.SourceARN)
		}
		e, err := r.Get(ctx, acct, store.KindUser, name)
		if c.Principal.Type == policy.PrincipalUser && c.UserID != "" && (errors.Is(err, store.ErrNotFound) || err == nil && e.ID != c.UserID) {
			// Renamed since the credentials were issued (or deleted, or replaced by a
			// namesake): they stay the user's whose unique ID they carry, as in AWS.
			e, err = r.GetByID(ctx, acct, store.KindUser, c.UserID)
		}
		if errors.Is(err, store.ErrNotFound) {
			return nil, fmt.Errorf("authz: load user %s: %w", name, errGone)
		}
		if err != nil {
			return nil, fmt.Errorf("authz: load user %s: %w", name, err)
		}
		var u iam.User
		if err := json.Unmarshal(e.Data, &u); err != nil {
			return nil, fmt.Errorf("authz: decode user %s: %w", name, err)
		}
		p.id, p.created, p.Tags = u.ID, u.Created, u.Tags
		a.inline(p, u.Inline, iam.UserARN(acct, u.Path, u.Name))
		if err := a.attached(ctx, r, p, acct, store.LinkUserPolicy, u.Name); err != nil {
			return nil, err
		}
		groups, err := r.LinksTo(ctx, acct, store.LinkMember, u.Name)
		if err != nil {
			return nil, fmt.Errorf("authz: groups of %s: %w", name, err)
		}
		for _, g := range groups {
			ge, err := r.Get(ctx, acct, store.KindGroup, g)
			if err != nil {
				return nil, fmt.Errorf("authz: load group %s: %w", g, err)
			}
			var grp iam.Group
			if err := json.Unmarshal(ge.Data, &grp); err != nil {
				return nil, fmt.Errorf("authz: decode group %s: %w", g, err)
			}
			a.inline(p, grp.Inline, iam.GroupARN(acct, grp.Path, grp.Name))
			if err := a.attached(ctx, r, p, acct, store.LinkGroupPolicy, grp.Name); err != nil {
				return nil, err
			}
		}
		if err := a.boundary(ctx, r, p, u.Boundary); err != nil {
			return nil, err
		}
	case policy.PrincipalRoleSession:
		name := sourceName(c.Principal.SourceARN)
		e, err := r.Get(ctx, acct, store.KindRole, name)
		if errors.Is(err, store.ErrNotFound) {
			return nil, fmt.Errorf("authz: load role %s: %w", name, errGone)
		}
		if err != nil {
			return nil, fmt.Errorf("authz: load role %s: %w", name, err)
		}
		var role iam.Role
		if err := json.Unmarshal(e.Data, &role); err != nil {
			return nil, fmt.Errorf("authz: decode role %s: %w", name, err)
		}
		p.id, p.created, p.Tags = role.ID, role.Created, role.Tags
		a.inline(p, role.Inline, iam.RoleARN(acct, role.Path, role.Name))
		if err := a.attached(ctx, r, p, acct, store.LinkRolePolicy, role.Name); err != nil {
			return nil, err
		}
		if err := a.boundary(ctx, r, p, role.Boundary); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// sourceName is the last path element of a user or role ARN.
func sourceName(arn string) string {
	return arn[strings.LastIndexByte(arn, '/')+1:]
}

func (a *Authorizer) inline(p *Principal, ps []iam.InlinePolicy, owner string) {
	for _, ip := range ps {
		p.Identity = append(p.Identity, a.Compile(ip.Document, policy.Identity, policy.PolicyRef{ARN: owner, Name: ip.Name}))
	}
}

func (a *Authorizer) attached(ctx context.Context, r store.Reader, p *Principal, acct string, kind store.LinkKind, from string) error {
	arns, err := r.Links(ctx, acct, kind, from)
	if err != nil {
		return fmt.Errorf("authz: attached policies of %s: %w", from, err)
	}
	for _, arn := range arns {
		c, err := a.managed(ctx, r, arn, policy.Identity)
		if err != nil {
			return err
		}
		if c != nil {
			p.Identity = append(p.Identity, c)
		}
	}
	return nil
}

func (a *Authorizer) boundary(ctx context.Context, r store.Reader, p *Principal, arn string) error {
	if arn == "" {
		return nil
	}
	c, err := a.managed(ctx, r, arn, policy.Boundary)
	if err != nil {
		return err
	}
	if c == nil {
		// A boundary whose policy is gone allows nothing.
		c = a.Compile(`{"Version":"2012-10-17","Statement":[]}`, policy.Boundary, policy.PolicyRef{ARN: arn})
	}
	p.Boundary = c
	return nil
}

// managed loads a managed policy's default version by ARN; nil if it does not exist.
func (a *Authorizer) managed(ctx context.Context, r store.Reader, arn string, kind policy.Kind) (*policy.Compiled, error) {
	acct, name, ok := PolicyARNParts(arn)
	if !ok {
		return nil, nil
	}
	e, err := r.Get(ctx, acct, store.KindPolicy, name)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("authz: load policy %s: %w", arn, err)
	}
	var mp iam.ManagedPolicy
	if err := json.Unmarshal(e.Data, &mp); err != nil {
		return nil, fmt.Errorf("authz: decode policy %s: %w", arn, err)
	}
	v := mp.Default()
	if v == nil {
		return nil, nil
	}
	return a.Compile(v.Document, kind, policy.PolicyRef{ARN: arn, Name: mp.Name, VersionID: v.ID}), nil
}

// PolicyARNParts splits "arn:aws:iam::ACCOUNT:policy/path/NAME" into the account ("aws" for AWS
// managed policies) and name.
func PolicyARNParts(arn string) (account, name string, ok bool) {
	rest, ok := strings.CutPrefix(arn, "arn:aws:iam::")
	if !ok {
		return "", "", false
	}
	account, res, ok := strings.Cut(rest, ":")
	if !ok || !strings.HasPrefix(res, "policy/") {
		return "", "", false
	}
	return account, res[strings.LastIndexByte(res, '/')+1:], true
}

// Decide evaluates a request for a caller whose policies p were loaded with Load. The
// request's condition keys are built only if a policy's condition asks for one (Input builds
// them all, for the simulator and explanations).
func (a *Authorizer) Decide(c *authn.Caller, p *Principal, req Request) policy.Decision {
	return policy.Evaluate(WithLazyContext(input(c, p, req, nil), requestKeys(c, p, req)))
}

// WithLazyContext returns in evaluated with the condition keys of ctx, built when first asked
// for; the input and its context take one allocation.
func WithLazyContext(in policy.Input, ctx LazyContext) *policy.Input {
	eval := &struct {
		in  policy.Input
		ctx LazyContext
	}{in, ctx}
	eval.in.Context = &eval.ctx
	return &eval.in
}

// LazyContext is the condition keys RequestContext builds for Caller, Principal and Extra,
// with aws:ResourceAccount when ResourceAccount is set and Extra does not set it, built the
// first time the evaluator asks for a key: most policies have no condition, and building
// the keys costs more than evaluating them.
type LazyContext struct {
	Caller          *authn.Caller
	Principal       *Principal
	Extra           map[string][]string
	ResourceAccount string

	m condition.Map
}

// Built reports whether an evaluation asked for a key, so that the keys were built.
func (l *LazyContext) Built() bool { return l.m != nil }

// Values implements condition.Context.
func (l *LazyContext) Values(lowerKey string) ([]string, bool) {
	return l.keys().Values(lowerKey)
}

// keys builds the condition keys, once.
func (l *LazyContext) keys() condition.Map {
	if l.m == nil {
		l.m = RequestContext(l.Caller, l.Principal, l.Extra).(condition.Map)
		if l.ResourceAccount != "" {
			if _, set := l.m["aws:resourceaccount"]; !set {
				l.m["aws:resourceaccount"] = []string{l.ResourceAccount}
			}
		}
	}
	return l.m
}

// requestKeys is the request's condition keys, not yet built.
func requestKeys(c *authn.Caller, p *Principal, req Request) LazyContext {
	return LazyContext{Caller: c, Principal: p, Extra: req.Context, ResourceAccount: resourceAccount(req)}
}

// Input builds the engine input (exposed for the simulator and for explaining denials). For a
// caller whose user or role is gone (p.Gone) the input holds no policy at all, not even the
// request's resource-based policy: nothing grants such a caller anything.
func (a *Authorizer) Input(c *authn.Caller, p *Principal, req Request) *policy.Input {
	keys := requestKeys(c, p, req)
	in := input(c, p, req, keys.keys())
	return &in
}

// input is the engine input for the request with the condition keys ctx.
func input(c *authn.Caller, p *Principal, req Request, ctx condition.Context) policy.Input {
	in := policy.Input{
		Action:          req.Action,
		Resource:        req.Resource,
		Context:         ctx,
		Principal:       c.Principal,
		ResourceAccount: req.ResourceAccount,
		Identity:        p.Identity,
		ResourcePolicy:  req.ResourcePolicy,
		Boundary:        p.Boundary,
		Session:         p.Session,
	}
	if p.Gone {
		in.ResourcePolicy = nil
	}
	return in
}

// resourceAccount is aws:ResourceAccount: the account that owns the request's resource (its
// ARN's account field; none for "*" or an AWS managed policy, whose ARN names no account).
func resourceAccount(req Request) string {
	if req.ResourceAccount != "" {
		return req.ResourceAccount
	}
	r, err := arn.Parse(req.Resource)
	if err != nil || !arn.IsAccountID(r.Account) {
		return ""
	}
	return r.Account
}

// Authorize decides req for the caller, loading the caller's policies from the store. It returns
// an *iam.Error AccessDenied with AWS's message when the engine denies; in --enforce=log mode a
// denial is logged and nil returned. The root user is allowed everything in its own account
// unless a resource policy is part of the request (then the engine decides).
func (a *Authorizer) Authorize(ctx context.Context, c *authn.Caller, req Request) error {
	if c.IsRoot() && req.ResourcePolicy == nil && (req.ResourceAccount == "" || req.ResourceAccount == c.Principal.Account) {
		return nil
	}
	p, err := a.principal(ctx, c)
	if err != nil {
		return fmt.Errorf("authorize %s: %w", req.Action, err)
	}
	d := a.Decide(c, p, req)
	if d.Allowed() {
		return nil
	}
	msg := DeniedMessage(c, req.Action, req.Resource, d)
	if a.explain != nil {
		in := a.Input(c, p, req)
		var keys map[string][]string
		if m, ok := in.Context.(condition.Map); ok {
			keys = m
		}
		if enc := a.explain(c, in, policy.Explain(in), keys); enc != "" {
			msg += " Encoded authorization failure message: " + enc
		}
	}
	if !a.enforce {
		a.logger.Warn("would deny (enforce=log)", "request", c.RequestID, "message", msg)
		return nil
	}
	return iam.Errorf(iam.CodeAccessDenied, "%s", msg)
}

// Enforcing reports whether denials are enforced (false in --enforce=log mode).
func (a *Authorizer) Enforcing() bool { return a.enforce }

// RequestContext builds the global condition keys AWS sets for a request, plus extra. Keys are
// lower-cased (condition keys ignore case); a key of extra replaces a global key it equals.
func RequestContext(c *authn.Caller, p *Principal, extra map[string][]string) condition.Context {
	n := 16 + len(extra)
	if p != nil {
		n += len(p.Tags)
	}
	m := make(condition.Map, n)
	// One backing array for the single-valued keys: one allocation instead of one per key.
	vals := make([]string, 0, 16)
	set := func(lowerKey, v string) {
		vals = append(vals, v)
		i := len(vals) - 1
		m[lowerKey] = vals[i : i+1 : i+1]
	}
	pr := c.Principal
	set("aws:principalarn", principalARN(c))
	set("aws:principalaccount", pr.Account)
	set("aws:userid", c.UserID)
	switch pr.Type {
	case policy.PrincipalRoot:
		set("aws:principaltype", "Account")
	case policy.PrincipalUser:
		set("aws:principaltype", "User")
		set("aws:username", c.UserName)
	case policy.PrincipalRoleSession:
		set("aws:principaltype", "AssumedRole")
	case policy.PrincipalFederatedUser:
		set("aws:principaltype", "FederatedUser")
	}
	if c.SourceIP != "" {
		set("aws:sourceip", c.SourceIP)
	}
	if c.UserAgent != "" {
		set("aws:useragent", c.UserAgent)
	}
	set("aws:securetransport", strconv.FormatBool(c.SecureTransport))
	if c.Region != "" {
		set("aws:requestedregion", c.Region)
	}
	t := c.Time.UTC()
	set("aws:currenttime", t.Format(time.RFC3339))
	set("aws:epochtime", strconv.FormatInt(t.Unix(), 10))
	set("aws:viaawsservice", "false")
	// True only for a service principal's own calls (a service assuming a role it is trusted
	// by); false for every IAM principal, which data-perimeter denies test.
	set("aws:principalisawsservice", strconv.FormatBool(pr.Type == policy.PrincipalService))
	if s := c.Session; s != nil {
		set("aws:multifactorauthpresent", strconv.FormatBool(s.MFA))
		if s.MFA && !s.MFATime.IsZero() {
			set("aws:multifactorauthage", strconv.FormatInt(int64(t.Sub(s.MFATime)/time.Second), 10))
		}
		if !s.Issued.IsZero() {
			set("aws:tokenissuetime", s.Issued.UTC().Format(time.RFC3339))
		}
		if s.SourceIdentity != "" {
			set("aws:sourceidentity", s.SourceIdentity)
		}
	}
	if p != nil {
		for _, t := range p.Tags {
			set(strings.ToLower("aws:PrincipalTag/"+t.Key), t.Value)
		}
	}
	for k, v := range extra {
		m[strings.ToLower(k)] = v
	}
	return m
}

// ResourceTagContext is extra plus a resource's tags as aws:ResourceTag/<key>, and as
// iam:ResourceTag/<key> too when iamKeys (users and roles: the resource types the Service
// Authorization Reference lists that key for). extra is not modified.
func ResourceTagContext(tags []iam.Tag, iamKeys bool, extra map[string][]string) map[string][]string {
	m := make(map[string][]string, len(extra)+2*len(tags))
	for k, v := range extra {
		m[k] = v
	}
	for _, t := range tags {
		m["aws:ResourceTag/"+t.Key] = []string{t.Value}
		if iamKeys {
			m["iam:ResourceTag/"+t.Key] = []string{t.Value}
		}
	}
	return m
}

// principalARN is aws:PrincipalArn: the role ARN (not the session ARN) for role sessions.
func principalARN(c *authn.Caller) string {
	if c.Principal.Type == policy.PrincipalRoleSession && c.Principal.SourceARN != "" {
		return c.Principal.SourceARN
	}
	return c.Principal.ARN
}

// DeniedMessage is AWS's AccessDenied message for a decision.
func DeniedMessage(c *authn.Caller, action, resource string, d policy.Decision) string {
	kind := "User"
	return fmt.Sprintf("%s: %s is not authorized to perform: %s on resource: %s %s", kind, c.Principal.ARN, action, resource, d.Reason(action))
}
