package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vmfa/vmfa/internal/testenv"
)

// Codes handed out: never twice, never none. HOTP counters that never go
// back, fresh codes that wait for the first window not handed out, and a
// code on a vault where nothing can be written.

// TestRestoreKeepsHOTPCounter: counter 9, the version at 7 restored: the
// counter stays 9 and 'vmfa code' prints the code of 9, not one handed out.
func TestRestoreKeepsHOTPCounter(t *testing.T) {
	parallel(t)
	dir := t.TempDir()
	const secret = "KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU"
	env := []string{pw, "VMFA_AGENT=off"}
	expect(t, vmfa(t, dir, "otpauth://hotp/Corp:bob?secret="+secret+"&counter=7\n", env, "add", "--uri"), 0, "Added Corp:bob", "")
	for _, n := range []uint64{7, 8} {
		expect(t, vmfa(t, dir, "", env, "code", "bob"), 0, testenv.OathHOTP(t, secret, n)+"\n", "")
	}
	var history []struct {
		ID      string
		Changes []struct{ Change string }
	}
	r := vmfa(t, dir, "", env, "history", "--json")
	if err := json.Unmarshal([]byte(r.stdout), &history); err != nil {
		t.Fatalf("history --json: %q %v", r.stdout, err)
	}
	var added string // the version add saved, at counter 7
	for _, v := range history {
		if len(v.Changes) == 1 && v.Changes[0].Change == "added" {
			added = v.ID
		}
	}
	if added == "" {
		t.Fatalf("no version adds the account: %s", r.stdout)
	}
	expect(t, vmfa(t, dir, "", env, "restore", "--yes", added), 0, "", "Restored version "+added)
	expect(t, vmfa(t, dir, "", env, "code", "bob"), 0, testenv.OathHOTP(t, secret, 9)+"\n", "")
	expect(t, vmfa(t, dir, "", env, "code", "bob"), 0, testenv.OathHOTP(t, secret, 10)+"\n", "")
}

// TestFreshAfterJSON: 'vmfa code --json' hands out (and records) the code
// and the next one; a --fresh after it waits for the window after both and
// prints that window's code, from the agent through the front end as from
// vmfa-full.
func TestFreshAfterJSON(t *testing.T) {
	parallelWaiting(t)
	const secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
	uri := "otpauth://totp/Fast:alice?secret=" + secret + "&issuer=Fast&period=5"
	step := func(at time.Time) int64 { return at.Unix() / 5 }
	for _, name := range []string{"front end", "vmfa-full"} {
		// Each waits for the window after the next: both at once, each
		// with a vault of its own.
		t.Run(name, func(t *testing.T) {
			parallelWaiting(t)
			dir := t.TempDir()
			env := agentEnv(t, dir)
			expect(t, vmfa(t, dir, uri+"\n", with(env, pw), "add", "--uri"), 0, "Added", "")
			expect(t, vmfa(t, dir, "", with(env, pw), "unlock"), 0, "", "Unlocked")
			front := loneFront(t)
			run := func(args ...string) result { return runBin(t, front, dir, "", env, args...) }
			if name == "vmfa-full" {
				run = func(args ...string) result { return vmfa(t, dir, "", with(env, pw, "VMFA_AGENT=off"), args...) }
			}
			t0 := time.Now()
			var shown codeJSON
			if r := run("code", "--json", "fast"); r.code != 0 || json.Unmarshal([]byte(r.stdout), &shown) != nil || shown.Next == "" {
				t.Fatalf("%s: code --json: %+v", name, r)
			}
			// The json's window: t0's, or a later one when vmfa started
			// late on a loaded machine.
			shownStep := step(t0)
			for last := step(time.Now()); shownStep < last; shownStep++ {
				if c, _ := testenv.OathTOTP(t, secret, time.Unix(shownStep*5, 0), "--time-step-size=5s"); c == shown.Code {
					break
				}
			}
			fresh := run("code", "--fresh", "fast")
			// The json's window and the next are handed out, whichever
			// window --fresh started in.
			window := time.Unix((shownStep+2)*5, 0)
			want, _ := testenv.OathTOTP(t, secret, window, "--time-step-size=5s")
			if fresh.code != 0 || fresh.stdout != want+"\n" || fresh.stderr != "" {
				t.Fatalf("%s: --fresh after --json at %v: %+v, want %s, the code of the window at %v", name, t0, fresh, want, window)
			}
			if time.Now().Before(window) {
				t.Fatalf("%s: the fresh code came before its window", name)
			}
		})
	}
}

