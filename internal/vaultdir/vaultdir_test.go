package vaultdir

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

func TestDefault(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("AppData", filepath.Join(home, "AppData"))
	t.Setenv("home", home) // plan9

	t.Setenv("VMFA_DIR", "/somewhere/vmfa")
	t.Setenv("XDG_DATA_HOME", "/xdg")
	if d, err := Default(); err != nil || d != "/somewhere/vmfa" {
		t.Errorf("with VMFA_DIR: %q, %v", d, err)
	}
	os.Unsetenv("VMFA_DIR")
	if d, err := Default(); err != nil || d != filepath.Join("/xdg", "vmfa") {
		t.Errorf("with XDG_DATA_HOME: %q, %v", d, err)
	}
	// The XDG spec says to ignore relative paths.
	t.Setenv("XDG_DATA_HOME", "relative")
	want := map[string]string{
		"darwin":  filepath.Join(home, "Library", "Application Support", "vmfa"),
		"windows": filepath.Join(home, "AppData", "vmfa"),
	}[runtime.GOOS]
	if want == "" {
		want = filepath.Join(home, ".local", "share", "vmfa")
	}
	if d, err := Default(); err != nil || d != want {
		t.Errorf("default: %q, %v; want %q", d, err, want)
	}
	os.Unsetenv("XDG_DATA_HOME")
	if d, err := Default(); err != nil || d != want {
		t.Errorf("default: %q, %v; want %q", d, err, want)
	}
}
