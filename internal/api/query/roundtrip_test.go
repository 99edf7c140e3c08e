package query

import (
	"bytes"
	"context"
	"errors"
	"go/token"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"

	"github.com/iamd-dev/iamd/internal/api/awserr"
)

// sdkServer is an httptest server that speaks the Query protocol through a Codec. For each
// request it decodes the form into a fresh value of the input type registered for the action,
// records it, and answers with the output or error the test queued.
type sdkServer struct {
	t         *testing.T
	codec     *Codec
	namespace string
	inputs    map[string]reflect.Type // action → input struct type

	mu      sync.Mutex
	got     any // the decoded input of the last request
	decErr  error
	out     any
	errOut  *awserr.Error
	lastXML []byte
}

func (s *sdkServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.t.Errorf("ParseForm: %v", err)
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	action := r.PostForm.Get("Action")
	s.mu.Lock()
	defer s.mu.Unlock()
	in := reflect.New(s.inputs[action])
	s.decErr = s.codec.DecodeForm(r.PostForm, in.Interface())
	s.got = in.Interface()
	var buf bytes.Buffer
	w.Header().Set("Content-Type", "text/xml")
	status := http.StatusOK
	if s.errOut != nil {
		if err := s.codec.EncodeError(&buf, s.namespace, "req-1", s.errOut); err != nil {
			s.t.Errorf("EncodeError: %v", err)
		}
		status = s.errOut.Status
	} else if err := s.codec.EncodeResponse(&buf, action, s.namespace, "req-1", s.out); err != nil {
		s.t.Errorf("EncodeResponse(%s): %v", action, err)
		status = http.StatusInternalServerError
	}
	s.lastXML = buf.Bytes()
	// A Content-Length, not chunked encoding, as iamd's server sends it.
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// operation is one SDK client method: func(ctx, *XInput, ...func(*Options)) (*XOutput, error).
type operation struct {
	name    string
	method  reflect.Value
	in, out reflect.Type // struct types
}

// operations lists the operations of an SDK client by reflection.
func operations(client any) []operation {
	v := reflect.ValueOf(client)
	t := v.Type()
	var ops []operation
	for i := range t.NumMethod() {
		m := t.Method(i)
		mt := m.Type // includes the receiver
		if mt.NumIn() != 4 || mt.NumOut() != 2 || mt.In(2).Kind() != reflect.Pointer || mt.Out(0).Kind() != reflect.Pointer {
			continue
		}
		in, out := mt.In(2).Elem(), mt.Out(0).Elem()
		if in.Name() != m.Name+"Input" || out.Name() != m.Name+"Output" {
			continue
		}
		ops = append(ops, operation{name: m.Name, method: v.Method(i), in: in, out: out})
	}
	return ops
}

func newIAMClient(t *testing.T, srv *httptest.Server) *iam.Client {
	t.Helper()
	return iam.New(iam.Options{
		BaseEndpoint:     aws.String(srv.URL),
		Region:           "us-east-1",
		Credentials:      aws.AnonymousCredentials{},
		HTTPClient:       testHTTPClient(srv),
		RetryMaxAttempts: 1,
	})
}

func newSTSClient(t *testing.T, srv *httptest.Server) *sts.Client {
	t.Helper()
	return sts.New(sts.Options{
		BaseEndpoint:     aws.String(srv.URL),
		Region:           "us-east-1",
		Credentials:      aws.AnonymousCredentials{},
		HTTPClient:       testHTTPClient(srv),
		RetryMaxAttempts: 1,
	})
}

// bufferingTransport hands the transport a copy of the request body. The SDK closes the
// request body once response headers arrive; if the transport's write loop has not yet seen EOF
// it then closes the connection under the response reader ("use of closed network connection",
// aws/aws-sdk-go-v2#2737). Copying the body first keeps the round trips deterministic.
type bufferingTransport struct{ next http.RoundTripper }

func (b bufferingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, err
		}
		r = r.Clone(r.Context())
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
		r.ContentLength = int64(len(body))
	}
	return b.next.RoundTrip(r)
}

func testHTTPClient(srv *httptest.Server) *http.Client {
	return &http.Client{Transport: bufferingTransport{srv.Client().Transport}}
}

