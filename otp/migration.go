package otp

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"

	"google.golang.org/protobuf/encoding/protowire"
)

// Batch locates one Google Authenticator export QR code among the several
// that a large export is split into.
type Batch struct {
	Index int   // zero-based position of this QR code
	Size  int   // number of QR codes in the export
	ID    int32 // shared by all QR codes of one export
}

// ErrNotOTP reports text that is neither an otpauth:// nor an
// otpauth-migration:// URI. Parse returns it as a *NotOTPError.
var ErrNotOTP = errors.New("not an otpauth:// or otpauth-migration:// URI")

// NotOTPError reports text that is not an OTP URI, such as a QR code that
// holds a web address. What describes the text without quoting anything that
// could be a bare secret: "https://example.com/…" or "text of 30 characters".
type NotOTPError struct{ What string }

func (e *NotOTPError) Error() string        { return e.What + " is not an otpauth:// URI" }
func (e *NotOTPError) Is(target error) bool { return target == ErrNotOTP }

// describe names a URL by its scheme and host only, and anything else by
// its length alone.
func describe(text string) string {
	u, err := url.Parse(text)
	if err == nil && u.Host != "" && strings.HasPrefix(text, u.Scheme+"://") && validScheme(u.Scheme) {
		return u.Scheme + "://" + Shorten(u.Host, 64) + "/…"
	}
	return fmt.Sprintf("text of %d characters", utf8.RuneCountInString(text))
}

// validScheme accepts short lower-case schemes, which a base32 secret is not.
func validScheme(s string) bool {
	if len(s) == 0 || len(s) > 16 {
		return false
	}
	for _, r := range s {
		if !('a' <= r && r <= 'z' || '0' <= r && r <= '9' || r == '+' || r == '-' || r == '.') {
			return false
		}
	}
	return true
}

// Parse reads the text of a QR code or of a pasted line: an otpauth:// URI
// yields one account, an otpauth-migration:// export its accounts and its
// batch position (nil for otpauth://).
func Parse(text string) ([]Account, *Batch, error) {
	text = strings.TrimSpace(text)
	scheme, _, _ := strings.Cut(text, ":")
	switch strings.ToLower(scheme) {
	case "otpauth":
		a, err := ParseURI(text)
		if err != nil {
			return nil, nil, err
		}
		return []Account{a}, nil, nil
	case "otpauth-migration":
		accounts, batch, err := ParseMigration(text)
		if err != nil {
			return nil, nil, err
		}
		return accounts, &batch, nil
	}
	return nil, nil, &NotOTPError{describe(text)}
}

// Field numbers of Google Authenticator's MigrationPayload protobuf.
const (
	fieldOTPParameters = 1
	fieldVersion       = 2 // nothing read depends on its value
	fieldBatchSize     = 3
	fieldBatchIndex    = 4
	fieldBatchID       = 5

	paramSecret    = 1
	paramName      = 2
	paramIssuer    = 3
	paramAlgorithm = 4
	paramDigits    = 5
	paramType      = 6
	paramCounter   = 7
)

// ParseMigration decodes a Google Authenticator export URI
// (otpauth-migration://offline?data=…) into valid accounts. Fields the export
// leaves unspecified default to TOTP, SHA1 and 6 digits.
func ParseMigration(uri string) ([]Account, Batch, error) {
	uri = strings.TrimSpace(uri)
	scheme, rest, _ := strings.Cut(uri, "://")
	if !strings.EqualFold(scheme, "otpauth-migration") {
		return nil, Batch{}, errors.New("not an otpauth-migration:// URI")
	}
	_, query, _ := strings.Cut(rest, "?")
	data, ok := queryValue(query, "data")
	if !ok || data == "" {
		return nil, Batch{}, errors.New("Google Authenticator export has no data")
	}
	payload, err := decodeBase64(data)
	if err != nil {
		return nil, Batch{}, errors.New("Google Authenticator export data is not valid base64")
	}
	accounts, batch, err := decodePayload(payload)
	if err != nil {
		return nil, Batch{}, fmt.Errorf("Google Authenticator export is corrupt: %w", err)
	}
	if len(accounts) == 0 {
		return nil, Batch{}, errors.New("Google Authenticator export holds no accounts")
	}
	return accounts, batch, nil
}

// queryValue finds key in a raw query and percent-decodes it without
// url.ParseQuery, which would turn the "+" of standard base64 into a space.
func queryValue(rawQuery, key string) (string, bool) {
	for _, kv := range strings.Split(rawQuery, "&") {
		k, v, _ := strings.Cut(kv, "=")
		if k != key {
			continue
		}
		v, err := url.PathUnescape(v)
		return v, err == nil
	}
	return "", false
}

