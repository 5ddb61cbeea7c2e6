package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vmfa/vmfa/internal/ststest"
	"github.com/vmfa/vmfa/internal/testenv"
)

// withoutPassphrase is env with the passphrase variable removed: a command
// that still works is served by the agent.
func withoutPassphrase(env []string) []string {
	var out []string
	for _, kv := range env {
		if kv != pw {
			out = append(out, kv)
		}
	}
	return out
}

// parallelClients runs n AWS SDK clients (ststest.Client) at once, each
// asking STS who it is with profile, whose credential_process is vmfa, and
// returns the ARNs they printed; it fails the test if any failed.
func parallelClients(t *testing.T, s *awsSetup, env []string, profile string, n int) []string {
	t.Helper()
	client := ststest.Client(t)
	var wg sync.WaitGroup
	arns := make([]string, n)
	errs := make([]string, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := testenv.Command(t, client, s.dir, env, "--profile", profile)
			var stderr strings.Builder
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			var id struct{ Arn string }
			if err != nil || json.Unmarshal(out, &id) != nil {
				errs[i] = strings.TrimSpace(stderr.String())
				if ee, ok := err.(*exec.ExitError); ok && errs[i] == "" {
					errs[i] = ee.String()
				}
				return
			}
			arns[i] = id.Arn
		}()
	}
	wg.Wait()
	for i, e := range errs {
		if e != "" {
			t.Errorf("AWS SDK client %d of %d failed: %s", i+1, n, e)
		}
	}
	if t.Failed() {
		t.FailNow()
	}
	return arns
}

// Terraform and the like start several credential_process at once: with a
// cold cache they spend ONE code and ONE GetSessionToken, and all succeed,
// with the agent unlocked as without it. The clients are programs of the
// AWS SDK for Go, as Terraform is (TestAWSCredentialProcessWithAWSCLI has
// the AWS CLI's).
func TestAWSParallelMisses(t *testing.T) {
	parallelWaiting(t)
	for _, withAgent := range []bool{false, true} {
		name := "no agent"
		if withAgent {
			name = "agent"
		}
		t.Run(name, func(t *testing.T) {
			parallel(t)
			s := newAWS(t)
			// Slow enough that the four are all in flight at once.
			s.srv.Latency = 500 * time.Millisecond
			env := append([]string{}, s.env...)
			if withAgent {
				env = append(env, agentEnv(t, s.dir)...)
				expect(t, vmfa(t, s.dir, "", env, "unlock"), 0, "", "Unlocked")
				env = withoutPassphrase(env)
			} else {
				env = append(env, "VMFA_AGENT=off")
			}
			const n = 4
			for _, arn := range parallelClients(t, s, env, "dev", n) {
				if arn != awsBaseARN {
					t.Fatalf("a client printed %q, want %s", arn, awsBaseARN)
				}
			}
			if got := s.srv.Count("GetSessionToken"); got != 1 {
				t.Fatalf("%d parallel misses made %d GetSessionToken, want 1", n, got)
			}
			for _, c := range s.srv.Calls() {
				if c.Action == "GetSessionToken" {
					checkTokenCode(t, c)
				}
			}
		})
	}
}

