package importer

import (
	"cmp"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vmfa/vmfa/internal/testenv"
	"github.com/vmfa/vmfa/otp"
)

// The test files of Aegis's importers, in ../shared/corpus/app-exports
// (GPL-3.0, so read from there and never copied here). EXPECTED.md there
// lists the master accounts V1 to V8 and, per file, which of them it holds
// and how each app changes them; every imported account is compared with
// that, field by field.

// master reads the master list from EXPECTED.md.
func master(t *testing.T) map[string]otp.Account {
	t.Helper()
	b, err := os.ReadFile(testenv.SharedCorpus(t, "app-exports/EXPECTED.md"))
	if err != nil {
		t.Fatal(err)
	}
	block := regexp.MustCompile("(?s)## Master list.*?```json\n(.*?)```").FindSubmatch(b)
	if block == nil {
		t.Fatal("EXPECTED.md has no master list")
	}
	var list []struct {
		ID, Type, Issuer, Name, Secret, Algo string
		Digits, Period                       int
		Counter                              uint64
	}
	if err := json.Unmarshal(block[1], &list); err != nil {
		t.Fatal(err)
	}
	m := map[string]otp.Account{}
	for _, v := range list {
		a := otp.Account{Issuer: v.Issuer, Name: v.Name, Secret: v.Secret, Type: otp.Type(v.Type),
			Algorithm: otp.Algorithm(v.Algo), Digits: v.Digits, Period: v.Period, Counter: v.Counter}
		if err := a.Validate(); err != nil {
			t.Fatalf("master %s: %v", v.ID, err)
		}
		m[v.ID] = a
	}
	if len(m) != 8 {
		t.Fatalf("master list has %d accounts, want 8", len(m))
	}
	return m
}

// Per-app changes to a master account, as EXPECTED.md describes them.
type change func(*otp.Account)

func exact(*otp.Account) {}

func forceTOTP(a *otp.Account) { // SHA1, 6 digits, 30 s
	*a = otp.Account{Issuer: a.Issuer, Name: a.Name, Secret: a.Secret, Type: otp.TOTP, Algorithm: otp.SHA1, Digits: 6, Period: 30}
}

func twoFASSchema2(a *otp.Account) { // TOTP, keeping algorithm and digits
	if a.Type != otp.TOTP {
		a.Type, a.Period, a.Counter = otp.TOTP, 30, 0
	}
}

func freeOTPCounter(a *otp.Account) { // FreeOTP stores the counter minus one
	if a.Type == otp.HOTP {
		a.Counter--
	}
}

func sha1Digits6(a *otp.Account) { // Google Authenticator's database
	a.Algorithm, a.Digits = otp.SHA1, 6
	if a.Type == otp.TOTP {
		a.Period = 30
	}
}

func authy(a *otp.Account) { a.Algorithm, a.Period = otp.SHA1, 30 }

func totpAuthenticator(a *otp.Account) {
	forceTOTP(a)
	a.Name = strings.ToLower(a.Name)
}

type fixture struct {
	file, format, password string
	ids                    []string
	change                 change
	// extra changes single accounts by id, after change.
	extra map[string]change
}

var (
	v1to6 = []string{"V1", "V2", "V3", "V4", "V5", "V6"}
	v1to7 = append(v1to6[:6:6], "V7")
)

