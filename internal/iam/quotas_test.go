package iam

import (
	"strings"
	"testing"
)

func TestQuotaTable(t *testing.T) {
	qs := Quotas()
	if len(qs) != int(numQuotas) {
		t.Fatalf("table has %d quotas, want %d", len(qs), numQuotas)
	}
	names, keys := map[string]bool{}, map[string]bool{}
	for i, q := range qs {
		if q.ID != QuotaID(i) {
			t.Errorf("row %d (%s) has ID %d", i, q.Name, q.ID)
		}
		if names[q.Name] || keys[q.Key] {
			t.Errorf("row %d: name %s or key %s repeated", i, q.Name, q.Key)
		}
		names[q.Name], keys[q.Key] = true, true
		if q.Default < 1 {
			t.Errorf("%s: default %d", q.Name, q.Default)
		}
	}
}

func TestNewLimits(t *testing.T) {
	tests := []struct {
		name    string
		in      map[string]int64
		q       QuotaID
		want    int64
		wantErr string
	}{
		{"defaults", nil, QuotaUsers, 5000, ""},
		{"default roles", map[string]int64{"users-per-account": 7}, QuotaRoles, 1000, ""},
		{"lowered", map[string]int64{"users-per-account": 7}, QuotaUsers, 7, ""},
		{"raised", map[string]int64{"roles-per-account": 5000}, QuotaRoles, 5000, ""},
		{"trust length", map[string]int64{"role-trust-policy-length": 4096}, QuotaTrustPolicySize, 4096, ""},
		{"virtual MFA devices follow users", map[string]int64{"users-per-account": 9}, QuotaVirtualMFADevices, 9, ""},
		{"virtual MFA devices default", nil, QuotaVirtualMFADevices, 5000, ""},
		{"keys per SAML provider", nil, QuotaKeysPerSAMLProvider, 10, ""},
		{"keys per SAML provider fixed", map[string]int64{"keys-per-saml-provider": 20}, 0, 0, "keys-per-saml-provider is not adjustable"},
		{"virtual MFA devices fixed", map[string]int64{"virtual-mfa-devices-per-account": 9}, 0, 0, "not adjustable"},
		{"unknown", map[string]int64{"bogus": 1}, 0, 0, `unknown quota "bogus"`},
		{"fixed", map[string]int64{"access-keys-per-user": 3}, 0, 0, "access-keys-per-user is not adjustable"},
		{"zero", map[string]int64{"groups-per-account": 0}, 0, 0, "not a positive integer"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l, err := NewLimits(tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), "users-per-account, groups-per-account") {
					t.Fatalf("NewLimits(%v) = %v, want an error with %q listing the adjustable names", tc.in, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("NewLimits(%v): %v", tc.in, err)
			}
			if got := l.Get(tc.q); got != tc.want {
				t.Errorf("Get(%d) = %d, want %d", tc.q, got, tc.want)
			}
		})
	}
}

func TestLimitsExceeded(t *testing.T) {
	l, err := NewLimits(map[string]int64{"roles-per-account": 3})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		q    QuotaID
		want string
	}{
		{QuotaRoles, "Cannot exceed quota for RolesPerAccount: 3"},
		{QuotaUsers, "Cannot exceed quota for UsersPerAccount: 5000"},
		{QuotaTrustPolicySize, "Cannot exceed quota for ACLSizePerRole: 2048"},
	}
	for _, tc := range tests {
		if got := l.Exceeded(tc.q).Message; got != tc.want {
			t.Errorf("Exceeded(%d) = %q, want %q", tc.q, got, tc.want)
		}
	}
	if !l.Reached(QuotaRoles, 3) || l.Reached(QuotaRoles, 2) {
		t.Errorf("Reached(roles, 3/2) = %v/%v, want true/false", l.Reached(QuotaRoles, 3), l.Reached(QuotaRoles, 2))
	}
	if s := l.Summary(); s["RolesQuota"] != 3 || s["UsersQuota"] != 5000 || s["AssumeRolePolicySizeQuota"] != 2048 {
		t.Errorf("Summary() = %v", s)
	}
}

func BenchmarkLimitsGet(b *testing.B) {
	l, err := NewLimits(map[string]int64{"users-per-account": 7})
	if err != nil {
		b.Fatal(err)
	}
	var n int64
	for b.Loop() {
		n += l.Get(QuotaRoles) + l.Get(QuotaUsers)
	}
	if n == 0 {
		b.Fatal("no quota")
	}
}
