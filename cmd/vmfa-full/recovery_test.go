package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vmfa/vmfa/internal/testenv"
)

// historyEntry is one entry of vmfa history --json.
type historyEntry struct {
	ID       string `json:"id"`
	Time     string `json:"time"`
	Accounts int    `json:"accounts"`
	Changes  []struct {
		Change, Label, From string
	} `json:"changes"`
}

// changes lists v's changes as "added GitHub:alice,renamed A>B".
func (v historyEntry) changes() string {
	var cs []string
	for _, c := range v.Changes {
		s := c.Change + " " + c.Label
		if c.From != "" {
			s = c.Change + " " + c.From + ">" + c.Label
		}
		cs = append(cs, s)
	}
	return strings.Join(cs, ",")
}

func history(t *testing.T, dir string) []historyEntry {
	t.Helper()
	r := vmfa(t, dir, "", []string{pw}, "history", "--json")
	var h []historyEntry
	if err := json.Unmarshal([]byte(r.stdout), &h); r.code != 0 || err != nil {
		t.Fatalf("history --json: %+v, %v", r, err)
	}
	return h
}

// TestRestoreAfterRm removes an account, finds where it still is, and brings
// it back, codes and all; then undoes the restore.
func TestRestoreAfterRm(t *testing.T) {
	parallel(t)
	dir := t.TempDir()
	vaultOf(t, dir, githubURI, githubURI2)
	codeBefore := vmfa(t, dir, "", []string{pw}, "code", "github:bob", "--at", "1800000000").stdout

	r := vmfa(t, dir, "", []string{pw}, "rm", "bob", "--yes")
	expect(t, r, 0, "Removed GitHub:bob", "vmfa history")
	if !strings.Contains(r.stderr, filepath.Join(dir, "vault", "backups")) || !strings.Contains(r.stderr, "vmfa restore") {
		t.Errorf("rm does not say where GitHub:bob can still be recovered: %q", r.stderr)
	}
	noSecrets(t, r)

	h := history(t, dir)
	if len(h) != 3 || h[0].ID != "current" || h[0].Accounts != 1 || h[1].Accounts != 2 || h[2].Accounts != 0 {
		t.Fatalf("history = %+v", h)
	}
	if h[0].changes() != "removed GitHub:bob" || h[1].changes() != "added GitHub:alice,added GitHub:bob" || h[2].Changes != nil {
		t.Errorf("changes: %+v", h)
	}
	if _, err := time.Parse(time.RFC3339Nano, h[1].Time); err != nil {
		t.Errorf("time %q: %v", h[1].Time, err)
	}
	r = vmfa(t, dir, "", []string{pw}, "history")
	expect(t, r, 0, "removed GitHub:bob", "")
	if !strings.Contains(r.stdout, h[1].ID) || !strings.Contains(r.stdout, "current") {
		t.Errorf("history:\n%s", r.stdout)
	}
	noSecrets(t, r)

	// No terminal and no --yes: refused, nothing changes.
	expect(t, vmfa(t, dir, "", []string{pw}, "restore", h[1].ID), 1, "", "pass --yes")
	expect(t, vmfa(t, dir, "", []string{pw}, "list"), 0, "GitHub\talice", "")
	if r := vmfa(t, dir, "", []string{pw}, "list"); strings.Contains(r.stdout, "bob") {
		t.Fatal("a refused restore restored")
	}

	r = vmfa(t, dir, "", []string{pw}, "restore", "--yes", h[1].ID)
	expect(t, r, 0, "", "Restored")
	if !strings.Contains(r.stderr, "vmfa restore") {
		t.Errorf("restore does not say how to undo it: %q", r.stderr)
	}
	if got := vmfa(t, dir, "", []string{pw}, "code", "github:bob", "--at", "1800000000").stdout; got != codeBefore || got == "" {
		t.Errorf("restored GitHub:bob gives %q, it gave %q", got, codeBefore)
	}

	// The restore made the version before it a generation: undo it.
	h = history(t, dir)
	if h[0].Accounts != 2 || h[1].Accounts != 1 || h[0].changes() != "added GitHub:bob" {
		t.Fatalf("history after restore: %+v", h)
	}
	expect(t, vmfa(t, dir, "", []string{pw}, "restore", "-y", h[1].ID), 0, "", "Restored")
	if r := vmfa(t, dir, "", []string{pw}, "list"); strings.Contains(r.stdout, "bob") {
		t.Error("undoing the restore left GitHub:bob")
	}

	// Usage and bad IDs.
	expect(t, vmfa(t, dir, "", []string{pw}, "restore"), 2, "", "")
	expect(t, vmfa(t, dir, "", []string{pw}, "restore", "a", "b"), 2, "", "")
	expect(t, vmfa(t, dir, "", []string{pw}, "restore", "--yes", "nope"), 1, "", "vmfa history")
	expect(t, vmfa(t, dir, "", []string{pw}, "restore", "--yes", "current"), 1, "", "current")
	expect(t, vmfa(t, dir, "", []string{pw}, "history", "extra"), 2, "", "")
}

// TestHistoryKeep keeps a configured number of versions, never fewer than 5.
func TestHistoryKeep(t *testing.T) {
	parallel(t)
	dir := t.TempDir()
	vaultOf(t, dir, githubURI)
	expect(t, vmfa(t, dir, "", []string{pw}, "history", "--keep", "4"), 2, "", "5")
	expect(t, vmfa(t, dir, "", []string{pw}, "history", "--keep", "6"), 0, "", "6")
	for i := range 8 {
		expect(t, vmfa(t, dir, "", []string{pw}, "rename", "alice", fmt.Sprintf("alice%d", i)), 0, "Renamed", "")
	}
	if h := history(t, dir); len(h) != 7 {
		t.Errorf("with --keep 6, history lists %d versions, want the current one and 6", len(h))
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "vault", "backups"))
	if len(entries) != 6 {
		t.Errorf("backups/ holds %d files, want 6", len(entries))
	}
}

