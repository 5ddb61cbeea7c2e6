package otp

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// ParseURI parses an otpauth:// URI as written by the Key Uri Format and by
// the services that stretch it: the label may be "Issuer:Account" with the
// colon literal or %3A and spaces after it; the issuer parameter wins over the
// label's prefix; secrets may be lower case, padded or spaced; unknown
// parameters are ignored. The result is normalized and valid.
func ParseURI(s string) (Account, error) {
	s = strings.TrimSpace(s)
	u, err := url.Parse(s)
	if err != nil {
		return Account{}, errors.New("not a valid otpauth:// URI")
	}
	if !strings.EqualFold(u.Scheme, "otpauth") {
		return Account{}, fmt.Errorf("not an otpauth:// URI (scheme %q)", Shorten(u.Scheme, 32))
	}
	typ, err := ParseType(u.Host)
	if err != nil {
		return Account{}, err
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return Account{}, errors.New("otpauth URI has a malformed query")
	}
	for _, key := range []string{"secret", "issuer", "algorithm", "digits", "period", "counter"} {
		// Apps disagree on which of two values wins, so neither does.
		if len(q[key]) > 1 {
			return Account{}, fmt.Errorf("otpauth URI has the %s parameter twice", key)
		}
	}
	a := Account{Type: typ}
	a.Issuer, a.Name, _ = ParseLabel(strings.TrimPrefix(u.Path, "/"))
	if issuer := strings.TrimSpace(q.Get("issuer")); issuer != "" {
		a.Issuer = issuer
	}
	if !q.Has("secret") {
		return Account{}, errors.New("otpauth URI has no secret")
	}
	a.Secret = q.Get("secret")
	if a.Algorithm, err = ParseAlgorithm(q.Get("algorithm")); err != nil {
		return Account{}, err
	}
	if a.Digits, err = intParam(q, "digits"); err != nil {
		return Account{}, err
	}
	switch typ {
	case TOTP, Steam:
		if a.Period, err = intParam(q, "period"); err != nil {
			return Account{}, err
		}
	case HOTP:
		c := q.Get("counter")
		if c == "" {
			break // RFC 4226 counters start at zero.
		}
		if a.Counter, err = strconv.ParseUint(c, 10, 64); err != nil {
			return Account{}, fmt.Errorf("counter %q is not a non-negative integer", Shorten(c, 24))
		}
	}
	if err := a.Normalize(); err != nil {
		return Account{}, err
	}
	return a, nil
}

// intParam returns 0 for an absent parameter, so Normalize applies the default.
func intParam(q url.Values, key string) (int, error) {
	v := q.Get(key)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%s %q is not a positive integer", key, Shorten(v, 24))
	}
	return n, nil
}

// URI formats a as an otpauth:// URI that ParseURI reads back to a, with
// spaces as %20, the secret unpadded and default parameters left out.
func (a Account) URI() string {
	// The label's issuer prefix is a courtesy to other apps; the issuer
	// parameter is authoritative. A prefix that itself holds a colon cannot
	// be written unambiguously, so it is left out, and an empty prefix keeps a
	// colon in the name from being read as a separator.
	prefix := a.Issuer
	if strings.Contains(prefix, ":") {
		prefix = ""
	}
	label := escapeLabel(a.Name)
	if prefix != "" || strings.Contains(a.Name, ":") {
		label = escapeLabel(prefix) + ":" + label
	}
	var b strings.Builder
	b.WriteString("otpauth://" + string(a.Type) + "/" + label + "?secret=" + a.Secret)
	if a.Issuer != "" {
		// QueryEscape writes spaces as "+", which some apps show literally.
		b.WriteString("&issuer=" + strings.ReplaceAll(url.QueryEscape(a.Issuer), "+", "%20"))
	}
	// Defaults are left out: every app assumes them, and a shorter URI
	// makes a smaller QR code.
	if a.Algorithm != SHA1 {
		b.WriteString("&algorithm=" + string(a.Algorithm))
	}
	if a.Digits != DefaultDigits {
		b.WriteString("&digits=" + strconv.Itoa(a.Digits))
	}
	switch {
	case a.Type == HOTP:
		b.WriteString("&counter=" + strconv.FormatUint(a.Counter, 10))
	case a.Period != DefaultPeriod:
		b.WriteString("&period=" + strconv.Itoa(a.Period))
	}
	return b.String()
}

// escapeLabel also escapes ":" (the issuer separator) and "+" (which some
// apps read as a space, as in a query).
func escapeLabel(s string) string {
	return labelEscaper.Replace(url.PathEscape(s))
}

var labelEscaper = strings.NewReplacer(":", "%3A", "+", "%2B")
