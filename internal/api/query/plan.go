package query

import (
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"
)

// Codec decodes Query protocol requests into structs and encodes structs as Query protocol XML.
// It caches one plan per Go type, so a Codec should live as long as the server. It is safe for
// concurrent use.
type Codec struct {
	plans  sync.Map  // reflect.Type → *typePlan
	bufs   sync.Pool // *[]byte, response buffers
	unions map[reflect.Type][]reflect.Type
	// noModel turns off the service model's constraints (WithoutModelConstraints).
	noModel bool
}

// Option configures a Codec.
type Option func(*Codec)

// NewCodec returns a Codec with an empty plan cache.
func NewCodec(opts ...Option) *Codec {
	c := &Codec{unions: map[reflect.Type][]reflect.Type{}}
	for _, o := range opts {
		o(c)
	}
	return c
}

// WithUnion teaches the codec the members of the SDK union interface I, which reflection cannot
// discover. Each member is a pointer to a struct whose one member is Value, named
// "<I>Member<Name>", and travels on the wire as <Name>, for example
//
//	query.WithUnion[iamtypes.PolicyIdentifier](
//		&iamtypes.PolicyIdentifierMemberInlinePolicyIdentifier{},
//		&iamtypes.PolicyIdentifierMemberPolicyArn{},
//		&iamtypes.PolicyIdentifierMemberPolicyType{})
//
// Interface-typed members without registered members are neither decoded nor encoded.
// WithUnion panics if a member does not have that shape.
func WithUnion[I any](members ...I) Option {
	iface := reflect.TypeFor[I]()
	types := make([]reflect.Type, len(members))
	for i, m := range members {
		t := reflect.TypeOf(m)
		if iface.Kind() != reflect.Interface || t == nil || t.Kind() != reflect.Pointer || t.Elem().Kind() != reflect.Struct {
			panic("query.WithUnion: members must be pointers to structs implementing an interface")
		}
		if _, ok := t.Elem().FieldByName("Value"); !ok {
			panic("query.WithUnion: " + t.String() + " has no Value member")
		}
		if _, ok := strings.CutPrefix(t.Elem().Name(), iface.Name()+"Member"); !ok {
			panic("query.WithUnion: " + t.String() + " is not named " + iface.Name() + "Member<Name>")
		}
		types[i] = t
	}
	return func(c *Codec) { c.unions[iface] = append(c.unions[iface], types...) }
}

// WithoutModelConstraints makes DecodeForm check only what the types say (types, enums, required
// members) and not the IAM and STS service models' lengths, ranges and patterns: for codec tests
// that decode arbitrary values.
func WithoutModelConstraints() Option {
	return func(c *Codec) { c.noModel = true }
}

// kind is how a Go type travels on the wire.
type kind uint8

const (
	kindString kind = iota + 1
	kindBool
	kindInt // int, int8..int64
	kindUint
	kindFloat
	kindTime
	kindBlob
	kindStruct
	kindList
	kindMap
	kindUnion
)

// typePlan describes how one non-pointer Go type is encoded and decoded. Plans are immutable
// once built.
type typePlan struct {
	typ  reflect.Type
	kind kind
	bits int // for kindInt, kindUint, kindFloat

	// enum holds the allowed values when a string type has a Values() method (SDK enums).
	enum []string

	// kindStruct
	fields []fieldPlan
	byWire map[string]int
	// result is set for SDK outputs whose response needs a Result element even when empty.
	result bool

	// kindList and kindMap (whose keys are strings): the element type.
	elem    *typePlan
	elemPtr bool

	// kindUnion: the registered members, sorted by wire name.
	members []unionMember
}

// unionMember is one member of an SDK union: a pointer to a struct holding Value.
type unionMember struct {
	wire     string
	typ      reflect.Type // the pointer type that implements the union interface
	valueIdx int          // index of the Value field
	valuePtr bool
	plan     *typePlan // of Value
}

// fieldPlan is one exported member of a struct.
type fieldPlan struct {
	wire   string // request parameter name
	xml    string // response element name
	lower  string // lowerCamelCase name for validation messages
	index  int
	ptr    bool // the Go field is a pointer to plan.typ
	plan   *typePlan
	policy bool // percent-encode in responses (IAM policy documents)
	// required is set for members the SDK's validators require (sdk_gen.go).
	required bool
	// rule holds the service model's constraints on the member (model_gen.go), or nil.
	rule *modelRule
	// bareEnum: AWS answers a value outside this member's enum without the value or the set.
	bareEnum bool
}

var (
	timeType  = reflect.TypeFor[time.Time]()
	bytesType = reflect.TypeFor[[]byte]()
)

// plan returns the cached plan for t (a non-pointer type), building it on first use.
func (c *Codec) plan(t reflect.Type) *typePlan {
	if p, ok := c.plans.Load(t); ok {
		return p.(*typePlan)
	}
	b := builder{seen: map[reflect.Type]*typePlan{}, unions: c.unions}
	p := b.build(t)
	actual, _ := c.plans.LoadOrStore(t, p)
	return actual.(*typePlan)
}

// deref returns t without one level of pointer, and whether there was one.
func deref(t reflect.Type) (reflect.Type, bool) {
	if t.Kind() == reflect.Pointer {
		return t.Elem(), true
	}
	return t, false
}

// builder builds plans. seen holds plans under construction, which makes recursive types work
// and shares plans between members of the same type.
type builder struct {
	seen   map[reflect.Type]*typePlan
	unions map[reflect.Type][]reflect.Type
}

