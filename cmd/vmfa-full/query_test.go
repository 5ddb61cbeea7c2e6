package main

import (
	"strings"
	"testing"
)

// TestCodeAWSQueries asks for codes the way AWS users name their devices:
// ISSUER:NAME with the issuer's initials, and MFA serial ARNs from
// ~/.aws/config.
func TestCodeAWSQueries(t *testing.T) {
	parallel(t)
	dir := t.TempDir()
	const bobURI = "otpauth://totp/Amazon%20Web%20Services:bob@123456789012?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJS&issuer=Amazon%20Web%20Services"
	expect(t, vmfa(t, dir, awsURI+"\n"+bobURI+"\n"+githubURI+"\n", []string{pw}, "add", "--uri"), 0, "Added", "")
	at := []string{"--at", "1800000000"}
	alice := vmfa(t, dir, "", []string{pw}, append([]string{"code", "amazon web services:alice"}, at...)...)
	bob := vmfa(t, dir, "", []string{pw}, append([]string{"code", "amazon web services:bob"}, at...)...)
	if alice.code != 0 || bob.code != 0 || alice.stdout == bob.stdout {
		t.Fatalf("codes by full label: %+v %+v", alice, bob)
	}
	for query, want := range map[string]string{
		"aws:alice":                           alice.stdout,
		"AWS:bob":                             bob.stdout,
		"arn:aws:iam::123456789012:mfa/alice": alice.stdout,
		"arn:aws:iam::123456789012:mfa/bob":   bob.stdout,
	} {
		expect(t, vmfa(t, dir, "", []string{pw}, append([]string{"code", query}, at...)...), 0, want, "")
	}
	r := vmfa(t, dir, "", []string{pw}, "code", "arn:aws:iam::123456789012:mfa/carol")
	expect(t, r, 1, "", `matches 2 accounts: "Amazon Web Services:alice@123456789012", "Amazon Web Services:bob@123456789012"`)
	if strings.Contains(r.stderr, "GitHub") {
		t.Errorf("an ARN matched outside its account: %q", r.stderr)
	}
}
