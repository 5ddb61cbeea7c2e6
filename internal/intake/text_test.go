package intake

import (
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/vmfa/vmfa/internal/testenv"
	"github.com/vmfa/vmfa/otp"
)

func TestURIFields(t *testing.T) {
	t.Parallel()
	got := uriFields(" '" + githubURI + "'\n\t" + `"otpauth://totp/b?secret=JBSWY3DPEHPK3PXP"` + " otpauth://totp/c?secret=JBSWY3DPEHPK3PXP ")
	want := []string{githubURI, "otpauth://totp/b?secret=JBSWY3DPEHPK3PXP", "otpauth://totp/c?secret=JBSWY3DPEHPK3PXP"}
	if !slices.Equal(got, want) {
		t.Errorf("uriFields = %q, want %q", got, want)
	}
}

// TestReadURIs reads the scito export list of the shared corpus, with its
// comments, as stdin gives it, and refuses the whole input for one bad line.
func TestReadURIs(t *testing.T) {
	t.Parallel()
	f, err := os.Open(testenv.SharedCorpus(t, "migration/scito/example_export.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	u, err := ReadURIs("stdin", f)
	if err != nil || u.Source != "stdin" || len(u.Accounts) < 2 {
		t.Fatalf("ReadURIs of the scito export = %d accounts, %v", len(u.Accounts), err)
	}
	if a := u.Accounts[0]; a.Issuer != "raspberrypi" || a.Name != "pi@raspberrypi" || a.Secret != "7KSQL2JTUDIS5EF65KLMRQIIGY" {
		t.Errorf("first account %+v", a)
	}

	u, err = ReadURIs("stdin", strings.NewReader("# mine\n\n'"+githubURI+"'\n"))
	if err != nil || len(u.Accounts) != 1 || u.Accounts[0].Issuer != "GitHub" {
		t.Errorf("a quoted URI: %+v, %v", u, err)
	}

	uris := migrationURIs(t)
	for _, c := range []struct{ input, want string }{
		{githubURI + "\n\notpauth://totp/x?secret=JBSWY3DPEHPK3PX1\n", "line 3: secret is not valid base32"},
		{githubURI + "\nhttps://example.com/?secret=JBSWY3DPEHPK3PXP", "line 2: https://example.com/… is not an otpauth:// URI; nothing was added"},
		{uris["jc_1of3"] + "\n" + uris["jc_3of3"], "Google Authenticator export is incomplete: QR 2 of 3 missing"},
		{"# nothing\n\n", "no otpauth:// URI on stdin"},
		{strings.Repeat("A", MaxLine+1), "reading stdin: line 1 is too long"},
	} {
		u, err := ReadURIs("stdin", strings.NewReader(c.input))
		if err == nil || !strings.Contains(err.Error(), c.want) || len(u.Accounts) != 0 {
			t.Errorf("ReadURIs = %d accounts, %v; want %q", len(u.Accounts), err, c.want)
		}
		if err != nil && strings.Contains(err.Error(), "JBSWY3DPEHPK3PX") {
			t.Errorf("the error quotes a secret: %v", err)
		}
	}
	var notOTP *otp.NotOTPError
	if _, err := ReadURIs("stdin", strings.NewReader("hello")); !errors.As(err, &notOTP) {
		t.Errorf("a line that is no URI: %v", err)
	}
}
