package vault

import (
	"errors"
	"strings"
	"testing"
)

// TestInvalidAccountMessages checks that Update names the account that
// stops a save by its position and label, cut at 64 bytes on a character
// boundary.
func TestInvalidAccountMessages(t *testing.T) {
	_, v := newTestVault(t)
	addAccounts(t, v, 0, 1)
	for _, tt := range []struct {
		issuer, name, want string
	}{
		{"I", strings.Repeat("a", 62), `not saved: account 2 ("I:` + strings.Repeat("a", 62) + `"): account has no valid id`},
		{"I", strings.Repeat("a", 61) + "éb", `not saved: account 2 ("I:` + strings.Repeat("a", 61) + `…"): account has no valid id`},
		// Not a character in the first 64 bytes: nothing is left to quote.
		{"", strings.Repeat("\x80", 70), `not saved: account 2 ("…"): account has no valid id`},
	} {
		_, err := v.Update(func(d *Data) error {
			a := testAccount(tt.issuer, "n", 9)
			if err := a.Normalize(); err != nil {
				return err
			}
			a.Name = tt.name
			d.Accounts = append(d.Accounts, Entry{ID: "not valid!", Account: a})
			return nil
		})
		if err == nil || err.Error() != tt.want {
			t.Errorf("Update = %v\nwant %s", err, tt.want)
		}
	}
	if d := mustLoad(t, v); len(d.Accounts) != 1 {
		t.Errorf("the vault holds %d accounts after refused saves, want 1", len(d.Accounts))
	}
}

func TestDuplicateIDMessage(t *testing.T) {
	_, v := newTestVault(t)
	addAccounts(t, v, 0, 2)
	_, err := v.Update(func(d *Data) error {
		d.Accounts[1].ID = d.Accounts[0].ID
		return nil
	})
	if err == nil || !strings.HasPrefix(err.Error(), "not saved: accounts 1 and 2 have the same id ") {
		t.Errorf("Update with two entries of one ID = %v", err)
	}
}

// TestDamagedContents checks what Load says of a vault.age whose JSON is
// well-formed but not a vault of this version, without quoting it.
func TestDamagedContents(t *testing.T) {
	_, v := newTestVault(t)
	addAccounts(t, v, 0, 1)
	for js, want := range map[string]string{
		`{"version":1,"accounts":"JBSWY3DPEHPK3PXP"}`: `its field "accounts" has the wrong type`,
		`{"version":"1"}`:      `its field "version" has the wrong type`,
		`["JBSWY3DPEHPK3PXP"]`: `its contents are not a vault (JSON array at byte 1)`,
		`{"version":1,"accounts":[{"id":"x","name":"n","secret":"JBSWY3DPEHPK3PXP","type":"totp","algorithm":"SHA1","digits":6,"period":30,"created":"2026-01-01T00:00:00Z"},` +
			`{"id":"x","name":"m","secret":"GEZDGNBVGY3TQOJQ","type":"totp","algorithm":"SHA1","digits":6,"period":30,"created":"2026-01-01T00:00:00Z"}]}`: `accounts 1 and 2 have the same id "x"`,
	} {
		writeVaultJSON(t, v, js)
		_, err := v.Load()
		if !errors.Is(err, ErrDamaged) || errors.Is(err, ErrNewerVersion) || !strings.Contains(err.Error(), "("+want+")") {
			t.Errorf("Load of %s = %v, want damaged (%s)", js, err, want)
		}
		if err != nil && strings.Contains(err.Error(), "JBSWY3DPEHPK3PXP") {
			t.Errorf("Load of %s quotes the file: %v", js, err)
		}
	}
}