var fixtures = []fixture{
	{"plain.txt", "uri", "", v1to7, exact, nil},
	{"aegis_plain.json", "aegis", "", v1to7, exact, nil},
	{"andotp_plain.json", "andotp", "", v1to7, exact, nil},
	{"2fas_authenticator.json", "2fas", "", v1to6, forceTOTP, nil},
	{"2fas_authenticator_plain.2fas", "2fas", "", []string{"V1", "V3", "V4", "V6"}, twoFASSchema2, nil},
	{"2fas_authenticator_plain_v3.2fas", "2fas", "", v1to6, exact, nil},
	{"2fas_authenticator_plain_v4.2fas", "2fas", "", []string{"V1", "V4", "V5", "V6", "V7"}, exact, nil},
	{"authy_plain.xml", "authy", "", []string{"V1", "V2", "V3"}, authy, nil},
	{"battle_net_authenticator.xml", "battlenet", "", []string{"V8"}, exact, nil},
	// Bitwarden's steam:// field has no label: the item's name is the account's.
	{"bitwarden.json", "bitwarden", "", []string{"V1", "V2", "V3", "V7"}, exact,
		map[string]change{"V7": func(a *otp.Account) { a.Issuer, a.Name = "Steam", "Test Steam" }}},
	{"bitwarden.csv", "bitwarden", "", []string{"V1", "V2", "V3", "V7"}, exact,
		map[string]change{"V7": func(a *otp.Account) { a.Issuer, a.Name = "Steam", "Test 4" }}},
	// Duo keeps no issuer; the file's HOTP counter is 3.
	{"duo.json", "duo", "", []string{"V1", "V4"}, func(a *otp.Account) { a.Issuer = "" },
		map[string]change{"V4": func(a *otp.Account) { a.Counter = 3 }}},
	{"ente_auth.txt", "uri", "", v1to7, exact, nil},
	{"freeotp.xml", "freeotp", "", []string{"V1", "V3", "V4", "V6"}, freeOTPCounter, nil},
	{"freeotp_plus.json", "freeotp-plus", "", v1to6, freeOTPCounter, nil},
	{"freeotp_plus_internal.xml", "freeotp", "", v1to6, freeOTPCounter, nil},
	{"google_authenticator.sqlite", "google-authenticator-db", "", v1to6, sha1Digits6, nil},
	{"microsoft_authenticator.sqlite", "microsoft-authenticator-db", "", v1to7, forceTOTP, nil},
	{"proton_authenticator.json", "proton", "", []string{"V1", "V2", "V3"}, exact, nil},
	{"steam.json", "steam", "", []string{"V7"}, func(a *otp.Account) { a.Issuer = "Steam" }, nil},
	{"steam_old.json", "steam", "", []string{"V7"}, func(a *otp.Account) { a.Issuer = "Steam" }, nil},
	{"stratum_plain.json", "stratum", "", v1to7, exact, nil},
	{"stratum_internal.db", "stratum", "", v1to7, exact, nil},
	{"totp_authenticator_internal.xml", "totp-authenticator", "", []string{"V1", "V2", "V3"}, totpAuthenticator, nil},

	{"encrypted/aegis_encrypted.json", "aegis", "test", v1to7, exact, nil},
	{"encrypted/andotp_encrypted.bin", "andotp", "test", v1to7, exact, nil},
	// Old andOTP wrote the whole label as the name.
	{"encrypted/andotp_encrypted_old.bin", "andotp", "test", v1to6, func(a *otp.Account) { a.Name = a.Issuer + ":" + a.Name }, nil},
	{"encrypted/2fas_authenticator_encrypted.2fas", "2fas", "test", []string{"V1", "V3", "V4", "V6"}, twoFASSchema2, nil},
	{"encrypted/2fas_authenticator_encrypted_v3.2fas", "2fas", "test", v1to6, exact, nil},
	{"encrypted/2fas_authenticator_encrypted_v4.2fas", "2fas", "test", []string{"V1", "V4", "V5", "V6", "V7"}, exact, nil},
	{"encrypted/authenticator_plus.zip", "authenticator-plus", "testtesttest", v1to7, exact, nil},
	{"encrypted/authy_encrypted.xml", "authy", "testtest", []string{"V1", "V2", "V3"}, authy, nil},
	{"encrypted/freeotp_v2_api23.xml", "freeotp", "test", v1to6, exact, nil},
	{"encrypted/freeotp_v2_api25.xml", "freeotp", "test", v1to6, exact, nil},
	{"encrypted/freeotp_v2_api27.xml", "freeotp", "test", v1to6, exact, nil},
	{"encrypted/freeotp_v2_api34.xml", "freeotp", "test", v1to6, exact, nil},
	{"encrypted/freeotp_v2_null_algo.xml", "freeotp", "test", []string{"V1"}, exact, nil},
	{"encrypted/stratum_encrypted.bin", "stratum", "test", v1to7, exact, nil},
	{"encrypted/stratum_encrypted_legacy.bin", "stratum", "test", v1to7, exact, nil},
	{"encrypted/totp_authenticator.bin", "totp-authenticator", "Testtest1", []string{"V1", "V2", "V3"}, totpAuthenticator, nil},
}

