package policy

import (
	"cmp"
	"math/bits"
	"strings"

	"github.com/iamd-dev/iamd/internal/policy/condition"
)

// Input is everything one authorization decision depends on. The authz adapter builds it; it
// is plain data plus compiled policies, so it can be recorded with the decision and replayed.
//
// Which policies apply is the adapter's business: it passes nil SCPs for principals outside an
// organization (or in its management account, or service-linked roles), nil RCPs when the
// resource's account has none, and so on. The evaluator applies what it is given.
type Input struct {
	// Action is the request's action, "service:Action" ("iam:CreateUser"); any case.
	Action string
	// Resource is the resource ARN, or "*" for actions without resource types.
	Resource string
	// Context holds the request's condition keys (aws:username, aws:SourceIp, ...). Nil means
	// an empty context.
	Context condition.Context
	// Principal is the caller.
	Principal PrincipalInfo
	// ResourceAccount is the account that owns the resource; "" means the caller's own account.
	ResourceAccount string

	// Identity holds the caller's identity-based policies: a user's inline and managed
	// policies and its groups', or a role's.
	Identity []*Compiled
	// ResourcePolicy is the resource-based policy (or, for sts:AssumeRole*, the role's trust
	// policy); nil when the resource has none.
	ResourcePolicy *Compiled
	// Boundary is the caller's permissions boundary; nil when it has none.
	Boundary *Compiled
	// Session holds the session policies (inline and managed) of a role or federated user
	// session; empty means the session has no session policy, which leaves a role session with
	// its role's permissions and a federated user session with none.
	Session []*Compiled
	// SCPs holds the service control policies that apply to the caller's account, one slice
	// per level of the organization path from the root to the account. Nil means the caller is
	// not governed by SCPs; a level with no policy allows nothing.
	SCPs [][]*Compiled
	// RCPs holds the resource control policies for the resource's account, per level as SCPs.
	RCPs [][]*Compiled
}

// Evaluate decides a request following AWS's policy evaluation logic (IAM User Guide, "Policy
// evaluation logic" and the pages under it):
//
//  1. An applicable Deny statement in any policy is an explicit deny.
//  2. If RCPs apply, every level must have an applicable Allow; likewise SCPs.
//  3. Same account: the request is allowed if identity-based policies allow it and the
//     permissions boundary and session policies (when present) allow it too (for a role trust
//     policy, only if the trust policy also names the account); or if the
//     resource-based policy allows it naming the caller itself ("*", its user ARN, its role
//     session or federated user ARN), which needs nothing else; or naming the role behind a
//     role session (or the user behind a federated user session), which the boundary and the
//     session policies still limit. Naming the account delegates to identity-based policies.
//     The root user needs no identity-based policy in its own account.
//  4. Cross-account (and anonymous, service or federated callers): the caller's side (as in 3,
//     without the resource-based policy; the root user's side always allows) and the
//     resource-based policy must both allow.
//
// Evaluate never allocates for actions up to 128 bytes long, whatever the outcome. The result
// does not depend on the order of policies or statements.
func Evaluate(in *Input) Decision {
	return evaluate(in, nil)
}

// cand identifies a matching statement during evaluation without allocating.
type cand struct {
	c     *Compiled
	level int
	s     *cstmt
}

// less orders statements deterministically: by kind, level, ARN, name, version, index.
func (a cand) less(b cand) bool {
	if b.s == nil {
		return a.s != nil
	}
	if a.s == nil {
		return false
	}
	if c := comparePolicy(a.c, a.level, b.c, b.level); c != 0 {
		return c < 0
	}
	return a.s.index < b.s.index
}

// comparePolicy orders policies as cand.less does their statements: by kind, level, ARN, name
// and version.
func comparePolicy(a *Compiled, alevel int, b *Compiled, blevel int) int {
	if a == b && alevel == blevel {
		return 0
	}
	ra, rb := &a.ref, &b.ref
	if ra.Kind != rb.Kind {
		return cmp.Compare(kindRank(ra.Kind), kindRank(rb.Kind))
	}
	if alevel != blevel {
		return cmp.Compare(alevel, blevel)
	}
	if c := strings.Compare(ra.ARN, rb.ARN); c != 0 {
		return c
	}
	if c := strings.Compare(ra.Name, rb.Name); c != 0 {
		return c
	}
	return strings.Compare(ra.VersionID, rb.VersionID)
}