// startServer starts an sdkServer for the operations of client, built by newClient.
func startServer[C any](t *testing.T, namespace string, newClient func(*testing.T, *httptest.Server) C) (*sdkServer, C, []operation) {
	t.Helper()
	s := &sdkServer{t: t, codec: NewCodec(append(sdkUnionOptions(), WithoutModelConstraints())...), namespace: namespace, inputs: map[string]reflect.Type{}}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	client := newClient(t, srv)
	ops := operations(client)
	for _, op := range ops {
		s.inputs[op.name] = op.in
	}
	return s, client, ops
}

// sdkUnions lists the members of every union in the IAM and STS SDK inputs and outputs, as the
// API layer registers them with WithUnion.
func sdkUnions() map[reflect.Type][]reflect.Type {
	return map[reflect.Type][]reflect.Type{
		reflect.TypeFor[iamtypes.PolicyIdentifier](): {
			reflect.TypeFor[*iamtypes.PolicyIdentifierMemberInlinePolicyIdentifier](),
			reflect.TypeFor[*iamtypes.PolicyIdentifierMemberPolicyArn](),
			reflect.TypeFor[*iamtypes.PolicyIdentifierMemberPolicyType](),
		},
	}
}

func sdkUnionOptions() []Option {
	return []Option{WithUnion[iamtypes.PolicyIdentifier](
		&iamtypes.PolicyIdentifierMemberInlinePolicyIdentifier{},
		&iamtypes.PolicyIdentifierMemberPolicyArn{},
		&iamtypes.PolicyIdentifierMemberPolicyType{},
	)}
}

// sdkCmp compares SDK values: exported members only, without ResultMetadata.
var sdkCmp = cmp.FilterPath(func(p cmp.Path) bool {
	sf, ok := p.Last().(cmp.StructField)
	return ok && (!token.IsExported(sf.Name()) || sf.Name() == "ResultMetadata")
}, cmp.Ignore())

// call invokes op with in and returns its output and error.
func call(op operation, in reflect.Value) (reflect.Value, error) {
	res := op.method.Call([]reflect.Value{reflect.ValueOf(context.Background()), in})
	err, _ := res[1].Interface().(error)
	return res[0], err
}

// TestSDKRoundTrip drives every operation of the real IAM and STS SDK clients with fully
// populated inputs and outputs: the server must decode exactly the input the client sent, and
// the client must decode exactly the output the server encoded.
func TestSDKRoundTrip(t *testing.T) {
	for _, svc := range []struct {
		name string
		run  func(t *testing.T, tricky bool)
	}{
		{"iam", func(t *testing.T, tricky bool) {
			s, _, ops := startServer(t, IAMNamespace, newIAMClient)
			roundTripAll(t, s, ops, tricky)
		}},
		{"sts", func(t *testing.T, tricky bool) {
			s, _, ops := startServer(t, STSNamespace, newSTSClient)
			roundTripAll(t, s, ops, tricky)
		}},
	} {
		for _, tricky := range []bool{false, true} {
			name := svc.name
			if tricky {
				name += "/escaping"
			}
			t.Run(name, func(t *testing.T) { svc.run(t, tricky) })
		}
	}
}

func roundTripAll(t *testing.T, s *sdkServer, ops []operation, tricky bool) {
	if len(ops) < 10 {
		t.Fatalf("found only %d operations; the reflection over the client is broken", len(ops))
	}
	for _, op := range ops {
		t.Run(op.name, func(t *testing.T) {
			f := &filler{tricky: tricky, unions: sdkUnions()}
			in := reflect.New(op.in)
			f.fill(in.Elem())
			out := reflect.New(op.out)
			f.fill(out.Elem())
			s.mu.Lock()
			s.out, s.errOut = out.Interface(), nil
			s.mu.Unlock()

			got, err := call(op, in)
			if err != nil {
				t.Fatalf("%s: %v\nresponse: %s", op.name, err, s.lastXML)
			}
			s.mu.Lock()
			decoded, decErr := s.got, s.decErr
			xml := s.lastXML
			s.mu.Unlock()
			if decErr != nil {
				t.Fatalf("DecodeForm: %v", decErr)
			}
			if diff := cmp.Diff(in.Interface(), decoded, sdkCmp); diff != "" {
				t.Errorf("request: decoded input differs from what the SDK sent (-sent +decoded):\n%s", diff)
			}
			unescapePolicies(t, got)
			if diff := cmp.Diff(out.Interface(), got.Interface(), sdkCmp); diff != "" {
				t.Errorf("response: SDK decoded output differs from what was encoded (-encoded +decoded):\n%s\nXML: %s", diff, xml)
			}
		})
	}
}

