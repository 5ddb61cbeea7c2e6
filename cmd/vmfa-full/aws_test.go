package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vmfa/vmfa/internal/ststest"
	"github.com/vmfa/vmfa/internal/testenv"
)

// AWS sessions end to end: the built vmfa, a vault holding the AWS account
// of awsURI, AWS config files of the test's own and a loopback STS.

const (
	awsDevice        = "arn:aws:iam::123456789012:mfa/alice"
	awsBaseKey       = "AKIAIOSFODNN7EXAMPLE"
	awsBaseARN       = "arn:aws:iam::123456789012:user/alice"
	awsBaseSecretKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"

	// awsPeriod is the test device's period: vmfa aws never sends STS a
	// code twice, so a second session in one window waits for the next,
	// which at AWS's 30 s would make each such test wait that long.
	awsPeriod = 5
	// awsPeriodURI is awsURI at awsPeriod.
	awsPeriodURI = awsURI + "&period=5"
)

type awsSetup struct {
	dir string
	srv *ststest.Server
	env []string
}

// newAWS makes a vault with the AWS account, a loopback STS and the config
// files, and returns the environment that points vmfa (and aws) at them.
func newAWS(t *testing.T) *awsSetup {
	t.Helper()
	dir := t.TempDir()
	vaultOf(t, dir, awsPeriodURI)
	srv := ststest.New(t)
	srv.AddUser(awsBaseKey, awsBaseSecretKey, awsBaseARN)
	srv.AddDevice(awsDevice, awsBaseARN, awsSecret, awsPeriod)
	config := `[profile base]
region = eu-west-1
mfa_serial = ` + awsDevice + `

[profile admin]
region = eu-west-1
role_arn = arn:aws:iam::123456789012:role/admin
source_profile = base
mfa_serial = ` + awsDevice + `

[profile dev]
region = eu-west-1
credential_process = ` + vmfaBin + ` aws credentials --profile base

[profile other]
mfa_serial = arn:aws:iam::999999999999:mfa/bob

[profile nomfa]
region = eu-west-1

[profile nokeys]
mfa_serial = ` + awsDevice + `
`
	credentials := "[base]\naws_access_key_id = " + awsBaseKey + "\naws_secret_access_key = " + awsBaseSecretKey +
		"\n[other]\naws_access_key_id = " + awsBaseKey + "\naws_secret_access_key = " + awsBaseSecretKey +
		"\n[nomfa]\naws_access_key_id = " + awsBaseKey + "\naws_secret_access_key = " + awsBaseSecretKey + "\n"
	for name, text := range map[string]string{"config": config, "credentials": credentials} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return &awsSetup{dir: dir, srv: srv, env: []string{pw,
		"AWS_CONFIG_FILE=" + filepath.Join(dir, "config"),
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(dir, "credentials"),
		"AWS_ENDPOINT_URL_STS=" + srv.URL,
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_MAX_ATTEMPTS=1",
	}}
}

func (s *awsSetup) vmfa(t *testing.T, env []string, args ...string) result {
	t.Helper()
	r := vmfa(t, s.dir, "", append(append([]string{}, s.env...), env...), args...)
	noSecrets(t, r)
	if strings.Contains(r.stderr, awsBaseSecretKey) {
		t.Fatalf("stderr leaks the long-term secret key: %q", r.stderr)
	}
	return r
}

// checkTokenCode fails unless the call sent oathtool's code for the AWS
// account at its time (or the window before: it may cross a boundary).
func checkTokenCode(t *testing.T, c ststest.Call) {
	t.Helper()
	step := fmt.Sprintf("--time-step-size=%ds", awsPeriod)
	now, _ := testenv.OathTOTP(t, awsSecret, c.At, step)
	before, _ := testenv.OathTOTP(t, awsSecret, c.At.Add(-awsPeriod*time.Second), step)
	if c.SerialNumber != awsDevice || (c.TokenCode != now && c.TokenCode != before) {
		t.Fatalf("%s sent SerialNumber %q TokenCode %q; want %s and oathtool's %s", c.Action, c.SerialNumber, c.TokenCode, awsDevice, now)
	}
}

