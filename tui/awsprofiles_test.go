package tui

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/vmfa/vmfa/otp"
	"github.com/vmfa/vmfa/vault"
)

// TestAWSProfilesInRows: each AWS device's row names the profiles that use
// it (directly or through source_profile, as the config file's reading
// gives them), a device AWS has not enabled says unconfirmed, the account
// IDs stay whole (the profiles are cut first, at 80 columns), and the
// filter finds a device by a profile's name.
func TestAWSProfilesInRows(t *testing.T) {
	s := newVault(t,
		otp.Account{Issuer: "Amazon Web Services", Name: "alice@111111111111", Secret: "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"},
		otp.Account{Issuer: "Amazon Web Services", Name: "alice@222222222222", Secret: "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJR"},
		otp.Account{Issuer: "Amazon Web Services", Name: "alice@333333333333", Secret: "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJS"},
		otp.Account{Issuer: "GitHub", Name: "alice", Secret: "JBSWY3DPEHPK3PXP"},
	)
	v, err := s.Unlock(testPass)
	if err != nil {
		t.Fatal(err)
	}
	v.Update(func(d *vault.Data) error {
		return d.Edit(d.Accounts[2].ID, func(e *vault.Entry) error {
			e.Note = vault.AWSNote("arn:aws:iam::333333333333:mfa/alice", true)
			return nil
		})
	})
	cfg := untimed(testConfig(s, &fakeClock{t: t0}, &fakeClipboard{}))
	cfg.awsProfiles = profilesOf([]AWSProfile{
		{Name: "base", MFASerial: "arn:aws:iam::111111111111:mfa/alice"},
		{Name: "admin", MFASerial: "arn:aws:iam::111111111111:mfa/alice"},
		{Name: "prod", MFASerial: "arn:aws:iam::222222222222:mfa/alice"},
		{Name: "gone", MFASerial: "arn:aws:iam::999999999999:mfa/alice"},
	})
	for _, w := range []int{80, 100} {
		m := newModel(cfg)
		m = send(m, tea.WindowSizeMsg{Width: w, Height: 24})
		m = send(m, openVault(storeAdapter{s: s}, testPass))
		view := m.View()
		checkFrame(t, view, w, 24)
		for id, tag := range map[string]string{"alice@111111111111": "· base, admin", "alice@222222222222": "· prod", "alice@333333333333": "· unconfirmed"} {
			if w < 100 {
				tag = tag[:len("· ")+4]
			}
			if row := rowOf(view, id); !strings.Contains(row, tag) {
				t.Errorf("%d columns: the row of %s, %q, does not say %q:\n%s", w, id, row, tag, view)
			}
		}
		if row := rowOf(view, "GitHub"); strings.Contains(row, "·") {
			t.Errorf("%d columns: GitHub's row names a profile: %q", w, row)
		}
		m = typeKeys(m, "prod")
		view = m.View()
		if rowOf(view, "alice@222222222222") == "" || rowOf(view, "alice@111111111111") != "" || rowOf(view, "GitHub") != "" {
			t.Errorf("%d columns: filtering by the profile prod shows:\n%s", w, view)
		}
	}
}

// profilesOf is an Options.AWSProfiles that reads profiles, unchanged.
func profilesOf(profiles []AWSProfile) func() ([]AWSProfile, bool) {
	return func() ([]AWSProfile, bool) { return profiles, false }
}

// rowOf is the line of view that holds s, "" if none.
func rowOf(view, s string) string {
	for _, l := range strings.Split(view, "\n") {
		if strings.Contains(l, s) {
			return l
		}
	}
	return ""
}
