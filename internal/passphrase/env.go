// Package passphrase is where vmfa's passphrases come from and how strong
// they are, for both front ends: the environment (read once, then removed, so
// that no child process inherits it), prompts on the terminal, and one
// strength rule.
package passphrase

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"

	"github.com/vmfa/vmfa/internal/shellquote"
)

// The variables that can hold a passphrase or name where one is, in the
// order they are tried.
const (
	EnvCommand = "VMFA_PASSPHRASE_COMMAND" // run by sh -c; its output is the passphrase
	EnvFile    = "VMFA_PASSPHRASE_FILE"    // a file holding the passphrase
	EnvValue   = "VMFA_PASSPHRASE"         // the passphrase itself
	EnvNew     = "VMFA_NEW_PASSPHRASE"     // the new passphrase, for a change
	EnvImport  = "VMFA_IMPORT_PASSPHRASE"  // the password of an encrypted file to import
	EnvExport  = "VMFA_EXPORT_PASSPHRASE"  // the password to encrypt an export with
)

// maxFileSize bounds what is read of a passphrase file, which could be
// /dev/zero.
const maxFileSize = 64 << 10

// Env is the passphrase configuration taken from the environment.
type Env struct {
	command, file, value, newValue string
	hasValue, hasNew               bool
	importValue, exportValue       string
	hasImport, hasExport           bool

	// Warn receives warnings, such as a passphrase file that others can
	// read; nil drops them.
	Warn func(msg string)

	once sync.Once
	pass string
	ok   bool
	err  error
}

// TakeEnv reads the passphrase variables, then removes them (and any other
// VMFA_PASSPHRASE* variable) from the process's environment, so that no
// child inherits a passphrase: not the passphrase command, not a clipboard
// tool that lives on as the clipboard's owner. Call it once, before
// anything starts a process.
func TakeEnv() *Env {
	e := &Env{command: os.Getenv(EnvCommand), file: os.Getenv(EnvFile)}
	e.value, e.hasValue = os.LookupEnv(EnvValue)
	e.newValue, e.hasNew = os.LookupEnv(EnvNew)
	e.importValue, e.hasImport = os.LookupEnv(EnvImport)
	e.exportValue, e.hasExport = os.LookupEnv(EnvExport)
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, EnvValue) || k == EnvNew || k == EnvImport || k == EnvExport {
			os.Unsetenv(k)
		}
	}
	return e
}

// Passphrase returns the passphrase the environment gives, from the first of
// VMFA_PASSPHRASE_COMMAND, VMFA_PASSPHRASE_FILE and VMFA_PASSPHRASE that is
// set, or ok=false when none is. The command runs at most once.
func (e *Env) Passphrase() (pass string, ok bool, err error) {
	e.once.Do(func() { e.pass, e.ok, e.err = e.read() })
	return e.pass, e.ok, e.err
}

func (e *Env) read() (string, bool, error) {
	switch {
	case e.command != "":
		cmd := exec.Command("sh", "-c", e.command)
		cmd.Stderr = os.Stderr
		out, err := cmd.Output()
		if err != nil {
			return "", false, fmt.Errorf("%s failed: %v", EnvCommand, err)
		}
		return strings.TrimRight(string(out), "\r\n"), true, nil
	case e.file != "":
		b, err := e.readFile()
		if err != nil {
			return "", false, fmt.Errorf("%s: %v", EnvFile, err)
		}
		return strings.TrimRight(string(b), "\r\n"), true, nil
	case e.hasValue:
		return e.value, true, nil
	}
	return "", false, nil
}

// readFile reads the passphrase file, warning if others can read it.
func (e *Env) readFile() ([]byte, error) {
	f, err := os.Open(e.file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && runtime.GOOS != "windows" && fi.Mode().Perm()&0o044 != 0 {
		e.warn(fmt.Sprintf("%s %s is readable by others (mode %04o): run chmod 600 %s", EnvFile, e.file, fi.Mode().Perm(), shellquote.Word(e.file)))
	}
	b, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err == nil && len(b) > maxFileSize {
		err = fmt.Errorf("%s is over %d KiB", e.file, maxFileSize>>10)
	}
	return b, err
}

// New returns the new passphrase the environment gives (VMFA_NEW_PASSPHRASE),
// warning if it is weak.
func (e *Env) New() (string, bool) {
	if e.hasNew {
		e.WarnIfWeak(e.newValue)
	}
	return e.newValue, e.hasNew
}

// Import returns the password of encrypted files to import
// (VMFA_IMPORT_PASSPHRASE), if the environment gave one.
func (e *Env) Import() (string, bool) { return e.importValue, e.hasImport }

// Export returns the password to encrypt an export with
// (VMFA_EXPORT_PASSPHRASE), if the environment gave one. It is not judged
// weak or strong: the app that imports the file has its own rules.
func (e *Env) Export() (string, bool) { return e.exportValue, e.hasExport }

// WarnIfWeak warns about a new passphrase that is weak: one from the
// environment is a script's choice, so it is not refused.
func (e *Env) WarnIfWeak(pass string) {
	if s := Estimate(pass); s == Weak {
		e.warn("the new passphrase is weak: " + s.Advice())
	}
}

func (e *Env) warn(msg string) {
	if e.Warn != nil {
		e.Warn(msg)
	}
}
