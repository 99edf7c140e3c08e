package middleware

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/iamd-dev/iamd/internal/api/awserr"
	"github.com/iamd-dev/iamd/internal/authn"
	"github.com/iamd-dev/iamd/internal/sigv4"
	"github.com/iamd-dev/iamd/internal/trail"
)

// RESTContentType is the content type of restJson1 request and response bodies.
const RESTContentType = "application/json"

// RESTService is a service spoken in AWS's restJson1 protocol (IAM Access Analyzer): signed
// requests whose credential scope names SigningName are routed on the HTTP method and path;
// the input is bound from path labels, the query string and a JSON body (see EncodeJSON for the
// JSON mapping). Requests are authenticated and audited like Query requests.
type RESTService struct {
	// SigningName is the SigV4 service name ("access-analyzer"); it is also the audit record's
	// eventSource prefix.
	SigningName string
	// Ops is the route table. Table-building panics on a duplicate route.
	Ops []RESTOp
	// Error maps an error a handler returned to the service's exception, or returns nil to
	// leave it to the generic mapping (awserr.FromDomain, written as {"message": …}).
	Error func(err error) *RESTError
}

// RESTError is an error as restJson1 writes it: HTTP status, the X-Amzn-ErrorType header
// (Code) and a JSON body with the message and the exception's other members.
type RESTError struct {
	Status  int
	Code    string
	Message string
	// Body is the exception value (an SDK exception type such as *types.ValidationException),
	// encoded with EncodeJSON; nil writes {"message": Message}.
	Body any
}

// RESTOp is one route of a RESTService.
type RESTOp struct {
	Method string
	// Path is the route's path pattern, with {label} segments bound to the input member of
	// the same name ("/policy/generation/{jobId}" → JobId).
	Path   string
	Action string

	query   []string
	segs    []string
	inType  reflect.Type
	outType reflect.Type
	call    func(ctx context.Context, c *authn.Caller, in any) (any, error)
}

// HandleREST builds a route from a typed handler; In and Out are the AWS SDK's input and output
// types of the operation (the wire contract).
func HandleREST[In, Out any](method, path, action string, fn func(ctx context.Context, c *authn.Caller, in *In) (*Out, error)) RESTOp {
	op := RESTOp{
		Method: method, Path: path, Action: action,
		segs:    strings.Split(strings.Trim(path, "/"), "/"),
		inType:  reflect.TypeFor[In](),
		outType: reflect.TypeFor[Out](),
		call:    untyped(fn),
	}
	for _, s := range op.segs {
		if label, ok := pathLabel(s); ok {
			op.mustHaveMember(label)
		}
	}
	return op
}

// WithQuery binds the query parameters (lowerCamelCase member names, "maxResults") to the input
// members of the same name.
func (o RESTOp) WithQuery(params ...string) RESTOp {
	for _, p := range params {
		o.mustHaveMember(p)
	}
	o.query = append(append([]string(nil), o.query...), params...)
	return o
}

func (o RESTOp) mustHaveMember(name string) {
	if _, ok := o.inType.FieldByName(fieldName(name)); !ok {
		panic(fmt.Sprintf("route %s %s: input %s has no member %s", o.Method, o.Path, o.inType, name))
	}
}

// NewInput returns a fresh zero input value for the operation.
func (o RESTOp) NewInput() any { return reflect.New(o.inType).Interface() }

// InputType and OutputType name the SDK types of the operation.
func (o RESTOp) InputType() reflect.Type  { return o.inType }
func (o RESTOp) OutputType() reflect.Type { return o.outType }

func pathLabel(seg string) (string, bool) {
	if len(seg) > 2 && seg[0] == '{' && seg[len(seg)-1] == '}' {
		return seg[1 : len(seg)-1], true
	}
	return "", false
}

// fieldName is the Go field of a member name: its first letter upper-cased.
func fieldName(member string) string {
	r, n := utf8.DecodeRuneInString(member)
	return string(unicode.ToUpper(r)) + member[n:]
}

// match reports whether the route serves method and the escaped path, with the path's labels.
func (o *RESTOp) match(method string, segs []string) (map[string]string, bool) {
	if method != o.Method || len(segs) != len(o.segs) {
		return nil, false
	}
	var labels map[string]string
	for i, s := range o.segs {
		if label, ok := pathLabel(s); ok {
			v, err := url.PathUnescape(segs[i])
			if err != nil || v == "" {
				return nil, false
			}
			if labels == nil {
				labels = map[string]string{}
			}
			labels[label] = v
			continue
		}
		if s != segs[i] {
			return nil, false
		}
	}
	return labels, true
}

