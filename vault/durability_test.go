package vault

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestSaveDurableInOrder: no test can cut the power, so this one records
// the syncs, renames and links of saves, as they are taken, and checks
// their order. The version a save replaces is kept in backups/; that
// generation was not synced before vault.age was renamed over it, so a
// power cut could leave the new vault.age and no generation of the old.
// Now, before the rename: the generation's data (a copy's; a link's is
// the old vault.age's, synced when it was saved), backups/ (its name; and
// the vault directory when backups/ is new), and the new vault.age's
// temporary file; after it, the vault directory.
func TestSaveDurableInOrder(t *testing.T) {
	for _, links := range []bool{true, false} {
		name := "hard links"
		if !links {
			name = "no hard links"
		}
		t.Run(name, func(t *testing.T) {
			if !links {
				link = func(old, new string) error {
					return &os.LinkError{Op: "link", Old: old, New: new, Err: os.ErrPermission}
				}
				t.Cleanup(func() { link = os.Link })
			}
			s, v := newTestVault(t)
			var steps []string
			traceDurable = func(op, path string) { steps = append(steps, op+" "+path) }
			t.Cleanup(func() { traceDurable = func(string, string) {} })

			addAccounts(t, v, 0, 1) // the first generation, and backups/
			checkSaveOrder(t, s, steps, links, true)
			path := filepath.Join(s.Dir(), vaultFile)
			replaced := mustRead(t, path)
			steps = nil
			addAccounts(t, v, 1, 1)
			checkSaveOrder(t, s, steps, links, false)
			// Either way, vault.age.bak is the version replaced, and no
			// temporary file is left.
			if !bytes.Equal(mustRead(t, path+bakSuffix), replaced) {
				t.Errorf("%s is not the version the save replaced", vaultFile+bakSuffix)
			}
			if left := temps(t, s.Dir()); len(left) > 0 {
				t.Errorf("temporary files left: %q", left)
			}
		})
	}
}

// checkSaveOrder checks the durable steps of one save of vault.age.
func checkSaveOrder(t *testing.T, s *Store, steps []string, links, newBackups bool) {
	t.Helper()
	dir, backups := s.Dir(), s.BackupsDir()
	// find returns the index of the first step that begins with prefix
	// and, if suffix is not "", ends with suffix, after index from.
	find := func(from int, prefix, suffix string) int {
		for i := from + 1; i < len(steps); i++ {
			if strings.HasPrefix(steps[i], prefix) && strings.HasSuffix(steps[i], suffix) {
				return i
			}
		}
		t.Fatalf("no %q…%q after step %d in\n%s", prefix, suffix, from, strings.Join(steps, "\n"))
		return -1
	}
	kept := "rename " + filepath.Join(backups, genPrefix)
	if links {
		kept = "link " + filepath.Join(backups, genPrefix)
	}
	gen := find(-1, kept, genSuffix)
	if !links {
		// The copy's data, synced before it takes the generation's name.
		find(-1, "sync "+filepath.Join(backups, "."+vaultFile+tmpMark), "")
		if i := slices.IndexFunc(steps, func(s string) bool { return strings.HasPrefix(s, "sync "+filepath.Join(backups, ".")) }); i > gen {
			t.Errorf("the copy kept in backups/ was synced after it was named:\n%s", strings.Join(steps, "\n"))
		}
	}
	syncBackups := find(gen, "sync "+backups, "")
	if steps[syncBackups] != "sync "+backups {
		t.Fatalf("step %d is %q", syncBackups, steps[syncBackups])
	}
	rename := find(-1, "rename "+filepath.Join(dir, vaultFile), "")
	if steps[rename] != "rename "+filepath.Join(dir, vaultFile) {
		t.Fatalf("step %d is %q", rename, steps[rename])
	}
	if syncBackups > rename {
		t.Errorf("backups/ was synced after vault.age was replaced:\n%s", strings.Join(steps, "\n"))
	}
	if tmp := find(-1, "sync "+filepath.Join(dir, "."+vaultFile+tmpMark), ""); tmp > rename {
		t.Errorf("the new vault.age was synced after its rename:\n%s", strings.Join(steps, "\n"))
	}
	if newBackups && !slices.Contains(steps[:gen], "sync "+dir) {
		t.Errorf("backups/ was made and its name not synced before a generation was kept in it:\n%s", strings.Join(steps, "\n"))
	}
	if !slices.Contains(steps[rename:], "sync "+dir) {
		t.Errorf("the vault directory was not synced after the rename:\n%s", strings.Join(steps, "\n"))
	}
}
