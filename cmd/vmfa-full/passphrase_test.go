package main

import (
	"bufio"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vmfa/vmfa/internal/testenv"
)

// TestNewPassphraseAsksAgain: a mistyped "Repeat it" asks again, on a real
// terminal, rather than giving up.
func TestNewPassphraseAsksAgain(t *testing.T) {
	parallel(t)
	dir := t.TempDir()
	term := onTerminal(t, dir, nil, false, nil, "init", "--work-factor", "10")
	term.Expect("New passphrase: ")
	term.Type("correct horse\r")
	term.Expect("Repeat it: ")
	term.Type("correct hrose\r")
	term.Expect("differ")
	term.Expect("New passphrase: ")
	term.Type("correct horse\r")
	term.Expect("Repeat it: ")
	term.Type("correct horse\r")
	if code, screen := term.Wait(); code != 0 || !strings.Contains(screen, "Created a vault") {
		t.Fatalf("exit %d, terminal %q", code, screen)
	}
	expect(t, vmfa(t, dir, "", []string{pw}, "list"), 0, "", "The vault is empty")
}

// TestWeakPassphrase: the strength rule the interface shows, applied by the
// CLI too: on a terminal a weak passphrase needs a yes, from the environment
// it gets a warning.
func TestWeakPassphrase(t *testing.T) {
	parallel(t)
	dir := t.TempDir()
	term := onTerminal(t, dir, nil, false, nil, "init", "--work-factor", "10")
	term.Expect("New passphrase: ")
	term.Type("abc\r")
	term.Expect("weak")
	term.Expect("[y/N] ")
	term.Type("\r") // no: choose another
	term.Expect("New passphrase: ")
	term.Type("correct horse\r")
	term.Expect("Repeat it: ")
	term.Type("correct horse\r")
	if code, screen := term.Wait(); code != 0 {
		t.Fatalf("exit %d, terminal %q", code, screen)
	}
	expect(t, vmfa(t, dir, "", []string{pw}, "list"), 0, "", "")

	// A yes keeps it.
	dir = t.TempDir()
	term = onTerminal(t, dir, nil, false, nil, "init", "--work-factor", "10")
	term.Expect("New passphrase: ")
	term.Type("abc\r")
	term.Expect("[y/N] ")
	term.Type("y\r")
	term.Expect("Repeat it: ")
	term.Type("abc\r")
	if code, screen := term.Wait(); code != 0 {
		t.Fatalf("exit %d, terminal %q", code, screen)
	}
	expect(t, vmfa(t, dir, "", []string{"VMFA_PASSPHRASE=abc"}, "list"), 0, "", "")

	// From the environment: a warning, and the vault is made.
	expect(t, vmfa(t, t.TempDir(), githubURI, []string{"VMFA_PASSPHRASE=abc"}, "add", "--uri"), 0, "Added GitHub:alice", "weak")
	dir = t.TempDir()
	expect(t, vmfa(t, dir, "", []string{pw}, "init", "--work-factor", "10"), 0, "", "")
	if r := vmfa(t, dir, "", []string{pw}, "init", "--work-factor", "10"); strings.Contains(r.stderr, "weak") {
		t.Errorf("a good passphrase was called weak: %q", r.stderr)
	}
	expect(t, vmfa(t, dir, "", []string{pw, "VMFA_NEW_PASSPHRASE=abc"}, "passwd"), 0, "", "weak")
}

// workFactor reads the scrypt work factor from identity.age's header.
func workFactor(t *testing.T, dir string) string {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "vault", "identity.age"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if fields := strings.Fields(sc.Text()); len(fields) == 4 && fields[0] == "->" && fields[1] == "scrypt" {
			return fields[3]
		}
	}
	t.Fatal("identity.age has no scrypt stanza")
	return ""
}

