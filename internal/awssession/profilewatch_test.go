package awssession

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// TestMFAProfileWatch: the config file is read again when it changed,
// appeared or went away, and not otherwise.
func TestMFAProfileWatch(t *testing.T) {
	config := filepath.Join(t.TempDir(), "config")
	t.Setenv("AWS_CONFIG_FILE", config)
	var w MFAProfileWatch
	check := func(wantChanged bool, want ...MFAProfile) {
		t.Helper()
		got, changed := w.MFAProfiles()
		if changed != wantChanged || !slices.Equal(got, want) {
			t.Fatalf("got %v (changed %v), want %v (changed %v)", got, changed, want, wantChanged)
		}
	}
	check(true) // no file: no profile, read
	check(false)
	base := MFAProfile{Name: "base", MFASerial: "arn:aws:iam::123456789012:mfa/alice"}
	write := func(text string, mtime time.Time) {
		t.Helper()
		if err := os.WriteFile(config, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		os.Chtimes(config, mtime, mtime)
	}
	t0 := time.Now().Add(-time.Hour).Truncate(time.Second)
	write("[profile base]\nmfa_serial = "+base.MFASerial+"\n", t0)
	check(true, base)
	check(false, base)
	// The same size, a new time: an edit.
	write("[profile bASE]\nmfa_serial = "+base.MFASerial+"\n", t0.Add(time.Second))
	check(true, MFAProfile{Name: "bASE", MFASerial: base.MFASerial})
	os.Remove(config)
	check(true)
	check(false)
}
