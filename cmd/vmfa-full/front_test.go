package main

import (
	"bytes"
	"encoding/base32"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vmfa/vmfa/internal/testenv"
	"github.com/vmfa/vmfa/internal/timesync/ntptest"
)

// Every test here runs vmfa, the front end (cmd/vmfa), which hands the
// command line to vmfa-full beside it. These check what the front end does
// itself: 'vmfa code' answered from an unlocked agent, with no vmfa-full to
// hand to.

// loneFront returns a copy of the front end in a directory of its own,
// with no vmfa-full beside it nor in $PATH: what it prints, it answered
// itself.
func loneFront(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(vmfaBin)
	if err != nil {
		t.Fatal(err)
	}
	return testenv.WriteExecutable(t, filepath.Join(t.TempDir(), "vmfa"), b, 0o755)
}

type codeJSON struct {
	Issuer    string `json:"issuer"`
	Name      string `json:"name"`
	Code      string `json:"code"`
	Next      string `json:"next"`
	Remaining int    `json:"remaining_seconds"`
	Period    int    `json:"period"`
}

func TestFrontEndCodeFromAgent(t *testing.T) {
	parallel(t)
	dir := t.TempDir()
	env := agentEnv(t, dir)
	hotp := "otpauth://hotp/Counter:bob?secret=KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU&counter=5"
	expect(t, vmfa(t, dir, awsURI+"\n"+githubURI+"\n"+hotp+"\n", with(env, pw), "add", "--uri"), 0, "Added", "")
	front := loneFront(t)
	noFull := "can't find vmfa-full"

	// Locked: the front end hands over, here to no one.
	r := runBin(t, front, dir, "", env, "code", "aws")
	expect(t, r, 1, "", noFull)
	if strings.Count(r.stderr, "\n") != 1 {
		t.Fatalf("not one line: %q", r.stderr)
	}

	expect(t, vmfa(t, dir, "", with(env, pw), "unlock"), 0, "", "Unlocked")
	checkCodeAt(t, 0, "code from the agent", func() string {
		r := runBin(t, front, dir, "", env, "code", "aws")
		if r.code != 0 || r.stderr != "" {
			t.Fatalf("code aws: %+v", r)
		}
		return strings.TrimSuffix(r.stdout, "\n")
	})
	// --next and --json, as vmfa-full prints them: the same bytes but for
	// the seconds left, which the clock moves.
	secs := regexp.MustCompile(`"remaining_seconds": \d+`)
	for _, args := range [][]string{{"code", "--next", "aws"}, {"--dir", filepath.Join(dir, "vault"), "code", "aws", "--json"}} {
		var fast, full result
		for range 3 { // both in one window
			fast = runBin(t, front, dir, "", env, args...)
			full = vmfa(t, dir, "", with(env, pw, "VMFA_AGENT=off"), args...)
			if secs.ReplaceAllString(fast.stdout, "") == secs.ReplaceAllString(full.stdout, "") {
				break
			}
		}
		if fast.code != 0 || fast.stderr != "" || secs.ReplaceAllString(fast.stdout, "") != secs.ReplaceAllString(full.stdout, "") {
			t.Fatalf("%v: from the agent %+v, from vmfa-full %+v", args, fast, full)
		}
		if args[len(args)-1] == "--json" {
			var c codeJSON
			if err := json.Unmarshal([]byte(fast.stdout), &c); err != nil || c.Next == "" || c.Remaining < 1 || c.Remaining > 30 {
				t.Fatalf("code --json: %q %v", fast.stdout, err)
			}
		}
	}

	// What the front end leaves to vmfa-full: no match, several, an HOTP
	// counter, a chosen time, help, other commands, the agent turned off.
	for _, args := range [][]string{
		{"code", "nothing"}, {"code", "amazon", "--at", "1700000000"}, {"code", "counter"},
		{"code", "--help"}, {"list"}, {"--no-agent", "code", "aws"},
		{"--json", "code", "aws"}, // code's flag before "code": unknown to the root
	} {
		expect(t, runBin(t, front, dir, "", env, args...), 1, "", noFull)
	}
	expect(t, runBin(t, front, dir, "", with(env, "VMFA_AGENT=off"), "code", "aws"), 1, "", noFull)
	expect(t, vmfa(t, dir, "", env, "code", "nothing"), 1, "", `no account matches "nothing"`)
	expect(t, vmfa(t, dir, "", env, "code", "bogus", "--verbose"), 2, "", "unknown flag: --verbose")
	expect(t, vmfa(t, dir, "", env, "--fresh", "code", "aws"), 2, "", "unknown flag: --fresh")
	first := vmfa(t, dir, "", env, "code", "counter")
	second := vmfa(t, dir, "", env, "code", "counter")
	if first.code != 0 || second.code != 0 || first.stdout == second.stdout {
		t.Fatalf("HOTP codes through vmfa-full: %+v %+v", first, second)
	}
	// An HOTP code's next is shown, and its counter spent, only with --next.
	if r := vmfa(t, dir, "", env, "code", "counter", "--json"); r.code != 0 || strings.Contains(r.stdout, `"next"`) {
		t.Fatalf("HOTP code --json: %+v", r)
	}

	// vmfa-full found in $PATH when it is not beside the front end.
	path := "PATH=" + filepath.Dir(vmfaBin) + string(os.PathListSeparator) + os.Getenv("PATH")
	expect(t, runBin(t, front, dir, "", with(env, path), "code", "nothing"), 1, "", `no account matches "nothing"`)
	expect(t, runBin(t, front, dir, "", with(env, path), "--version"), 0, "\nvmfa-full ", "") // its line comes from the vmfa-full found

	expect(t, vmfa(t, dir, "", env, "lock"), 0, "", "Locked")
	expect(t, runBin(t, front, dir, "", env, "code", "aws"), 1, "", noFull)
}