// The AWS CLI, with a profile whose credential_process is vmfa: one
// GetSessionToken with vmfa's code; then another tool with that profile, an
// AWS SDK client (ststest.Client), gets the session from the cache.
func TestAWSCredentialProcessWithAWSCLI(t *testing.T) {
	parallel(t)
	aws := testenv.Tool(t, "aws")
	s := newAWS(t)
	for i, cmd := range []*exec.Cmd{
		testenv.Command(t, aws, s.dir, s.env, "--profile", "dev", "--endpoint-url", s.srv.URL, "--output", "json", "sts", "get-caller-identity"),
		testenv.Command(t, ststest.Client(t), s.dir, s.env, "--profile", "dev"),
	} {
		out, err := cmd.Output()
		if err != nil {
			var stderr []byte
			if ee, ok := err.(*exec.ExitError); ok {
				stderr = ee.Stderr
			}
			t.Fatalf("%s (%d): %v: %s", strings.Join(cmd.Args, " "), i+1, err, stderr)
		}
		var id struct{ Arn, Account string }
		if err := json.Unmarshal(out, &id); err != nil || id.Arn != awsBaseARN || id.Account != "123456789012" {
			t.Fatalf("%s printed %q (%v), want the identity of %s", cmd.Args[0], out, err, awsBaseARN)
		}
	}
	if n := s.srv.Count("GetSessionToken"); n != 1 {
		t.Fatalf("STS saw %d GetSessionToken, want 1: the second tool's call did not use the cache", n)
	}
	var ids []ststest.Call
	for _, c := range s.srv.Calls() {
		switch c.Action {
		case "GetSessionToken":
			if c.AccessKey != awsBaseKey {
				t.Fatalf("GetSessionToken signed by %q, want the base profile's key", c.AccessKey)
			}
			checkTokenCode(t, c)
		case "GetCallerIdentity":
			ids = append(ids, c)
		}
	}
	if len(ids) != 2 || ids[0].AccessKey != ids[1].AccessKey || !s.srv.Issued(ids[1].AccessKey, ids[1].SessionToken) {
		t.Fatalf("GetCallerIdentity calls %+v: want both signed with the one session STS issued", ids)
	}
}

func TestAWSCredentialsJSON(t *testing.T) {
	parallelWaiting(t)
	s := newAWS(t)
	r := s.vmfa(t, nil, "aws", "credentials", "--profile", "base", "--duration", "1h")
	expect(t, r, 0, `"Version": 1`, "")
	var c struct {
		Version                                                int
		AccessKeyId, SecretAccessKey, SessionToken, Expiration string
	}
	if err := json.Unmarshal([]byte(r.stdout), &c); err != nil {
		t.Fatal(err)
	}
	exp, err := time.Parse(time.RFC3339, c.Expiration)
	if err != nil || !s.srv.Issued(c.AccessKeyId, c.SessionToken) || c.SecretAccessKey == "" || time.Until(exp) > time.Hour || time.Until(exp) < 50*time.Minute {
		t.Fatalf("credentials %+v (%v): want the session STS issued, for an hour", c, err)
	}
	if calls := s.srv.Calls(); len(calls) != 1 || calls[0].Duration != "3600" {
		t.Fatalf("calls %+v, want one with DurationSeconds 3600", calls)
	}
	// --refresh gets another; the cache then serves that one.
	r2 := s.vmfa(t, nil, "aws", "credentials", "--profile", "base", "--duration", "1h", "--refresh")
	r3 := s.vmfa(t, nil, "aws", "credentials", "--profile", "base", "--duration", "1h")
	if r2.stdout == r.stdout || r3.stdout != r2.stdout || s.srv.Count("GetSessionToken") != 2 {
		t.Fatalf("--refresh: %d GetSessionToken, want 2 and the refreshed session cached", s.srv.Count("GetSessionToken"))
	}
	// STS refuses a code it has seen: the second session, asked for in the
	// same window, waited for the next code.
	if calls := s.srv.Calls(); calls[0].TokenCode == calls[1].TokenCode {
		t.Fatalf("both sessions were asked for with the code %s", calls[0].TokenCode)
	}
	// The cache is in the vault directory, encrypted.
	files, _ := filepath.Glob(filepath.Join(s.dir, "vault", "aws-sessions", "*.age"))
	if len(files) != 1 {
		t.Fatalf("cache files %v", files)
	}
	if ct, _ := os.ReadFile(files[0]); strings.Contains(string(ct), c.AccessKeyId) || !strings.HasPrefix(string(ct), "age-encryption.org/v1") {
		t.Fatal("the cached session is in clear on disk")
	}
}

