package middleware

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/iamd-dev/iamd/internal/api/awserr"
	"github.com/iamd-dev/iamd/internal/api/query"
	"github.com/iamd-dev/iamd/internal/authn"
	"github.com/iamd-dev/iamd/internal/sigv4"
	"github.com/iamd-dev/iamd/internal/trail"
)

// Authenticator verifies a parsed SigV4 request.
type Authenticator interface {
	Authenticate(ctx context.Context, r *sigv4.Request, auth *sigv4.Auth, now time.Time) (*authn.Caller, error)
}

// Recorder makes audit records durable.
type Recorder interface {
	Record(ctx context.Context, rec *trail.Record) error
}

// API serves the Query services on one listener.
type API struct {
	Services []*Service
	Auth     Authenticator
	Recorder Recorder
	Codec    *query.Codec
	Logger   *slog.Logger
	Now      func() time.Time
	// MaxBody caps request bodies (bytes).
	MaxBody int64
	// Account answers unsigned calls (AssumeRoleWithWebIdentity) and failed-authentication records.
	Account string
	// JSON holds the services spoken in the AWS JSON 1.1 protocol (X-Amz-Target routing), keyed
	// by SigV4 signing name ("cloudtrail"). Their requests are authenticated and audited like
	// Query requests; responses and errors are JSON.
	JSON map[string]JSONService
	// REST holds the services spoken in AWS's restJson1 protocol (method and path routing),
	// keyed by SigV4 signing name ("access-analyzer"); see RESTService.
	REST map[string]*RESTService
	// SessionLimit, when set, refuses Query calls that the caller's kind of credentials may
	// not make whatever its policies allow (sessions from GetSessionToken and from
	// GetFederationToken: stssvc.SessionTokenLimit).
	SessionLimit func(c *authn.Caller, service, action string) error
}

// JSONContentType is the content type of AWS JSON 1.1 requests and responses.
const JSONContentType = "application/x-amz-json-1.1"

// JSONService is a service spoken in the AWS JSON 1.1 protocol.
type JSONService interface {
	// Call runs the operation the X-Amz-Target header names ("CloudTrail_20131101.LookupEvents")
	// for an authenticated caller. It returns the decoded input (for the audit record) and the
	// output to encode as JSON, or an error (*awserr.Error or a domain error).
	Call(ctx context.Context, c *authn.Caller, target string, body []byte) (in, out any, err error)
}

