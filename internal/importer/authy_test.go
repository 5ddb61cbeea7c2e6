package importer

import (
	"encoding/hex"
	"html"
	"testing"

	"github.com/vmfa/vmfa/otp"
)

// Tokens no corpus file has: Authy's own (com.authy.storage.tokens.authy.key)
// keep a hexadecimal seed and give codes every 10 seconds, named by the
// service; a seed that is not hexadecimal, or no secret, is refused,
// naming the token.
func TestAuthyTokens(t *testing.T) {
	prefs := func(tokens string) []byte {
		return []byte(`<?xml version='1.0' encoding='utf-8' standalone='yes' ?><map><string name="com.authy.storage.tokens.authy.key">` +
			html.EscapeString(tokens) + `</string></map>`)
	}
	seed := hex.EncodeToString([]byte("0123456789abcdef0123"))
	accs, err := Parse("authy", prefs(`[{"accountType":"authy","secretSeed":"`+seed+`","digits":7,"name":"Twitch"}]`), nil)
	want := otp.Account{Issuer: "Twitch", Secret: base32Of([]byte("0123456789abcdef0123")), Type: otp.TOTP, Algorithm: otp.SHA1, Digits: 7, Period: 10}
	if err != nil || len(accs) != 1 || accs[0] != want {
		t.Fatalf("%v, %+v; want %+v", err, accs, want)
	}
	wantErr(t, parseErr(t, "authy", prefs(`[{"accountType":"authy","secretSeed":"`+seed+`","digits":7,"name":"Twitch"},{"accountType":"authy","secretSeed":"xyz","digits":7,"name":"Other"}]`), ""),
		"Authy token 2: its seed is not hexadecimal")
	wantErr(t, parseErr(t, "authy", prefs(`[{"accountType":"authenticator","digits":6,"name":"Example"}]`), ""), "Authy token 1 has no secret")
	// A token with neither an original issuer nor a name of two parts is
	// named by its account type.
	accs, err = Parse("authy", prefs(`[{"accountType":"github","decryptedSecret":"`+secret+`","digits":6,"name":"alice"}]`), nil)
	if err != nil || len(accs) != 1 || accs[0].Label() != "Github:alice" {
		t.Errorf("%v, %+v", err, accs)
	}
}
