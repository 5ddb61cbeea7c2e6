package awssession

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestMFAProfiles(t *testing.T) {
	dir := t.TempDir()
	config := filepath.Join(dir, "config")
	text := `# a comment
[default]
region = eu-west-1
mfa_serial = arn:aws:iam::111111111111:mfa/default

[profile base]
region = eu-west-1
MFA_Serial = ` + device + `

[profile admin]
role_arn = ` + adminRole + `
source_profile = base

[profile  spaced ]
mfa_serial=arn:aws:iam::222222222222:mfa/spaced

[profile nomfa]
region = eu-west-1
s3 =
  mfa_serial = nested, not the profile's

[profile loop]
source_profile = loop

[profile orphan]
source_profile = nosuch

[notprofile]
mfa_serial = arn:aws:iam::333333333333:mfa/ignored-by-the-sdk

[sso-session corp]
mfa_serial = arn:aws:iam::333333333333:mfa/not-a-profile

[services dev]
mfa_serial = arn:aws:iam::333333333333:mfa/not-a-profile

; the same profile again: its sections are one
[profile nomfa]
output = json
`
	if err := os.WriteFile(config, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	// The credentials file is not read: its profiles are not listed.
	creds := filepath.Join(dir, "credentials")
	if err := os.WriteFile(creds, []byte("[credsonly]\nmfa_serial = "+device+"\naws_access_key_id = x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_CONFIG_FILE", config)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", creds)
	want := []MFAProfile{
		{"default", "arn:aws:iam::111111111111:mfa/default"},
		{"base", device},
		{"admin", device},
		{"spaced", "arn:aws:iam::222222222222:mfa/spaced"},
	}
	if got := MFAProfiles(); !reflect.DeepEqual(got, want) {
		t.Fatalf("MFAProfiles() = %+v, want %+v", got, want)
	}

	// No config file at AWS_CONFIG_FILE: nothing, and no error to print
	// in the middle of a command line being completed.
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "nosuch"))
	if got := MFAProfiles(); got != nil {
		t.Fatalf("without a config file: %+v", got)
	}
	// Without AWS_CONFIG_FILE, ~/.aws/config.
	os.Unsetenv("AWS_CONFIG_FILE")
	t.Setenv("HOME", dir)
	os.Mkdir(filepath.Join(dir, ".aws"), 0o700)
	os.WriteFile(filepath.Join(dir, ".aws", "config"), []byte("[profile home]\nmfa_serial = "+device+"\n"), 0o600)
	if got := MFAProfiles(); !reflect.DeepEqual(got, []MFAProfile{{"home", device}}) {
		t.Fatalf("from ~/.aws/config: %+v", got)
	}
}
