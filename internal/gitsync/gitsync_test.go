package gitsync

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vmfa/vmfa/internal/testenv"
	"github.com/vmfa/vmfa/otp"
	"github.com/vmfa/vmfa/vault"
)

const testPass = "correct horse"

var a0 = time.Date(2026, 3, 14, 12, 0, 0, 0, time.UTC)

// newSynced makes a vault with an account that syncs with a new remote of
// srv, published.
func newSynced(t testing.TB, srv *testenv.GitServer) (*vault.Store, *vault.Vault) {
	t.Helper()
	s := vault.Open(filepath.Join(t.TempDir(), "vault"))
	v, err := s.Create(testPass, 10)
	if err != nil {
		t.Fatal(err)
	}
	addAccount(t, v, "alice")
	r := Open(s)
	if _, err := r.Init(context.Background(), srv.Repo(t, strings.ReplaceAll(t.Name(), "/", "-"))); err != nil {
		t.Fatal(err)
	}
	if res, err := r.Sync(context.Background(), func() (*vault.Vault, error) { return v, nil }, 0); err != nil || !res.Published {
		t.Fatalf("publishing: %+v %v", res, err)
	}
	return s, v
}

func addAccount(t testing.TB, v *vault.Vault, name string) {
	t.Helper()
	a := otp.Account{Type: otp.TOTP, Issuer: "GitHub", Name: name, Secret: "JBSWY3DPEHPK3PXP" + strings.ToUpper(name[:1]) + "A"}
	if err := a.Normalize(); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Update(func(d *vault.Data) error { _, err := d.Add(a, a0); return err }); err != nil {
		t.Fatal(err)
	}
}

// TestGitChildEnvironment: git runs with vmfa's identity and a minimal
// environment: no VMFA_ variable (the passphrase), none of the user's GIT_
// variables that would point it elsewhere; and the user's configuration
// asking for signed commits and an identity of their own is overridden, as
// on a machine where git was never set up.
func TestGitChildEnvironment(t *testing.T) {
	realGit := testenv.Tool(t, "git")
	srv := testenv.NewGitServer(t)
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	os.WriteFile(filepath.Join(home, ".gitconfig"), []byte("[commit]\n\tgpgSign = true\n[user]\n\tuseConfigOnly = true\n"), 0o600)
	s, v := newSynced(t, srv)
	t.Setenv("VMFA_PASSPHRASE", testPass)
	t.Setenv("GIT_DIR", "/nonexistent")
	t.Setenv("GIT_INDEX_FILE", "/nonexistent/index")
	log := filepath.Join(t.TempDir(), "env")
	wrapper := t.TempDir()
	testenv.WriteExecutable(t, filepath.Join(wrapper, "git"), []byte("#!/bin/sh\n{ env; echo \"ARGS $*\"; } >> '"+log+"'\nexec '"+realGit+"' \"$@\"\n"), 0o755)
	t.Setenv("PATH", wrapper+":"+os.Getenv("PATH"))
	gitPathOnce = sync.Once{} // find the wrapper
	t.Cleanup(func() { gitPathOnce = sync.Once{} })

	addAccount(t, v, "bob")
	if err := Commit(s); err != nil {
		t.Fatal(err)
	}
	if res, err := Open(s).Sync(context.Background(), nil, 0); err != nil || res.Out != 1 {
		t.Fatalf("sync: %+v %v", res, err)
	}
	b, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"VMFA_", testPass, "/nonexistent"} {
		if strings.Contains(string(b), bad) {
			t.Errorf("git's environment or arguments hold %q", bad)
		}
	}
	for _, want := range []string{"GIT_AUTHOR_NAME=vmfa", "GIT_COMMITTER_EMAIL=vmfa@localhost", "GIT_DIR=" + filepath.Join(s.Dir(), GitDirName), "GIT_TERMINAL_PROMPT=0", "ARGS -c core.hooksPath=/dev/null -c commit.gpgSign=false"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("git's environment lacks %q", want)
		}
	}
	out, err := exec.Command(realGit, "--git-dir", filepath.Join(s.Dir(), GitDirName), "log", "--format=%an %ae %s %G?").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if line != "vmfa vmfa@localhost vmfa N" { // author, message, no signature
			t.Errorf("a commit: %q", line)
		}
	}
}

