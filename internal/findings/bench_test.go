package findings

import (
	"fmt"
	"testing"
)

// BenchmarkAudit audits an account of 500 users and 500 roles, each with an inline policy, a
// trust policy and last-accessed data (the clean account's shapes, repeated).
func BenchmarkAudit(b *testing.B) {
	base := clean()
	s := &Snapshot{Account: base.Account, Root: base.Root, Groups: base.Groups, Policies: base.Policies,
		PasswordPolicy: base.PasswordPolicy, OIDCProviders: base.OIDCProviders}
	for i := range 500 {
		u := base.Users[0]
		u.Name, u.ARN = fmt.Sprintf("u%d", i), fmt.Sprintf("arn:aws:iam::%s:user/u%d", acct, i)
		u.Inline = []InlinePolicy{{Name: "p", Document: doc(fmt.Sprintf(`{"Effect":"Allow","Action":["s3:GetObject","iam:Get*"],"Resource":"arn:aws:s3:::b%d/*"}`, i))}}
		s.Users = append(s.Users, u)
		r := base.Roles[i%3]
		r.Name, r.ARN = fmt.Sprintf("r%d", i), fmt.Sprintf("arn:aws:iam::%s:role/r%d", acct, i)
		r.Inline = u.Inline
		s.Roles = append(s.Roles, r)
	}
	o := Options{Now: now, Catalog: testCatalog()}
	b.ReportAllocs()
	for b.Loop() {
		if fs := Audit(s, o); len(fs) == 0 {
			b.Fatal("no findings")
		}
	}
}
