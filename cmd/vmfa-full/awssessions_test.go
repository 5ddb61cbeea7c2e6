package main

import (
	"encoding/json"
	"os/exec"
	"strings"
	"sync"
	"testing"

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

// parallelAWSCLI runs n AWS CLIs at once, each asking STS who it is with
// profile, whose credential_process is vmfa, and returns the ARNs they
// printed; it fails the test if any failed.
func parallelAWSCLI(t *testing.T, s *awsSetup, env []string, profile string, n int) []string {
	t.Helper()
	aws := testenv.Tool(t, "aws")
	var wg sync.WaitGroup
	arns := make([]string, n)
	errs := make([]string, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := testenv.Command(t, aws, s.dir, env, "--profile", profile, "--endpoint-url", s.srv.URL, "--output", "json", "sts", "get-caller-identity")
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
			t.Errorf("aws CLI %d of %d failed: %s", i+1, n, e)
		}
	}
	if t.Failed() {
		t.FailNow()
	}
	return arns
}

// Terraform and the like start several credential_process at once: with a
// cold cache they spend ONE code and ONE GetSessionToken, and all succeed,
// with the agent unlocked as without it.
func TestAWSParallelMisses(t *testing.T) {
	t.Parallel()
	for _, withAgent := range []bool{false, true} {
		name := "no agent"
		if withAgent {
			name = "agent"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := newAWS(t)
			env := append([]string{}, s.env...)
			if withAgent {
				env = append(env, agentEnv(t, s.dir)...)
				expect(t, vmfa(t, s.dir, "", env, "unlock"), 0, "", "Unlocked")
				env = withoutPassphrase(env)
			} else {
				env = append(env, "VMFA_AGENT=off")
			}
			const n = 4
			for _, arn := range parallelAWSCLI(t, s, env, "dev", n) {
				if arn != awsBaseARN {
					t.Fatalf("aws printed %q, want %s", arn, awsBaseARN)
				}
			}
			for _, c := range s.srv.Calls() {
				t.Logf("%s %s %s %s", c.At.Format("15:04:05.000"), c.Action, c.AccessKey, c.TokenCode)
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
