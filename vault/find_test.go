package vault

import (
	"errors"
	"testing"
	"time"
)

// TestFindAWSQueries covers the queries an AWS user writes: the issuer part
// of ISSUER:NAME as initials, and MFA serial ARNs as in ~/.aws/config.
func TestFindAWSQueries(t *testing.T) {
	d := &Data{Version: Version}
	for i, l := range [][2]string{
		{"Amazon Web Services", "alice@123456789012"},
		{"Amazon Web Services", "bob@123456789012"},
		{"Amazon Web Services", "alice@210987654321"},
		{"Amazon Web Services", "root-account-mfa-device@555555555555"},
		{"AWS", "root"},
		{"GitHub", "alice"},
		{"Google Cloud", "ops"},
	} {
		if _, err := d.Add(testAccount(l[0], l[1], uint64(i)), time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		query, want string
		matches     int // of an *AmbiguousError, when want is ""
	}{
		{query: "aws:alice", matches: 2}, // initials of the issuer, then the name
		{query: "aws:alice@1234", want: "Amazon Web Services:alice@123456789012"},
		{query: "AWS:bob", want: "Amazon Web Services:bob@123456789012"},
		{query: "aws:root", want: "AWS:root"},       // the issuer AWS itself, and its initials
		{query: "aws:", want: "AWS:root"},           // no name part: the label substring, as before
		{query: "ws:alice", want: ""},               // initials are whole, not a substring of them
		{query: "git:alice", want: "GitHub:alice"},  // issuer part as a substring
		{query: "gc:ops", want: "Google Cloud:ops"}, // the initials of two words
		{query: "arn:aws:iam::123456789012:mfa/alice", want: "Amazon Web Services:alice@123456789012"},
		{query: "arn:aws:iam::123456789012:mfa/bob", want: "Amazon Web Services:bob@123456789012"},
		{query: "arn:aws:iam::210987654321:mfa/alice", want: "Amazon Web Services:alice@210987654321"},
		{query: "arn:aws:iam::210987654321:mfa/other-device", want: "Amazon Web Services:alice@210987654321"}, // the account ID alone decides
		{query: "arn:aws:iam::555555555555:mfa/root-account-mfa-device", want: "Amazon Web Services:root-account-mfa-device@555555555555"},
		{query: "arn:aws-us-gov:iam::123456789012:mfa/path/to/bob", want: "Amazon Web Services:bob@123456789012"},
		{query: "arn:aws:iam::123456789012:mfa/carol", matches: 2}, // two devices in that account, neither carol's
		{query: "arn:aws:iam::999999999999:mfa/alice", want: ""},   // no such account
	} {
		e, err := d.Find(tc.query)
		var amb *AmbiguousError
		switch {
		case tc.want != "":
			if err != nil || e.Label() != tc.want {
				t.Errorf("Find(%q) = %q, %v; want %q", tc.query, e.Label(), err, tc.want)
			}
		case tc.matches > 0:
			if !errors.As(err, &amb) || len(amb.Matches) != tc.matches {
				t.Errorf("Find(%q) = %q, %v; want %d matches", tc.query, e.Label(), err, tc.matches)
			}
		default:
			if !errors.Is(err, ErrNotFound) {
				t.Errorf("Find(%q) = %q, %v; want ErrNotFound", tc.query, e.Label(), err)
			}
		}
	}
}

// TestFindARNByNote: an entry whose note names an MFA device's ARN (as 'vmfa
// aws enroll' writes it) is that device's, and no other's, even when two
// entries have the same label: a user's second device, or a device named
// otherwise than the user.
func TestFindARNByNote(t *testing.T) {
	d := &Data{Version: Version}
	for i, note := range []string{
		"", // alice's first device, added from its QR code
		"AWS MFA device arn:aws:iam::123456789012:mfa/alice-laptop",
		"AWS MFA device arn:aws:iam::123456789012:mfa/alice-2 (unconfirmed: not enabled at AWS)",
	} {
		e, err := d.Add(testAccount("Amazon Web Services", "alice@123456789012", uint64(i)), time.Now())
		if err != nil {
			t.Fatal(err)
		}
		d.Edit(e.ID, func(e *Entry) error { e.Note = note; return nil })
	}
	for query, want := range map[string]string{
		"arn:aws:iam::123456789012:mfa/alice":        "",
		"arn:aws:iam::123456789012:mfa/alice-laptop": "AWS MFA device arn:aws:iam::123456789012:mfa/alice-laptop",
		"arn:aws:iam::123456789012:mfa/ALICE-2":      "AWS MFA device arn:aws:iam::123456789012:mfa/alice-2 (unconfirmed: not enabled at AWS)",
		"arn:aws:iam::123456789012:mfa/alice-3":      "", // the one entry whose note names no device
	} {
		e, err := d.Find(query)
		if err != nil || e.Note != want {
			t.Errorf("Find(%q) = note %q, %v; want note %q", query, e.Note, err, want)
		}
	}
}
