package vault

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vmfa/vmfa/internal/testenv"
	"github.com/vmfa/vmfa/otp"
)

// TestCodeNotRecorded: on a vault directory where nothing can be written
// (a read-only file system, a full one), a TOTP code is handed out all the
// same, with Unrecorded saying why it was not recorded; an HOTP code is
// not, since its spent counter can't be saved.
func TestCodeNotRecorded(t *testing.T) {
	for _, c := range []struct {
		name     string
		unwrite  func(t *testing.T, s *Store)
		vaultDir func(t *testing.T) string
		errno    syscall.Errno
	}{
		{name: "read-only", errno: syscall.EROFS,
			vaultDir: func(t *testing.T) string { return filepath.Join(t.TempDir(), "vmfa") },
			unwrite:  func(t *testing.T, s *Store) { testenv.ReadOnly(t, s.Dir()) }},
		// A copy of vault.age and identity.age on read-only media: no lock
		// file, and none can be made.
		{name: "read-only without a lock file", errno: syscall.EROFS,
			vaultDir: func(t *testing.T) string { return filepath.Join(t.TempDir(), "vmfa") },
			unwrite: func(t *testing.T, s *Store) {
				if err := os.Remove(s.path(lockFile)); err != nil {
					t.Fatal(err)
				}
				testenv.ReadOnly(t, s.Dir())
			}},
		{name: "full", errno: syscall.ENOSPC,
			vaultDir: func(t *testing.T) string {
				dir := t.TempDir()
				testenv.SmallFileSystem(t, dir, 1<<20)
				return filepath.Join(dir, "vmfa")
			},
			unwrite: func(t *testing.T, s *Store) { testenv.Fill(t, filepath.Join(filepath.Dir(s.Dir()), "filler")) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := Open(c.vaultDir(t))
			v, err := s.Create(testPassphrase, testWorkFactor)
			if err != nil {
				t.Fatal(err)
			}
			hotp := testAccount("Counter", "bob", 99)
			hotp.Type = otp.HOTP
			d := update(t, v, func(d *Data) error {
				if _, err := d.Add(testAccount("Time", "alice", 1), time.Now()); err != nil {
					return err
				}
				_, err := d.Add(hotp, time.Now())
				return err
			})
			totp, counter := d.Accounts[0], d.Accounts[1]
			c.unwrite(t, s)

			now := time.Unix(1_800_000_010, 0)
			for _, opt := range []HandOutOptions{{}, {Fresh: true, Next: true}} {
				h, err := v.HandOut(totp, now, opt)
				code, _ := totp.Code(now)
				if err != nil || h.Codes[0] != code || !h.At.Equal(now) {
					t.Fatalf("%+v: %+v %v, want the code at %v", opt, h, err, now)
				}
				if !errors.Is(h.Unrecorded, ErrNotRecorded) || !errors.Is(h.Unrecorded, c.errno) {
					t.Fatalf("%+v: Unrecorded is %v, want ErrNotRecorded for %v", opt, h.Unrecorded, c.errno)
				}
			}
			if _, err := v.HandOut(counter, now, HandOutOptions{}); err == nil {
				t.Fatal("an HOTP code handed out with its counter unsaved")
			} else if !strings.Contains(err.Error(), "no code for Counter:bob: its HOTP counter must be saved first") {
				t.Fatalf("%v: want why an HOTP code needs a write", err)
			}
			if _, err := os.Stat(s.path(stepsFile)); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("steps.json: %v", err)
			}
		})
	}
}
