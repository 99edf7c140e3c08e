package trail_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/google/go-cmp/cmp"

	"github.com/iamd-dev/iamd/internal/api/analyzerapi"
	"github.com/iamd-dev/iamd/internal/api/iamapi"
	"github.com/iamd-dev/iamd/internal/api/stsapi"
	"github.com/iamd-dev/iamd/internal/audit"
	"github.com/iamd-dev/iamd/internal/authn"
	"github.com/iamd-dev/iamd/internal/policy"
	"github.com/iamd-dev/iamd/internal/trail"
)

// sdkTypes are the input and output types of every action iamd serves over Query and REST.
func sdkTypes(t *testing.T) []reflect.Type {
	t.Helper()
	var out []reflect.Type
	for _, svc := range []map[string]middlewareOp{opsOf(iamapi.Service(nil).Ops), opsOf(stsapi.Service(nil).Ops)} {
		for _, op := range svc {
			out = append(out, op.InputType(), op.OutputType())
		}
	}
	for _, op := range analyzerapi.Service(nil).Ops {
		out = append(out, op.InputType(), op.OutputType())
	}
	slices.SortFunc(out, func(a, b reflect.Type) int { return strings.Compare(a.String(), b.String()) })
	out = slices.Compact(out)
	if len(out) < 200 {
		t.Fatalf("found only %d SDK types", len(out))
	}
	return out
}

type middlewareOp interface {
	InputType() reflect.Type
	OutputType() reflect.Type
}

