package exporter

import (
	"encoding/base32"
	"reflect"
	"strings"
	"testing"

	"github.com/vmfa/vmfa/internal/importer"
	"github.com/vmfa/vmfa/otp"
	"github.com/vmfa/vmfa/vault"
)

// FuzzRoundTrip exports any valid account in every format (Aegis plain:
// scrypt would make each run take 100 ms) and imports it back through the
// real importer: the same account must come out, or, for Google
// Authenticator, be named as left out.
func FuzzRoundTrip(f *testing.F) {
	for _, a := range accountsOfEveryKind {
		raw, _ := a.SecretBytes()
		f.Add(a.Issuer, a.Name, raw, string(a.Type), string(a.Algorithm), uint8(a.Digits), uint16(a.Period), a.Counter)
	}
	f.Fuzz(func(t *testing.T, issuer, name string, secret []byte, typ, alg string, digits uint8, period uint16, counter uint64) {
		a := otp.Account{
			Issuer: issuer, Name: name, Secret: base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(secret),
			Type: otp.Type(typ), Algorithm: otp.Algorithm(alg), Digits: int(digits), Period: int(period), Counter: counter,
		}
		if a.Normalize() != nil {
			return
		}
		want := []otp.Account{a}
		check := func(format string, data []byte) {
			t.Helper()
			got, err := importer.Parse(format, data, nil)
			if err != nil {
				t.Fatalf("%s: importing %+v: %v", format, a, err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%s: %+v came back as %+v", format, a, got)
			}
		}
		entries := []vault.Entry{{ID: "fuzz", Account: a}}
		check("uri", URIs(entries))
		data, err := Aegis(entries, nil, Random)
		if err != nil {
			t.Fatal(err)
		}
		check("aegis", data)
		if data, err = JSON(&vault.Data{Version: vault.Version, Accounts: entries}); err != nil {
			t.Fatal(err)
		}
		check("vmfa", data)
		uris, left, err := Google(entries, Random)
		switch {
		case err != nil:
			t.Fatal(err)
		case a.MigrationUnfit() != "":
			if len(uris) != 0 || len(left) != 1 {
				t.Fatalf("google: %+v is unfit, yet gave %d URIs and %d left out", a, len(uris), len(left))
			}
		default:
			check("uri", []byte(strings.Join(uris, "\n")))
		}
	})
}
