package awssession

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/vmfa/vmfa/internal/ststest"
)

// A writer killed between creating its temporary file and renaming it
// leaves the file behind; the next write of the cache removes it once it is
// old enough that no writer can still be using it, and nothing else.
func TestFileCacheRemovesStaleTemps(t *testing.T) {
	v := newVault(t)
	dir := filepath.Join(t.TempDir(), "aws-sessions")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-time.Hour)
	files := map[string]time.Time{
		".0123abcd.age.tmp123456": old,        // a killed writer's: removed
		".4567ef01.age.tmp999":    time.Now(), // perhaps being written now: kept
		".notes.tmp1":             old,        // not the cache's: kept
		"0123abcd.lock":           old,        // a lock: kept
	}
	for name, mtime := range files {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, mtime, mtime); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, ".dir.age.tmp1"), 0o700); err != nil {
		t.Fatal(err)
	}
	os.Chtimes(filepath.Join(dir, ".dir.age.tmp1"), old, old)
	c := &FileCache{Dir: dir, Recipient: v.Recipient(), Decrypter: v, Now: time.Now}
	if err := c.Put("entry", []byte("secret"), time.Hour); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	want := []string{".4567ef01.age.tmp999", ".dir.age.tmp1", ".notes.tmp1", "0123abcd.lock", "entry.age"}
	if !slices.Equal(names, want) {
		t.Fatalf("the cache directory holds %q, want %q", names, want)
	}
	if got, ok, err := c.Get("entry"); err != nil || !ok || string(got) != "secret" {
		t.Fatalf("Get after the clean-up: %q %v %v", got, ok, err)
	}
}

// TestFileCacheTightensDir: a cache directory made earlier with looser
// permissions (by hand, or a umask) is made 0700 by the next write: a
// session is as good as a password, and its name says which profiles
// have one.
func TestFileCacheTightensDir(t *testing.T) {
	v := newVault(t)
	dir := filepath.Join(t.TempDir(), "aws-sessions")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	os.Chmod(dir, 0o755) // whatever the umask
	c := &FileCache{Dir: dir, Recipient: v.Recipient(), Decrypter: v, Now: time.Now}
	if err := c.Put("entry", []byte("secret"), time.Hour); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("the cache directory after a write: %v (%v), want 0700", fi.Mode().Perm(), err)
	}
}

// TestCacheHeldPastItsTime: a cache that still holds a session when it is
// within RefreshMargin of expiring, by the clock codes are computed at (an
// agent whose timer stood still through a suspend, here a cache whose
// clock stopped), is not believed: a new session is fetched.
func TestCacheHeldPastItsTime(t *testing.T) {
	srv := ststest.New(t)
	awsFiles(t, srv, baseConfig, true)
	cache := fileCache(t)
	stopped := time.Now()
	cache.Now = func() time.Time { return stopped }
	now := stopped
	r := Request{Cache: cache, Now: func() time.Time { return now }}
	first, err := session(t, "base", r)
	if err != nil {
		t.Fatal(err)
	}
	now = first.Expiration.Add(-RefreshMargin + time.Second)
	if c, err := session(t, "base", r); err != nil || c == first || srv.Count("GetSessionToken") != 2 {
		t.Fatalf("%v before expiry: %v, %d GetSessionToken; want a new session, not the one held", first.Expiration.Sub(now), err, srv.Count("GetSessionToken"))
	}
}