// live reports which effects of c's statements can still change the decision: no Allow once
// any Deny applies; an Allow (Deny) statement cannot once a holds an Allow (Deny) of a policy
// ordered before c. Resource-based and trust policies evaluate every Allow (their grants
// matter), and Explain every statement.
func (st *evalState) live(c *Compiled, level int, a *acc) (allow, deny bool) {
	if st.tracer != nil {
		return true, true
	}
	if c.ref.Kind == Resource || c.ref.Kind == Trust {
		return !st.denied, true
	}
	allow = !st.denied && (!a.allow || comparePolicy(c, level, a.allowBy.c, a.allowBy.level) <= 0)
	deny = !a.deny || comparePolicy(c, level, a.denyBy.c, a.denyBy.level) <= 0
	return allow, deny
}

func (a cand) statement() DecisionStatement {
	if a.s == nil {
		return DecisionStatement{}
	}
	return DecisionStatement{Policy: a.c.ref, Level: a.level, Index: int(a.s.index), Sid: a.s.sid, Effect: a.s.effect}
}

// acc accumulates the matching statements of one policy type.
type acc struct {
	allow, deny     bool
	grants          uint8
	allowBy, denyBy cand
	// byGrant: this is the resource-based policy's accumulator, whose best Allow per grant bit
	// is in evalState.byGrant (a pointer here would move it to the heap).
	byGrant bool
}

func (a *acc) merge(b *acc) {
	if b.deny && (!a.deny || b.denyBy.less(a.denyBy)) {
		a.deny, a.denyBy = true, b.denyBy
	}
	if b.allow && (!a.allow || b.allowBy.less(a.allowBy)) {
		a.allow, a.allowBy = true, b.allowBy
	}
}

type emptyContext struct{}

func (emptyContext) Values(string) ([]string, bool) { return nil, false }

// evalState is one evaluation's request, with the action lower-cased once.
//
// The lower-case action lives in an array inside the state rather than in a slice of a local
// buffer: the state's contents reach condition.Context, an interface, so the compiler must assume
// that whatever the state points to escapes. An array held by value does not, and Evaluate stays
// allocation-free.
type evalState struct {
	in     *Input
	keyBuf [128]byte
	long   []byte // the lower-case action when it does not fit keyBuf
	keyLen int
	svc    int    // length of the service prefix in the key
	mask   uint64 // byteMask of the action
	// oneColon: the action has exactly one colon, so actPat can match it without a glob.
	oneColon bool
	resCut   [5]int32 // offsets of the resource's first five colons (see resourceParts)
	resOK    bool
	resDone  bool
	ctx      condition.Context
	tracer   *tracer // nil on the hot path
	// The condition keys looked up in ctx so far, and their values (see values).
	kc  [keyCacheSize + 1]keyCached // the last one is a spare (see entry)
	nkc int
	// byGrant is the resource-based policy's best Allow per grant bit (grantAccount,
	// grantEntity, grantDirect): see acc.byGrant.
	byGrant [3]cand
	// svcStr is a Compiled.services service found equal to the action's service ("" before).
	svcStr string
	// exactKey is a Compiled.exact key found equal to the action ("" before): the same string
	// in another policy is then recognized by pointer.
	exactKey string
	// Hashes of the lower-case action and its service, for stmtIndex (see hashes).
	keyHash, svcHash uint64
	hashed           bool
	bloom            uint64 // actionBits of the request
	denied           bool   // some Deny statement applies
	// eqKey (when eqSet) is the key of the last eqGroup looked at, eqVals and eqH its
	// valuesHash.
	eqKey  string
	eqVals []string
	eqH    uint64
	eqSet  bool
	// common is a stmtIndex.common found to be a prefix of in.Resource ("" before).
	common string
	// rk is sortKey(in.Resource, rkOff), kept for the next policy with the same offset.
	rk     uint64
	rkOff  int
	rkDone bool
}

// resourceParts returns the offsets of the first five colons of the resource ARN, found on
// first use; ok is false when it has fewer than five.
func (st *evalState) resourceParts() (cut *[5]int32, ok bool) {
	if !st.resDone {
		st.resDone = true
		r := st.in.Resource
		n := 0
		for i := 0; i < len(r) && n < 5; i++ {
			if r[i] == ':' {
				st.resCut[n] = int32(i)
				n++
			}
		}
		st.resOK = n == 5
	}
	return &st.resCut, st.resOK
}

// key returns the lower-case action.
func (st *evalState) key() []byte {
	if st.long != nil {
		return st.long
	}
	return st.keyBuf[:st.keyLen]
}

