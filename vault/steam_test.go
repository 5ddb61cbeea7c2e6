package vault

import (
	"testing"
	"time"

	"github.com/vmfa/vmfa/otp"
)

// A Steam Guard account is saved, loaded back whole and gives its codes.
func TestSteamAccount(t *testing.T) {
	_, v := newTestVault(t)
	steam := otp.Account{Issuer: "Steam", Name: "Sophia", Secret: "JRZCL47CMXVOQMNPZR2F7J4RGI", Type: otp.Steam}
	d, err := v.Update(func(d *Data) error {
		_, _, err := d.AddAll([]otp.Account{steam}, t0, false)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	id := d.Accounts[0].ID
	d = mustLoad(t, v)
	got := d.Accounts[0].Account
	want := otp.Account{Issuer: "Steam", Name: "Sophia", Secret: "JRZCL47CMXVOQMNPZR2F7J4RGI", Type: otp.Steam,
		Algorithm: otp.SHA1, Digits: otp.SteamDigits, Period: otp.SteamPeriod}
	if got != want {
		t.Fatalf("loaded %+v, want %+v", got, want)
	}
	// Vector checked against node-steam-totp (see otp/steam_test.go).
	_, codes, err := d.TakeCodes(id, time.Unix(1800000000, 0), true)
	if err != nil || len(codes) != 2 || codes[0] != "34467" {
		t.Fatalf("TakeCodes = %v, %v; want 34467 and the next", codes, err)
	}
}
