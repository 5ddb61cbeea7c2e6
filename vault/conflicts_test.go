package vault

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vmfa/vmfa/internal/testenv"
)

func TestIsConflictCopy(t *testing.T) {
	t.Parallel()
	for name, want := range map[string]bool{
		"vault.sync-conflict-20261206-101010-ABCDEFG.age":     true, // Syncthing
		"vault (conflicted copy 2026-12-06).age":              true, // Dropbox
		"vault (Alice's conflicted copy 2026-12-06).age":      true, // Dropbox, shared
		"vault (conflicted copy 2026-12-06 101010).age":       true, // Nextcloud
		"vault_conflict-20261206-101010.age":                  true, // ownCloud
		"vault (1).age":                                       true,
		"vault (12).age":                                      true,
		"vault 2.age":                                         true, // iCloud
		"vault.Conflict.age":                                  true,
		"vault.age":                                           false,
		"vault.age.bak":                                       false,
		".vault.age.tmp123":                                   false,
		"vault.age.authenticated":                             false,
		"vault-20261206T101010.000000Z.age":                   false, // a generation's name
		"vaults.age":                                          false,
		"identity (1).age":                                    false,
		"vault (copy).age":                                    false,
		"vault.sync-conflict-20261206-101010-ABCDEFG.age.tmp": false,
		"vault (1).age.sync-conflict-20261206-101010-ABCDEFG": false,
		"vault.sync-conflict-20261206-101010-ABCDEFG.age.sync-conflict-x.age": true,
	} {
		if got := isConflictCopy(name); got != want {
			t.Errorf("isConflictCopy(%q) = %v, want %v", name, got, want)
		}
	}
}

// TestFoldConflictCopies: a Syncthing conflict copy holding another
// machine's changes is merged and moved to backups/ as a generation; one
// forged with the vault's public key alone (by the age command) is refused
// and left in place, said so each time.
func TestFoldConflictCopies(t *testing.T) {
	t.Parallel()
	agePath := testenv.Tool(t, "age")
	vs := replicas(t, 2)
	a, b := vs[0], vs[1]
	addAccounts(t, a, 0, 2)
	addAccounts(t, b, 10, 3)
	dir := a.store.Dir()
	syncthing := "vault.sync-conflict-20261206-101010-ABCDEFG.age"
	if err := os.WriteFile(filepath.Join(dir, syncthing), mustRead(t, b.store.path(vaultFile)), 0o644); err != nil {
		t.Fatal(err)
	}
	forged := "vault (1).age"
	cmd := exec.Command(agePath, "-r", a.Recipient(), "-o", filepath.Join(dir, forged))
	cmd.Stdin = strings.NewReader(`{"version":1,"accounts":[]}`)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("age: %v: %s", err, out)
	}
	gensBefore := len(generationFiles(t, a.store))

	folded, err := a.FoldConflictCopies()
	if err != nil {
		t.Fatal(err)
	}
	if len(folded) != 2 {
		t.Fatalf("folded %+v", folded)
	}
	byName := map[string]FoldedCopy{}
	for _, f := range folded {
		byName[f.Name] = f
		if strings.Contains(f.String(), "\n") {
			t.Errorf("a note of more than one line: %q", f.String())
		}
	}
	merged := byName[syncthing]
	if merged.Err != nil || merged.Report.In != 3 || merged.Kept == "" {
		t.Fatalf("the Syncthing copy: %+v", merged)
	}
	if !strings.Contains(merged.String(), "3 accounts changed here") {
		t.Errorf("note: %s", merged)
	}
	if _, err := os.Lstat(filepath.Join(dir, syncthing)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the merged copy is still there: %v", err)
	}
	kept := filepath.Join(a.store.BackupsDir(), genPrefix+merged.Kept+genSuffix)
	if !bytes.Equal(mustRead(t, kept), mustRead(t, b.store.path(vaultFile))) {
		t.Error("the merged copy is not kept as a generation")
	}
	if fi, err := os.Stat(kept); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("the kept copy: %v, %v", fi.Mode(), err)
	}
	// The merge's save kept the vault.age it replaced, and the copy.
	if got := len(generationFiles(t, a.store)); got != gensBefore+2 {
		t.Errorf("%d generations, want %d", got, gensBefore+2)
	}
	if d := mustLoad(t, a); len(d.Accounts) != 5 {
		t.Errorf("%d accounts after the fold, want 5", len(d.Accounts))
	}

	refused := byName[forged]
	if !errors.Is(refused.Err, ErrUnauthenticated) || !strings.HasPrefix(refused.String(), "warning: ") {
		t.Errorf("the forged copy: %v", refused)
	}
	if _, err := os.Lstat(filepath.Join(dir, forged)); err != nil {
		t.Errorf("the refused copy is gone: %v", err)
	}
	// Said again next time; nothing else to do.
	folded, err = a.FoldConflictCopies()
	if err != nil || len(folded) != 1 || folded[0].Name != forged || folded[0].Err == nil {
		t.Errorf("the second fold: %+v, %v", folded, err)
	}
	if !a.store.HasConflictCopies() {
		t.Error("HasConflictCopies misses the refused copy")
	}
}
