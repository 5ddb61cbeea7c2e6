// Package termsafe is the one rule for text from outside (files, QR codes,
// exports, servers, file names, other programs) on its way to a terminal:
// every character a terminal could take as a command is written out
// visibly instead, so that a label or a message can neither set the
// window's title, clear the screen nor move the cursor, and the user sees
// that something was there.
//
// It is tiny on purpose: the front end, which must link little, uses it too.
package termsafe

import (
	"unicode/utf8"
)

const hexDigits = "0123456789abcdef"

// Escape returns s with every control character written out: C0 (U+0000 to
// U+001F, newline and tab included: every use is one line or one cell) and
// DEL as \x1b, \x7f…; C1 (U+0080 to U+009F, whose CSI and OSC a terminal
// obeys as ESC [ and ESC ]) as \u009b…; and every byte that is not part of
// valid UTF-8 as \xNN, since a terminal in an 8-bit mode reads 0x9b as CSI.
// Everything else, non-ASCII letters, CJK and emoji included, is kept as
// it is. A backslash is not escaped: the rule is for safety, not for a
// reversible encoding. Escape(Escape(s)) == Escape(s).
func Escape(s string) string {
	if !HasControls(s) {
		return s
	}
	b := make([]byte, 0, len(s)+16)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, '\\', 'x', hexDigits[s[i]>>4], hexDigits[s[i]&0xf])
		case isC0OrDEL(r):
			b = append(b, '\\', 'x', hexDigits[r>>4], hexDigits[r&0xf])
		case isC1(r):
			b = append(b, '\\', 'u', '0', '0', hexDigits[r>>4], hexDigits[r&0xf])
		default:
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return string(b)
}

// HasControls reports whether Escape would change s: whether it holds a
// control character or bytes that are not UTF-8.
func HasControls(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x80 {
			if isC0OrDEL(rune(c)) {
				return true
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || isC1(r) {
			return true
		}
		i += size - 1
	}
	return false
}

// EscapeJSON applies the rule to encoding/json's output, which escapes C0
// but writes DEL and C1 as they are: each becomes \u007f, \u009b…, which
// JSON decoders read back as the same character, so nothing is lost.
// Outside strings, JSON is ASCII, so only strings are changed.
func EscapeJSON(b []byte) []byte {
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == 0x7f || isC1(r) {
			out = append(out, '\\', 'u', '0', '0', hexDigits[r>>4], hexDigits[r&0xf])
		} else {
			out = append(out, b[i:i+size]...)
		}
		i += size
	}
	return out
}

func isC0OrDEL(r rune) bool { return r < 0x20 || r == 0x7f }

func isC1(r rune) bool { return 0x80 <= r && r <= 0x9f }
