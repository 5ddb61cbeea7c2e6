package unlock

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vmfa/vmfa/internal/vaulttest"
	"github.com/vmfa/vmfa/vault"
)

// TestOpenFoldsConflictCopies: whichever way a command opens the vault, a
// file-sync tool's conflict copy beside vault.age is merged, and said in
// one line, escaped: the interface's OpenWith keeps the line for it.
func TestOpenFoldsConflictCopies(t *testing.T) {
	s := newStore(t)
	ct := vaulttest.ConflictCopy(t, s, testPass, "otpauth://totp/Elsewhere:bob?secret=JBSWY3DPEHPK3PXP")
	copyName := "vault (Bob's conflicted copy 2026-12-06)\x1b[2J.age"

	for _, how := range []string{"Open", "OpenWith"} {
		if err := os.WriteFile(filepath.Join(s.Dir(), copyName), ct, 0o600); err != nil {
			t.Fatal(err)
		}
		tty := &terminal{t: t, answers: []string{testPass}}
		u := tty.unlocker(s)
		var notes []string
		u.Note = func(line string) { notes = append(notes, line) }
		var (
			v   *vault.Vault
			err error
		)
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
