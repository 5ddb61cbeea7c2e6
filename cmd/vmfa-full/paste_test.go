package main

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/vmfa/vmfa/internal/testenv"
	"github.com/vmfa/vmfa/otp"
)

// putText puts text on the X11 clipboard of display and waits until it is
// there.
func putText(t *testing.T, display, text string) {
	t.Helper()
	testenv.PutClipboard(t, display, "", strings.NewReader(text))
	if got := clipboardHolds(t, display, text); got != text {
		t.Fatalf("the clipboard holds %q, want %q", got, text)
	}
}

// migrationURI returns an otpauth-migration:// URI of the shared corpus.
func migrationURI(t *testing.T, id string) string {
	t.Helper()
	var v struct{ Vectors []struct{ ID, URI string } }
	b, err := os.ReadFile(testenv.SharedCorpus(t, "migration/vectors.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	for _, vec := range v.Vectors {
		if vec.ID == id {
			return vec.URI
		}
	}
	t.Fatalf("no vector %s", id)
	return ""
}

// TestAddPasteText: text on a real X11 clipboard (Xvfb and xclip): otpauth
// and migration URIs take the URI path; a bare base32 secret, as AWS's "Show
// secret key" gives, takes --issuer and --name.
func TestAddPasteText(t *testing.T) {
	parallel(t)
	display := testenv.Xvfb(t)
	dir := t.TempDir()
	x := []string{pw, "DISPLAY=" + display}

	putText(t, display, githubURI+"\n")
	r := vmfa(t, dir, "", x, "add", "--paste")
	expect(t, r, 0, "Added GitHub:alice\n", "")
	noSecrets(t, r)

	putText(t, display, migrationURI(t, "scito_example_export_png"))
	expect(t, vmfa(t, dir, "", x, "add", "--paste"), 0, "Added Test1:test1@example1.com\nAdded Test2:test2@example2.com\nAdded Test3:test3@example3.com\n", "")

	putText(t, display, "jbsw y3dp ehpk 3pxp jbsw y3dp ehpk 3pxp\n")
	r = vmfa(t, dir, "", x, "add", "--paste", "--issuer", "Amazon Web Services", "--name", "alice@123456789012")
	expect(t, r, 0, "Added Amazon Web Services:alice@123456789012\n", "")
	noSecrets(t, r)
	want, _ := otp.Account{Name: "x", Secret: "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", Type: otp.TOTP}.Code(time.Unix(1_800_000_000, 0))
	expect(t, vmfa(t, dir, "", x, "code", "aws:alice", "--at", "1800000000"), 0, want+"\n", "")

	// No names and no terminal to ask them on.
	putText(t, display, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJX")
	expect(t, vmfa(t, dir, "", x, "add", "--paste"), 1, "", "--issuer and --name")

	// Neither: never echoed, it may be a secret mistyped.
	putText(t, display, "hunter2 is my password")
	r = vmfa(t, dir, "", x, "add", "--paste")
	expect(t, r, 1, "", "neither a QR code image, an otpauth:// URI nor a base32 secret")
	if strings.Contains(r.stderr, "hunter2") {
		t.Errorf("the clipboard's text was echoed: %q", r.stderr)
	}
}

// TestAddPasteSecretAsks: a bare secret asks for the issuer and the name on
// the terminal.
func TestAddPasteSecretAsks(t *testing.T) {
	parallel(t)
	display := testenv.Xvfb(t)
	dir := t.TempDir()
	putText(t, display, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXQ")
	term := onTerminal(t, dir, []string{pw, "DISPLAY=" + display}, true, nil, "add", "--paste")
	term.Expect("Issuer")
	term.Type("Amazon Web Services\r")
	term.Expect("Account name")
	term.Type("bob@123456789012\r")
	if code, screen := term.Wait(); code != 0 || term.Stdout() != "Added Amazon Web Services:bob@123456789012\n" {
		t.Fatalf("exit %d, stdout %q, terminal %q", code, term.Stdout(), screen)
	}
}

// TestAddPasteNoDisplay: with xclip installed but no display (DISPLAY and
// WAYLAND_DISPLAY unset, as over SSH), --paste says there is no display and
// what would work, not to install the xclip that is there.
func TestAddPasteNoDisplay(t *testing.T) {
	parallel(t)
	testenv.Tool(t, "xclip")
	dir := t.TempDir()
	r := vmfa(t, dir, "", []string{pw}, "add", "--paste")
	expect(t, r, 1, "", "no display to read the clipboard from")
	for _, want := range []string{"DISPLAY", "OSC 52", "vmfa add FILE", "vmfa add --uri"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr %q does not say %q", r.stderr, want)
		}
	}
	if strings.Contains(r.stderr, "install") || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
		t.Errorf("stderr %q: want one line, and no advice to install what is installed", r.stderr)
	}
}