// ServeHTTP runs the chain.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	reqID := trail.NewID()
	now := a.Now()
	ns := query.IAMNamespace
	call := &trail.Call{RequestID: reqID, Time: now, SourceIP: sourceIP(r), UserAgent: r.UserAgent(), TLS: r.TLS != nil, Host: r.Host, Account: a.Account}
	if r.TLS != nil {
		call.TLSVersion = strings.Replace(tls.VersionName(r.TLS.Version), "TLS ", "TLSv", 1)
		call.CipherSuite = tls.CipherSuiteName(r.TLS.CipherSuite)
	}
	defer func() {
		if p := recover(); p != nil {
			a.Logger.Error("panic", "request", reqID, "panic", p, "stack", string(debug.Stack()))
			a.writeError(w, ns, reqID, awserr.InternalFailure(""))
		}
	}()
	w.Header()["X-Amzn-Requestid"] = []string{reqID} // Set("x-amzn-RequestId") without canonicalizing the key each time

	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, a.MaxBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			a.writeError(w, ns, reqID, awserr.New("RequestEntityTooLarge", http.StatusRequestEntityTooLarge, awserr.Sender, "Request body exceeds the maximum allowed size."))
			return
		}
		a.writeError(w, ns, reqID, awserr.New("IncompleteBody", 400, awserr.Sender, "The request body could not be read."))
		return
	}
	sreq := &sigv4.Request{Method: r.Method, Path: r.URL.EscapedPath(), RawQuery: r.URL.RawQuery, Host: r.Host, Header: r.Header, Body: body}
	auth, authErr := sigv4.Parse(sreq)
	if rs := a.restService(auth, authErr); rs != nil {
		ns = RESTContentType
		a.serveREST(w, r, rs, call, sreq, auth, body, now)
		return
	}
	if r.Method != http.MethodPost && r.Method != http.MethodGet {
		a.writeError(w, ns, reqID, awserr.New("InvalidHttpRequest", 405, awserr.Sender, "Only GET and POST requests are supported."))
		return
	}
	if tooManyParams(strings.Count(r.URL.RawQuery, "&")) {
		a.writeError(w, ns, reqID, errTooManyParams())
		return
	}
	form, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		a.writeError(w, ns, reqID, awserr.MalformedQueryString("The query string is malformed."))
		return
	}
	if r.Method == http.MethodPost && strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		if tooManyParams(bytes.Count(body, []byte{'&'})) {
			a.writeError(w, ns, reqID, errTooManyParams())
			return
		}
		bf, err := url.ParseQuery(string(body))
		if err != nil {
			a.writeError(w, ns, reqID, awserr.MalformedQueryString("The request body is not valid form encoding."))
			return
		}
		if len(form) == 0 {
			form = bf // the usual case: no query string, nothing to merge
		} else {
			for k, v := range bf {
				form[k] = append(form[k], v...)
			}
		}
	}
	action := form.Get("Action")
	call.Action = action

	if js := a.jsonService(auth, authErr); js != nil {
		ns = JSONContentType
		a.serveJSON(w, r, js, call, sreq, auth, body, now)
		return
	}
	var svc *Service
	var op Op
	var caller *authn.Caller
	if authErr == nil {
		call.AccessKeyID = auth.AccessKeyID
		call.Region = auth.Region
		svc = a.service(auth.Service)
		if svc != nil {
			call.Service = svc.SigningName
			ns = svc.Namespace
		}
		caller, err = a.Auth.Authenticate(r.Context(), sreq, auth, now)
		if err != nil {
			a.fail(r.Context(), w, call, ns, err)
			return
		}
		if svc == nil {
			a.fail(r.Context(), w, call, ns, awserr.New("InvalidClientTokenId", 403, awserr.Sender, "Credential should be scoped to a valid service: '"+auth.Service+"'."))
			return
		}
	} else {
		// Unsigned: only the actions AWS accepts without a signature.
		svc, op = a.unsigned(action)
		if svc == nil {
			call.Service = "iam"
			a.fail(r.Context(), w, call, ns, authn.FromSigV4(authErr))
			return
		}
		ns, call.Service = svc.Namespace, svc.SigningName
		caller = &authn.Caller{}
	}
	bindCaller(call, caller, now)

	if action == "" {
		a.fail(r.Context(), w, call, ns, awserr.MissingAction("Missing Action"))
		return
	}
	if op.call == nil {
		var ok bool
		op, ok = svc.Ops[action]
		if !ok {
			a.fail(r.Context(), w, call, ns, awserr.InvalidAction("Could not find operation "+action+" for version "+form.Get("Version")))
			return
		}
	}
	if v := form.Get("Version"); v != svc.Version {
		a.fail(r.Context(), w, call, ns, awserr.InvalidAction("Could not find operation "+action+" for version "+v))
		return
	}
	if a.SessionLimit != nil {
		if err := a.SessionLimit(caller, svc.SigningName, action); err != nil {
			a.fail(r.Context(), w, call, ns, err)
			return
		}
	}
	in := op.NewInput()
	// The trail records what was asked even when the request breaks the service model (the
	// codec decodes what it can before it reports the failures).
	call.Params = in
	if err := a.Codec.DecodeForm(form, in); err != nil {
		a.fail(r.Context(), w, call, ns, err)
		return
	}
	ctx := trail.WithCall(r.Context(), call)
	out, err := op.call(ctx, caller, in)
	if err != nil {
		a.fail(ctx, w, call, ns, err)
		return
	}
	if !call.Recorded {
		call.Response = out
		if err := a.record(ctx, call); err != nil {
			a.writeError(w, ns, reqID, awserr.ServiceUnavailable("The audit trail could not be written; the request was not processed."))
			return
		}
	}
	var buf bytes.Buffer
	if err := a.Codec.EncodeResponse(&buf, action, ns, reqID, out); err != nil {
		a.Logger.Error("encoding response", "request", reqID, "action", action, "err", err)
		a.writeError(w, ns, reqID, awserr.InternalFailure(""))
		return
	}
	writeBody(w, http.StatusOK, query.ContentType, buf.Bytes())
}

// maxParams is the most parameters a request's query string, or its form-encoded body, may
// hold. It is net/url's own limit (ParseQuery refuses more, unless GODEBUG urlmaxqueryparams
// says otherwise); iamd checks it first so that such a request is told what is wrong instead
// of that its encoding is invalid. AWS documents no limit on the number of parameters.
const maxParams = 10000

// errTooManyParams answers a request with more than maxParams parameters: AWS's common
// InvalidQueryParameter (400), "does not adhere to AWS standards".
func errTooManyParams() *awserr.Error {
	return awserr.InvalidQueryParameter("The request has more than " + strconv.Itoa(maxParams) + " parameters.")
}

// tooManyParams reports whether a form-encoded string with amps '&' separators has more than
// maxParams parameters, counted as net/url counts them: one more than its separators.
func tooManyParams(amps int) bool { return amps+1 > maxParams }

// writeBody writes a whole response with its Content-Length.
func writeBody(w http.ResponseWriter, status int, contentType string, body []byte) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
}

// bindCaller completes the authenticated caller with the request's facts and puts it in the call.
func bindCaller(call *trail.Call, caller *authn.Caller, now time.Time) {
	caller.RequestID, caller.SourceIP, caller.UserAgent, caller.SecureTransport = call.RequestID, call.SourceIP, call.UserAgent, call.TLS
	if caller.Time.IsZero() {
		caller.Time = now
	}
	call.Caller = caller
	if caller.Principal.Account != "" {
		call.Account = caller.Principal.Account
	}
}