// TestAWSRightAfterEnroll: enroll hands out both codes of the enrollment
// form; a session asked for right after waits for the window after them,
// and a --refresh right after that for the next.
func TestAWSRightAfterEnroll(t *testing.T) {
	parallelWaiting(t)
	s := newAWS(t)
	img := testenv.WriteQR(t, filepath.Join(s.dir, "aws.png"), awsPeriodURI, 400)
	step := func(at time.Time) int64 { return at.Unix() / awsPeriod }
	t0 := time.Now()
	r := s.vmfa(t, nil, "enroll", "--json", img)
	var enrolled struct{ Code1, Code2 string }
	if err := json.Unmarshal([]byte(r.stdout), &enrolled); r.code != 0 || err != nil || enrolled.Code2 == "" {
		t.Fatalf("enroll --json: exit %d, %v, %q", r.code, err, r.stdout)
	}
	// enroll's window is t0's, or the next when the run began at the end
	// of it: the one code 1 is of (the end of the run says nothing of it).
	first := step(t0)
	if code, _ := testenv.OathTOTP(t, awsSecret, time.Unix(first*awsPeriod, 0), fmt.Sprintf("--time-step-size=%ds", awsPeriod)); code != enrolled.Code1 {
		first++
	}
	for i, args := range [][]string{{"--duration", "1h"}, {"--duration", "1h", "--refresh"}} {
		r := s.vmfa(t, nil, append([]string{"aws", "credentials", "--profile", "base"}, args...)...)
		expect(t, r, 0, `"Version": 1`, "")
		calls := s.srv.Calls()
		window := time.Unix((first+2+int64(i))*awsPeriod, 0)
		want, _ := testenv.OathTOTP(t, awsSecret, window, fmt.Sprintf("--time-step-size=%ds", awsPeriod))
		if len(calls) != i+1 || calls[i].TokenCode != want || calls[i].At.Before(window) {
			t.Fatalf("session %d after enroll: calls %+v; want the code %s of the window at %v, sent then", i+1, calls, want, window)
		}
	}
}

// TestCodeOnReadOnlyVault: where nothing can be written, 'vmfa code'
// prints the code all the same and warns, in one line, that it was not
// recorded: from the agent through the front end, through vmfa-full with
// the agent, and with the passphrase, in the same words. An HOTP code,
// whose counter can't be saved, is refused.
func TestCodeOnReadOnlyVault(t *testing.T) {
	parallel(t)
	dir := t.TempDir()
	env := agentEnv(t, dir)
	hotp := "otpauth://hotp/Counter:bob?secret=KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU&counter=5"
	vaultOf(t, dir, awsURI, hotp)
	expect(t, vmfa(t, dir, "", with(env, pw), "unlock"), 0, "", "Unlocked")
	testenv.ReadOnly(t, filepath.Join(dir, "vault"))
	front := loneFront(t)
	warning := "vmfa: warning: the code of Amazon Web Services:alice@123456789012 was not recorded as handed out, so it may be handed out again ("
	for _, args := range [][]string{{"code", "aws"}, {"code", "--fresh", "aws"}} {
		for name, run := range map[string]func() result{
			"front end":           func() result { return runBin(t, front, dir, "", env, args...) },
			"vmfa-full, agent":    func() result { return runBin(t, fullBin(), dir, "", env, args...) },
			"vmfa-full, no agent": func() result { return vmfa(t, dir, "", with(env, pw, "VMFA_AGENT=off"), args...) },
		} {
			checkCodeAt(t, 0, name, func() string {
				r := run()
				if r.code != 0 || !strings.HasPrefix(r.stderr, warning) || !strings.HasSuffix(r.stderr, ": read-only file system)\n") || strings.Count(r.stderr, "\n") != 1 {
					t.Fatalf("%s: %v on a read-only vault: %+v", name, args, r)
				}
				return strings.TrimSuffix(r.stdout, "\n")
			})
		}
	}
	expect(t, vmfa(t, dir, "", env, "code", "counter"), 1, "", "read-only file system")
}
