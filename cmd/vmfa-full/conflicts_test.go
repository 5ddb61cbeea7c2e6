package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vmfa/vmfa/internal/testenv"
)

// TestConflictCopyFolded: a file-sync tool's conflict copy beside vault.age,
// holding another machine's account, is merged by the next command, which
// says so in one line; one forged with the vault's public key alone (by
// the age command) is left in place, with a warning, and changes nothing.
func TestConflictCopyFolded(t *testing.T) {
	parallel(t)
	agePath := testenv.Tool(t, "age")
	here, there := t.TempDir(), t.TempDir()
	r := vmfa(t, here, "", []string{pw}, "init", "--work-factor", "10")
	expect(t, r, 0, "", "Created a vault")
	_, recipient, _ := strings.Cut(r.stderr, "(age recipient ")
	recipient, _, _ = strings.Cut(recipient, ")")
	if err := os.Mkdir(filepath.Join(there, "vault"), 0o700); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"identity.age", "vault.age"} {
		b, err := os.ReadFile(filepath.Join(here, "vault", name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(there, "vault", name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	expect(t, vmfa(t, there, githubURI+"\n", []string{pw}, "add", "--uri"), 0, "Added GitHub:alice", "")
	b, err := os.ReadFile(filepath.Join(there, "vault", "vault.age"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(here, "vault", "vault (Bob's conflicted copy 2026-12-06).age"), b, 0o600); err != nil {
		t.Fatal(err)
	}
	r = vmfa(t, here, "", []string{pw}, "list")
	expect(t, r, 0, "GitHub\talice", `vmfa: merged the conflict copy "vault (Bob's conflicted copy 2026-12-06).age" (1 account changed here)`)

	forged := filepath.Join(here, "vault", "vault 2.age")
	cmd := exec.Command(agePath, "-r", recipient, "-o", forged)
	cmd.Stdin = strings.NewReader(`{"version":1,"accounts":[]}`)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("age: %v: %s", err, out)
	}
	r = vmfa(t, here, "", []string{pw}, "list")
	expect(t, r, 0, "GitHub\talice", `vmfa: warning: the conflict copy "vault 2.age" is left in place: not merged: it is not authenticated by the vault's key`)
	if strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
		t.Errorf("more than one line said:\n%s", r.stderr)
	}
	if _, err := os.Stat(forged); err != nil {
		t.Errorf("the forged copy is gone: %v", err)
	}
}
