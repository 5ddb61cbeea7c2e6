package importer

import (
	"bytes"
	"encoding/json"
	"testing"
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
