package awsmfa

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/vmfa/vmfa/internal/ststest"
	"github.com/vmfa/vmfa/vault"
)

const (
	userKey      = "AKIAIOSFODNN7EXAMPLE"
	userSecret   = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	aliceUserARN = "arn:aws:iam::123456789012:user/eng/alice"
	aliceARN     = "arn:aws:iam::123456789012:mfa/alice"
)

// iamSetup is a loopback STS and IAM, AWS config files pointing at it and a
// vault, all of the test's own.
type iamSetup struct {
	srv    *ststest.Server
	v      *vault.Vault
	config string
}

func newIAM(t *testing.T) *iamSetup {
	dir := t.TempDir()
	srv := ststest.New(t)
	srv.AddUser(userKey, userSecret, aliceUserARN)
	config := filepath.Join(dir, "config")
	creds := filepath.Join(dir, "credentials")
	os.WriteFile(config, []byte(realConfig), 0o600)
	os.WriteFile(creds, []byte("[base]\naws_access_key_id = "+userKey+"\naws_secret_access_key = "+userSecret+
		"\n[wrong]\naws_access_key_id = "+userKey+"\naws_secret_access_key = not-"+userSecret+"\n"), 0o600)
	for k, v := range map[string]string{"AWS_CONFIG_FILE": config, "AWS_SHARED_CREDENTIALS_FILE": creds,
		"AWS_ENDPOINT_URL_IAM": srv.URL, "AWS_ENDPOINT_URL_STS": srv.URL,
		"AWS_EC2_METADATA_DISABLED": "true", "AWS_MAX_ATTEMPTS": "1"} {
		t.Setenv(k, v)
	}
	v, err := vault.Open(filepath.Join(dir, "vmfa")).Create("pass", 10)
	if err != nil {
		t.Fatal(err)
	}
	return &iamSetup{srv: srv, v: v, config: config}
}

// goodCodes are an entry's codes of the window before this one and this
// one, by AWS's 30 s period: consecutive, the second current.
func goodCodes(e vault.Entry) (string, string, error) {
	now := time.Now()
	c1, err := totp.GenerateCode(e.Secret, now.Add(-30*time.Second))
	if err != nil {
		return "", "", err
	}
	c2, err := totp.GenerateCode(e.Secret, now)
	return c1, c2, err
}

func (s *iamSetup) enroll(t *testing.T, name string, codes Codes) (Enrolled, error) {
	t.Helper()
	u, err := Open(context.Background(), "base")
	if err != nil {
		t.Fatal(err)
	}
	return u.Enroll(context.Background(), EnrollRequest{Name: name, Vault: s.v, Codes: codes, Now: time.Now, ConfigFile: s.config})
}

// TestEnroll: a device created with the user's name, its seed in the vault
// as AWS labels it (the server's seed), enabled with two consecutive codes,
// and named in the profile's mfa_serial.
func TestEnroll(t *testing.T) {
	s := newIAM(t)
	en, err := s.enroll(t, "", goodCodes)
	if err != nil {
		t.Fatal(err)
	}
	seed, enabled, ok := s.srv.MFADevice(aliceARN)
	if en.ARN != aliceARN || !ok || !enabled || en.Reused {
		t.Fatalf("enrolled %+v; the server has %s: %v, enabled %v", en, aliceARN, ok, enabled)
	}
	d, _ := s.v.Load()
	e, ok := EntryFor(d, aliceARN)
	if !ok || e.Label() != "Amazon Web Services:alice@123456789012" || e.Secret != seed || e.Note != vault.AWSNote(aliceARN, false) || e.Period != 30 || e.Digits != 6 {
		t.Fatalf("the vault holds %q (note %q, %d digits, %d s; seed is the server's: %v)", e.Label(), e.Note, e.Digits, e.Period, e.Secret == seed)
	}
	got, _ := os.ReadFile(s.config)
	if !strings.Contains(string(got), "[profile base]\nregion = eu-west-1\ns3 =\n  max_concurrent_requests = 20\n  multipart_threshold = 64MB\nmfa_serial = "+aliceARN+"\n# keys") {
		t.Fatalf("config file:\n%s", got)
	}
	// Enrolling the same device again is refused before IAM is asked.
	before := s.srv.Count("CreateVirtualMFADevice")
	if _, err := s.enroll(t, "", goodCodes); !errors.Is(err, ErrDeviceExists) || s.srv.Count("CreateVirtualMFADevice") != before {
		t.Fatalf("enrolling alice again: %v", err)
	}
	for _, c := range s.srv.Calls() {
		if c.AccessKey != userKey || c.SessionToken != "" {
			t.Fatalf("%s signed by %s (token %q), want the long-term key", c.Action, c.AccessKey, c.SessionToken)
		}
	}
}