// TestFrontEndHandsOver: a command line the front end does not act on
// itself reaches vmfa-full as it was, with its standard input, and comes
// back with vmfa-full's output and exit code, as handedOver runs it. That
// is what lets vmfa() skip the front end for such lines.
func TestFrontEndHandsOver(t *testing.T) {
	parallel(t)
	ways := map[string]func(dir, stdin string, env []string, args ...string) result{
		"front end": func(dir, stdin string, env []string, args ...string) result {
			return runBin(t, vmfaBin, dir, stdin, env, args...)
		},
		"handed over": func(dir, stdin string, env []string, args ...string) result {
			return runCmd(t, handedOver(t, dir, env, args...), stdin)
		},
	}
	got := map[string][]string{}
	for way, run := range ways {
		dir := t.TempDir()
		env := []string{pw, "VMFA_AGENT=off", "TERM=xterm-256color"}
		for _, line := range []struct {
			stdin string
			args  []string
		}{
			{githubURI + "\n", []string{"add", "--uri"}},
			{"", []string{"list"}},
			{"", []string{"--dir", filepath.Join(dir, "vault"), "rename", "github", "GitHub:carol"}},
			{"", []string{"rm", "--yes", "nosuch"}},
			{"", []string{"bogus"}},
			{"", []string{"list", "--", "--json"}},
			{"", []string{"aws", "credentials", "--help"}},
		} {
			r := run(dir, line.stdin, env, line.args...)
			got[way] = append(got[way], strings.ReplaceAll(fmt.Sprintf("%v: exit %d, stdout %q, stderr %q", line.args, r.code, r.stdout, r.stderr), dir, "DIR"))
		}
	}
	front, direct := got["front end"], got["handed over"]
	if !slices.Equal(front, direct) {
		t.Fatalf("the front end gave\n%s\nvmfa-full handed over\n%s", strings.Join(front, "\n"), strings.Join(direct, "\n"))
	}
	for i, code := range []string{"exit 0", "exit 0", "exit 0", "exit 1", "exit 2", "exit 2", "exit 0"} {
		if !strings.Contains(front[i], code) {
			t.Errorf("%s, want %s", front[i], code)
		}
	}
}

// TestFrontEndCorrectedClock: the agent hands codes out at the corrected
// clock of 'vmfa time --apply', applied before or after it started, and
// the front end says what vmfa-full would of a stale correction.
func TestFrontEndCorrectedClock(t *testing.T) {
	parallel(t)
	dir := t.TempDir()
	env := with(agentEnv(t, dir), configEnv(dir))
	vaultOf(t, dir, awsURI)
	expect(t, vmfa(t, dir, "", with(env, pw), "unlock"), 0, "", "Unlocked")
	const skew = 2*time.Minute + 41*time.Second
	srv := ntptest.Start(t, ntptest.Reply{Skew: skew})
	expect(t, vmfa(t, dir, "", env, "time", "--apply", "--server", srv.Addr), 0, "Applied", "")
	front := loneFront(t)
	checkCodeAt(t, skew, "code from the agent, corrected", func() string {
		r := runBin(t, front, dir, "", env, "code", "aws")
		if r.code != 0 || r.stderr != "" {
			t.Fatalf("code aws: %+v", r)
		}
		return strings.TrimSuffix(r.stdout, "\n")
	})
	b, _ := os.ReadFile(settingsPath(dir))
	old := time.Now().Add(-8*24*time.Hour - time.Hour).UTC().Format(time.RFC3339)
	os.WriteFile(settingsPath(dir), regexp.MustCompile(`"measured_at": "[^"]*"`).ReplaceAll(b, []byte(`"measured_at": "`+old+`"`)), 0o600)
	r := runBin(t, front, dir, "", env, "code", "aws")
	full := vmfa(t, dir, "", with(env, pw, "VMFA_AGENT=off"), "code", "aws")
	if r.code != 0 || r.stderr != full.stderr || !strings.Contains(r.stderr, "measured 8 days ago") {
		t.Fatalf("a stale correction: from the agent %+v, from vmfa-full %+v", r, full)
	}
}