// TestStaleLocks: lock files (and fast-import's crash reports) a killed
// git left are removed by the next command that holds the repository's
// lock.
func TestStaleLocks(t *testing.T) {
	srv := testenv.NewGitServer(t)
	s, v := newSynced(t, srv)
	stale := []string{"index.lock", "refs/heads/vmfa.lock", "fast_import_crash_123"}
	for _, n := range stale {
		os.WriteFile(filepath.Join(s.Dir(), GitDirName, n), nil, 0o600)
	}
	addAccount(t, v, "bob") // vault.OnChange is not set here: Commit by hand
	if err := Commit(s); err != nil {
		t.Fatalf("commit after a killed git: %v", err)
	}
	if st, err := Open(s).Status(context.Background()); err != nil || st.Waiting != 1 {
		t.Errorf("status: %+v %v", st, err)
	}
	for _, n := range stale {
		if _, err := os.Stat(filepath.Join(s.Dir(), GitDirName, n)); err == nil {
			t.Errorf("%s is left", n)
		}
	}
}

// BenchmarkCommitNoSync is what every change costs a vault that does not
// sync: one stat.
func BenchmarkCommitNoSync(b *testing.B) {
	s := vault.Open(b.TempDir())
	for b.Loop() {
		Commit(s)
	}
}

// BenchmarkCommitUnchanged is what a change that touched no travelling
// file (a code handed out) costs a vault that syncs: reading and hashing
// them, no git.
func BenchmarkCommitUnchanged(b *testing.B) {
	s, _ := newSynced(b, testenv.NewGitServer(b))
	for b.Loop() {
		Commit(s)
	}
}

// BenchmarkCommitChange is what committing a change costs: git runs.
func BenchmarkCommitChange(b *testing.B) {
	s, v := newSynced(b, testenv.NewGitServer(b))
	st := Open(s)
	n := 0
	for b.Loop() {
		b.StopTimer()
		n++
		if _, err := v.Update(func(d *vault.Data) error { d.Accounts[0].Note = strconv.Itoa(n); return nil }); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if _, err := st.commitLocal(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSyncIdle is a sync with nothing to exchange, over git's HTTP
// transport on loopback: one fetch.
func BenchmarkSyncIdle(b *testing.B) {
	s, _ := newSynced(b, testenv.NewGitServer(b))
	r := Open(s)
	for b.Loop() {
		if res, err := r.Sync(context.Background(), nil, 0); err != nil || res != (Result{}) {
			b.Fatalf("%+v %v", res, err)
		}
	}
}

// TestNoTerminalSSH: for the interface, ssh runs in batch mode, asking
// nothing, unless the user chose how git runs ssh.
func TestNoTerminalSSH(t *testing.T) {
	t.Setenv("GIT_SSH_COMMAND", "")
	os.Unsetenv("GIT_SSH_COMMAND")
	os.Unsetenv("GIT_SSH")
	g := &git{noTerminal: true}
	if !slices.Contains(g.env(), "GIT_SSH_COMMAND=ssh -o BatchMode=yes") {
		t.Errorf("no batch mode for the interface: %q", g.env())
	}
	if slices.Contains((&git{}).env(), "GIT_SSH_COMMAND=ssh -o BatchMode=yes") {
		t.Errorf("batch mode on the command line, where ssh may ask for a key's passphrase")
	}
	t.Setenv("GIT_SSH_COMMAND", "ssh -i key")
	if env := g.env(); !slices.Contains(env, "GIT_SSH_COMMAND=ssh -i key") || slices.Contains(env, "GIT_SSH_COMMAND=ssh -o BatchMode=yes") {
		t.Errorf("the user's GIT_SSH_COMMAND: %q", env)
	}
}

// TestCommitMergeMovesBranchOnlyFromLocal: a merge's commit moves the local
// branch only if it is still where the merge found it.
func TestCommitMergeMovesBranchOnlyFromLocal(t *testing.T) {
	t.Parallel()
	s, v := newSynced(t, testenv.NewGitServer(t))
	r := Open(s)
	ctx := context.Background()
	g := r.ready()
	first, err := g.ref(ctx, localRef)
	if err != nil {
		t.Fatal(err)
	}
	addAccount(t, v, "bob")
	if err := Commit(s); err != nil {
		t.Fatal(err)
	}
	head, err := g.ref(ctx, localRef)
	if err != nil || head == first {
		t.Fatalf("the branch after a commit: %s %v", head, err)
	}
	if err := r.commitMerge(ctx, g, first, []string{first}); err == nil {
		t.Errorf("a merge's commit moved the branch from where it no longer was")
	}
	if now, err := g.ref(ctx, localRef); now != head {
		t.Errorf("the branch moved to %s %v", now, err)
	}
	if err := r.commitMerge(ctx, g, head, []string{head}); err != nil {
		t.Fatal(err)
	}
	if now, _ := g.ref(ctx, localRef); now == head {
		t.Errorf("a merge's commit did not move the branch")
	}
}
