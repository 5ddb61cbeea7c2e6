package otp

import "testing"

func TestParseLabel(t *testing.T) {
	for _, tc := range []struct {
		label, issuer, name string
		hasIssuer           bool
	}{
		{"GitLab:work", "GitLab", "work", true},
		{"Amazon Web Services: alice@123456789012", "Amazon Web Services", "alice@123456789012", true},
		{" alice ", "", "alice", false},
		{"a:b:c", "a", "b:c", true},
		{":name", "", "name", true},
	} {
		issuer, name, has := ParseLabel(tc.label)
		if issuer != tc.issuer || name != tc.name || has != tc.hasIssuer {
			t.Errorf("ParseLabel(%q) = %q, %q, %v; want %q, %q, %v", tc.label, issuer, name, has, tc.issuer, tc.name, tc.hasIssuer)
		}
	}
}
