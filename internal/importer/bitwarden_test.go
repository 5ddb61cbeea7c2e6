package importer

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/crypto/argon2"

	"github.com/vmfa/vmfa/internal/testenv"
)

// The shared corpus has no password-protected Bitwarden export (Aegis's
// importers do not read one), so the test makes them: the corpus's
// bitwarden.json, encrypted as Bitwarden's SDK encrypts it (see
// bitwarden_protected.go), with each key derivation Bitwarden offers.
// Reading it must give exactly what the plain file gives.

// sealBitwarden encrypts plain as a password-protected export. kdf 0 is
// PBKDF2 with iterations, 1 Argon2id with iterations, memory (MiB) and
// threads.
func sealBitwarden(t *testing.T, plain []byte, password string, kdf, iterations, memory, threads int) []byte {
	t.Helper()
	raw := make([]byte, 16)
	rand.Read(raw)
	salt := base64.StdEncoding.EncodeToString(raw)
	var key []byte
	switch kdf {
	case 0:
		var err error
		if key, err = pbkdf2.Key(sha256.New, password, []byte(salt), iterations, 32); err != nil {
			t.Fatal(err)
		}
	case 1:
		h := sha256.Sum256([]byte(salt))
		key = argon2.IDKey([]byte(password), h[:], uint32(iterations), uint32(memory)*1024, uint8(threads), 32)
	}
	encKey, _ := hkdf.Expand(sha256.New, key, "enc", 32)
	macKey, _ := hkdf.Expand(sha256.New, key, "mac", 32)
	seal := func(b []byte) string {
		iv := make([]byte, 16)
		rand.Read(iv)
		n := 16 - len(b)%16
		padded := append(append([]byte(nil), b...), []byte(strings.Repeat(string(rune(n)), n))...)
		block, _ := aes.NewCipher(encKey)
		ct := make([]byte, len(padded))
		cipher.NewCBCEncrypter(block, iv).CryptBlocks(ct, padded)
		m := hmac.New(sha256.New, macKey)
		m.Write(iv)
		m.Write(ct)
		enc := base64.StdEncoding.EncodeToString
		return "2." + enc(iv) + "|" + enc(ct) + "|" + enc(m.Sum(nil))
	}
	export := map[string]any{
		"encrypted": true, "passwordProtected": true, "salt": salt,
		"kdfType": kdf, "kdfIterations": iterations,
		"encKeyValidation_DO_NOT_EDIT": seal([]byte(rand.Text())),
		"data":                         seal(plain),
	}
	if kdf == 1 {
		export["kdfMemory"], export["kdfParallelism"] = memory, threads
	}
	b, err := json.Marshal(export)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestBitwardenPasswordProtected(t *testing.T) {
	plain, err := os.ReadFile(testenv.SharedCorpus(t, "app-exports/bitwarden.json"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := Parse("bitwarden", plain, nil)
	if err != nil || len(want) != 4 {
		t.Fatalf("the plain export: %d accounts, %v", len(want), err)
	}
	const password = "bitwarden pässword"
	for name, file := range map[string][]byte{
		// Cheap parameters, as the test's time is multiplied by every
		// mutant of a mutation test: Bitwarden's least Argon2id, and the
		// least any file can ask.
		"PBKDF2, 5000 iterations":                                           sealBitwarden(t, plain, password, 0, 5000, 0, 0),
		"PBKDF2, 1 iteration (the least a file can ask)":                    sealBitwarden(t, plain, password, 0, 1, 0, 0),
		"Argon2id, 2 iterations, 16 MiB, 4 threads":                         sealBitwarden(t, plain, password, 1, 2, 16, 4),
		"Argon2id, 1 iteration, 1 MiB, 1 thread (the least a file can ask)": sealBitwarden(t, plain, password, 1, 1, 1, 1),
	} {
		if format, err := Detect(file); format != "bitwarden" || err != nil {
			t.Fatalf("%s: Detect = %q, %v", name, format, err)
		}
		asked := 0
		got, err := Parse("bitwarden", file, func() (string, error) { asked++; return password, nil })
		if err != nil || !reflect.DeepEqual(got, want) || asked != 1 {
			t.Errorf("%s: %v (asked %d times); got\n%+v\nwant\n%+v", name, err, asked, got, want)
		}
		if _, err := Parse("bitwarden", file, func() (string, error) { return "wrong", nil }); !errors.Is(err, ErrWrongPassword) {
			t.Errorf("%s: a wrong password gives %v", name, err)
		}
	}
}

func TestBitwardenProtectedHostile(t *testing.T) {
	for _, tc := range []struct{ file, want string }{
		{`{"encrypted":true,"passwordProtected":true,"salt":"c2FsdA==","kdfType":1,"kdfIterations":3,"kdfMemory":1000000,"kdfParallelism":4,` +
			`"encKeyValidation_DO_NOT_EDIT":"2.AAAAAAAAAAAAAAAAAAAAAA==|AAAAAAAAAAAAAAAAAAAAAA==|AA==","data":"2.AAAAAAAAAAAAAAAAAAAAAA==|AAAAAAAAAAAAAAAAAAAAAA==|AA=="}`,
			"Argon2id parameters (3 iterations, 1000000 MiB, 4 threads) are outside what Bitwarden allows"},
		{`{"encrypted":true,"passwordProtected":true,"salt":"c2FsdA==","kdfType":0,"kdfIterations":2000000000,` +
			`"encKeyValidation_DO_NOT_EDIT":"2.AAAAAAAAAAAAAAAAAAAAAA==|AAAAAAAAAAAAAAAAAAAAAA==|AA==","data":"2.AAAAAAAAAAAAAAAAAAAAAA==|AAAAAAAAAAAAAAAAAAAAAA==|AA=="}`,
			"asks for 2000000000 PBKDF2-HMAC-SHA256 iterations"},
		{`{"encrypted":true,"passwordProtected":true,"salt":"c2FsdA==","kdfType":0,"kdfIterations":1,"encKeyValidation_DO_NOT_EDIT":"0.abc","data":"2.a|b|c"}`,
			`encrypted value of type "0"`},
		{`{"encrypted":true,"encKeyValidation_DO_NOT_EDIT":"2.a|b|c","data":"2.a|b|c","items":[]}`, "account restricted"},
	} {
		_, err := Parse("bitwarden", []byte(tc.file), func() (string, error) { return "pw", nil })
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("got %v, want %q", err, tc.want)
		}
	}
}

// Bitwarden's CSV export as people edit it: columns in any order, rows
// cut short (a row without its TOTP column is an item without one), an
// error naming the line or the account.
func TestBitwardenCSV(t *testing.T) {
	uri := "otpauth://totp/Example:alice?secret=" + secret
	csv := "login_totp,name,login_username\n" +
		uri + ",Example\n" + // no username column
		"\n" +
		"steam://" + secret + "\n" // nor name
	got, err := Parse("bitwarden", []byte(csv), nil)
	if err != nil || len(got) != 2 || got[0].Label() != "Example:alice" || got[1].Label() != "Steam" {
		t.Fatalf("%v, %+v", err, got)
	}
	csv = "name,login_username,login_totp\n" +
		"Example,alice," + secret + "\n" +
		"No TOTP,bob\n" + // a row cut before the TOTP column
		"Old,carol\n"
	got, err = Parse("bitwarden", []byte(csv), nil)
	if err != nil || len(got) != 1 || got[0].Label() != "Example:alice" {
		t.Fatalf("%v, %+v", err, got)
	}
	wantErr(t, parseErr(t, "bitwarden", []byte("name,login_totp\nA,"+uri+"\nB,\"x\"y\n"), ""), "Bitwarden CSV export: line 3 is not valid CSV")
	wantErr(t, parseErr(t, "bitwarden", []byte("name,login_totp\nA,"+uri+"\nB,otpauth://totp/B?secret=x!\n"), ""), "account 2: ")
}
