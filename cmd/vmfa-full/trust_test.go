//go:build unix

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// anotherUser owns what the tests give away: a user who is not the one
// running them.
const anotherUser = 12345

// needRoot skips a test that gives files away, which only root can do.
func needRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("giving a directory to another user needs root")
	}
}

// plantCorrection writes settings.json with a clock correction of an hour,
// measured just now, in dir's settings directory (configEnv).
func plantCorrection(t *testing.T, dir string) {
	t.Helper()
	path := settingsPath(dir)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	body := fmt.Sprintf(`{"clock_correction": {"offset_seconds": 3600, "server": "planted", "measured_at": %q}}`, time.Now().UTC().Format(time.RFC3339))
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestUntrustedSettingsIgnored: a settings.json that another user could
// have written (its directory writable by others or theirs, or a directory
// that holds it so) was trusted, and its planted offset_seconds: 3600 moved
// every code an hour. It is ignored, with one line on stderr, and codes are
// oathtool's at the system clock; directly and through the agent.
func TestUntrustedSettingsIgnored(t *testing.T) {
	parallel(t)
	dir := t.TempDir()
	env := []string{pw, configEnv(dir)}
	vaultOf(t, dir, awsURI)
	plantCorrection(t, dir)
	sdir := filepath.Dir(settingsPath(dir))
	code := func(t *testing.T, env []string) result {
		t.Helper()
		var r result
		checkCodeAt(t, 0, "code", func() string {
			r = vmfa(t, dir, "", env, "code", "aws")
			return strings.TrimSpace(r.stdout)
		})
		return r
	}

	// Trusted, the correction applies: the test's settings are read.
	checkCodeAt(t, time.Hour, "code with the correction", func() string {
		return strings.TrimSpace(vmfa(t, dir, "", env, "code", "aws").stdout)
	})

	untrusted := []struct {
		name    string
		plant   func() (culprit string)
		undo    func()
		root    bool
		problem string
	}{
		{"settings directory writable by others", func() string { os.Chmod(sdir, 0o777); return sdir }, func() { os.Chmod(sdir, 0o700) }, false, "is writable by others"},
		{"settings file writable by others", func() string { os.Chmod(settingsPath(dir), 0o666); return settingsPath(dir) }, func() { os.Chmod(settingsPath(dir), 0o600) }, false, "is writable by others"},
		{"a parent writable by others", func() string { os.Chmod(filepath.Dir(sdir), 0o777); return filepath.Dir(sdir) }, func() { os.Chmod(filepath.Dir(sdir), 0o700) }, false, "is writable by others and not sticky"},
		{"settings directory of another user", func() string { os.Chown(sdir, anotherUser, anotherUser); return sdir }, func() { os.Chown(sdir, 0, 0) }, true, fmt.Sprintf("is owned by user %d", anotherUser)},
	}
	agent := agentEnv(t, dir)
	expect(t, vmfa(t, dir, "", with(agent, env...), "unlock"), 0, "", "Unlocked")
	for _, c := range untrusted {
		t.Run(c.name, func(t *testing.T) {
			if c.root {
				needRoot(t)
			}
			culprit := c.plant()
			defer c.undo()
			want := settingsPath(dir) + " is not trusted: " + culprit + " " + c.problem
			for _, via := range []struct {
				name string
				env  []string
			}{{"passphrase", env}, {"agent", with(agent, configEnv(dir))}} {
				r := code(t, via.env)
				if r.code != 0 || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 || !strings.Contains(r.stderr, want) || !strings.Contains(r.stderr, "codes use the system clock") {
					t.Errorf("through the %s: exit %d, stderr %q; want a code and one line with %q", via.name, r.code, r.stderr, want)
				}
			}
			// Nor is it written to: another user could swap what vmfa writes.
			r := vmfa(t, dir, "", env, "time", "--reset")
			if r.code != 1 || !strings.Contains(r.stderr, want) || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
				t.Errorf("time --reset: exit %d, stderr %q; want exit 1, one line with %q", r.code, r.stderr, want)
			}
		})
	}
}

// TestVaultUnderUntrustedParent: a vault directory held by a directory that
// others can write to (not sticky), or that is another user's, was used:
// another user could rename the vault away and let 'add' create a new one
// where it was. Every command refuses it in one line naming that directory
// and what to do; a sticky parent, as /tmp is, is fine.
func TestVaultUnderUntrustedParent(t *testing.T) {
	parallel(t)
	dir := t.TempDir()
	shared := filepath.Join(dir, "shared")
	vaultDir := filepath.Join(shared, "vault")
	if err := os.Mkdir(shared, 0o700); err != nil {
		t.Fatal(err)
	}
	env := []string{pw, "VMFA_DIR=" + vaultDir}
	expect(t, vmfa(t, dir, awsURI+"\n", env, "add", "--uri"), 0, "Added", "")

	os.Chmod(shared, 0o777)
	want := vaultDir + " can't be trusted: " + shared + " is writable by others and not sticky (mode drwxrwxrwx)"
	for _, args := range [][]string{{"list"}, {"code", "aws"}, {"add", "--uri"}, {"history"}, {"init"}} {
		r := vmfa(t, dir, githubURI+"\n", env, args...)
		oneLineError(t, r, want)
		if !strings.Contains(r.stderr, "chmod go-w '"+shared+"'") || !strings.Contains(r.stderr, "VMFA_DIR") {
			t.Errorf("vmfa %v: %q says nothing of what to do", args, r.stderr)
		}
	}
	// Moved away by someone else: no new vault is made in its place.
	os.Rename(vaultDir, vaultDir+".moved")
	oneLineError(t, vmfa(t, dir, githubURI+"\n", env, "add", "--uri"), shared+" is writable by others")
	if _, err := os.Stat(vaultDir); !os.IsNotExist(err) {
		t.Errorf("add made a vault under an untrusted parent: %v", err)
	}
	os.Rename(vaultDir+".moved", vaultDir)

	os.Chmod(shared, os.ModeSticky|0o777)
	expect(t, vmfa(t, dir, "", env, "list"), 0, "Amazon Web Services", "")

	t.Run("another user's", func(t *testing.T) {
		needRoot(t)
		os.Chmod(shared, 0o755)
		os.Chown(shared, anotherUser, anotherUser)
		defer os.Chown(shared, 0, 0)
		r := vmfa(t, dir, "", env, "list")
		oneLineError(t, r, fmt.Sprintf("%s is owned by user %d, neither you (0) nor root", shared, anotherUser))
		if !strings.Contains(r.stderr, "a directory of your own (--dir or VMFA_DIR)") {
			t.Errorf("%q says nothing of what to do", r.stderr)
		}
	})
}
