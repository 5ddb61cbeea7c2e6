package tui

import (
	"strings"

	"github.com/vmfa/vmfa/vault"
)

// AWSProfile is a profile of the AWS config file that names an MFA device,
// itself or through its source_profile.
type AWSProfile struct {
	Name      string
	MFASerial string
}

// awsTags says, for each entry that is an AWS MFA device's, which profiles
// use it, as vmfa finds the device's entry for them (vault's Find of the
// ARN), or that the device is unconfirmed: by entry ID, "base, admin".
// Twenty AWS devices, all "Amazon Web Services:NAME@ACCOUNT", are told
// apart by these.
func awsTags(entries []vault.Entry, profiles []AWSProfile) map[string]string {
	tags := map[string]string{}
	d := &vault.Data{Accounts: entries}
	owner := map[string]string{} // serial → entry ID
	for _, p := range profiles {
		id, ok := owner[p.MFASerial]
		if !ok {
			if e, err := d.Find(p.MFASerial); err == nil {
				id = e.ID
			}
			owner[p.MFASerial] = id
		}
		if id == "" {
			continue
		}
		if tags[id] != "" {
			tags[id] += ", "
		}
		tags[id] += p.Name
	}
	for _, e := range entries {
		if _, unconfirmed, ok := vault.ParseAWSNote(e.Note); ok && unconfirmed {
			tags[e.ID] = strings.TrimPrefix(tags[e.ID]+", unconfirmed", ", ")
		}
	}
	return tags
}

// tagMatches returns the indices of the entries, not in already, whose tag
// holds query (case ignored): the filter finds an AWS device by a profile
// that uses it.
func tagMatches(entries []vault.Entry, tags map[string]string, query string, already []int) []int {
	q := strings.ToLower(strings.TrimSpace(query))
	if q == "" || len(tags) == 0 {
		return nil
	}
	in := make(map[int]bool, len(already))
	for _, i := range already {
		in[i] = true
	}
	var out []int
	for i, e := range entries {
		if !in[i] && strings.Contains(strings.ToLower(tags[e.ID]), q) {
			out = append(out, i)
		}
	}
	return out
}
