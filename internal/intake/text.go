package intake

import (
	"fmt"
	"io"
	"strings"

	"github.com/vmfa/vmfa/internal/importer"
	"github.com/vmfa/vmfa/otp"
)

// MaxLine bounds a line of a URI list: a Google Authenticator export URI of
// many accounts is a few kilobytes; a megabyte of anything is not a URI.
const MaxLine = 4 << 20

// uriFields returns the URIs of text pasted or typed into one line, where
// several are separated by white space, without the quotes some terminals
// paste around them.
func uriFields(text string) []string {
	fields := strings.Fields(text)
	for i, f := range fields {
		fields[i] = unquote(f)
	}
	return fields
}

// unquote takes away the quotes around s.
func unquote(s string) string {
	if len(s) >= 2 && (s[0] == '\'' || s[0] == '"') && s[len(s)-1] == s[0] {
		return s[1 : len(s)-1]
	}
	return s
}

// ReadURIs reads one otpauth:// or otpauth-migration:// URI a line from r,
// the source named, into one unit; blank lines and # comments are skipped,
// as in exported lists, and quotes around a URI are taken away. Any bad
// line refuses the whole input, and so does an export whose parts do not
// all come.
func ReadURIs(source string, r io.Reader) (Unit, error) {
	var c otp.Collector
	var bad error // a line's, which the scan returns as it is
	err := importer.ScanURIList(r, MaxLine, func(n int, line string) error {
		if bad = c.Add(unquote(line)); bad != nil {
			bad = fmt.Errorf("line %d: %w; nothing was added", n, bad)
		}
		return bad
	})
	if bad != nil {
		return Unit{}, bad
	}
	if err != nil {
		return Unit{}, fmt.Errorf("reading %s: %w", source, err)
	}
	accounts, err := c.Accounts()
	if err != nil {
		return Unit{}, err
	}
	if len(accounts) == 0 {
		return Unit{}, fmt.Errorf("no otpauth:// URI on %s", source)
	}
	return Unit{Source: source, Accounts: accounts}, nil
}
