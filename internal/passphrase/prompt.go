package passphrase

import (
	"errors"
	"fmt"

	"github.com/vmfa/vmfa/internal/term"
	"github.com/vmfa/vmfa/vault"
)

// maxTries is how often AskNew asks before giving up, as passwd(1) does.
const maxTries = 3

// AskNew asks for a new passphrase on the terminal, without echo: twice, and
// again when the two differ; a weak one is kept only if the user says so.
// It returns term.ErrNoTTY when there is no terminal, and
// vault.ErrEmptyPassphrase, which the vault would refuse, for an empty one.
func AskNew(prompt string) (string, error) {
	for try := 1; ; try++ {
		p1, err := term.ReadSecret(prompt)
		if err != nil {
			return "", err
		}
		if p1 == "" {
			return "", vault.ErrEmptyPassphrase
		}
		if s := Estimate(p1); s == Weak {
			keep, err := term.Confirm(fmt.Sprintf("Strength: %s (%s). Keep it anyway?", s, s.Advice()))
			if err != nil {
				return "", err
			}
			if !keep {
				continue
			}
		}
		p2, err := term.ReadSecret("Repeat it: ")
		if err != nil {
			return "", err
		}
		if p1 == p2 {
			return p1, nil
		}
		if try == maxTries {
			return "", errors.New("the passphrases differed three times; nothing was changed")
		}
		t, err := term.Open()
		if err != nil {
			return "", err
		}
		fmt.Fprintln(t, "The two passphrases differ; try again.")
		t.Close()
	}
}