// route finds the operation for a request.
func (rs *RESTService) route(method, escapedPath string) (*RESTOp, map[string]string) {
	segs := strings.Split(strings.Trim(escapedPath, "/"), "/")
	for i := range rs.Ops {
		if labels, ok := rs.Ops[i].match(method, segs); ok {
			return &rs.Ops[i], labels
		}
	}
	return nil, nil
}

// bind fills in from the request's labels and query string, and the body.
func (o *RESTOp) bind(in any, labels map[string]string, query url.Values, body []byte) error {
	if err := DecodeJSON(body, in); err != nil {
		return err
	}
	v := reflect.ValueOf(in).Elem()
	for label, val := range labels {
		if err := bindParam(v, fieldName(label), val); err != nil {
			return err
		}
	}
	for _, p := range o.query {
		if vals, ok := query[p]; ok && len(vals) > 0 {
			if err := bindParam(v, fieldName(p), vals[0]); err != nil {
				return err
			}
		}
	}
	return nil
}

func (a *API) restService(auth *sigv4.Auth, authErr error) *RESTService {
	if authErr != nil {
		return nil
	}
	return a.REST[auth.Service]
}

// serveREST runs a signed restJson1 request: route → authenticate → bind → call → audit record
// → JSON answer.
func (a *API) serveREST(w http.ResponseWriter, r *http.Request, rs *RESTService, call *trail.Call, sreq *sigv4.Request, auth *sigv4.Auth, body []byte, now time.Time) {
	call.Service, call.AccessKeyID, call.Region = auth.Service, auth.AccessKeyID, auth.Region
	op, labels := rs.route(r.Method, r.URL.EscapedPath())
	if op != nil {
		call.Action = op.Action
	}
	caller, err := a.Auth.Authenticate(r.Context(), sreq, auth, now)
	if err != nil {
		a.failREST(r.Context(), w, call, rs, err)
		return
	}
	bindCaller(call, caller, now)
	if op == nil {
		a.failREST(r.Context(), w, call, rs, awserr.New("UnknownOperationException", http.StatusNotFound, awserr.Sender,
			"No operation matches "+r.Method+" "+r.URL.EscapedPath()+"."))
		return
	}
	in := op.NewInput()
	if err := op.bind(in, labels, r.URL.Query(), body); err != nil {
		if !errors.Is(err, errShape) {
			a.Logger.Error("binding a restJson request", "request", call.RequestID, "action", op.Action, "err", err)
		}
		a.failREST(r.Context(), w, call, rs, awserr.New("SerializationException", http.StatusBadRequest, awserr.Sender,
			"The request could not be read as the operation's input."))
		return
	}
	call.Params = in
	ctx := trail.WithCall(r.Context(), call)
	out, err := op.call(ctx, caller, in)
	if err != nil {
		a.failREST(ctx, w, call, rs, err)
		return
	}
	if !call.Recorded {
		call.Response = out
		if err := a.record(ctx, call); err != nil {
			a.writeError(w, RESTContentType, call.RequestID, awserr.ServiceUnavailable("The audit trail could not be written; the request was not processed."))
			return
		}
	}
	b, err := EncodeJSON(out)
	if err != nil {
		a.Logger.Error("encoding response", "request", call.RequestID, "action", call.Action, "err", err)
		a.writeError(w, RESTContentType, call.RequestID, awserr.InternalFailure(""))
		return
	}
	writeBody(w, http.StatusOK, RESTContentType, b)
}

// failREST answers err as the service's exception (or the generic wire error) and records the
// failed call.
func (a *API) failREST(ctx context.Context, w http.ResponseWriter, call *trail.Call, rs *RESTService, err error) {
	var re *RESTError
	if rs.Error != nil {
		re = rs.Error(err)
	}
	if re == nil {
		e := a.wireError(call, err)
		re = &RESTError{Status: e.Status, Code: e.Code, Message: e.Message}
	}
	a.recordFailure(ctx, call, re.Code, re.Message)
	body := []byte(nil)
	if re.Body != nil {
		var eerr error
		if body, eerr = EncodeJSON(re.Body); eerr != nil {
			a.Logger.Error("encoding error", "request", call.RequestID, "err", eerr)
			body = nil
		}
	}
	if body == nil {
		a.writeError(w, RESTContentType, call.RequestID, awserr.New(re.Code, re.Status, awserr.Sender, re.Message))
		return
	}
	w.Header().Set("X-Amzn-ErrorType", re.Code)
	writeBody(w, re.Status, RESTContentType, body)
}
