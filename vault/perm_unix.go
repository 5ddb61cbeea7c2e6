//go:build unix

package vault

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

// checkDir refuses a directory that someone other than the user could have
// put files in: one writable by its group or by others, or owned by someone
// else. It says how to fix it. A directory that does not exist passes.
func checkDir(dir string) error {
	fi, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return fmt.Errorf("%s is not a directory: move it away or set VMFA_DIR", dir)
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && int(st.Uid) != os.Geteuid() {
		return fmt.Errorf("%s is owned by user %d, not by you (%d), so its owner could swap the vault's files: use a directory of your own (set VMFA_DIR), or take it over with 'chown -R %d %s'",
			dir, st.Uid, os.Geteuid(), os.Geteuid(), shellQuote(dir))
	}
	if fi.Mode().Perm()&0o022 != 0 {
		return fmt.Errorf("%s is writable by others (mode %v), who could swap the vault's files: run 'chmod go-w %s'",
			dir, fi.Mode().Perm(), shellQuote(dir))
	}
	return nil
}