func readFixture(t *testing.T, file string) []byte {
	t.Helper()
	b, err := os.ReadFile(testenv.SharedCorpus(t, filepath.Join("app-exports", file)))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func sortAccounts(list []otp.Account) {
	slices.SortFunc(list, func(a, b otp.Account) int {
		return cmp.Or(cmp.Compare(a.Secret, b.Secret), cmp.Compare(a.Label(), b.Label()))
	})
}

func TestFixtures(t *testing.T) {
	m := master(t)
	at := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	for _, fx := range fixtures {
		t.Run(fx.file, func(t *testing.T) {
			data := readFixture(t, fx.file)
			format, err := Detect(data)
			if err != nil || format != fx.format {
				t.Fatalf("Detect = %q, %v; want %q", format, err, fx.format)
			}
			asked := 0
			got, err := Parse(format, data, func() (string, error) {
				asked++
				if fx.password == "" {
					t.Error("a plain file asked for a password")
				}
				return fx.password, nil
			})
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if fx.password != "" && asked != 1 {
				t.Errorf("the password was asked %d times, want once", asked)
			}
			var want []otp.Account
			for _, id := range fx.ids {
				a := m[id]
				fx.change(&a)
				if c := fx.extra[id]; c != nil {
					c(&a)
				}
				want = append(want, a)
			}
			sortAccounts(got)
			sortAccounts(want)
			if len(got) != len(want) {
				t.Fatalf("got %d accounts, want %d:\n%+v", len(got), len(want), got)
			}
			for i := range want {
				if got[i] != want[i] {
					t.Errorf("account %d:\n got %+v\nwant %+v", i, got[i], want[i])
				}
				if _, err := got[i].Code(at); err != nil {
					t.Errorf("%s: Code: %v", got[i].Label(), err)
				}
			}
		})
	}
}

// WinAuth's export is a URI list: only --format winauth applies its labels.
func TestWinAuth(t *testing.T) {
	m := master(t)
	got, err := Parse("winauth", readFixture(t, "plain.txt"), nil)
	if err != nil {
		t.Fatal(err)
	}
	var want []otp.Account
	for _, id := range v1to7 {
		a := m[id]
		a.Issuer, a.Name = a.Name, "WinAuth"
		want = append(want, a)
	}
	sortAccounts(got)
	sortAccounts(want)
	if !slices.Equal(got, want) {
		t.Fatalf("got %+v\nwant %+v", got, want)
	}
}

func TestWrongPassword(t *testing.T) {
	m := master(t)
	for _, fx := range fixtures {
		if fx.password == "" {
			continue
		}
		t.Run(fx.file, func(t *testing.T) {
			_, err := Parse(fx.format, readFixture(t, fx.file), func() (string, error) { return "not " + fx.password, nil })
			if !errors.Is(err, ErrWrongPassword) {
				t.Fatalf("err = %v, want ErrWrongPassword", err)
			}
			checkMessage(t, err, m)
			// No password at all is an error of its own, not a panic.
			if _, err := Parse(fx.format, readFixture(t, fx.file), nil); err == nil {
				t.Fatal("no password: no error")
			}
		})
	}
}

// checkMessage checks that an error is one line and quotes no secret.
func checkMessage(t *testing.T, err error, m map[string]otp.Account) {
	t.Helper()
	msg := err.Error()
	if strings.ContainsAny(msg, "\n\r") || len(msg) > 400 {
		t.Errorf("error is not one short line: %q", msg)
	}
	for _, a := range m {
		if strings.Contains(msg, a.Secret[:12]) {
			t.Errorf("error quotes a secret: %q", msg)
		}
	}
}

// Detect names what it can't import, and tells images (ErrImage) and
// files whose format can be named (ErrUnknownFormat) apart, for the front
// end to say what to do.
func TestDetectOthers(t *testing.T) {
	tests := []struct {
		data, wantErr string
		is            error
	}{
		{"", "empty", nil},
		{"   \n", "empty", nil},
		{"\x89PNG\r\n\x1a\n0000", "the file is an image", ErrImage},
		{"hello, world\n", "unrecognized file, not an export vmfa knows", ErrUnknownFormat},
		{`{"some": "json"}`, "unrecognized JSON", ErrUnknownFormat},
		{`[]`, "unrecognized JSON", ErrUnknownFormat},
		{`<?xml version="1.0"?><map><string name="x">y</string></map>`, "unrecognized XML", nil},
		{`<html></html>`, "no <map>", nil},
	}
	for _, tt := range tests {
		f, err := Detect([]byte(tt.data))
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("Detect(%q) = %q, %v; want error ~%q", tt.data, f, err, tt.wantErr)
		}
		for _, kind := range []error{ErrImage, ErrUnknownFormat} {
			if errors.Is(err, kind) != (kind == tt.is) {
				t.Errorf("Detect(%q): %v; errors.Is(err, %v) should be %v", tt.data, err, kind, kind == tt.is)
			}
		}
	}
	if _, err := Parse("nope", nil, nil); err == nil || !strings.Contains(err.Error(), "aegis") {
		t.Errorf("unknown format: %v", err)
	}
}
