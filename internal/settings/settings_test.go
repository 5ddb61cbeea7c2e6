package settings

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

func TestSetGetDelete(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "config", "vmfa")
	f := Open(dir)
	var v struct{ A int }
	if ok, err := f.Get("x", &v); ok || err != nil {
		t.Fatalf("missing file: %v %v", ok, err)
	}
	if found, err := f.Delete("x"); found || err != nil {
		t.Fatalf("delete from a missing file: %v %v", found, err)
	}
	if err := f.Set("x", struct{ A int }{7}); err != nil {
		t.Fatal(err)
	}
	if err := f.Set("other", "kept"); err != nil {
		t.Fatal(err)
	}
	if ok, err := f.Get("x", &v); !ok || err != nil || v.A != 7 {
		t.Fatalf("get: %v %v %+v", ok, err, v)
	}
	for path, want := range map[string]os.FileMode{dir: 0o700, f.Path(): 0o600} {
		info, err := os.Stat(path)
		if err != nil || runtime.GOOS != "windows" && info.Mode().Perm() != want {
			t.Errorf("%s: %v %v, want %v", path, info.Mode(), err, want)
		}
	}
	if found, err := f.Delete("x"); !found || err != nil {
		t.Fatalf("delete: %v %v", found, err)
	}
	var s string
	if ok, _ := f.Get("x", &v); ok {
		t.Error("x survived its deletion")
	}
	if ok, err := f.Get("other", &s); !ok || err != nil || s != "kept" {
		t.Errorf("another key was disturbed: %q %v", s, err)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp") {
			t.Errorf("a temporary file was left: %s", e.Name())
		}
	}
}

// TestConcurrentWriters: writers of different keys never lose each other's
// change.
func TestConcurrentWriters(t *testing.T) {
	f := Open(t.TempDir())
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := Open(f.dir).Set(fmt.Sprint("k", i), i); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	for i := range 16 {
		var got int
		if ok, err := f.Get(fmt.Sprint("k", i), &got); !ok || err != nil || got != i {
			t.Errorf("k%d: %v %v %d", i, ok, err, got)
		}
	}
}

// TestDamagedFile: a file vmfa can't read is reported in one line, by
// path, and left as it was.
func TestDamagedFile(t *testing.T) {
	for name, content := range map[string]string{
		"not JSON":  "{\"clock\": ",
		"an array":  "[1, 2]",
		"too large": "{\"x\": \"" + strings.Repeat("a", maxSize) + "\"}",
	} {
		t.Run(name, func(t *testing.T) {
			f := Open(t.TempDir())
			os.WriteFile(f.Path(), []byte(content), 0o600)
			var v int
			_, err := f.Get("x", &v)
			if err == nil || !strings.Contains(err.Error(), f.Path()) || strings.Contains(err.Error(), "\n") {
				t.Errorf("get: %v", err)
			}
			if err := f.Set("x", 1); err == nil {
				t.Error("set over a damaged file succeeded")
			}
			if b, _ := os.ReadFile(f.Path()); string(b) != content {
				t.Error("the damaged file was changed")
			}
		})
	}
	f := Open(t.TempDir())
	os.WriteFile(f.Path(), []byte(`{"x": "seven"}`), 0o600)
	var v int
	if _, err := f.Get("x", &v); err == nil || !strings.Contains(err.Error(), `"x"`) {
		t.Errorf("a value of the wrong type: %v", err)
	}
}

// TestSizeLimit: a file of exactly maxSize bytes is read whole; one byte more
// is refused as too large (not read in part and reported as bad JSON).
func TestSizeLimit(t *testing.T) {
	body := `{"x": 7` // the closing brace is the last byte, so a short read breaks the JSON
	at := Open(t.TempDir())
	os.WriteFile(at.Path(), []byte(body+strings.Repeat(" ", maxSize-len(body)-1)+"}"), 0o600)
	var v int
	if ok, err := at.Get("x", &v); !ok || err != nil || v != 7 {
		t.Fatalf("a file of %d bytes: %v, %v, %d", maxSize, ok, err, v)
	}
	over := Open(t.TempDir())
	os.WriteFile(over.Path(), []byte(body+strings.Repeat(" ", maxSize-len(body))+"}"), 0o600)
	if _, err := over.Get("x", &v); err == nil || !strings.Contains(err.Error(), "is over 1024 KiB") {
		t.Fatalf("a file of %d bytes: %v", maxSize+1, err)
	}
}