// setAction derives the lower-case action, and what action matching needs, from st.in.Action.
func (st *evalState) setAction() {
	in := st.in
	var key []byte
	colons := 0
	if len(in.Action) > len(st.keyBuf) {
		st.long = make([]byte, len(in.Action))
		key = st.long
	} else {
		key = st.keyBuf[:len(in.Action)]
	}
	var mask uint64 // a local, not st.mask: the loop then keeps it in a register
	svc := len(key)
	a := in.Action
	key = key[:len(a)]
	for i := 0; i < len(a); i++ {
		b := a[i]
		if b-'A' < 26 {
			b += 'a' - 'A'
		}
		key[i] = b
		mask |= 1 << (b & 63)
		if b == ':' {
			if colons == 0 {
				svc = i
			}
			colons++
		}
	}
	st.mask, st.oneColon = mask, colons == 1
	st.keyLen, st.svc = len(key), svc
}

func evaluate(in *Input, tr *tracer) Decision {
	st := evalState{in: in, ctx: in.Context, tracer: tr}
	st.setAction()
	if st.ctx == nil {
		st.ctx = emptyContext{}
	}
	var missing DecisionKinds
	var all acc // every policy type, for the explicit deny
	if in.RCPs != nil {
		var a acc
		if !st.levels(in.RCPs, &a) {
			missing |= kindBit(RCP)
		}
		all.merge(&a)
	}
	if in.SCPs != nil {
		var a acc
		if !st.levels(in.SCPs, &a) {
			missing |= kindBit(SCP)
		}
		all.merge(&a)
	}
	var id, bd, ss acc
	rb := acc{byGrant: true}
	for _, c := range in.Identity {
		st.policy(c, 0, &id)
	}
	if in.Boundary != nil {
		st.policy(in.Boundary, 0, &bd)
	}
	for _, c := range in.Session {
		st.policy(c, 0, &ss)
	}
	if in.ResourcePolicy != nil {
		st.policy(in.ResourcePolicy, 0, &rb)
	}
	all.merge(&id)
	all.merge(&bd)
	all.merge(&ss)
	all.merge(&rb)
	if tr != nil {
		tr.noAllow(in, &id, &bd, &ss, &rb)
	}
	if all.deny {
		return Decision{Effect: DecisionExplicitDeny, By: all.denyBy.statement()}
	}

	p := &in.Principal
	root := p.Type == PrincipalRoot
	boundaryOK := in.Boundary == nil || bd.allow
	// A federated user session (GetFederationToken) without a session policy "has no
	// permissions": only a resource-based policy naming the session itself can allow it.
	sessionOK := ss.allow || len(in.Session) == 0 && p.Type != PrincipalFederatedUser
	identityOK := id.allow && boundaryOK && sessionOK
	var callerMissing DecisionKinds
	if !id.allow {
		callerMissing |= kindBit(Identity)
	}
	if !boundaryOK {
		callerMissing |= kindBit(Boundary)
	}
	if !sessionOK {
		callerMissing |= kindBit(Session)
	}

	var by cand
	allowed := false
	if p.Account != "" && (in.ResourceAccount == "" || in.ResourceAccount == p.Account) {
		// "Role trust policies and KMS key policies are exceptions to this logic, because they
		// must explicitly allow access for principals": even within the account, a trust policy
		// must name the caller, or name the account and so delegate to the identity side.
		trust := in.ResourcePolicy != nil && in.ResourcePolicy.ref.Kind == Trust
		delegated := !trust || rb.grants&grantAccount != 0
		switch {
		case root && delegated:
			allowed = true
		case identityOK && delegated:
			allowed, by = true, id.allowBy
		case rb.grants&grantDirect != 0:
			allowed, by = true, st.byGrant[2]
		case rb.grants&grantEntity != 0 && boundaryOK && sessionOK:
			allowed, by = true, st.byGrant[1]
		case rb.grants&grantEntity != 0:
			// The resource-based policy named the role behind the session (or the user behind a
			// federated user session): no identity-based policy is needed, so only the boundary
			// and session policies are missing.
			missing |= callerMissing &^ kindBit(Identity)
		default:
			if !delegated {
				missing |= kindBit(Trust)
			}
			if !root && !identityOK {
				missing |= callerMissing
			}
		}
	} else {
		callerOK := root || identityOK || p.Type == PrincipalAnonymous || p.Type == PrincipalService || p.Type == PrincipalFederated
		if !callerOK {
			missing |= callerMissing
		}
		if rb.grants == 0 {
			k := Resource
			if in.ResourcePolicy != nil {
				k = in.ResourcePolicy.ref.Kind
			}
			missing |= kindBit(k)
		}
		allowed, by = callerOK && rb.grants != 0, rb.allowBy
	}
	if !allowed || missing != 0 {
		if missing == 0 {
			missing = kindBit(Identity)
		}
		return Decision{Effect: DecisionImplicitDeny, Missing: missing}
	}
	return Decision{Effect: DecisionAllow, By: by.statement()}
}

