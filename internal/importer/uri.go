package importer

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/vmfa/vmfa/otp"
)

// URI lists: one otpauth:// URI a line, in the Key Uri Format of Google
// Authenticator (github.com/google/google-authenticator/wiki/Key-Uri-Format),
// or Google Authenticator's otpauth-migration:// export URIs. Many apps
// export this, among them Ente Auth (which adds a codeDisplay parameter,
// ignored here), Authenticator Plus (inside its zip) and WinAuth. Blank
// lines and lines starting with # are skipped.
func parseURIs(data []byte, _ *prompt) (*accounts, error) {
	c := &accounts{}
	var collect otp.Collector
	err := ScanURIList(bytes.NewReader(data), MaxFileSize, func(n int, line string) error {
		if issuer, name, kind := unsupportedURI(line); kind != "" {
			return c.skip(issuer, name, kind)
		}
		if err := collect.Add(line); err != nil {
			return fmt.Errorf("line %d: %w", n, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	list, err := collect.Accounts()
	if err != nil {
		return nil, err
	}
	for _, a := range list {
		if err := c.add(a); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// ScanURIList calls each with every line of a URI list read from r, and
// its number: one URI a line, white space and a byte-order mark around it
// taken away, blank lines and # comments skipped. It is the one reader of
// URI lists, files and stdin alike. An error of each ends it, and is
// returned as it is; so does a line longer than maxLine bytes, as "line N
// is too long".
func ScanURIList(r io.Reader, maxLine int, each func(n int, line string) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, min(64<<10, maxLine)), maxLine)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(strings.TrimPrefix(sc.Text(), "\ufeff"))
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if err := each(n, line); err != nil {
			return err
		}
	}
	if errors.Is(sc.Err(), bufio.ErrTooLong) {
		return fmt.Errorf("line %d is too long", n+1)
	}
	return sc.Err()
}

// unsupportedURI names the account of an otpauth:// URI whose type or
// algorithm vmfa cannot generate, such as otpauth://motp/ or
// algorithm=MD5; kind is empty for any other line, which otp.Parse judges.
func unsupportedURI(line string) (issuer, name, kind string) {
	u, err := url.Parse(line)
	if err != nil || !strings.EqualFold(u.Scheme, "otpauth") {
		return "", "", ""
	}
	q, _ := url.ParseQuery(u.RawQuery)
	name = strings.TrimPrefix(u.Path, "/")
	if prefix, rest, ok := strings.Cut(name, ":"); ok {
		issuer, name = prefix, rest
	}
	if i := q.Get("issuer"); i != "" {
		issuer = i
	}
	if _, err := otp.ParseType(u.Host); err != nil && u.Host != "" {
		return issuer, name, kindOfType(u.Host)
	}
	if alg := q.Get("algorithm"); alg != "" {
		if _, ok := algorithm(alg); !ok {
			return issuer, name, kindOfAlgorithm(alg)
		}
	}
	return "", "", ""
}

// WinAuth's text export is a URI list whose labels are WinAuth's names for
// the accounts. Aegis, whose WinAuth importer the test files come from,
// makes that name the issuer and "WinAuth" the account name; so does vmfa.
// Only --format winauth applies this: the file is a plain URI list.
func parseWinAuth(data []byte, p *prompt) (*accounts, error) {
	c, err := parseURIs(data, p)
	if err != nil {
		return nil, err
	}
	for i := range c.list {
		a := &c.list[i]
		a.Issuer, a.Name = a.Name, "WinAuth"
		if err := a.Normalize(); err != nil {
			return nil, fmt.Errorf("account %d: %w", i+1, err)
		}
	}
	return c, nil
}
