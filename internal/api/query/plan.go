package query

import (
	"reflect"
	"slices"
	"sync"
	"time"
)

// Codec decodes Query protocol requests into structs and encodes structs as Query protocol XML.
// It caches one plan per Go type, so a Codec should live as long as the server. It is safe for
// concurrent use.
type Codec struct {
	plans sync.Map  // reflect.Type → *typePlan
	bufs  sync.Pool // *[]byte, response buffers
}

// NewCodec returns a Codec with an empty plan cache.
func NewCodec() *Codec {
	return &Codec{}
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
}

// fieldPlan is one exported member of a struct.
type fieldPlan struct {
	wire   string // wire name
	lower  string // lowerCamelCase name for validation messages
	index  int
	ptr    bool // the Go field is a pointer to plan.typ
	plan   *typePlan
	policy bool // percent-encode in responses (IAM policy documents)
	// required is set for members the SDK's validators require; see Required.
	required bool
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
	p := build(t, map[reflect.Type]*typePlan{})
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

// build constructs the plan for t; seen holds plans under construction, which makes recursive
// types work and shares plans between members of the same type.
func build(t reflect.Type, seen map[reflect.Type]*typePlan) *typePlan {
	if p, ok := seen[t]; ok {
		return p
	}
	p := &typePlan{typ: t}
	seen[t] = p
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
		if ep := build(et, seen); ep.kind != 0 {
			p.kind, p.elem, p.elemPtr = kindList, ep, ptr
		}
	case reflect.Map:
		et, ptr := deref(t.Elem())
		if ep := build(et, seen); t.Key().Kind() == reflect.String && ep.kind != 0 {
			p.kind, p.elem, p.elemPtr = kindMap, ep, ptr
		}
	case reflect.Struct:
		p.kind = kindStruct
		buildStruct(p, t, seen)
	}
	return p
}

func buildStruct(p *typePlan, t reflect.Type, seen map[reflect.Type]*typePlan) {
	fields := make([]fieldPlan, 0, t.NumField())
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() || f.Anonymous || f.Name == "ResultMetadata" {
			continue
		}
		ft, ptr := deref(f.Type)
		fp := build(ft, seen)
		if fp.kind == 0 {
			continue // interfaces, funcs, channels: nothing the Query protocol carries
		}
		wire := wireName(t, f.Name)
		fields = append(fields, fieldPlan{
			required: slices.Contains(sdkRequired(t.PkgPath(), t.Name()), f.Name),
			wire:     wire,
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

// wireName is the Query member name of field name in struct type t. The SDK serializers use
// the Go field name except for the members listed here.
func wireName(t reflect.Type, name string) string {
	if name == "Arn" && t.Name() == "PolicyDescriptorType" && t.PkgPath() == "github.com/aws/aws-sdk-go-v2/service/sts/types" {
		return "arn"
	}
	return name
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
