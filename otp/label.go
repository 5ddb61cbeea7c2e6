package otp

import "strings"

// ParseLabel splits a label written as "Issuer:Name", as in the path of an
// otpauth:// URI or as a user types one, at its first colon, and trims the
// spaces around each part. A label without a colon is all name, and hasIssuer
// is false.
func ParseLabel(label string) (issuer, name string, hasIssuer bool) {
	issuer, name, hasIssuer = strings.Cut(label, ":")
	if !hasIssuer {
		return "", strings.TrimSpace(label), false
	}
	return strings.TrimSpace(issuer), strings.TrimSpace(name), true
}
