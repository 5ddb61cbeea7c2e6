package atomicfile

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestRemoveStaleTemps: only the temporary files of Write, of the caller's
// targets, old enough that no live writer holds them, are removed.
func TestRemoveStaleTemps(t *testing.T) {
	dir := t.TempDir()
	old, now := time.Now().Add(-time.Hour), time.Now()
	files := map[string]time.Time{
		".a.age.tmp123456": old, // a killed writer's: removed
		".b.age.tmp999":    now, // perhaps being written: kept
		".c.txt.tmp1":      old, // another target's: kept
		".d.age.tmp":       old, // not Write's name: kept
		".e.age.tmp12x":    old,
		"f.age.tmp1":       old,
		".tmp1":            old,
		"g.age":            old,
	}
	for name, mtime := range files {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		os.Chtimes(p, mtime, mtime)
	}
	RemoveStaleTemps(dir, func(target string) bool { return strings.HasSuffix(target, ".age") })
	entries, _ := os.ReadDir(dir)
	var left []string
	for _, e := range entries {
		left = append(left, e.Name())
	}
	want := []string{".b.age.tmp999", ".c.txt.tmp1", ".d.age.tmp", ".e.age.tmp12x", ".tmp1", "f.age.tmp1", "g.age"}
	if !slices.Equal(left, want) {
		t.Fatalf("left %q, want %q", left, want)
	}
	RemoveStaleTemps(filepath.Join(dir, "missing"), func(string) bool { return true }) // no panic, no error
}

// TestWriteNamesItsTemps: what Write names its temporary file is what
// RemoveStaleTemps takes for one.
func TestWriteNamesItsTemps(t *testing.T) {
	name := "vault.json"
	f, err := os.CreateTemp(t.TempDir(), tempPattern(name))
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	if target, ok := tempTarget(filepath.Base(f.Name())); !ok || target != name {
		t.Fatalf("tempTarget(%q) = %q, %v", filepath.Base(f.Name()), target, ok)
	}
}