// exec runs the AWS CLI with a role's session: AssumeRole with the code,
// then the CLI signs with the role session from the environment.
func TestAWSExec(t *testing.T) {
	parallel(t)
	aws := testenv.Tool(t, "aws")
	s := newAWS(t)
	r := s.vmfa(t, []string{"AWS_PROFILE=dev", "AWS_ACCESS_KEY_ID=AKIASTALE"},
		"aws", "exec", "--profile", "admin", "--", aws, "--endpoint-url", s.srv.URL, "--output", "text", "--query", "Arn", "sts", "get-caller-identity")
	expect(t, r, 0, "arn:aws:sts::123456789012:assumed-role/admin/vmfa-", "")
	// base's MFA session (the code) assumes the role (no code).
	calls := s.srv.Calls()
	if len(calls) != 3 || calls[0].Action != "GetSessionToken" || calls[0].AccessKey != awsBaseKey ||
		calls[1].Action != "AssumeRole" || calls[1].TokenCode != "" || !s.srv.SessionMFA(calls[1].AccessKey) {
		t.Fatalf("calls %+v, want GetSessionToken with base's key, AssumeRole signed with its session, then GetCallerIdentity", calls)
	}
	checkTokenCode(t, calls[0])
	if !s.srv.Issued(calls[2].AccessKey, calls[2].SessionToken) || !s.srv.SessionMFA(calls[2].AccessKey) {
		t.Fatal("the AWS CLI did not sign with the role session")
	}

	// The child's environment and exit status; no passphrase reaches it.
	script := `echo "key=$AWS_ACCESS_KEY_ID region=$AWS_REGION/$AWS_DEFAULT_REGION profile=${AWS_PROFILE-unset} pass=${VMFA_PASSPHRASE-none}${VMFA_NEW_PASSPHRASE-}${VMFA_IMPORT_PASSPHRASE-}${VMFA_EXPORT_PASSPHRASE-} vmfa=$VMFA_AWS_PROFILE"; exit 7`
	r = s.vmfa(t, []string{"AWS_PROFILE=dev", "VMFA_NEW_PASSPHRASE=new", "VMFA_IMPORT_PASSPHRASE=imp", "VMFA_EXPORT_PASSPHRASE=exp"},
		"aws", "exec", "--profile", "admin", "sh", "-c", script)
	expect(t, r, 7, "region=eu-west-1/eu-west-1 profile=unset pass=none vmfa=admin", "")
	if key := strings.TrimPrefix(strings.Fields(r.stdout)[0], "key="); key != calls[2].AccessKey {
		t.Fatalf("child saw AWS_ACCESS_KEY_ID %q, want the cached role session's %q", key, calls[1].AccessKey)
	}
	if n := s.srv.Count("AssumeRole"); n != 1 {
		t.Fatalf("STS saw %d AssumeRole, want the second exec served from the cache", n)
	}
	expect(t, s.vmfa(t, nil, "aws", "exec", "--profile", "admin", "--", "no-such-command-vmfa"), 127, "", "no-such-command-vmfa: command not found")
	expect(t, s.vmfa(t, nil, "aws", "exec", "--profile", "admin"), 2, "", "requires at least 1 arg")
}

