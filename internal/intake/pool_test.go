package intake

import (
	"encoding/base64"
	"encoding/json"
	"net/url"
	"os"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"

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

// exportPart encodes part index of size of the Google Authenticator export
// with that id, holding one TOTP account, as the app writes it.
func exportPart(index, size int, id int32, issuer string) string {
	var p []byte
	p = protowire.AppendTag(p, 1, protowire.BytesType)
	p = protowire.AppendBytes(p, []byte("0123456789abcdef"+issuer))
	p = protowire.AppendTag(p, 2, protowire.BytesType)
	p = protowire.AppendString(p, "bob")
	p = protowire.AppendTag(p, 3, protowire.BytesType)
	p = protowire.AppendString(p, issuer)
	var payload []byte
	payload = protowire.AppendTag(payload, 1, protowire.BytesType)
	payload = protowire.AppendBytes(payload, p)
	for _, f := range [][2]uint64{{3, uint64(size)}, {4, uint64(index)}, {5, uint64(id)}} {
		payload = protowire.AppendTag(payload, protowire.Number(f[0]), protowire.VarintType)
		payload = protowire.AppendVarint(payload, f[1])
	}
	return "otpauth-migration://offline?data=" + url.QueryEscape(base64.StdEncoding.EncodeToString(payload))
}

// TestPoolRefusesWholeSource: a source refused, for a QR code that is not an
// OTP one or an export part that disagrees with those pooled, leaves the
// pool as it was, none of its parts pooled.
func TestPoolRefusesWholeSource(t *testing.T) {
	t.Parallel()
	var p Pool
	if err := p.Add("1.png", []string{exportPart(0, 3, 4, "A")}); err != nil {
		t.Fatal(err)
	}
	if err := p.Add("bad.png", []string{githubURI, exportPart(1, 3, 4, "B"), "https://example.com/x"}); err == nil ||
		err.Error() != "bad.png: QR code holds https://example.com/…, not an otpauth:// URI" {
		t.Fatalf("a QR code that is not OTP: %v", err)
	}
	if err := p.Add("odd.png", []string{exportPart(1, 3, 4, "B"), exportPart(2, 4, 4, "C")}); err == nil ||
		err.Error() != "odd.png: Google Authenticator export parts disagree on their count (3 and 4)" {
		t.Fatalf("parts that disagree: %v", err)
	}
	units, err := p.Units()
	if len(units) != 0 || err == nil || err.Error() != "1.png: Google Authenticator export is incomplete: QR 2, 3 of 3 missing; scan every QR code the export shows" {
		t.Fatalf("a refused source changed the pool: %+v, %v", units, err)
	}
	if err := p.Add("2-3.png", []string{exportPart(2, 3, 4, "C"), exportPart(1, 3, 4, "B")}); err != nil {
		t.Fatal(err)
	}
	u, err := p.Unit()
	if err != nil || u.Source != "1.png, 2-3.png" || len(u.Accounts) != 3 || u.Accounts[1].Issuer != "B" {
		t.Fatalf("Unit = %+v, %v", u, err)
	}
}

// TestPoolCopies: a copy of a pool is a pool of its own, as the
// interface's model, a value, needs.
func TestPoolCopies(t *testing.T) {
	t.Parallel()
	var p Pool
	if err := p.Add("1.png", []string{exportPart(0, 2, 8, "A")}); err != nil {
		t.Fatal(err)
	}
	before := p
	if err := p.AddText("pasted text", exportPart(1, 2, 8, "B")+" "+githubURI); err != nil {
		t.Fatal(err)
	}
	if _, err := before.Unit(); err == nil {
		t.Fatal("adding to a pool completed its copy's export")
	}
	other := before
	if err := other.Add("3.png", []string{exportPart(1, 2, 8, "C")}); err != nil {
		t.Fatal(err)
	}
	u, err := p.Unit()
	if err != nil || u.Source != "pasted text, 1.png" || len(u.Accounts) != 3 || u.Accounts[0].Issuer != "GitHub" || u.Accounts[2].Issuer != "B" {
		t.Fatalf("Unit = %+v, %v", u, err)
	}
	if u, err := other.Unit(); err != nil || u.Accounts[1].Issuer != "C" {
		t.Fatalf("the copy = %+v, %v", u, err)
	}
}

// TestPoolAddText: pasted text is split into URIs (uriFields), and its
// errors say what the text is, not that a QR code holds it.
func TestPoolAddText(t *testing.T) {
	t.Parallel()
	var p Pool
	if err := p.AddText("pasted text", githubURI+" https://example.com/?secret=JBSWY3DPEHPK3PXP"); err == nil ||
		err.Error() != "pasted text: https://example.com/… is not an otpauth:// URI" {
		t.Errorf("AddText of a web address = %v", err)
	}
	if err := p.AddText("pasted text", "otpauth://totp/x?secret=JBSWY3DPEHPK3PX1"); err == nil ||
		!strings.HasPrefix(err.Error(), "pasted text: secret is not valid base32") {
		t.Errorf("AddText of a bad secret = %v", err)
	}
	if units, err := p.Units(); len(units) != 0 || err != nil {
		t.Errorf("refused text was pooled: %+v, %v", units, err)
	}
	if err := p.AddText("pasted text", " \n"); err != nil {
		t.Fatal(err)
	}
	if u, err := p.Unit(); err != nil || len(u.Accounts) != 0 {
		t.Errorf("blank text = %+v, %v", u, err)
	}
}
