// Package importer reads the export and backup files of other authenticator
// apps into otp.Accounts, so that people can move to vmfa with every account
// they have.
//
// Each format lives in a file of its own, whose doc comment says what the
// format is and where it is documented. The formats were checked against
// the test files of Aegis's importers (github.com/beemdevelopment/Aegis,
// app/src/test/resources/.../importers), which the tests read from the
// shared corpus, never from this repository.
//
// Files come from outside and are treated as hostile: they are bounded in
// size, in accounts and in the key-derivation work they may ask for, and
// every error is one line that quotes neither a secret nor the file.
package importer

import (
	"encoding/base32"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/vmfa/vmfa/internal/termsafe"
	"github.com/vmfa/vmfa/otp"
)

// Limits on what a file may make us do.
const (
	// MaxFileSize bounds the files Parse reads; real exports are kilobytes,
	// and an app's database with icons a few megabytes.
	MaxFileSize = 64 << 20
	// maxAccounts bounds the accounts of one file.
	maxAccounts = 10000
)

// Format is one kind of file Parse reads.
type Format struct {
	Name  string // the --format value: "aegis"
	App   string // the app that writes it: "Aegis Authenticator"
	Files string // which of its files: "vault export (.json), plain or encrypted"
	parse func(data []byte, pw *prompt) (*accounts, error)
}

// Formats lists every format, in the order of docs/import-export.md's table.
var Formats = []Format{
	{"uri", "Any app", "otpauth:// and otpauth-migration:// URIs, one a line (also Ente Auth's export)", parseURIs},
	{"winauth", "WinAuth", "text export of otpauth:// URIs", parseWinAuth},
	{"aegis", "Aegis Authenticator", "vault export (.json), plain or encrypted", parseAegis},
	{"2fas", "2FAS Authenticator", "backup (.2fas, schemas 1 to 4), plain or encrypted", parse2FAS},
	{"andotp", "andOTP", "backup (.json plain, .json.aes encrypted, old and new)", parseAndOTP},
	{"authenticator-plus", "Authenticator Plus", "encrypted backup (.zip)", parseAuthenticatorPlus},
	{"authy", "Authy", "shared preferences (com.authy.storage.tokens.authenticator.xml), plain or encrypted", parseAuthy},
	{"battlenet", "Battle.net Authenticator", "shared preferences (com.blizzard.messenger.authenticator_preferences.xml)", parseBattleNet},
	{"bitwarden", "Bitwarden", "vault export (.json, plain or password-protected, or .csv)", parseBitwarden},
	{"duo", "Duo Mobile", "accounts file (duokit/accounts.json)", parseDuo},
	{"freeotp", "FreeOTP", "tokens.xml (version 1, also FreeOTP+'s) or encrypted backup (version 2, externalBackup.xml)", parseFreeOTP},
	{"freeotp-plus", "FreeOTP+", "export (.json)", parseFreeOTPPlus},
	{"google-authenticator-db", "Google Authenticator", "the app's database (databases/databases, SQLite)", parseGoogleAuthenticatorDB},
	{"microsoft-authenticator-db", "Microsoft Authenticator", "the app's database (databases/PhoneFactor, SQLite)", parseMicrosoftAuthenticatorDB},
	{"proton", "Proton Authenticator", "export (.json)", parseProton},
	{"steam", "Steam (Steam Desktop Authenticator)", "maFile (.maFile or manifest-style .json)", parseSteam},
	{"stratum", "Stratum / Authenticator Pro", "backup (.json, .authpro encrypted and legacy encrypted) or the app's database (SQLite)", parseStratum},
	{"totp-authenticator", "TOTP Authenticator", "backup (.bin, encrypted) or shared preferences (TOTP_Authenticator_Preferences.xml)", parseTOTPAuthenticator},
	{"vmfa", "vmfa", "vmfa export --format json (the content of vault.age)", parseVMFA},
}

