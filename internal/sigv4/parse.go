package sigv4

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Algorithm is the only signing algorithm iamd accepts, as in AWS.
const Algorithm = "AWS4-HMAC-SHA256"

// terminator ends every SigV4 credential scope.
const terminator = "aws4_request"

// amzDateFormat is the ISO 8601 basic format of X-Amz-Date.
const amzDateFormat = "20060102T150405Z"

// maxExpires is the longest validity of a presigned request AWS documents: seven days.
const maxExpires = 604800

// Request is what verification needs from an HTTP request; the server fills it after reading
// the body.
type Request struct {
	Method   string
	Path     string // the raw escaped path as received: r.URL.EscapedPath()
	RawQuery string
	Host     string // r.Host
	Header   http.Header
	Body     []byte
}

// Auth is a parsed SigV4 authentication, from the Authorization header or from presigned
// query parameters.
type Auth struct {
	AccessKeyID string
	Date        string // YYYYMMDD from the credential scope
	Region      string
	Service     string

	SignedHeaders []string
	Signature     string

	// Time is X-Amz-Date, or the Date header when X-Amz-Date is absent.
	Time time.Time

	// Presigned is true when the authentication came from query parameters; Expires is
	// X-Amz-Expires, or zero when the request did not carry it.
	Presigned bool
	Expires   time.Duration

	// SecurityToken is X-Amz-Security-Token (header or query), empty when absent.
	SecurityToken string

	// terminator is the last element of the credential scope; Verify insists on aws4_request.
	terminator string
}

// Parse reads the SigV4 authentication of r. It checks syntax only: Verify checks time,
// scope and signature. Failures are *Error with the code and message AWS sends.
func Parse(r *Request) (*Auth, error) {
	authz := r.Header.Get("Authorization")
	inQuery := queryHas(r.RawQuery, "X-Amz-Algorithm")
	switch {
	case authz != "" && inQuery:
		return nil, newError(CodeSignatureDoesNotMatch, msgBoth)
	case authz != "":
		if !strings.HasPrefix(strings.TrimSpace(authz), "AWS4-") {
			return nil, newError(CodeMissingAuthenticationToken, msgMissingToken)
		}
		return parseHeader(r, authz)
	case inQuery:
		return parseQuery(r)
	}
	return nil, newError(CodeMissingAuthenticationToken, msgMissingToken)
}

// parseHeader parses "AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...".
func parseHeader(r *Request, authz string) (*Auth, error) {
	trimmed := strings.TrimSpace(authz)
	alg, rest, _ := strings.Cut(trimmed, " ")
	var cred, signed, sig string
	for tok := range strings.FieldsFuncSeq(rest, func(c rune) bool { return c == ',' || c == ' ' }) {
		k, v, ok := strings.Cut(tok, "=")
		if !ok {
			return nil, newError(CodeIncompleteSignature, "'"+tok+"' not a valid key=value pair (missing equal-sign) in Authorization header: '"+authz+"'.")
		}
		switch k {
		case "Credential":
			cred = v
		case "SignedHeaders":
			signed = v
		case "Signature":
			sig = v
		}
	}
	amzDate := r.Header.Get("X-Amz-Date")
	httpDate := r.Header.Get("Date")
	var msg strings.Builder
	for _, p := range [...]struct{ name, val string }{{"Credential", cred}, {"Signature", sig}, {"SignedHeaders", signed}} {
		if p.val == "" {
			msg.WriteString("Authorization header requires '" + p.name + "' parameter. ")
		}
	}
	if amzDate == "" && httpDate == "" {
		msg.WriteString("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ")
	}
	if msg.Len() > 0 {
		msg.WriteString("Authorization=" + authz)
		return nil, newError(CodeIncompleteSignature, msg.String())
	}
	var t time.Time
	var err error
	if amzDate != "" {
		t, err = parseAmzDate(amzDate)
	} else {
		t, err = parseHTTPDate(httpDate)
	}
	if err != nil {
		return nil, err
	}
	a := &Auth{
		Signature:     sig,
		SignedHeaders: strings.Split(signed, ";"),
		Time:          t,
		SecurityToken: r.Header.Get("X-Amz-Security-Token"),
	}
	if err := a.setAlgorithmAndCredential(alg, cred); err != nil {
		return nil, err
	}
	return a, nil
}

