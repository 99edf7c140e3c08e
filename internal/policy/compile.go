package policy

import (
	"errors"
	"fmt"
	"math/bits"
	"sort"
	"strings"
	"sync"

	"github.com/iamd-dev/iamd/internal/arn"
	"github.com/iamd-dev/iamd/internal/policy/condition"
)

// PolicyRef says which policy a compiled document is, for decisions and traces.
type PolicyRef struct {
	// Kind is the role the policy plays in this evaluation.
	Kind Kind
	// ARN of a managed policy or of the resource owning a resource-based policy; Name of an
	// inline policy (or of the managed policy); VersionID of a managed policy version.
	ARN, Name, VersionID string
}

// Compiled is a policy document compiled once for fast evaluation. Callers cache it (by
// document hash and kind); it is immutable and safe for concurrent use.
//
// Statements are indexed by action: exact actions in a table keyed by lower-case action,
// wildcard actions grouped by lower-case service prefix and sorted by the literal start of the
// action name ("s3:Get*" under "s3", at "get"), and statements whose action cannot be narrowed
// to a service (Action "*", "*:Get*", NotAction) in short lists of their own. The cost of
// evaluating a request therefore grows with the statements that can match its action, not
// with the size of the document. Resource patterns are compiled to string equality, a prefix
// test or a per-part match where their form allows (see resMatcher).
type Compiled struct {
	ref   PolicyRef
	stmts []cstmt

	exact    []exactEntry   // sorted by key
	services []serviceEntry // sorted by service
	other    []wildAction   // actions with a wildcard in the service part, or "*"
	notAct   []int32        // NotAction statements
	idx      *stmtIndex     // nil unless the policy has indexMin to indexMax statements
	hasDeny  bool           // some statement is a Deny
}

// Policies with indexMin to indexMax statements also get a stmtIndex: smaller ones gain nothing
// from it, larger ones do not fit its 64-bit statement sets.
const (
	indexMin = 8
	indexMax = 64
)

// stmtIndex narrows a policy's statements by the request's resource as well as its action.
// Statements are bits of a uint64 (statement i is bit i): the statements whose action can match
// are intersected with those whose resource can match (whose Resource patterns' literal prefix,
// the text before the first wildcard or variable, is a prefix of the request's resource), so
// only statements that pass both are evaluated, in statement order.
type stmtIndex struct {
	// exact is a hash table (open addressing, linear probing, a power of two in size, at most
	// half full) of Compiled.exact's keys by hashKey: each slot holds the statements whose
	// action matches its key, those with a wildcard Action or a NotAction that matches it
	// included, so that an action found there needs no pattern matching. svcH holds the hash of
	// each Compiled.services entry's service.
	exact []exactSlot
	svcH  []uint64
	// first holds, per Compiled.services entry, the first byte of the pfx of each of its
	// pats[nAny:], so that they are narrowed without loading the patterns.
	first [][]byte
	// bloom has a bit for every exact action and every (service, first byte of the literal
	// prefix) of a wildcard action (see actionBits); all bits if the policy has other or
	// NotAction statements. A request none of whose bits are set matches no statement.
	bloom  uint64
	deny   uint64   // the Deny statements
	any    uint64   // statements the resource cannot exclude: "*", NotResource, broken, no literal prefix
	pfx    []resPfx // sorted by text
	common string   // the longest common prefix of the pfx texts
	// eq groups, by condition key, the statements with a literal StringEquals on that key (see
	// condition.Clause.EqualsLiterals): a statement none of whose literals is a value of the
	// key in the request cannot apply.
	eq []eqGroup
}

// eqGroup is one condition key of stmtIndex.eq.
type eqGroup struct {
	key   string  // lower-case, interned like the clauses' keys
	stmts uint64  // the statements with a literal StringEquals on key
	bloom uint64  // bloomBit of the hashKey of every value
	vals  []eqVal // sorted by text
}

// eqVal is one literal value of an eqGroup and the statements that accept it.
type eqVal struct {
	text  string
	stmts uint64
}

