package exporter

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vmfa/vmfa/internal/importer"
	"github.com/vmfa/vmfa/otp"
	"github.com/vmfa/vmfa/vault"
)

// Export → import round trips through the real importer, which must give
// back every field of every account the format can hold.

// accountsOfEveryKind covers every type, algorithm, digit count, odd
// periods and counters, and the labels that are hard to write: no issuer, no
// name, colons in either, spaces, "+", non-ASCII.
var accountsOfEveryKind = []otp.Account{
	{Issuer: "GitHub", Name: "alice", Secret: "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", Type: otp.TOTP, Algorithm: otp.SHA1, Digits: 6, Period: 30},
	{Issuer: "Amazon Web Services", Name: "alice@123456789012", Secret: "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", Type: otp.TOTP, Algorithm: otp.SHA1, Digits: 6, Period: 30},
	{Issuer: "SPDX", Name: "James", Secret: "5OM4WOOGPLQEF6UGN3CPEOOLWU", Type: otp.TOTP, Algorithm: otp.SHA256, Digits: 7, Period: 20},
	{Issuer: "Airbnb", Name: "Elijah", Secret: "7ELGJSGXNCCTV3O6LKJWYFV2RA", Type: otp.TOTP, Algorithm: otp.SHA512, Digits: 8, Period: 60},
	{Issuer: "Issuu", Name: "James", Secret: "YOOMIXWS5GN6RTBPUFFWKTW5M4", Type: otp.HOTP, Algorithm: otp.SHA1, Digits: 6, Counter: 0},
	{Issuer: "Air Canada", Name: "Benjamin", Secret: "KUVJJOM753IHTNDSZVCNKL7GII", Type: otp.HOTP, Algorithm: otp.SHA256, Digits: 7, Counter: 10299},
	{Issuer: "Steam", Name: "gaben", Secret: "JRZCL47CMXVOQMNPZR2F7J4RGI", Type: otp.Steam, Algorithm: otp.SHA1, Digits: otp.SteamDigits, Period: otp.SteamPeriod},
	{Issuer: "", Name: "no issuer", Secret: "MFRGGZDFMZTWQ2LKNNWG23TPOA", Type: otp.TOTP, Algorithm: otp.SHA1, Digits: 6, Period: 30},
	{Issuer: "No name", Name: "", Secret: "MFRGGZDFMZTWQ2LKNNWG23TPOE", Type: otp.TOTP, Algorithm: otp.SHA1, Digits: 6, Period: 30},
	{Issuer: "", Name: "colon:in name", Secret: "MFRGGZDFMZTWQ2LKNNWG23TPOI", Type: otp.TOTP, Algorithm: otp.SHA1, Digits: 6, Period: 30},
	{Issuer: "Co:lon", Name: "and:name", Secret: "MFRGGZDFMZTWQ2LKNNWG23TPOM", Type: otp.HOTP, Algorithm: otp.SHA1, Digits: 6, Counter: 3},
	{Issuer: "Plus+Space & more", Name: "ünïcødé 名前", Secret: "MFRGGZDFMZTWQ2LKNNWG23TPOQ", Type: otp.TOTP, Algorithm: otp.SHA1, Digits: 6, Period: 30},
	{Issuer: "Odd period", Name: "bob", Secret: "MFRGGZDFMZTWQ2LKNNWG23TPOU", Type: otp.TOTP, Algorithm: otp.SHA1, Digits: 6, Period: 45},
}

func entriesOf(accounts []otp.Account) []vault.Entry {
	entries := make([]vault.Entry, len(accounts))
	for i, a := range accounts {
		entries[i] = vault.Entry{ID: strings.Repeat("a", 15) + string(rune('a'+i)), Created: time.Date(2026, 12, 1, 4, 0, 0, 0, time.UTC), Account: a}
	}
	entries[0].Note, entries[0].Pinned = "work laptop", true
	return entries
}

// reimport detects the format of data as a user's import would, and parses it.
func reimport(t *testing.T, data []byte, wantFormat, password string) []otp.Account {
	t.Helper()
	format, err := importer.Detect(data)
	if err != nil || format != wantFormat {
		t.Fatalf("Detect = %q, %v; want %q", format, err, wantFormat)
	}
	got, err := importer.Parse(format, data, func() (string, error) { return password, nil })
	if err != nil {
		t.Fatalf("importing the %s export: %v", format, err)
	}
	return got
}

func sameAccounts(t *testing.T, format string, got, want []otp.Account) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d accounts back, want %d", format, len(got), len(want))
	}
	for i := range want {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("%s: account %d came back as\n%+v, want\n%+v", format, i+1, got[i], want[i])
		}
	}
}

func TestRoundTripURI(t *testing.T) {
	sameAccounts(t, "uri", reimport(t, URIs(entriesOf(accountsOfEveryKind)), "uri", ""), accountsOfEveryKind)
}

func TestRoundTripAegis(t *testing.T) {
	data, err := Aegis(entriesOf(accountsOfEveryKind), nil, Random)
	if err != nil {
		t.Fatal(err)
	}
	sameAccounts(t, "aegis", reimport(t, data, "aegis", ""), accountsOfEveryKind)
	if !bytes.Contains(data, []byte(`"note": "work laptop"`)) || !bytes.Contains(data, []byte(`"favorite": true`)) {
		t.Error("the note and the pin did not go with the account")
	}
}