// TestInitWorkFactorFromEnv: vmfa init takes VMFA_WORK_FACTOR as vmfa add
// does, unless --work-factor is given, and refuses a bad one in one line.
func TestInitWorkFactorFromEnv(t *testing.T) {
	parallel(t)
	for _, c := range []struct {
		env  string
		args []string
		want string
	}{
		{"VMFA_WORK_FACTOR=11", nil, "11"},
		{"VMFA_WORK_FACTOR=11", []string{"--work-factor", "12"}, "12"},
	} {
		dir := t.TempDir()
		expect(t, vmfa(t, dir, "", []string{pw, c.env}, append([]string{"init"}, c.args...)...), 0, "", "Created")
		if wf := workFactor(t, dir); wf != c.want {
			t.Errorf("init %v with %s wrote work factor %s, want %s", c.args, c.env, wf, c.want)
		}
	}
	dir := t.TempDir()
	r := vmfa(t, dir, "", []string{pw, "VMFA_WORK_FACTOR=40"}, "init")
	if r.code != 1 || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, `VMFA_WORK_FACTOR="40"`) {
		t.Fatalf("init with VMFA_WORK_FACTOR=40: exit %d, stderr %q", r.code, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "vault")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("init with a bad VMFA_WORK_FACTOR left a vault directory: %v", err)
	}
}

// TestPasswdKeepsWorkFactor: changing the passphrase keeps the vault's scrypt
// cost unless --work-factor says otherwise.
func TestPasswdKeepsWorkFactor(t *testing.T) {
	parallel(t)
	dir := t.TempDir()
	expect(t, vmfa(t, dir, "", []string{pw}, "init", "--work-factor", "11"), 0, "", "Created")
	if wf := workFactor(t, dir); wf != "11" {
		t.Fatalf("init --work-factor 11 wrote %s", wf)
	}
	expect(t, vmfa(t, dir, "", []string{pw, "VMFA_NEW_PASSPHRASE=battery staple"}, "passwd"), 0, "", "Passphrase changed")
	if wf := workFactor(t, dir); wf != "11" {
		t.Errorf("passwd changed the work factor from 11 to %s", wf)
	}
	expect(t, vmfa(t, dir, "", []string{"VMFA_PASSPHRASE=battery staple", "VMFA_NEW_PASSPHRASE=correct horse"}, "passwd", "--work-factor", "10"), 0, "", "Passphrase changed")
	if wf := workFactor(t, dir); wf != "10" {
		t.Errorf("passwd --work-factor 10 wrote %s", wf)
	}
	expect(t, vmfa(t, dir, "", []string{pw}, "passwd", "--work-factor", "23"), 2, "", "--work-factor 23")
}