// accepts returns the statements of g that a request whose key has the values vals can match;
// h is the hashKey of vals[0] when there is one value.
func (g *eqGroup) accepts(vals []string, h uint64) uint64 {
	if len(vals) == 1 && g.bloom&bloomBit(h) == 0 {
		return 0
	}
	var m uint64
	for _, v := range vals {
		lo, hi := 0, len(g.vals)
		for lo < hi {
			h := int(uint(lo+hi) >> 1)
			if g.vals[h].text < v {
				lo = h + 1
			} else {
				hi = h
			}
		}
		if lo < len(g.vals) && g.vals[lo].text == v {
			m |= g.vals[lo].stmts
		}
	}
	return m
}

// buildEq fills x.eq from the statements' conditions. Broken statements are left out: their
// conditions are not evaluated.
func (x *stmtIndex) buildEq(c *Compiled) {
	byKey := map[string]int{}
	vals := []map[string]uint64{}
	for i := range c.stmts {
		s := &c.stmts[i]
		if s.brokenWhy() != "" {
			continue
		}
		bit := uint64(1) << i
		for _, cl := range s.conds {
			lits, ok := cl.EqualsLiterals()
			if !ok {
				continue
			}
			g, ok := byKey[cl.LowerKey()]
			if !ok {
				g = len(x.eq)
				byKey[cl.LowerKey()] = g
				x.eq = append(x.eq, eqGroup{key: cl.LowerKey()})
				vals = append(vals, map[string]uint64{})
			}
			x.eq[g].stmts |= bit
			for _, v := range lits {
				vals[g][v] |= bit
			}
		}
	}
	for g := range x.eq {
		e := &x.eq[g]
		e.vals = make([]eqVal, 0, len(vals[g]))
		for v, m := range vals[g] {
			e.vals = append(e.vals, eqVal{text: v, stmts: m})
			e.bloom |= bloomBit(hashKey(v))
		}
		sort.Slice(e.vals, func(i, j int) bool { return e.vals[i].text < e.vals[j].text })
	}
}

// exactSlot is one slot of stmtIndex.exact; stmts is 0 in an empty slot.
type exactSlot struct {
	h     uint64 // hashKey(key)
	key   string
	stmts uint64
}

// hashKey hashes s eight bytes at a time (a multiply-rotate per word and a final mix): cheap,
// and computed once per request for its action and service.
func hashKey(s string) uint64 {
	h := uint64(len(s))*0x9E3779B97F4A7C15 ^ 0xCBF29CE484222325
	for len(s) >= 8 {
		w := uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
			uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
		h = bits.RotateLeft64((h^w)*0xBF58476D1CE4E5B9, 31)
		s = s[8:]
	}
	if n := len(s); n > 0 {
		var w uint64
		switch {
		case n >= 4: // two loads of four bytes, overlapping when n < 8
			w = uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
				(uint64(s[n-4])|uint64(s[n-3])<<8|uint64(s[n-2])<<16|uint64(s[n-1])<<24)<<32
		default:
			w = uint64(s[0]) | uint64(s[n>>1])<<8 | uint64(s[n-1])<<16
		}
		h = bits.RotateLeft64((h^w)*0xBF58476D1CE4E5B9, 31)
	}
	h ^= h >> 33
	h *= 0x94D049BB133111EB
	h ^= h >> 29
	return h
}

// bloomBit maps a hash to one bit of stmtIndex.bloom.
func bloomBit(h uint64) uint64 { return 1 << (h >> 58) }

// serviceByte hashes a service's hash with the first byte of an action name (0 for "any").
func serviceByte(svcHash uint64, b byte) uint64 {
	return (svcHash ^ uint64(b)) * 0x9E3779B97F4A7C15
}

// actionBits returns the stmtIndex.bloom bits of a request for the lower-case action key,
// whose service is key[:svc], given the hashes of both.
func actionBits(key []byte, svc int, keyHash, svcHash uint64) uint64 {
	m := bloomBit(keyHash) | bloomBit(serviceByte(svcHash, 0))
	if svc+1 < len(key) {
		m |= bloomBit(serviceByte(svcHash, key[svc+1]))
	}
	return m
}

// resPfx is one literal resource prefix and the statements with a pattern that starts with it.
type resPfx struct {
	text   string
	stmts  uint64
	full   uint64 // the statements with a pattern that is text followed by a final '*'
	key    uint64 // sortKey(text, len(stmtIndex.common))
	mask   uint64 // the bits of key that hold bytes of text
	parent int32  // index of the longest other entry that is a prefix of text, or -1
}

