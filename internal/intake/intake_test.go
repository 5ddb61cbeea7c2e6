package intake

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/vmfa/vmfa/internal/testenv"
	"github.com/vmfa/vmfa/otp"
)

const githubURI = "otpauth://totp/GitHub:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=GitHub"

// migrationURIs returns the otpauth-migration:// URIs of the shared
// corpus, by vector ID.
func migrationURIs(t *testing.T) map[string]string {
	t.Helper()
	var v struct{ Vectors []struct{ ID, URI string } }
	b, err := os.ReadFile(testenv.SharedCorpus(t, "migration/vectors.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	uris := map[string]string{}
	for _, vec := range v.Vectors {
		uris[vec.ID] = vec.URI
	}
	return uris
}

func TestClassify(t *testing.T) {
	t.Parallel()
	migration := migrationURIs(t)["scito_example_export_1"]
	for _, c := range []struct {
		text string
		want Kind
	}{
		{"", Empty},
		{" \n\t", Empty},
		{githubURI, URI},
		{"  " + githubURI + "\n", URI},
		{"'" + githubURI + "'", URI}, // as some terminals paste
		{`"` + githubURI + `"`, URI},
		{"OTPAUTH://TOTP/x?secret=JBSWY3DPEHPK3PXP", URI},
		{migration, URI},
		{githubURI + " " + migration, URI},
		{"otpauthx://totp/x", Other},
		{"/home/alice/shot.png", Path},
		{"~/Desktop/shot.png", Path},
		{"./shot.png", Path},
		{"'/tmp/Screen Shot.png'", Path},
		{"file:///tmp/Screen%20Shot.png", Path},
		{"jbsw y3dp ehpk 3pxp jbsw y3dp ehpk 3pxp", Secret}, // as AWS shows it
		{"JBSWY3DPEHPK3PXP====", Secret},
		{"JBSWY3DP", Other}, // base32, but too short for a secret
		{"hunter2 is my password", Other},
		{"https://example.com/?secret=JBSWY3DPEHPK3PXP", Other},
	} {
		if got := Classify(c.text); got != c.want {
			t.Errorf("Classify(%q) = %v, want %v", c.text, got, c.want)
		}
	}
}

func TestNotSecret(t *testing.T) {
	t.Parallel()
	if err := NotSecret("JBSWY3DP"); err == nil || !strings.Contains(err.Error(), "secret is too short: 40 bits") {
		t.Errorf("NotSecret of a short secret = %v", err)
	}
	for _, text := range []string{"hunter2 is my password", "", "  "} {
		if err := NotSecret(text); err != nil {
			t.Errorf("NotSecret(%q) = %v: text that is no secret is described", text, err)
		}
	}
}

func TestTyped(t *testing.T) {
	t.Parallel()
	u, err := Typed("manual entry", otp.Account{Issuer: "Amazon Web Services", Name: "alice@123456789012", Secret: "jbsw y3dp ehpk 3pxp jbsw y3dp ehpk 3pxp"})
	if err != nil || u.Source != "manual entry" || len(u.Accounts) != 1 {
		t.Fatalf("Typed = %+v, %v", u, err)
	}
	if a := u.Accounts[0]; a.Secret != "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP" || a.Type != otp.TOTP || a.Digits != 6 || a.Period != 30 {
		t.Errorf("the typed account is not canonical: %+v", a)
	}
	_, err = Typed("manual entry", otp.Account{Issuer: "x", Name: "y", Secret: "hunter2!"})
	if !errors.Is(err, otp.ErrInvalidSecret) || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("Typed with a bad secret = %v", err)
	}
}
