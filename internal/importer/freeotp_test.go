package importer

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/vmfa/vmfa/otp"
)

// FreeOTP's byte arrays are Java's signed bytes; unsigned ones are read
// too, and nothing outside -128 to 255.
func TestFreeOTPByteArrays(t *testing.T) {
	var b javaBytes
	if err := json.Unmarshal([]byte(`[-128, -1, 0, 127, 128, 255]`), &b); err != nil || !bytes.Equal(b, []byte{0x80, 0xff, 0, 0x7f, 0x80, 0xff}) {
		t.Errorf("got %x, %v", b, err)
	}
	for _, bad := range []string{`[-129]`, `[256]`} {
		if err := json.Unmarshal([]byte(bad), &b); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}

// FreeOTP has no Steam type: a TOTP token whose issuer is Steam is Steam
// Guard, and gives Steam's codes.
func TestFreeOTPSteam(t *testing.T) {
	export := `{"tokens":[{"algo":"SHA1","digits":5,"issuerExt":"Steam","label":"gamer","period":30,"secret":[1,2,3,4,5,6,7,8,9,10],"type":"TOTP"},` +
		`{"algo":"SHA1","digits":6,"issuerExt":"Example","label":"alice","period":30,"secret":[1,2,3,4,5,6,7,8,9,10],"type":"TOTP"}]}`
	accs, err := Parse("freeotp-plus", []byte(export), nil)
	if err != nil || len(accs) != 2 || accs[0].Type != otp.Steam || accs[1].Type != otp.TOTP {
		t.Fatalf("%v, %+v", err, accs)
	}
}
