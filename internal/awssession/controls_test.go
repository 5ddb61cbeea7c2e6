package awssession

import (
	"strings"
	"testing"

	"github.com/vmfa/vmfa/internal/ststest"
)

// TestCredentialsWithControlsRefused: credentials are printable ASCII at
// AWS; a session token holding C1 CSI and OSC, which 'vmfa aws env' would
// print to the terminal as they are, is no session: it is refused, with an
// error that names the field, never its value.
func TestCredentialsWithControlsRefused(t *testing.T) {
	srv := ststest.New(t)
	awsFiles(t, srv, baseConfig, true)
	srv.TokenSuffix = "\u009b2J\u009d0;PWNED\u009c\x7f"
	c, err := session(t, "base", Request{})
	if err == nil || c != (Credentials{}) {
		t.Fatalf("credentials with terminal controls returned: %v", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "session token") || strings.Contains(msg, "PWNED") || strings.Contains(msg, "\u009b") {
		t.Fatalf("%q: want the field named, not its value", msg)
	}
}

// TestCredentialsPrintableBounds: the printable ASCII AWS's credentials are
// made of runs from '!' to '~', both taken; a space, just before, is not.
func TestCredentialsPrintableBounds(t *testing.T) {
	srv := ststest.New(t)
	awsFiles(t, srv, baseConfig, true)
	for suffix, ok := range map[string]bool{"!~": true, " ": false, "~\x7f": false} {
		srv.TokenSuffix = suffix
		c, err := session(t, "base", Request{})
		if got := err == nil && strings.HasSuffix(c.SessionToken, suffix); got != ok {
			t.Errorf("a session token ending in %q: taken %v (%v), want %v", suffix, got, err, ok)
		}
	}
}
