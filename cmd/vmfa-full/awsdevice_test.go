package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/vmfa/vmfa/internal/ststest"
	"github.com/vmfa/vmfa/internal/testenv"
)

// vmfa aws enroll, resync and devices end to end: the built vmfa, AWS
// config files of the test's own with comments, and the loopback STS and
// IAM, which create real seeds and take only consecutive codes of them.

const aliceDevice = "arn:aws:iam::123456789012:mfa/alice"

// deviceConfig is a config file as people keep it.
const deviceConfig = `# AWS profiles — see the wiki
[default]
region = eu-west-1

; alice's IAM user; keys in credentials
[profile base]
region = eu-west-1
output = json
# the device goes here

[profile admin]
role_arn = arn:aws:iam::123456789012:role/admin
source_profile = base
`

type deviceSetup struct {
	dir, config string
	srv         *ststest.Server
	env         []string
	offset      time.Duration // vmfa's clock correction
	awsAhead    atomic.Int64  // how far the server's clock is ahead of vmfa's, in ns
}

func newDeviceSetup(t *testing.T) *deviceSetup {
	t.Helper()
	s := &deviceSetup{dir: t.TempDir(), srv: ststest.New(t)}
	s.srv.AddUser(awsBaseKey, awsBaseSecretKey, awsBaseARN)
	s.srv.Date = func() time.Time { return time.Now().Add(s.offset + time.Duration(s.awsAhead.Load())) }
	s.config = filepath.Join(s.dir, "aws-config")
	creds := filepath.Join(s.dir, "credentials")
	os.WriteFile(s.config, []byte(deviceConfig), 0o600)
	os.WriteFile(creds, []byte("[base]\naws_access_key_id = "+awsBaseKey+"\naws_secret_access_key = "+awsBaseSecretKey+"\n"), 0o600)
	s.env = []string{pw, configEnv(s.dir),
		"AWS_CONFIG_FILE=" + s.config, "AWS_SHARED_CREDENTIALS_FILE=" + creds,
		"AWS_ENDPOINT_URL_STS=" + s.srv.URL, "AWS_ENDPOINT_URL_IAM=" + s.srv.URL,
		"AWS_EC2_METADATA_DISABLED=true", "AWS_MAX_ATTEMPTS=1"}
	vaultOf(t, s.dir)
	return s
}

// windowMargin is how much of a window nearWindowEnd leaves: vmfa's start
// up to its first code (0.1 s on a quiet machine, seconds on a loaded one)
// must fit in it, or enroll waits a whole window more (slower, not wrong).
const windowMargin = 6 * time.Second

// nearWindowEnd moves vmfa's clock (a correction in its settings, which
// every code is computed at) and the server's to windowMargin before the
// end of a 30 s window, a window or more past where they were: enroll's
// wait for code 2's window is then windowMargin at most, not up to 30 s.
func (s *deviceSetup) nearWindowEnd(t *testing.T) {
	t.Helper()
	now := time.Now()
	earliest := now.Add(s.offset + 30*time.Second)
	target := earliest.Truncate(30 * time.Second).Add(30*time.Second - windowMargin)
	if target.Before(earliest) {
		target = target.Add(30 * time.Second)
	}
	s.offset = target.Sub(now)
	path := settingsPath(s.dir)
	os.MkdirAll(filepath.Dir(path), 0o700)
	body := fmt.Sprintf(`{"clock_correction": {"offset_seconds": %f, "server": "test", "measured_at": %q}}`,
		s.offset.Seconds(), now.UTC().Format(time.RFC3339))
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
}

func (s *deviceSetup) vmfa(t *testing.T, args ...string) result {
	t.Helper()
	r := vmfa(t, s.dir, "", s.env, args...)
	noSecrets(t, r)
	return r
}

