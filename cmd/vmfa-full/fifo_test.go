//go:build unix

package main

import (
	"encoding/base32"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vmfa/vmfa/internal/testenv"
)

// A named pipe where vmfa keeps a file hung every command that opened it
// until it was killed: opening a pipe blocks until a writer comes. Each
// command here runs under timeout(1), which kills it at fifoKill; it must
// be done, with its one line, well within fifoBound.
const (
	fifoKill  = 10 * time.Second
	fifoBound = 5 * time.Second
)

// vmfaWithin runs vmfa as vmfa does, under timeout -s KILL, and fails the
// test unless it ended on its own within fifoBound.
func vmfaWithin(t *testing.T, dir, stdin string, env []string, args ...string) result {
	t.Helper()
	timeout := testenv.Tool(t, "timeout")
	start := time.Now()
	r := runBin(t, timeout, dir, stdin, env, append([]string{"-s", "KILL", fmt.Sprint(fifoKill.Seconds()), vmfaBin}, args...)...)
	if took := time.Since(start); took > fifoBound {
		t.Fatalf("vmfa %v hung: killed after %v (exit %d, stderr %q)", args, took.Round(time.Millisecond), r.code, r.stderr)
	}
	return r
}

// withFIFO puts a named pipe in the place of dir/name for the rest of the
// subtest, and the file that was there back after it.
func withFIFO(t *testing.T, dir, name string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	aside := filepath.Join(t.TempDir(), name)
	if err := os.Rename(path, aside); err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		os.Remove(path)
		os.Rename(aside, path)
	})
	return path
}

// uniqueURI is an account no other call's URI duplicates, secret included.
func uniqueURI(n int) string {
	secret := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(fmt.Appendf(nil, "vmfa fifo test %04d", n))
	return fmt.Sprintf("otpauth://totp/FIFO:case%d?secret=%s&issuer=FIFO", n, secret)
}

var codeLine = regexp.MustCompile(`^\d{6}\n$`)

// TestFIFOsInVaultDir: a named pipe at vault.age, identity.age, steps.json
// or vault.lock hung list, code, history and add until killed. Each
// command that opens the file now says in one line that it is a named pipe
// and exits 1; the others work as ever. history lists a current version it
// can't read, with why, as it does a damaged one: it is how one finds an
// earlier version to restore.
func TestFIFOsInVaultDir(t *testing.T) {
	parallel(t)
	dir := t.TempDir()
	vdir := filepath.Join(dir, "vault")
	vaultOf(t, dir, awsURI)
	expect(t, vmfa(t, dir, "", []string{pw}, "code", "aws"), 0, "", "") // steps.json exists

	// Which commands open which file (to read it, or to take the lock).
	opens := map[string][]string{
		"vault.age":    {"list", "code", "history", "add"},
		"identity.age": {"list", "code", "history", "add"},
		"steps.json":   {"code"},
		"vault.lock":   {"code", "add"},
	}
	n := 0
	for _, name := range []string{"vault.age", "identity.age", "steps.json", "vault.lock"} {
		t.Run(name, func(t *testing.T) {
			path := withFIFO(t, vdir, name)
			want := path + " is a named pipe, not a regular file"
			for _, cmd := range []string{"list", "code", "history", "add"} {
				n++
				args, stdin := []string{cmd}, ""
				switch cmd {
				case "code":
					args = append(args, "aws")
				case "add":
					args, stdin = append(args, "--uri"), uniqueURI(n)+"\n"
				}
				r := vmfaWithin(t, dir, stdin, []string{pw}, args...)
				opened := strings.Contains(strings.Join(opens[name], " "), cmd)
				switch {
				case !opened:
					if r.code != 0 || strings.Contains(r.stderr, "named pipe") {
						t.Errorf("%s: exit %d, stderr %q; want it to work without %s", cmd, r.code, r.stderr, name)
					}
				case cmd == "history" && name == "vault.age":
					if r.code != 0 || !strings.Contains(r.stdout, "can't be read: "+want) {
						t.Errorf("history: exit %d, stdout %q; want the current version listed as %q", r.code, r.stdout, want)
					}
				case name == "steps.json" && r.code == 0:
					// The record of codes handed out must not lock the
					// user out: a code with a warning is right too.
					if !codeLine.MatchString(r.stdout) || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 || !strings.Contains(r.stderr, want) {
						t.Errorf("%s: stdout %q, stderr %q; want a code and one line with %q", cmd, r.stdout, r.stderr, want)
					}
				default:
					if r.code != 1 || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 || !strings.Contains(r.stderr, want) {
						t.Errorf("%s: exit %d, stderr %q; want exit 1, one line with %q", cmd, r.code, r.stderr, want)
					}
				}
			}
		})
	}
}

// TestFIFOsThroughAgent: with the agent unlocked, a code request reaches
// the vault's files in the agent, which must answer, not hang with them.
func TestFIFOsThroughAgent(t *testing.T) {
	parallel(t)
	dir := t.TempDir()
	vdir := filepath.Join(dir, "vault")
	env := agentEnv(t, dir)
	vaultOf(t, dir, awsURI)
	expect(t, vmfa(t, dir, "", with(env, pw), "unlock"), 0, "", "Unlocked")
	for _, name := range []string{"vault.age", "steps.json", "vault.lock"} {
		t.Run(name, func(t *testing.T) {
			want := withFIFO(t, vdir, name) + " is a named pipe, not a regular file"
			r := vmfaWithin(t, dir, "", env, "code", "aws")
			if oneLine := strings.Count(strings.TrimSpace(r.stderr), "\n") == 0 && strings.Contains(r.stderr, want); !oneLine ||
				(r.code != 1 && !(name == "steps.json" && r.code == 0 && codeLine.MatchString(r.stdout))) {
				t.Errorf("code: exit %d, stdout %q, stderr %q; want exit 1, one line with %q", r.code, r.stdout, r.stderr, want)
			}
		})
	}
	// The agent survived all that.
	expect(t, vmfaWithin(t, dir, "", env, "list"), 0, "Amazon Web Services", "")
}

// TestFIFOsInSettings: a named pipe at settings.json hung every code, as
// vmfa reads the clock correction there; one at settings.lock hung 'vmfa
// time --apply' and '--reset'. A settings.json that can't be read is
// reported in one line and codes use the system clock, as ever.
func TestFIFOsInSettings(t *testing.T) {
	parallel(t)
	dir := t.TempDir()
	env := []string{pw, configEnv(dir)}
	vaultOf(t, dir, awsURI)
	sdir := filepath.Dir(settingsPath(dir))
	if err := os.MkdirAll(sdir, 0o700); err != nil {
		t.Fatal(err)
	}

	want := withFIFO(t, sdir, "settings.json") + " is a named pipe, not a regular file"
	before := time.Now()
	r := vmfaWithin(t, dir, "", env, "code", "aws")
	if want1, want2 := oathCode(t, before), oathCode(t, time.Now()); r.code != 0 || (r.stdout != want1+"\n" && r.stdout != want2+"\n") ||
		strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 || !strings.Contains(r.stderr, want+"; codes use the system clock") {
		t.Errorf("code: exit %d, stdout %q, stderr %q; want oathtool's %s and one line with %q", r.code, r.stdout, r.stderr, want1, want)
	}
	oneLineError(t, vmfaWithin(t, dir, "", env, "time", "--reset"), want)
	os.Remove(filepath.Join(sdir, "settings.json"))

	want = withFIFO(t, sdir, "settings.lock") + " is a named pipe, not a regular file"
	oneLineError(t, vmfaWithin(t, dir, "", env, "time", "--reset"), want)
}