// Lookup returns the format with that name.
func Lookup(name string) (Format, error) {
	for _, f := range Formats {
		if f.Name == strings.ToLower(strings.TrimSpace(name)) {
			return f, nil
		}
	}
	names := make([]string, len(Formats))
	for i, f := range Formats {
		names[i] = f.Name
	}
	return Format{}, fmt.Errorf("unknown format %q: use one of %s", otp.Shorten(name, 32), strings.Join(names, ", "))
}

// ErrWrongPassword reports a password that does not open an encrypted
// export. Authenticated encryption cannot tell a wrong password from a
// damaged file, so the message names both.
var ErrWrongPassword = errors.New("wrong password, or the file is damaged")

// Unsupported is an account that a file holds but vmfa cannot generate
// codes for, such as an mOTP or a Yandex account.
type Unsupported struct {
	Label string // "Issuer:Name", as the file has it
	Kind  string // what vmfa cannot do: "mOTP", "the MD5 algorithm"
}

func (u Unsupported) String() string { return u.Label + " (" + u.Kind + ")" }

// UnsupportedError refuses a file that holds Unsupported accounts. Accounts
// holds the others, for a caller that the user asked to skip them.
type UnsupportedError struct {
	Format   string
	Accounts []otp.Account
	Skipped  []Unsupported
}

func (e *UnsupportedError) Error() string {
	names := make([]string, len(e.Skipped))
	for i, u := range e.Skipped {
		names[i] = u.String()
	}
	return fmt.Sprintf("%d account(s) of a kind vmfa cannot generate codes for: %s", len(e.Skipped), strings.Join(names, ", "))
}

// Parse reads the accounts of a file in the named format (see Detect). It
// calls password, once, only if the file is encrypted. An account vmfa
// cannot generate codes for makes it return an *UnsupportedError that holds
// the others; any other problem is an error and no account.
func Parse(format string, data []byte, password func() (string, error)) ([]otp.Account, error) {
	f, err := Lookup(format)
	if err != nil {
		return nil, err
	}
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("the file is over %d MiB, too large for an export", MaxFileSize>>20)
	}
	accs, err := f.parse(data, &prompt{ask: password})
	if err != nil {
		return nil, err
	}
	if len(accs.list) == 0 && len(accs.unsupported) == 0 {
		return nil, errors.New("the file holds no accounts")
	}
	if len(accs.unsupported) > 0 {
		return nil, &UnsupportedError{Format: f.Name, Accounts: accs.list, Skipped: accs.unsupported}
	}
	return accs.list, nil
}

// prompt asks for the password of an encrypted file, at most once, and
// keeps the account of the key derivations the file asks for (see spend).
type prompt struct {
	ask   func() (string, error)
	value *string

	spent       time.Duration // estimated, of the derivations let through
	derivations int
}

func (p *prompt) password() (string, error) {
	if p.value != nil {
		return *p.value, nil
	}
	if p.ask == nil {
		return "", errors.New("the file is encrypted and no password was given")
	}
	s, err := p.ask()
	if err != nil {
		return "", err
	}
	p.value = &s
	return s, nil
}

// accounts collects the accounts of one file, normalized and validated.
type accounts struct {
	list        []otp.Account
	unsupported []Unsupported
}

// add normalizes a and keeps it, or says which account is wrong and why.
func (c *accounts) add(a otp.Account) error {
	if err := c.room(); err != nil {
		return err
	}
	label := a.Label()
	if err := a.Normalize(); err != nil {
		return fmt.Errorf("account %d (%s): %w", c.count()+1, describeLabel(label), err)
	}
	c.list = append(c.list, a)
	return nil
}

// skip records an account of a kind vmfa cannot generate.
func (c *accounts) skip(issuer, name, kind string) error {
	if err := c.room(); err != nil {
		return err
	}
	label := (&otp.Account{Issuer: issuer, Name: name}).Label()
	c.unsupported = append(c.unsupported, Unsupported{Label: describeLabel(label), Kind: kind})
	return nil
}

func (c *accounts) count() int { return len(c.list) + len(c.unsupported) }

func (c *accounts) room() error {
	if c.count() >= maxAccounts {
		return fmt.Errorf("the file holds more than %d accounts", maxAccounts)
	}
	return nil
}

