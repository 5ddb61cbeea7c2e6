package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/vmfa/vmfa/internal/testenv"
)

// TestScanScreen reads QR codes shown by a real X client on an X server of
// the test's own, through the binary, as a user on a desktop does.
func TestScanScreen(t *testing.T) {
	parallel(t)
	display := testenv.Xvfb(t)
	dir := t.TempDir()
	onScreen := []string{"DISPLAY=" + display}

	// Nothing on the screen: one line, exit 1.
	r := vmfa(t, dir, "", onScreen, "scan", "--screen")
	expect(t, r, 1, "", "vmfa: no QR code on the screen: show the whole code, uncovered, and try again\n")
	if r.stdout != "" || strings.Count(r.stderr, "\n") != 1 {
		t.Fatalf("an empty screen: stdout %q, stderr %q", r.stdout, r.stderr)
	}

	testenv.ShowImage(t, display, testenv.WriteQR(t, filepath.Join(dir, "aws.png"), awsURI, 400), 640, 300)
	r = vmfa(t, dir, "", onScreen, "scan", "--screen")
	if r.code != 0 || r.stdout != awsURI+"\n" || r.stderr != "" {
		t.Fatalf("one code on the screen: %+v", r)
	}

	// Two windows, two codes: both, the upper one first.
	testenv.ShowImage(t, display, testenv.WriteQR(t, filepath.Join(dir, "github.png"), githubURI, 400), 40, 20)
	r = vmfa(t, dir, "", onScreen, "scan", "--screen")
	if r.code != 0 || r.stdout != githubURI+"\n"+awsURI+"\n" || r.stderr != "" {
		t.Fatalf("two codes on the screen: %+v", r)
	}

	// add --screen adds every account on it, as add does from an image.
	r = vmfa(t, dir, "", append(onScreen, pw), "add", "--screen")
	expect(t, r, 0, "Added GitHub:alice\nAdded Amazon Web Services:alice@123456789012\n", "")
	noSecrets(t, r)
	expect(t, vmfa(t, dir, "", []string{pw}, "list"), 0, "GitHub", "")
	expect(t, vmfa(t, dir, "", append(onScreen, pw), "add", "--screen"), 1, "", "already in the vault")
}

func TestScanScreenUsage(t *testing.T) {
	parallel(t)
	dir := t.TempDir()
	// No desktop session at all: one line, exit 1.
	for _, args := range [][]string{{"scan", "--screen"}, {"add", "--screen"}} {
		r := vmfa(t, dir, "", []string{pw}, args...)
		expect(t, r, 1, "", "vmfa: no screen to capture: DISPLAY and WAYLAND_DISPLAY are unset\n")
		if strings.Count(r.stderr, "\n") != 1 {
			t.Fatalf("%v: %q", args, r.stderr)
		}
	}
	expect(t, vmfa(t, dir, "", nil, "scan", "--screen", qrImage("screenshot-1x.png")), 2, "", "give IMAGE files or --screen, not both")
	expect(t, vmfa(t, dir, "", nil, "scan"), 2, "", "requires at least 1 arg")
	expect(t, vmfa(t, dir, "", []string{pw}, "add", "--screen", "--paste"), 2, "", "exactly one")
}
