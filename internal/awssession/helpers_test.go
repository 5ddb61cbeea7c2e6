package awssession

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/vmfa/vmfa/internal/ststest"
	"github.com/vmfa/vmfa/internal/testenv"
	"github.com/vmfa/vmfa/otp"
)

const (
	seed       = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
	device     = "arn:aws:iam::123456789012:mfa/alice"
	baseKey    = "AKIAIOSFODNN7EXAMPLE"
	baseSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	baseARN    = "arn:aws:iam::123456789012:user/alice"
	adminRole  = "arn:aws:iam::123456789012:role/admin"
)

// awsFiles writes config and credentials files, points the SDK at them and
// at srv (through AWS_ENDPOINT_URL_STS unless endpoint is false), and
// clears every variable of the caller's own AWS setup.
func awsFiles(t testing.TB, srv *ststest.Server, config string, endpoint bool) {
	t.Helper()
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	t.Setenv("AWS_CONFIG_FILE", write("config", config))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", write("credentials",
		"[base]\naws_access_key_id = "+baseKey+"\naws_secret_access_key = "+baseSecret+"\n"))
	for _, k := range []string{"AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ACCESS_KEY_ID",
		"AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_STS"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_MAX_ATTEMPTS", "1")
	if endpoint && srv != nil {
		t.Setenv("AWS_ENDPOINT_URL_STS", srv.URL)
	}
	if srv != nil {
		srv.AddUser(baseKey, baseSecret, baseARN)
		srv.AddDevice(device, baseARN, seed, 30)
		// totp hands out a window's code as often as asked.
		srv.AcceptUsedCodes = true
	}
}

// totp is a CodeSource holding one device: seed, at the system clock. It
// counts the codes it gave.
type totp struct {
	given []string
	at    func() time.Time // the time codes are computed at; nil: now
}

func (s *totp) code(serial string) (string, error) {
	if serial != device {
		return "", &unknownDevice{serial}
	}
	at := time.Now()
	if s.at != nil {
		at = s.at()
	}
	c, err := otp.Account{Issuer: "Amazon Web Services", Name: "alice@123456789012", Type: otp.TOTP, Secret: seed, Digits: 6, Period: 30, Algorithm: otp.SHA1}.Code(at)
	s.given = append(s.given, c)
	return c, err
}

type unknownDevice struct{ serial string }

func (e *unknownDevice) Error() string { return "no account for " + e.serial }

// checkCode fails unless code is oathtool's for seed at the time of the
// call, or of the window before (the call may cross a boundary).
func checkCode(t *testing.T, c ststest.Call) {
	t.Helper()
	for _, at := range []time.Time{c.At, c.At.Add(-30 * time.Second)} {
		if code, _ := testenv.OathTOTP(t, seed, at); code == c.TokenCode {
			return
		}
	}
	t.Fatalf("%s sent TokenCode %q, which is not oathtool's code at %s", c.Action, c.TokenCode, c.At)
}

func load(t *testing.T, name string) *Profile {
	t.Helper()
	p, err := Load(context.Background(), name)
	if err != nil {
		t.Fatalf("Load(%q): %v", name, err)
	}
	return p
}
