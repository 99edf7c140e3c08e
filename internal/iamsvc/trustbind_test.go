package iamsvc

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/iamd-dev/iamd/internal/policy"
)

const carolARN = "arn:aws:iam::123456789012:user/carol"

func TestReplacePrincipals(t *testing.T) {
	const id = "AIDAJQABLZS4A3QDU576Q"
	cases := []struct {
		name, doc, want string
	}{
		{
			name: "single value",
			doc:  `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + carolARN + `"},"Action":"sts:AssumeRole"}]}`,
			want: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + id + `"},"Action":"sts:AssumeRole"}]}`,
		},
		{
			name: "one of a list, white space kept",
			doc:  "{\n \"Statement\" : {\n  \"Effect\":\"Allow\",\n  \"Principal\" : { \"AWS\" : [ \"123456789012\" ,\n \"" + carolARN + "\" , \"arn:aws:iam::123456789012:user/carolyn\" ] },\n  \"Action\":\"sts:AssumeRole\"}\n}",
			want: "{\n \"Statement\" : {\n  \"Effect\":\"Allow\",\n  \"Principal\" : { \"AWS\" : [ \"123456789012\" ,\n \"" + id + "\" , \"arn:aws:iam::123456789012:user/carolyn\" ] },\n  \"Action\":\"sts:AssumeRole\"}\n}",
		},
		{
			name: "written with escapes and in another case",
			doc:  `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:user\/Car\u006fl"},"Action":"sts:AssumeRole"}]}`,
			want: `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"` + id + `"},"Action":"sts:AssumeRole"}]}`,
		},
		{
			name: "NotPrincipal and several statements",
			doc:  `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"},{"Effect":"Deny","NotPrincipal":{"Service":"ec2.amazonaws.com","AWS":["` + carolARN + `"]},"Action":"sts:AssumeRole"}]}`,
			want: `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"},{"Effect":"Deny","NotPrincipal":{"Service":"ec2.amazonaws.com","AWS":["` + id + `"]},"Action":"sts:AssumeRole"}]}`,
		},
		{
			name: "conditions, Sids and other members are not principals",
			doc:  `{"Id":"` + carolARN + `","Statement":[{"Sid":"x","Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":["sts:AssumeRole"],"Condition":{"ArnEquals":{"aws:PrincipalArn":["` + carolARN + `"]},"Bool":{"aws:MultiFactorAuthPresent":true}}}]}`,
			want: `{"Id":"` + carolARN + `","Statement":[{"Sid":"x","Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":["sts:AssumeRole"],"Condition":{"ArnEquals":{"aws:PrincipalArn":["` + carolARN + `"]},"Bool":{"aws:MultiFactorAuthPresent":true}}}]}`,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, changed, err := replacePrincipals(c.doc, func(v string) bool { return strings.EqualFold(v, carolARN) }, id)
			if err != nil {
				t.Fatalf("replacePrincipals(%s): %v", c.doc, err)
			}
			if diff := cmp.Diff(c.want, got); diff != "" {
				t.Errorf("replacePrincipals(%s) (-want +got):\n%s", c.doc, diff)
			}
			if changed != (c.want != c.doc) {
				t.Errorf("replacePrincipals(%s) changed = %v, want %v", c.doc, changed, c.want != c.doc)
			}
			// Whatever was rewritten still parses as a trust policy.
			if _, err := policy.Parse(got, policy.Trust); err != nil {
				t.Errorf("result %s does not parse: %v", got, err)
			}
		})
	}
}

func TestReplacePrincipalsKeepsHTMLCharacters(t *testing.T) {
	doc := `{"Statement":{"Effect":"Allow","Principal":{"AWS":"` + carolARN + `"},"Action":"sts:AssumeRole"}}`
	const renamed = "arn:aws:iam::123456789012:user/a&b/<c>/carol"
	got, _, err := replacePrincipals(doc, func(v string) bool { return v == carolARN }, renamed)
	if err != nil {
		t.Fatal(err)
	}
	if want := strings.Replace(doc, carolARN, renamed, 1); got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestAWSPrincipalsMalformed(t *testing.T) {
	for _, doc := range []string{``, `[]`, `{"Statement":"x"}`, `{"Statement":[1]}`, `{"Statement":[{"Principal":{"AWS":["a"`, `{"Statement":[{"Principal":{"AWS":{"x":[1,{"y":2}]}}}]`} {
		if refs, err := awsPrincipals(doc); err == nil {
			t.Errorf("awsPrincipals(%q) = %v, want an error", doc, refs)
		}
	}
}

func TestEntityARN(t *testing.T) {
	type split struct {
		Acct, Kind, Name string
		OK               bool
	}
	cases := map[string]split{
		"arn:aws:iam::123456789012:user/carol":        {"123456789012", "user", "carol", true},
		"arn:aws:iam::123456789012:role/a/b/deployer": {"123456789012", "role", "deployer", true},
		"arn:aws:iam::123456789012:root":              {},
		"arn:aws:iam::123456789012:group/g":           {},
		"arn:aws:sts::123456789012:assumed-role/r/s":  {},
		"123456789012": {},
	}
	for in, want := range cases {
		acct, kind, name, ok := entityARN(in)
		if got := (split{acct, string(kind), name, ok}); got != want {
			t.Errorf("entityARN(%s) = %+v, want %+v", in, got, want)
		}
	}
}

// BenchmarkReplacePrincipals is the work DeleteUser and DeleteRole do for each role whose trust
// policy may name the deleted entity.
func BenchmarkReplacePrincipals(b *testing.B) {
	doc := `{"Version":"2012-10-17","Statement":[{"Sid":"Users","Effect":"Allow","Principal":{"AWS":["arn:aws:iam::123456789012:user/alice","` + carolARN + `","arn:aws:iam::123456789012:role/ci/deployer"]},"Action":["sts:AssumeRole","sts:TagSession"],"Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}},{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	match := func(v string) bool { return strings.EqualFold(v, carolARN) }
	b.ReportAllocs()
	for b.Loop() {
		if _, changed, err := replacePrincipals(doc, match, "AIDAJQABLZS4A3QDU576Q"); err != nil || !changed {
			b.Fatal(changed, err)
		}
	}
}
