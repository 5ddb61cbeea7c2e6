package importer

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"strings"
	"testing"
)

// Every plaintext a format can hold comes back out of AES-GCM and AES-CBC,
// whatever its length: none (a GCM message of only its tag), one byte, a
// whole number of blocks (where CBC's padding is a block of its own);
// a wrong key is a wrong password, and data cut short is said to be.
func TestCiphersRoundTrip(t *testing.T) {
	key, wrong := make([]byte, 32), make([]byte, 32)
	rand.Read(key)
	rand.Read(wrong)
	block, err := aes.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	nonce, iv := make([]byte, 12), make([]byte, aes.BlockSize)
	rand.Read(nonce)
	rand.Read(iv)
	for n := range 2*aes.BlockSize + 2 {
		plain := make([]byte, n)
		rand.Read(plain)

		aead, _ := cipher.NewGCM(block)
		sealed := aead.Seal(nil, nonce, plain, []byte("aad"))
		if got, err := gcmOpen(key, nonce, sealed, []byte("aad")); err != nil || !bytes.Equal(got, plain) {
			t.Errorf("GCM, %d bytes: %x, %v; want %x", n, got, err, plain)
		}
		if _, err := gcmOpen(wrong, nonce, sealed, []byte("aad")); !errors.Is(err, ErrWrongPassword) {
			t.Errorf("GCM, %d bytes, wrong key: %v", n, err)
		}

		pad := aes.BlockSize - n%aes.BlockSize
		padded := append(append([]byte(nil), plain...), bytes.Repeat([]byte{byte(pad)}, pad)...)
		ct := make([]byte, len(padded))
		cipher.NewCBCEncrypter(block, iv).CryptBlocks(ct, padded)
		if got, err := cbcOpen(key, iv, ct); err != nil || !bytes.Equal(got, plain) {
			t.Errorf("CBC, %d bytes: %x, %v; want %x", n, got, err, plain)
		}
	}
	// Padding that PKCS #7 can't have: 0, over a block, bytes that differ.
	for _, last := range [][]byte{{0}, {17}, {1, 2}} {
		padded := append(make([]byte, aes.BlockSize-len(last)), last...)
		ct := make([]byte, len(padded))
		cipher.NewCBCEncrypter(block, iv).CryptBlocks(ct, padded)
		if _, err := cbcOpen(key, iv, ct); !errors.Is(err, ErrWrongPassword) {
			t.Errorf("CBC padded with %x: %v", last, err)
		}
	}
	if _, err := gcmOpen(key, nonce, make([]byte, 15), nil); err == nil || !strings.Contains(err.Error(), "truncated") {
		t.Errorf("GCM, shorter than its tag: %v", err)
	}
	for _, n := range []int{0, 15, 17} {
		if _, err := cbcOpen(key, iv, make([]byte, n)); err == nil || !strings.Contains(err.Error(), "truncated") {
			t.Errorf("CBC, %d bytes: %v", n, err)
		}
	}
}
