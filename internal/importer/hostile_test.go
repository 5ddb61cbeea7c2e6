package importer

import (
	"archive/zip"
	"bytes"
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/vmfa/vmfa/otp"
)

// Files made to hurt: each gives a one-line error that quotes no secret,
// fast, and never a panic.

const secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

func parseErr(t *testing.T, format string, data []byte, pw string) error {
	t.Helper()
	start := time.Now()
	_, err := Parse(format, data, func() (string, error) { return pw, nil })
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Parse took %v", d)
	}
	if err == nil {
		t.Fatalf("Parse(%s) succeeded", format)
	}
	if msg := err.Error(); strings.ContainsAny(msg, "\n\r") || strings.Contains(msg, secret[:12]) || len(msg) > 400 {
		t.Errorf("error is not one short line without the secret: %q", msg)
	}
	return err
}

func wantErr(t *testing.T, err error, want string) {
	t.Helper()
	if !strings.Contains(err.Error(), want) {
		t.Errorf("err = %q, want ~%q", err, want)
	}
}

func aegisPlain(entries string) []byte {
	return []byte(`{"version":1,"header":{"slots":null,"params":null},"db":{"version":2,"entries":[` + entries + `]}}`)
}

func TestHostileAccounts(t *testing.T) {
	bad := `{"type":"totp","name":"alice","issuer":"Example","info":{"secret":"` + secret + `1!","algo":"SHA1","digits":6,"period":30}}`
	wantErr(t, parseErr(t, "aegis", aegisPlain(bad), ""), "account 1 (Example:alice): secret is not valid base32")

	short := `{"type":"totp","name":"a","issuer":"E","info":{"secret":"JBSWY3DP","algo":"SHA1","digits":6,"period":30}}`
	wantErr(t, parseErr(t, "aegis", aegisPlain(short), ""), "too short")

	digits := `{"type":"totp","name":"a","issuer":"E","info":{"secret":"` + secret + `","algo":"SHA1","digits":12,"period":30}}`
	wantErr(t, parseErr(t, "aegis", aegisPlain(digits), ""), "12 digits is not supported")

	wantErr(t, parseErr(t, "aegis", []byte(`{"version":1,"header":{},"db":{"version":9,"entries":[]}}`), ""), "version 9")
	wantErr(t, parseErr(t, "aegis", []byte(`{"version":1,"header":{},"db":{"version":1,"entries":[]}}`), ""), "no accounts")
}

// An error names an account by its place in the file, counting those
// vmfa can't generate: the user finds the second entry, not the first.
func TestAccountNumbersCountSkipped(t *testing.T) {
	entries := `{"type":"totp","name":"bob","issuer":"Old","info":{"secret":"` + secret + `","algo":"MD5","digits":6,"period":30}},` +
		`{"type":"totp","name":"alice","issuer":"Example","info":{"secret":"` + secret + `1!","algo":"SHA1","digits":6,"period":30}}`
	wantErr(t, parseErr(t, "aegis", aegisPlain(entries), ""), "account 2 (Example:alice): secret is not valid base32")
}

// MaxFileSize is the largest file read: one of exactly that size is
// parsed (here, found not to be a zip), one a byte over is refused unread.
func TestFileSizeLimit(t *testing.T) {
	data := make([]byte, MaxFileSize+1)
	wantErr(t, parseErr(t, "authenticator-plus", data[:MaxFileSize], ""), "not a valid zip")
	wantErr(t, parseErr(t, "authenticator-plus", data, ""), "the file is over 64 MiB, too large for an export")
}

// Accounts vmfa cannot generate are named, and the others kept for
// --skip-unsupported.
func TestUnsupported(t *testing.T) {
	entries := strings.Join([]string{
		`{"type":"totp","name":"alice","issuer":"Example","info":{"secret":"` + secret + `","algo":"SHA1","digits":6,"period":30}}`,
		`{"type":"totp","name":"bob","issuer":"Old","info":{"secret":"` + secret + `","algo":"MD5","digits":6,"period":30}}`,
		`{"type":"motp","name":"carol","issuer":"Bank","info":{"secret":"` + secret + `","algo":"MD5","digits":6,"period":10,"pin":"1234"}}`,
		`{"type":"yandex","name":"dave","issuer":"Yandex","info":{"secret":"` + secret + `","algo":"SHA256","digits":8,"period":30}}`,
	}, ",")
	err := parseErr(t, "aegis", aegisPlain(entries), "")
	var u *UnsupportedError
	if !errors.As(err, &u) {
		t.Fatalf("err = %v, want *UnsupportedError", err)
	}
	wantErr(t, err, "3 account(s) of a kind vmfa cannot generate codes for: Old:bob (the MD5 algorithm), Bank:carol (mOTP), Yandex:dave (Yandex)")
	if len(u.Accounts) != 1 || u.Accounts[0].Label() != "Example:alice" {
		t.Errorf("kept %+v", u.Accounts)
	}

	uris := "otpauth://motp/Bank:carol?secret=" + secret + "\notpauth://totp/x?secret=" + secret + "&algorithm=MD5\notpauth://totp/Example:alice?secret=" + secret + "\n"
	err = parseErr(t, "uri", []byte(uris), "")
	if !errors.As(err, &u) || len(u.Accounts) != 1 || len(u.Skipped) != 2 {
		t.Fatalf("URI list: %v", err)
	}
	wantErr(t, err, "Bank:carol (mOTP), x (the MD5 algorithm)")
	stratum := `{"Authenticators":[{"Type":3,"Issuer":"Bank","Username":"carol","Secret":"` + secret + `","Algorithm":3,"Digits":6,"Period":10,"Counter":0}]}`
	wantErr(t, parseErr(t, "stratum", []byte(stratum), ""), "Bank:carol (mOTP)")
}

