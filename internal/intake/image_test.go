package intake

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestCleanPath(t *testing.T) {
	dir := t.TempDir()
	spaced := filepath.Join(dir, "Screen Shot 1.png")
	if err := os.WriteFile(spaced, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for in, want := range map[string]string{
		spaced:                                spaced, // exists as given
		"'" + spaced + "'":                    spaced, // GNOME Terminal, iTerm2
		`"` + spaced + `"`:                    spaced,
		strings.ReplaceAll(spaced, " ", `\ `): spaced, // macOS Terminal, kitty
		"  " + strings.ReplaceAll(spaced, " ", `\ `):       spaced,
		"file://" + strings.ReplaceAll(spaced, " ", "%20"): spaced, // some file managers
	} {
		if got := CleanPath(in); got != want {
			t.Errorf("CleanPath(%q) = %q, want %q", in, got, want)
		}
	}
	if home, err := os.UserHomeDir(); err == nil {
		if got := CleanPath("~/x.png"); got != filepath.Join(home, "x.png") {
			t.Errorf("CleanPath(~/x.png) = %q", got)
		}
	}
}

func TestReadImageFile(t *testing.T) {
	texts, err := ReadImageFile(filepath.Join("..", "..", "otp", "qr", "testdata", "screenshot-1x.png"))
	if err != nil || len(texts) != 1 || !strings.HasPrefix(texts[0], "otpauth://totp/Amazon%20Web%20Services:alice@123456789012?") {
		t.Fatalf("Decode = %q, %v", texts, err)
	}
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{fifo, dir, "/dev/zero"} {
		if _, err := ReadImageFile(p); err == nil || err.Error() != p+": not a regular file" {
			t.Errorf("ReadImageFile(%s) = %v", p, err)
		}
	}
	missing := filepath.Join(dir, "missing.png")
	if _, err := ReadImageFile(missing); !errors.Is(err, fs.ErrNotExist) || err.Error() != missing+": no such file or directory" {
		t.Errorf("Decode of a missing file = %v", err)
	}
}