// levels evaluates organization policies level by level; it reports whether every level has an
// applicable Allow.
func (st *evalState) levels(levels [][]*Compiled, out *acc) bool {
	ok := true
	for lvl, pols := range levels {
		var a acc
		for _, c := range pols {
			st.policy(c, lvl, &a)
		}
		if !a.allow {
			ok = false
		}
		out.merge(&a)
	}
	return ok
}

// exactEntry returns the index in c.exact of the request's action, or -1.
func (st *evalState) exactEntry(c *Compiled) int {
	key := st.key()
	lo, hi := 0, len(c.exact)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if c.exact[m].key < string(key) {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < len(c.exact) && c.exact[lo].key == string(key) {
		return lo
	}
	return -1
}

// hashes returns the hashes of the lower-case action and of its service, computed on first use.
func (st *evalState) hashes() (key, svc uint64) {
	if !st.hashed {
		st.hashed = true
		k := st.key()
		st.keyHash, st.svcHash = hashKey(string(k)), hashKey(string(k[:st.svc]))
		st.bloom = actionBits(k, st.svc, st.keyHash, st.svcHash)
	}
	return st.keyHash, st.svcHash
}

// servicePats returns the wildcard action patterns of the request's service that can match
// it: those starting with a wildcard, then those whose literal prefix starts with the action
// name's first byte.
func (st *evalState) servicePats(c *Compiled) (any, first []wildAction) {
	key := st.key()
	svc := key[:st.svc]
	var e *serviceEntry
	if len(c.services) <= 8 {
		// A few services: compared by length first, and by pointer with st.svcStr when
		// interned (CompileOptions.Interner).
		for i := range c.services {
			if s := c.services[i].service; s == st.svcStr || s == string(svc) {
				st.svcStr, e = s, &c.services[i]
				break
			}
		}
		if e == nil {
			return nil, nil
		}
	} else {
		lo, hi := 0, len(c.services)
		for lo < hi {
			m := int(uint(lo+hi) >> 1)
			if c.services[m].service < string(svc) {
				lo = m + 1
			} else {
				hi = m
			}
		}
		if lo == len(c.services) || c.services[lo].service != string(svc) {
			return nil, nil
		}
		e = &c.services[lo]
	}
	if st.svc+1 >= len(key) {
		return e.pats[:e.nAny], nil
	}
	b := key[st.svc+1]
	pats := e.pats[e.nAny:]
	lo, hi := 0, len(pats)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if pats[m].pfx[0] < b {
			lo = m + 1
		} else {
			hi = m
		}
	}
	end := lo
	for end < len(pats) && pats[end].pfx[0] == b {
		end++
	}
	return e.pats[:e.nAny], pats[lo:end]
}

// notActionMatches reports whether statement s's NotAction excludes the action.
func (st *evalState) notActionMatches(s *cstmt) bool {
	pats := s.notActions()
	for j := range pats {
		if pats[j].match(st) {
			return true
		}
	}
	return false
}

// policy evaluates the statements of c that can match the action.
func (st *evalState) policy(c *Compiled, level int, a *acc) {
	allow, deny := st.live(c, level, a)
	if !allow && (!deny || !c.hasDeny) {
		return
	}
	if c.idx != nil {
		st.indexed(c, level, a, allow)
		return
	}
	if e := st.exactEntry(c); e >= 0 {
		for _, i := range c.exact[e].stmts {
			if allow || c.stmts[i].effect == Deny {
				st.consider(c, level, i, a, false)
			}
		}
	}
	anyPats, first := st.servicePats(c)
	st.wild(c, level, anyPats, a, allow)
	for i := range first {
		if w := &first[i]; (allow || w.deny) && w.matchName(st) {
			st.consider(c, level, w.stmt, a, false)
		}
	}
	st.wild(c, level, c.other, a, allow)
	for _, i := range c.notAct {
		if (allow || c.stmts[i].effect == Deny) && !st.notActionMatches(&c.stmts[i]) {
			st.consider(c, level, i, a, false)
		}
	}
}

