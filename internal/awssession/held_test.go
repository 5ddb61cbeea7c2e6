package awssession

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/vmfa/vmfa/internal/ststest"
)

// TestTieredListClear, with a second FileCache standing for the agent's
// memory (both are Caches, and FileCache a Forgetter): sessions are put in
// both tiers; the memory lost (a locked agent), the disk serves without a
// code and hands the memory its session back; List tells what is held
// where, by profile, never a secret; Clear forgets a profile's, then all.
func TestTieredListClear(t *testing.T) {
	srv := ststest.New(t)
	awsFiles(t, srv, baseConfig, true)
	v := newVault(t)
	dir := t.TempDir()
	newCache := func(name string) *FileCache {
		return &FileCache{Dir: filepath.Join(dir, name), Recipient: v.Recipient(), Decrypter: v, Now: time.Now}
	}
	disk, memory := newCache("disk"), newCache("memory")
	codes := &totp{}
	var warnings []string
	r := Request{Cache: &Tiered{Memory: memory, Disk: disk}, Codes: codes.code, Now: time.Now, Warn: func(m string) { warnings = append(warnings, m) }}
	admin, err := session(t, "admin", r) // base's MFA session, and admin's role session
	if err != nil || len(warnings) > 0 {
		t.Fatalf("%v, warnings %q", err, warnings)
	}
	held, errs := List(disk, memory)
	if len(errs) > 0 || len(held) != 2 || held[0].Profile != "admin" || held[0].Kind != KindRole || held[1].Profile != "base" || held[1].Kind != KindSession ||
		!held[0].Expiration.Equal(admin.Expiration) || !slices.Equal(held[0].Where, []string{InAgent, OnDisk}) {
		t.Fatalf("List: %+v, %v; want admin's role session then base's, in the agent and on disk", held, errs)
	}

	// The disk's file lost (or never written: a full disk): the memory
	// serves.
	diskFile := filepath.Join(disk.Dir, held[0].name+".age")
	saved, err := os.ReadFile(diskFile)
	if err != nil {
		t.Fatal(err)
	}
	os.Remove(diskFile)
	if again, err := session(t, "admin", r); err != nil || again != admin || len(codes.given) != 1 || len(srv.Calls()) != 2 {
		t.Fatalf("admin with its disk file lost: %v, %d codes, %d calls; want the memory's session", err, len(codes.given), len(srv.Calls()))
	}
	if err := os.WriteFile(diskFile, saved, 0o600); err != nil {
		t.Fatal(err)
	}

	// The agent's memory lost: the disk serves, and hands it back.
	os.RemoveAll(memory.Dir)
	if held, _ := List(disk, memory); len(held) != 2 || !slices.Equal(held[0].Where, []string{OnDisk}) {
		t.Fatalf("List with the memory lost: %+v, want both on disk only", held)
	}
	again, err := session(t, "admin", r)
	if err != nil || again != admin || len(codes.given) != 1 || len(srv.Calls()) != 2 {
		t.Fatalf("admin with the memory lost: %v, %d codes, %d calls; want the disk's session", err, len(codes.given), len(srv.Calls()))
	}
	if b, ok, err := memory.Get(held[0].name); err != nil || !ok || len(b) == 0 {
		t.Fatalf("the memory was not handed the disk's session: %v %v", ok, err)
	}

	// An entry another vault wrote is an error beside the rest.
	other := newVault(t)
	foreign := &FileCache{Dir: disk.Dir, Recipient: other.Recipient(), Decrypter: other, Now: time.Now}
	if err := foreign.Put("foreign", []byte("{}"), time.Hour); err != nil {
		t.Fatal(err)
	}
	if held, errs := List(disk, nil); len(held) != 2 || len(errs) != 1 || !slices.Equal(held[1].Where, []string{OnDisk}) {
		t.Fatalf("List with a foreign entry: %+v, %v; want both sessions and one error", held, errs)
	}
	os.Remove(filepath.Join(disk.Dir, "foreign.age"))

	if n, err := Clear(disk, memory, "admin"); err != nil || n != 1 {
		t.Fatalf("Clear admin: %d, %v; want 1", n, err)
	}
	if held, _ := List(disk, memory); len(held) != 1 || held[0].Profile != "base" {
		t.Fatalf("after Clear admin: %+v, want base's alone", held)
	}
	if _, ok, _ := memory.Get(held[0].name); ok {
		t.Fatal("Clear left admin's session in the memory")
	}
	if n, err := Clear(disk, memory, ""); err != nil || n != 1 {
		t.Fatalf("Clear all: %d, %v; want 1", n, err)
	}
	if files, err := os.ReadDir(disk.Dir); err != nil || len(files) != 0 {
		t.Fatalf("after Clear all, the cache directory holds %v (%v), want nothing: no session, no lock", files, err)
	}
	// Another 'clear' that got there first is no error.
	if err := disk.Delete(held[0].name); err != nil {
		t.Fatalf("Delete of an entry gone: %v", err)
	}
	// A new session costs a code again.
	if _, err := session(t, "admin", r); err != nil || len(codes.given) != 2 {
		t.Fatalf("admin after Clear: %v, %d codes; want a new code", err, len(codes.given))
	}
}
