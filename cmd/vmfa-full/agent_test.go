package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/vmfa/vmfa/internal/testenv"
)

// The agent, end to end: real vmfa processes, a real agent started by
// 'vmfa unlock', a real socket in a runtime directory of the test's own.

// agentStatus is vmfa status --json.
type agentStatus struct {
	Locked    bool `json:"locked"`
	PID       int  `json:"agent_pid"`
	ExpiresIn int  `json:"expires_in_seconds"`
}

// agentEnv returns the environment of a test's vmfa processes with an
// agent: a runtime directory of the test's own (testenv.RuntimeDir).
func agentEnv(t *testing.T, dir string) []string {
	t.Helper()
	return []string{"XDG_RUNTIME_DIR=" + testenv.RuntimeDir(t, dir)}
}

func status(t *testing.T, dir string, env []string) agentStatus {
	t.Helper()
	r := vmfa(t, dir, "", env, "status", "--json")
	var st agentStatus
	if err := json.Unmarshal([]byte(r.stdout), &st); r.code != 0 || err != nil {
		t.Fatalf("status --json: exit %d, %q %q", r.code, r.stdout, r.stderr)
	}
	return st
}

func with(env []string, more ...string) []string {
	return append(append([]string(nil), env...), more...)
}

func TestAgentUnlockOnce(t *testing.T) {
	parallel(t)
	dir := t.TempDir()
	env := agentEnv(t, dir)
	vaultOf(t, dir, awsURI)
	if st := status(t, dir, env); !st.Locked || st.PID != 0 || st.ExpiresIn != 0 {
		t.Fatalf("before unlock: %+v", st)
	}
	r := vmfa(t, dir, "", with(env, pw), "unlock")
	expect(t, r, 0, "", "Unlocked (agent pid")
	noSecrets(t, r)
	st := status(t, dir, env)
	if st.Locked || st.PID == 0 || st.ExpiresIn < 890 || st.ExpiresIn > 900 {
		t.Fatalf("after unlock: %+v", st)
	}
	// The agent's command line and environment hold no secret.
	for _, f := range []string{"cmdline", "environ"} {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/%s", st.PID, f))
		if err == nil && strings.Contains(string(b), "correct horse") {
			t.Fatalf("the agent's %s holds the passphrase", f)
		}
	}

	// No passphrase and no terminal: the agent answers.
	before := time.Now()
	r = vmfa(t, dir, "", env, "code", "aws")
	cur, next := testenv.OathTOTP(t, awsSecret, before)
	if r.code != 0 || (strings.TrimSpace(r.stdout) != cur && strings.TrimSpace(r.stdout) != next) {
		t.Fatalf("code through the agent: %+v, oathtool %s", r, cur)
	}
	expect(t, vmfa(t, dir, "", env, "list"), 0, "Amazon Web Services", "")
	expect(t, vmfa(t, dir, githubURI+"\n", env, "add", "--uri"), 0, "Added GitHub:alice", "")
	expect(t, vmfa(t, dir, "", env, "history"), 0, "", "")

	// Turned off, the agent is not asked.
	for _, off := range [][]string{with(env, "VMFA_AGENT=off"), env} {
		args := []string{"code", "github"}
		if len(off) == len(env) {
			args = append([]string{"--no-agent"}, args...)
		}
		expect(t, vmfa(t, dir, "", off, args...), 1, "", "no terminal to ask on")
	}
	// unlock again: nothing asked.
	expect(t, vmfa(t, dir, "", env, "unlock"), 0, "", "Already unlocked")
	// passwd needs the old passphrase even so.
	expect(t, vmfa(t, dir, "", env, "passwd"), 1, "", "no terminal to ask on")

	expect(t, vmfa(t, dir, "", env, "lock"), 0, "", "Locked.")
	r = vmfa(t, dir, "", env, "code", "aws")
	expect(t, r, 1, "", "no terminal to ask on")
	if n := strings.Count(strings.TrimSpace(r.stderr), "\n"); n != 0 {
		t.Fatalf("after lock, %d lines: %q", n+1, r.stderr)
	}
	if st2 := status(t, dir, env); !st2.Locked || st2.PID != st.PID || st2.ExpiresIn != 0 {
		t.Fatalf("after lock: %+v", st2)
	}
	expect(t, vmfa(t, dir, "", env, "status"), 0, fmt.Sprintf("locked (agent pid %d)", st.PID), "")
}

