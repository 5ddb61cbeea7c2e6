package vault

import (
	"bufio"
	"errors"
	"io/fs"
	"strconv"
	"strings"

	"github.com/vmfa/vmfa/internal/safefile"
)

// CheckWorkFactor refuses a scrypt work factor that Create and
// ChangePassphrase would refuse, with ErrInvalidWorkFactor; 0 means
// DefaultWorkFactor. Front ends call it to refuse a flag before asking for
// anything.
func CheckWorkFactor(workFactor int) error {
	_, err := checkWorkFactor(workFactor)
	return err
}

// WorkFactor returns the scrypt work factor of identity.age, read from its
// age header (which is not secret), so that a new passphrase can keep it.
func (s *Store) WorkFactor() (int, error) {
	f, err := safefile.Open(s.path(identityFile))
	if errors.Is(err, fs.ErrNotExist) {
		if err := s.incomplete(); err != nil {
			return 0, err
		}
		return 0, ErrNoVault
	}
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 4096)
	// The header: the version line, then "-> scrypt SALT LOG2N" and the
	// stanza's body.
	for line := 0; sc.Scan() && line < 8; line++ {
		fields := strings.Fields(sc.Text())
		if len(fields) == 4 && fields[0] == "->" && fields[1] == "scrypt" {
			if n, err := strconv.Atoi(fields[3]); err == nil {
				return n, nil
			}
		}
	}
	return 0, s.damaged(identityFile, errors.New("its header has no scrypt work factor"))
}
