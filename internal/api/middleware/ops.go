package middleware

import (
	"context"
	"fmt"
	"reflect"

	"github.com/iamd-dev/iamd/internal/authn"
)

// Op is one entry of a service's action table: the Query action name, how to make a fresh input
// value for the codec, and the handler.
type Op struct {
	Action string
	// Unsigned marks actions AWS accepts without a signature (AssumeRoleWithWebIdentity,
	// AssumeRoleWithSAML).
	Unsigned bool

	inType  reflect.Type
	outType reflect.Type
	call    func(ctx context.Context, c *authn.Caller, in any) (any, error)
}

// Handle builds an Op from a typed handler; In and Out are the AWS SDK's input and output types
// for the action (the wire contract).
func Handle[In, Out any](action string, fn func(ctx context.Context, c *authn.Caller, in *In) (*Out, error)) Op {
	return Op{
		Action:  action,
		inType:  reflect.TypeFor[In](),
		outType: reflect.TypeFor[Out](),
		call:    untyped(fn),
	}
}

// untyped wraps a typed handler for the tables, which hold handlers of every input and output
// type: a nil output becomes an empty one.
func untyped[In, Out any](fn func(ctx context.Context, c *authn.Caller, in *In) (*Out, error)) func(ctx context.Context, c *authn.Caller, in any) (any, error) {
	return func(ctx context.Context, c *authn.Caller, in any) (any, error) {
		out, err := fn(ctx, c, in.(*In))
		if err != nil {
			return nil, err
		}
		if out == nil {
			return new(Out), nil
		}
		return out, nil
	}
}

// NewInput returns a fresh zero input value for the action.
func (o Op) NewInput() any { return reflect.New(o.inType).Interface() }

// InputType and OutputType name the SDK types of the action (for documentation and tests).
func (o Op) InputType() reflect.Type  { return o.inType }
func (o Op) OutputType() reflect.Type { return o.outType }

// Service is one AWS Query service on the listener.
type Service struct {
	// SigningName is the SigV4 service name ("iam", "sts") that routes signed requests.
	SigningName string
	// Version is the Query API version ("2010-05-08").
	Version string
	// Namespace is the XML namespace of responses.
	Namespace string
	// Ops is the action table, keyed by action name.
	Ops map[string]Op
}

// Table builds an action table and panics on a duplicate (a programming error).
func Table(ops ...Op) map[string]Op {
	m := make(map[string]Op, len(ops))
	for _, op := range ops {
		if _, dup := m[op.Action]; dup {
			panic(fmt.Sprintf("duplicate action %q", op.Action))
		}
		m[op.Action] = op
	}
	return m
}
