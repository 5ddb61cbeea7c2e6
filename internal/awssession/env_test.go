package awssession

import (
	"encoding/json"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"
)

// Values with every character a shell treats specially come back as they
// were.
func TestShellQuoting(t *testing.T) {
	for _, v := range []string{`a'b`, `$(touch /tmp/vmfa-pwned)`, "`id`", `\'\\`, "two\nlines", `"; rm -rf ~; "`, ""} {
		var b strings.Builder
		if err := WriteShellEnv(&b, "sh", [][2]string{{"X", v}}); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command("sh", "-c", b.String()+`printf %s "$X"`).Output()
		if err != nil || string(out) != v {
			t.Errorf("sh: %q came back as %q (%v)", v, out, err)
		}
		if fish, err := exec.LookPath("fish"); err == nil {
			b.Reset()
			WriteShellEnv(&b, "fish", [][2]string{{"X", v}})
			out, err := exec.Command(fish, "-c", b.String()+`printf %s "$X"`).Output()
			if err != nil || string(out) != v {
				t.Errorf("fish: %q came back as %q (%v)", v, out, err)
			}
		}
	}
	// A profile in the environment would win over the session: eval
	// unsets it.
	var b strings.Builder
	if err := WriteShellEnv(&b, "sh", [][2]string{{"AWS_ACCESS_KEY_ID", "ASIAEXAMPLE"}}); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("sh", "-c", b.String()+`printf %s "${AWS_PROFILE-unset} ${AWS_DEFAULT_PROFILE-unset} ${AWS_SECURITY_TOKEN-unset} $AWS_ACCESS_KEY_ID"`)
	cmd.Env = append(os.Environ(), "AWS_PROFILE=dev", "AWS_DEFAULT_PROFILE=dev", "AWS_SECURITY_TOKEN=old")
	if out, err := cmd.Output(); err != nil || string(out) != "unset unset unset ASIAEXAMPLE" {
		t.Errorf("sh after eval: %q (%v), want the profile variables unset and the key set", out, err)
	}
	b.Reset()
	if err := WriteShellEnv(&b, "csh", nil); err == nil || b.Len() > 0 {
		t.Errorf("WriteShellEnv for csh wrote %q (%v)", b.String(), err)
	}
}

var aSession = Credentials{
	AccessKeyID:     "ASIAEXAMPLE",
	SecretAccessKey: "secret",
	SessionToken:    "token",
	Expiration:      time.Date(2026, 11, 24, 10, 0, 0, 0, time.FixedZone("CET", 3600)),
	Region:          "eu-west-1",
}

// A tool run with the session sees its keys, region and profile name, and
// nothing that it would prefer to them: no profile, no other session's part.
func TestEnviron(t *testing.T) {
	environ := []string{"HOME=/home/al", "AWS_PROFILE=dev", "AWS_DEFAULT_PROFILE=dev", "AWS_SECURITY_TOKEN=old",
		"AWS_SESSION_TOKEN=old", "AWS_REGION=us-east-1", "VMFA_AWS_PROFILE=other", "AWS_CONFIG_FILE=/etc/aws", "NOEQUALS"}
	want := []string{"HOME=/home/al", "AWS_CONFIG_FILE=/etc/aws", "NOEQUALS",
		"AWS_ACCESS_KEY_ID=ASIAEXAMPLE", "AWS_SECRET_ACCESS_KEY=secret", "AWS_SESSION_TOKEN=token",
		"AWS_CREDENTIAL_EXPIRATION=2026-11-24T09:00:00Z", "AWS_REGION=eu-west-1", "AWS_DEFAULT_REGION=eu-west-1",
		"VMFA_AWS_PROFILE=base"}
	if got := aSession.Environ(environ, "base"); !slices.Equal(got, want) {
		t.Errorf("Environ =\n%q\nwant\n%q", got, want)
	}
	noRegion := aSession
	noRegion.Region = ""
	for _, kv := range noRegion.Environ(nil, "base") {
		if strings.HasPrefix(kv, "AWS_REGION=") || strings.HasPrefix(kv, "AWS_DEFAULT_REGION=") {
			t.Errorf("a profile with no region gives %s", kv)
		}
	}
}

func TestForProcess(t *testing.T) {
	b, err := json.Marshal(aSession.ForProcess())
	want := `{"Version":1,"AccessKeyId":"ASIAEXAMPLE","SecretAccessKey":"secret","SessionToken":"token","Expiration":"2026-11-24T09:00:00Z"}`
	if err != nil || string(b) != want {
		t.Errorf("credential_process JSON = %s (%v), want %s", b, err, want)
	}
}
