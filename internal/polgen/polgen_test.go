package polgen_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/iamd-dev/iamd/internal/polgen"
	"github.com/iamd-dev/iamd/internal/policy"
)

const (
	testRole = "arn:aws:iam::111122223333:role/AppRole"
	testUser = "arn:aws:iam::111122223333:user/ops/alice"
)

// call builds a CloudTrail record of a session of testRole (or of who, an identity JSON).
type call struct {
	who, at, source, name, params, errorCode, resources, eventType string
}

func (c call) json() []byte {
	who := c.who
	if who == "" {
		who = `{"type":"AssumedRole","arn":"arn:aws:sts::111122223333:assumed-role/AppRole/s1","accountId":"111122223333",
			"sessionContext":{"sessionIssuer":{"type":"Role","arn":"` + testRole + `","accountId":"111122223333"}}}`
	}
	at := c.at
	if at == "" {
		at = "2024-06-01T12:00:00Z"
	}
	params := c.params
	if params == "" {
		params = "null"
	}
	rec := `{"eventVersion":"1.08","userIdentity":` + who + `,"eventTime":"` + at + `","eventSource":"` + c.source +
		`","eventName":"` + c.name + `","awsRegion":"us-east-1","requestParameters":` + params + `,"responseElements":null`
	if c.errorCode != "" {
		rec += `,"errorCode":"` + c.errorCode + `","errorMessage":"no"`
	}
	if c.resources != "" {
		rec += `,"resources":` + c.resources
	}
	et := c.eventType
	if et == "" {
		et = "AwsApiCall"
	}
	return []byte(rec + `,"eventType":"` + et + `","recipientAccountId":"111122223333"}`)
}

func generate(t *testing.T, o polgen.Options, calls ...call) *polgen.Result {
	t.Helper()
	if o.Principal == "" {
		o.Principal = testRole
	}
	o.Catalog, o.Lint = testCatalog(t), testLint(t)
	g, err := polgen.New(o)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	for _, c := range calls {
		if err := g.Add(c.json()); err != nil {
			t.Fatalf("Add(%s): %v", c.json(), err)
		}
	}
	res, err := g.Result()
	if err != nil {
		t.Fatalf("Result: %v", err)
	}
	return res
}

// statements decodes the generated policy's statements as Sid → (actions, resources).
func statements(t *testing.T, text string) map[string][2][]string {
	t.Helper()
	var doc struct {
		Statement []struct {
			Sid      string
			Action   []string
			Resource []string
		}
	}
	if err := json.Unmarshal([]byte(text), &doc); err != nil {
		t.Fatalf("policy %s: %v", text, err)
	}
	out := map[string][2][]string{}
	for _, s := range doc.Statement {
		out[s.Sid] = [2][]string{s.Action, s.Resource}
	}
	return out
}

