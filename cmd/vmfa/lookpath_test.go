package main

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// TestLookPath: vmfa-full is found in $PATH's absolute directories, on
// every system, Windows included, whose files have no execute bits.
func TestLookPath(t *testing.T) {
	name := fullName
	if runtime.GOOS == "windows" {
		name += ".exe"
	}
	empty, bin := t.TempDir(), t.TempDir()
	want := filepath.Join(bin, name)
	if err := os.WriteFile(want, []byte("a program"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Chdir(bin) // a relative directory of $PATH is not searched
	t.Setenv("PATH", filepath.Join("..", filepath.Base(bin))+string(os.PathListSeparator)+empty+string(os.PathListSeparator)+bin)
	if got, err := lookPath(name); err != nil || got != want {
		t.Fatalf("lookPath(%q) = %q, %v; want %q", name, got, err, want)
	}
	if runtime.GOOS != "windows" {
		// Where there are execute bits, a file without them is no program.
		os.Chmod(want, 0o644)
		if got, err := lookPath(name); err == nil {
			t.Fatalf("lookPath found %q, which can't be run", got)
		}
	}
	t.Setenv("PATH", empty)
	if got, err := lookPath(name); err == nil {
		t.Fatalf("lookPath found %q in an empty directory", got)
	}
}
