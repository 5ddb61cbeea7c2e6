package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/vmfa/vmfa/vault"
)

// passphraseFromEnv returns the passphrase named by the environment, in the
// documented order, or ok=false when none is set.
func passphraseFromEnv() (pass string, ok bool, err error) {
	if c := os.Getenv("VMFA_PASSPHRASE_COMMAND"); c != "" {
		cmd := exec.Command("sh", "-c", c)
		cmd.Stderr = os.Stderr
		out, err := cmd.Output()
		if err != nil {
			return "", false, fmt.Errorf("VMFA_PASSPHRASE_COMMAND failed: %v", err)
		}
		return strings.TrimRight(string(out), "\r\n"), true, nil
	}
	if f := os.Getenv("VMFA_PASSPHRASE_FILE"); f != "" {
		b, err := readSmallFile(f, 64<<10)
		if err != nil {
			return "", false, fmt.Errorf("VMFA_PASSPHRASE_FILE: %v", err)
		}
		return strings.TrimRight(string(b), "\r\n"), true, nil
	}
	if p, ok := os.LookupEnv("VMFA_PASSPHRASE"); ok {
		return p, true, nil
	}
	return "", false, nil
}

// readSmallFile reads a file that has no business being large (or endless,
// like /dev/zero).
func readSmallFile(path string, max int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, max+1))
	if err == nil && int64(len(b)) > max {
		err = fmt.Errorf("%s is over %d KiB", path, max>>10)
	}
	return b, err
}

// errNoTTY says that a question could not be asked; callers add what to do
// instead.
var errNoTTY = errors.New("no terminal to ask on")

// errNoPassphrase is errNoTTY for the passphrase.
var errNoPassphrase = fmt.Errorf("%w: set VMFA_PASSPHRASE_COMMAND, VMFA_PASSPHRASE_FILE or VMFA_PASSPHRASE", errNoTTY)

// tty is the controlling terminal, where prompts go even when stdin and
// stdout are pipes.
func tty() (*os.File, error) {
	f, err := os.OpenFile("/dev/tty", os.O_RDWR, 0)
	if err != nil {
		return nil, errNoTTY
	}
	return f, nil
}

// readSecret asks on the terminal without echo.
func readSecret(prompt string) (string, error) {
	t, err := tty()
	if err != nil {
		return "", err
	}
	defer t.Close()
	fmt.Fprint(t, prompt)
	b, err := term.ReadPassword(int(t.Fd()))
	fmt.Fprintln(t)
	if err != nil {
		return "", fmt.Errorf("reading from the terminal: %v", err)
	}
	return string(b), nil
}

// readLine asks on the terminal with echo, for names that are not secret.
func readLine(prompt string) (string, error) {
	t, err := tty()
	if err != nil {
		return "", err
	}
	defer t.Close()
	fmt.Fprint(t, prompt)
	line, err := bufio.NewReader(t).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	return strings.TrimSpace(line), nil
}

// unlock opens an existing vault.
func (a *app) unlock() (*vault.Vault, error) {
	s, err := a.store()
	if err != nil {
		return nil, err
	}
	pass, ok, err := passphraseFromEnv()
	if err != nil {
		return nil, err
	}
	if ok {
		return withSpinner("Unlocking the vault", func() (*vault.Vault, error) { return s.Unlock(pass) })
	}
	if exists, err := s.Exists(); err != nil {
		return nil, err
	} else if !exists {
		return nil, vault.ErrNoVault
	}
	// Interactive users get three tries, as with sudo.
	for try := 1; ; try++ {
		pass, err := readSecret("Passphrase for " + s.Dir() + ": ")
		if errors.Is(err, errNoTTY) {
			return nil, errNoPassphrase
		}
		if err != nil {
			return nil, err
		}
		v, err := withSpinner("Unlocking the vault", func() (*vault.Vault, error) { return s.Unlock(pass) })
		if !errors.Is(err, vault.ErrWrongPassphrase) || try == 3 {
			return v, err
		}
		fmt.Fprintln(os.Stderr, "Wrong passphrase, try again.")
	}
}

// unlockOrCreate opens the vault, creating it first if there is none: adding
// the first account is often a new user's first command.
func (a *app) unlockOrCreate() (*vault.Vault, error) {
	s, err := a.store()
	if err != nil {
		return nil, err
	}
	exists, err := s.Exists()
	if err != nil {
		return nil, err
	}
	if exists {
		return a.unlock()
	}
	workFactor, err := envWorkFactor()
	if err != nil {
		return nil, err
	}
	v, err := a.create(s, workFactor)
	if err == nil {
		fmt.Fprintf(os.Stderr, "Created a new vault in %s.\n", s.Dir())
	}
	return v, err
}

// create makes a new vault with a new passphrase, asked twice on a terminal.
func (a *app) create(s *vault.Store, workFactor int) (*vault.Vault, error) {
	pass, ok, err := passphraseFromEnv()
	if err != nil {
		return nil, err
	}
	if !ok {
		if pass, err = newPassphrase("New passphrase: "); errors.Is(err, errNoTTY) {
			return nil, errNoPassphrase
		} else if err != nil {
			return nil, err
		}
	}
	return withSpinner("Creating the vault", func() (*vault.Vault, error) { return s.Create(pass, workFactor) })
}

// newPassphrase asks for a passphrase twice.
func newPassphrase(prompt string) (string, error) {
	p1, err := readSecret(prompt)
	if err != nil {
		return "", err
	}
	if p1 == "" {
		return "", vault.ErrEmptyPassphrase
	}
	p2, err := readSecret("Repeat it: ")
	if err != nil {
		return "", err
	}
	if p1 != p2 {
		return "", errors.New("the passphrases differ; nothing was changed")
	}
	return p1, nil
}

// envWorkFactor lets tests and slow machines choose the scrypt cost of a
// vault created implicitly; vmfa init has --work-factor.
func envWorkFactor() (int, error) {
	v := os.Getenv("VMFA_WORK_FACTOR")
	if v == "" {
		return vault.DefaultWorkFactor, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > vault.MaxWorkFactor {
		return 0, fmt.Errorf("VMFA_WORK_FACTOR=%q: use a whole number from 1 to %d", v, vault.MaxWorkFactor)
	}
	return n, nil
}

// checkWorkFactor refuses a --work-factor flag before anything is asked.
func checkWorkFactor(n int) error {
	if n < 1 || n > vault.MaxWorkFactor {
		return usageError{fmt.Errorf("--work-factor %d: use 1 to %d (18 takes about half a second)", n, vault.MaxWorkFactor)}
	}
	return nil
}

// withSpinner runs f, showing a spinner on a terminal's stderr if it takes
// longer than 200 ms (an scrypt unlock takes about half a second).
func withSpinner[T any](label string, f func() (T, error)) (T, error) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		if !term.IsTerminal(int(os.Stderr.Fd())) {
			return
		}
		frames := []rune("⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏")
		t := time.NewTimer(200 * time.Millisecond)
		defer t.Stop()
		shown := false
		for i := 0; ; i++ {
			select {
			case <-done:
				if shown {
					fmt.Fprint(os.Stderr, "\r\033[K")
				}
				return
			case <-t.C:
				shown = true
				fmt.Fprintf(os.Stderr, "\r%c %s…", frames[i%len(frames)], label)
				t.Reset(80 * time.Millisecond)
			}
		}
	}()
	v, err := f()
	close(done)
	<-finished
	return v, err
}