func TestEventMapping(t *testing.T) {
	for _, tc := range []struct {
		source, name, params string
		want                 map[string][2][]string
	}{
		{"iam.amazonaws.com", "CreateRole", `{"roleName":"r1","path":"/svc/"}`,
			map[string][2][]string{"IamRole": {{"iam:CreateRole"}, {"arn:aws:iam::111122223333:role/svc/r1"}}}},
		{"s3.amazonaws.com", "ListObjectsV2", `{"bucketName":"b1"}`,
			map[string][2][]string{"S3Bucket": {{"s3:ListBucket"}, {"arn:aws:s3:::b1"}}}},
		{"s3.amazonaws.com", "GetObject", `{"bucketName":"b1","key":"報告/2024\tq1.csv"}`,
			map[string][2][]string{"S3Object": {{"s3:GetObject"}, {"arn:aws:s3:::b1/??/2024?q1.csv"}}}},
		{"s3.amazonaws.com", "ListBuckets", ``,
			map[string][2][]string{"S3NoResourceLevelPermissions": {{"s3:ListAllMyBuckets"}, {"*"}}}},
		{"s3.amazonaws.com", "DeleteObjects", `{"bucketName":"b1","delete":{"objects":[]}}`,
			map[string][2][]string{"S3ResourceNotInRecords": {{"s3:DeleteObject"}, {"*"}}}},
		// The list of instances in the CloudTrail documentation's StartInstances example.
		{"ec2.amazonaws.com", "StartInstances", `{"instancesSet":{"items":[{"instanceId":"i-EXAMPLE56126103cb"},{"instanceId":"i-EXAMPLEaff4840c22"}]}}`,
			map[string][2][]string{"Ec2Instance": {{"ec2:StartInstances"}, {"arn:aws:ec2:us-east-1:111122223333:instance/i-EXAMPLE56126103cb", "arn:aws:ec2:us-east-1:111122223333:instance/i-EXAMPLEaff4840c22"}}}},
		{"ec2.amazonaws.com", "StartInstances", `{"instancesSet":{"items":[]}}`,
			map[string][2][]string{"Ec2ResourceNotInRecords": {{"ec2:StartInstances"}, {"*"}}}},
		{"lambda.amazonaws.com", "Invoke", `{"functionName":"f1"}`,
			map[string][2][]string{"LambdaFunction": {{"lambda:InvokeFunction"}, {"arn:aws:lambda:us-east-1:111122223333:function:f1"}}}},
		{"lambda.amazonaws.com", "DeleteFunction20150331", `{"functionName":"f1"}`,
			map[string][2][]string{"LambdaFunction": {{"lambda:DeleteFunction"}, {"arn:aws:lambda:us-east-1:111122223333:function:f1"}}}},
		{"cloudfront.amazonaws.com", "GetDistribution2020_05_31", `{"id":"E2QWRUHEXAMPLE"}`,
			map[string][2][]string{"CloudfrontDistribution": {{"cloudfront:GetDistribution"}, {"arn:aws:cloudfront::111122223333:distribution/E2QWRUHEXAMPLE"}}}},
		{"email.amazonaws.com", "SendEmail", `{"fromEmailAddress":"a@example.com"}`,
			map[string][2][]string{"SesResourceNotInRecords": {{"ses:SendEmail"}, {"*"}}}},
		{"monitoring.amazonaws.com", "GetMetricData", `{}`,
			map[string][2][]string{"CloudwatchResourceNotInRecords": {{"cloudwatch:GetMetricData"}, {"*"}}}},
		{"monitoring.amazonaws.com", "ListDashboards", `{}`,
			map[string][2][]string{"CloudwatchNoResourceLevelPermissions": {{"cloudwatch:ListDashboards"}, {"*"}}}},
		{"apigateway.amazonaws.com", "GetRestApis", `{}`,
			map[string][2][]string{"ApigatewayResourceNotInRecords": {{"apigateway:GET"}, {"*"}}}},
		{"sqs.amazonaws.com", "SendMessage", `{"queueUrl":"https://sqs.us-east-1.amazonaws.com/111122223333/q1"}`,
			map[string][2][]string{"SqsQueue": {{"sqs:SendMessage"}, {"arn:aws:sqs:us-east-1:111122223333:q1"}}}},
		{"sns.amazonaws.com", "Publish", `{"topicArn":"arn:aws:sns:us-east-1:111122223333:t1"}`,
			map[string][2][]string{"SnsTopic": {{"sns:Publish"}, {"arn:aws:sns:us-east-1:111122223333:t1"}}}},
		{"iam.amazonaws.com", "GetUser", `{"userName":"bad*name"}`,
			map[string][2][]string{"IamResourceNotInRecords": {{"iam:GetUser"}, {"*"}}}},
	} {
		t.Run(tc.source+" "+tc.name, func(t *testing.T) {
			res := generate(t, polgen.Options{}, call{source: tc.source, name: tc.name, params: tc.params})
			if diff := cmp.Diff(tc.want, statements(t, res.Policy)); diff != "" {
				t.Errorf("%s %s %s: statements (-want +got):\n%s\npolicy:\n%s", tc.source, tc.name, tc.params, diff, res.Policy)
			}
		})
	}
}

