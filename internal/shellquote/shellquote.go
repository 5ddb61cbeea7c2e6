// Package shellquote writes strings so that a shell reads them back as they
// are: the words of the commands vmfa tells people to run ('chmod go-w
// DIR'), and the values of the exports 'vmfa aws env' prints for eval.
//
// It imports nothing of vmfa's, so that every package, vault included, can
// quote with it.
package shellquote

import "strings"

// Word is s as typed on a POSIX shell's command line: as it is when every
// character is one no shell treats specially, else single-quoted (POSIX).
// "[::1]:123" is quoted (a glob), and so is a leading "=" (zsh expands
// =cmd to the command's path).
func Word(s string) string {
	if s != "" && s[0] != '=' && strings.IndexFunc(s, special) < 0 {
		return s
	}
	return POSIX(s)
}

// special reports whether a shell may take r for something else than
// itself: anything but letters, digits and /._-+:@%,=.
func special(r rune) bool {
	return !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || strings.ContainsRune("/._-+:@%,=", r))
}

// POSIX single-quotes s for a POSIX shell (sh, bash, zsh), where a quote
// inside is ended, escaped with a backslash and begun again.
func POSIX(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// Fish single-quotes s for fish, where \ and ' are escaped inside.
func Fish(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}