// parseQuery parses presigned X-Amz-* query parameters.
func parseQuery(r *Request) (*Auth, error) {
	q, _ := url.ParseQuery(r.RawQuery) // malformed pairs are dropped, as the signer drops them
	names := [...]string{"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-SignedHeaders", "X-Amz-Date"}
	var msg strings.Builder
	for _, name := range names {
		if q.Get(name) == "" {
			msg.WriteString("AWS query-string parameters must include '" + name + "'. ")
		}
	}
	if msg.Len() > 0 {
		msg.WriteString("Re-examine the query-string parameters.")
		return nil, newError(CodeIncompleteSignature, msg.String())
	}
	t, err := parseAmzDate(q.Get("X-Amz-Date"))
	if err != nil {
		return nil, err
	}
	a := &Auth{
		Signature:     q.Get("X-Amz-Signature"),
		SignedHeaders: strings.Split(q.Get("X-Amz-SignedHeaders"), ";"),
		Time:          t,
		Presigned:     true,
		SecurityToken: q.Get("X-Amz-Security-Token"),
	}
	if err := a.setAlgorithmAndCredential(q.Get("X-Amz-Algorithm"), q.Get("X-Amz-Credential")); err != nil {
		return nil, err
	}
	if vs, ok := q["X-Amz-Expires"]; ok {
		secs, err := strconv.ParseInt(vs[0], 10, 64)
		switch {
		case err != nil:
			return nil, newError(CodeIncompleteSignature, "X-Amz-Expires should be a number")
		case secs < 1:
			return nil, newError(CodeIncompleteSignature, "X-Amz-Expires must be non-negative")
		case secs > maxExpires:
			return nil, newError(CodeIncompleteSignature, "X-Amz-Expires must be less than a week (in seconds) that is 604800")
		}
		a.Expires = time.Duration(secs) * time.Second
	}
	return a, nil
}

// setAlgorithmAndCredential checks the algorithm and splits the credential into its five
// elements (trailing slashes are ignored, as in AWS).
func (a *Auth) setAlgorithmAndCredential(alg, cred string) error {
	if alg != Algorithm {
		return newError(CodeIncompleteSignature, "Unsupported AWS 'algorithm': '"+alg+"' (only AWS4-HMAC-SHA256 for now). ")
	}
	parts := strings.Split(strings.TrimRight(cred, "/"), "/")
	if len(parts) != 5 {
		return newError(CodeIncompleteSignature, "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '"+cred+"'")
	}
	a.AccessKeyID, a.Date, a.Region, a.Service, a.terminator = parts[0], parts[1], parts[2], parts[3], parts[4]
	return nil
}

func parseAmzDate(s string) (time.Time, error) {
	t, err := time.Parse(amzDateFormat, s)
	var buf [len(amzDateFormat)]byte
	if err != nil || string(t.AppendFormat(buf[:0], amzDateFormat)) != s { // time.Parse takes one-digit hours and fractions
		return time.Time{}, badDate(s)
	}
	return t, nil
}

func parseHTTPDate(s string) (time.Time, error) {
	t, err := http.ParseTime(s)
	if err != nil {
		return time.Time{}, badDate(s)
	}
	return t.UTC(), nil
}

func badDate(s string) *Error {
	return newError(CodeIncompleteSignature, "Date must be in ISO-8601 'basic format'. Got '"+s+"'. See http://en.wikipedia.org/wiki/ISO_8601")
}

// queryHas reports whether raw has a pair named name, without decoding other pairs.
func queryHas(raw, name string) bool {
	found := false
	eachQueryPair(raw, func(key, _ string) bool {
		found = key == name
		return !found
	})
	return found
}