func (a *API) jsonService(auth *sigv4.Auth, authErr error) JSONService {
	if authErr != nil {
		return nil
	}
	return a.JSON[auth.Service]
}

// serveJSON runs a signed JSON 1.1 request: authenticate → call → audit record → JSON answer.
func (a *API) serveJSON(w http.ResponseWriter, r *http.Request, js JSONService, call *trail.Call, sreq *sigv4.Request, auth *sigv4.Auth, body []byte, now time.Time) {
	target := r.Header.Get("X-Amz-Target")
	call.Action = target[strings.LastIndexByte(target, '.')+1:]
	call.Service, call.AccessKeyID, call.Region = auth.Service, auth.AccessKeyID, auth.Region
	caller, err := a.Auth.Authenticate(r.Context(), sreq, auth, now)
	if err != nil {
		a.fail(r.Context(), w, call, JSONContentType, err)
		return
	}
	bindCaller(call, caller, now)
	ctx := trail.WithCall(r.Context(), call)
	in, out, err := js.Call(ctx, caller, target, body)
	call.Params = in
	if err != nil {
		a.fail(ctx, w, call, JSONContentType, err)
		return
	}
	call.Response = out
	if err := a.record(ctx, call); err != nil {
		a.writeError(w, JSONContentType, call.RequestID, awserr.ServiceUnavailable("The audit trail could not be written; the request was not processed."))
		return
	}
	b, err := json.Marshal(out)
	if err != nil {
		a.Logger.Error("encoding response", "request", call.RequestID, "action", call.Action, "err", err)
		a.writeError(w, JSONContentType, call.RequestID, awserr.InternalFailure(""))
		return
	}
	writeBody(w, http.StatusOK, JSONContentType, b)
}

func (a *API) service(signingName string) *Service {
	for _, s := range a.Services {
		if s.SigningName == signingName {
			return s
		}
	}
	return nil
}

func (a *API) unsigned(action string) (*Service, Op) {
	for _, s := range a.Services {
		if op, ok := s.Ops[action]; ok && op.Unsigned {
			return s, op
		}
	}
	return nil, Op{}
}

// fail answers err (mapped to AWS's wire error) and records the failed call.
func (a *API) fail(ctx context.Context, w http.ResponseWriter, call *trail.Call, ns string, err error) {
	e := a.wireError(call, err)
	a.recordFailure(ctx, call, e.Code, e.Message)
	a.writeError(w, ns, call.RequestID, e)
}

// wireError maps err to AWS's wire error, logging (and hiding) internal causes.
func (a *API) wireError(call *trail.Call, err error) *awserr.Error {
	e := awserr.FromDomain(err)
	if e == nil {
		a.Logger.Error("internal error", "request", call.RequestID, "action", call.Action, "err", err)
		e = awserr.InternalFailure("")
	}
	return e
}

// recordFailure records a failed call (unless nothing identifies it: no action, no key).
func (a *API) recordFailure(ctx context.Context, call *trail.Call, code, msg string) {
	call.ErrCode, call.ErrMsg, call.Response = code, msg, nil
	if call.Service == "" {
		call.Service = "iam"
	}
	if call.Action != "" || call.AccessKeyID != "" {
		if rerr := a.record(ctx, call); rerr != nil {
			a.Logger.Error("audit record of a failed call could not be written", "request", call.RequestID, "err", rerr)
		}
	}
}

func (a *API) record(ctx context.Context, call *trail.Call) error {
	if a.Recorder == nil || recordingDisabled {
		return nil
	}
	// Compact: JSON when read, 40% of the bytes to write and hash. Built into a reused record
	// and buffer, which Recorder.Record keeps nothing of.
	return trail.WithCompact(call, func(rec *trail.Record) error { return a.Recorder.Record(ctx, rec) })
}

// writeError answers e as Query error XML in namespace ns, as a JSON 1.1 error when ns is
// JSONContentType, or as a restJson1 error when ns is RESTContentType.
func (a *API) writeError(w http.ResponseWriter, ns, reqID string, e *awserr.Error) {
	switch ns {
	case JSONContentType:
		b, _ := json.Marshal(map[string]string{"__type": e.Code, "message": e.Message})
		w.Header().Set("X-Amzn-ErrorType", e.Code)
		writeBody(w, e.Status, JSONContentType, b)
		return
	case RESTContentType:
		b, _ := json.Marshal(map[string]string{"message": e.Message})
		w.Header().Set("X-Amzn-ErrorType", e.Code)
		writeBody(w, e.Status, RESTContentType, b)
		return
	}
	var buf bytes.Buffer
	if err := a.Codec.EncodeError(&buf, ns, reqID, e); err != nil {
		a.Logger.Error("encoding error", "request", reqID, "err", err)
	}
	writeBody(w, e.Status, query.ContentType, buf.Bytes())
}

func sourceIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
