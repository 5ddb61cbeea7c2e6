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
	"math/bits"
	"strings"
	"time"

	"golang.org/x/crypto/argon2"
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

// pbkdf2Key derives a 32-byte AES-256 key from the file's password with
// PBKDF2 and the HMAC of the named hash (see pbkdf2Hashes), if p's budget
// allows the iterations: before the password is asked.
func pbkdf2Key(p *prompt, hashName string, salt []byte, iterations int) ([]byte, error) {
	if iterations < 1 {
		return nil, fmt.Errorf("the file asks for %d PBKDF2 iterations", iterations)
	}
	if err := p.spend("the file", pbkdf2Cost(hashName, iterations)); err != nil {
		return nil, err
	}
	pw, err := p.password()
	if err != nil {
		return nil, err
	}
	return pbkdf2.Key(pbkdf2Hashes[hashName], pw, salt, iterations, 32)
}

// argon2Key derives a 32-byte key from the file's password with Argon2id,
// if p's budget allows it: before the password is asked.
func argon2Key(p *prompt, salt []byte, passes, memoryKiB, threads int) ([]byte, error) {
	if err := p.spend("the file", argon2Cost(passes, memoryKiB, threads)); err != nil {
		return nil, err
	}
	pw, err := p.password()
	if err != nil {
		return nil, err
	}
	return argon2.IDKey([]byte(pw), salt, uint32(passes), uint32(memoryKiB), uint8(threads), 32), nil
}

// Hashes by the names Java's SecretKeyFactory gives PBKDF2 variants.
var pbkdf2Hashes = map[string]func() hash.Hash{
	"PBKDF2WITHHMACSHA1":   sha1.New,
	"PBKDF2WITHHMACSHA256": sha256.New,
	"PBKDF2WITHHMACSHA512": sha512.New,
}

// Key derivation asks of the machine what the file says: a hostile file can
// ask for hours of computing, gigabytes of memory, or both in each of many
// Aegis password slots. Each derivation's cost is estimated from its
// parameters before it runs, and refused over maxKDFMemory or maxKDFTime,
// or when with those of the file before it the total would pass
// maxKDFTotal. The limits are 16 times what the apps use by default, the
// most being Bitwarden's Argon2id (3 passes over 64 MiB, about half a
// second), and well above their fixed parameters (Aegis: scrypt N=2^15,
// r=8, p=1, a tenth of a second).
const (
	maxKDFMemory = 1 << 30         // Bitwarden's largest Argon2id
	maxKDFTime   = 8 * time.Second // of computing, on one core
	maxKDFTotal  = 2 * maxKDFTime  // for all the derivations of a file
)

// The time of each derivation's unit of work on one core of a current PC
// (measured on an AMD EPYC core, best of several runs). The estimates are
// for refusing what is far out, not for predicting: a laptop core may take
// twice as long.
const (
	scryptUnitTime = 400 * time.Nanosecond  // a 128-byte block mixed, N·r·p of them
	argon2UnitTime = 2500 * time.Nanosecond // a KiB block filled in a pass
)

// pbkdf2IterationTime is the time of a PBKDF2 iteration (two HMAC
// compressions) by hash.
var pbkdf2IterationTime = map[string]time.Duration{
	"PBKDF2WITHHMACSHA1":   400 * time.Nanosecond,
	"PBKDF2WITHHMACSHA256": 400 * time.Nanosecond,
	"PBKDF2WITHHMACSHA512": 850 * time.Nanosecond,
}

// A kdfCost is what a key derivation asks of the machine.
type kdfCost struct {
	what   string        // "scrypt N=2^20, r=4, p=16"
	memory int64         // bytes
	time   time.Duration // estimated, on one core
}

