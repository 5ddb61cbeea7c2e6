package otp

import (
	"encoding/base32"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vmfa/vmfa/internal/testenv"
)

// corpus returns the path of a file in ../shared/corpus (see testenv).
func corpus(t testing.TB, rel string) string {
	t.Helper()
	return testenv.SharedCorpus(t, rel)
}

func readJSON(t testing.TB, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatal(err)
	}
}

func hexToBase32(t testing.TB, h string) string {
	t.Helper()
	raw, err := hex.DecodeString(h)
	if err != nil {
		t.Fatal(err)
	}
	return base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(raw)
}

// TestRFCVectors checks codes against the test vectors of RFC 4226 (HOTP)
// and RFC 6238 (TOTP, all three algorithms).
func TestRFCVectors(t *testing.T) {
	var v struct {
		HOTP struct {
			KeyHex  string `json:"key_hex"`
			Digits  int
			Vectors []struct {
				Counter uint64
				Code    string
			}
		} `json:"rfc4226_hotp"`
		TOTP struct {
			Vectors []struct {
				UnixTime int64  `json:"unix_time"`
				Mode     string `json:"mode"`
				KeyHex   string `json:"key_hex"`
				Period   int
				Digits   int
				Code     string
			}
		} `json:"rfc6238_totp"`
	}
	// Vendored from the shared corpus (see testdata/NOTICE), so that every
	// clone checks its codes against the RFCs.
	readJSON(t, filepath.Join("testdata", "rfc-vectors.json"), &v)
	// RFC 4226 lists 10 HOTP values; RFC 6238, 6 instants for 3 algorithms.
	if len(v.HOTP.Vectors) != 10 || len(v.TOTP.Vectors) != 18 {
		t.Fatalf("read %d HOTP and %d TOTP vectors, want 10 and 18", len(v.HOTP.Vectors), len(v.TOTP.Vectors))
	}
	for _, vec := range v.HOTP.Vectors {
		a := Account{Name: "rfc4226", Type: HOTP, Algorithm: SHA1, Digits: v.HOTP.Digits,
			Secret: hexToBase32(t, v.HOTP.KeyHex), Counter: vec.Counter}
		if got, err := a.Code(time.Time{}); err != nil || got != vec.Code {
			t.Errorf("HOTP counter %d = %q, %v; want %s", vec.Counter, got, err, vec.Code)
		}
	}
	for _, vec := range v.TOTP.Vectors {
		alg, err := ParseAlgorithm(vec.Mode)
		if err != nil {
			t.Fatal(err)
		}
		a := Account{Name: "rfc6238", Type: TOTP, Algorithm: alg, Digits: vec.Digits,
			Period: vec.Period, Secret: hexToBase32(t, vec.KeyHex)}
		if got, err := a.Code(time.Unix(vec.UnixTime, 0)); err != nil || got != vec.Code {
			t.Errorf("TOTP %s at %d = %q, %v; want %s", vec.Mode, vec.UnixTime, got, err, vec.Code)
		}
	}
}

type migrationVectors struct {
	Vectors []struct {
		ID       string
		URI      string
		Expected struct {
			OTPParameters []struct {
				SecretB32 string `json:"secret_b32"`
				Name      string
				Issuer    string
				Algorithm string
				Digits    int
				Type      string
				Counter   uint64
			} `json:"otp_parameters"`
			BatchSize  *int  `json:"batch_size"`
			BatchIndex *int  `json:"batch_index"`
			BatchID    int32 `json:"batch_id"`
		}
	}
	Negative []struct {
		ID  string
		URI string
	}
}

