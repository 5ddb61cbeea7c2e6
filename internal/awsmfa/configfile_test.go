package awsmfa

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/config"
)

const newARN = "arn:aws:iam::123456789012:mfa/alice-laptop"

// A config file as people keep them: comments, blank lines, an sso-session,
// nested s3 values, profiles whose names share a prefix.
const realConfig = `# ~/.aws/config — managed by hand
[default]
region = eu-west-1
output = json

; the IAM user with long-term keys
[profile base]
region = eu-west-1
s3 =
  max_concurrent_requests = 20
  multipart_threshold = 64MB
# keys are in ~/.aws/credentials

[profile base-admin]
role_arn = arn:aws:iam::123456789012:role/admin
source_profile = base
mfa_serial = arn:aws:iam::123456789012:mfa/alice

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
`

// TestSetMFASerial: the profile's mfa_serial is set, and every other byte
// of the file is as it was; the SDK then reads the new ARN.
func TestSetMFASerial(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, profile, before, after, old string
	}{{
		name: "inserted after the section's last setting, nested values included", profile: "base",
		before: realConfig,
		after: `# ~/.aws/config — managed by hand
[default]
region = eu-west-1
output = json

; the IAM user with long-term keys
[profile base]
region = eu-west-1
s3 =
  max_concurrent_requests = 20
  multipart_threshold = 64MB
mfa_serial = ` + newARN + `
# keys are in ~/.aws/credentials

[profile base-admin]
role_arn = arn:aws:iam::123456789012:role/admin
source_profile = base
mfa_serial = arn:aws:iam::123456789012:mfa/alice

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
`,
	}, {
		name: "replaced in place, its spacing kept", profile: "base-admin",
		before: "[profile base-admin]\nrole_arn = arn:aws:iam::123456789012:role/admin\nmfa_serial=arn:aws:iam::123456789012:mfa/alice # old\nregion = us-east-1\n",
		after:  "[profile base-admin]\nrole_arn = arn:aws:iam::123456789012:role/admin\nmfa_serial= " + newARN + "\nregion = us-east-1\n",
		old:    "arn:aws:iam::123456789012:mfa/alice",
	}, {
		name: "default profile", profile: "default",
		before: "[default]\nregion = eu-west-1\n\n[profile x]\nregion = us-east-1\n",
		after:  "[default]\nregion = eu-west-1\nmfa_serial = " + newARN + "\n\n[profile x]\nregion = us-east-1\n",
	}, {
		name: "a section of its own at the end when the profile has none", profile: "ci",
		before: "# only comments\n[profile x]\nregion = us-east-1",
		after:  "# only comments\n[profile x]\nregion = us-east-1\n\n[profile ci]\nmfa_serial = " + newARN + "\n",
	}, {
		name: "CRLF line ends kept, the last line without one", profile: "base",
		before: "[profile base]\r\nregion = eu-west-1\r\n# note\r\n[profile x]\r\nregion = us-east-1",
		after:  "[profile base]\r\nregion = eu-west-1\r\nmfa_serial = " + newARN + "\r\n# note\r\n[profile x]\r\nregion = us-east-1",
	}, {
		name: "an empty section, spaced header", profile: "base",
		before: "[ profile  base ]\n\n[profile x]\n",
		after:  "[ profile  base ]\nmfa_serial = " + newARN + "\n\n[profile x]\n",
	}, {
		name: "no file", profile: "base",
		before: "",
		after:  "[profile base]\nmfa_serial = " + newARN + "\n",
	}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "config")
			if c.before != "" {
				if err := os.WriteFile(path, []byte(c.before), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			old, err := SetMFASerial(path, c.profile, newARN)
			if err != nil || old != c.old {
				t.Fatalf("SetMFASerial: old %q, %v; want %q", old, err, c.old)
			}
			got, err := os.ReadFile(path)
			if err != nil || string(got) != c.after {
				t.Fatalf("the file is now\n%q\nwant\n%q", got, c.after)
			}
			sc, err := config.LoadSharedConfigProfile(context.Background(), c.profile, func(o *config.LoadSharedConfigOptions) {
				o.ConfigFiles, o.CredentialsFiles = []string{path}, []string{filepath.Join(t.TempDir(), "none")}
			})
			if err != nil || sc.MFASerial != newARN {
				t.Fatalf("the SDK reads mfa_serial %q (%v), want %s", sc.MFASerial, err, newARN)
			}
		})
	}
}

// TestSetMFASerialSymlink: a config file that is a symlink (dotfiles kept
// in a repository) stays one, and the file it points to is changed.
func TestSetMFASerialSymlink(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	target := filepath.Join(dir, "dotfiles", "aws-config")
	os.MkdirAll(filepath.Dir(target), 0o700)
	if err := os.WriteFile(target, []byte(realConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "config")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	if _, err := SetMFASerial(link, "ci", newARN); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("the symlink was replaced: %v %v", fi.Mode(), err)
	}
	got, _ := os.ReadFile(target)
	if want := realConfig + "\n[profile ci]\nmfa_serial = " + newARN + "\n"; string(got) != want {
		t.Fatalf("the target holds %q, want %q", got, want)
	}
}

// TestSetMFASerialRefuses: a profile name that cannot be a section header,
// and a config file that is a directory, are errors, the file untouched.
func TestSetMFASerialRefuses(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "config")
	os.WriteFile(path, []byte(realConfig), 0o600)
	for _, name := range []string{"", "a b", "x]\nmfa_serial = evil", "[x"} {
		if _, err := SetMFASerial(path, name, newARN); err == nil {
			t.Errorf("profile %q: no error", name)
		}
	}
	if got, _ := os.ReadFile(path); string(got) != realConfig {
		t.Fatalf("the file changed: %q", got)
	}
	if _, err := SetMFASerial(dir, "base", newARN); err == nil {
		t.Fatal("a directory as the config file: no error")
	}
}