func TestHugeCounts(t *testing.T) {
	var b strings.Builder
	b.WriteString("[")
	for i := range maxAccounts + 1 {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"secret":"%s","issuer":"I","label":"n%d","digits":6,"type":"TOTP","algorithm":"SHA1","period":30}`, secret, i)
	}
	b.WriteString("]")
	wantErr(t, parseErr(t, "andotp", []byte(b.String()), ""), "more than 10000 accounts")

	// A Java map that claims two billion entries.
	hm := javaMapHeader(0x7fffffff)
	wantErr(t, parseErr(t, "freeotp", hm, "test"), "claims")
	// One that claims three and holds one.
	hm = append(javaMapHeader(3), javaString("masterKey")...)
	wantErr(t, parseErr(t, "freeotp", hm, "test"), "truncated")
}

// javaMapHeader is the start of a serialized HashMap of size entries.
func javaMapHeader(size int32) []byte {
	var b bytes.Buffer
	b.Write([]byte{0xac, 0xed, 0, 5, tcObject, tcClassDesc})
	b.Write(javaUTF("java.util.HashMap"))
	b.Write([]byte{0x05, 0x07, 0xda, 0xc1, 0xc3, 0x16, 0x60, 0xd1, 0x03, 0, 2})
	b.WriteByte('F')
	b.Write(javaUTF("loadFactor"))
	b.WriteByte('I')
	b.Write(javaUTF("threshold"))
	b.Write([]byte{tcEndBlockData, tcNull, 0x3f, 0x40, 0, 0, 0, 0, 0, 12, tcBlockData, 8, 0, 0, 0, 16})
	binary.Write(&b, binary.BigEndian, size)
	return b.Bytes()
}

func javaUTF(s string) []byte    { return append([]byte{byte(len(s) >> 8), byte(len(s))}, s...) }
func javaString(s string) []byte { return append([]byte{tcString}, javaUTF(s)...) }

func TestDeepNesting(t *testing.T) {
	deep := strings.Repeat("[", 200000) + strings.Repeat("]", 200000)
	for _, f := range []string{"andotp", "duo", "aegis", "2fas", "stratum", "bitwarden", "freeotp-plus", "proton", "steam"} {
		parseErr(t, f, []byte(deep), "")
	}
	deepXML := "<map>" + strings.Repeat("<a>", 200000) + strings.Repeat("</a>", 200000) + "</map>"
	for _, f := range []string{"authy", "battlenet", "freeotp", "totp-authenticator"} {
		parseErr(t, f, []byte(deepXML), "")
	}
	// Entities are not expanded (no "billion laughs").
	laughs := `<?xml version="1.0"?><!DOCTYPE map [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><map><string name="tokenOrder">&b;</string></map>`
	parseErr(t, "freeotp", []byte(laughs), "")
}

func TestZipBomb(t *testing.T) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create("Accounts.txt")
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("otpauth://totp/a?secret=" + secret + "\n"))
	zeros := make([]byte, 1<<20)
	for range 100 {
		w.Write(zeros)
	}
	zw.Close()
	if buf.Len() > 1<<20 {
		t.Fatalf("the bomb is %d bytes", buf.Len())
	}
	wantErr(t, parseErr(t, "authenticator-plus", buf.Bytes(), ""), "unpacks to over 16 MiB")

	wantErr(t, parseErr(t, "authenticator-plus", []byte("PK\x03\x04garbage"), ""), "not a valid zip")
}

func TestHostileKDF(t *testing.T) {
	// scrypt asked for 2^30 × 8 × 128 bytes of memory.
	vault := `{"version":1,"header":{"slots":[{"type":1,"uuid":"x","key":"00","key_params":{"nonce":"000000000000000000000000","tag":"00000000000000000000000000000000"},"n":1073741824,"r":8,"p":1,"salt":"00"}],"params":{"nonce":"000000000000000000000000","tag":"00000000000000000000000000000000"}},"db":"AAAA"}`
	wantErr(t, parseErr(t, "aegis", []byte(vault), "test"), "password slot 1 asks for scrypt N=2^30, r=8, p=1 (1024 GiB, about 57 min of computing): over vmfa's limit of 1 GiB of memory for a key")
	// A biometric slot only.
	bio := strings.Replace(vault, `"type":1`, `"type":2`, 1)
	wantErr(t, parseErr(t, "aegis", []byte(bio), "test"), "only biometrics")
	// FreeOTP 2 asking for two billion PBKDF2 iterations.
	mk := `{"mAlgorithm":"PBKDF2withHmacSHA1","mEncryptedKey":{"mCipher":"AES/GCM/NoPadding","mCipherText":[1,2],"mParameters":[4,12,1,2,3,4,5,6,7,8,9,10,11,12],"mToken":"AES"},"mIterations":2000000000,"mSalt":[1,2,3]}`
	hm := append(javaMapHeader(1), javaString("masterKey")...)
	hm = append(hm, javaString(mk)...)
	wantErr(t, parseErr(t, "freeotp", hm, "test"), "the file asks for 2000000000 PBKDF2-HMAC-SHA1 iterations (about 13 min of computing): over vmfa's limit of 8 s for a key")
}

func TestSQLiteLimits(t *testing.T) {
	rows := func(n int) []byte {
		return sqliteImage(t, `CREATE TABLE accounts (_id INTEGER PRIMARY KEY, email TEXT, secret TEXT, counter INTEGER, type INTEGER, issuer TEXT);
		WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < `+fmt.Sprint(n)+`)
		INSERT INTO accounts (email, secret, counter, type, issuer) SELECT 'a' || i, '`+secret+`', 0, 0, 'X' FROM n;`)
	}
	db := rows(maxAccounts)
	if f, err := Detect(db); err != nil || f != "google-authenticator-db" {
		t.Fatalf("Detect = %q, %v", f, err)
	}
	if accs, err := Parse("google-authenticator-db", db, nil); err != nil || len(accs) != maxAccounts {
		t.Errorf("%d accounts: %v, %d imported", maxAccounts, err, len(accs))
	}
	// The query stops at the row after the limit.
	wantErr(t, parseErr(t, "google-authenticator-db", rows(maxAccounts+1), ""), "Google Authenticator database: the database holds more than 10000 accounts")

	db = sqliteImage(t, `CREATE TABLE accounts (email TEXT, secret TEXT, counter INTEGER, type INTEGER, issuer TEXT, isencrypted INTEGER);
		INSERT INTO accounts VALUES ('alice', 'x', 0, 0, 'Example', 1);`)
	wantErr(t, parseErr(t, "google-authenticator-db", db, ""), "encrypted with a key only the phone has")

	db = sqliteImage(t, `CREATE TABLE other (x);`)
	wantErr(t, parseErr(t, "google-authenticator-db", db, ""), "no accounts.email column")
	if _, err := Detect(db); err == nil || !strings.Contains(err.Error(), "unrecognized SQLite") {
		t.Errorf("Detect: %v", err)
	}
	// A damaged database: its pages cut off.
	wantErr(t, parseErr(t, "stratum", db[:150], ""), "SQLite database")
}

// sqliteImage makes a database with the given SQL and returns its file.
func sqliteImage(t *testing.T, script string) []byte {
	t.Helper()
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(context.Background(), script); err != nil {
		t.Fatal(err)
	}
	var img []byte
	err = conn.Raw(func(dc any) (err error) {
		img, err = dc.(interface{ Serialize() ([]byte, error) }).Serialize()
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// Truncated fixtures never panic, and what they say is one line.
func TestTruncatedFixtures(t *testing.T) {
	m := master(t)
	for _, fx := range fixtures {
		data := readFixture(t, fx.file)
		for _, n := range []int{0, 1, 16, len(data) / 3, len(data) / 2, len(data) - 17, len(data) - 1} {
			if n < 0 || n >= len(data) {
				continue
			}
			accs, err := Parse(fx.format, data[:n], func() (string, error) { return fx.password, nil })
			if err != nil {
				checkMessage(t, err, m)
				continue
			}
			for _, a := range accs {
				if err := a.Validate(); err != nil {
					t.Errorf("%s cut at %d: invalid account: %v", fx.file, n, err)
				}
			}
		}
	}
}

// The Steam accounts an importer makes are the type the otp package
// computes.
func TestSteamAccountsGenerate(t *testing.T) {
	c := &accounts{}
	if err := c.addEntry(entry{Issuer: "Steam", Name: "x", Type: "STEAM", Secret: secret, Digits: 6, Algorithm: "SHA256", Period: 60}); err != nil {
		t.Fatal(err)
	}
	if a := c.list[0]; a.Type != otp.Steam || a.Digits != 5 || a.Period != 30 || a.Algorithm != otp.SHA1 {
		t.Fatalf("%+v", a)
	}
}

// JSON of the wrong shape is named by what is wrong and where: a field of
// another type, or the whole document.
func TestJSONOfTheWrongType(t *testing.T) {
	wantErr(t, parseErr(t, "aegis", []byte(`{"version":"1"}`), ""), "Aegis vault: unexpected JSON: field version is a string")
	wantErr(t, parseErr(t, "aegis", []byte(`"vault"`), ""), "Aegis vault: unexpected JSON: the document is a string")
}
