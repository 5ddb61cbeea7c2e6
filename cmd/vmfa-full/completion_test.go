package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// complete runs the shell's completion request 'vmfa __complete ARGS…' and
// returns the candidates printed (descriptions dropped) and the directive
// line.
func complete(t *testing.T, dir string, env []string, args ...string) (candidates []string, directive string) {
	t.Helper()
	r := vmfa(t, dir, "", env, append([]string{"__complete"}, args...)...)
	if r.code != 0 {
		t.Fatalf("__complete %q: exit %d, %q", args, r.code, r.stderr)
	}
	lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	directive = lines[len(lines)-1]
	for _, l := range lines[:len(lines)-1] {
		c, _, _ := strings.Cut(l, "\t")
		candidates = append(candidates, c)
	}
	return candidates, directive
}

// TestCompleteAccountsFromAgent: with the agent holding the vault, account
// arguments complete to the labels 'vmfa code' takes (spaces and all: the
// shell's script quotes them), case-insensitively by prefix; an account whose
// label another shares completes to its ID. code, rm and rename complete
// their first argument, export every one it has not yet.
func TestCompleteAccountsFromAgent(t *testing.T) {
	parallel(t)
	dir := t.TempDir()
	env := agentEnv(t, dir)
	twin := "otpauth://totp/GitHub:alice?secret=KRSXG5CTMVRXEZLUKN2XAZLSONSWG4TF&issuer=GitHub"
	expect(t, vmfa(t, dir, awsURI+"\n"+githubURI2+"\n", with(env, pw), "add", "--uri"), 0, "Added", "")
	expect(t, vmfa(t, dir, "", with(env, pw), "unlock"), 0, "", "Unlocked")

	got, directive := complete(t, dir, env, "code", "")
	if want := []string{"Amazon Web Services:alice@123456789012", "GitHub:bob"}; !slices.Equal(got, want) || directive != ":4" {
		t.Fatalf("code <TAB>: %q %s; want %q :4 (no files)", got, directive, want)
	}
	if got, _ := complete(t, dir, env, "code", "amazon web"); !slices.Equal(got, []string{"Amazon Web Services:alice@123456789012"}) {
		t.Errorf("code amazon\\ web<TAB>: %q", got)
	}

	// Two accounts labelled GitHub:alice: each completes to its ID, which
	// 'vmfa code' takes, with the label as its description.
	expect(t, vmfa(t, dir, githubURI+"\n"+twin+"\n", env, "add", "--uri"), 0, "Added", "")
	got, _ = complete(t, dir, env, "rm", "")
	if len(got) != 4 || got[1] != "GitHub:bob" && got[3] != "GitHub:bob" {
		t.Fatalf("rm <TAB>: %q", got)
	}
	for _, c := range got {
		if strings.Contains(c, ":") {
			continue
		}
		if r := vmfa(t, dir, "", env, "code", c); r.code != 0 {
			t.Errorf("the completion %q is not a query 'vmfa code' takes: %q", c, r.stderr)
		}
	}
	if got, _ := complete(t, dir, env, "rename", "github:b"); !slices.Equal(got, []string{"GitHub:bob"}) {
		t.Errorf("rename github:b<TAB>: %q", got)
	}
	if got, _ := complete(t, dir, env, "rename", "GitHub:bob", ""); len(got) != 0 {
		t.Errorf("rename's new name completes to %q", got)
	}
	if got, _ := complete(t, dir, env, "export", "--format", "uri", "GitHub:bob", ""); len(got) != 3 || slices.Contains(got, "GitHub:bob") {
		t.Errorf("export GitHub:bob <TAB>: %q, want the three others", got)
	}
}

// TestCompleteLockedAsksNothing: with the agent locked or not running,
// completing an account completes nothing and asks nothing: no prompt on
// the terminal, no passphrase command run (it may pop up a PIN entry), no
// scrypt paid, even with a passphrase in the environment; and it is quick.
func TestCompleteLockedAsksNothing(t *testing.T) {
	// Not parallel: it checks times vmfa takes or measures, which the other
	// tests' load would skew.
	dir := t.TempDir()
	env := agentEnv(t, dir)
	vaultOf(t, dir, awsURI)
	asked := filepath.Join(dir, "asked")
	command := "VMFA_PASSPHRASE_COMMAND=touch " + asked + "; echo correct horse"

	check := func(state string) {
		t.Helper()
		for _, extra := range [][]string{nil, {pw}, {command}} {
			start := time.Now()
			got, directive := complete(t, dir, with(env, extra...), "code", "")
			took := time.Since(start)
			if len(got) != 0 || directive != ":4" {
				t.Errorf("%s, %v: completed %q %s", state, extra, got, directive)
			}
			if _, err := os.Stat(asked); err == nil {
				t.Fatalf("%s: the passphrase command ran", state)
			}
			if took > time.Second {
				t.Errorf("%s, %v: took %v", state, extra, took)
			}
			t.Logf("%s, %v: %v", state, extra, took)
		}
		term := onTerminal(t, dir, env, true, nil, "__complete", "code", "")
		if code, screen := term.Wait(); code != 0 || strings.Contains(strings.ToLower(screen), "passphrase") || term.Stdout() != ":4\n" {
			t.Errorf("%s, on a terminal: exit %d, stdout %q, terminal %q", state, code, term.Stdout(), screen)
		}
	}
	check("no agent")
	expect(t, vmfa(t, dir, "", with(env, pw), "unlock"), 0, "", "Unlocked")
	expect(t, vmfa(t, dir, "", env, "lock"), 0, "", "Locked")
	check("agent locked")
}
