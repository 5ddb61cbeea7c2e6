package vault

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWorkFactor(t *testing.T) {
	s := Open(filepath.Join(t.TempDir(), "v"))
	if _, err := s.WorkFactor(); !errors.Is(err, ErrNoVault) {
		t.Errorf("WorkFactor of no vault: %v", err)
	}
	v, err := s.Create("correct horse", 11)
	if err != nil {
		t.Fatal(err)
	}
	if wf, err := s.WorkFactor(); wf != 11 || err != nil {
		t.Errorf("WorkFactor = %d, %v; want 11", wf, err)
	}
	if err := v.ChangePassphrase("battery staple", 10); err != nil {
		t.Fatal(err)
	}
	if wf, err := s.WorkFactor(); wf != 10 || err != nil {
		t.Errorf("WorkFactor after ChangePassphrase = %d, %v; want 10", wf, err)
	}
	for _, wf := range []int{-1, 23} {
		if err := CheckWorkFactor(wf); !errors.Is(err, ErrInvalidWorkFactor) {
			t.Errorf("CheckWorkFactor(%d) = %v", wf, err)
		}
	}
	if err := CheckWorkFactor(18); err != nil {
		t.Error(err)
	}
}

// TestWorkFactorHeaderOnly: the work factor is read from the header, the
// first lines of identity.age: a scrypt line further down, in what is not
// an age header, is not taken for it.
func TestWorkFactorHeaderOnly(t *testing.T) {
	s := Open(filepath.Join(t.TempDir(), "v"))
	if _, err := s.Create("correct horse", 11); err != nil {
		t.Fatal(err)
	}
	junk := strings.Repeat("not an age header\n", 8) + "-> scrypt c2FsdHNhbHRzYWx0c2FsdA 12\n"
	if err := os.WriteFile(s.path(identityFile), []byte(junk), 0o600); err != nil {
		t.Fatal(err)
	}
	if wf, err := s.WorkFactor(); !errors.Is(err, ErrDamaged) {
		t.Fatalf("WorkFactor of a file with a scrypt line on line 9: %d, %v", wf, err)
	}
}
