// Package intake turns what a user hands vmfa into accounts to add: image
// files, the screen, the clipboard, pasted or dropped text, otpauth:// URIs
// on stdin, a secret typed by hand and the export files of other
// authenticator apps. The command line and the interface take their
// accounts from here alike, so that a source means the same in both.
//
// # The unit
//
// What a source holds is a Unit: accounts, named by their source, added
// whole or not at all (vault.Data.AddAll, in one vault transaction). A
// source that cannot be read whole gives an error naming it and no unit:
// one bad QR code refuses its image, one bad line all of stdin, one bad
// account its import file. A bad source does not hold back the others,
// except among import files (ReadImports), which are all read before any is
// added, and all refused if one is.
//
// The QR codes of images, the screen and pastes are sorted by a Pool: a
// source's own accounts make one unit, while the parts of a Google
// Authenticator export split over several QR codes are pooled across every
// source, in any order, into a unit of their own, which is an error naming
// its sources until every part has come. Where one source is all there is
// (enroll, a clipboard image) or the interface adds what it pooled, the
// lot is one unit (Pool.Unit, QRUnit).
//
// # Sources
//
//   - Image files (ReadImageFile, ReadImageFiles): PNG, JPEG, GIF, WebP, BMP
//     or TIFF, named as terminals name a file dragged into them (CleanPath:
//     quoted, backslash-escaped, a file:// URL, a leading ~). Only regular
//     files are opened, so a FIFO or a device never blocks; otp/qr reads at
//     most a few hundred megabytes and decodes at most qr.MaxPixels. Every
//     QR code must hold an otpauth:// or otpauth-migration:// URI; the error
//     for one that does not describes it without quoting it (it may be a
//     secret).
//   - The screen (ReadScreen): the OTP QR codes on every monitor; other
//     codes, such as links on a web page, are left out (internal/screenshot).
//   - A clipboard image (ReadImage): as an image file, from memory.
//   - Pasted or dropped text (Classify): Empty; URI, text starting with an
//     otpauth: or otpauth-migration: scheme, perhaps after a quote; Path,
//     text starting with /, ~, ., a quote or file://; Secret, a bare base32
//     secret of a length secrets have, in any case, spaces and hyphens
//     allowed (otp.CanonicalSecret; NotSecret says why base32 of another
//     length is none); else Other. Pasted URIs are split at white space
//     (Pool.AddText), quotes around each taken away.
//   - URI lists (ReadURIs): stdin or clipboard text, read as import files
//     are (importer.ScanURIList): one URI a line, blank
//     lines and # comments skipped, a line at most MaxLine bytes; the parts
//     of an export must all be there.
//   - A typed secret (Typed): one account the user describes (issuer, name,
//     type, digits…), checked and made canonical (otp.Account.Normalize).
//   - Import files (ReadImport, ReadImports): internal/importer's formats, at
//     most importer.MaxFileSize, recognized from the content unless named;
//     an SQLite database is read with its write-ahead log; the password of
//     an encrypted file comes from a callback, called only for one, three
//     times in all when it was typed (MaxPasswordTries); accounts vmfa
//     cannot generate codes for refuse their file, or are left out and
//     noted (Import.SkipUnsupported).
//
// # Errors
//
// Errors say what happened and name the source ("shot.png: …", "the screen:
// …", "line 3: …", "reading stdin: …"; a typed secret's, what is wrong with
// it), never a vmfa command or flag: the front ends add those. No error
// quotes text that may hold a secret.
package intake

import (
	"errors"
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
