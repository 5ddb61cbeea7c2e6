//go:build unix

package settings

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vmfa/vmfa/internal/safefile"
)

// TestUntrustedSettings: settings in a directory others can write to, or
// someone else's, or a file others can write, were read as the user's own:
// a planted clock correction moved every code. They are refused, as the
// vault is, naming what is at fault; reading and writing alike.
func TestUntrustedSettings(t *testing.T) {
	const other = 12345 // a user who is not this one
	cases := []struct {
		name  string
		plant func(f *File) (culprit string)
		root  bool // needs root to give a file away
	}{
		{"directory writable by others", func(f *File) string { os.Chmod(f.dir, 0o777); return f.dir }, false},
		{"directory writable by its group", func(f *File) string { os.Chmod(f.dir, 0o770); return f.dir }, false},
		{"file writable by others", func(f *File) string { os.Chmod(f.Path(), 0o666); return f.Path() }, false},
		{"parent writable by others", func(f *File) string { p := filepath.Dir(f.dir); os.Chmod(p, 0o777); return p }, false},
		{"directory of another user", func(f *File) string { os.Chown(f.dir, other, other); return f.dir }, true},
		{"file of another user", func(f *File) string { os.Chown(f.Path(), other, other); return f.Path() }, true},
		{"parent of another user", func(f *File) string { p := filepath.Dir(f.dir); os.Chown(p, other, other); return p }, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.root && os.Geteuid() != 0 {
				t.Skip("giving a file to another user needs root")
			}
			f := written(t)
			culprit := c.plant(f)
			before, _ := os.ReadFile(f.Path())
			var x int
			ok, err := f.Get("x", &x)
			var u *safefile.UntrustedError
			if ok || !errors.Is(err, ErrUntrusted) || !errors.As(err, &u) || u.Path != culprit ||
				!strings.HasPrefix(err.Error(), f.Path()+" is not trusted: "+culprit+" is ") {
				t.Errorf("Get = %v, %v; want it refused, naming %s", ok, err, culprit)
			}
			if err := f.Set("x", 8); !errors.Is(err, ErrUntrusted) {
				t.Errorf("Set = %v, want it refused", err)
			}
			if after, _ := os.ReadFile(f.Path()); string(after) != string(before) {
				t.Errorf("Set changed the file to %q", after)
			}
		})
	}

	// A sticky parent (as /tmp is) is fine; so is one readable by all.
	f := written(t)
	os.Chmod(filepath.Dir(f.dir), os.ModeSticky|0o777)
	os.Chmod(f.Path(), 0o644)
	os.Chmod(f.dir, 0o755)
	var x int
	if ok, err := f.Get("x", &x); !ok || err != nil || x != 7 {
		t.Errorf("in a sticky parent, readable by all: %v %v %d", ok, err, x)
	}
}