func TestMigrationVectors(t *testing.T) {
	var v migrationVectors
	readJSON(t, corpus(t, "migration/vectors.json"), &v)
	if len(v.Vectors) < 20 {
		t.Fatalf("read only %d vectors", len(v.Vectors))
	}
	for _, vec := range v.Vectors {
		t.Run(vec.ID, func(t *testing.T) {
			accounts, batch, err := ParseMigration(vec.URI)
			want := vec.Expected.OTPParameters
			if len(want) == 0 {
				if err == nil {
					t.Fatalf("an export with no accounts parsed to %d accounts", len(accounts))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(accounts) != len(want) {
				t.Fatalf("got %d accounts, want %d", len(accounts), len(want))
			}
			for i, w := range want {
				a := accounts[i]
				issuer, name := w.Issuer, w.Name
				if prefix, rest, ok := strings.Cut(name, ":"); ok && (issuer == "" || prefix == issuer) {
					issuer, name = prefix, strings.TrimSpace(rest)
				}
				alg, digits := w.Algorithm, w.Digits
				if alg == "" {
					alg = "SHA1" // unspecified
				}
				if digits == 0 {
					digits = 6
				}
				if a.Secret != w.SecretB32 || a.Issuer != issuer || a.Name != name ||
					string(a.Algorithm) != alg || a.Digits != digits || string(a.Type) != w.Type || a.Counter != w.Counter {
					t.Errorf("account %d = %+v, want %+v", i, a, w)
				}
			}
			if vec.Expected.BatchSize != nil && *vec.Expected.BatchSize > 1 {
				if batch.Size != *vec.Expected.BatchSize || batch.Index != *vec.Expected.BatchIndex || batch.ID != vec.Expected.BatchID {
					t.Errorf("batch = %+v, want size %d index %d id %d", batch, *vec.Expected.BatchSize, *vec.Expected.BatchIndex, vec.Expected.BatchID)
				}
			}
		})
	}
	for _, neg := range v.Negative {
		if !strings.Contains(neg.URI, "://") {
			continue // image and prose cases are covered where images are decoded
		}
		if strings.HasPrefix(neg.URI, "otpauth-MIGRATION") {
			// Schemes are case-insensitive (RFC 3986 §3.1); this one is accepted.
			if _, _, err := ParseMigration(neg.URI); err != nil {
				t.Errorf("%s: %v", neg.ID, err)
			}
			continue
		}
		if _, _, err := Parse(neg.URI); err == nil {
			t.Errorf("%s: %q parsed without error", neg.ID, neg.URI)
		}
	}
}

// TestMigrationBatch reassembles the three-part export in every order.
func TestMigrationBatch(t *testing.T) {
	var v migrationVectors
	readJSON(t, corpus(t, "migration/vectors.json"), &v)
	parts := map[string]string{}
	for _, vec := range v.Vectors {
		parts[vec.ID] = vec.URI
	}
	p1, p2, p3 := parts["jc_1of3"], parts["jc_2of3"], parts["jc_3of3"]
	for _, order := range [][]string{{p1, p2, p3}, {p3, p1, p2}, {p2, p3, p1}} {
		var c Collector
		for _, p := range order {
			if err := c.Add(p); err != nil {
				t.Fatal(err)
			}
		}
		all, err := c.Accounts()
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 22 {
			t.Fatalf("got %d accounts, want 22", len(all))
		}
	}
	var c Collector
	c.Add(p3)
	c.Add(p1)
	if _, err := c.Accounts(); err == nil || !strings.Contains(err.Error(), "QR 2 of 3 missing") {
		t.Errorf("missing part: err = %v", err)
	}
}

func TestMigrationTextFixtures(t *testing.T) {
	b, err := os.ReadFile(corpus(t, "migration/scito/example_export.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var c Collector
	for _, line := range strings.Split(string(b), "\n") {
		if line = strings.TrimSpace(line); line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if err := c.Add(line); err != nil {
			t.Fatal(err)
		}
	}
	all, err := c.Accounts()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"raspberrypi:pi@raspberrypi", "pi@raspberrypi", "pi@raspberrypi",
		"raspberrypi:pi@raspberrypi", "hotp demo",
		"encoding:¿äÄéÉ? (demo)"} // "Issuer:Account" names are split
	if len(all) != len(want) {
		t.Fatalf("got %d accounts, want %d", len(all), len(want))
	}
	for i, a := range all {
		if a.Label() != want[i] || a.Secret != "7KSQL2JTUDIS5EF65KLMRQIIGY" {
			t.Errorf("account %d = %q", i, a.Label())
		}
	}
	if all[4].Type != HOTP || all[4].Counter != 4 {
		t.Errorf("hotp demo = %+v", all[4])
	}
	for _, bad := range []string{"test_export_wrong_data.txt", "test_export_wrong_prefix.txt", "test_export_wrong_content.txt"} {
		b, err := os.ReadFile(corpus(t, "migration/scito/"+bad))
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			if line = strings.TrimSpace(line); line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			if _, _, err := Parse(line); err == nil {
				t.Errorf("%s: %q parsed", bad, line)
			}
		}
	}
}

// TestDim13Vector is the one code the migration corpus states outright.
func TestDim13Vector(t *testing.T) {
	a, err := ParseURI("otpauth://totp/Example:alice@google.com?issuer=Example&period=30&secret=JBSWY3DPEHPK3PXP")
	if err != nil {
		t.Fatal(err)
	}
	if code, _ := a.Code(time.Unix(1257894000, 0)); code != "528064" {
		t.Errorf("code = %s, want 528064", code)
	}
}