func TestRecordSelection(t *testing.T) {
	other := `{"type":"AssumedRole","arn":"arn:aws:sts::111122223333:assumed-role/Other/s1","accountId":"111122223333","sessionContext":{"sessionIssuer":{"arn":"arn:aws:iam::111122223333:role/Other"}}}`
	otherAccount := `{"type":"AssumedRole","arn":"arn:aws:sts::999988887777:assumed-role/AppRole/s1","accountId":"999988887777","sessionContext":{"sessionIssuer":{"arn":"` + testRole + `"}}}`
	alice := `{"type":"IAMUser","arn":"` + testUser + `","accountId":"111122223333","userName":"alice"}`
	aliceSession := `{"type":"AssumedRole","arn":"arn:aws:sts::111122223333:assumed-role/X/s","accountId":"111122223333","sessionContext":{"sessionIssuer":{"arn":"` + testUser + `"}}}`
	from, to := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC), time.Date(2024, 6, 2, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name      string
		principal string
		c         call
		want      polgen.Stats
	}{
		{"role session", testRole, call{}, polgen.Stats{Matched: 1}},
		{"other role", testRole, call{who: other}, polgen.Stats{OtherCaller: 1}},
		{"other account", testRole, call{who: otherAccount}, polgen.Stats{OtherCaller: 1}},
		{"user", testUser, call{who: alice}, polgen.Stats{Matched: 1}},
		{"user ARN as a session issuer", testUser, call{who: aliceSession}, polgen.Stats{OtherCaller: 1}},
		{"at the start of the window", testRole, call{at: "2024-06-01T00:00:00Z"}, polgen.Stats{Matched: 1}},
		{"before the window", testRole, call{at: "2024-05-31T23:59:59Z"}, polgen.Stats{OutOfWindow: 1}},
		{"at the end of the window", testRole, call{at: "2024-06-02T00:00:00Z"}, polgen.Stats{OutOfWindow: 1}},
		{"console sign-in", testRole, call{eventType: "AwsConsoleSignIn"}, polgen.Stats{NotAPICall: 1}},
		{"access denied", testRole, call{errorCode: "AccessDenied"}, polgen.Stats{Matched: 1, Denied: 1}},
		{"access denied exception", testRole, call{errorCode: "AccessDeniedException"}, polgen.Stats{Matched: 1, Denied: 1}},
		{"EC2 unauthorized", testRole, call{errorCode: "Client.UnauthorizedOperation"}, polgen.Stats{Matched: 1, Denied: 1}},
		{"no such entity", testRole, call{errorCode: "NoSuchEntity"}, polgen.Stats{Matched: 1}},
		{"unknown service", testRole, call{source: "nothing.amazonaws.com"}, polgen.Stats{Matched: 1, Unmapped: 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := tc.c
			if c.source == "" {
				c.source, c.name, c.params = "iam.amazonaws.com", "GetRole", `{"roleName":"r"}`
			}
			res := generate(t, polgen.Options{Principal: tc.principal, From: from, To: to}, c)
			got := res.Stats
			got.Records, got.FirstEvent, got.LastEvent, got.ServicesUsed = 0, time.Time{}, time.Time{}, 0
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("record %s: stats (-want +got):\n%s", c.json(), diff)
			}
			granted := len(res.Used) > 0
			if want := tc.want.Matched == 1 && tc.want.Denied == 0 && tc.want.Unmapped == 0; granted != want {
				t.Errorf("record %s: granted %v, want %v; policy:\n%s", c.json(), granted, want, res.Policy)
			}
		})
	}
}

func TestNewErrors(t *testing.T) {
	at := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		o    polgen.Options
		want string
	}{
		{"not an ARN", polgen.Options{Principal: "alice"}, "polgen: principal: arn:"},
		{"not a user or role", polgen.Options{Principal: "arn:aws:iam::111122223333:group/g"}, "is not an IAM user or role ARN"},
		{"session ARN", polgen.Options{Principal: "arn:aws:sts::111122223333:assumed-role/r/s"}, "is not an IAM user or role ARN"},
		{"empty window", polgen.Options{Principal: testRole, From: at, To: at}, "the window's start is not before its end"},
		{"resource kind", polgen.Options{Principal: testRole, Kind: policy.Resource}, "cannot generate a Resource policy"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.o.Catalog = testCatalog(t)
			_, err := polgen.New(tc.o)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("New(%+v) = %v, want an error containing %q", tc.o, err, tc.want)
			}
		})
	}
}

