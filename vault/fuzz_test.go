package vault

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// FuzzVaultFile feeds arbitrary bytes to Load as vault.age. Whatever they
// are, Load must not panic, and must either return valid Data or say which
// file is damaged.
func FuzzVaultFile(f *testing.F) {
	s, v := newTestVault(f)
	addAccounts(f, v, 0, 2)
	path := filepath.Join(s.Dir(), vaultFile)
	good, err := os.ReadFile(path)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add(good[:len(good)/2])
	f.Add(good[:len(good)-1])
	f.Add([]byte("age-encryption.org/v1\n-> X25519 \n--- \n"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		d, err := v.Load()
		if err != nil {
			var de *DamagedError
			if !errors.As(err, &de) || de.Path != path {
				t.Fatalf("Load: %v, want a DamagedError naming vault.age", err)
			}
			return
		}
		if err := d.validate(); err != nil {
			t.Fatalf("Load returned invalid data: %v", err)
		}
	})
}

// FuzzIdentityFile feeds arbitrary bytes to Unlock's decryption as the
// contents of identity.age. The fuzzer caps the scrypt work factor at 12
// rather than 22, or an input asking for 2^22 would take seconds.
func FuzzIdentityFile(f *testing.F) {
	s, _ := newTestVault(f)
	good, err := os.ReadFile(filepath.Join(s.Dir(), identityFile))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good, testPassphrase)
	f.Add(good, "wrong")
	f.Add(good[:len(good)-3], testPassphrase)
	f.Add([]byte("age-encryption.org/v1\n-> scrypt AAAAAAAAAAAAAAAAAAAAAA 22\n\n--- \n"), "x")
	f.Fuzz(func(t *testing.T, b []byte, passphrase string) {
		if passphrase == "" {
			return
		}
		id, _, err := decryptIdentity(b, passphrase, 12)
		if (id == nil) == (err == nil) {
			t.Fatalf("decryptIdentity = %v, %v", id, err)
		}
	})
}

// FuzzParseData feeds arbitrary plaintext to the JSON parser, which age's
// authentication otherwise shields from random bytes. What it accepts must
// be valid, and must survive a save and a load unchanged.
func FuzzParseData(f *testing.F) {
	f.Add([]byte(`{"version":1,"accounts":[{"id":"0123456789abcdef","created":"2024-01-02T03:04:05Z","issuer":"I","name":"n","secret":"JBSWY3DPEHPK3PXP","type":"hotp","algorithm":"SHA256","digits":8,"counter":5,"note":"x","pinned":true}]}`))
	f.Add([]byte(`{"version":1,"accounts":[],"merge":{"accounts":{},"removed":{"a1":{"at":"2026-12-06T06:00:00Z","dots":["3.00a1b2c3","1.0000ffff"],"counter":2,"stamps":{"label":"3.00a1b2c3"},"entry":{"id":"a1","name":"n"}}},"vault":{"generations":"2.00000001"}}}`))
	f.Add([]byte(`{"version":1,"accounts":[]}`))
	// Fields this version does not know, which a save must keep.
	f.Add([]byte(`{"version":1,"sync":{"to":"<a&b>"},"accounts":[{"id":"0123456789abcdef","created":"2024-01-02T03:04:05Z","name":"n","secret":"JBSWY3DPEHPK3PXP","type":"totp","algorithm":"SHA1","digits":6,"period":30,"icon":"\u2028 🔑","tags":[ 1, 2 ]}],"Generations":7}`))
	f.Add([]byte(`{"version":2}`))
	f.Add([]byte(`{"version":1,"accounts":[{"id":"a"},{"id":"a"}]}`))
	f.Add([]byte("{\"version\":1,\"merge\":{\"a\":{\"b\":\"x\u2028y\"}}}"))
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := parseData(b)
		if err != nil {
			return
		}
		if err := d.validate(); err != nil {
			t.Fatalf("parseData accepted invalid data: %v", err)
		}
		out, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		d2, err := parseData(out)
		if err != nil {
			t.Fatalf("what was saved can't be loaded: %v", err)
		}
		if !reflect.DeepEqual(d, d2) {
			t.Fatalf("a save and a load changed\n%+v\ninto\n%+v", d, d2)
		}
	})
}
