package vault

import (
	"errors"
	"io/fs"
	"os"
)

// Stamp identifies one version of vault.age without reading it, so that a
// long-running reader (the interface) can poll for changes other processes
// make: the file itself (every save renames a new file into place, so each
// version is a new file), its size and its modification time. Two stamps of
// the same version are Equal; a stamp taken before and one after any save
// are not, however coarse the file system's clock.
//
// The zero Stamp stands for a vault.age that does not exist.
type Stamp struct {
	info fs.FileInfo
}

// Stamp returns the stamp of vault.age as it is now. It costs one stat.
//
// To reload on change, take the stamp before calling Load: a save in between
// is then seen as one more change, never missed.
func (v *Vault) Stamp() (Stamp, error) {
	fi, err := os.Stat(v.store.path(vaultFile))
	if errors.Is(err, fs.ErrNotExist) {
		return Stamp{}, nil
	}
	if err != nil {
		return Stamp{}, err
	}
	return Stamp{info: fi}, nil
}

// Equal reports whether s and o stamp the same version of vault.age.
func (s Stamp) Equal(o Stamp) bool {
	if s.info == nil || o.info == nil {
		return s.info == nil && o.info == nil
	}
	return os.SameFile(s.info, o.info) && s.info.Size() == o.info.Size() &&
		s.info.ModTime().Equal(o.info.ModTime())
}
