package unlock

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vmfa/vmfa/otp"
	"github.com/vmfa/vmfa/vault"
)

// TestOpenFoldsConflictCopies: whichever way a command opens the vault, a
// file-sync tool's conflict copy beside vault.age is merged, and said in
// one line, escaped: the interface's OpenWith keeps the line for it.
func TestOpenFoldsConflictCopies(t *testing.T) {
	s := newStore(t)
	// The copy: the vault as another machine saved it, with an account
	// this one lacks.
	other := filepath.Join(t.TempDir(), "other")
	if err := os.Mkdir(other, 0o700); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"identity.age", "vault.age"} {
		b, err := os.ReadFile(filepath.Join(s.Dir(), name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(other, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	ov, err := vault.Open(other).Unlock(testPass)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := otp.ParseURI("otpauth://totp/Elsewhere:bob?secret=JBSWY3DPEHPK3PXP")
	if _, err := ov.Update(func(d *vault.Data) error { _, err := d.Add(a, time.Now()); return err }); err != nil {
		t.Fatal(err)
	}
	ct, err := os.ReadFile(filepath.Join(other, "vault.age"))
	if err != nil {
		t.Fatal(err)
	}
	copyName := "vault (Bob's conflicted copy 2026-12-06)\x1b[2J.age"

	for _, how := range []string{"Open", "OpenWith"} {
		if err := os.WriteFile(filepath.Join(s.Dir(), copyName), ct, 0o600); err != nil {
			t.Fatal(err)
		}
		tty := &terminal{t: t, answers: []string{testPass}}
		u := tty.unlocker(s)
		var notes []string
		u.Note = func(line string) { notes = append(notes, line) }
		var v *vault.Vault
		if how == "Open" {
			v, err = u.Open()
		} else {
			v, err = u.OpenWith(testPass)
			notes, u.Notes = u.Notes, nil
		}
		if err != nil {
			t.Fatalf("%s: %v", how, err)
		}
		if len(notes) != 1 || !strings.HasPrefix(notes[0], "merged the conflict copy") || strings.ContainsAny(notes[0], "\x1b\n") {
			t.Errorf("%s: notes %q", how, notes)
		}
		d, err := v.Load()
		if err != nil || len(d.Accounts) != 1 {
			t.Fatalf("%s: after the fold, %v %v", how, d, err)
		}
		if s.HasConflictCopies() {
			t.Errorf("%s: the copy is still there", how)
		}
	}
}