func TestAWSEnv(t *testing.T) {
	parallel(t)
	s := newAWS(t)
	r := s.vmfa(t, nil, "aws", "env", "--profile", "base")
	expect(t, r, 0, "export AWS_ACCESS_KEY_ID='ASIA", "")
	// sh evaluates it to the session.
	check := exec.Command("sh", "-c", `AWS_PROFILE=dev; eval "$1"; echo "$AWS_ACCESS_KEY_ID $AWS_SESSION_TOKEN $AWS_REGION ${AWS_PROFILE-unset}"`, "sh", r.stdout)
	out, err := check.Output()
	f := strings.Fields(string(out))
	if err != nil || len(f) != 4 || !s.srv.Issued(f[0], f[1]) || f[2] != "eu-west-1" || f[3] != "unset" {
		t.Fatalf("eval of vmfa aws env gave %q (%v)", out, err)
	}
	fish := s.vmfa(t, nil, "aws", "env", "--profile", "base", "--shell", "fish")
	expect(t, fish, 0, "set -gx AWS_SESSION_TOKEN '", "")
	if !strings.Contains(fish.stdout, "set -e AWS_PROFILE;") || s.srv.Count("GetSessionToken") != 1 {
		t.Fatalf("fish: %q, %d GetSessionToken", fish.stdout, s.srv.Count("GetSessionToken"))
	}
	expect(t, s.vmfa(t, nil, "aws", "env", "--profile", "base", "--shell", "csh"), 2, "", `--shell "csh": use sh or fish`)
}

func TestAWSErrors(t *testing.T) {
	parallelWaiting(t)
	s := newAWS(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	l.Close()
	for _, c := range []struct {
		name    string
		env     []string
		profile string
		code    int
		want    string
	}{
		{"unknown profile", nil, "nosuch", 1, `no AWS profile "nosuch" in ` + filepath.Join(s.dir, "config") + " or " + filepath.Join(s.dir, "credentials")},
		{"no mfa_serial", nil, "nomfa", 1, `AWS profile "nomfa" has no mfa_serial`},
		{"no keys", nil, "nokeys", 1, `AWS profile "nokeys" has no long-term keys`},
		{"served by vmfa", nil, "dev", 1, `AWS profile "dev" is served by vmfa: its credential_process runs vmfa for profile "base", the one with the MFA device: give that one to --profile here`},
		{"no account", nil, "other", 1, "no account in the vault for the MFA device arn:aws:iam::999999999999:mfa/bob: add its QR code with 'vmfa add QR.png'"},
		{"unreachable", []string{"AWS_ENDPOINT_URL_STS=http://" + closed}, "base", 1, "cannot reach STS at " + closed},
		{"wrong passphrase", []string{"VMFA_PASSPHRASE=wrong"}, "base", 1, "wrong passphrase"},
	} {
		r := s.vmfa(t, c.env, "aws", "credentials", "--profile", c.profile)
		if r.code != c.code || !strings.Contains(r.stderr, c.want) || strings.Count(r.stderr, "\n") != 1 || r.stdout != "" {
			t.Errorf("%s: exit %d, stderr %q; want exit %d and one line with %q", c.name, r.code, r.stderr, c.code, c.want)
		}
	}
	if n := len(s.srv.Calls()); n != 0 {
		t.Fatalf("STS saw %d calls from failing commands", n)
	}
	s.srv.RejectCodes = true
	r := s.vmfa(t, nil, "aws", "credentials", "--profile", "base")
	expect(t, r, 1, "", "STS rejected the MFA code of "+awsDevice+` for profile "base" (MultiFactorAuthentication failed)`)
	s.srv.Date = func() time.Time { return time.Now().Add(-5 * time.Minute) }
	r = s.vmfa(t, nil, "aws", "env", "--profile", "admin")
	expect(t, r, 1, "", "ahead of AWS's: 'vmfa time' checks it")
	if strings.Count(r.stderr, "\n") != 1 {
		t.Fatalf("stderr %q is not one line", r.stderr)
	}
	expect(t, s.vmfa(t, nil, "aws", "credentials", "--profile", "base", "--duration", "1m"), 2, "", "--duration 1m0s: STS gives sessions of 15m to 36h")
}

// TestAWSExpiredAnswer: credentials STS answers already expired are an
// error, exit 1, in one line with nothing on stdout: printed, they would
// fail the tool that asked, and its every retry would spend another code.
func TestAWSExpiredAnswer(t *testing.T) {
	parallelWaiting(t)
	s := newAWS(t)
	s.srv.Expiration = time.Now().Add(-time.Hour)
	for _, args := range [][]string{{"aws", "credentials", "--profile", "base"}, {"aws", "env", "--profile", "admin"}} {
		r := s.vmfa(t, nil, args...)
		expect(t, r, 1, "", "answered with credentials that had already expired at "+s.srv.Expiration.UTC().Format(time.RFC3339))
		if strings.Count(r.stderr, "\n") != 1 || r.stdout != "" {
			t.Fatalf("%v: %+v, want one line and nothing on stdout", args, r)
		}
	}
}

// A SIGTERM to vmfa reaches the command, whose status vmfa exits with; a
// SIGINT to vmfa alone is left to the terminal, which sends it to both.
func TestAWSExecSignals(t *testing.T) {
	parallel(t)
	s := newAWS(t)
	ready := filepath.Join(s.dir, "ready")
	cmd := testenv.Command(t, vmfaBin, s.dir, s.env, "aws", "exec", "--profile", "base", "--", "sh", "-c",
		`trap 'echo got INT' INT; trap 'echo got TERM; exit 3' TERM; touch "$1"; while :; do sleep 0.05; done`, "sh", ready)
	var out strings.Builder
	cmd.Stdout = &out
	// A command left running when vmfa ends holds stdout open: Wait gives
	// up on it, and the test ends it with its process group.
	cmd.WaitDelay = 10 * time.Second
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if _, err := os.Stat(ready); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the command did not start")
		}
	}
	cmd.Process.Signal(os.Interrupt)
	time.Sleep(300 * time.Millisecond)
	cmd.Process.Signal(syscall.SIGTERM)
	err := cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 3 || out.String() != "got TERM\n" {
		t.Fatalf("vmfa exited %v with the command's output %q; want 3 and only the TERM trap", err, out.String())
	}
}