// sortKey returns the 8 bytes of s from offset off, big-endian, zero-padded. When the keys of
// two strings sharing their first off bytes differ, they order the strings.
func sortKey(s string, off int) uint64 {
	var k uint64
	for i := range 8 {
		k <<= 8
		if off+i < len(s) {
			k |= uint64(s[off+i])
		}
	}
	return k
}

// resources returns the statements whose resource can match the request's resource r, and
// those of them whose resource is known to match.
func (x *stmtIndex) resources(r string, st *evalState) (m, full uint64) {
	m = x.any
	// st.common is a prefix of r already checked: equal (by pointer, when interned) to
	// x.common in the other policies of a principal that name the same resources.
	if x.common != st.common {
		if !strings.HasPrefix(r, x.common) {
			return m, 0 // every entry starts with common
		}
		st.common = x.common
	}
	lc := len(x.common)
	// The entries that are prefixes of r are all prefixes of the last entry not after r, so
	// they are on its parent chain.
	if !st.rkDone || st.rkOff != len(x.common) {
		st.rk, st.rkOff, st.rkDone = sortKey(r, len(x.common)), len(x.common), true
	}
	rk := st.rk
	lo, hi := 0, len(x.pfx)
	for lo < hi {
		h := int(uint(lo+hi) >> 1)
		if p := &x.pfx[h]; p.key < rk || p.key == rk && p.text <= r {
			lo = h + 1
		} else {
			hi = h
		}
	}
	for i := int32(lo - 1); i >= 0; i = x.pfx[i].parent {
		// r starts with p.text if the bytes after common agree: the first eight in the sort
		// keys, the rest as strings.
		if p := &x.pfx[i]; len(r) >= len(p.text) && (rk^p.key)&p.mask == 0 &&
			(len(p.text) <= lc+8 || r[lc+8:len(p.text)] == p.text[lc+8:]) {
			m |= p.stmts
			full |= p.full
		}
	}
	return m, full
}

// buildIndex returns c's stmtIndex; intern, if not nil, interns its common prefix.
func buildIndex(c *Compiled, intern func(string) string) *stmtIndex {
	x := &stmtIndex{}
	exact := make([]uint64, len(c.exact))
	for i := range c.exact {
		for _, s := range c.exact[i].stmts {
			exact[i] |= 1 << s
		}
	}
	for i := range c.exact {
		x.bloom |= bloomBit(hashKey(c.exact[i].key))
	}
	for i := range c.services {
		e := &c.services[i]
		sh := hashKey(e.service)
		x.svcH = append(x.svcH, sh)
		if e.nAny > 0 {
			x.bloom |= bloomBit(serviceByte(sh, 0))
		}
		f := make([]byte, 0, len(e.pats)-e.nAny)
		for _, w := range e.pats[e.nAny:] {
			f = append(f, w.pfx[0])
			x.bloom |= bloomBit(serviceByte(sh, w.pfx[0]))
		}
		x.first = append(x.first, f)
	}
	if len(c.other) > 0 || len(c.notAct) > 0 {
		x.bloom = ^uint64(0)
	}
	c.idx = x // for wildMask
	for i := range c.exact {
		st := evalState{in: &Input{Action: c.exact[i].key}}
		st.setAction()
		_, sh := st.hashes()
		exact[i] |= st.wildMask(c, sh)
	}
	if len(c.exact) > 0 {
		n := 2
		for n < 2*len(c.exact) {
			n *= 2
		}
		x.exact = make([]exactSlot, n)
		for i := range c.exact {
			h := hashKey(c.exact[i].key)
			j := h & uint64(n-1)
			for x.exact[j].stmts != 0 {
				j = (j + 1) & uint64(n-1)
			}
			x.exact[j] = exactSlot{h: h, key: c.exact[i].key, stmts: exact[i]}
		}
	}
	byText, fullText := map[string]uint64{}, map[string]uint64{}
	for i := range c.stmts {
		s := &c.stmts[i]
		bit := uint64(1) << i
		if s.effect == Deny {
			x.deny |= bit
		}
		if s.resAll || s.notRes || s.brokenWhy() != "" {
			x.any |= bit
			continue
		}
		for j := range s.res {
			t := s.res[j].text
			if t == "" {
				x.any |= bit
				break
			}
			byText[t] |= bit
			if s.res[j].kind == resPrefix {
				fullText[t] |= bit
			}
		}
	}
	for t, m := range byText {
		x.pfx = append(x.pfx, resPfx{text: t, stmts: m, full: fullText[t], parent: -1})
	}
	sort.Slice(x.pfx, func(i, j int) bool { return x.pfx[i].text < x.pfx[j].text })
	if len(x.pfx) > 0 {
		x.common = x.pfx[0].text
		for _, p := range x.pfx[1:] {
			n := 0
			for n < len(x.common) && n < len(p.text) && x.common[n] == p.text[n] {
				n++
			}
			x.common = x.common[:n]
		}
	}
	if intern != nil {
		x.common = intern(x.common)
	}
	for i := range x.pfx {
		p := &x.pfx[i]
		p.key = sortKey(p.text, len(x.common))
		p.mask = ^uint64(0) << (64 - 8*min(8, len(p.text)-len(x.common)))
	}
	x.buildEq(c)
	// The prefixes of an entry sort before it, shortest first: the nearest one is the longest.
	for i := range x.pfx {
		for j := i - 1; j >= 0; j-- {
			if strings.HasPrefix(x.pfx[i].text, x.pfx[j].text) {
				x.pfx[i].parent = int32(j)
				break
			}
		}
	}
	return x
}