// build constructs the plan for t.
func (b builder) build(t reflect.Type) *typePlan {
	if p, ok := b.seen[t]; ok {
		return p
	}
	p := &typePlan{typ: t}
	b.seen[t] = p
	switch {
	case t == timeType:
		p.kind = kindTime
		return p
	case t == bytesType:
		p.kind = kindBlob
		return p
	}
	switch t.Kind() {
	case reflect.String:
		p.kind = kindString
		p.enum = enumValues(t)
	case reflect.Bool:
		p.kind = kindBool
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		p.kind, p.bits = kindInt, t.Bits()
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		p.kind, p.bits = kindUint, t.Bits()
	case reflect.Float32, reflect.Float64:
		p.kind, p.bits = kindFloat, t.Bits()
	case reflect.Slice:
		et, ptr := deref(t.Elem())
		if ep := b.build(et); ep.kind != 0 {
			p.kind, p.elem, p.elemPtr = kindList, ep, ptr
		}
	case reflect.Map:
		et, ptr := deref(t.Elem())
		if ep := b.build(et); t.Key().Kind() == reflect.String && ep.kind != 0 {
			p.kind, p.elem, p.elemPtr = kindMap, ep, ptr
		}
	case reflect.Struct:
		p.kind = kindStruct
		b.buildStruct(p, t)
	case reflect.Interface:
		b.buildUnion(p, t)
	}
	return p
}

func (b builder) buildStruct(p *typePlan, t reflect.Type) {
	fields := make([]fieldPlan, 0, t.NumField())
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() || f.Anonymous || f.Name == "ResultMetadata" {
			continue
		}
		ft, ptr := deref(f.Type)
		fp := b.build(ft)
		if fp.kind == 0 {
			continue // interfaces, funcs, channels: nothing the Query protocol carries
		}
		wire, xml := wireNames(t, f.Name)
		fields = append(fields, fieldPlan{
			rule:     b.rule(t, f.Name, fp),
			bareEnum: fp.enum != nil && bareEnumMember(t.PkgPath(), t.Name(), f.Name),
			required: slices.Contains(sdkRequired(t.PkgPath(), t.Name()), f.Name),
			wire:     wire,
			xml:      xml,
			lower:    lowerFirst(wire),
			index:    i,
			ptr:      ptr,
			plan:     fp,
			policy:   fp.kind == kindString && policyDocumentField(t, f.Name),
		})
	}
	byWire := make(map[string]int, len(fields))
	for i, f := range fields {
		byWire[f.wire] = i
	}
	p.fields, p.byWire = fields, byWire
	p.result = len(fields) > 0 || sdkResultElement(t.PkgPath(), t.Name())
}

// buildUnion makes p, for interface type t, a union plan if members of t are registered.
func (b builder) buildUnion(p *typePlan, t reflect.Type) {
	for _, mt := range b.unions[t] {
		f, _ := mt.Elem().FieldByName("Value")
		vt, ptr := deref(f.Type)
		name, _ := strings.CutPrefix(mt.Elem().Name(), t.Name()+"Member")
		p.members = append(p.members, unionMember{wire: name, typ: mt, valueIdx: f.Index[0], valuePtr: ptr, plan: b.build(vt)})
	}
	if len(p.members) > 0 {
		p.kind = kindUnion
		slices.SortFunc(p.members, func(x, y unionMember) int { return strings.Compare(x.wire, y.wire) })
	}
}

// wireNames returns the request parameter name and the response element name of member field
// of struct type t. They are the Go field name except where the SDK's (de)serializers say
// otherwise (sdk_gen.go), such as "arn" in STS's PolicyDescriptorType.
func wireNames(t reflect.Type, field string) (req, resp string) {
	req, resp = field, field
	if n := sdkRequestName(t.PkgPath(), t.Name(), field); n != "" {
		req = n
	}
	if n := sdkResponseName(t.PkgPath(), t.Name(), field); n != "" {
		resp = n
	}
	return req, resp
}

// policyDocumentField reports whether IAM percent-encodes member name of type t in responses.
// These are the members that carry an IAM policy document in an IAM output: the Get*Policy
// outputs' PolicyDocument, Role/RoleDetail.AssumeRolePolicyDocument, PolicyVersion.Document and
// PolicyDetail.PolicyDocument.
func policyDocumentField(t reflect.Type, name string) bool {
	if t.PkgPath() != "github.com/aws/aws-sdk-go-v2/service/iam" && t.PkgPath() != "github.com/aws/aws-sdk-go-v2/service/iam/types" {
		return false
	}
	switch name {
	case "PolicyDocument", "AssumeRolePolicyDocument":
		return true
	case "Document":
		return t.Name() == "PolicyVersion"
	}
	return false
}

// enumValues returns the values of an SDK enum type: a named string type whose zero value has
// a Values() method returning a slice of the type.
func enumValues(t reflect.Type) []string {
	if t.PkgPath() == "" {
		return nil
	}
	m, ok := t.MethodByName("Values")
	if !ok || m.Type.NumIn() != 1 || m.Type.NumOut() != 1 || m.Type.Out(0) != reflect.SliceOf(t) {
		return nil
	}
	out := m.Func.Call([]reflect.Value{reflect.Zero(t)})[0]
	vals := make([]string, out.Len())
	for i := range vals {
		vals[i] = out.Index(i).String()
	}
	return vals
}

func lowerFirst(s string) string {
	if s == "" || s[0] < 'A' || s[0] > 'Z' {
		return s
	}
	return string(s[0]+('a'-'A')) + s[1:]
}