// With the agent unlocked, a session is kept in it and on disk: the second
// call costs no STS call and no passphrase; a lock and an unlock cost no
// STS call and no code either (the agent takes it from the disk), nor does
// a command while the agent is locked (with the passphrase).
func TestAWSSessionsInAgent(t *testing.T) {
	parallel(t)
	s := newAWS(t)
	env := agentEnv(t, s.dir)
	expect(t, s.vmfa(t, env, "unlock"), 0, "", "Unlocked")
	noPassphrase := withoutPassphrase(append(append([]string{}, s.env...), env...))
	first := vmfa(t, s.dir, "", noPassphrase, "aws", "credentials", "--profile", "base")
	expect(t, first, 0, `"SessionToken"`, "")
	held := sessionsJSON(t, s, noPassphrase)
	if len(held) != 1 || held[0].Profile != "base" || held[0].Kind != "session" || strings.Join(held[0].Where, ",") != "agent,disk" {
		t.Fatalf("sessions %+v, want base's session in the agent and on disk", held)
	}
	expect(t, vmfa(t, s.dir, "", env, "lock"), 0, "", "Locked.")
	// Locked: the disk serves, with the passphrase.
	expect(t, s.vmfa(t, env, "aws", "credentials", "--profile", "base"), 0, first.stdout, "")
	if held := sessionsJSON(t, s, append(env, pw)); len(held) != 1 || strings.Join(held[0].Where, ",") != "disk" {
		t.Fatalf("sessions with the agent locked %+v, want base's on disk only", held)
	}
	// Unlocked again: the agent takes the session from the disk.
	expect(t, s.vmfa(t, env, "unlock"), 0, "", "Unlocked")
	expect(t, vmfa(t, s.dir, "", noPassphrase, "aws", "credentials", "--profile", "base"), 0, first.stdout, "")
	if held := sessionsJSON(t, s, noPassphrase); len(held) != 1 || strings.Join(held[0].Where, ",") != "agent,disk" {
		t.Fatalf("sessions after unlock %+v, want base's in the agent again", held)
	}
	table := vmfa(t, s.dir, "", noPassphrase, "aws", "sessions")
	expect(t, table, 0, "PROFILE  KIND     EXPIRES", "")
	if lines := strings.Split(strings.TrimSpace(table.stdout), "\n"); len(lines) != 2 || !strings.HasPrefix(lines[1], "base     session  ") ||
		!strings.HasSuffix(lines[1], "agent, disk") || !(strings.Contains(lines[1], "(in 12h)") || strings.Contains(lines[1], "(in 11h59m)")) {
		t.Fatalf("aws sessions:\n%s", table.stdout)
	}
	if n := s.srv.Count("GetSessionToken"); n != 1 {
		t.Fatalf("STS saw %d GetSessionToken, want 1: a lock and an unlock cost a session", n)
	}
}

// heldSession is an entry of 'vmfa aws sessions --json'.
type heldSession struct {
	Profile, Kind string
	Expiration    time.Time
	Where         []string
}

func sessionsJSON(t *testing.T, s *awsSetup, env []string) []heldSession {
	t.Helper()
	r := vmfa(t, s.dir, "", env, "aws", "sessions", "--json")
	var held []heldSession
	if err := json.Unmarshal([]byte(r.stdout), &held); r.code != 0 || err != nil {
		t.Fatalf("aws sessions --json: exit %d, %q, %q (%v)", r.code, r.stdout, r.stderr, err)
	}
	noSecrets(t, r)
	for _, c := range s.srv.Calls() {
		if c.AccessKey != "" && strings.HasPrefix(c.AccessKey, "ASIA") && strings.Contains(r.stdout, c.AccessKey) {
			t.Fatalf("aws sessions shows an access key: %s", r.stdout)
		}
	}
	return held
}

