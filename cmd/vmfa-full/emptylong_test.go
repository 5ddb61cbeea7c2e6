package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// What is wrong with an empty argument or a long one is said in a line
// that names it (issue 19, item 21).

func TestEmptyPathIsUsage(t *testing.T) {
	parallel(t)
	dir := t.TempDir()
	for _, args := range [][]string{
		{"add", ""},
		{"add", "  "},
		{"scan", ""},
		{"enroll", ""},
		{"import", ""},
		{"import", filepath.Join(dir, "missing.json"), ""},
	} {
		r := vmfa(t, dir, "", []string{pw}, args...)
		if r.code != 2 || !strings.Contains(r.stderr, "is an empty path: name a file") || strings.Contains(r.stderr, ": no such file") {
			t.Errorf("vmfa %q: exit %d, stderr %q; want exit 2 and an empty path named", args, r.code, r.stderr)
		}
	}
}

func TestEmptySecretSaysEmpty(t *testing.T) {
	parallel(t)
	dir := t.TempDir()
	for _, c := range []struct {
		stdin string
		args  []string
	}{
		{"\n", []string{"add", "--manual", "--issuer", "X", "--name", "y"}},
		{" - ==\n", []string{"add", "--manual", "--issuer", "X", "--name", "y"}},
		{"otpauth://totp/X:y?secret=&issuer=X\n", []string{"add", "--uri"}},
	} {
		r := vmfa(t, dir, c.stdin, []string{pw}, c.args...)
		if r.code != 1 || !strings.Contains(r.stderr, "secret is empty") || strings.Contains(r.stderr, "base32") {
			t.Errorf("vmfa %q <<< %q: exit %d, stderr %q; want exit 1, \"secret is empty\"", c.args, c.stdin, r.code, r.stderr)
		}
	}
}

// A 5,000-character path is cut in the message that names it.
func TestLongPathShortened(t *testing.T) {
	parallel(t)
	dir := t.TempDir()
	long := filepath.Join(dir, strings.Repeat("a", 5000)+".png")
	deep := filepath.Join(dir, strings.Repeat("sub/", 1250), "qr.png")
	for _, args := range [][]string{
		{"add", long},
		{"scan", deep},
		{"enroll", long},
		{"import", long},
		{"--dir", deep, "list"},
	} {
		r := vmfa(t, dir, "", []string{pw}, args...)
		if r.code != 1 || len(r.stderr) > 600 || !strings.Contains(r.stderr, dir) || !strings.Contains(r.stderr, "…") {
			t.Errorf("vmfa %.40q: exit %d, %d bytes of stderr %.300q; want exit 1 and the path cut", args, r.code, len(r.stderr), r.stderr)
		}
	}
}
