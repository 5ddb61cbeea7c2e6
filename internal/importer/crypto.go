package importer

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"errors"
	"fmt"
	"hash"
)

// The encrypted formats use these standard constructions, each from the
// standard library or golang.org/x/crypto: AES-256 in GCM mode (NIST SP
// 800-38D) or in CBC mode with PKCS #7 padding (RFC 5652 §6.3), with keys
// from PBKDF2 (RFC 8018), scrypt (RFC 7914), Argon2id (RFC 9106) or, in
// old formats, a bare SHA-256 of the password.

// gcmOpen decrypts and authenticates AES-GCM ciphertext (with its 16-byte
// tag at the end). A failed authentication is ErrWrongPassword.
func gcmOpen(key, nonce, sealed, aad []byte) ([]byte, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, errors.New("the file's key has an impossible size")
	}
	aead, err := cipher.NewGCMWithNonceSize(block, len(nonce))
	if err != nil || len(nonce) == 0 {
		return nil, errors.New("the file's nonce has an impossible size")
	}
	if len(sealed) < aead.Overhead() {
		return nil, errors.New("the encrypted data is truncated")
	}
	plain, err := aead.Open(nil, nonce, sealed, aad)
	if err != nil {
		return nil, ErrWrongPassword
	}
	return plain, nil
}

// cbcOpen decrypts AES-CBC ciphertext and removes its PKCS #7 padding.
// CBC does not authenticate: bad padding is ErrWrongPassword, and a
// caller must check that what it gets parses.
func cbcOpen(key, iv, data []byte) ([]byte, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, errors.New("the file's key has an impossible size")
	}
	if len(iv) != aes.BlockSize {
		return nil, errors.New("the file's IV has an impossible size")
	}
	if len(data) == 0 || len(data)%aes.BlockSize != 0 {
		return nil, errors.New("the encrypted data is truncated")
	}
	plain := make([]byte, len(data))
	cipher.NewCBCDecrypter(block, iv).CryptBlocks(plain, data)
	n := int(plain[len(plain)-1])
	if n == 0 || n > aes.BlockSize {
		return nil, ErrWrongPassword
	}
	for _, b := range plain[len(plain)-n:] {
		if int(b) != n {
			return nil, ErrWrongPassword
		}
	}
	return plain[:len(plain)-n], nil
}

// pbkdf2Key derives a 32-byte AES-256 key with PBKDF2 and the named HMAC
// hash, refusing iteration counts no app uses.
func pbkdf2Key(h func() hash.Hash, password string, salt []byte, iterations int) ([]byte, error) {
	if iterations < 1 || iterations > maxIterations {
		return nil, fmt.Errorf("the file asks for %d PBKDF2 iterations, outside 1 to %d", iterations, maxIterations)
	}
	return pbkdf2.Key(h, password, salt, iterations, 32)
}

// Hashes by the names Java's SecretKeyFactory gives PBKDF2 variants.
var pbkdf2Hashes = map[string]func() hash.Hash{
	"PBKDF2WITHHMACSHA1":   sha1.New,
	"PBKDF2WITHHMACSHA256": sha256.New,
	"PBKDF2WITHHMACSHA512": sha512.New,
}
