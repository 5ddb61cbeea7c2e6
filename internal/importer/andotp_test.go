package importer

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/binary"
	"strings"
	"testing"
)

// An andOTP backup in the current format says how many PBKDF2 iterations
// its key took; any count from 1 is read as one (the corpus's files have
// andOTP's own, about 150 000).
func TestAndOTPIterations(t *testing.T) {
	const password = "andotp pässword"
	plain := []byte(`[{"secret":"` + secret + `","issuer":"Example","label":"alice","digits":6,"type":"TOTP","algorithm":"SHA1","period":30}]`)
	for _, iterations := range []int{1, 1000} {
		salt, nonce := make([]byte, andOTPSaltSize), make([]byte, andOTPNonceSize)
		rand.Read(salt)
		rand.Read(nonce)
		key, err := pbkdf2.Key(sha1.New, password, salt, iterations, 32)
		if err != nil {
			t.Fatal(err)
		}
		block, _ := aes.NewCipher(key)
		aead, _ := cipher.NewGCM(block)
		file := binary.BigEndian.AppendUint32(nil, uint32(iterations))
		file = append(append(append(file, salt...), nonce...), aead.Seal(nil, nonce, plain, nil)...)
		accs, err := Parse("andotp", file, func() (string, error) { return password, nil })
		if err != nil || len(accs) != 1 || accs[0].Label() != "Example:alice" {
			t.Errorf("%d iterations: %v, %+v", iterations, err, accs)
		}
	}
}

// The smallest encrypted backups, of one byte of content (andOTPMinSize),
// are decrypted in both formats: what is wrong with them is their content.
func TestAndOTPSmallest(t *testing.T) {
	const password = "test"
	gcm := func(key []byte) cipher.AEAD {
		block, _ := aes.NewCipher(key)
		aead, _ := cipher.NewGCM(block)
		return aead
	}
	nonce := make([]byte, andOTPNonceSize)
	old := sha256.Sum256([]byte(password))
	oldFormat := append(append([]byte(nil), nonce...), gcm(old[:]).Seal(nil, nonce, []byte("["), nil)...)
	salt := make([]byte, andOTPSaltSize)
	key, _ := pbkdf2.Key(sha1.New, password, salt, 1, 32)
	current := append(append(binary.BigEndian.AppendUint32(nil, 1), salt...), nonce...)
	current = append(current, gcm(key).Seal(nil, nonce, []byte("["), nil)...)
	for name, file := range map[string][]byte{"old": oldFormat, "current": current} {
		_, err := Parse("andotp", file, func() (string, error) { return password, nil })
		if err == nil || !strings.Contains(err.Error(), "andOTP backup: not valid JSON") {
			t.Errorf("%s format, %d bytes: %v", name, len(file), err)
		}
	}
}