type exactEntry struct {
	key   string // lower-case "service:action"
	stmts []int32
}

type serviceEntry struct {
	service string // lower-case service prefix
	// pats are sorted by pfx, so that the patterns whose literal prefix can match an action
	// name are found by binary search on its first byte; the first nAny have an empty pfx
	// (they start with a wildcard) and are always tried.
	pats []wildAction
	nAny int
}

type wildAction struct {
	actPat
	deny bool // the statement is a Deny
	stmt int32
}

// actPat is a compiled Action or NotAction pattern.
type actPat struct {
	pat  string // as written; matched ignoring case
	svc  string // lower-case service part, "*" for any service
	pfx  string // lower-case literal text of the action name (after "service:") before the first wildcard
	need uint64 // byteMask of the pattern's literal bytes: an action lacking one cannot match
	form uint8
}

// How an actPat matches an action "service:name" with a single colon (the only kind requests
// have) without running a glob.
const (
	actGlob   uint8 = iota // anything else: arn.GlobFold
	actAll                 // "*"
	actExact               // the name part is literal: it equals pfx
	actPrefix              // the name part is pfx + "*": it starts with pfx
)

func compileAction(a string) actPat {
	p := actPat{pat: strings.Clone(a), need: byteMask(a)}
	if a == "*" {
		p.form = actAll
		return p
	}
	svc, name, ok := strings.Cut(a, ":")
	if !ok {
		return p
	}
	p.svc = lowerASCII(svc)
	i := strings.IndexAny(name, "*?")
	if i < 0 {
		p.pfx = lowerASCII(name)
	} else {
		p.pfx = lowerASCII(name[:i])
	}
	switch {
	case svc != "*" && strings.ContainsAny(svc, "*?"):
	case i < 0:
		p.form = actExact
	case i == len(name)-1 && name[i] == '*':
		p.form = actPrefix
	}
	return p
}

// matchName is match for a pattern whose service is known to be the action's.
func (p *actPat) matchName(st *evalState) bool {
	if p.form == actGlob || !st.oneColon || p.need&^st.mask != 0 {
		return p.match(st)
	}
	name := st.key()[st.svc+1:]
	if p.form == actExact {
		return string(name) == p.pfx
	}
	return len(name) >= len(p.pfx) && string(name[:len(p.pfx)]) == p.pfx
}

// match reports whether the action matches the pattern.
func (p *actPat) match(st *evalState) bool {
	switch {
	case p.form == actAll:
		return true
	case p.need&^st.mask != 0:
		return false
	case p.form == actGlob || !st.oneColon:
		return arn.GlobFold(p.pat, st.in.Action)
	}
	key := st.key()
	if p.svc != "*" && string(key[:st.svc]) != p.svc {
		return false
	}
	name := key[st.svc+1:]
	if p.form == actExact {
		return string(name) == p.pfx
	}
	return len(name) >= len(p.pfx) && string(name[:len(p.pfx)]) == p.pfx
}