// failsWith fails unless vmfa exited 1 with nothing on stdout and want in
// the last line of stderr, which may follow the line saying the wait.
func failsWith(t *testing.T, r result, want string) {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
	if r.code != 1 || r.stdout != "" || len(lines) > 2 || !strings.Contains(lines[len(lines)-1], want) {
		t.Fatalf("exit %d, stdout %q, stderr %q; want exit 1, a line with %q", r.code, r.stdout, r.stderr, want)
	}
}

// noSeed fails if r shows the seed of a device of the server's.
func (s *deviceSetup) noSeed(t *testing.T, r result, arn string) {
	t.Helper()
	seed, _, _ := s.srv.MFADevice(arn)
	if seed == "" || strings.Contains(r.stdout+r.stderr, seed) || strings.Contains(r.stdout+r.stderr, seed[:16]) {
		t.Fatalf("vmfa printed the seed of %s (or there is none): %q %q", arn, r.stdout, r.stderr)
	}
}

// TestAWSEnrollDevice: enroll creates alice's device, keeps the server's
// seed in the vault (never shown), enables it with two consecutive codes
// after a plain line saying the wait, and writes mfa_serial into the base
// profile, the rest of the file as it was; devices then marks it as in the
// vault, and another device as not; the vault's codes are the seed's.
func TestAWSEnrollDevice(t *testing.T) {
	parallelWaiting(t)
	s := newDeviceSetup(t)
	s.nearWindowEnd(t)
	r := s.vmfa(t, "aws", "enroll", "--profile", "base")
	expect(t, r, 0, "Created and enabled the MFA device "+aliceDevice+"; its seed is in the vault as Amazon Web Services:alice@123456789012.\nProfile base: mfa_serial = "+aliceDevice+"\n", "")
	if !strings.Contains(r.stderr, "Code 2 in ") || strings.Contains(r.stderr, "\r") {
		t.Fatalf("stderr %q: want one plain line for the wait", r.stderr)
	}
	s.noSeed(t, r, aliceDevice)
	seed, enabled, _ := s.srv.MFADevice(aliceDevice)
	if !enabled || s.srv.Count("EnableMFADevice") != 1 {
		t.Fatalf("the device is not enabled, or took %d calls", s.srv.Count("EnableMFADevice"))
	}
	got, _ := os.ReadFile(s.config)
	if want := strings.Replace(deviceConfig, "output = json\n", "output = json\nmfa_serial = "+aliceDevice+"\n", 1); string(got) != want {
		t.Fatalf("config file:\n%s\nwant:\n%s", got, want)
	}
	// The vault's code of the device is oathtool's of the server's seed.
	at := time.Now().Add(s.offset)
	code := strings.TrimSpace(s.vmfa(t, "code", aliceDevice).stdout)
	want, _ := testenv.OathTOTP(t, seed, at)
	after, _ := testenv.OathTOTP(t, seed, time.Now().Add(s.offset))
	if code != want && code != after {
		t.Fatalf("vmfa code %s = %q, oathtool says %s", aliceDevice, code, want)
	}

	other, _ := s.srv.AddMFADevice(awsBaseARN, "alice-phone")
	r = s.vmfa(t, "aws", "devices", "--profile", "base")
	if r.code != 0 || !strings.Contains(r.stdout, aliceDevice+"        enabled ") || !strings.Contains(r.stdout, "vault: Amazon Web Services:alice@123456789012\n") ||
		!strings.Contains(r.stdout, other+"  enabled ") || !strings.Contains(r.stdout, "not in this vault\n") {
		t.Fatalf("devices: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = s.vmfa(t, "aws", "devices", "--profile", "base", "--json")
	var devices []struct {
		Serial, Account string
		Enabled         time.Time
		InVault         bool `json:"in_vault"`
		Unconfirmed     bool
	}
	if err := json.Unmarshal([]byte(r.stdout), &devices); err != nil || len(devices) != 2 ||
		devices[0].Serial != aliceDevice || !devices[0].InVault || devices[0].Enabled.IsZero() || devices[1].InVault || devices[1].Account != "" {
		t.Fatalf("devices --json: %v %q", err, r.stdout)
	}

	// resync: two newer consecutive codes.
	s.nearWindowEnd(t)
	expect(t, s.vmfa(t, "aws", "resync", "--profile", "base"), 0, "Resynchronised the MFA device "+aliceDevice+".\n", "")
	if n := s.srv.Count("ResyncMFADevice"); n != 1 {
		t.Fatalf("%d ResyncMFADevice calls", n)
	}
	for _, c := range s.srv.Calls() {
		if c.AccessKey != awsBaseKey || c.SessionToken != "" {
			t.Fatalf("%s was signed by %s, not alice's long-term key", c.Action, c.AccessKey)
		}
	}

	// The profile enrolled is ready: STS takes the new device's code.
	s.nearWindowEnd(t)
	if r := s.vmfa(t, "aws", "credentials", "--profile", "base"); r.code != 0 || !strings.Contains(r.stdout, `"SessionToken"`) {
		t.Fatalf("aws credentials after enroll: exit %d, stderr %q", r.code, r.stderr)
	}
}

// TestAWSEnrollRetry: codes IAM refuses (AWS's clock two windows ahead)
// leave the seed in the vault, unconfirmed, which devices shows, and say
// in one line how to retry or remove it; the same command then reuses the
// device, and the removal the message names works with the AWS CLI.
func TestAWSEnrollRetry(t *testing.T) {
	parallelWaiting(t)
	t.Run("retry", func(t *testing.T) {
		parallelWaiting(t)
		s := newDeviceSetup(t)
		s.nearWindowEnd(t)
		s.awsAhead.Store(int64(time.Minute))
		arn := "arn:aws:iam::123456789012:mfa/alice-laptop"
		r := s.vmfa(t, "aws", "enroll", "--profile", "base", "--name", "alice-laptop")
		failsWith(t, r, "enabling it failed: IAM EnableMFADevice for profile \"base\": IAM rejected the two codes (InvalidAuthenticationCode: Authentication code for device is not valid.): check the clock with 'vmfa time', then run 'vmfa aws enroll --profile base' again to retry with this device, or remove it: 'aws iam delete-virtual-mfa-device --profile base --serial-number "+arn+"', then 'vmfa rm "+arn+"'")
		s.noSeed(t, r, arn)
		if got, _ := os.ReadFile(s.config); string(got) != deviceConfig {
			t.Fatalf("the config file changed:\n%s", got)
		}
		expect(t, s.vmfa(t, "aws", "devices", "--profile", "base"), 0, arn+"  not enabled  vault: Amazon Web Services:alice@123456789012 (unconfirmed)\n", "")

		s.awsAhead.Store(0)
		s.nearWindowEnd(t)
		expect(t, s.vmfa(t, "aws", "enroll", "--profile", "base", "--name", "alice-laptop"), 0, "Reused and enabled the MFA device "+arn, "")
		if n := s.srv.Count("CreateVirtualMFADevice"); n != 1 {
			t.Fatalf("%d devices created, want 1", n)
		}
		expect(t, s.vmfa(t, "aws", "devices", "--profile", "base"), 0, arn+"  enabled ", "")
	})

	// A failure's removal, as its message says, with the AWS CLI.
	t.Run("remove", func(t *testing.T) {
		parallelWaiting(t)
		s := newDeviceSetup(t)
		s.awsAhead.Store(int64(time.Minute))
		s.nearWindowEnd(t)
		third := "arn:aws:iam::123456789012:mfa/alice-3"
		failsWith(t, s.vmfa(t, "aws", "enroll", "--profile", "base", "--name", "alice-3"), "'aws iam delete-virtual-mfa-device --profile base --serial-number "+third+"'")
		aws := testenv.Tool(t, "aws")
		out := testenv.Run(t, testenv.Command(t, aws, s.dir, s.env, "iam", "delete-virtual-mfa-device", "--profile", "base", "--serial-number", third, "--endpoint-url", s.srv.URL), "")
		if _, _, ok := s.srv.MFADevice(third); out.Code != 0 || ok {
			t.Fatalf("aws iam delete-virtual-mfa-device: exit %d %s; the device is still there: %v", out.Code, out.Stderr, ok)
		}
		expect(t, s.vmfa(t, "rm", "--yes", third), 0, "", "")
	})
}

// TestAWSEnrollErrors: IAM's refusals and profiles that cannot enroll,
// each one line saying what to do; for the eighth device, doing it through
// IAM's API lets the same enroll through.
func TestAWSEnrollErrors(t *testing.T) {
	parallelWaiting(t)
	t.Run("IAM", func(t *testing.T) {
		parallelWaiting(t)
		s := newDeviceSetup(t)
		s.srv.AddMFADevice(awsBaseARN, "alice")
		oneLineError(t, s.vmfa(t, "aws", "enroll", "--profile", "base"),
			"creating "+aliceDevice+": IAM CreateVirtualMFADevice for profile \"base\": an MFA device of that name already exists (EntityAlreadyExists: MFADevice entity at the same path and name already exists.): give the new device another name with --name")
		for _, n := range []string{"b", "c", "d", "e", "f", "g", "h"} {
			s.srv.AddMFADevice(awsBaseARN, n)
		}
		s.nearWindowEnd(t)
		failsWith(t, s.vmfa(t, "aws", "enroll", "--profile", "base", "--name", "ninth"),
			"the user has as many MFA devices as IAM allows (8) (LimitExceeded: Cannot exceed quota for MFADevicesPerUser: 8): remove a device the user no longer uses ('vmfa aws devices' lists them), then run 'vmfa aws enroll --profile base' again")
		// What that says to do, with IAM's API (the AWS SDK, signed with
		// alice's keys); then the same command works.
		iamClient := iam.New(iam.Options{Region: "us-east-1", BaseEndpoint: aws.String(s.srv.URL),
			Credentials: credentials.NewStaticCredentialsProvider(awsBaseKey, awsBaseSecretKey, "")})
		b := aws.String("arn:aws:iam::123456789012:mfa/b")
		if _, err := iamClient.DeactivateMFADevice(t.Context(), &iam.DeactivateMFADeviceInput{UserName: aws.String("alice"), SerialNumber: b}); err != nil {
			t.Fatalf("IAM DeactivateMFADevice: %v", err)
		}
		if _, err := iamClient.DeleteVirtualMFADevice(t.Context(), &iam.DeleteVirtualMFADeviceInput{SerialNumber: b}); err != nil {
			t.Fatalf("IAM DeleteVirtualMFADevice: %v", err)
		}
		s.nearWindowEnd(t)
		expect(t, s.vmfa(t, "aws", "enroll", "--profile", "base", "--name", "ninth"), 0, "Reused and enabled the MFA device arn:aws:iam::123456789012:mfa/ninth", "")
	})

	t.Run("profiles", func(t *testing.T) {
		parallelWaiting(t)
		s := newDeviceSetup(t)
		oneLineError(t, s.vmfa(t, "aws", "enroll", "--profile", "admin"), `AWS profile "admin" assumes the role arn:aws:iam::123456789012:role/admin: an MFA device belongs to an IAM user, whose long-term keys are in another profile (its source_profile "base")`)
		oneLineError(t, s.vmfa(t, "aws", "enroll", "--profile", "default"), `AWS profile "default" has no long-term keys`)
		oneLineError(t, s.vmfa(t, "aws", "resync", "--profile", "base"), `the profile has no mfa_serial: AWS profile "base" names no device to resync: enroll a device with 'vmfa aws enroll --profile PROFILE'`)
		oneLineError(t, s.vmfa(t, "aws", "enroll", "--profile", "base", "--name", "a b"), `"a b" cannot name an MFA device`)
		r := s.vmfa(t, "aws", "enroll")
		if r.code != 2 || !strings.Contains(r.stderr, "--profile is required") {
			t.Fatalf("enroll without --profile: exit %d %q", r.code, r.stderr)
		}
		if got, _ := os.ReadFile(s.config); string(got) != deviceConfig {
			t.Fatalf("the config file changed:\n%s", got)
		}
	})
}

// TestAWSDeviceProfileCompletion: enroll's and devices' --profile offer every
// profile of the config and credentials files. devices works before there
// is a vault.
func TestAWSDeviceProfileCompletion(t *testing.T) {
	parallel(t)
	s := newDeviceSetup(t)
	r := s.vmfa(t, "__complete", "aws", "enroll", "--profile", "")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "default\nbase\nadmin\n:4\n") {
		t.Fatalf("completion: %q %q", r.stdout, r.stderr)
	}

	// With no vault yet (a new machine), devices lists them all the same.
	phone, _ := s.srv.AddMFADevice(awsBaseARN, "alice-phone")
	expect(t, vmfa(t, t.TempDir(), "", s.env, "aws", "devices", "--profile", "base"), 0, phone+"  enabled ", "")
}

// TestAWSProfilesInInterface: in a real terminal (tmux, a server of the
// test's own), each AWS device's row names the profiles of the AWS config
// file that use it, directly or through source_profile, and typing a
// profile's name filters to its device.
func TestAWSProfilesInInterface(t *testing.T) {
	parallel(t)
	testenv.Tool(t, "tmux")
	dir := t.TempDir()
	second := "otpauth://totp/Amazon%20Web%20Services:alice@210987654321?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Amazon%20Web%20Services"
	expect(t, vmfa(t, dir, awsURI+"\n"+second+"\n", []string{pw}, "add", "--uri"), 0, "", "")
	config := filepath.Join(dir, "aws-config")
	os.WriteFile(config, []byte(`[profile base]
mfa_serial = `+awsDevice+`
# a role through base
[profile admin]
role_arn = arn:aws:iam::123456789012:role/admin
source_profile = base

[profile prod]
mfa_serial = arn:aws:iam::210987654321:mfa/alice
`), 0o600)
	socket := fmt.Sprintf("vmfa-awsprofiles-%d-%d", os.Getpid(), time.Now().UnixNano())
	tmux := func(args ...string) string {
		t.Helper()
		out, err := exec.Command("tmux", append([]string{"-L", socket, "-f", "/dev/null"}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("tmux %v: %v: %s", args, err, out)
		}
		return string(out)
	}
	script := fmt.Sprintf(`env -i %s TERM=xterm %q; sleep 60`,
		testenv.ShellEnv(testenv.Env(t, dir, pw, "AWS_CONFIG_FILE="+config)), vmfaBin)
	tmux("new-session", "-d", "-s", "ui", "-x", "120", "-y", "20", script)
	t.Cleanup(func() { exec.Command("tmux", "-L", socket, "kill-server").Run() })
	screen := func(ok func(string) bool) string {
		t.Helper()
		for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			scr := tmux("capture-pane", "-p", "-t", "ui")
			if ok(scr) {
				return scr
			}
			if time.Now().After(deadline) {
				t.Fatalf("the screen:\n%s", scr)
			}
		}
	}
	screen(func(s string) bool {
		return strings.Contains(rowWith(s, "alice@123456789012"), "· base, admin") && strings.Contains(rowWith(s, "alice@210987654321"), "· prod")
	})
	tmux("send-keys", "-t", "ui", "-l", "prod")
	screen(func(s string) bool {
		return rowWith(s, "alice@210987654321") != "" && rowWith(s, "alice@123456789012") == ""
	})
	tmux("send-keys", "-t", "ui", "C-c")
}

// rowWith is the line of a screen that holds s, "" if none.
func rowWith(screen, s string) string {
	for _, l := range strings.Split(screen, "\n") {
		if strings.Contains(l, s) {
			return l
		}
	}
	return ""
}