func TestAddMalformed(t *testing.T) {
	g, err := polgen.New(polgen.Options{Principal: testRole, Catalog: testCatalog(t)})
	if err != nil {
		t.Fatal(err)
	}
	good := string(call{source: "iam.amazonaws.com", name: "GetRole"}.json())
	for _, rec := range []string{
		good[:len(good)-1],
		good + "x",
		strings.Replace(good, `"eventTime":"2024-06-01T12:00:00Z"`, `"eventTime":"yesterday"`, 1),
		strings.Replace(good, `"eventName":"GetRole"`, `"eventName":"GetRole`, 1),
		`["` + testRole + `"]`,
	} {
		if err := g.Add([]byte(rec)); err == nil {
			t.Errorf("Add(%s) = nil, want an error", rec)
		}
	}
}

// TestAddUnusualJSON checks that the record scanner reads valid JSON with escapes, nested
// values, numbers, literals and odd spacing.
func TestAddUnusualJSON(t *testing.T) {
	recs := []string{
		string(call{source: "iam.amazonaws.com", name: "GetRole", params: `{"roleName":"a\u00e9\"b\\c\/d", "n": [1, 2.5e3, true, null, {"x": "arn:aws:iam::1:role/q"}]}`}.json()),
		" \n" + string(call{source: "s3.amazonaws.com", name: "GetObject", params: `{"bucketName" : "b", "key" : "k/\t"}`,
			resources: `[ {"ARN":"arn:aws:s3:::b/k/\t","type":"AWS::S3::Object"} , {"type":"x"} ]`}.json()) + "\n",
	}
	for _, r := range recs {
		if !json.Valid([]byte(r)) {
			t.Fatalf("test record %s is not JSON", r)
		}
		g, err := polgen.New(polgen.Options{Principal: testRole, Catalog: testCatalog(t), Lint: testLint(t)})
		if err != nil {
			t.Fatal(err)
		}
		if err := g.Add([]byte(r)); err != nil {
			t.Errorf("Add(%s): %v", r, err)
			continue
		}
		res, err := g.Result()
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Used) != 1 {
			t.Errorf("Add(%s): used %+v, want one action", r, res.Used)
		}
	}
	res := generate(t, polgen.Options{}, call{source: "iam.amazonaws.com", name: "GetRole", params: `{"roleName":"a\u00e9b"}`})
	if got, want := res.Used[0].Resources, []string{"arn:aws:iam::111122223333:role/a\u00e9b"}; !cmp.Equal(got, want) {
		t.Errorf("escaped roleName: resources %q, want %q", got, want)
	}
}

func TestDependentPassRole(t *testing.T) {
	res := generate(t, polgen.Options{},
		call{source: "iam.amazonaws.com", name: "AddRoleToInstanceProfile", params: `{"instanceProfileName":"web","roleName":"app"}`},
		call{source: "ec2.amazonaws.com", name: "RunInstances", params: `{"instanceType":"t3.micro"}`})
	var doc struct {
		Statement []struct {
			Sid       string
			Action    []string
			Resource  []string
			Condition map[string]map[string][]string
		}
	}
	if err := json.Unmarshal([]byte(res.Policy), &doc); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, s := range doc.Statement {
		if s.Sid != "IamPassRoleToService" {
			continue
		}
		found = true
		want := []string{"arn:aws:iam::111122223333:role/app"}
		if !cmp.Equal(s.Action, []string{"iam:PassRole"}) || !cmp.Equal(s.Resource, want) ||
			!cmp.Equal(s.Condition, map[string]map[string][]string{"StringEquals": {"iam:PassedToService": {"ec2.amazonaws.com"}}}) {
			t.Errorf("PassRole statement = %+v, want iam:PassRole on %v passed to ec2.amazonaws.com", s, want)
		}
	}
	if !found {
		t.Errorf("no PassRole statement (RunInstances passed no role, AddRoleToInstanceProfile did):\n%s", res.Policy)
	}
}