// lowerASCII lower-cases ASCII letters only, as action matching does.
func lowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// byteMask sets bit b&63 for every byte b of s other than the wildcards '*' and '?', with ASCII
// letters lower-cased. An action matches a pattern only if its mask covers the pattern's, so one
// AND rejects most non-matching patterns before any matching runs.
func byteMask(s string) uint64 {
	var m uint64
	for i := 0; i < len(s); i++ {
		b := s[i]
		switch {
		case b == '*' || b == '?':
			continue
		case 'A' <= b && b <= 'Z':
			b += 'a' - 'A'
		}
		m |= 1 << (b & 63)
	}
	return m
}

// cstmt is one compiled statement. Its small fields come first so that they pack into one
// word: compiled policies are cached for every principal.
type cstmt struct {
	index   int32
	effect  Effect
	resAll  bool // Resource "*", or no Resource/NotResource element
	notRes  bool // res holds NotResource patterns
	notPrin bool // prin is a NotPrincipal element
	// noPrin: a resource-based or trust policy statement without Principal/NotPrincipal names
	// nobody (AWS rejects such documents).
	noPrin bool

	sid   string
	rare  *stmtRare // nil unless the statement is broken or has NotAction
	res   []resMatcher
	prin  *principalMatcher
	conds []*condition.Clause
}

// stmtRare holds the fields that few statements need, keeping cstmt to 80 bytes.
type stmtRare struct {
	// broken is why the statement could not be compiled ("" if it could). A broken statement
	// matches by action only: a broken Deny always denies the actions it names, and a broken
	// Allow never allows (fail closed).
	broken    string
	notAction []actPat // NotAction patterns
}

// brokenWhy returns why the statement could not be compiled, or "" if it could.
func (s *cstmt) brokenWhy() string {
	if s.rare == nil {
		return ""
	}
	return s.rare.broken
}

// notActions returns the statement's NotAction patterns.
func (s *cstmt) notActions() []actPat {
	if s.rare == nil {
		return nil
	}
	return s.rare.notAction
}

// Ref returns the PolicyRef given to Compile.
func (c *Compiled) Ref() PolicyRef { return c.ref }

// Problems returns, one per statement that could not be compiled, why. Compile still succeeds
// for such documents (see Compile); callers that validate input reject them first.
func (c *Compiled) Problems() []error {
	var out []error
	for i := range c.stmts {
		if s := &c.stmts[i]; s.brokenWhy() != "" {
			out = append(out, fmt.Errorf("statement %d: %s", s.index, s.brokenWhy()))
		}
	}
	return out
}

// Interner shares the strings that compiled policies compare during evaluation (lower-case
// actions and condition keys) across policies: equal strings of policies compiled with the same
// Interner are one string, so that evaluation compares them by pointer. It also saves memory
// when many policies name the same actions and keys. The zero value is ready to use; it is safe
// for concurrent use, and keeps every string it has seen for as long as it is reachable.
type Interner struct {
	mu sync.Mutex
	m  map[string]string
}

// intern returns the Interner's copy of s, adding a copy of s if it has none.
func (n *Interner) intern(s string) string {
	n.mu.Lock()
	defer n.mu.Unlock()
	if t, ok := n.m[s]; ok {
		return t
	}
	if n.m == nil {
		n.m = map[string]string{}
	}
	t := strings.Clone(s)
	n.m[t] = t
	return t
}

// CompileOptions are the optional settings of CompileWith.
type CompileOptions struct {
	// Interner, if set, shares strings with the other policies compiled with it (see
	// Interner); nil shares them within the policy only.
	Interner *Interner
}

// Compile compiles doc for evaluation as a policy of the given kind; meta identifies it in
// decisions and traces (meta.Kind may be left zero; if set it must equal kind).
//
// Policy variables are substituted only for Version "2012-10-17"; under "2008-10-17" or no
// Version, "${...}" is literal text. A statement whose condition or resource cannot be compiled
// is kept but marked broken (see Problems and Trace.Failed): it fails closed.
func Compile(doc *Document, kind Kind, meta PolicyRef) (*Compiled, error) {
	return CompileWith(doc, kind, meta, CompileOptions{})
}

