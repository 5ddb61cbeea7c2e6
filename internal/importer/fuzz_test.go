package importer

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// One fuzz target per format, seeded with the format's fixtures from the
// shared corpus where it is present (fuzzing needs no corpus to run) and a
// few files of its own. Whatever the input, Parse and Detect must not
// panic, an error must be one line, and every account returned must be
// valid.

func fuzzFormat(f *testing.F, format string, seeds ...string) {
	for _, fx := range fixtures {
		if fx.format != format {
			continue
		}
		// Read directly, not through testenv: a missing corpus leaves the
		// target with its own seeds rather than skipping it.
		if b, err := os.ReadFile(filepath.Join("..", "..", "..", "shared", "corpus", "app-exports", fx.file)); err == nil {
			f.Add(b)
		}
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		Detect(data)
		// No password: a forged input never decrypts, so one would only
		// spend each run in the format's key derivation (Stratum's Argon2id
		// costs ~100 ms; an andOTP file may ask for 10 million PBKDF2
		// rounds) and stall the fuzzer for minutes. The KDF bounds are
		// hostile_test.go's.
		accs, err := Parse(format, data, func() (string, error) { return "", errors.New("no password when fuzzing") })
		if err != nil {
			if msg := err.Error(); strings.ContainsAny(msg, "\n\r") {
				t.Fatalf("error of several lines: %q", msg)
			}
			return
		}
		for _, a := range accs {
			if err := a.Validate(); err != nil {
				t.Fatalf("invalid account %+v: %v", a, err)
			}
		}
	})
}

const fuzzURI = "otpauth://totp/Example:alice?secret=JBSWY3DPEHPK3PXP&issuer=Example"

func FuzzURI(f *testing.F)     { fuzzFormat(f, "uri", fuzzURI, "otpauth://motp/x?secret=JBSWY3DPEHPK3PXP") }
func FuzzWinAuth(f *testing.F) { fuzzFormat(f, "winauth", fuzzURI) }
func FuzzAegis(f *testing.F) {
	fuzzFormat(f, "aegis", string(aegisPlain(`{"type":"steam","name":"a","issuer":"b","info":{"secret":"JBSWY3DPEHPK3PXP","algo":"SHA1","digits":5,"period":30}}`)))
}
func Fuzz2FAS(f *testing.F) {
	fuzzFormat(f, "2fas", `{"schemaVersion":4,"services":[{"name":"a","secret":"JBSWY3DPEHPK3PXP","otp":{"tokenType":"HOTP","counter":3}}]}`)
}
func FuzzAndOTP(f *testing.F) {
	fuzzFormat(f, "andotp", `[{"secret":"JBSWY3DPEHPK3PXP","label":"a - b","digits":6,"type":"TOTP","algorithm":"SHA1","period":30}]`)
}
func FuzzAuthenticatorPlus(f *testing.F) { fuzzFormat(f, "authenticator-plus") }
func FuzzAuthy(f *testing.F) {
	fuzzFormat(f, "authy", `<map><string name="com.authy.storage.tokens.authy.key">[{"secretSeed":"00112233445566778899","digits":7,"name":"x"}]</string></map>`)
}
func FuzzBattleNet(f *testing.F) { fuzzFormat(f, "battlenet") }
func FuzzBitwarden(f *testing.F) {
	fuzzFormat(f, "bitwarden", "name,login_username,login_totp\nx,y,JBSWY3DPEHPK3PXP\n", `{"encrypted":true,"items":[]}`,
		`{"encrypted":true,"passwordProtected":true,"salt":"c2FsdA==","kdfType":0,"kdfIterations":1,`+
			`"encKeyValidation_DO_NOT_EDIT":"2.AAAAAAAAAAAAAAAAAAAAAA==|AAAAAAAAAAAAAAAAAAAAAA==|AA==","data":"2.AAAAAAAAAAAAAAAAAAAAAA==|AAAAAAAAAAAAAAAAAAAAAA==|AA=="}`)
}
func FuzzDuo(f *testing.F)         { fuzzFormat(f, "duo") }
func FuzzFreeOTP(f *testing.F)     { fuzzFormat(f, "freeotp", string(javaMapHeader(1))) }
func FuzzFreeOTPPlus(f *testing.F) { fuzzFormat(f, "freeotp-plus") }
func FuzzGoogleAuthenticatorDB(f *testing.F) {
	fuzzFormat(f, "google-authenticator-db")
}
func FuzzMicrosoftAuthenticatorDB(f *testing.F) {
	fuzzFormat(f, "microsoft-authenticator-db")
}
func FuzzProton(f *testing.F) {
	fuzzFormat(f, "proton", `{"version":1,"entries":[{"content":{"uri":"steam://JBSWY3DPEHPK3PXP","entry_type":"Steam","name":"x"}}]}`)
}
func FuzzSteam(f *testing.F) {
	fuzzFormat(f, "steam", `{"shared_secret":"AAECAwQFBgcICQ==","account_name":"x"}`)
}
func FuzzStratum(f *testing.F) {
	fuzzFormat(f, "stratum", "AuthenticatorPro0123456789012345678901234567890123456789")
}
func FuzzTOTPAuthenticator(f *testing.F) {
	fuzzFormat(f, "totp-authenticator", "AAAAAAAAAAAAAAAAAAAAAA==")
}
func FuzzVMFA(f *testing.F) {
	fuzzFormat(f, "vmfa", `{"version":1,"accounts":[{"id":"a1","created":"2026-12-01T04:00:00Z","name":"x","secret":"JBSWY3DPEHPK3PXP","type":"totp","algorithm":"SHA1","digits":6,"period":30}]}`)
}