func TestRoundTripAegisEncrypted(t *testing.T) {
	const password = "correct horse battery staple ü"
	data, err := Aegis(entriesOf(accountsOfEveryKind), ptr(password), Random)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range accountsOfEveryKind {
		if bytes.Contains(data, []byte(secret.Secret)) || bytes.Contains(data, []byte(secret.Issuer+`"`)) && secret.Issuer != "" {
			t.Fatalf("the encrypted export shows %s in the clear", secret.Label())
		}
	}
	sameAccounts(t, "aegis encrypted", reimport(t, data, "aegis", password), accountsOfEveryKind)
	_, err = importer.Parse("aegis", data, func() (string, error) { return "wrong", nil })
	if !errors.Is(err, importer.ErrWrongPassword) {
		t.Errorf("a wrong password gave %v", err)
	}
	for _, want := range []string{`"n": 32768`, `"r": 8`, `"p": 1`, `"type": 1`} {
		if !bytes.Contains(data, []byte(want)) {
			t.Errorf("the password slot lacks %s: Aegis's documented parameters", want)
		}
	}
}

func ptr[T any](v T) *T { return &v }

func TestRoundTripJSON(t *testing.T) {
	entries := entriesOf(accountsOfEveryKind)
	data, err := JSON(&vault.Data{Version: vault.Version, Accounts: entries})
	if err != nil {
		t.Fatal(err)
	}
	sameAccounts(t, "json", reimport(t, data, "vmfa", ""), accountsOfEveryKind)
	d, err := vault.ParseJSON(data)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(d.Accounts, entries) {
		t.Errorf("vault.ParseJSON gives back\n%+v\nwant\n%+v", d.Accounts, entries)
	}
}

// googleFit is what Google Authenticator can hold of accountsOfEveryKind.
func googleFit(t *testing.T) (fit []otp.Account, unfit []string) {
	for _, a := range accountsOfEveryKind {
		if a.MigrationUnfit() == "" {
			fit = append(fit, a)
		} else {
			unfit = append(unfit, a.Label())
		}
	}
	if len(fit) < 5 || len(unfit) < 5 {
		t.Fatalf("the test accounts give %d that fit and %d that don't", len(fit), len(unfit))
	}
	return fit, unfit
}

func TestRoundTripGoogle(t *testing.T) {
	fit, unfit := googleFit(t)
	uris, left, err := Google(entriesOf(accountsOfEveryKind), Random)
	if err != nil {
		t.Fatal(err)
	}
	var leftLabels []string
	for _, l := range left {
		leftLabels = append(leftLabels, l.Label)
	}
	if !reflect.DeepEqual(leftLabels, unfit) {
		t.Errorf("left out %q, want %q", leftLabels, unfit)
	}
	sameAccounts(t, "google", reimport(t, []byte(strings.Join(uris, "\n")), "uri", ""), fit)
}

// TestGoogleBatches checks the batching of a large export: ten accounts a
// QR code, every code with its index, the count and one shared id, as the
// app writes them.
func TestGoogleBatches(t *testing.T) {
	var many []otp.Account
	for i := range 23 {
		a := accountsOfEveryKind[0]
		a.Name = "user" + string(rune('A'+i))
		a.Secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQ" + string(rune('A'+i%26)) + "QA"
		many = append(many, a)
	}
	uris, left, err := Google(entriesOf(many), Random)
	if err != nil || len(left) != 0 {
		t.Fatal(err, left)
	}
	if len(uris) != 3 {
		t.Fatalf("%d QR codes for 23 accounts, want 3", len(uris))
	}
	var all []otp.Account
	var id int32
	for i, uri := range uris {
		accounts, batch, err := otp.ParseMigration(uri)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			id = batch.ID
		}
		if batch.Index != i || batch.Size != 3 || batch.ID != id || len(accounts) != min(10, 23-10*i) {
			t.Errorf("QR code %d: batch %+v with %d accounts", i+1, batch, len(accounts))
		}
		all = append(all, accounts...)
	}
	sameAccounts(t, "google batches", all, many)
}

func TestGoogleNothingFits(t *testing.T) {
	uris, left, err := Google(entriesOf(accountsOfEveryKind[6:7]), Random)
	if err != nil || len(uris) != 0 || len(left) != 1 || !strings.Contains(left[0].String(), "Steam") {
		t.Errorf("Google(steam only) = %q, %v, %v", uris, left, err)
	}
}

// Encode writes each format it knows as that format's writer does, and
// vmfa's JSON with the chosen accounts only.
func TestEncode(t *testing.T) {
	entries := entriesOf(accountsOfEveryKind)
	d := &vault.Data{Version: vault.Version, Accounts: entries}
	chosen := entries[1:3]
	if got, err := Encode("uri", d, chosen, nil); err != nil || !bytes.Equal(got, URIs(chosen)) {
		t.Errorf("uri: %q, %v", got, err)
	}
	got, err := Encode("json", d, chosen, nil)
	if err != nil {
		t.Fatal(err)
	}
	back := reimport(t, got, "vmfa", "")
	if len(back) != len(chosen) || back[0] != chosen[0].Account || back[1] != chosen[1].Account || len(d.Accounts) != len(entries) {
		t.Errorf("json of 2 chosen accounts gave back %d (the vault's Data now has %d)", len(back), len(d.Accounts))
	}
	if got, err = Encode("aegis", d, chosen, nil); err != nil {
		t.Fatal(err)
	}
	if back := reimport(t, got, "aegis", ""); len(back) != len(chosen) {
		t.Errorf("aegis: %d accounts back, want %d", len(back), len(chosen))
	}
	if _, err := Encode("google", d, chosen, nil); err == nil {
		t.Error("Encode wrote the google format, which Google writes")
	}
}