func opsOf[O middlewareOp](m map[string]O) map[string]middlewareOp {
	out := make(map[string]middlewareOp, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// strs are the strings values are drawn from: plain, JSON-escaped, HTML, invalid UTF-8,
// separators, and key names that are secrets or resources.
var strs = []string{
	"", "alice", "arn:aws:iam::123456789012:user/alice", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`,
	"<script>&amp;</script>", "tab\tnew\nline\r\x00\x01\x1f\x7f", "quote\" back\\slash", "\u2028\u2029", "bad \xff\xfe utf8 \xc3",
	"ünïcödé ✓ 𝄞", "\xed\xa0\x80", "ResultMetadata", "Password", "secretAccessKey", "SessionToken", "userName", "ſecretAccessKey", "K",
	"", "/", "/path/", strings.Repeat("long", 40),
}

// unions are the implementations filled into interface-typed fields.
var unions = map[reflect.Type][]reflect.Type{
	reflect.TypeFor[iamtypes.PolicyIdentifier](): {
		reflect.TypeFor[*iamtypes.PolicyIdentifierMemberInlinePolicyIdentifier](),
		reflect.TypeFor[*iamtypes.PolicyIdentifierMemberPolicyArn](),
		reflect.TypeFor[*iamtypes.PolicyIdentifierMemberPolicyType](),
	},
}

type gen struct{ r *rand.Rand }

func (g *gen) str() string { return strs[g.r.IntN(len(strs))] }

func (g *gen) fill(v reflect.Value, depth int) {
	if depth > 7 {
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		if g.r.IntN(10) < 3 {
			return
		}
		p := reflect.New(v.Type().Elem())
		g.fill(p.Elem(), depth+1)
		v.Set(p)
	case reflect.Interface:
		impls := unions[v.Type()]
		if len(impls) == 0 || g.r.IntN(3) == 0 {
			return
		}
		p := reflect.New(impls[g.r.IntN(len(impls))].Elem())
		g.fill(p.Elem(), depth+1)
		v.Set(p)
	case reflect.Slice:
		switch g.r.IntN(6) {
		case 0:
			return
		case 1:
			v.Set(reflect.MakeSlice(v.Type(), 0, 0))
			return
		}
		n := 1 + g.r.IntN(3)
		s := reflect.MakeSlice(v.Type(), n, n)
		for i := range n {
			g.fill(s.Index(i), depth+1)
		}
		v.Set(s)
	case reflect.Map:
		if g.r.IntN(3) == 0 {
			return
		}
		m := reflect.MakeMap(v.Type())
		for range g.r.IntN(4) {
			k := reflect.New(v.Type().Key()).Elem()
			g.fill(k, depth+1)
			e := reflect.New(v.Type().Elem()).Elem()
			g.fill(e, depth+1)
			m.SetMapIndex(k, e)
		}
		v.Set(m)
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			tm := time.Unix(g.r.Int64N(4e9), g.r.Int64N(3)*int64(g.r.IntN(1e9)))
			if g.r.IntN(4) == 0 {
				tm = tm.In(time.FixedZone("x", 5*3600+1800))
			}
			if g.r.IntN(50) == 0 {
				tm = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) // json.Marshal fails
			}
			v.Set(reflect.ValueOf(tm))
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				g.fill(v.Field(i), depth+1)
			}
		}
	case reflect.String:
		v.SetString(g.str())
	case reflect.Bool:
		v.SetBool(g.r.IntN(2) == 0)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(g.r.Int64N(1<<20) - 1<<10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(g.r.Uint64N(256))
	case reflect.Float32, reflect.Float64:
		v.SetFloat(g.r.Float64() * 1e6)
	}
}

// TestEncoderMatchesLegacy checks that the record encoder writes exactly what the JSON round
// trip plus audit.Redact wrote, and finds the same resources, for random values of every
// input and output type (and their zero values).
func TestEncoderMatchesLegacy(t *testing.T) {
	g := &gen{r: rand.New(rand.NewPCG(1, 2))}
	fast, total := 0, 0
	for _, typ := range sdkTypes(t) {
		t.Run(typ.String(), func(t *testing.T) {
			for i := range 40 {
				v := reflect.New(typ)
				if i > 0 {
					g.fill(v.Elem(), 0)
				}
				total++
				wantRaw, wantRes := trail.EncodeLegacy(v.Interface())
				gotRaw, gotRes, ok := trail.EncodeFast(v.Interface())
				if !ok {
					continue
				}
				fast++
				if !bytes.Equal(gotRaw, wantRaw) || (gotRaw == nil) != (wantRaw == nil) {
					t.Fatalf("value %d: %#v\nencoder: %s\nlegacy:  %s", i, v.Interface(), gotRaw, wantRaw)
				}
				if diff := cmp.Diff(wantRes, gotRes); diff != "" {
					t.Fatalf("value %d: resources (-legacy +encoder):\n%s", i, diff)
				}
			}
		})
	}
	if fast < total*95/100 {
		t.Errorf("the encoder handled %d of %d values, want at least 95%% (the rest take the slow path)", fast, total)
	}
}

// TestEncoderSpecialCases covers what random values may miss.
func TestEncoderSpecialCases(t *testing.T) {
	type tagged struct {
		UserName string `json:"user"`
	}
	type withMap struct {
		M map[string]*string
	}
	type collide struct {
		M map[string]string
	}
	for _, tc := range []struct {
		name   string
		v      any
		wantOK bool
	}{
		{"zero input", &iamsdk.GetUserInput{}, true},
		{"secret only", &iamsdk.CreateLoginProfileInput{Password: aws.String("p")}, true},
		{"empty slice", &iamsdk.TagUserInput{UserName: aws.String("a"), Tags: []iamtypes.Tag{}}, true},
		{"nested empty struct", &iamsdk.TagUserInput{Tags: []iamtypes.Tag{{}}}, true},
		{"json tags", &tagged{UserName: "a"}, false},
		{"map with nil, secret and ResultMetadata keys", &withMap{M: map[string]*string{"A": nil, "Password": aws.String("x"), "ResultMetadata": aws.String("y"), "Zed": aws.String("<"), "": aws.String("e")}}, true},
		{"map keys that differ only in case", &collide{M: map[string]string{"Ab": "1", "ab": "2"}}, true},
		{"map key not valid UTF-8", &collide{M: map[string]string{"a\xff": "1", "a\xfe": "2"}}, false},
		{"not a pointer", iamsdk.GetUserInput{}, false},
		{"nil pointer", (*iamsdk.GetUserInput)(nil), false},
		{"union", &iamsdk.GetServiceLastAccessedDetailsInput{}, true},
		{"time", &iamsdk.CreateUserOutput{User: &iamtypes.User{UserName: aws.String("bob"), CreateDate: aws.Time(time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC))}}, true},
		{"time out of JSON's range", &iamsdk.CreateUserOutput{User: &iamtypes.User{CreateDate: aws.Time(time.Date(10000, 1, 2, 3, 4, 5, 6, time.UTC))}}, false},
		{"bytes", &iamsdk.CreateVirtualMFADeviceOutput{VirtualMFADevice: &iamtypes.VirtualMFADevice{SerialNumber: aws.String("s"), QRCodePNG: []byte{1, 2, 255}}}, true},
		{"empty bytes", &iamsdk.UploadSSHPublicKeyInput{}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantRaw, wantRes := trail.EncodeLegacy(tc.v)
			gotRaw, gotRes, ok := trail.EncodeFast(tc.v)
			if ok != tc.wantOK {
				t.Fatalf("encoder ok = %v, want %v", ok, tc.wantOK)
			}
			if !ok {
				return
			}
			if !bytes.Equal(gotRaw, wantRaw) || (gotRaw == nil) != (wantRaw == nil) {
				t.Errorf("encoder: %s\nlegacy:  %s", gotRaw, wantRaw)
			}
			if diff := cmp.Diff(wantRes, gotRes); diff != "" {
				t.Errorf("resources (-legacy +encoder):\n%s", diff)
			}
		})
	}
}

// callers are one caller of each kind Build describes.
func callers() []*authn.Caller {
	return []*authn.Caller{
		nil,
		{Principal: policy.PrincipalInfo{Type: policy.PrincipalRoot, ARN: "arn:aws:iam::123456789012:root", Account: "123456789012"}, UserID: "123456789012", AccessKeyID: "AKIAROOT"},
		{Principal: policy.PrincipalInfo{Type: policy.PrincipalUser, ARN: "arn:aws:iam::123456789012:user/a<b", Account: "123456789012"}, UserID: "AIDA1", UserName: "a<b", AccessKeyID: "AKIA1"},
		{Principal: policy.PrincipalInfo{Type: policy.PrincipalRoleSession, ARN: "arn:aws:sts::123456789012:assumed-role/r/s", Account: "123456789012", SourceARN: "arn:aws:iam::123456789012:role/r"},
			UserID: "AROA1:s", AccessKeyID: "ASIA1", Session: &authn.Session{MFA: true, Issued: time.Unix(1700000000, 5), SourceIdentity: "me\u2028"}},
		{Principal: policy.PrincipalInfo{Type: policy.PrincipalFederated, ARN: "arn:aws:iam::123456789012:saml-provider/p"}, UserName: "p:sub"},
		{Principal: policy.PrincipalInfo{Type: policy.PrincipalService, ARN: "ec2.amazonaws.com"}},
	}
}

// TestBuildMatchesLegacy checks whole records against the pre-encoder Build.
func TestBuildMatchesLegacy(t *testing.T) {
	g := &gen{r: rand.New(rand.NewPCG(3, 4))}
	ops := iamapi.Service(nil).Ops
	names := slices.Sorted(func(yield func(string) bool) {
		for k := range ops {
			if !yield(k) {
				return
			}
		}
	})
	for i, action := range names {
		for j, c := range callers() {
			in, out := reflect.New(ops[action].InputType()), reflect.New(ops[action].OutputType())
			g.fill(in.Elem(), 0)
			g.fill(out.Elem(), 0)
			call := &trail.Call{Service: "iam", Action: action, Account: "123456789012", RequestID: "req-1", SourceIP: "10.0.0.1",
				UserAgent: g.str(), Region: []string{"", "eu-west-1"}[j%2], Time: time.Unix(1700000000+int64(i), int64(j)).In(time.FixedZone("y", 3600)),
				TLS: j%3 == 0, TLSVersion: "TLSv1.3", CipherSuite: "TLS_AES_128_GCM_SHA256", Host: g.str(), Caller: c, AccessKeyID: "AKIACLAIM",
				Params: in.Interface(), Response: out.Interface()}
			if i%5 == 0 {
				call.ErrCode, call.ErrMsg = "AccessDenied", g.str()
			}
			rec, err := trail.Build(call)
			if err != nil {
				t.Fatalf("%s: Build: %v", action, err)
			}
			want, err := trail.BuildLegacy(call, rec.ID)
			if err != nil {
				t.Fatalf("%s: legacy Build: %v", action, err)
			}
			if !bytes.Equal(rec.JSON, want) {
				t.Fatalf("%s, caller %d:\nBuild:  %s\nlegacy: %s", action, j, rec.JSON, want)
			}
			// BuildCompact: the same record, kept compact; its JSON is what Build writes.
			crec, err := trail.BuildCompact(call)
			if err != nil || crec.JSON != nil || !audit.IsCompact(crec.Compact) {
				t.Fatalf("%s: BuildCompact = %+v, %v", action, crec, err)
			}
			if want, err = trail.BuildLegacy(call, crec.ID); err != nil {
				t.Fatal(err)
			}
			if got, err := audit.RecordJSON(crec.Compact); err != nil || !bytes.Equal(got, want) {
				t.Fatalf("%s, caller %d: JSON of the compact record (%v):\n%s\nlegacy:\n%s", action, j, err, got, want)
			}
			// Its columns are those the record implies, as store.Store.Record requires of a
			// compact record (the journal keeps only the record and derives them).
			s, err := audit.SummarizeCompact(crec.Compact)
			if err != nil || !s.Time.Equal(crec.Time) || s.Account != crec.Account || s.Source != crec.Source || s.Name != crec.Name ||
				s.ID != crec.ID || s.Username != crec.Username || s.AccessKey != crec.AccessKey || s.ReadOnly != crec.ReadOnly ||
				!slices.Equal(s.Resources, crec.Resources) {
				t.Fatalf("%s, caller %d: the compact record implies columns %+v (%v), BuildCompact gave %+v", action, j, s, err, crec)
			}
			crec.ID, crec.Compact, crec.JSON = rec.ID, nil, rec.JSON
			if !reflect.DeepEqual(crec, rec) {
				t.Fatalf("%s, caller %d: columns of the compact record %+v, of Build's %+v", action, j, crec, rec)
			}
			// WithCompact: the same, built into the reused record and buffer.
			if err := trail.WithCompact(call, func(into *trail.Record) error {
				if into.JSON != nil || !audit.IsCompact(into.Compact) {
					t.Fatalf("%s: WithCompact's record = %+v", action, into)
				}
				want, err := trail.BuildLegacy(call, into.ID)
				if err != nil {
					t.Fatal(err)
				}
				if got, err := audit.RecordJSON(into.Compact); err != nil || !bytes.Equal(got, want) {
					t.Fatalf("%s, caller %d: JSON of the record WithCompact built (%v):\n%s\nlegacy:\n%s", action, j, err, got, want)
				}
				got := *into
				got.ID, got.Compact, got.JSON = rec.ID, nil, rec.JSON
				if !reflect.DeepEqual(&got, rec) {
					t.Fatalf("%s, caller %d: columns of WithCompact's record %+v, of Build's %+v", action, j, got, rec)
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func TestNewEventID(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	prev := ""
	for i := range 100 {
		tm := t0.Add(time.Duration(i) * time.Millisecond)
		id := trail.NewEventID(tm)
		if len(id) != 36 || id[8] != '-' || id[13] != '-' || id[18] != '-' || id[23] != '-' || id[14] != '7' || !strings.ContainsRune("89ab", rune(id[19])) {
			t.Fatalf("NewEventID(%v) = %q, want a version 7 UUID", tm, id)
		}
		if want := fmt.Sprintf("%012x", tm.UnixMilli()); strings.ReplaceAll(id[:13], "-", "") != want {
			t.Errorf("NewEventID(%v) = %q, want it to start with the time %s", tm, id, want)
		}
		if id <= prev {
			t.Errorf("NewEventID(%v) = %q does not sort after the previous millisecond's %q", tm, id, prev)
		}
		prev = id
	}
	seen := map[string]bool{}
	for range 100_000 { // one busy millisecond's IDs: 74 random bits each
		id := trail.NewEventID(t0)
		if seen[id] {
			t.Fatalf("NewEventID gave %q twice in one millisecond", id)
		}
		seen[id] = true
	}
	if id := trail.NewID(); id[14] != '4' || !strings.ContainsRune("89ab", rune(id[19])) {
		t.Errorf("NewID() = %q, want a version 4 UUID", id)
	}
}

// selfMarshaled writes itself: the general path cannot tell what its object holds.
type selfMarshaled struct{}

func (selfMarshaled) MarshalJSON() ([]byte, error) {
	return []byte(`{"Password":"p","Tag":"t","M":{"Password":"q"}}`), nil
}

// TestMapKeysAsGiven: a map's keys are user data (tag keys, SummaryMap keys) and a record
// keeps them as given, as CloudTrail does, on the encoder's path and the general one alike:
// not lower-cased, and not left out for naming a secret or ResultMetadata. Struct members
// still get lowerCamel keys and lose secrets, at any depth, maps' values included.
func TestMapKeysAsGiven(t *testing.T) {
	type cred struct {
		AccessKeyId, SecretAccessKey *string
	}
	type webParams struct { // as stssvc's AssumeRoleWithWebIdentity parameters
		RoleSessionName   *string
		WebIdentityToken  *string
		PrincipalTags     map[string]string
		TransitiveTagKeys []string
	}
	type webParamsTagged struct {
		RoleSessionName  *string `json:"RoleSessionName"`
		WebIdentityToken *string
		PrincipalTags    map[string]string
	}
	type nested struct {
		ByName   map[string]cred
		Deep     map[string]map[string]*string
		Summary  map[string]int32
		Embedded selfMarshaled
	}
	tags := map[string]string{"CostCenter": "987654", "Password": "hunter2", "ResultMetadata": "r", "project": "p", "É": "e", "": "empty"}
	wantTags := `{"":"empty","CostCenter":"987654","Password":"hunter2","ResultMetadata":"r","project":"p","É":"e"}`
	for _, tc := range []struct {
		name     string
		v        any
		want     string
		fastPath bool
	}{
		{"web identity principalTags", &webParams{RoleSessionName: aws.String("s"), WebIdentityToken: aws.String("eyJ"), PrincipalTags: tags, TransitiveTagKeys: []string{"CostCenter"}},
			`{"principalTags":` + wantTags + `,"roleSessionName":"s","transitiveTagKeys":["CostCenter"]}`, true},
		{"general path", &webParamsTagged{RoleSessionName: aws.String("s"), WebIdentityToken: aws.String("eyJ"), PrincipalTags: tags},
			`{"principalTags":` + wantTags + `,"roleSessionName":"s"}`, false},
		{"SummaryMap", &iamsdk.GetAccountSummaryOutput{SummaryMap: map[string]int32{"Users": 3, "AccountMFAEnabled": 1}},
			`{"summaryMap":{"AccountMFAEnabled":1,"Users":3}}`, true},
		{"structs in maps keep their redaction", &nested{
			ByName:  map[string]cred{"Alice": {AccessKeyId: aws.String("AKIA"), SecretAccessKey: aws.String("s")}, "SecretAccessKey": {}},
			Deep:    map[string]map[string]*string{"Password": {"SessionToken": aws.String("kept"), "Nil": nil}},
			Summary: map[string]int32{"Password": 0}},
			`{"byName":{"Alice":{"accessKeyId":"AKIA"},"SecretAccessKey":{}},"deep":{"Password":{"SessionToken":"kept"}},` +
				`"embedded":{"m":{},"tag":"t"},"summary":{"Password":0}}`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			general, _ := trail.EncodeLegacy(tc.v)
			if string(general) != tc.want {
				t.Errorf("general path:\n got %s\nwant %s", general, tc.want)
			}
			fast, _, ok := trail.EncodeFast(tc.v)
			if ok != tc.fastPath {
				t.Fatalf("encoder ok = %v, want %v", ok, tc.fastPath)
			}
			if ok && string(fast) != tc.want {
				t.Errorf("encoder:\n got %s\nwant %s", fast, tc.want)
			}
			rec, err := trail.Build(&trail.Call{Service: "sts", Action: "AssumeRoleWithWebIdentity", Time: time.Unix(1700000000, 0), Params: tc.v})
			if err != nil {
				t.Fatal(err)
			}
			var got struct{ RequestParameters json.RawMessage }
			if err := json.Unmarshal(rec.JSON, &got); err != nil {
				t.Fatal(err)
			}
			if string(got.RequestParameters) != tc.want {
				t.Errorf("Build's requestParameters:\n got %s\nwant %s", got.RequestParameters, tc.want)
			}
		})
	}
}
