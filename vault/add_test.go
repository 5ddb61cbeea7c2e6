package vault

import (
	"strings"
	"testing"
	"time"

	"github.com/vmfa/vmfa/otp"
)

var t0 = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)

func TestAddAllIsAllOrNone(t *testing.T) {
	d := &Data{Version: Version}
	gh := otp.Account{Issuer: "GitHub", Name: "alice", Secret: "JBSWY3DPEHPK3PXP"}
	gl := otp.Account{Issuer: "GitLab", Name: "alice", Secret: "GEZDGNBVGY3TQOJQ"}
	if _, _, err := d.AddAll([]otp.Account{gh}, t0, false); err != nil {
		t.Fatal(err)
	}
	dupe := gh
	dupe.Name = "alice2"
	_, _, err := d.AddAll([]otp.Account{gl, dupe}, t0, false)
	if err == nil || !strings.Contains(err.Error(), "GitHub:alice2: already in the vault as GitHub:alice") {
		t.Fatalf("duplicate in a unit: err = %v", err)
	}
	if len(d.Accounts) != 1 {
		t.Fatalf("a refused unit left %d accounts, want 1", len(d.Accounts))
	}
	bad := otp.Account{Issuer: "Bad", Name: "x", Secret: "not base32!"}
	if _, _, err := d.AddAll([]otp.Account{gl, bad}, t0, true); err == nil || len(d.Accounts) != 1 {
		t.Fatalf("an invalid account: err = %v, %d accounts", err, len(d.Accounts))
	}

	added, skipped, err := d.AddAll([]otp.Account{gl, dupe}, t0, true)
	if err != nil || len(added) != 1 || added[0].Label() != "GitLab:alice" ||
		len(skipped) != 1 || skipped[0].Account.Label() != "GitHub:alice2" || skipped[0].Existing.Label() != "GitHub:alice" {
		t.Fatalf("skipExisting: added %v, skipped %v, err %v", added, skipped, err)
	}
	if len(d.Accounts) != 2 {
		t.Fatalf("%d accounts, want 2", len(d.Accounts))
	}
}

// TestTakeCodes checks codes against RFC 4226's and RFC 6238's published
// values, and that only HOTP counters move.
func TestTakeCodes(t *testing.T) {
	d := &Data{Version: Version}
	rfc := "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ" // "12345678901234567890"
	h, err := d.Add(otp.Account{Type: otp.HOTP, Name: "h", Secret: rfc, Counter: 0}, t0)
	if err != nil {
		t.Fatal(err)
	}
	// RFC 6238's SHA256 key; 1111111109 and 1111111111 s fall in consecutive windows.
	tt, err := d.Add(otp.Account{Name: "t", Secret: "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZA====", Digits: 8, Algorithm: otp.SHA256}, t0)
	if err != nil {
		t.Fatal(err)
	}
	e, codes, err := d.TakeCodes(tt.ID, time.Unix(1111111109, 0), true)
	if err != nil || strings.Join(codes, ",") != "68084774,67062674" || d.Accounts[d.Index(tt.ID)].Account != e.Account {
		t.Fatalf("TOTP at 1111111109 s: %v %v", codes, err)
	}

	e, codes, err = d.TakeCodes(h.ID, t0, false)
	if err != nil || e.Counter != 0 || strings.Join(codes, ",") != "755224" {
		t.Fatalf("HOTP 0: %v %v %v", e.Counter, codes, err)
	}
	e, codes, err = d.TakeCodes(h.ID, t0, true)
	if err != nil || e.Counter != 1 || strings.Join(codes, ",") != "287082,359152" {
		t.Fatalf("HOTP 1, 2: %v %v %v", e.Counter, codes, err)
	}
	if got := d.Accounts[d.Index(h.ID)].Counter; got != 3 {
		t.Fatalf("counter after three codes = %d, want 3", got)
	}
}