// On a terminal, a session's secret key is not printed, where it would stay
// in view and in the scrollback, and no code is spent.
func TestAWSNoSecretsOnTerminal(t *testing.T) {
	parallel(t)
	s := newAWS(t)
	for _, args := range [][]string{
		{"aws", "credentials", "--profile", "base"},
		{"aws", "env", "--profile", "base"},
	} {
		term := onTerminal(t, s.dir, s.env, false, nil, args...)
		code, screen := term.Wait()
		if code != 2 || !strings.Contains(screen, "vmfa: refusing to print secrets on the terminal") || strings.Contains(screen, "ASIA") {
			t.Errorf("%v: exit %d, terminal %q", args, code, screen)
		}
	}
	if n := len(s.srv.Calls()); n != 0 {
		t.Errorf("STS saw %d calls", n)
	}
}

// A command that cannot be run ends vmfa as it ends a shell or env(1): 127
// not found, 126 found but not runnable, with one line naming it, and
// without a session (no code spent) when vmfa can tell beforehand. A signal
// that ends the command is 128+N.
func TestAWSExecCommandNotRun(t *testing.T) {
	parallel(t)
	s := newAWS(t)
	bin := t.TempDir()
	write := func(name, text string, mode os.FileMode) string {
		return testenv.WriteExecutable(t, filepath.Join(bin, name), []byte(text), mode)
	}
	notExec := write("vmfa-test-notexec", "#!/bin/sh\necho ran\n", 0o600)
	write("vmfa-test-badinterp", "#!/nonexistent/vmfa-interp\n", 0o700)
	garbage := write("vmfa-test-garbage", "\x7fELF not a program", 0o700)
	path := []string{"PATH=" + bin + string(filepath.ListSeparator) + os.Getenv("PATH")}
	for _, c := range []struct {
		command string
		code    int
		want    string
	}{
		{"no-such-command-vmfa", 127, "vmfa: no-such-command-vmfa: command not found\n"},
		{filepath.Join(bin, "nosuch"), 127, "vmfa: " + filepath.Join(bin, "nosuch") + ": no such file\n"},
		{"vmfa-test-notexec", 126, "vmfa: vmfa-test-notexec: " + notExec + " is not executable\n"},
		{notExec, 126, "vmfa: " + notExec + ": not executable ('chmod +x " + notExec + "' makes it so)\n"},
		{bin, 126, "vmfa: " + bin + ": is a directory, not a command\n"},
	} {
		r := s.vmfa(t, path, "aws", "exec", "--profile", "base", "--", c.command, "arg")
		if r.code != c.code || r.stderr != c.want || r.stdout != "" {
			t.Errorf("exec %s: exit %d, stderr %q; want %d and %q", c.command, r.code, r.stderr, c.code, c.want)
		}
	}
	if n := len(s.srv.Calls()); n != 0 {
		t.Fatalf("STS saw %d calls for commands that could not run", n)
	}
	// What only starting it tells: after the session.
	expect(t, s.vmfa(t, path, "aws", "exec", "--profile", "base", "--", "vmfa-test-badinterp"), 127, "",
		"vmfa: vmfa-test-badinterp: cannot run it: it, or the interpreter its #! line names, is not found\n")
	expect(t, s.vmfa(t, path, "aws", "exec", "--profile", "base", "--", garbage), 126, "", ": cannot run it: exec format error\n")
	// The command's own status, and a signal's, are as they were.
	expect(t, s.vmfa(t, path, "aws", "exec", "--profile", "base", "--", "sh", "-c", "exit 126"), 126, "", "")
	expect(t, s.vmfa(t, path, "aws", "exec", "--profile", "base", "--", "sh", "-c", "kill -TERM $$"), 128+int(syscall.SIGTERM), "", "")
	if n := s.srv.Count("GetSessionToken"); n != 1 {
		t.Fatalf("STS saw %d GetSessionToken, want 1", n)
	}
}