// TestHalfPresentVault: with identity.age and vault.age gone but their
// backups there, no command takes it for "no vault", and none creates a new
// vault over the last copy.
func TestHalfPresentVault(t *testing.T) {
	parallel(t)
	dir := t.TempDir()
	vdir := filepath.Join(dir, "vault")
	vaultOf(t, dir, githubURI)
	expect(t, vmfa(t, dir, "", []string{pw, "VMFA_NEW_PASSPHRASE=second"}, "passwd", "--work-factor", "10"), 0, "", "")
	expect(t, vmfa(t, dir, githubURI2+"\n", []string{"VMFA_PASSPHRASE=second"}, "add", "--uri"), 0, "Added", "")
	os.Remove(filepath.Join(vdir, "identity.age"))
	os.Remove(filepath.Join(vdir, "vault.age"))
	bak := map[string][]byte{}
	for _, n := range []string{"identity.age.bak", "vault.age.bak"} {
		b, err := os.ReadFile(filepath.Join(vdir, n))
		if err != nil {
			t.Fatal(err)
		}
		bak[n] = b
	}
	restoreHint := "mv " + filepath.Join(vdir, "identity.age.bak") + " " + filepath.Join(vdir, "identity.age")
	for _, c := range []struct {
		stdin string
		env   []string
		args  []string
	}{
		{"", []string{pw}, []string{"list"}},
		{"", nil, []string{"list"}},
		{githubURI + "\n", []string{pw}, []string{"add", "--uri"}},
		{githubURI + "\n", nil, []string{"add", "--uri"}},
		{"", []string{pw}, []string{"init", "--work-factor", "10"}},
		{"", []string{pw}, []string{"history"}},
	} {
		r := vmfa(t, dir, c.stdin, c.env, c.args...)
		expect(t, r, 1, "", "identity.age is missing")
		if strings.Contains(r.stderr, "no vault yet") || !strings.Contains(r.stderr, restoreHint) || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("vmfa %v: %q; want one line with %q", c.args, r.stderr, restoreHint)
		}
	}
	for n, b := range bak {
		if got, _ := os.ReadFile(filepath.Join(vdir, n)); !bytes.Equal(got, b) {
			t.Errorf("%s was changed", n)
		}
	}
	if _, err := os.Stat(filepath.Join(vdir, "identity.age")); err == nil {
		t.Error("a new identity.age was created")
	}
	// Following the advice brings the vault back, under the old passphrase.
	os.Rename(filepath.Join(vdir, "identity.age.bak"), filepath.Join(vdir, "identity.age"))
	r := vmfa(t, dir, "", []string{pw}, "list")
	expect(t, r, 1, "", "vault.age is damaged")
	if !strings.Contains(r.stderr, "vmfa restore") {
		t.Errorf("list without vault.age: %q; want a hint at vmfa restore", r.stderr)
	}
	h := history(t, dir)
	expect(t, vmfa(t, dir, "", []string{pw}, "restore", "--yes", h[1].ID), 0, "", "Restored")
	expect(t, vmfa(t, dir, "", []string{pw}, "list"), 0, "GitHub\talice", "")
}

// TestRestoreConfirm confirms a restore on a real terminal (tmux).
func TestRestoreConfirm(t *testing.T) {
	parallel(t)
	tmux := testenv.Tool(t, "tmux")
	dir := t.TempDir()
	vaultOf(t, dir, githubURI)
	expect(t, vmfa(t, dir, githubURI2+"\n", []string{pw}, "add", "--uri"), 0, "Added", "")
	h := history(t, dir)

	socket := fmt.Sprintf("vmfa-restore-%d", os.Getpid())
	run := func(args ...string) string {
		t.Helper()
		out, err := exec.Command(tmux, append([]string{"-L", socket, "-f", "/dev/null"}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("tmux %v: %v: %s", args, err, out)
		}
		return string(out)
	}
	args := []string{"new-session", "-d", "-s", "r", "-x", "150", "-y", "20"}
	for _, kv := range testenv.Env(t, dir, pw) {
		args = append(args, "-e", kv)
	}
	run(append(args, "sh")...)
	t.Cleanup(func() { exec.Command(tmux, "-L", socket, "kill-server").Run() })
	wait := func(want string) string {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			scr := run("capture-pane", "-p", "-t", "r")
			if strings.Contains(scr, want) {
				return scr
			}
			if time.Now().After(deadline) {
				t.Fatalf("the screen never showed %q:\n%s", want, scr)
			}
		}
	}
	for _, answer := range []string{"n", "y"} {
		run("send-keys", "-t", "r", vmfaBin+" restore "+h[1].ID+"; echo EXIT=$?", "Enter")
		scr := wait("[y/N]")
		if !strings.Contains(scr, "1 account") || !strings.Contains(scr, "2 accounts") {
			t.Errorf("the question does not say what changes:\n%s", scr)
		}
		run("send-keys", "-t", "r", answer, "Enter")
		if answer == "n" {
			wait("EXIT=1")
			run("send-keys", "-t", "r", "clear", "Enter")
		} else {
			wait("EXIT=0")
		}
	}
	if r := vmfa(t, dir, "", []string{pw}, "list"); strings.Contains(r.stdout, "bob") || !strings.Contains(r.stdout, "alice") {
		t.Errorf("after confirming on the terminal, list = %q", r.stdout)
	}
}