// TestFitsQuota feeds more distinct calls than fit in a managed policy: the result must fit,
// validate, and say which wildcards it used.
func TestFitsQuota(t *testing.T) {
	cat := testCatalog(t)
	// calls returns calls of the services' actions that pick says to use.
	calls := func(pick func(i int, name string) bool) []call {
		var out []call
		for _, prefix := range []string{"iam", "ec2", "s3", "lambda", "dynamodb", "kms", "logs", "sqs"} {
			svc, ok := cat.Service(prefix)
			if !ok {
				t.Fatalf("no service %s", prefix)
			}
			for i, a := range svc.Actions {
				if pick(i, a.Name) {
					out = append(out, call{source: prefix + ".amazonaws.com", name: a.Name,
						params: fmt.Sprintf(`{"roleName":"role-%d","bucketName":"bucket-%d","functionName":"fn-%d","tableName":"t-%d"}`, i, i, i, i)})
				}
			}
		}
		return out
	}
	reads := calls(func(i int, name string) bool {
		return i%3 == 0 && strings.HasPrefix(name, "Get") || strings.HasPrefix(name, "List") || strings.HasPrefix(name, "Describe")
	})
	all := calls(func(int, string) bool { return true })
	for _, tc := range []struct {
		name  string
		kind  policy.Kind
		calls []call
		want  string
	}{
		{"identity, reads", policy.Identity, reads, "merged by prefix"},
		{"session, reads", policy.Session, reads, "merged by prefix"},
		{"session, everything", policy.Session, all, "merged into"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			calls := tc.calls
			res := generate(t, polgen.Options{Kind: tc.kind}, calls...)
			if res.Size > res.Limit || res.Limit != policy.SizeLimit(tc.kind) || policy.Size(res.Policy) != res.Size {
				t.Errorf("%d calls: size %d (counted %d), limit %d, want within %d", len(calls), res.Size, policy.Size(res.Policy), res.Limit, policy.SizeLimit(tc.kind))
			}
			if !strings.Contains(strings.Join(res.Notes, "\n"), tc.want) {
				t.Errorf("%d calls: notes %q, want one saying %q", len(calls), res.Notes, tc.want)
			}
			if _, err := policy.Parse(res.Policy, tc.kind); err != nil {
				t.Errorf("generated policy does not parse: %v", err)
			}
			// Every call is still allowed by the merged policy.
			doc, _ := policy.Parse(res.Policy, tc.kind)
			c, err := policy.Compile(doc, policy.Identity, policy.PolicyRef{Name: "generated"})
			if err != nil {
				t.Fatal(err)
			}
			for _, u := range res.Used {
				for _, r := range u.Resources {
					in := policy.Input{Action: u.Action, Resource: r, Identity: []*policy.Compiled{c},
						Principal: policy.PrincipalInfo{Type: policy.PrincipalRoleSession, Account: "111122223333", SourceARN: testRole,
							ARN: "arn:aws:sts::111122223333:assumed-role/AppRole/s1"}}
					if !policy.Evaluate(&in).Allowed() {
						t.Errorf("%s on %s is not allowed by the merged policy", u.Action, r)
					}
				}
			}
		})
	}
}

// TestFitsQuotaOnlyWhenNeeded: a policy that fits its quota keeps every action and resource
// as used, with no note about merging or widening.
func TestFitsQuotaOnlyWhenNeeded(t *testing.T) {
	var calls []call
	var want []string
	for i, name := range []string{"GetRole", "GetUser", "GetGroup", "GetPolicy", "ListRoles", "ListUsers", "ListGroups", "ListPolicies"} {
		calls = append(calls, call{source: "iam.amazonaws.com", name: name, params: fmt.Sprintf(`{"roleName":"r%d","userName":"u%d","groupName":"g%d"}`, i, i, i)})
		want = append(want, "iam:"+name)
	}
	for _, kind := range []policy.Kind{policy.Identity, policy.Session} {
		res := generate(t, polgen.Options{Kind: kind}, calls...)
		var got []string
		for _, st := range statements(t, res.Policy) {
			got = append(got, st[0]...)
		}
		if diff := cmp.Diff(want, got, cmpopts.SortSlices(func(a, b string) bool { return a < b })); diff != "" {
			t.Errorf("%v: actions (-want +got):\n%s\n%s", kind, diff, res.Policy)
		}
		for _, n := range res.Notes {
			if strings.Contains(n, "To fit") || strings.Contains(n, "widened") || strings.Contains(n, "replaced with *") {
				t.Errorf("%v: %d characters of %d, yet the note %q", kind, res.Size, res.Limit, n)
			}
		}
	}
}