// TestPassphraseFileModeWarning: a passphrase file others can read is worth
// a warning, as ssh gives for a private key.
func TestPassphraseFileModeWarning(t *testing.T) {
	parallel(t)
	dir := t.TempDir()
	expect(t, vmfa(t, dir, "", []string{pw}, "init", "--work-factor", "10"), 0, "", "")
	file := filepath.Join(dir, "pass")
	if err := os.WriteFile(file, []byte("correct horse\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if r := vmfa(t, dir, "", []string{"VMFA_PASSPHRASE_FILE=" + file}, "list"); r.code != 0 || strings.Contains(r.stderr, "readable") {
		t.Errorf("a 0600 file: %+v", r)
	}
	for _, mode := range []os.FileMode{0o640, 0o604} {
		os.Chmod(file, mode)
		r := vmfa(t, dir, "", []string{"VMFA_PASSPHRASE_FILE=" + file}, "list")
		expect(t, r, 0, "", file+" is readable by others")
		if !strings.Contains(r.stderr, "chmod 600") {
			t.Errorf("mode %v: the warning does not say how to fix it: %q", mode, r.stderr)
		}
	}
}

// TestPassphraseNotInherited: the passphrase variables are read once and
// never reach a child: not the passphrase command, not the clipboard tool
// (xclip lives on as the clipboard's owner).
func TestPassphraseNotInherited(t *testing.T) {
	parallel(t)
	dir := t.TempDir()
	expect(t, vmfa(t, dir, "", []string{pw}, "init", "--work-factor", "10"), 0, "", "")
	dump := filepath.Join(dir, "env")
	secretEnv := []string{"VMFA_PASSPHRASE=correct horse", "VMFA_PASSPHRASE_FILE=/nonexistent", "VMFA_NEW_PASSPHRASE=battery staple"}
	checkDump := func(who string) {
		t.Helper()
		b, err := os.ReadFile(dump)
		if err != nil {
			t.Fatalf("%s did not run: %v", who, err)
		}
		for _, kv := range strings.Split(string(b), "\x00") {
			if strings.HasPrefix(kv, "VMFA_PASSPHRASE") || strings.HasPrefix(kv, "VMFA_NEW_PASSPHRASE") {
				t.Errorf("%s inherited %s", who, strings.SplitN(kv, "=", 2)[0])
			}
		}
		os.Remove(dump)
	}

	command := "cat /proc/$$/environ > " + dump + "; printf 'correct horse'"
	expect(t, vmfa(t, dir, "", append([]string{"VMFA_PASSPHRASE_COMMAND=" + command}, secretEnv...), "list"), 0, "", "")
	checkDump("VMFA_PASSPHRASE_COMMAND")

	// A clipboard tool of our own, first on PATH.
	display := testenv.Xvfb(t)
	bin := filepath.Join(dir, "bin")
	os.Mkdir(bin, 0o700)
	script := "#!/bin/sh\ncat /proc/$$/environ > " + dump + "\nexit 1\n"
	testenv.WriteExecutable(t, filepath.Join(bin, "xclip"), []byte(script), 0o700)
	r := vmfa(t, dir, "", append([]string{"PATH=" + bin + ":" + os.Getenv("PATH"), "DISPLAY=" + display}, secretEnv...), "add", "--paste")
	if r.code == 0 {
		t.Fatalf("add --paste with a failing xclip: %+v", r)
	}
	checkDump("the clipboard tool")
}

// TestLockedNoTerminalSaysUnlock: a command that needs the vault, run with
// no terminal (credential_process, mfa_process, cron) and no unlocked
// agent, names 'vmfa unlock', which is the answer there, beside the
// passphrase variables, in one line. Where the agent is no answer (turned
// off, or 'vmfa unlock' itself), it does not.
func TestLockedNoTerminalSaysUnlock(t *testing.T) {
	parallel(t)
	dir := t.TempDir()
	env := agentEnv(t, dir)
	vaultOf(t, dir, awsURI)
	const unlockHint = "run 'vmfa unlock' in a terminal first"
	locked := func(what string, env []string, args ...string) string {
		t.Helper()
		r := vmfa(t, dir, "", env, args...)
		expect(t, r, 1, "", "no terminal to ask on")
		if !strings.Contains(r.stderr, "VMFA_PASSPHRASE_COMMAND, VMFA_PASSPHRASE_FILE or VMFA_PASSPHRASE") || strings.Count(r.stderr, "\n") != 1 {
			t.Fatalf("%s: %q", what, r.stderr)
		}
		return r.stderr
	}
	for _, args := range [][]string{{"code", "aws"}, {"list"}} {
		if msg := locked("no agent", env, args...); !strings.Contains(msg, unlockHint) {
			t.Fatalf("%v with no agent running: %q", args, msg)
		}
	}
	expect(t, vmfa(t, dir, "", with(env, pw), "unlock"), 0, "", "Unlocked")
	expect(t, vmfa(t, dir, "", env, "lock"), 0, "", "Locked")
	if msg := locked("a locked agent", env, "code", "aws"); !strings.Contains(msg, unlockHint) {
		t.Fatalf("code with the agent locked: %q", msg)
	}
	for what, msg := range map[string]string{
		"VMFA_AGENT=off": locked("off", with(env, "VMFA_AGENT=off"), "code", "aws"),
		"--no-agent":     locked("--no-agent", env, "--no-agent", "code", "aws"),
		"vmfa unlock":    locked("unlock", env, "unlock"),
	} {
		if strings.Contains(msg, "vmfa unlock") {
			t.Errorf("%s: %q", what, msg)
		}
	}
}
