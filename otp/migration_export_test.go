package otp

import (
	"encoding/base32"
	"reflect"
	"strings"
	"testing"
)

// Writing Google Authenticator exports: every account that fits comes back
// from ParseMigration as it was, labels with colons included, in batches of
// MigrationBatchSize that carry their position and one id.

func TestMigrationURIs(t *testing.T) {
	var accounts []Account
	for i, label := range [][2]string{
		{"GitHub", "alice"}, {"", "no issuer"}, {"No name", ""}, {"", "colon:name"},
		{"Co:lon", "a:b"}, {"x", "x:y"}, {"Ünï", "名前 with spaces"},
	} {
		a := Account{Issuer: label[0], Name: label[1], Secret: "JBSWY3DPEHPK3PX" + string(rune('A'+i)) + "JBSWY3DP"}
		if i%2 == 1 {
			a.Type, a.Counter = HOTP, uint64(i*1000)
		}
		if err := a.Normalize(); err != nil {
			t.Fatal(err)
		}
		accounts = append(accounts, a)
	}
	for len(accounts) < 2*MigrationBatchSize+1 {
		a := accounts[0]
		a.Name = strings.Repeat("n", len(accounts))
		accounts = append(accounts, a)
	}
	uris, err := MigrationURIs(accounts, -7)
	if err != nil {
		t.Fatal(err)
	}
	if len(uris) != 3 {
		t.Fatalf("%d URIs for %d accounts", len(uris), len(accounts))
	}
	var got []Account
	for i, u := range uris {
		list, batch, err := ParseMigration(u)
		if err != nil {
			t.Fatal(err)
		}
		if batch != (Batch{Index: i, Size: 3, ID: -7}) {
			t.Errorf("URI %d: batch %+v", i+1, batch)
		}
		got = append(got, list...)
	}
	if !reflect.DeepEqual(got, accounts) {
		t.Errorf("got back\n%+v\nwant\n%+v", got, accounts)
	}
	// Full batches make no empty one after them.
	for n, want := range map[int]int{1: 1, 10: 1, 11: 2, 20: 2} {
		if uris, err := MigrationURIs(accounts[:n], 1); err != nil || len(uris) != want {
			t.Errorf("%d accounts: %d URIs, want %d (%v)", n, len(uris), want, err)
		}
	}
	if _, err := MigrationURIs(nil, 1); err == nil {
		t.Error("an export of no account")
	}
	steam := Account{Issuer: "Steam", Name: "x", Secret: "JBSWY3DPEHPK3PXP", Type: Steam}
	steam.Normalize()
	if _, err := MigrationURIs([]Account{steam}, 1); err == nil || !strings.Contains(err.Error(), "Steam") {
		t.Errorf("a Steam account gave %v", err)
	}
}

func TestMigrationUnfit(t *testing.T) {
	for _, tc := range []struct {
		a    Account
		want string
	}{
		{Account{Type: TOTP, Algorithm: SHA1, Digits: 6, Period: 30}, ""},
		{Account{Type: HOTP, Algorithm: SHA1, Digits: 6, Counter: 9}, ""},
		{Account{Type: Steam, Algorithm: SHA1, Digits: 5, Period: 30}, "Steam Guard accounts"},
		{Account{Type: TOTP, Algorithm: SHA1, Digits: 7, Period: 30}, "7-digit codes"},
		{Account{Type: TOTP, Algorithm: SHA1, Digits: 8, Period: 30}, "8-digit codes"},
		{Account{Type: HOTP, Algorithm: SHA256, Digits: 6}, "the SHA256 algorithm"},
		{Account{Type: TOTP, Algorithm: SHA512, Digits: 6, Period: 30}, "the SHA512 algorithm"},
		{Account{Type: TOTP, Algorithm: SHA1, Digits: 6, Period: 60}, "a period of 60 seconds"},
		{Account{Type: "motp", Algorithm: SHA1, Digits: 6}, "the OTP type motp"},
	} {
		if got := tc.a.MigrationUnfit(); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.a, got, tc.want)
		}
	}
}

// FuzzMigrationURIs: any valid account either is unfit, or comes back from
// its export exactly.
func FuzzMigrationURIs(f *testing.F) {
	f.Add("GitHub", "alice", []byte("0123456789"), false, uint64(0), int32(1))
	f.Add("", "a:b", []byte("0123456789abcdef"), true, uint64(1<<40), int32(-1))
	f.Add("x:y", "x:y:z", []byte("01234567"), true, uint64(0), int32(0))
	f.Fuzz(func(t *testing.T, issuer, name string, secret []byte, hotp bool, counter uint64, id int32) {
		a := Account{Issuer: issuer, Name: name, Secret: base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(secret)}
		if hotp {
			a.Type, a.Counter = HOTP, counter
		}
		if a.Normalize() != nil || a.MigrationUnfit() != "" {
			return
		}
		uris, err := MigrationURIs([]Account{a}, id)
		if err != nil {
			t.Fatal(err)
		}
		got, batch, err := ParseMigration(uris[0])
		if err != nil || len(got) != 1 || got[0] != a || batch.ID != id {
			t.Fatalf("%+v came back as %+v, %+v, %v", a, got, batch, err)
		}
	})
}