// indexed is policy for a policy with a stmtIndex: it evaluates, in statement order, the
// statements whose action and resource can both match.
func (st *evalState) indexed(c *Compiled, level int, a *acc, allow bool) {
	x := c.idx
	kh, sh := st.hashes()
	if x.bloom&st.bloom == 0 {
		return
	}
	key := st.key()
	// The statements whose action can match, then those of them whose resource can.
	var m uint64
	found := false
	if n := uint64(len(x.exact)); n > 0 {
		for j := kh & (n - 1); x.exact[j].stmts != 0; j = (j + 1) & (n - 1) {
			// Keys interned across policies (CompileOptions.Interner) equal st.exactKey by
			// pointer.
			if e := &x.exact[j]; e.h == kh && (e.key == st.exactKey || e.key == string(key)) {
				st.exactKey = e.key
				m, found = e.stmts, true
				break
			}
		}
	}
	if !found {
		m = st.wildMask(c, sh)
	}
	if !allow {
		m &= x.deny
	}
	var full uint64
	if m&^x.any != 0 {
		var res uint64
		res, full = x.resources(st.in.Resource, st)
		m &= res
	}
	if st.tracer == nil {
		// Explain evaluates every condition, for the keys it reports.
		for g := range x.eq {
			e := &x.eq[g]
			if m&e.stmts == 0 {
				continue
			}
			// The key of the last group, equal by pointer in the other policies when interned.
			if !st.eqSet || e.key != st.eqKey {
				st.eqVals, st.eqH = st.valuesHash(e.key)
				st.eqKey, st.eqSet = e.key, true
			}
			if len(st.eqVals) == 1 && e.bloom&bloomBit(st.eqH) == 0 {
				m &^= e.stmts
				continue
			}
			m &^= e.stmts &^ e.accepts(st.eqVals, st.eqH)
		}
	}
	for ; m != 0; m &= m - 1 {
		i := bits.TrailingZeros64(m)
		st.consider(c, level, int32(i), a, full&(1<<i) != 0)
	}
}

// wildMask returns the statements of c with an index whose wildcard Action or whose NotAction
// matches the action; sh is the hash of its service.
func (st *evalState) wildMask(c *Compiled, sh uint64) uint64 {
	x := c.idx
	key := st.key()
	var m uint64
	for i, h := range x.svcH {
		if h != sh || c.services[i].service != string(key[:st.svc]) {
			continue
		}
		e := &c.services[i]
		m = st.wildSet(e.pats[:e.nAny], m)
		if st.svc+1 < len(key) {
			// Only the patterns whose literal prefix starts with the name's first byte.
			b, first := key[st.svc+1], x.first[i]
			for j := 0; j < len(first) && first[j] <= b; j++ {
				w := &e.pats[e.nAny+j]
				if bit := uint64(1) << w.stmt; first[j] == b && m&bit == 0 && w.matchName(st) {
					m |= bit
				}
			}
		}
		break
	}
	m = st.wildSet(c.other, m)
	for _, i := range c.notAct {
		if bit := uint64(1) << i; m&bit == 0 && !st.notActionMatches(&c.stmts[i]) {
			m |= bit
		}
	}
	return m
}

// wildSet adds to m the statements of pats whose pattern matches the action.
func (st *evalState) wildSet(pats []wildAction, m uint64) uint64 {
	for i := range pats {
		w := &pats[i]
		if bit := uint64(1) << w.stmt; m&bit == 0 && w.match(st) {
			m |= bit
		}
	}
	return m
}

func (st *evalState) wild(c *Compiled, level int, pats []wildAction, a *acc, allow bool) {
	last := int32(-1)
	for i := range pats {
		w := &pats[i]
		if w.stmt == last || !allow && !w.deny {
			continue // this statement already matched the action, or cannot change a
		}
		if w.match(st) {
			last = w.stmt
			st.consider(c, level, w.stmt, a, false)
		}
	}
}

