package importer

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Errors of Detect that a front end can say what to do about.
var (
	// ErrImage: the file is a picture, whose QR codes are added another
	// way than an import.
	ErrImage = errors.New("the file is an image")
	// ErrUnknownFormat is wrapped by the error for a file that fits no
	// format Detect knows by its shape, which may still be one of them:
	// the caller can name it.
	ErrUnknownFormat = errors.New("unrecognized file")
)

// unknownFormatError is an error wrapping ErrUnknownFormat, in its own
// words.
type unknownFormatError string

func (e unknownFormatError) Error() string { return string(e) }
func (unknownFormatError) Unwrap() error   { return ErrUnknownFormat }

// Detect names the format of a file from its content, never its name:
// exports get renamed, and several apps write ".json" or ".xml" files of
// unrelated shapes. It returns an error saying what the file looks like
// when no format fits.
func Detect(data []byte) (string, error) {
	switch {
	case len(bytes.TrimSpace(data)) == 0:
		return "", errors.New("the file is empty")
	case bytes.HasPrefix(data, []byte(sqliteMagic)):
		return detectSQLite(data)
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		return "authenticator-plus", nil
	case bytes.HasPrefix(data, []byte{0xac, 0xed}): // java.io.ObjectOutputStream
		return "freeotp", nil
	case bytes.HasPrefix(data, []byte(stratumMagic)), bytes.HasPrefix(data, []byte(stratumLegacyMagic)):
		return "stratum", nil
	case isImage(data):
		return "", ErrImage
	}
	text := bytes.TrimSpace(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")))
	switch text[0] {
	case '<':
		return detectPrefs(text)
	case '{', '[':
		if json.Valid(text) {
			return detectJSON(text)
		}
	}
	if first := firstLine(text); strings.HasPrefix(strings.ToLower(first), "otpauth") {
		return "uri", nil
	} else if strings.Contains(first, "login_totp") {
		return "bitwarden", nil
	}
	if isBase64Text(text) {
		return "totp-authenticator", nil
	}
	// andOTP's encrypted backups are bare ciphertext: a random-looking file
	// with no header is most likely one, and the password will tell.
	if !isText(data) && len(data) >= andOTPMinSize {
		return "andotp", nil
	}
	return "", fmt.Errorf("%w, not an export vmfa knows", ErrUnknownFormat)
}

// detectJSON tells the JSON exports apart by their keys.
func detectJSON(text []byte) (string, error) {
	if text[0] == '[' {
		var list []map[string]json.RawMessage
		if json.Unmarshal(text, &list) != nil || len(list) == 0 {
			return "", unknownFormatError("unrecognized JSON file")
		}
		switch e := list[0]; {
		case has(e, "otpGenerator"):
			return "duo", nil
		case has(e, "secret") && has(e, "type"):
			return "andotp", nil
		}
		return "", unknownFormatError("unrecognized JSON file")
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(text, &obj) != nil {
		return "", unknownFormatError("unrecognized JSON file")
	}
	switch {
	case has(obj, "header") && has(obj, "db"):
		return "aegis", nil
	case has(obj, "schemaVersion") && (has(obj, "services") || has(obj, "servicesEncrypted")):
		return "2fas", nil
	case has(obj, "items") && has(obj, "encrypted"), has(obj, "passwordProtected") && has(obj, "data"):
		return "bitwarden", nil
	case has(obj, "tokens"):
		return "freeotp-plus", nil
	case has(obj, "Authenticators"):
		return "stratum", nil
	case has(obj, "entries") && bytes.Contains(obj["entries"], []byte(`"content"`)):
		return "proton", nil
	case has(obj, "version") && has(obj, "accounts") && bytes.Contains(obj["accounts"], []byte(`"secret"`)):
		return "vmfa", nil
	case has(obj, "shared_secret"), has(obj, "accounts") && bytes.Contains(obj["accounts"], []byte(`"shared_secret"`)):
		return "steam", nil
	}
	return "", unknownFormatError("unrecognized JSON file")
}

func has(m map[string]json.RawMessage, key string) bool {
	_, ok := m[key]
	return ok
}

// detectPrefs tells Android shared preferences files apart by their keys.
func detectPrefs(text []byte) (string, error) {
	prefs, err := readPrefs(text)
	if err != nil {
		return "", err
	}
	switch {
	case hasPref(prefs, authyKeys...):
		return "authy", nil
	case hasPref(prefs, battleNetSecretKey):
		return "battlenet", nil
	case hasPref(prefs, totpAuthenticatorKey):
		return "totp-authenticator", nil
	case hasPref(prefs, "tokenOrder"):
		return "freeotp", nil
	}
	return "", errors.New("unrecognized XML file: it is not the shared preferences of an app vmfa knows")
}

func hasPref(m map[string]string, keys ...string) bool {
	for _, k := range keys {
		if _, ok := m[k]; ok {
			return true
		}
	}
	return false
}

func firstLine(text []byte) string {
	for _, line := range strings.Split(string(text), "\n") {
		line = strings.TrimSpace(line)
		if line != "" && !strings.HasPrefix(line, "#") {
			return line
		}
	}
	return ""
}

// isBase64Text is true for a file that is one block of standard base64
// whose decoding is whole AES blocks, as TOTP Authenticator writes.
func isBase64Text(text []byte) bool {
	raw, err := base64.StdEncoding.DecodeString(string(bytes.Join(bytes.Fields(text), nil)))
	return err == nil && len(raw) >= 16 && len(raw)%16 == 0
}

// isText is true for UTF-8 without control characters other than spacing.
func isText(data []byte) bool {
	if !utf8.Valid(data) {
		return false
	}
	for _, r := range string(data) {
		if r < ' ' && r != '\n' && r != '\r' && r != '\t' {
			return false
		}
	}
	return true
}

func isImage(data []byte) bool {
	for _, magic := range []string{"\x89PNG", "\xff\xd8\xff", "GIF87a", "GIF89a", "II*\x00", "MM\x00*"} {
		if bytes.HasPrefix(data, []byte(magic)) {
			return true
		}
	}
	return len(data) > 12 && string(data[:4]) == "RIFF" && string(data[8:12]) == "WEBP" ||
		bytes.HasPrefix(data, []byte("BM")) && !isText(data)
}