// --profile completes to the config file's profiles that name an MFA
// device, themselves or through source_profile, with no passphrase.
func TestAWSProfileCompletion(t *testing.T) {
	parallel(t)
	s := newAWS(t)
	var env []string
	for _, kv := range s.env {
		if kv != pw {
			env = append(env, kv)
		}
	}
	want := "base\t" + awsDevice + "\nadmin\t" + awsDevice + "\nother\tarn:aws:iam::999999999999:mfa/bob\nnokeys\t" + awsDevice + "\n:4\n"
	for _, sub := range []string{"credentials", "exec", "env", "login", "sessions clear"} {
		args := append(append([]string{"__complete", "aws"}, strings.Fields(sub)...), "--profile", "")
		r := vmfa(t, s.dir, "", env, args...)
		if r.code != 0 || r.stdout != want {
			t.Errorf("completion of aws %s --profile: exit %d, %q; want %q", sub, r.code, r.stdout, want)
		}
	}
	// No config file: nothing, and no file names either.
	r := vmfa(t, s.dir, "", []string{"AWS_CONFIG_FILE=" + filepath.Join(s.dir, "nosuch")}, "__complete", "aws", "env", "--profile", "")
	expect(t, r, 0, "", "")
	if r.stdout != ":4\n" {
		t.Errorf("completion without a config file: %q", r.stdout)
	}
}

// Temporary files a killed writer left in aws-sessions/ go when the cache
// is next written; one young enough to be another writer's stays.
func TestAWSCacheRemovesStaleTemps(t *testing.T) {
	parallel(t)
	s := newAWS(t)
	cache := filepath.Join(s.dir, "vault", "aws-sessions")
	if err := os.Mkdir(cache, 0o700); err != nil {
		t.Fatal(err)
	}
	stale := filepath.Join(cache, ".0a1b2c3d.age.tmp12345")
	young := filepath.Join(cache, ".4e5f6a7b.age.tmp67890")
	for _, p := range []string{stale, young} {
		if err := os.WriteFile(p, []byte("age-encryption.org/v1\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	old := time.Now().Add(-10 * time.Minute)
	if err := os.Chtimes(stale, old, old); err != nil {
		t.Fatal(err)
	}
	expect(t, s.vmfa(t, nil, "aws", "credentials", "--profile", "base"), 0, `"SessionToken"`, "")
	if _, err := os.Stat(stale); err == nil {
		t.Error("the stale temporary file is still there")
	}
	if _, err := os.Stat(young); err != nil {
		t.Errorf("the young temporary file was removed: %v", err)
	}
	if files, _ := filepath.Glob(filepath.Join(cache, "*.age")); len(files) != 1 {
		t.Errorf("cache files %v, want the session's", files)
	}
}
