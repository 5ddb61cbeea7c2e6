package otp

import (
	"strings"
	"testing"
	"time"
)

// Steam Guard test vectors. The first two are ValvePython/steam's
// (tests/test_guard.py, test_generate_twofactor_code_for_time: the raw key
// "superdupersecret" at Unix times 3000029 and 3000030). All of them were
// also computed with an independent implementation, DoctorMcKay's
// node-steam-totp 2.1.2 (npm steam-totp, getAuthCode with its clock set to
// the instant), which agrees on every one.
var steamVectors = []struct {
	secret string // base32
	at     int64
	code   string
}{
	{b32.EncodeToString([]byte("superdupersecret")), 3000029, "94R9D"},
	{b32.EncodeToString([]byte("superdupersecret")), 3000030, "YRGQJ"},
	// Aegis's Steam test account (V7 of its importer tests).
	{"JRZCL47CMXVOQMNPZR2F7J4RGI", 0, "C2F47"},
	{"JRZCL47CMXVOQMNPZR2F7J4RGI", 59, "9WW3X"},
	{"JRZCL47CMXVOQMNPZR2F7J4RGI", 1234567890, "WR5P6"},
	{"JRZCL47CMXVOQMNPZR2F7J4RGI", 1608146877, "XM82C"},
	{"JRZCL47CMXVOQMNPZR2F7J4RGI", 1800000000, "34467"},
	{"JRZCL47CMXVOQMNPZR2F7J4RGI", 2000000000, "G7879"},
}

func TestSteamCode(t *testing.T) {
	for _, v := range steamVectors {
		a := Account{Issuer: "Steam", Name: "x", Secret: v.secret, Type: Steam}
		if err := a.Normalize(); err != nil {
			t.Fatal(err)
		}
		if a.Digits != SteamDigits || a.Period != SteamPeriod || a.Algorithm != SHA1 {
			t.Fatalf("Normalize gave %+v, want Steam's fixed parameters", a)
		}
		got, err := a.Code(time.Unix(v.at, 0))
		if err != nil || got != v.code {
			t.Errorf("Code(%s at %d) = %q, %v; want %q", v.secret, v.at, got, err, v.code)
		}
		// The next code is the code of the next window.
		next, err := a.NextCode(time.Unix(v.at, 0))
		want, _ := a.Code(time.Unix(v.at+SteamPeriod, 0))
		if err != nil || next != want {
			t.Errorf("NextCode(%d) = %q, %v; want %q", v.at, next, err, want)
		}
	}
}

func TestSteamCodeAlphabet(t *testing.T) {
	a := Account{Name: "x", Secret: "JRZCL47CMXVOQMNPZR2F7J4RGI", Type: Steam}
	if err := a.Normalize(); err != nil {
		t.Fatal(err)
	}
	for at := int64(0); at < 3000*30; at += 30 {
		code, err := a.Code(time.Unix(at, 0))
		if err != nil || len(code) != SteamDigits || strings.Trim(code, steamAlphabet) != "" {
			t.Fatalf("Code at %d = %q, %v", at, code, err)
		}
	}
}

func TestSteamWindows(t *testing.T) {
	a := Account{Name: "x", Secret: "JRZCL47CMXVOQMNPZR2F7J4RGI", Type: Steam}
	if err := a.Normalize(); err != nil {
		t.Fatal(err)
	}
	if !a.Type.TimeBased() || HOTP.TimeBased() || !TOTP.TimeBased() {
		t.Fatal("TimeBased is wrong")
	}
	at := time.Unix(1800000010, 0)
	if got := a.SecondsLeft(at); got != 20 {
		t.Errorf("SecondsLeft = %d, want 20", got)
	}
	if err := a.Spend(1); err == nil {
		t.Error("Spend on a Steam account succeeded")
	}
}

func TestSteamURI(t *testing.T) {
	const uri = "otpauth://steam/Boeing:Sophia?secret=JRZCL47CMXVOQMNPZR2F7J4RGI&issuer=Boeing&algorithm=SHA1&digits=5&period=30"
	want := Account{Issuer: "Boeing", Name: "Sophia", Secret: "JRZCL47CMXVOQMNPZR2F7J4RGI", Type: Steam,
		Algorithm: SHA1, Digits: 5, Period: 30}
	got, err := ParseURI(uri)
	if err != nil || got != want {
		t.Fatalf("ParseURI = %+v, %v; want %+v", got, err, want)
	}
	// Without parameters, Steam's fixed ones apply.
	if got, err := ParseURI("otpauth://steam/Boeing:Sophia?secret=JRZCL47CMXVOQMNPZR2F7J4RGI&issuer=Boeing"); err != nil || got != want {
		t.Fatalf("ParseURI without parameters = %+v, %v", got, err)
	}
	out := want.URI()
	if !strings.HasPrefix(out, "otpauth://steam/Boeing:Sophia?secret=JRZCL47CMXVOQMNPZR2F7J4RGI") {
		t.Errorf("URI() = %q", out)
	}
	if back, err := ParseURI(out); err != nil || back != want {
		t.Errorf("ParseURI(URI()) = %+v, %v", back, err)
	}
}

func TestSteamInvalid(t *testing.T) {
	for _, tt := range []struct{ uri, wantErr string }{
		{"otpauth://steam/x?secret=JRZCL47CMXVOQMNPZR2F7J4RGI&digits=6", "5-character codes"},
		{"otpauth://steam/x?secret=JRZCL47CMXVOQMNPZR2F7J4RGI&algorithm=SHA256", "uses SHA1"},
		{"otpauth://steam/x?secret=JRZCL47CMXVOQMNPZR2F7J4RGI&period=60", "30-second windows"},
	} {
		if _, err := ParseURI(tt.uri); err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("ParseURI(%q) = %v, want %q", tt.uri, err, tt.wantErr)
		}
	}
	a := Account{Name: "x", Secret: "JRZCL47CMXVOQMNPZR2F7J4RGI", Type: Steam, Algorithm: SHA1, Digits: 5, Period: 30, Counter: 3}
	if err := a.Validate(); err == nil {
		t.Error("a Steam account with a counter validated")
	}
	// Five digits stay refused for the other types.
	a = Account{Name: "x", Secret: "JRZCL47CMXVOQMNPZR2F7J4RGI", Type: TOTP, Algorithm: SHA1, Digits: 5, Period: 30}
	if err := a.Validate(); err == nil {
		t.Error("a 5-digit TOTP account validated")
	}
}
