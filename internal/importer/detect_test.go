package importer

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"
)

// Files with no header are told apart by their shape, at the edges too:
// andOTP's encrypted backup is bare ciphertext of at least a nonce, a byte
// and a tag (29 bytes); TOTP Authenticator's, base64 of whole AES blocks;
// text, with spaces and tabs, is neither.
func TestDetectByShape(t *testing.T) {
	binary := bytes.Repeat([]byte{0x01, 0xfe}, 15)
	for _, tc := range []struct {
		name, data, want string
	}{
		{"29 bytes of binary", string(binary[:andOTPMinSize]), "andotp"},
		{"28 bytes of binary", string(binary[:andOTPMinSize-1]), ""},
		{"base64 of one AES block", base64.StdEncoding.EncodeToString(binary[:16]), "totp-authenticator"},
		{"base64 of 15 bytes", base64.StdEncoding.EncodeToString(binary[:15]), ""},
		{"base64 of 17 bytes", base64.StdEncoding.EncodeToString(binary[:17]), ""},
		{"text", "this is a plain text file\twith nothing more in it\r\n", ""},
		{"a URI after comments", "# exported\n\n# by hand\notpauth://totp/x?secret=" + secret + "\n", "uri"},
	} {
		format, err := Detect([]byte(tc.data))
		if format != tc.want || (tc.want == "") != (err != nil) {
			t.Errorf("%s: Detect = %q, %v; want %q", tc.name, format, err, tc.want)
		}
	}
	if _, err := Detect([]byte("RIFF\x00\x00\x00\x00WEBPVP8 ")); err == nil || !strings.Contains(err.Error(), "image") {
		t.Errorf("WebP: %v", err)
	}
}
