package intake

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/vmfa/vmfa/internal/testenv"
)

// TestPoolSplitExport pools a Google Authenticator export split over three
// QR codes, arriving in any order among other images, into one unit.
func TestPoolSplitExport(t *testing.T) {
	var v struct{ Vectors []struct{ ID, URI string } }
	b, err := os.ReadFile(testenv.SharedCorpus(t, "migration/vectors.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	part := map[string]string{}
	for _, vec := range v.Vectors {
		part[vec.ID] = vec.URI
	}
	const github = "otpauth://totp/GitHub:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=GitHub"

	var p Pool
	for _, img := range []struct{ name, text string }{{"3.png", part["jc_3of3"]}, {"gh.png", github}, {"1.png", part["jc_1of3"]}} {
		if err := p.Add(img.name, []string{img.text}); err != nil {
			t.Fatal(err)
		}
	}
	units, err := p.Units()
	if err == nil || !strings.Contains(err.Error(), "3.png, 1.png: Google Authenticator export is incomplete: QR 2 of 3 missing") {
		t.Fatalf("incomplete export: %v", err)
	}
	if len(units) != 1 || units[0].Source != "gh.png" || units[0].Accounts[0].Issuer != "GitHub" {
		t.Fatalf("units of an incomplete export: %+v", units)
	}
	if err := p.Add("2.png", []string{part["jc_2of3"]}); err != nil {
		t.Fatal(err)
	}
	units, err = p.Units()
	if err != nil || len(units) != 2 || units[1].Source != "3.png, 1.png, 2.png" || len(units[1].Accounts) != 22 {
		t.Fatalf("Units = %d units, %v", len(units), err)
	}

	if err := p.Add("url.png", []string{github, "https://example.com/login"}); err == nil || err.Error() != "url.png: QR code holds https://example.com/…, not an otpauth:// URI" {
		t.Errorf("a QR code that is not OTP: %v", err)
	}
	if units, _ := p.Units(); len(units) != 2 {
		t.Errorf("a refused image added a unit: %d units", len(units))
	}
}