// Roles of one device, through AWS SDK clients in parallel: one code, one
// GetSessionToken, every AssumeRole signed with that MFA session; a chain
// (deploy, whose source is admin) too.
func TestAWSRolesOneCode(t *testing.T) {
	parallel(t)
	s := newAWS(t)
	s.srv.Latency = 300 * time.Millisecond
	config := ""
	for i := range 3 {
		config += fmt.Sprintf("\n[profile r%d]\nrole_arn = arn:aws:iam::123456789012:role/r%d\nsource_profile = base\nmfa_serial = %s\n"+
			"[profile tool%d]\nregion = eu-west-1\ncredential_process = %s aws credentials --profile r%d\n", i, i, awsDevice, i, vmfaBin, i)
	}
	config += "\n[profile deploy]\nrole_arn = arn:aws:iam::210987654321:role/deploy\nsource_profile = admin\nduration_seconds = 7200\n" +
		"[profile tool3]\nregion = eu-west-1\ncredential_process = " + vmfaBin + " aws credentials --profile deploy\n"
	appendFile(t, filepath.Join(s.dir, "config"), config)
	env := append(append([]string{}, s.env...), agentEnv(t, s.dir)...)
	expect(t, vmfa(t, s.dir, "", env, "unlock"), 0, "", "Unlocked")
	env = withoutPassphrase(env)
	var arns []string
	var wg sync.WaitGroup
	var mu sync.Mutex
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got := parallelClients(t, s, env, fmt.Sprintf("tool%d", i), 1)
			mu.Lock()
			arns = append(arns, got...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	slices.Sort(arns)
	for i, want := range []string{"arn:aws:sts::123456789012:assumed-role/r0/", "arn:aws:sts::123456789012:assumed-role/r1/",
		"arn:aws:sts::123456789012:assumed-role/r2/", "arn:aws:sts::210987654321:assumed-role/deploy/"} {
		if i >= len(arns) || !strings.HasPrefix(arns[i], want) {
			t.Fatalf("the AWS SDK clients printed %q, want %s…", arns, want)
		}
	}
	var mfaSession string
	for _, c := range s.srv.Calls() {
		switch c.Action {
		case "GetSessionToken":
			checkTokenCode(t, c)
		case "AssumeRole":
			if c.TokenCode != "" || !c.Chained || c.Error != "" || !s.srv.SessionMFA(c.AccessKey) {
				t.Fatalf("AssumeRole %+v: want it signed with an MFA session, no code", c)
			}
			if !strings.HasSuffix(c.RoleARN, "/deploy") && mfaSession == "" {
				mfaSession = c.AccessKey
			} else if !strings.HasSuffix(c.RoleARN, "/deploy") && c.AccessKey != mfaSession {
				t.Fatalf("roles assumed with two MFA sessions: %s and %s", mfaSession, c.AccessKey)
			}
			if strings.HasSuffix(c.RoleARN, "/deploy") && c.Duration != "3600" {
				t.Fatalf("deploy, a chain, asked for %q s, want AWS's hour", c.Duration)
			}
		}
	}
	if g, a := s.srv.Count("GetSessionToken"), s.srv.Count("AssumeRole"); g != 1 || a != 5 {
		t.Fatalf("%d GetSessionToken and %d AssumeRole, want 1 (one code) and 5 (r0-r2, admin, deploy)", g, a)
	}
	held := sessionsJSON(t, s, env)
	var kinds []string
	for _, h := range held {
		kinds = append(kinds, h.Profile+":"+h.Kind)
	}
	if strings.Join(kinds, " ") != "admin:role base:session deploy:role chain r0:role r1:role r2:role" {
		t.Fatalf("sessions %q", kinds)
	}
	// clear --profile forgets one profile's, on disk and in the agent.
	expect(t, vmfa(t, s.dir, "", env, "aws", "sessions", "clear", "--profile", "r1"), 0, "", "Cleared 1 AWS session of profile \"r1\".")
	if held := sessionsJSON(t, s, env); len(held) != 5 {
		t.Fatalf("after clear --profile r1: %+v", held)
	}
	expect(t, vmfa(t, s.dir, "", env, "aws", "credentials", "--profile", "r1"), 0, `"SessionToken"`, "")
	if g, a := s.srv.Count("GetSessionToken"), s.srv.Count("AssumeRole"); g != 1 || a != 6 {
		t.Fatalf("r1 again: %d GetSessionToken, %d AssumeRole; want no new code, one AssumeRole", g, a)
	}
	// clear, all, needs no passphrase and no agent.
	expect(t, vmfa(t, s.dir, "", withoutPassphrase(s.env), "aws", "sessions", "clear", "--no-agent"), 0, "", "Cleared 6 AWS sessions.")
	expect(t, vmfa(t, s.dir, "", env, "aws", "sessions"), 0, "", "No AWS sessions cached.")
}

func appendFile(t *testing.T, path, text string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(text); err != nil {
		t.Fatal(err)
	}
}
