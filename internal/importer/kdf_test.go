package importer

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// refusedAtOnce parses data, whose key derivations ask for more than vmfa
// allows, and checks that it is refused with want, in under a second,
// without the password being asked.
func refusedAtOnce(t *testing.T, format string, data []byte, want string) {
	t.Helper()
	asked := 0
	start := time.Now()
	_, err := Parse(format, data, func() (string, error) { asked++; return "test", nil })
	elapsed := time.Since(start)
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("%s: error %v, want ~%q", format, err, want)
	}
	if elapsed > time.Second {
		t.Errorf("%s: refused after %v, want under 1 s", format, elapsed)
	}
	if asked != 0 {
		t.Errorf("%s: the password was asked before the refusal", format)
	}
}

// aegisSlots returns an encrypted Aegis export with n password slots of
// scrypt parameters N, r, p, none of which the test's password opens.
func aegisSlots(n, N, r, p int) []byte {
	slot := fmt.Sprintf(`{"type":1,"uuid":"x","key":"00","key_params":{"nonce":"000000000000000000000000","tag":"00000000000000000000000000000000"},"n":%d,"r":%d,"p":%d,"salt":"00"}`, N, r, p)
	slots := strings.TrimSuffix(strings.Repeat(slot+",", n), ",")
	return []byte(`{"version":1,"header":{"slots":[` + slots + `],"params":{"nonce":"000000000000000000000000","tag":"00000000000000000000000000000000"}},"db":"AAAA"}`)
}

// TestKDFLimits is the review's repro and its kin: exports whose key
// derivations ask for too much are refused at once, naming the cost. Before,
// an Aegis slot of scrypt N=2^20, r=4, p=16 ran 22 s and 540 MB, and each
// more slot as much again; Bitwarden's largest Argon2id, 25 s; FreeOTP's
// ten million PBKDF2-SHA512 iterations, 9 s.
func TestKDFLimits(t *testing.T) {
	refusedAtOnce(t, "aegis", aegisSlots(1, 1<<20, 4, 16),
		"Aegis vault: password slot 1 asks for scrypt N=2^20, r=4, p=16 (512 MiB, about 27 s of computing): over vmfa's limit of 8 s for a key")
	// Fifty slots of a second each: the file, not one slot, is too much.
	refusedAtOnce(t, "aegis", aegisSlots(50, 1<<18, 8, 1),
		"Aegis vault: password slot 20 asks for scrypt N=2^18, r=8, p=1 (256 MiB, about 0.8 s of computing) after 19 key derivations, about 17 s in all: over vmfa's limit of 16 s for a file")
	// Three of 6.7 s, each fitting alone; the cost named has its memory
	// from 1 MiB on.
	refusedAtOnce(t, "aegis", aegisSlots(3, 1<<12, 1, 1<<12),
		"Aegis vault: password slot 3 asks for scrypt N=2^12, r=1, p=4096 (1 MiB, about 6.7 s of computing) after 2 key derivations, about 20 s in all: over vmfa's limit of 16 s for a file")
	refusedAtOnce(t, "aegis", aegisSlots(1, 1<<21, 8, 1),
		"Aegis vault: password slot 1 asks for scrypt N=2^21, r=8, p=1 (2 GiB, about 6.7 s of computing): over vmfa's limit of 1 GiB of memory for a key")

	bitwarden := func(kdf string) []byte {
		return []byte(`{"encrypted":true,"passwordProtected":true,"salt":"c2FsdA==",` + kdf +
			`,"encKeyValidation_DO_NOT_EDIT":"2.AAAAAAAAAAAAAAAAAAAAAA==|AAAAAAAAAAAAAAAAAAAAAA==|AA==","data":"2.AAAAAAAAAAAAAAAAAAAAAA==|AAAAAAAAAAAAAAAAAAAAAA==|AA=="}`)
	}
	refusedAtOnce(t, "bitwarden", bitwarden(`"kdfType":1,"kdfIterations":10,"kdfMemory":1024,"kdfParallelism":16`),
		"Bitwarden export: the file asks for Argon2id of 10 passes over 1024 MiB in 16 threads (1 GiB, about 26 s of computing): over vmfa's limit of 8 s for a key")
	refusedAtOnce(t, "bitwarden", bitwarden(`"kdfType":0,"kdfIterations":30000000`),
		"Bitwarden export: the file asks for 30000000 PBKDF2-HMAC-SHA256 iterations (about 12 s of computing): over vmfa's limit of 8 s for a key")

	mk := `{"mAlgorithm":"PBKDF2withHmacSHA512","mEncryptedKey":{"mCipher":"AES/GCM/NoPadding","mCipherText":[1,2],"mParameters":[4,12,1,2,3,4,5,6,7,8,9,10,11,12],"mToken":"AES"},"mIterations":10000000,"mSalt":[1,2,3]}`
	freeOTP := append(javaMapHeader(1), javaString("masterKey")...)
	refusedAtOnce(t, "freeotp", append(freeOTP, javaString(mk)...),
		"FreeOTP backup: the file asks for 10000000 PBKDF2-HMAC-SHA512 iterations (about 8.5 s of computing): over vmfa's limit of 8 s for a key")
}

