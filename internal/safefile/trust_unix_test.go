//go:build unix

package safefile

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// anotherUser is a user who is not the one running the tests.
const anotherUser = 12345

// TestCheckAncestors: OpenSSH's rule, with the exception of sticky
// directories, on the path as given and on the path its links lead to.
func TestCheckAncestors(t *testing.T) {
	t.Setenv("HOME", "/nonexistent")
	root := t.TempDir()
	mk := func(mode os.FileMode, parts ...string) string {
		p := filepath.Join(append([]string{root}, parts...)...)
		if err := os.MkdirAll(p, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, mode); err != nil {
			t.Fatal(err)
		}
		return p
	}
	open := mk(0o777, "open")
	sticky := mk(os.ModeSticky|0o777, "sticky")
	group := mk(0o770, "group")
	safe := mk(0o755, "safe", "deeper")
	mk(0o700, "open", "mine")
	os.Symlink(filepath.Join(safe), filepath.Join(open, "link"))         // a link others could change
	os.Symlink(filepath.Join(open, "mine"), filepath.Join(safe, "link")) // a link to where others could

	cases := []struct {
		path, culprit string
	}{
		{filepath.Join(safe, "vault"), ""},
		{filepath.Join(safe, "not", "yet", "vault"), ""},
		{filepath.Join(sticky, "vault"), ""},
		{filepath.Join(open, "vault"), open},
		{filepath.Join(open, "mine", "vault"), open},
		{filepath.Join(open, "not", "yet", "vault"), open},
		{filepath.Join(group, "vault"), group},
		{filepath.Join(open, "link", "vault"), open},
		{filepath.Join(safe, "link", "vault"), open},
	}
	if os.Geteuid() == 0 {
		theirs := mk(0o755, "theirs")
		os.Chown(theirs, anotherUser, anotherUser)
		theirLink := filepath.Join(sticky, "theirlink")
		os.Symlink(safe, theirLink)
		os.Lchown(theirLink, anotherUser, anotherUser)
		cases = append(cases, []struct{ path, culprit string }{
			{filepath.Join(theirs, "vault"), theirs},
			{filepath.Join(theirLink, "vault"), theirLink},
		}...)
	}
	for _, c := range cases {
		err := CheckAncestors(c.path)
		var u *UntrustedError
		switch {
		case c.culprit == "" && err != nil:
			t.Errorf("%s: %v", c.path, err)
		case c.culprit != "" && (!errors.As(err, &u) || u.Path != c.culprit || !u.Ancestor):
			t.Errorf("%s: %v; want %s blamed", c.path, err, c.culprit)
		}
	}

	// What holds the home directory is not checked, as OpenSSH does not.
	home := mk(0o700, "open", "home")
	t.Setenv("HOME", home)
	if err := CheckAncestors(filepath.Join(home, ".local", "share", "vmfa")); err != nil {
		t.Errorf("under a home in an open directory: %v", err)
	}
	os.Chmod(home, 0o777)
	if err := CheckAncestors(filepath.Join(home, "vault")); !errors.As(err, new(*UntrustedError)) {
		t.Errorf("under a home writable by others: %v", err)
	}
}