func scryptCost(n, r, p int) kdfCost {
	what := fmt.Sprintf("scrypt N=%d, r=%d, p=%d", n, r, p)
	if n > 1 && n&(n-1) == 0 {
		what = fmt.Sprintf("scrypt N=2^%d, r=%d, p=%d", bits.TrailingZeros(uint(n)), r, p)
	}
	// Memory: N blocks of 128·r bytes, and p more.
	return kdfCost{what, mulCapped(128, r, n) + mulCapped(128, r, p), time.Duration(mulCapped(n, r, p)) * scryptUnitTime}
}

func pbkdf2Cost(hashName string, iterations int) kdfCost {
	name := strings.TrimPrefix(hashName, "PBKDF2WITH")
	name = strings.Replace(name, "HMACSHA", "HMAC-SHA", 1)
	return kdfCost{fmt.Sprintf("%d PBKDF2-%s iterations", iterations, name), 0, time.Duration(max(iterations, 0)) * pbkdf2IterationTime[hashName]}
}

// argon2Cost is the cost of Argon2id with passes over memoryKiB KiB in
// threads lanes. The lanes share the work out over the cores, and the
// estimate is of the work: one core's time.
func argon2Cost(passes, memoryKiB, threads int) kdfCost {
	return kdfCost{
		fmt.Sprintf("Argon2id of %d passes over %d MiB in %d threads", passes, memoryKiB>>10, threads),
		int64(memoryKiB) << 10,
		time.Duration(mulCapped(passes, memoryKiB, 1)) * argon2UnitTime,
	}
}

// mulCapped multiplies non-negative ints, stopping at 2^40 (a cost far
// over every limit) rather than overflowing.
func mulCapped(a, b, c int) int64 {
	const capped = 1 << 40
	n := int64(1)
	for _, f := range []int{a, b, c} {
		if f <= 0 {
			return 0
		}
		if n > capped/int64(f) {
			return capped
		}
		n *= int64(f)
	}
	return n
}

// fits reports whether a derivation of cost c is within the limits of one.
func (c kdfCost) fits() bool { return c.memory <= maxKDFMemory && c.time <= maxKDFTime }

// String describes the cost: "scrypt N=2^20, r=4, p=16 (512 MiB, about 27
// s of computing)".
func (c kdfCost) String() string {
	if c.memory < 1<<20 {
		return fmt.Sprintf("%s (about %s of computing)", c.what, duration(c.time))
	}
	return fmt.Sprintf("%s (%s, about %s of computing)", c.what, sizeOf(c.memory), duration(c.time))
}

// spend takes c, which who ("the file", "password slot 2") asks for, from
// the budget of the file's key derivations, or refuses it, naming the cost
// and the limit.
func (p *prompt) spend(who string, c kdfCost) error {
	switch {
	case c.memory > maxKDFMemory:
		return fmt.Errorf("%s asks for %v: over vmfa's limit of %s of memory for a key", who, c, sizeOf(maxKDFMemory))
	case c.time > maxKDFTime:
		return fmt.Errorf("%s asks for %v: over vmfa's limit of %s for a key", who, c, duration(maxKDFTime))
	case p.spent+c.time > maxKDFTotal:
		return fmt.Errorf("%s asks for %v after %d key derivations, about %s in all: over vmfa's limit of %s for a file",
			who, c, p.derivations, duration(p.spent+c.time), duration(maxKDFTotal))
	}
	p.spent += c.time
	p.derivations++
	return nil
}

func sizeOf(n int64) string {
	if n >= 1<<30 {
		return fmt.Sprintf("%d GiB", n>>30)
	}
	return fmt.Sprintf("%d MiB", n>>20)
}

// duration writes d as "0.4 s", "27 s", "57 min" or "3 h".
func duration(d time.Duration) string {
	switch {
	case d < 10*time.Second && d%time.Second != 0:
		return fmt.Sprintf("%.1f s", d.Seconds())
	case d < 2*time.Minute:
		return fmt.Sprintf("%.0f s", d.Seconds())
	case d < 2*time.Hour:
		return fmt.Sprintf("%.0f min", d.Minutes())
	}
	return fmt.Sprintf("%.0f h", d.Hours())
}
