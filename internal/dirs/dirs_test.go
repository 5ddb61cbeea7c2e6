package dirs

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

func TestVault(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("AppData", filepath.Join(home, "AppData"))
	t.Setenv("home", home) // plan9

	t.Setenv("VMFA_DIR", "/somewhere/vmfa")
	t.Setenv("XDG_DATA_HOME", "/xdg")
	if d, err := Vault(); err != nil || d != "/somewhere/vmfa" {
		t.Errorf("with VMFA_DIR: %q, %v", d, err)
	}
	os.Unsetenv("VMFA_DIR")
	if d, err := Vault(); err != nil || d != filepath.Join("/xdg", "vmfa") {
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
	if d, err := Vault(); err != nil || d != want {
		t.Errorf("default: %q, %v; want %q", d, err, want)
	}
	os.Unsetenv("XDG_DATA_HOME")
	if d, err := Vault(); err != nil || d != want {
		t.Errorf("default: %q, %v; want %q", d, err, want)
	}
}

func TestSettings(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", "/xdg/config")
	if d, err := Settings(); err != nil || d != filepath.Join("/xdg/config", "vmfa") {
		t.Errorf("with XDG_CONFIG_HOME: %q, %v", d, err)
	}
	if runtime.GOOS != "linux" {
		return
	}
	t.Setenv("HOME", "/home/alice")
	for _, xdg := range []string{"", "relative/config"} { // a relative one is invalid by the spec
		t.Setenv("XDG_CONFIG_HOME", xdg)
		if d, err := Settings(); err != nil || d != "/home/alice/.config/vmfa" {
			t.Errorf("XDG_CONFIG_HOME=%q: %q, %v", xdg, d, err)
		}
	}
	t.Setenv("HOME", "")
	var noHome *NoHomeError
	if _, err := Settings(); !errors.As(err, &noHome) || noHome.Var != "XDG_CONFIG_HOME" {
		t.Errorf("no home: %v, want a *NoHomeError naming XDG_CONFIG_HOME", err)
	}
}

func TestState(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", "/xdg/state")
	if d, err := State(); err != nil || d != filepath.Join("/xdg/state", "vmfa") {
		t.Errorf("with XDG_STATE_HOME: %q, %v", d, err)
	}
	if runtime.GOOS != "linux" {
		return
	}
	t.Setenv("HOME", "/home/alice")
	for _, xdg := range []string{"", "relative/state"} {
		t.Setenv("XDG_STATE_HOME", xdg)
		if d, err := State(); err != nil || d != "/home/alice/.local/state/vmfa" {
			t.Errorf("XDG_STATE_HOME=%q: %q, %v", xdg, d, err)
		}
	}
	t.Setenv("HOME", "")
	var noHome *NoHomeError
	if _, err := State(); !errors.As(err, &noHome) || noHome.Var != "XDG_STATE_HOME" || noHome.What != "the agent's socket" {
		t.Errorf("no home: %v, want a *NoHomeError naming XDG_STATE_HOME", err)
	}
}
