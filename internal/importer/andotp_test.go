package importer

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha1"
	"encoding/binary"
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
