//go:build unix

package vault

import (
	"bufio"
	"bytes"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vmfa/vmfa/internal/testenv"
)

// snapshot reads every generation, by name.
func snapshot(t *testing.T, s *Store) map[string][]byte {
	t.Helper()
	m := map[string][]byte{}
	for _, n := range generationFiles(t, s) {
		m[n] = mustRead(t, filepath.Join(s.BackupsDir(), n))
	}
	return m
}

func sameSnapshot(a, b map[string][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for n, ct := range a {
		if !bytes.Equal(b[n], ct) {
			return false
		}
	}
	return true
}

// TestGenerationsFullDisk: a save that fails for want of space leaves the
// generations as they were.
func TestGenerationsFullDisk(t *testing.T) {
	s, v := newTestVault(t)
	for i := range 5 {
		addAccounts(t, v, i, 1)
	}
	path := filepath.Join(s.Dir(), vaultFile)
	before, gens := mustRead(t, path), snapshot(t, s)
	limit := len(before) + 512
	out, err := helperCmd(t, "fulldisk", s.Dir(), 100, 1, "VMFA_TEST_FSIZE="+strconv.Itoa(limit)).Output()
	if err == nil || !strings.Contains(string(out), "file too large") {
		t.Fatalf("writer with a full disk: %v\n%s", err, out)
	}
	if !bytes.Equal(mustRead(t, path), before) || !sameSnapshot(snapshot(t, s), gens) {
		t.Error("a failed save changed vault.age or the generations")
	}
}

// TestGenerationsUnwritable: when the previous version can't be kept in
// backups/, the save fails and changes nothing.
func TestGenerationsUnwritable(t *testing.T) {
	s, v := newTestVault(t)
	addAccounts(t, v, 0, 1)
	addAccounts(t, v, 1, 1)
	path := filepath.Join(s.Dir(), vaultFile)
	before, bak, gens := mustRead(t, path), mustRead(t, path+bakSuffix), snapshot(t, s)
	if os.Geteuid() == 0 {
		// Root ignores permissions, not the immutable attribute.
		chattr := testenv.Tool(t, "chattr")
		if out, err := exec.Command(chattr, "+i", s.BackupsDir()).CombinedOutput(); err != nil {
			testenv.Skip(t, "this file system has no immutable attribute: %v %s", err, out)
		}
		t.Cleanup(func() { exec.Command(chattr, "-i", s.BackupsDir()).Run() })
	} else {
		os.Chmod(s.BackupsDir(), 0o500)
		t.Cleanup(func() { os.Chmod(s.BackupsDir(), 0o700) })
	}
	_, err := v.Update(func(d *Data) error { d.Accounts[0].Pinned = true; return nil })
	if err == nil || !strings.Contains(err.Error(), "unchanged") || !strings.Contains(err.Error(), "backups") {
		t.Errorf("save with an unwritable backups/: %v", err)
	}
	if !bytes.Equal(mustRead(t, path), before) || !bytes.Equal(mustRead(t, path+bakSuffix), bak) || !sameSnapshot(snapshot(t, s), gens) {
		t.Error("a failed save changed vault.age, its backup or the generations")
	}
	if tmp := temps(t, s.Dir()); len(tmp) > 0 {
		t.Errorf("temporary files left: %v", tmp)
	}
}

// TestKillGenerations kills writers at random moments and checks, after
// each kill, that every generation opens, that they are in order, and that
// no more are kept than configured (one more until the next save).
func TestKillGenerations(t *testing.T) {
	iterations := max(*kills/2, 1)
	if testing.Short() {
		iterations = min(iterations, 5)
	}
	s, v := newTestVault(t)
	update(t, v, func(d *Data) error { d.Generations = MinGenerations; return nil })
	next := 0
	for it := range iterations {
		cmd := helperCmd(t, "writer", s.Dir(), next, 0)
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(stdout)
		if !sc.Scan() || sc.Text() != "ready" {
			t.Fatalf("iteration %d: writer said %q", it, sc.Text())
		}
		time.Sleep(time.Duration(rand.N(40000)) * time.Microsecond)
		cmd.Process.Kill()
		for sc.Scan() {
		}
		cmd.Wait()

		cur := mustLoad(t, v)
		names := generationFiles(t, s)
		var gens []string
		for _, n := range names {
			if strings.HasPrefix(n, "vault-") {
				gens = append(gens, n)
			}
		}
		// A writer killed after keeping the previous version but before
		// pruning leaves one more; the next save prunes it.
		if len(gens) > MinGenerations+1 {
			t.Fatalf("iteration %d: %d generations kept, want at most %d", it, len(gens), MinGenerations+1)
		}
		if !slices.IsSorted(gens) || len(names)-len(gens) > 1 {
			t.Fatalf("iteration %d: backups/ holds %v", it, names)
		}
		prev := -1
		for _, n := range gens {
			d, err := v.decryptData(mustRead(t, filepath.Join(s.BackupsDir(), n)), nil)
			if err != nil {
				t.Fatalf("iteration %d: generation %s: %v", it, n, err)
			}
			if len(d.Accounts) < prev || len(d.Accounts) > len(cur.Accounts) {
				t.Fatalf("iteration %d: generation %s holds %d accounts, after %d, with %d current", it, n, len(d.Accounts), prev, len(cur.Accounts))
			}
			prev = len(d.Accounts)
		}
		next += len(cur.Accounts) + 1
	}
	addAccounts(t, v, next, 1)
	if got := len(generationFiles(t, s)); got != MinGenerations {
		t.Errorf("after the kills and a save, backups/ holds %d files, want %d", got, MinGenerations)
	}
	t.Logf("%d kills; %d accounts saved", iterations, len(mustLoad(t, v).Accounts))
}

// TestInsecureBackupsDir: backups/ is held to the rule of the vault
// directory (TestInsecureDir): whoever can write there can plant versions.
func TestInsecureBackupsDir(t *testing.T) {
	s, v := newTestVault(t)
	addAccounts(t, v, 0, 1)
	os.Chmod(s.BackupsDir(), 0o777)
	if _, err := v.Update(func(*Data) error { return nil }); err == nil || !strings.Contains(err.Error(), "chmod go-w "+s.BackupsDir()) {
		t.Errorf("Update with backups/ world-writable: %v", err)
	}
	if _, err := v.History(); err == nil {
		t.Error("History with backups/ world-writable succeeded")
	}
	if _, _, err := v.Restore("2"); err == nil || !strings.Contains(err.Error(), "chmod") {
		t.Errorf("Restore with backups/ world-writable: %v", err)
	}
}
