package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestVaultDirNotADirectory: a vault directory that is a file is said to
// be one, with the way to name another that fits where its path came from
// (--dir, VMFA_DIR or the default); never "set VMFA_DIR" to a --dir.
func TestVaultDirNotADirectory(t *testing.T) {
	parallel(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, []byte("not a vault\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(dir, "data")
	if err := os.MkdirAll(data, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(data, "vmfa"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		env  []string
		args []string
		want string
	}{
		{"--dir", nil, []string{"--dir", "/etc/passwd", "list"}, "vmfa: /etc/passwd is not a directory: --dir names the vault's directory\n"},
		{"--dir add", nil, []string{"--dir", file, "add", "--uri"}, "vmfa: " + file + " is not a directory: --dir names the vault's directory\n"},
		{"VMFA_DIR", []string{"VMFA_DIR=" + file}, []string{"list"}, "vmfa: " + file + " is not a directory: VMFA_DIR names the vault's directory\n"},
		{"default", []string{"VMFA_DIR=", "XDG_DATA_HOME=" + data}, []string{"list"},
			"vmfa: " + filepath.Join(data, "vmfa") + " is not a directory, where vmfa keeps the vault by default: move it away, or name another directory with --dir or VMFA_DIR\n"},
	} {
		r := vmfa(t, dir, githubURI+"\n", append([]string{pw}, c.env...), c.args...)
		if r.code != 1 || r.stderr != c.want || r.stdout != "" {
			t.Errorf("%s: exit %d, stderr %q; want exit 1 and %q", c.name, r.code, r.stderr, c.want)
		}
	}
	if b, err := os.ReadFile(file); err != nil || !strings.HasPrefix(string(b), "not a vault") {
		t.Fatalf("the file was changed: %q %v", b, err)
	}
}
