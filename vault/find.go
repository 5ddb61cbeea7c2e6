package vault

import (
	"fmt"
	"regexp"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// Find returns the one entry query designates. An entry whose ID is query,
// or whose label ("Issuer:Name") equals query ignoring case, wins. Otherwise
// query must match exactly one entry in one of these ways, ignoring case:
//
//   - it is a substring of the label;
//   - it is the initials of the issuer ("aws" for Amazon Web Services, whose
//     QR codes never say AWS);
//   - it is ISSUER:NAME, where ISSUER is a substring or the initials of the
//     issuer and NAME a substring of the name ("aws:alice");
//   - it is an AWS MFA serial ARN (arn:aws:iam::123456789012:mfa/alice, as in
//     ~/.aws/config): the entry whose AWSNote names that ARN; else, of the
//     entries whose notes name no device,
//     those whose label holds that account ID, and when several do, whose
//     name is the device's (alice or alice@123456789012).
//
// No match is ErrNotFound; several is an *AmbiguousError listing them.
func (d *Data) Find(query string) (Entry, error) {
	q := strings.TrimSpace(query)
	if q == "" {
		return Entry{}, fmt.Errorf("%w: the query is empty", ErrNotFound)
	}
	if i := d.Index(q); i >= 0 {
		return d.Accounts[i], nil
	}
	var matches []Entry
	if account, device, ok := parseMFAARN(q); ok {
		matches = d.findARN(q, account, device)
	} else {
		matches = d.findText(q)
	}
	switch len(matches) {
	case 0:
		return Entry{}, fmt.Errorf("%w %q", ErrNotFound, q)
	case 1:
		return matches[0], nil
	}
	return Entry{}, &AmbiguousError{Query: q, Matches: matches}
}

// findText returns the entries whose label equals q, or else those q
// matches partially.
func (d *Data) findText(q string) []Entry {
	var exact, partial []Entry
	lq := strings.ToLower(q)
	qIssuer, qName, split := strings.Cut(lq, ":")
	split = split && qIssuer != "" && qName != ""
	for _, e := range d.Accounts {
		label := e.Label()
		switch {
		case strings.EqualFold(label, q):
			exact = append(exact, e)
		case strings.Contains(strings.ToLower(label), lq) || initials(e.Issuer) == lq:
			partial = append(partial, e)
		case split && issuerMatches(e.Issuer, qIssuer) && strings.Contains(strings.ToLower(e.Name), qName):
			partial = append(partial, e)
		}
	}
	if len(exact) > 0 {
		return exact
	}
	return partial
}

// issuerMatches reports whether q, in lower case, is a substring or the
// initials of issuer.
func issuerMatches(issuer, q string) bool {
	return strings.Contains(strings.ToLower(issuer), q) || initials(issuer) == q
}

// mfaARN is the ARN of an IAM virtual MFA device, in any AWS partition
// (aws, aws-cn, aws-us-gov): the 12-digit account ID, then the device name
// after an optional path. It is compiled on first use, not at start: every
// vmfa process would pay for it, and only ARN queries need it.
var mfaARN = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^(?i:arn:aws[a-z-]*:iam::)([0-9]{12}):(?i:mfa)/(?:[^/]*/)*([^/]+)$`)
})

// parseMFAARN returns the account ID and device name of an MFA serial ARN.
func parseMFAARN(q string) (account, device string, ok bool) {
	m := mfaARN().FindStringSubmatch(q)
	if m == nil {
		return "", "", false
	}
	return m[1], m[2], true
}

// findARN returns the entries of the MFA device arn: those whose note
// names it, else those of its account whose notes name no device: whose
// label holds its ID, narrowed to the device's name when there are several.
// AWS's QR codes label a device "Amazon Web Services:NAME@ACCOUNT", where
// NAME is the IAM user's name, usually the device's too; the root user's is
// "root-account-mfa-device".
func (d *Data) findARN(arn, account, device string) []Entry {
	var noted, inAccount, named []Entry
	for _, e := range d.Accounts {
		if n, _, ok := ParseAWSNote(e.Note); ok {
			if strings.EqualFold(n, arn) {
				noted = append(noted, e)
			}
			continue
		}
		if !strings.Contains(e.Label(), account) {
			continue
		}
		inAccount = append(inAccount, e)
		name, _, _ := strings.Cut(e.Name, "@")
		if strings.EqualFold(name, device) {
			named = append(named, e)
		}
	}
	switch {
	case len(noted) > 0:
		return noted
	case len(named) > 0:
		return named
	}
	return inAccount
}

// initials returns the lower-case first letters of a name of several words.
func initials(name string) string {
	words := strings.Fields(name)
	if len(words) < 2 {
		return ""
	}
	var b strings.Builder
	for _, w := range words {
		r, _ := utf8.DecodeRuneInString(w)
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}