// describeLabel keeps a label from the file fit for a one-line message:
// short, and with its terminal controls written out (termsafe.Escape).
func describeLabel(label string) string {
	label = termsafe.Escape(otp.Shorten(strings.TrimSpace(label), 64))
	if label == "" {
		return "unnamed"
	}
	return label
}

// algorithm maps an algorithm name as the apps write it ("SHA1",
// "sha256", "HmacSHA512"…); ok is false for anything vmfa cannot compute.
func algorithm(s string) (a otp.Algorithm, ok bool) {
	s = strings.TrimPrefix(strings.ToUpper(strings.TrimSpace(s)), "HMAC")
	a, err := otp.ParseAlgorithm(s)
	return a, err == nil
}

// kindOfAlgorithm names an algorithm vmfa cannot compute.
func kindOfAlgorithm(s string) string {
	return "the " + otp.Shorten(strings.ToUpper(strings.TrimSpace(s)), 16) + " algorithm"
}

// sortedKeys returns a map's keys in order, so that formats stored as maps
// import in the same order every time.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// entry is an account as a file describes it, before vmfa's rules apply.
type entry struct {
	Issuer, Name string
	Type         string // as the file writes it: "totp", "HOTP", "steam"…; "" is TOTP
	Algorithm    string // as the file writes it; "" is SHA1
	Secret       string // base32, as the file writes it
	Digits       int    // 0: the type's default
	Period       int    // TOTP only; 0: 30 seconds
	Counter      uint64 // HOTP only
}

// addEntry adds e, or records it as unsupported when vmfa cannot generate
// its type or algorithm. A Steam account's parameters are fixed, so what
// the file says of them is not used.
func (c *accounts) addEntry(e entry) error {
	typ := otp.TOTP
	if e.Type != "" {
		var err error
		if typ, err = otp.ParseType(e.Type); err != nil {
			return c.skip(e.Issuer, e.Name, kindOfType(e.Type))
		}
	}
	alg, ok := algorithm(e.Algorithm)
	if !ok {
		return c.skip(e.Issuer, e.Name, kindOfAlgorithm(e.Algorithm))
	}
	a := otp.Account{Issuer: e.Issuer, Name: e.Name, Secret: e.Secret, Type: typ, Algorithm: alg, Digits: e.Digits}
	switch typ {
	case otp.TOTP:
		a.Period = e.Period
	case otp.HOTP:
		a.Counter = e.Counter
	case otp.Steam:
		a.Algorithm, a.Digits = otp.SHA1, otp.SteamDigits
	}
	return c.add(a)
}

// kindOfType names an OTP type vmfa cannot generate.
func kindOfType(s string) string {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "motp":
		return "mOTP"
	case "yandex", "yaotp":
		return "Yandex"
	}
	return fmt.Sprintf("the OTP type %q", otp.Shorten(s, 16))
}

// base32Of writes raw secret bytes as an otp.Account holds them.
func base32Of(raw []byte) string {
	return base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(raw)
}

// decodeJSON unmarshals a file or a decrypted payload, with errors that
// name the problem but quote nothing of the content.
func decodeJSON(data []byte, v any) error {
	err := json.Unmarshal(data, v)
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var content contentError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &content):
		return fmt.Errorf("unexpected JSON: %w", content)
	case errors.As(err, &syn):
		return fmt.Errorf("not valid JSON (error at byte %d)", syn.Offset)
	case errors.As(err, &typ):
		return fmt.Errorf("unexpected JSON: %s is a %s", describeField(typ.Field), typ.Value)
	case errors.Is(err, io.ErrUnexpectedEOF) || strings.Contains(err.Error(), "unexpected end"):
		return errors.New("not valid JSON: it is truncated")
	}
	return errors.New("not valid JSON")
}

// contentError is what a custom JSON decoder says of a value; it quotes
// nothing of it.
type contentError string

func (e contentError) Error() string { return string(e) }

func describeField(f string) string {
	if f == "" {
		return "the document"
	}
	return "field " + otp.Shorten(f, 48)
}