// consider evaluates statement i of c, whose action matches, and records it in a; resOK says
// that its resource is known to match.
func (st *evalState) consider(c *Compiled, level int, i int32, a *acc, resOK bool) {
	s := &c.stmts[i]
	cd := cand{c: c, level: level, s: s}
	if st.tracer == nil && c.ref.Kind != Resource && c.ref.Kind != Trust {
		// A statement that cannot become the deciding one cannot change the decision.
		if s.effect == Deny && a.deny && !cd.less(a.denyBy) || s.effect == Allow && a.allow && !cd.less(a.allowBy) {
			return
		}
	}
	ok, g := st.statement(c, level, s, resOK)
	if !ok {
		return
	}
	if st.tracer != nil {
		st.tracer.matched(cd)
	}
	if s.effect == Deny {
		st.denied = true
		if !a.deny || cd.less(a.denyBy) {
			a.deny, a.denyBy = true, cd
		}
		return
	}
	if !a.allow || cd.less(a.allowBy) {
		a.allow, a.allowBy = true, cd
	}
	a.grants |= g
	if !a.byGrant {
		return
	}
	for b := 0; b < 3; b++ {
		if g&(1<<b) != 0 && (st.byGrant[b].s == nil || cd.less(st.byGrant[b])) {
			st.byGrant[b] = cd
		}
	}
}

// statement reports whether s (whose action matches) applies to the request, and how its
// Principal element named the caller.
func (st *evalState) statement(c *Compiled, level int, s *cstmt, resOK bool) (bool, uint8) {
	if s.brokenWhy() != "" {
		if st.tracer != nil {
			st.tracer.failed(cand{c: c, level: level, s: s})
		}
		return s.effect == Deny, grantDirect
	}
	in := st.in
	g := grantDirect
	switch {
	case s.prin == nil:
		if s.noPrin {
			return false, 0
		}
	case s.notPrin:
		// "The NotPrincipal element with a Deny effect will always deny any IAM principal that
		// has a permissions boundary policy attached, regardless of the values specified in the
		// NotPrincipal element" (IAM User Guide, "Permissions boundaries for IAM entities").
		if s.prin.excludes(&in.Principal) && (s.effect != Deny || in.Boundary == nil) {
			return false, 0
		}
	default:
		if g = s.prin.match(&in.Principal); g == 0 {
			return false, 0
		}
	}
	if !s.resAll && !resOK {
		m := false
		for i := range s.res {
			if s.res[i].match(in.Resource, st) {
				m = true
				break
			}
		}
		if m == s.notRes {
			return false, 0
		}
	}
	if st.tracer != nil {
		ok := true
		for _, cl := range s.conds {
			o := st.cond(cl)
			if o.Missing {
				st.tracer.missingKey(cl.Key())
			}
			ok = ok && o.Match
		}
		return ok, g
	}
	for _, cl := range s.conds {
		if !st.cond(cl).Match {
			return false, 0
		}
	}
	return true, g
}

// keyCacheSize is how many condition keys an evaluation remembers the values of.
const keyCacheSize = 4

// keyCached is one condition key looked up in the context, and its values.
type keyCached struct {
	key  string
	vals []string
	ok   bool
	// hashed: h is the hashKey of vals[0] (see valuesHash).
	hashed bool
	h      uint64
}

// valuesHash returns the values of condition key k and, when there is exactly one, its
// hashKey, computed once per evaluation (for keys within keyCacheSize).
func (st *evalState) valuesHash(k string) ([]string, uint64) {
	e := st.entry(k)
	if len(e.vals) != 1 {
		return e.vals, 0
	}
	if !e.hashed {
		e.hashed, e.h = true, hashKey(e.vals[0])
	}
	return e.vals, e.h
}

// values returns ctx.Values(k), looking k up only once per evaluation for the first
// keyCacheSize keys: policies and their statements test few distinct keys, many times.
func (st *evalState) values(k string) ([]string, bool) {
	e := st.entry(k)
	return e.vals, e.ok
}

// entry returns the cache entry of condition key k, looking k up in the context if needed; past
// keyCacheSize keys, a spare entry that the next lookup overwrites.
func (st *evalState) entry(k string) *keyCached {
	for i := range st.nkc {
		if e := &st.kc[i]; e.key == k {
			e.key = k // equal keys of one policy share a string: compared by pointer next time
			return e
		}
	}
	var vals []string
	var ok bool
	if m, isMap := st.ctx.(condition.Map); isMap {
		vals, ok = m[k] // the usual Context, looked up without a dynamic call
	} else {
		vals, ok = st.ctx.Values(k)
	}
	e := &st.kc[keyCacheSize]
	if st.nkc < keyCacheSize {
		e = &st.kc[st.nkc]
		st.nkc++
	}
	*e = keyCached{key: k, vals: vals, ok: ok}
	return e
}

// cond evaluates a condition clause, its key's values from the evaluation's cache.
func (st *evalState) cond(cl *condition.Clause) condition.Outcome {
	vals, ok := st.values(cl.LowerKey())
	return cl.EvalValues(vals, ok, st.ctx)
}