// decodeBase64 accepts the standard and URL alphabets, padded or not: exports
// pass through QR generators and chat apps that disagree on both.
func decodeBase64(s string) ([]byte, error) {
	s = strings.TrimRight(strings.TrimSpace(s), "=")
	if strings.ContainsAny(s, "-_") {
		return base64.RawURLEncoding.DecodeString(s)
	}
	return base64.RawStdEncoding.DecodeString(s)
}

// walk hands each bytes and varint field of a protobuf message to the
// callbacks, which ignore the field numbers they don't know, and skips
// fields of any other wire type.
func walk(b []byte, onBytes func(protowire.Number, []byte) error, onVarint func(protowire.Number, uint64)) error {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return protowire.ParseError(n)
		}
		b = b[n:]
		switch typ {
		case protowire.BytesType:
			var v []byte
			if v, n = protowire.ConsumeBytes(b); n >= 0 {
				if err := onBytes(num, v); err != nil {
					return err
				}
			}
		case protowire.VarintType:
			var v uint64
			if v, n = protowire.ConsumeVarint(b); n >= 0 {
				onVarint(num, v)
			}
		default:
			n = protowire.ConsumeFieldValue(num, typ, b)
		}
		if n < 0 {
			return protowire.ParseError(n)
		}
		b = b[n:]
	}
	return nil
}

func decodePayload(b []byte) ([]Account, Batch, error) {
	var (
		accounts []Account
		batch    = Batch{Size: 1}
	)
	err := walk(b, func(num protowire.Number, v []byte) error {
		if num != fieldOTPParameters {
			return nil
		}
		a, err := decodeParameters(v)
		if err != nil {
			return fmt.Errorf("account %d: %w", len(accounts)+1, err)
		}
		accounts = append(accounts, a)
		return nil
	}, func(num protowire.Number, v uint64) {
		switch num {
		case fieldBatchSize:
			batch.Size = int(int32(v))
		case fieldBatchIndex:
			batch.Index = int(int32(v))
		case fieldBatchID:
			batch.ID = int32(v)
		}
	})
	if err != nil {
		return nil, Batch{}, err
	}
	if batch.Size == 0 {
		batch.Size = 1 // some exporters leave it out of single-QR exports
	}
	if batch.Size < 1 || batch.Size > 1000 || batch.Index < 0 || batch.Index >= batch.Size {
		return nil, Batch{}, fmt.Errorf("impossible batch position %d of %d", batch.Index+1, batch.Size)
	}
	return accounts, batch, nil
}

func decodeParameters(b []byte) (Account, error) {
	var (
		a                   = Account{Type: TOTP}
		secret              []byte
		algorithm, digits   uint64
		typ, counter        uint64
		haveTyp, haveSecret bool
	)
	err := walk(b, func(num protowire.Number, v []byte) error {
		switch num {
		case paramSecret:
			secret, haveSecret = v, true
		case paramName:
			a.Name = string(v)
		case paramIssuer:
			a.Issuer = string(v)
		}
		return nil
	}, func(num protowire.Number, v uint64) {
		switch num {
		case paramAlgorithm:
			algorithm = v
		case paramDigits:
			digits = v
		case paramType:
			typ, haveTyp = v, true
		case paramCounter:
			counter = v
		}
	})
	if err != nil {
		return Account{}, err
	}
	if !haveSecret {
		return Account{}, errors.New("no secret")
	}
	switch algorithm {
	case 0, 1:
		a.Algorithm = SHA1
	case 2:
		a.Algorithm = SHA256
	case 3:
		a.Algorithm = SHA512
	case 4:
		return Account{}, errors.New("MD5 accounts are not supported (no authenticator app generates MD5 codes correctly)")
	default:
		return Account{}, fmt.Errorf("unknown algorithm %d", algorithm)
	}
	switch digits {
	case 0, 1:
		a.Digits = 6
	case 2:
		a.Digits = 8
	default:
		return Account{}, fmt.Errorf("unknown digit count %d", digits)
	}
	switch {
	case !haveTyp || typ == 0 || typ == 2:
		a.Type = TOTP
	case typ == 1:
		a.Type, a.Counter = HOTP, counter
	default:
		return Account{}, fmt.Errorf("unknown OTP type %d", typ)
	}
	// Google Authenticator stores the label it was given, "Issuer:Account"
	// included; split it the way ParseURI splits a label.
	if prefix, name, ok := strings.Cut(a.Name, ":"); ok && (a.Issuer == "" || strings.TrimSpace(prefix) == a.Issuer) {
		a.Issuer, a.Name = prefix, name
	}
	a.Secret = b32.EncodeToString(secret)
	if err := a.Normalize(); err != nil {
		return Account{}, err
	}
	return a, nil
}

// MigrationBatchSize is how many accounts Google Authenticator puts in one
// export QR code; Aegis's Google Authenticator export uses the same number.
// More would make codes too dense for many phones' cameras.
const MigrationBatchSize = 10