func TestAgentTimeout(t *testing.T) {
	parallel(t)
	dir := t.TempDir()
	env := agentEnv(t, dir)
	vaultOf(t, dir, awsURI)
	expect(t, vmfa(t, dir, "", with(env, pw), "unlock", "--timeout", "1s"), 0, "", "locks after 1s")
	time.Sleep(2200 * time.Millisecond)
	if st := status(t, dir, env); !st.Locked {
		t.Fatalf("1 s timeout, 2.2 s later: %+v", st)
	}
	expect(t, vmfa(t, dir, "", with(env, pw), "unlock", "--timeout", "-1s"), 2, "", "positive duration")
	expect(t, vmfa(t, dir, "", with(env, pw), "unlock", "--timeout", "0"), 0, "", "until 'vmfa lock'")
	if st := status(t, dir, env); st.Locked || st.ExpiresIn != -1 {
		t.Fatalf("--timeout 0: %+v", st)
	}
	// A new timeout on an unlocked agent takes the key again; no timeout
	// given asks nothing.
	expect(t, vmfa(t, dir, "", with(env, pw), "unlock", "--timeout", "5m"), 0, "", "Unlocked")
	if st := status(t, dir, env); st.Locked || st.ExpiresIn < 295 || st.ExpiresIn > 300 {
		t.Fatalf("--timeout 5m on an unlocked agent: %+v", st)
	}
	expect(t, vmfa(t, dir, "", env, "unlock"), 0, "", "Already unlocked")
}