// TestEnrollRejectedThenRetried: codes IAM refuses leave the device created
// and its seed in the vault, unconfirmed, which Devices shows; enrolling
// again reuses them: no second device.
func TestEnrollRejectedThenRetried(t *testing.T) {
	s := newIAM(t)
	// The right codes in the wrong order are not consecutive.
	wrong := func(e vault.Entry) (string, string, error) { c1, c2, err := goodCodes(e); return c2, c1, err }
	_, err := s.enroll(t, "alice-laptop", wrong)
	var enable *EnableError
	if !errors.As(err, &enable) || !errors.Is(err, ErrCodesRejected) || enable.ARN != newARN {
		t.Fatalf("Enroll with wrong codes: %v", err)
	}
	d, _ := s.v.Load()
	e, ok := EntryFor(d, newARN)
	if _, unconfirmed, _ := vault.ParseAWSNote(e.Note); !ok || !unconfirmed {
		t.Fatalf("the vault's entry: %v %q", ok, e.Note)
	}
	u, _ := Open(context.Background(), "base")
	devices, err := u.Devices(context.Background(), d)
	if err != nil || len(devices) != 1 || devices[0].Serial != newARN || !devices[0].Unconfirmed || !devices[0].Enabled.IsZero() {
		t.Fatalf("Devices: %+v, %v", devices, err)
	}
	if got, _ := os.ReadFile(s.config); string(got) != realConfig {
		t.Fatalf("the config file changed although the device is not enabled:\n%s", got)
	}
	en, err := s.enroll(t, "alice-laptop", goodCodes)
	if err != nil || !en.Reused || s.srv.Count("CreateVirtualMFADevice") != 1 {
		t.Fatalf("retry: %+v, %v, %d devices created", en, err, s.srv.Count("CreateVirtualMFADevice"))
	}
	if _, enabled, _ := s.srv.MFADevice(newARN); !enabled {
		t.Fatal("the device is not enabled")
	}
}

// TestEnrollRefusals: a name taken by a device not in the vault, and the
// eighth device, are IAM's refusals, each its own error.
func TestEnrollRefusals(t *testing.T) {
	s := newIAM(t)
	s.srv.AddMFADevice(aliceUserARN, "alice")
	if _, err := s.enroll(t, "", goodCodes); !errors.Is(err, ErrDeviceExists) {
		t.Fatalf("a name taken: %v", err)
	}
	for _, n := range []string{"b", "c", "d", "e", "f", "g", "h"} {
		s.srv.AddMFADevice(aliceUserARN, n)
	}
	_, err := s.enroll(t, "ninth", goodCodes)
	if enable := (*EnableError)(nil); !errors.Is(err, ErrDeviceLimit) || !errors.As(err, &enable) {
		t.Fatalf("a ninth device: %v", err)
	}
	d, _ := s.v.Load()
	u, _ := Open(context.Background(), "base")
	devices, err := u.Devices(context.Background(), d)
	if err != nil || len(devices) != 9 || devices[0].Serial != aliceARN || devices[0].Account != "" || devices[8].Account == "" {
		t.Fatalf("Devices: %+v, %v", devices, err)
	}
}

// TestResync: two consecutive codes of the profile's device, from the
// vault; a profile without mfa_serial says so.
func TestResync(t *testing.T) {
	s := newIAM(t)
	u, _ := Open(context.Background(), "base")
	if _, err := u.Resync(context.Background(), s.v, goodCodes); !errors.Is(err, ErrNoSerial) {
		t.Fatalf("Resync without mfa_serial: %v", err)
	}
	step := time.Now().Unix() / 30
	if _, err := s.enroll(t, "", goodCodes); err != nil {
		t.Fatal(err)
	}
	u, _ = Open(context.Background(), "base")
	// The codes Enroll took are refused: IAM takes only newer ones.
	_, err := u.Resync(context.Background(), s.v, goodCodes)
	if !errors.Is(err, ErrCodesRejected) && time.Now().Unix()/30 == step {
		t.Fatalf("Resync with used codes: %v", err)
	}
	later := func(e vault.Entry) (string, string, error) {
		c1, _ := totp.GenerateCode(e.Secret, time.Now())
		c2, err := totp.GenerateCode(e.Secret, time.Now().Add(30*time.Second))
		return c1, c2, err
	}
	if arn, err := u.Resync(context.Background(), s.v, later); err != nil || arn != aliceARN {
		t.Fatalf("Resync: %s, %v", arn, err)
	}
}

// TestOpenRefuses: profiles that are not an IAM user's long-term keys.
func TestOpenRefuses(t *testing.T) {
	newIAM(t)
	for profile, want := range map[string]string{
		"base-admin": "assumes the role",
		"default":    "no long-term keys",
		"nosuch":     "no AWS profile",
		"wrong":      "SignatureDoesNotMatch",
	} {
		if _, err := Open(context.Background(), profile); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Open(%s): %v, want ~%q", profile, err, want)
		}
	}
}

// TestEnrollAnswerLost: an earlier enroll whose EnableMFADevice went through
// but whose answer never came (the vault still says unconfirmed) is
// finished by enrolling again: IAM's "already in use" is checked against
// ListMFADevices, and the profile gets its mfa_serial.
func TestEnrollAnswerLost(t *testing.T) {
	s := newIAM(t)
	wrong := func(vault.Entry) (string, string, error) { return "000000", "000000", nil }
	if _, err := s.enroll(t, "", wrong); !errors.Is(err, ErrCodesRejected) {
		t.Fatal(err)
	}
	d, _ := s.v.Load()
	e, _ := EntryFor(d, aliceARN)
	u, _ := Open(context.Background(), "base")
	c1, c2, _ := goodCodes(e)
	if err := u.enable(context.Background(), aliceARN, c1, c2); err != nil { // its answer lost
		t.Fatal(err)
	}
	en, err := s.enroll(t, "", goodCodes)
	if err != nil || !en.Reused {
		t.Fatalf("enrolling again: %+v, %v", en, err)
	}
	if got, _ := os.ReadFile(s.config); !strings.Contains(string(got), "mfa_serial = "+aliceARN) {
		t.Fatalf("config file:\n%s", got)
	}
}