// CompileWith is Compile with options. Decisions do not depend on the options.
func CompileWith(doc *Document, kind Kind, meta PolicyRef, o CompileOptions) (*Compiled, error) {
	if doc == nil {
		return nil, errors.New("compile policy: nil document")
	}
	if kind < Identity || kind > RCP {
		return nil, fmt.Errorf("compile policy: invalid kind %d", kind)
	}
	if meta.Kind != 0 && meta.Kind != kind {
		return nil, fmt.Errorf("compile policy: PolicyRef kind %v does not match kind %v", meta.Kind, kind)
	}
	meta.Kind = kind
	keys := map[string]string{}
	intern := func(k string) string {
		if s, ok := keys[k]; ok {
			return s
		}
		if o.Interner != nil {
			k = o.Interner.intern(k)
		}
		keys[k] = k
		return k
	}
	opts := condition.Options{Variables: doc.Version == "2012-10-17", Intern: intern}
	c := &Compiled{ref: meta, stmts: make([]cstmt, len(doc.Statements))}
	exact := map[string][]int32{}
	services := map[string][]wildAction{}
	for i := range doc.Statements {
		st := &doc.Statements[i]
		c.stmts[i] = compileStatement(st, kind, opts)
		c.hasDeny = c.hasDeny || st.Effect == Deny
		si := int32(i)
		if st.Action == nil {
			c.notAct = append(c.notAct, si)
			continue
		}
		for _, a := range st.Action {
			svc, _, _ := strings.Cut(a, ":")
			switch {
			case !strings.ContainsAny(a, "*?"):
				k := lowerASCII(a)
				if l := exact[k]; len(l) == 0 || l[len(l)-1] != si {
					exact[k] = append(l, si)
				}
			case strings.ContainsAny(svc, "*?") || !strings.Contains(a, ":"):
				c.other = append(c.other, wildAction{compileAction(a), st.Effect == Deny, si})
			default:
				k := lowerASCII(svc)
				services[k] = append(services[k], wildAction{compileAction(a), st.Effect == Deny, si})
			}
		}
	}
	c.exact = make([]exactEntry, 0, len(exact))
	n := 0
	for k, l := range exact {
		c.exact = append(c.exact, exactEntry{key: intern(k), stmts: l})
		n += len(l)
	}
	sort.Slice(c.exact, func(i, j int) bool { return c.exact[i].key < c.exact[j].key })
	// The statement lists share one array rather than one small allocation per action.
	all := make([]int32, 0, n)
	for i := range c.exact {
		l := c.exact[i].stmts
		all = append(all, l...)
		c.exact[i].stmts = all[len(all)-len(l) : len(all) : len(all)]
	}
	for k, l := range services {
		sort.SliceStable(l, func(i, j int) bool { return l[i].pfx < l[j].pfx })
		e := serviceEntry{service: intern(k), pats: l}
		for e.nAny < len(l) && l[e.nAny].pfx == "" {
			e.nAny++
		}
		c.services = append(c.services, e)
	}
	sort.Slice(c.services, func(i, j int) bool { return c.services[i].service < c.services[j].service })
	if n := len(c.stmts); n >= indexMin && n <= indexMax {
		c.idx = buildIndex(c, intern)
	}
	return c, nil
}

func compileStatement(st *Statement, kind Kind, opts condition.Options) cstmt {
	// Strings kept from the document are copies: a Compiled never keeps the text alive.
	s := cstmt{index: int32(st.Index), effect: st.Effect, sid: strings.Clone(st.Sid)}
	var notAction []actPat
	for _, a := range st.NotAction {
		notAction = append(notAction, compileAction(a))
	}
	var problems []string
	if st.Effect != Allow && st.Effect != Deny {
		problems = append(problems, "invalid effect")
	}
	if st.Action == nil && st.NotAction == nil {
		problems = append(problems, "no Action or NotAction")
	}
	res := st.Resource
	if st.NotResource != nil {
		res, s.notRes = st.NotResource, true
	}
	s.resAll = res == nil
	for _, r := range res {
		if r == "*" && !s.notRes {
			s.resAll = true
			break
		}
	}
	if !s.resAll {
		for _, r := range res {
			p, err := condition.CompileARN(r, opts)
			if err != nil {
				problems = append(problems, fmt.Sprintf("resource %q: %v", r, err))
				continue
			}
			s.res = append(s.res, compileResource(r, p, opts))
		}
	}
	switch {
	case st.Principal != nil:
		s.prin = compilePrincipal(st.Principal)
	case st.NotPrincipal != nil:
		s.prin, s.notPrin = compilePrincipal(st.NotPrincipal), true
	default:
		s.noPrin = kind == Resource || kind == Trust
	}
	for _, cd := range st.Conditions {
		cl, err := condition.Compile(cd.Operator, cd.Key, cd.Values, opts)
		if err != nil {
			problems = append(problems, fmt.Sprintf("condition %s %s: %v", cd.Operator, cd.Key, err))
			continue
		}
		s.conds = append(s.conds, cl)
	}
	if len(problems) > 0 || notAction != nil {
		s.rare = &stmtRare{broken: strings.Join(problems, "; "), notAction: notAction}
	}
	return s
}