// TestAgentKilled: an agent killed with SIGKILL leaves its socket; the next
// unlock starts a new one all the same.
func TestAgentKilled(t *testing.T) {
	parallel(t)
	dir := t.TempDir()
	env := agentEnv(t, dir)
	vaultOf(t, dir, awsURI)
	expect(t, vmfa(t, dir, "", with(env, pw), "unlock"), 0, "", "Unlocked")
	st := status(t, dir, env)
	if err := syscall.Kill(st.PID, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	for i := 0; syscall.Kill(st.PID, 0) == nil && i < 100; i++ {
		time.Sleep(20 * time.Millisecond) // reaped by init, the agent being setsid's
	}
	socks, _ := filepath.Glob(filepath.Join(env[0][len("XDG_RUNTIME_DIR="):], "vmfa", "*.sock"))
	if len(socks) != 1 {
		t.Fatalf("the killed agent's socket: %v", socks)
	}
	if st := status(t, dir, env); !st.Locked || st.PID != 0 {
		t.Fatalf("after kill -9: %+v", st)
	}
	expect(t, vmfa(t, dir, "", env, "code", "aws"), 1, "", "no terminal to ask on")
	expect(t, vmfa(t, dir, "", with(env, pw), "unlock"), 0, "", "Unlocked")
	st2 := status(t, dir, env)
	if st2.Locked || st2.PID == st.PID || st2.PID == 0 {
		t.Fatalf("after a new unlock: %+v", st2)
	}
	expect(t, vmfa(t, dir, "", env, "code", "aws"), 0, "", "")
}

// TestAgentTmpDirOfAnotherUser: with no XDG_RUNTIME_DIR, another user's
// vmfa-UID in the temporary directory (mkdir -m 777 first, which the victim
// can't undo in a sticky /tmp) does not stop the agent: unlock, status and
// the front end's code all find it in the user's state directory.
func TestAgentTmpDirOfAnotherUser(t *testing.T) {
	parallel(t)
	if os.Getuid() != 0 {
		testenv.Skip(t, "making a directory of another user's needs root")
	}
	dir := t.TempDir()
	tmp, state := testenv.AgentRuntimeDir(t), testenv.AgentRuntimeDir(t) // short paths of the test's own
	squat := filepath.Join(tmp, fmt.Sprintf("vmfa-%d", os.Getuid()))
	if err := os.Mkdir(squat, 0o777); err != nil {
		t.Fatal(err)
	}
	os.Chmod(squat, 0o777)
	if err := os.Chown(squat, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	env := []string{"XDG_RUNTIME_DIR=", "TMPDIR=" + tmp, "XDG_STATE_HOME=" + state}
	t.Cleanup(func() {
		var st agentStatus
		if json.Unmarshal([]byte(vmfa(t, dir, "", env, "status", "--json").stdout), &st) == nil && st.PID > 0 {
			syscall.Kill(st.PID, syscall.SIGTERM)
		}
	})
	vaultOf(t, dir, awsURI)
	expect(t, vmfa(t, dir, "", with(env, pw), "unlock"), 0, "", "Unlocked (agent pid")
	if st := status(t, dir, env); st.Locked || st.PID == 0 {
		t.Fatalf("status after unlock: %+v", st)
	}
	socks, _ := filepath.Glob(filepath.Join(state, "vmfa", "agent", "*.sock"))
	if len(socks) != 1 {
		t.Fatalf("sockets in the state directory: %v", socks)
	}
	checkCodeAt(t, 0, "the front end's code through the agent", func() string {
		r := runBin(t, loneFront(t), dir, "", env, "code", "aws")
		if r.code != 0 || r.stderr != "" {
			t.Fatalf("code aws from the front end alone: %+v", r)
		}
		return strings.TrimSuffix(r.stdout, "\n")
	})
}

// TestAgentAndPassphraseWriters: writers through the agent and writers with
// the passphrase, at once, lose nothing; what one writes the other reads.
func TestAgentAndPassphraseWriters(t *testing.T) {
	parallel(t)
	dir := t.TempDir()
	env := agentEnv(t, dir)
	vaultOf(t, dir, awsURI)
	expect(t, vmfa(t, dir, "", with(env, pw), "unlock"), 0, "", "Unlocked")
	// Changed on disk by another process while the agent runs.
	expect(t, vmfa(t, dir, githubURI+"\n", with(env, pw, "VMFA_AGENT=off"), "add", "--uri"), 0, "Added", "")
	expect(t, vmfa(t, dir, "", env, "code", "github"), 0, "", "")

	var wg sync.WaitGroup
	const each = 3
	for i := range 2 * each {
		wg.Add(1)
		go func() {
			defer wg.Done()
			uri := fmt.Sprintf("otpauth://totp/W:user%d?secret=%s&issuer=W", i, strings.Repeat("ABCDEFGH", 2)+fmt.Sprintf("%c%c", 'A'+i, 'Q'))
			e := env
			if i%2 == 0 {
				e = with(env, pw, "VMFA_AGENT=off")
			}
			if r := vmfa(t, dir, uri+"\n", e, "add", "--uri"); r.code != 0 {
				t.Errorf("writer %d: %+v", i, r)
			}
		}()
	}
	wg.Wait()
	r := vmfa(t, dir, "", env, "list")
	for i := range 2 * each {
		if !strings.Contains(r.stdout, fmt.Sprintf("user%d", i)) {
			t.Fatalf("user%d lost:\n%s", i, r.stdout)
		}
	}
}

// TestFreshCodes: --fresh never prints a code handed out already, by any
// command; a second one in a window waits for the next window.
func TestFreshCodes(t *testing.T) {
	parallelWaiting(t)
	dir := t.TempDir()
	env := agentEnv(t, dir)
	const secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
	uri := "otpauth://totp/Fast:alice?secret=" + secret + "&issuer=Fast&period=5"
	expect(t, vmfa(t, dir, uri+"\n", with(env, pw), "add", "--uri"), 0, "Added", "")
	expect(t, vmfa(t, dir, "", with(env, pw), "unlock"), 0, "", "Unlocked")
	step := func(at time.Time) int64 { return at.Unix() / 5 }
	for attempt := 0; ; attempt++ {
		t0 := time.Now()
		first := vmfa(t, dir, "", env, "code", "fast")
		t1 := time.Now()
		if step(t0) != step(t1) || t1.Sub(t0) > 2*time.Second {
			if attempt == 3 {
				t.Fatal("no 5 s window to test in")
			}
			time.Sleep(time.Until(time.Unix((step(t1)+1)*5, 0)))
			continue
		}
		fresh := vmfa(t, dir, "", env, "code", "--fresh", "fast")
		t2 := time.Now()
		want, _ := testenv.OathTOTP(t, secret, time.Unix((step(t0)+1)*5, 0), "--time-step-size=5s")
		if fresh.code != 0 || strings.TrimSpace(fresh.stdout) != want || strings.TrimSpace(fresh.stdout) == strings.TrimSpace(first.stdout) {
			t.Fatalf("fresh after %q: %+v, want %s (the next window's)", first.stdout, fresh, want)
		}
		if step(t2) != step(t0)+1 {
			t.Fatalf("the fresh code came at %v, not in the next window", t2)
		}
		if strings.Contains(fresh.stderr, "fresh one in") {
			t.Fatalf("a countdown on a stderr that is not a terminal: %q", fresh.stderr)
		}
		break
	}
	// Without the agent, the record is the same.
	r := vmfa(t, dir, "", with(env, pw, "VMFA_AGENT=off"), "code", "--fresh", "fast")
	if r.code != 0 {
		t.Fatalf("fresh with the passphrase: %+v", r)
	}
	b, err := os.ReadFile(filepath.Join(dir, "vault", "steps.json"))
	if err != nil || strings.Contains(string(b), secret) || !strings.Contains(string(b), `"step"`) {
		t.Fatalf("steps.json: %s %v", b, err)
	}
	expect(t, vmfa(t, dir, "", env, "code", "--fresh", "--at", "1700000000", "fast"), 2, "", "does not go with --at")
	testenv.Tool(t, "oathtool")
}

// TestEnrollRecordsHandouts: enroll hands out two codes, both recorded.
func TestEnrollRecordsHandouts(t *testing.T) {
	parallel(t)
	dir := t.TempDir()
	img := testenv.WriteQR(t, filepath.Join(dir, "aws.png"), awsURI, 400)
	expect(t, vmfa(t, dir, "", []string{pw, "VMFA_AGENT=off"}, "enroll", "--json", img), 0, "code2", "")
	b, err := os.ReadFile(filepath.Join(dir, "vault", "steps.json"))
	var steps struct {
		Handouts []struct{ Step int64 } `json:"handouts"`
	}
	if err != nil || json.Unmarshal(b, &steps) != nil || len(steps.Handouts) != 2 || steps.Handouts[1].Step != steps.Handouts[0].Step+1 {
		t.Fatalf("steps.json after enroll: %s %v", b, err)
	}
}

// TestInterfaceOpensThroughAgent starts the interface on a pseudo-terminal
// with an unlocked agent and no passphrase: the list comes up with no unlock
// screen. It logs how long the first frame showing the accounts took from
// the start of the process, read off the terminal's output as it comes
// (the harness answers the interface's terminal queries at once, as a
// terminal does), and the same for the unlock screen without the agent.
func TestInterfaceOpensThroughAgent(t *testing.T) {
	// Not parallel: it checks times vmfa takes or measures, which the other
	// tests' load would skew.
	dir := t.TempDir()
	env := agentEnv(t, dir)
	vaultOf(t, dir, awsURI)
	expect(t, vmfa(t, dir, "", with(env, pw), "unlock"), 0, "", "Unlocked")
	withAgent := firstFrame(t, dir, env, "alice@123456789012")
	without := firstFrame(t, dir, with(env, "VMFA_AGENT=off"), "Passphrase")
	t.Logf("first frame: the list through the agent %v, the unlock screen without it %v",
		withAgent.Round(time.Millisecond), without.Round(time.Millisecond))
	if withAgent > 3*time.Second {
		t.Fatalf("the first frame took %v", withAgent)
	}
}

// firstFrame runs the interface on a pseudo-terminal until want shows, and
// returns how long that took from the start; the unlock screen's
// "Passphrase" showing first is a failure unless it is what is wanted.
func firstFrame(t *testing.T, dir string, env []string, want string) time.Duration {
	t.Helper()
	cmd := testenv.Command(t, vmfaBin, dir, with([]string{"TERM=xterm-256color"}, env...))
	start := time.Now()
	term := testenv.StartTerminal(t, cmd, false)
	defer func() {
		cmd.Process.Kill()
		cmd.Wait()
	}()
	for deadline := start.Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		ended := term.Ended()
		screen := term.String()
		if strings.Contains(screen, want) {
			return time.Since(start)
		}
		if want != "Passphrase" && strings.Contains(screen, "Passphrase") {
			t.Fatalf("the unlock screen, with an unlocked agent:\n%q", screen)
		}
		if ended {
			t.Fatalf("%q never showed: the interface ended: %q", want, screen)
		}
		if time.Now().After(deadline) {
			t.Fatalf("%q never showed: %q", want, screen)
		}
	}
}

// TestAgentUnlockWithIdentity: a key file unlocks for the agent as the
// passphrase does, and recipients add still works with the agent unlocked.
func TestAgentUnlockWithIdentity(t *testing.T) {
	parallel(t)
	dir := t.TempDir()
	env := agentEnv(t, dir)
	vaultOf(t, dir, awsURI)
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	key := filepath.Join(dir, "key.txt")
	if err := os.WriteFile(key, []byte(id.String()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	expect(t, vmfa(t, dir, "", with(env, pw), "recipients", "add", "laptop", id.Recipient().String()), 0, "", "")
	expect(t, vmfa(t, dir, "", env, "unlock", "--identity", key), 0, "", "Unlocked")
	expect(t, vmfa(t, dir, "", env, "code", "aws"), 0, "", "")
	// The interface opens with the key too, without the unlock screen.
	expect(t, vmfa(t, dir, "", env, "lock"), 0, "", "Locked.")
	firstFrame(t, dir, with(env, "VMFA_IDENTITY="+key), "alice@123456789012")
	other, _ := age.GenerateX25519Identity()
	expect(t, vmfa(t, dir, "", with(env, pw), "recipients", "add", "backup", other.Recipient().String()), 0, "", "")
	expect(t, vmfa(t, dir, "", env, "recipients", "add", "backup2", other.Recipient().String()), 1, "", "no terminal to ask on")
}

// TestPromptStartsAgent: a passphrase typed at a command's prompt goes to
// the agent, so the next command asks nothing (as rbw does). A fresh code
// that must wait counts down on the terminal.
func TestPromptStartsAgent(t *testing.T) {
	parallelWaiting(t)
	dir := t.TempDir()
	env := agentEnv(t, dir)
	uri := "otpauth://totp/Fast:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Fast&period=5"
	expect(t, vmfa(t, dir, uri+"\n", with(env, pw), "add", "--uri"), 0, "Added", "")
	term := onTerminal(t, dir, env, true, nil, "code", "fast")
	term.Expect("Passphrase for ")
	term.Type("correct horse\r")
	if code, screen := term.Wait(); code != 0 {
		t.Fatalf("code on a terminal: exit %d, %q", code, screen)
	}
	if st := status(t, dir, env); st.Locked || st.PID == 0 {
		t.Fatalf("after a prompt: %+v", st)
	}
	// The window's code was handed out: --fresh waits, counting down
	// (unless the window rolled over between the two commands: again).
	for attempt := 1; ; attempt++ {
		expect(t, vmfa(t, dir, "", env, "code", "fast"), 0, "", "")
		term = onTerminal(t, dir, env, true, nil, "code", "--fresh", "fast")
		code, screen := term.Wait()
		if code != 0 || strings.Contains(screen, "Passphrase") || len(strings.TrimSpace(term.Stdout())) != 6 {
			t.Fatalf("--fresh on a terminal: exit %d, %q, stdout %q", code, screen, term.Stdout())
		}
		if strings.Contains(screen, "a fresh one in") {
			break
		}
		if attempt == 3 {
			t.Fatalf("no countdown on the terminal: %q", screen)
		}
	}
}

// TestAgentOfVaultCreatedAgain: the vault is moved away and created again
// (another key, another passphrase) while the agent holds the old vault's
// key. The key that does not open the new vault is not taken for a damaged
// vault.age: vmfa says so in one line, locks the agent and goes on with
// the passphrase; 'vmfa unlock' then hands the agent the new key. 'vmfa
// unlock' with such an agent does not say "already unlocked" either.
func TestAgentOfVaultCreatedAgain(t *testing.T) {
	parallel(t)
	dir := t.TempDir()
	env := agentEnv(t, dir)
	const pw2 = "VMFA_PASSPHRASE=battery staple"
	vaultOf(t, dir, awsURI)
	expect(t, vmfa(t, dir, "", with(env, pw), "unlock"), 0, "", "Unlocked")
	st := status(t, dir, env)
	// The new vault is made beside the old one, then put in its place: the
	// agent, which ends when its directory is gone for a second, keeps
	// running, as after 'mv vault vault.old; vmfa add' done quickly.
	vdir, old, fresh := filepath.Join(dir, "vault"), filepath.Join(dir, "vault.old"), filepath.Join(dir, "vault.new")
	expect(t, vmfa(t, dir, awsURI+"\n", with(env, pw2, "VMFA_DIR="+fresh, "VMFA_AGENT=off"), "add", "--uri"), 0, "Added", "")
	swap := func(away, in string) {
		t.Helper()
		if err := os.Rename(vdir, away); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(in, vdir); err != nil {
			t.Fatal(err)
		}
		if st2 := status(t, dir, env); st2.Locked || st2.PID != st.PID {
			t.Fatalf("the agent after the vault was replaced: %+v, before %+v", st2, st)
		}
	}
	swap(old, fresh)

	// The front end asks the agent, which leaves it to vmfa-full.
	before := time.Now()
	r := vmfa(t, dir, "", with(env, pw2), "code", "aws")
	cur, next := testenv.OathTOTP(t, awsSecret, before)
	if got := strings.TrimSpace(r.stdout); r.code != 0 || (got != cur && got != next) {
		t.Fatalf("code with the new passphrase: %+v, oathtool %s", r, cur)
	}
	const warning = "vmfa: warning: the key the agent holds does not open this vault (created again since 'vmfa unlock'?): the agent is locked\n"
	if r.stderr != warning {
		t.Fatalf("stderr %q, want %q", r.stderr, warning)
	}
	if st2 := status(t, dir, env); !st2.Locked || st2.PID != st.PID {
		t.Fatalf("after the warning: %+v", st2)
	}
	// Locked, it is asked no more: no warning again.
	expect(t, vmfa(t, dir, "", with(env, pw2), "list"), 0, "Amazon Web Services", "")
	if r := vmfa(t, dir, "", with(env, pw2), "list"); r.stderr != "" {
		t.Fatalf("a locked agent still warned of: %q", r.stderr)
	}
	expect(t, vmfa(t, dir, "", with(env, pw2), "unlock"), 0, "", "Unlocked")
	expect(t, vmfa(t, dir, "", env, "code", "aws"), 0, "", "")
	expect(t, vmfa(t, dir, "", env, "list"), 0, "Amazon Web Services", "")

	// The other way round, with 'vmfa unlock' as the first command: the
	// old vault is back, the agent holds the new one's key.
	swap(fresh, old)
	r = vmfa(t, dir, "", with(env, pw), "unlock")
	expect(t, r, 0, "", "Unlocked (agent pid")
	if !strings.HasPrefix(r.stderr, warning) || strings.Contains(r.stderr, "Already") {
		t.Fatalf("unlock with the agent of another vault: %q", r.stderr)
	}
	r = vmfa(t, dir, "", env, "code", "aws")
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("code after unlocking the vault that is back: %+v", r)
	}
	if st2 := status(t, dir, env); st2.Locked || st2.PID != st.PID {
		t.Fatalf("after unlock: %+v", st2)
	}
	testenv.Tool(t, "oathtool")
}

// TestAgentDamagedHeader: a vault.age whose header is damaged is said to be
// damaged, with the way back, in the same words whether the key is the
// agent's or the passphrase's: not as a key that is not available.
func TestAgentDamagedHeader(t *testing.T) {
	parallel(t)
	dir := t.TempDir()
	env := agentEnv(t, dir)
	vaultOf(t, dir, awsURI)
	expect(t, vmfa(t, dir, githubURI+"\n", with(env, pw), "add", "--uri"), 0, "Added", "")
	expect(t, vmfa(t, dir, "", with(env, pw), "unlock"), 0, "", "Unlocked")
	path := filepath.Join(dir, "vault", "vault.age")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// The X25519 stanza's share (its argument) made invalid base64: a
	// header that parses, with a stanza no key can unwrap.
	i := bytes.Index(b, []byte("\n-> X25519 "))
	if i < 0 {
		t.Fatalf("no X25519 stanza in %q", b[:min(len(b), 200)])
	}
	b[i+len("\n-> X25519 ")] = '!'
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	passphrase := vmfa(t, dir, "", with(env, pw, "VMFA_AGENT=off"), "list")
	expect(t, passphrase, 1, "", "vault.age is damaged (its header is not a valid age header)")
	if !strings.Contains(passphrase.stderr, "'vmfa restore ID'") || strings.Count(passphrase.stderr, "\n") != 1 {
		t.Fatalf("with the passphrase: %q", passphrase.stderr)
	}
	// history lists the damaged version as such, with the others.
	for _, args := range [][]string{{"list"}, {"code", "aws"}, {"history"}} {
		want := vmfa(t, dir, "", with(env, pw, "VMFA_AGENT=off"), args...)
		if r := vmfa(t, dir, "", env, args...); r != want {
			t.Fatalf("%v through the agent: %+v; with the passphrase %+v", args, r, want)
		}
	}
	if st := status(t, dir, env); st.Locked {
		t.Fatalf("a damaged vault.age locked the agent: %+v", st)
	}
}