// TestFrontEndClockOfItsEnvironment: the agent computes a code at the
// correction of the settings the caller's environment names
// (XDG_CONFIG_HOME), as vmfa-full run there would, not at the agent's.
func TestFrontEndClockOfItsEnvironment(t *testing.T) {
	parallel(t)
	dir := t.TempDir()
	env := agentEnv(t, dir) // settings in $HOME/.config: no correction
	vaultOf(t, dir, awsURI)
	expect(t, vmfa(t, dir, "", with(env, pw), "unlock"), 0, "", "Unlocked")
	const skew = 3*time.Minute + 7*time.Second
	srv := ntptest.Start(t, ntptest.Reply{Skew: skew})
	corrected := with(env, configEnv(dir))
	expect(t, vmfa(t, dir, "", corrected, "time", "--apply", "--server", srv.Addr), 0, "Applied", "")
	front := loneFront(t)
	for _, tc := range []struct {
		env  []string
		skew time.Duration
	}{{corrected, skew}, {env, 0}} {
		checkCodeAt(t, tc.skew, "code from the agent", func() string {
			r := runBin(t, front, dir, "", tc.env, "code", "aws")
			if r.code != 0 || r.stderr != "" {
				t.Fatalf("code aws: %+v", r)
			}
			return strings.TrimSuffix(r.stdout, "\n")
		})
	}
}

// TestFrontEndSaysWhatIsMissing: with vmfa alone installed, what the front
// end can't do itself (any command, and 'vmfa code' of an HOTP account even
// with the agent unlocked) says in one line what is missing, what it does,
// and how to install it, from a clone (offline) or not.
func TestFrontEndSaysWhatIsMissing(t *testing.T) {
	parallel(t)
	dir := t.TempDir()
	env := agentEnv(t, dir)
	hotp := "otpauth://hotp/Counter:bob?secret=KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU&counter=5"
	vaultOf(t, dir, awsURI, hotp)
	expect(t, vmfa(t, dir, "", with(env, pw), "unlock"), 0, "", "Unlocked")
	front := loneFront(t)
	self := filepath.Join(t.TempDir(), "vmfa-full")
	if err := os.Symlink(front, self); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		what, path string
		args       []string
	}{
		{"list", t.TempDir(), []string{"list"}},
		{"an HOTP code, unlocked", t.TempDir(), []string{"code", "counter"}},
		{"vmfa-full a link to vmfa", filepath.Dir(self), []string{"list"}},
	} {
		r := runBin(t, front, dir, "", with(env, "PATH="+tc.path), tc.args...)
		if r.code != 1 || strings.Count(r.stderr, "\n") != 1 {
			t.Fatalf("%s: %+v", tc.what, r)
		}
		for _, want := range []string{
			"vmfa-full", "every command but 'vmfa code' of a TOTP account while the agent is unlocked",
			"from a clone with 'go install ./cmd/...'", "else with 'go install github.com/vmfa/vmfa/cmd/...@latest'",
		} {
			if !strings.Contains(r.stderr, want) {
				t.Fatalf("%s: %q does not say %q", tc.what, r.stderr, want)
			}
		}
	}
}