// MigrationUnfit says why Google Authenticator cannot hold a as it is, or
// returns "" when it can. Its export format has no period, and not every
// version of the app has honoured the format's SHA256, SHA512 and 8-digit
// values, so anything but SHA1, 6 digits and 30 s could come out of the phone
// as other codes: such accounts are left out, never altered. Aegis applies
// the same rule to its Google Authenticator export.
func (a Account) MigrationUnfit() string {
	switch {
	case a.Type == Steam:
		return "Steam Guard accounts"
	case a.Type != TOTP && a.Type != HOTP:
		return "the OTP type " + string(a.Type)
	case a.Digits != DefaultDigits:
		return fmt.Sprintf("%d-digit codes", a.Digits)
	case a.Algorithm != SHA1:
		return "the " + string(a.Algorithm) + " algorithm"
	case a.Type == TOTP && a.Period != DefaultPeriod:
		return fmt.Sprintf("a period of %d seconds", a.Period)
	}
	return ""
}

// MigrationURIs encodes accounts as Google Authenticator export URIs
// (otpauth-migration://offline?data=…), MigrationBatchSize accounts a URI,
// each marked with its position and with the id that ties them together.
// Every account must fit (MigrationUnfit); ParseMigration reads each URI
// back to its accounts.
func MigrationURIs(accounts []Account, id int32) ([]string, error) {
	if len(accounts) == 0 {
		return nil, errors.New("no account to export")
	}
	size := (len(accounts) + MigrationBatchSize - 1) / MigrationBatchSize
	uris := make([]string, 0, size)
	for i := 0; i < size; i++ {
		chunk := accounts[i*MigrationBatchSize : min((i+1)*MigrationBatchSize, len(accounts))]
		payload, err := encodePayload(chunk, Batch{Index: i, Size: size, ID: id})
		if err != nil {
			return nil, err
		}
		uris = append(uris, "otpauth-migration://offline?data="+url.QueryEscape(base64.StdEncoding.EncodeToString(payload)))
	}
	return uris, nil
}

// migrationVersion is the payload's format version, as the app writes it.
const migrationVersion = 1

func encodePayload(accounts []Account, batch Batch) ([]byte, error) {
	var b []byte
	for _, a := range accounts {
		if why := a.MigrationUnfit(); why != "" {
			return nil, fmt.Errorf("%s: Google Authenticator can't hold %s", a.Label(), why)
		}
		p, err := encodeParameters(a)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", a.Label(), err)
		}
		b = protowire.AppendTag(b, fieldOTPParameters, protowire.BytesType)
		b = protowire.AppendBytes(b, p)
	}
	b = appendVarintField(b, fieldVersion, migrationVersion)
	b = appendVarintField(b, fieldBatchSize, uint64(batch.Size))
	b = appendVarintField(b, fieldBatchIndex, uint64(batch.Index))
	b = appendVarintField(b, fieldBatchID, uint64(int64(batch.ID))) // int32: negative ids are sign-extended
	return b, nil
}

func encodeParameters(a Account) ([]byte, error) {
	secret, err := a.SecretBytes()
	if err != nil {
		return nil, err
	}
	var b []byte
	b = protowire.AppendTag(b, paramSecret, protowire.BytesType)
	b = protowire.AppendBytes(b, secret)
	b = protowire.AppendTag(b, paramName, protowire.BytesType)
	b = protowire.AppendString(b, migrationName(a))
	if a.Issuer != "" {
		b = protowire.AppendTag(b, paramIssuer, protowire.BytesType)
		b = protowire.AppendString(b, a.Issuer)
	}
	b = appendVarintField(b, paramAlgorithm, 1) // SHA1
	b = appendVarintField(b, paramDigits, 1)    // six
	if a.Type == HOTP {
		b = appendVarintField(b, paramType, 1)
		b = appendVarintField(b, paramCounter, a.Counter)
	} else {
		b = appendVarintField(b, paramType, 2) // TOTP
	}
	return b, nil
}

func appendVarintField(b []byte, num protowire.Number, v uint64) []byte {
	return protowire.AppendVarint(protowire.AppendTag(b, num, protowire.VarintType), v)
}

// migrationName is the name field as Google Authenticator writes it: the
// label "Issuer:Name" it was given, which decodeParameters splits back. An
// issuer with a colon in it cannot be a prefix, so the name goes alone
// (the issuer field holds the issuer); a name with a colon and no issuer
// gets an empty prefix, so that nothing of it is taken for an issuer.
func migrationName(a Account) string {
	switch {
	case a.Name == "":
		return ""
	case a.Issuer != "" && !strings.Contains(a.Issuer, ":"):
		return a.Issuer + ":" + a.Name
	case a.Issuer == "" && strings.Contains(a.Name, ":"):
		return ":" + a.Name
	}
	return a.Name
}