// TestAndOTPIterationsOverLimit: andOTP's backups do not say which of its
// two formats they are, so a count of iterations over the limit is taken
// for the old format's nonce: tried as that (a SHA-256 of the password),
// fast, and never derived.
func TestAndOTPIterationsOverLimit(t *testing.T) {
	data := append([]byte{0x7f, 0xff, 0xff, 0xff}, make([]byte, 12+12+40)...)
	start := time.Now()
	_, err := Parse("andotp", data, func() (string, error) { return "test", nil })
	if err == nil || !strings.Contains(err.Error(), "wrong password") || time.Since(start) > time.Second {
		t.Fatalf("error %v after %v, want a wrong password at once", err, time.Since(start))
	}
}

// TestKDFLimitsLeaveRoom: what the apps ask by default, 16 times over,
// stays under the limits (the corpus's encrypted exports import in
// TestFixtures).
func TestKDFLimitsLeaveRoom(t *testing.T) {
	for app, c := range map[string]kdfCost{
		"Aegis (scrypt N=2^15, r=8, p=1)":      scryptCost(1<<15, 8, 16),
		"Aegis, in memory":                     scryptCost(1<<19, 8, 1),
		"Bitwarden (Argon2id 3 × 64 MiB, 4)":   argon2Cost(3*16, 64<<10, 4),
		"Bitwarden's largest memory, 3 passes": argon2Cost(3, 1024<<10, 4),
		"Bitwarden (PBKDF2-SHA256 600 000)":    pbkdf2Cost("PBKDF2WITHHMACSHA256", 600_000*16),
		"andOTP (PBKDF2-SHA1 160 000)":         pbkdf2Cost("PBKDF2WITHHMACSHA1", 160_000*16),
		"FreeOTP (PBKDF2-SHA512 100 000)":      pbkdf2Cost("PBKDF2WITHHMACSHA512", 100_000*16),
		"Stratum (Argon2id 3 × 64 MiB, 4)":     argon2Cost(3*16, 64<<10, 4),
		"2FAS (PBKDF2-SHA256 10 000)":          pbkdf2Cost("PBKDF2WITHHMACSHA256", 10_000*16),
	} {
		if !c.fits() {
			t.Errorf("%s: %v does not fit", app, c)
		}
	}
	// The limits are what may be asked, not what is refused: a derivation
	// of exactly 1 GiB (Bitwarden's largest memory) or exactly 8 s fits.
	for _, c := range []kdfCost{argon2Cost(1, 1024<<10, 1), pbkdf2Cost("PBKDF2WITHHMACSHA1", 20_000_000)} {
		if !c.fits() {
			t.Errorf("%v does not fit", c)
		}
	}
}
