package importer

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha1"
	"errors"
	"fmt"
	"testing"
)

// An encrypted Stratum backup cut short of its header and tag is said to
// be truncated, at once: no key is derived and no password asked.
func TestStratumTruncated(t *testing.T) {
	for _, tc := range []struct {
		magic string
		size  int // of the header (salt, nonce or IV) and a tag or block
	}{
		{stratumMagic, stratumSaltSize + stratumNonceSize + 16},
		{stratumLegacyMagic, stratumLegacySalt + stratumLegacyIVSize + 16},
	} {
		for n := range tc.size {
			data := append([]byte(tc.magic), bytes.Repeat([]byte{1}, n)...)
			_, err := Parse("stratum", data, func() (string, error) { t.Fatal("the password was asked"); return "", nil })
			if err == nil || err.Error() != "Stratum backup: truncated" {
				t.Errorf("%s and %d bytes: %v", tc.magic, n, err)
			}
		}
	}
}

// The app's database: a number column holds 0 to 2^40 (an HOTP counter
// can be large); anything else is refused, naming the account.
func TestStratumDatabaseNumbers(t *testing.T) {
	db := func(counter string) []byte {
		return sqliteImage(t, `CREATE TABLE authenticator (type INTEGER, issuer TEXT, username TEXT, secret TEXT, algorithm INTEGER, digits INTEGER, period INTEGER, counter INTEGER);
			INSERT INTO authenticator VALUES (1, 'Example', 'alice', '`+secret+`', 0, 6, 30, `+counter+`);`)
	}
	accs, err := Parse("stratum", db(fmt.Sprint(int64(1)<<40)), nil)
	if err != nil || len(accs) != 1 || accs[0].Counter != 1<<40 {
		t.Errorf("counter 2^40: %v, %+v", err, accs)
	}
	for _, bad := range []string{fmt.Sprint(int64(1)<<40 + 1), "-1"} {
		wantErr(t, parseErr(t, "stratum", db(bad), ""), "Stratum database: account 1: a number column holds something else")
	}
}

// The legacy encrypted backup's CBC does not authenticate: what decrypts,
// under a wrong password, to something other than a JSON object is a
// wrong password; what decrypts to one is read, down to a single block.
func TestStratumLegacyUnauthenticated(t *testing.T) {
	seal := func(plain string) []byte {
		salt, iv := make([]byte, stratumLegacySalt), make([]byte, stratumLegacyIVSize)
		rand.Read(salt)
		rand.Read(iv)
		key, err := pbkdf2.Key(sha1.New, "test", salt, stratumLegacyRounds, 32)
		if err != nil {
			t.Fatal(err)
		}
		n := aes.BlockSize - len(plain)%aes.BlockSize
		padded := append([]byte(plain), bytes.Repeat([]byte{byte(n)}, n)...)
		block, _ := aes.NewCipher(key)
		cipher.NewCBCEncrypter(block, iv).CryptBlocks(padded, padded)
		return append(append(append([]byte(stratumLegacyMagic), salt...), iv...), padded...)
	}
	password := func() (string, error) { return "test", nil }
	if _, err := Parse("stratum", seal(`["not a backup"]`), password); !errors.Is(err, ErrWrongPassword) {
		t.Errorf("decrypted to something else than a JSON object: %v", err)
	}
	// The smallest: one block.
	if _, err := Parse("stratum", seal(`{}`), password); err == nil || err.Error() != "the file holds no accounts" {
		t.Errorf("a backup of one block: %v", err)
	}
	backup := `{"Authenticators":[{"Type":2,"Issuer":"Example","Username":"alice","Secret":"` + secret + `","Algorithm":0,"Digits":6,"Period":30}]}`
	if accs, err := Parse("stratum", seal(backup), password); err != nil || len(accs) != 1 || accs[0].Label() != "Example:alice" {
		t.Errorf("a backup: %v, %+v", err, accs)
	}
}
