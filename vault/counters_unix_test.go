//go:build unix

package vault

import (
	"errors"
	"io/fs"
	"os"
	"syscall"
	"testing"
	"time"
)

// TestUnreadableRecordKept: a record that can't be read (here a named
// pipe, which is refused unread) is not replaced by one that lost its
// handouts when the vault is saved, and a TOTP code is handed out all the
// same, the current window's, with ErrNotRecorded.
func TestUnreadableRecordKept(t *testing.T) {
	s, v, e := hotpVault(t)
	os.Remove(s.path(stepsFile))
	if err := syscall.Mkfifo(s.path(stepsFile), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := v.HandOut(e, time.Now(), HandOutOptions{}); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(s.path(stepsFile)); err != nil || fi.Mode().Type() != fs.ModeNamedPipe {
		t.Fatalf("the unreadable record was replaced by a save: %v, %v", fi, err)
	}
	d := update(t, v, func(d *Data) error { _, err := d.Add(testAccount("Time", "alice", 2), time.Now()); return err })
	totp := d.Accounts[len(d.Accounts)-1]
	now := time.Unix(1_800_000_000, 0)
	at, err := v.ClaimCode(totp, now, true)
	if !errors.Is(err, ErrNotRecorded) || !at.Equal(now) {
		t.Fatalf("ClaimCode with an unreadable record: %v, %v; want now and ErrNotRecorded", at, err)
	}
}
