// Package intake turns what a user hands vmfa into accounts to add: image
// files, the screen, the clipboard, pasted or dropped text, otpauth:// URIs
// on stdin, a secret typed by hand and the export files of other
// authenticator apps. The command line and the interface both take their
// accounts from here, so that a source means the same in both.
//
// # The unit
//
// What one source holds is a Unit: its accounts, named by the source, added
// whole or not at all (vault.Data.AddAll, in one vault transaction). A
// source that cannot be read whole gives an error naming it, and no unit:
// one bad QR code refuses its image, one bad line refuses all of stdin, one
// bad account refuses its import file. Other sources are not held back by
// it, except import files (ReadImports), which are all read before any is
// added, and all refused if one is.
//
// # Sources
//
//   - Image files (ReadImageFile): PNG, JPEG, GIF, WebP, BMP or TIFF, named as
//     terminals name a file dragged into them (CleanPath: quoted,
//     backslash-escaped, file:// URLs, a leading ~). Only regular files are
//     opened, so a FIFO or a device never blocks; otp/qr bounds the bytes
//     read and the pixels decoded (qr.MaxPixels). Every QR code in the image
//     must be an otpauth:// or otpauth-migration:// URI; the error for one
//     that is not describes it without quoting it (it may be a secret).
//   - The screen (ReadScreen): the OTP QR codes on every monitor; other codes
//     (links on a web page) are left out, as internal/screen says.
//   - A clipboard image (ReadImage): as an image file.
//   - Pasted or dropped text: Classify says what it is (an otpauth:// or
//     otpauth-migration:// URI, a path, a bare base32 secret); URIFields
//     splits pasted URIs.
//   - URI lists (ReadURIs): stdin or clipboard text, one URI a line, blank
//     lines and # comments skipped, lines up to MaxLine bytes.
//   - A typed secret (Typed): an account the user describes, whose secret
//     is base32 as people write it (otp.CanonicalSecret).
//   - Import files (ReadImport, ReadImports): internal/importer's formats,
//     recognized from the content or named; encrypted ones ask for their
//     password through a callback, three tries when typed.
//
// The QR codes of images, the screen and pastes are sorted by a Pool: the
// accounts of one source make a unit of their own, while the parts of a
// Google Authenticator export split over several QR codes are pooled across
// every source, in any order, into one unit, which is an error naming its
// sources until every part has come.
//
// # Errors
//
// Errors name their source ("shot.png: …", "stdin: …", "line 3: …") and say
// what happened, never how to fix it with a vmfa command or flag: the front
// ends add that. No error quotes text that may hold a secret.
package intake

import (
	"errors"
	"strconv"
	"strings"

	"github.com/vmfa/vmfa/otp"
)

// Unit is what is added to a vault whole or not at all (vault.Data.AddAll):
// the accounts of one source, or of one Google Authenticator export whose QR
// codes were spread over several.
type Unit struct {
	Source   string // the source's name: a path, "stdin", the names of an export's images
	Accounts []otp.Account
}

// Kind is what pasted or dropped text holds.
type Kind int

const (
	Empty  Kind = iota // nothing but white space
	URI                // otpauth:// or otpauth-migration:// URIs, perhaps quoted
	Path               // a file's path: /, ~, . or a quote first, or a file:// URL
	Secret             // a bare base32 secret, as AWS's "Show secret key" gives
	Other              // none of these
)

func (k Kind) String() string {
	if names := [...]string{"empty", "URI", "path", "secret", "other"}; int(k) < len(names) {
		return names[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Classify says what pasted or dropped text holds. A URI comes before a
// path, for a quoted URI; a secret is base32 of a length a secret has.
func Classify(text string) Kind {
	t := strings.TrimSpace(text)
	switch {
	case t == "":
		return Empty
	case isURI(t):
		return URI
	case strings.ContainsAny(t[:1], `/~.'"`) || strings.HasPrefix(t, "file://"):
		return Path
	}
	if _, err := otp.CanonicalSecret(t); err == nil {
		return Secret
	}
	return Other
}

// NotSecret says why text, which Classify did not find a secret, is not
// one, when it is base32 of a length no secret has; else it is nil: the
// text is no secret at all, and is better not described.
func NotSecret(text string) error {
	_, err := otp.CanonicalSecret(strings.TrimSpace(text))
	if errors.Is(err, otp.ErrInvalidSecret) || errors.Is(err, otp.ErrEmptySecret) {
		return nil
	}
	return err
}

// isURI reports whether text starts with an otpauth: or otpauth-migration:
// scheme, after the quotes some terminals paste around it.
func isURI(text string) bool {
	scheme, _, ok := strings.Cut(strings.TrimLeft(text, `'"`), ":")
	return ok && (strings.EqualFold(scheme, "otpauth") || strings.EqualFold(scheme, "otpauth-migration"))
}

// Typed returns the unit of one account described by hand (issuer, name,
// type…) with its secret typed or pasted, checked and made canonical
// (otp.Account.Normalize), whose error says what is wrong with it.
func Typed(source string, acc otp.Account) (Unit, error) {
	if err := acc.Normalize(); err != nil {
		return Unit{}, err
	}
	return Unit{Source: source, Accounts: []otp.Account{acc}}, nil
}