// resMatcher is a compiled Resource or NotResource value. Most values are literal ARNs, ARNs
// ending in a single '*', or ARNs whose six parts are literal, "*" or simple globs; those are
// matched here without going through condition.Pattern. Values with policy variables, and
// patterns with fewer than six parts, use the Pattern, which defines the semantics.
type resMatcher struct {
	kind uint8
	form [6]uint8 // resParts: how each part matches (partLiteral, ...)
	text string   // resExact: the ARN; resPrefix, resParts, resGeneral: the literal prefix
	ext  *resExt  // resParts, resGeneral
}

// resExt holds what only the rarer resMatcher kinds need, keeping resMatcher to 32 bytes.
type resExt struct {
	parts [6]string // resParts: the pattern's six parts
	pat   *condition.Pattern
}

const (
	resExact   uint8 = iota + 1 // a literal ARN: string equality
	resPrefix                   // six parts, one '*' at the very end: prefix test
	resParts                    // six parts without variables: per-part glob
	resGeneral                  // anything else: condition.Pattern
)

func compileResource(r string, p *condition.Pattern, opts condition.Options) resMatcher {
	if opts.Variables && strings.Contains(r, "${") || strings.Count(r, ":") < 5 {
		return resMatcher{kind: resGeneral, text: p.Prefix(), ext: &resExt{pat: p}}
	}
	r = strings.Clone(r) // keep only the ARN, not the document's text
	if !strings.ContainsAny(r, "*?") {
		return resMatcher{kind: resExact, text: r}
	}
	if i := strings.IndexAny(r, "*?"); i == len(r)-1 && r[i] == '*' && strings.Count(r[:i], ":") >= 5 {
		return resMatcher{kind: resPrefix, text: r[:i]}
	}
	m := resMatcher{kind: resParts, text: p.Prefix(), ext: &resExt{}}
	x := m.ext
	rest := r
	for i := range 5 {
		j := strings.IndexByte(rest, ':')
		x.parts[i], rest = rest[:j], rest[j+1:]
	}
	x.parts[5] = rest
	for i, part := range x.parts {
		switch j := strings.IndexAny(part, "*?"); {
		case j < 0:
			m.form[i] = partLiteral
		case part == "*":
			m.form[i] = partAny
		case j == len(part)-1 && part[j] == '*':
			m.form[i], x.parts[i] = partPrefix, part[:j]
		default:
			m.form[i] = partGlob
		}
	}
	return m
}

// How one part of a resParts pattern matches.
const (
	partLiteral uint8 = iota // equal text
	partAny                  // "*"
	partPrefix               // literal text then one final '*' (parts holds the text)
	partGlob                 // anything else: arn.Glob
)

// match reports whether the request's resource ARN matches.
func (m *resMatcher) match(resource string, st *evalState) bool {
	switch m.kind {
	case resExact:
		return resource == m.text
	case resPrefix:
		return strings.HasPrefix(resource, m.text)
	case resParts:
		if !strings.HasPrefix(resource, m.text) {
			return false
		}
		cut, ok := st.resourceParts()
		if !ok {
			return false
		}
		// The last part first: it is the one that usually differs.
		x := m.ext
		if !m.matchPart(x, 5, resource[cut[4]+1:]) {
			return false
		}
		start := 0
		for i := range 5 {
			if !m.matchPart(x, i, resource[start:cut[i]]) {
				return false
			}
			start = int(cut[i]) + 1
		}
		return true
	}
	return strings.HasPrefix(resource, m.text) && m.ext.pat.Match(resource, st.ctx)
}

func (m *resMatcher) matchPart(x *resExt, i int, v string) bool {
	switch m.form[i] {
	case partLiteral:
		return x.parts[i] == v
	case partAny:
		return true
	case partPrefix:
		return strings.HasPrefix(v, x.parts[i])
	}
	return arn.Glob(x.parts[i], v)
}