// unescapePolicies undoes the percent-encoding of policy documents that the codec applies and
// the SDK leaves in place, so outputs compare equal.
func unescapePolicies(t *testing.T, v reflect.Value) {
	t.Helper()
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			unescapePolicies(t, v.Elem())
		}
	case reflect.Slice:
		for i := range v.Len() {
			unescapePolicies(t, v.Index(i))
		}
	case reflect.Map:
		iter := v.MapRange()
		for iter.Next() {
			e := reflect.New(v.Type().Elem()).Elem()
			e.Set(iter.Value())
			unescapePolicies(t, e)
			v.SetMapIndex(iter.Key(), e)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			sf := v.Type().Field(i)
			if !sf.IsExported() {
				continue
			}
			fv := v.Field(i)
			if policyDocumentField(v.Type(), sf.Name) && fv.Kind() == reflect.Pointer && !fv.IsNil() {
				s, err := url.PathUnescape(fv.Elem().String())
				if err != nil {
					t.Errorf("%s.%s is not percent-encoded: %v", v.Type(), sf.Name, err)
				}
				fv.Elem().SetString(s)
				continue
			}
			unescapePolicies(t, fv)
		}
	}
}

// TestSDKErrors checks that the SDK client sees the code, message and fault the server sends.
func TestSDKErrors(t *testing.T) {
	s, client, _ := startServer(t, IAMNamespace, newIAMClient)
	tests := []struct {
		name string
		err  *awserr.Error
	}{
		{"no such entity", awserr.NoSuchEntity("The user with name bob cannot be found.")},
		{"escaping", awserr.ValidationError(`Value 'a<b>&"c"' at 'userName' failed`)},
		{"receiver fault", awserr.ServiceFailure("")},
		{"generic code", awserr.AccessDenied("User: arn:aws:iam::123456789012:user/x is not authorized")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s.mu.Lock()
			s.errOut = tt.err
			s.mu.Unlock()
			_, err := client.GetUser(context.Background(), &iam.GetUserInput{UserName: aws.String("bob")})
			var apiErr smithy.APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("GetUser error = %v, want a smithy.APIError", err)
			}
			got := []string{apiErr.ErrorCode(), apiErr.ErrorMessage()}
			want := []string{tt.err.Code, tt.err.Message}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("code and message (-want +got):\n%s", diff)
			}
			wantFault := smithy.FaultClient
			if tt.err.Fault == awserr.Receiver {
				wantFault = smithy.FaultServer
			}
			// The SDK's generic error for codes it has no type for reports FaultUnknown.
			if f := apiErr.ErrorFault(); f != wantFault && f != smithy.FaultUnknown {
				t.Errorf("fault = %v, want %v", f, wantFault)
			}
			if !strings.Contains(err.Error(), tt.err.Code) {
				t.Errorf("error text %q does not mention %s", err.Error(), tt.err.Code)
			}
		})
	}

	t.Run("typed IAM error", func(t *testing.T) {
		s.mu.Lock()
		s.errOut = awserr.NoSuchEntity("The user with name bob cannot be found.")
		s.mu.Unlock()
		_, err := client.GetUser(context.Background(), &iam.GetUserInput{UserName: aws.String("bob")})
		var nse *iamtypes.NoSuchEntityException
		if !errors.As(err, &nse) || aws.ToString(nse.Message) != "The user with name bob cannot be found." {
			t.Errorf("GetUser error = %v, want *types.NoSuchEntityException with the message", err)
		}
	})
	t.Run("typed STS error", func(t *testing.T) {
		stsSrv, stsClient, _ := startServer(t, STSNamespace, newSTSClient)
		stsSrv.mu.Lock()
		stsSrv.errOut = awserr.RegionDisabledException("STS is not activated in this region for account:123456789012.")
		stsSrv.mu.Unlock()
		_, err := stsClient.AssumeRole(context.Background(), &sts.AssumeRoleInput{RoleArn: aws.String("arn"), RoleSessionName: aws.String("s")})
		var rde *ststypes.RegionDisabledException
		if !errors.As(err, &rde) || rde.ErrorFault() != smithy.FaultClient {
			t.Errorf("AssumeRole error = %v, want *types.RegionDisabledException", err)
		}
	})
}
