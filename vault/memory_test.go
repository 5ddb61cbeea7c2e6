package vault

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// withMemory makes the memory check see n bytes available, limited by what.
func withMemory(t *testing.T, n uint64, what string) {
	t.Helper()
	old := availableMemory
	availableMemory = func() (uint64, string) { return n, what }
	t.Cleanup(func() { availableMemory = old })
}

// TestScryptMemory: scrypt at work factor w needs 2^w KiB. Where that much
// memory is not to be had, Create, ChangePassphrase and Unlock say so in one
// line before trying, instead of dying with "fatal error: out of memory".
func TestScryptMemory(t *testing.T) {
	if got := scryptMemory(22); got != 4<<30 {
		t.Errorf("scryptMemory(22) = %d, want 4 GiB", got)
	}
	withMemory(t, 3000<<20, "the address-space limit (ulimit -v)")
	oneLine := func(what string, err error, want ...string) {
		t.Helper()
		if !errors.Is(err, ErrNotEnoughMemory) || errors.Is(err, ErrDamaged) {
			t.Errorf("%s: %v; want ErrNotEnoughMemory", what, err)
			return
		}
		for _, w := range append(want, "4 GiB", "2.9 GiB", "ulimit -v") {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: %q lacks %q", what, err, w)
			}
		}
	}

	fresh := Open(filepath.Join(t.TempDir(), "vmfa"))
	start := time.Now()
	_, err := fresh.Create(testPassphrase, 22)
	oneLine("Create at 22", err, "lower work factor")
	if ok, _ := fresh.Exists(); ok {
		t.Error("a refused Create left a vault")
	}
	if time.Since(start) > time.Second {
		t.Errorf("refusing took %v", time.Since(start))
	}

	s, v := newTestVault(t)
	path := filepath.Join(s.Dir(), identityFile)
	good := mustRead(t, path)
	oneLine("ChangePassphrase at 22", v.ChangePassphrase("new", 22), "lower work factor")
	if !bytes.Equal(mustRead(t, path), good) {
		t.Error("a refused ChangePassphrase rewrote identity.age")
	}

	// An identity.age that asks for 22 is not damaged: this machine can't
	// open it, a bigger one can.
	at22 := bytes.Replace(good, []byte(" 10\n"), []byte(" 22\n"), 1)
	os.WriteFile(path, at22, 0o600)
	_, err = s.Unlock(testPassphrase)
	oneLine("Unlock at 22", err, identityFile)

	// Above the cap, it is not damaged either: vmfa won't pay that much.
	for _, wf := range []string{"23", "30"} {
		os.WriteFile(path, bytes.Replace(good, []byte(" 10\n"), []byte(" "+wf+"\n"), 1), 0o600)
		_, err := s.Unlock(testPassphrase)
		if err == nil || errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), "work factor "+wf) || !strings.Contains(err.Error(), "22") {
			t.Errorf("Unlock at %s: %v; want a refusal naming the factor and the limit", wf, err)
		}
	}

	// Enough memory, to the byte: the check lets it through.
	enough := scryptMemory(testWorkFactor) + scryptHeadroom
	withMemory(t, enough, "the memory available")
	os.WriteFile(path, good, 0o600)
	if _, err := s.Unlock(testPassphrase); err != nil {
		t.Errorf("Unlock at %d with %d bytes: %v", testWorkFactor, enough, err)
	}
}

// TestAvailableMemory checks that the probe of this machine finds something
// plausible: more than nothing, and no more than is there.
func TestAvailableMemory(t *testing.T) {
	n, what := availableMemory()
	if n == 0 || (what == "" && runtime.GOOS == "linux") {
		t.Fatalf("availableMemory() = %d, %q", n, what)
	}
	t.Logf("available for scrypt: %d MiB (%s)", n>>20, what)
}
