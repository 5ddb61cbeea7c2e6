package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSecretArgumentRefused: an otpauth URI or a bare secret given where a
// file belongs ('vmfa add otpauth://…', as oathtool takes its key) is
// refused as a misuse (exit 2) that says the way that works (--uri,
// --paste, --manual) and never quotes the secret back. It was read as a
// path: exit 1 and "otpauth://…?secret=…: no such file or directory".
func TestSecretArgumentRefused(t *testing.T) {
	parallel(t)
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"add", githubURI}, "'vmfa add --uri'"},
		{[]string{"add", "'" + githubURI + "'"}, "'vmfa add --uri'"}, // quoted, as pasted from a web page
		{[]string{"add", "shot.png", "otpauth-migration://offline?data=GEZDGNBVGY3TQOJQ"}, "argument 2 is an otpauth URI"},
		{[]string{"enroll", githubURI}, "'vmfa add --paste'"},
		{[]string{"import", githubURI}, "'vmfa add --uri'"},
		{[]string{"add", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"}, "'vmfa add --manual'"},
	} {
		r := vmfa(t, dir, "", []string{pw}, tc.args...)
		expect(t, r, 2, "", tc.want)
		if strings.Contains(r.stderr, "GEZDGNBVGY3TQOJQ") || strings.Count(r.stderr, "\n") != 2 {
			t.Fatalf("vmfa %v: stderr %q: not one line and the usage line, or the secret quoted", tc.args[0], r.stderr)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "vault")); !os.IsNotExist(err) {
		t.Fatalf("a vault directory was made: %v", err)
	}
	// A file of a secret's name is a file.
	if err := os.WriteFile(filepath.Join(dir, "GEZDGNBVGY3TQOJQ"), []byte("not an image"), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := vmfa(t, dir, "", []string{pw}, "add", filepath.Join(dir, "GEZDGNBVGY3TQOJQ"))
	if cmd.code != 1 || strings.Contains(cmd.stderr, "secret's form") {
		t.Fatalf("a file named like a secret: exit %d, %q", cmd.code, cmd.stderr)
	}
}
