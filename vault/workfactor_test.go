package vault

import (
	"errors"
	"path/filepath"
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
