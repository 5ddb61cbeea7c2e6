package gitsync

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/vmfa/vmfa/internal/testenv"
	"github.com/vmfa/vmfa/vault"
)

// TestGitProcessesPerSync: each kind of sync runs the git commands it
// needs and no more (every git process costs milliseconds, and a sync
// killed at any of them must be completed by the next), and does its work:
// two machines publish, join, exchange and merge over git's HTTP transport.
func TestGitProcessesPerSync(t *testing.T) {
	realGit := testenv.Tool(t, "git")
	srv := testenv.NewGitServer(t)
	log := filepath.Join(t.TempDir(), "commands")
	wrapper := t.TempDir()
	// Only vmfa's own children: not what git starts, nor the server's.
	testenv.WriteExecutable(t, filepath.Join(wrapper, "git"), []byte("#!/bin/sh\n[ $PPID = "+strconv.Itoa(os.Getpid())+" ] && echo \"$*\" >> '"+log+"'\nexec '"+realGit+"' \"$@\"\n"), 0o755)
	t.Setenv("PATH", wrapper+":"+os.Getenv("PATH"))
	gitPathOnce = sync.Once{} // find the wrapper
	t.Cleanup(func() { gitPathOnce = sync.Once{} })
	ctx := context.Background()
	// commands runs do and returns the git commands it ran, by name.
	commands := func(do func()) string {
		t.Helper()
		os.Remove(log)
		do()
		b, _ := os.ReadFile(log)
		var names []string
		for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			f := strings.Fields(line)
			for len(f) > 1 && f[0] == "-c" {
				f = f[2:]
			}
			if len(f) > 0 {
				names = append(names, f[0])
			}
		}
		return strings.Join(names, " ")
	}
	sync := func(s *vault.Store, v *vault.Vault, want Result) {
		t.Helper()
		res, err := Open(s).Sync(ctx, func() (*vault.Vault, error) { return v, nil }, 0)
		if err != nil || res != want {
			t.Fatalf("sync: %+v %v, want %+v", res, err, want)
		}
	}
	expect := func(kind, got, want string) {
		t.Helper()
		if got != want {
			t.Errorf("%s runs git %s, want %s", kind, got, want)
		}
	}

	a := vault.Open(filepath.Join(t.TempDir(), "vault"))
	va, err := a.Create(testPass, 10)
	if err != nil {
		t.Fatal(err)
	}
	addAccount(t, va, "alice")
	url := srv.Repo(t, "processes")
	expect("setting up", commands(func() {
		if _, err := Open(a).Init(ctx, url); err != nil {
			t.Fatal(err)
		}
	}), "init config config config")
	expect("publishing", commands(func() { sync(a, va, Result{Out: 1, Published: true}) }),
		"add commit fetch rev-parse rev-list push")
	expect("an idle sync", commands(func() { sync(a, va, Result{}) }), "fetch")

	b := vault.Open(filepath.Join(t.TempDir(), "vault"))
	expect("joining", commands(func() {
		err := Join(ctx, b, url, DefaultTimeout, func(s *vault.Store) (*vault.Vault, error) { return s.Unlock(testPass) })
		if err != nil {
			t.Fatal(err)
		}
	}), "init config config config fetch cat-file update-ref")
	// The repository of a joined vault, moved into place, has its work
	// tree where it is: git's to look at, as the docs say.
	if out, err := exec.Command(realGit, "--git-dir", filepath.Join(b.Dir(), GitDirName), "status", "--short").CombinedOutput(); err != nil {
		t.Fatalf("git status of the joined vault's repository: %v %s", err, out)
	}
	vb, err := b.Unlock(testPass)
	if err != nil {
		t.Fatal(err)
	}
	expect("a sync after joining", commands(func() { sync(b, vb, Result{}) }), "fetch")

	addAccount(t, va, "bob")
	expect("a commit", commands(func() {
		if err := Commit(a); err != nil {
			t.Fatal(err)
		}
	}), "add commit")
	expect("a sync that pushes", commands(func() { sync(a, va, Result{Out: 1}) }), "fetch rev-list push")
	expect("a sync that takes the remote's commit", commands(func() { sync(b, vb, Result{In: 1}) }),
		"fetch rev-list cat-file update-ref")

	addAccount(t, va, "carol")
	addAccount(t, vb, "dave")
	for _, s := range []*vault.Store{a, b} {
		if err := Commit(s); err != nil {
			t.Fatal(err)
		}
	}
	sync(a, va, Result{Out: 1})
	expect("a merging sync", commands(func() { sync(b, vb, Result{In: 1, Out: 1, Merged: true}) }),
		"fetch rev-list cat-file fast-import update-ref push")
	sync(a, va, Result{In: 1})
	accounts := func(want int) {
		t.Helper()
		for _, v := range []*vault.Vault{va, vb} {
			d, err := v.Load()
			if err != nil {
				t.Fatal(err)
			}
			if len(d.Accounts) != want {
				t.Errorf("a vault holds %d accounts, want %d", len(d.Accounts), want)
			}
		}
	}
	accounts(4)

	// The host replays an older vault in a commit on top of the branch:
	// a's branch is behind it, yet holds more; it commits on top, pushes.
	host := func(args ...string) string {
		t.Helper()
		out, err := exec.Command(realGit, append([]string{"--git-dir", srv.GitDir(url)}, args...)...).Output()
		if err != nil {
			t.Fatalf("git %v: %v", args, err)
		}
		return strings.TrimSpace(string(out))
	}
	replay := host("-c", "user.name=host", "-c", "user.email=host@example.com", "commit-tree", "-m", "replay", "-p", "refs/heads/vmfa", "refs/heads/vmfa~3^{tree}")
	host("update-ref", "refs/heads/vmfa", replay)
	expect("a sync that commits on top of the remote's", commands(func() { sync(a, va, Result{Out: 1}) }),
		"fetch rev-list cat-file fast-import update-ref push")
	sync(b, vb, Result{})
	accounts(4)
}
