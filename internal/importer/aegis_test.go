package importer

import (
	"errors"
	"fmt"
	"testing"
)

// Aegis's content versions 1 to 3 (the newest its docs describe) import;
// a later one is named, not guessed at.
func TestAegisContentVersions(t *testing.T) {
	entry := `{"type":"totp","name":"alice","issuer":"Example","info":{"secret":"` + secret + `","algo":"SHA1","digits":6,"period":30}}`
	for version := 1; version <= 3; version++ {
		vault := fmt.Sprintf(`{"version":1,"header":{"slots":null,"params":null},"db":{"version":%d,"entries":[%s]}}`, version, entry)
		if accs, err := Parse("aegis", []byte(vault), nil); err != nil || len(accs) != 1 {
			t.Errorf("content version %d: %v, %d accounts", version, err, len(accs))
		}
	}
	vault := `{"version":1,"header":{"slots":null,"params":null},"db":{"version":4,"entries":[` + entry + `]}}`
	wantErr(t, parseErr(t, "aegis", []byte(vault), ""), "Aegis vault content version 4 is not one vmfa knows (1 to 3)")
}

// A password slot's scrypt parameters are refused, naming them, where
// scrypt itself would refuse them (N a power of 2 over 1, r and p at least
// 1, r·p under 2^30), and only there: the least valid ones are derived, and
// then the password is found wrong.
func TestAegisScryptParameters(t *testing.T) {
	for _, tc := range []struct{ n, r, p int }{{1, 1, 1}, {3, 1, 1}, {2, 0, 1}, {2, 1, 0}, {2, 1 << 15, 1 << 15}} {
		want := fmt.Sprintf("Aegis vault: scrypt parameters n=%d r=%d p=%d are not valid", tc.n, tc.r, tc.p)
		wantErr(t, parseErr(t, "aegis", aegisSlots(1, tc.n, tc.r, tc.p), "test"), want)
	}
	if err := parseErr(t, "aegis", aegisSlots(1, 2, 1, 1), "test"); !errors.Is(err, ErrWrongPassword) {
		t.Errorf("scrypt N=2, r=1, p=1: %v, want a wrong password", err)
	}
	// r·p just under 2^30 is valid, and costs more memory than vmfa gives.
	wantErr(t, parseErr(t, "aegis", aegisSlots(1, 2, 1<<15, 1<<15-1), "test"), "asks for scrypt N=2^1, r=32768, p=32767 (128 GiB, about 14 min of computing): over vmfa's limit of 1 GiB of memory for a key")
}