// TestFitsQuotaResources: one action on more objects than fit; the ARNs are widened to their
// parent path, and to * when that is not enough.
func TestFitsQuotaResources(t *testing.T) {
	for _, tc := range []struct {
		name      string
		key       func(i int) string
		want      []string
		wantNotes string
	}{
		{"one folder", func(i int) string { return fmt.Sprintf("data/f-%04d.csv", i) }, []string{"arn:aws:s3:::b1/data/*"}, "ARNs were widened"},
		{"a folder each", func(i int) string { return fmt.Sprintf("data-%04d/f.csv", i) }, []string{"*"}, "every resource was replaced with *"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var calls []call
			for i := range 300 {
				calls = append(calls, call{source: "s3.amazonaws.com", name: "GetObject", params: `{"bucketName":"b1","key":"` + tc.key(i) + `"}`})
			}
			res := generate(t, polgen.Options{Kind: policy.Session}, calls...)
			st := statements(t, res.Policy)
			var got []string
			for _, s := range st {
				got = append(got, s[1]...)
			}
			if !cmp.Equal(got, tc.want) || res.Size > res.Limit {
				t.Errorf("300 objects: resources %v (size %d of %d), want %v", got, res.Size, res.Limit, tc.want)
			}
			if !strings.Contains(strings.Join(res.Notes, "\n"), tc.wantNotes) {
				t.Errorf("notes %q, want one saying %q", res.Notes, tc.wantNotes)
			}
		})
	}
}