// TestFrontEndNotItselfAsVmfaFull: a vmfa-full that is the front end
// itself (a link to it, beside it or in $PATH) is said in one line, exit
// 1; the front end executed itself for ever.
func TestFrontEndNotItselfAsVmfaFull(t *testing.T) {
	parallel(t)
	dir := t.TempDir()
	front := loneFront(t)
	beside := filepath.Join(filepath.Dir(front), "vmfa-full")
	if err := os.Symlink(front, beside); err != nil {
		t.Fatal(err)
	}
	other := loneFront(t) // vmfa-full beside it: none; in $PATH: itself
	inPath := t.TempDir()
	if err := os.Symlink(other, filepath.Join(inPath, "vmfa-full")); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ bin, path, mistaken string }{
		{front, os.Getenv("PATH"), beside},
		{other, inPath, filepath.Join(inPath, "vmfa-full")},
	} {
		done := make(chan result, 1)
		go func() { done <- runBin(t, tc.bin, dir, "", []string{"PATH=" + tc.path}, "--version") }()
		select {
		case r := <-done:
			expect(t, r, 1, "", tc.mistaken+" is this program, not vmfa-full")
			if strings.Count(r.stderr, "\n") != 1 {
				t.Fatalf("not one line: %q", r.stderr)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%s with vmfa-full a link to it: no end", tc.bin)
		}
	}
}

// TestFrontEndNoCoreDump: the front end holds a code from the agent, for
// up to a period when it waits for a fresh one's window; meanwhile it
// writes no core (its core limit is 0, hard), like vmfa-full.
func TestFrontEndNoCoreDump(t *testing.T) {
	parallelWaiting(t)
	dir := t.TempDir()
	env := agentEnv(t, dir)
	const uri = "otpauth://totp/Fast:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Fast&period=5"
	expect(t, vmfa(t, dir, uri+"\n", with(env, pw), "add", "--uri"), 0, "Added", "")
	expect(t, vmfa(t, dir, "", with(env, pw), "unlock"), 0, "", "Unlocked")
	front := loneFront(t) // what runs is the front end, never vmfa-full
	expect(t, runBin(t, front, dir, "", env, "code", "fast"), 0, "", "")
	// Core dumps allowed, as a user may have them: the front end itself
	// must turn them off.
	cmd := exec.Command("sh", "-c", `ulimit -c unlimited && exec "$0" code --fresh fast`, front)
	cmd.Env = testenv.Env(t, dir, env...)
	var out bytes.Buffer
	cmd.Stdout = &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Until Wait reaps it, even once it has exited, /proc has its limits.
	hardened := false
	for deadline := time.Now().Add(6 * time.Second); !hardened && time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		b, err := os.ReadFile("/proc/" + strconv.Itoa(cmd.Process.Pid) + "/limits")
		if err != nil {
			break
		}
		f := strings.Fields(lineWith(string(b), "Max core file size"))
		hardened = len(f) > 5 && f[4] == "0" && f[5] == "0"
	}
	if err := cmd.Wait(); err != nil || len(strings.TrimSpace(out.String())) != 6 {
		t.Fatalf("code --fresh from the front end alone: %v %q", err, out.String())
	}
	if !hardened {
		t.Fatal("the front end holding a fresh code did not have its core limit at 0, soft and hard")
	}
}

// TestFrontEndRecordsTheNextCode: the next code the front end shows (with
// --next, and in --json) is recorded as handed out, as vmfa-full records
// it: after it, a fresh code is the window's after the next.
func TestFrontEndRecordsTheNextCode(t *testing.T) {
	parallelWaiting(t)
	step := func(at time.Time) int64 { return at.Unix() / 5 }
	for _, flag := range []string{"next", "json"} {
		// Each waits for the window after the next: both at once, each
		// with a vault of its own.
		t.Run(flag, func(t *testing.T) {
			parallelWaiting(t)
			dir := t.TempDir()
			env := agentEnv(t, dir)
			secret := base32.StdEncoding.EncodeToString([]byte("front end " + flag))
			uri := "otpauth://totp/" + flag + ":alice?secret=" + secret + "&period=5\n"
			expect(t, vmfa(t, dir, uri, with(env, pw), "add", "--uri"), 0, "Added", "")
			expect(t, vmfa(t, dir, "", with(env, pw), "unlock"), 0, "", "Unlocked")
			front := loneFront(t)
			for attempt := 0; ; attempt++ {
				t0 := time.Now()
				shown := runBin(t, front, dir, "", env, "code", "--"+flag, flag)
				if step(time.Now()) != step(t0) { // which windows it handed out is unclear
					if attempt == 3 {
						t.Fatal("no 5 s window to test in")
					}
					continue
				}
				fresh := vmfa(t, dir, "", with(env, pw, "VMFA_AGENT=off"), "code", "--fresh", flag)
				want, _ := testenv.OathTOTP(t, secret, time.Unix((step(t0)+2)*5, 0), "--time-step-size=5s")
				if shown.code != 0 || fresh.code != 0 || fresh.stdout != want+"\n" {
					t.Fatalf("--%s from the front end, then --fresh: %+v, %+v; want %s, the window's after the next", flag, shown, fresh, want)
				}
				break
			}
		})
	}
}