func TestIAMPath(t *testing.T) {
	paths := map[string]string{"user/bob": "/team/", "role/app": "/"}
	o := polgen.Options{IAMPath: func(kind, name string) (string, bool) { p, ok := paths[kind+"/"+name]; return p, ok }}
	res := generate(t, o,
		call{source: "iam.amazonaws.com", name: "GetUser", params: `{"userName":"bob"}`},
		call{source: "iam.amazonaws.com", name: "GetRole", params: `{"roleName":"app"}`},
		call{source: "iam.amazonaws.com", name: "GetGroup", params: `{"groupName":"ops"}`},
		// A record showing the instance profile's path wins over the lookup.
		call{source: "iam.amazonaws.com", name: "CreateInstanceProfile", params: `{"instanceProfileName":"web","path":"/edge/"}`},
		call{source: "iam.amazonaws.com", name: "GetInstanceProfile", params: `{"instanceProfileName":"web"}`})
	got := map[string][]string{}
	for _, u := range res.Used {
		got[u.Action] = u.Resources
	}
	want := map[string][]string{
		"iam:GetUser":               {"arn:aws:iam::111122223333:user/team/bob"},
		"iam:GetRole":               {"arn:aws:iam::111122223333:role/app"},
		"iam:GetGroup":              {"arn:aws:iam::111122223333:group/ops"},
		"iam:CreateInstanceProfile": {"arn:aws:iam::111122223333:instance-profile/edge/web"},
		"iam:GetInstanceProfile":    {"arn:aws:iam::111122223333:instance-profile/edge/web"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("resources (-want +got):\n%s", diff)
	}
}

func TestDiff(t *testing.T) {
	current := &polgen.Current{Policies: []polgen.CurrentPolicy{
		{Name: "not-iam", Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":["iam:*","s3:*","ec2:*","lambda:*","dynamodb:*","kms:*","logs:*","cloudwatch:*","sns:*"],"Resource":"*"}]}`},
		{Name: "iam-read", Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:GetRole","iam:GetUser"],"Resource":"*"},
			{"Effect":"Deny","Action":"sts:*","Resource":"*"},{"Effect":"Deny","Action":"sqs:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`},
		{Name: "broken", Document: `{"Version":"2012-10-17","Statement":[`},
	}}
	res := generate(t, polgen.Options{Current: current},
		call{source: "iam.amazonaws.com", name: "GetRole", params: `{"roleName":"r"}`},
		call{source: "iam.amazonaws.com", name: "DeleteRole", params: `{"roleName":"r"}`, errorCode: "AccessDenied"},
		call{source: "sts.amazonaws.com", name: "GetCallerIdentity"},
		call{source: "iam.amazonaws.com", name: "ListRoles"})
	d := res.Diff
	if d == nil {
		t.Fatal("no diff with Current set")
	}
	// sts:GetCallerIdentity needs no permission: granted and used although iam-read denies sts:*.
	if !cmp.Equal(d.GrantedUsed, []string{"iam:GetRole", "sts:GetCallerIdentity"}) || !cmp.Equal(d.UsedDenied, []string{"iam:DeleteRole"}) ||
		!cmp.Equal(d.UsedNotGranted, []string{"iam:ListRoles"}) {
		t.Errorf("diff: granted and used %v, denied %v, not granted %v; want GetRole and GetCallerIdentity (which needs no permission) granted and used, DeleteRole denied, ListRoles not granted",
			d.GrantedUsed, d.UsedDenied, d.UsedNotGranted)
	}
	unused := map[string][]string{}
	for _, s := range d.GrantedUnused {
		unused[s.Service] = s.Actions
	}
	if !cmp.Equal(unused["iam"], []string{"iam:GetUser"}) || len(unused["sts"]) != 0 || len(unused["sqs"]) == 0 || len(unused["s3"]) != 0 || len(unused["organizations"]) == 0 {
		t.Errorf("granted and unused: iam %v, sts %v, s3 %v, %d sqs and %d organizations actions; want iam:GetUser, none of sts (denied), none of s3 (NotAction), some of sqs (the Deny has a condition) and organizations",
			unused["iam"], unused["sts"], unused["s3"], len(unused["sqs"]), len(unused["organizations"]))
	}
	if !strings.Contains(strings.Join(res.Notes, "\n"), "Current policy broken does not parse") {
		t.Errorf("notes %q, want one about the broken policy", res.Notes)
	}
}

// TestRefusedResources: ARNs from the records that validation refuses are left out, and the
// action falls back to "*" when none is left.
func TestRefusedResources(t *testing.T) {
	res := generate(t, polgen.Options{},
		call{source: "kms.amazonaws.com", name: "Decrypt", resources: `[{"ARN":"arn:aws:kms:us-east-1:12:key/abc","type":"AWS::KMS::Key"}]`},
		call{source: "kms.amazonaws.com", name: "Encrypt", resources: `[{"ARN":"arn:aws:kms:us-east-1:12:key/abc","type":"AWS::KMS::Key"},{"ARN":"arn:aws:kms:us-east-1:111122223333:key/def","type":"AWS::KMS::Key"}]`})
	want := map[string][2][]string{
		"KmsResourceRefusedByIAM": {{"kms:Decrypt"}, {"*"}},
		"KmsKey":                  {{"kms:Encrypt"}, {"arn:aws:kms:us-east-1:111122223333:key/def"}},
	}
	if diff := cmp.Diff(want, statements(t, res.Policy)); diff != "" {
		t.Errorf("statements (-want +got):\n%s\n%s", diff, res.Policy)
	}
	if !strings.Contains(strings.Join(res.Notes, "\n"), "The resource arn:aws:kms:us-east-1:12:key/abc from the records is left out: The resource ARN account ID 12 is not valid.") {
		t.Errorf("notes %q lack the refused ARN", res.Notes)
	}
}

// TestDefaultLint: without Options.Lint, the result is still validated (here refusing an ARN
// with a 2-digit account).
func TestDefaultLint(t *testing.T) {
	g, err := polgen.New(polgen.Options{Principal: testRole, Catalog: testCatalog(t)})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []call{
		{source: "sts.amazonaws.com", name: "AssumeRole", params: `{"roleArn":"arn:aws:iam::12:role/x","roleSessionName":"s"}`},
	} {
		if err := g.Add(c.json()); err != nil {
			t.Fatal(err)
		}
	}
	res, err := g.Result()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][2][]string{"StsResourceRefusedByIAM": {{"sts:AssumeRole"}, {"*"}}}
	if diff := cmp.Diff(want, statements(t, res.Policy)); diff != "" {
		t.Errorf("sts:AssumeRole of a refused role ARN (-want +got):\n%s\n%s", diff, res.Policy)
	}
}

// TestNoPermissionActions: calls AWS performs without checking any policy are left out of the
// policy, of Used and of the diff's "used but not granted" and "granted but unused".
func TestNoPermissionActions(t *testing.T) {
	alice := `{"type":"IAMUser","arn":"` + testUser + `","accountId":"111122223333","userName":"alice"}`
	sts := func(name string) call { return call{who: alice, source: "sts.amazonaws.com", name: name} }
	for _, tc := range []struct {
		name      string
		calls     []call
		wantStmts map[string][2][]string
		wantUsed  []string
		wantNote  string
		wantFree  int
	}{
		{"only GetCallerIdentity", []call{sts("GetCallerIdentity"), sts("GetCallerIdentity")},
			map[string][2][]string{}, nil, "sts:GetCallerIdentity (2)", 2},
		{"GetSessionToken, GetCallerIdentity and an IAM call",
			[]call{sts("GetSessionToken"), sts("GetCallerIdentity"), {who: alice, source: "iam.amazonaws.com", name: "ListUsers"}},
			map[string][2][]string{"IamNoResourceLevelPermissions": {{"iam:ListUsers"}, {"*"}}}, []string{"iam:ListUsers"},
			"sts:GetCallerIdentity (1), sts:GetSessionToken (1)", 2},
		{"AssumeRole needs a permission", []call{{who: alice, source: "sts.amazonaws.com", name: "AssumeRole",
			params: `{"roleArn":"arn:aws:iam::111122223333:role/app","roleSessionName":"s"}`}},
			map[string][2][]string{"StsRole": {{"sts:AssumeRole"}, {"arn:aws:iam::111122223333:role/app"}}}, []string{"sts:AssumeRole"}, "", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			current := &polgen.Current{Policies: []polgen.CurrentPolicy{{Name: "sts-all", Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sts:*","iam:ListUsers"],"Resource":"*"}]}`}}}
			res := generate(t, polgen.Options{Principal: testUser, Current: current}, tc.calls...)
			if diff := cmp.Diff(tc.wantStmts, statements(t, res.Policy)); diff != "" {
				t.Errorf("statements (-want +got):\n%s\n%s", diff, res.Policy)
			}
			var used []string
			for _, u := range res.Used {
				used = append(used, u.Action)
			}
			if !cmp.Equal(used, tc.wantUsed) || res.Stats.NoPermission != tc.wantFree {
				t.Errorf("Used %v, Stats.NoPermission %d; want %v, %d", used, res.Stats.NoPermission, tc.wantUsed, tc.wantFree)
			}
			notes := strings.Join(res.Notes, "\n")
			if tc.wantNote != "" && !strings.Contains(notes, "need no permission (AWS checks no policy for them), left out of the policy: "+tc.wantNote+".") {
				t.Errorf("notes %q, want one listing %s", res.Notes, tc.wantNote)
			}
			if tc.wantNote == "" && strings.Contains(notes, "need no permission") {
				t.Errorf("notes %q mention actions that need no permission; there were none", res.Notes)
			}
			if len(res.Diff.UsedNotGranted) != 0 {
				t.Errorf("Diff.UsedNotGranted = %v, want none", res.Diff.UsedNotGranted)
			}
			for _, sa := range res.Diff.GrantedUnused {
				for _, a := range sa.Actions {
					if polgen.NeedsNoPermission(a) {
						t.Errorf("Diff.GrantedUnused lists %s, which needs no permission", a)
					}
				}
			}
		})
	}
}
