package intake

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/vmfa/vmfa/internal/importer"
	"github.com/vmfa/vmfa/otp"
)

// Import says how to read import files.
type Import struct {
	// Format names the files' format (importer.Formats); empty, it is
	// recognized from each file's content (importer.Detect).
	Format string
	// SkipUnsupported leaves out the accounts vmfa cannot generate codes
	// for (importer.UnsupportedError), each one noted, instead of refusing
	// their file.
	SkipUnsupported bool
	// Password gives an encrypted file its password; it is called only for
	// one. attempt counts from 1; a password that may be asked again when
	// wrong (typed, not from the environment) says again, and is asked up
	// to three times, as sudo does.
	Password func(path string, attempt int) (password string, again bool, err error)
	// Note is told what a reader should know that is not an error: a
	// database read with its write-ahead log, an account skipped.
	Note func(msg string)
}

// MaxPasswordTries is how many times a typed password is asked for.
const MaxPasswordTries = 3

// ReadImport reads the import file at path (as typed or dragged in: see
// CleanPath) into one unit, or says what is wrong with it, naming it. An
// *importer.UnsupportedError is wrapped when SkipUnsupported is off.
func ReadImport(path string, opt Import) (Unit, error) {
	path = CleanPath(path)
	note := opt.Note
	if note == nil {
		note = func(string) {}
	}
	data, withWAL, err := importer.ReadFile(path)
	if err != nil {
		return Unit{}, err
	}
	if withWAL {
		note(fmt.Sprintf("%s: read with its write-ahead log, %s-wal", path, filepath.Base(path)))
	}
	format := opt.Format
	if format == "" {
		if format, err = importer.Detect(data); err != nil {
			return Unit{}, fmt.Errorf("%s: %w", path, err)
		}
	}
	accounts, err := parseImport(path, format, data, opt.Password)
	var unsupported *importer.UnsupportedError
	switch {
	case errors.As(err, &unsupported) && opt.SkipUnsupported:
		for _, s := range unsupported.Skipped {
			note(fmt.Sprintf("Skipped %s: vmfa cannot generate its codes", s))
		}
		accounts = unsupported.Accounts
		if len(accounts) == 0 {
			return Unit{}, fmt.Errorf("%s: no account left to import", path)
		}
	case err != nil:
		return Unit{}, fmt.Errorf("%s: %w", path, err)
	}
	return Unit{Source: path, Accounts: accounts}, nil
}

// parseImport parses data, the file at path, in format, asking password
// again after a wrong one that may be asked again.
func parseImport(path, format string, data []byte, password func(string, int) (string, bool, error)) (accounts []otp.Account, err error) {
	for attempt := 1; ; attempt++ {
		again := false
		get := func() (string, error) {
			if password == nil {
				return "", errors.New("the file is encrypted, and no password was given")
			}
			pw, a, err := password(path, attempt)
			again = a
			return pw, err
		}
		accounts, err = importer.Parse(format, data, get)
		if !errors.Is(err, importer.ErrWrongPassword) || !again || attempt == MaxPasswordTries {
			return accounts, err
		}
	}
}

// ReadImports reads every import file at paths into a unit of its own,
// before any is added: if one can't be, the errors say what is wrong with
// each, and no unit is returned, for nothing is to be imported. Their
// errors end with ErrNothingImported when there are several files.
func ReadImports(paths []string, opt Import) ([]Unit, []error) {
	var units []Unit
	var errs []error
	for _, path := range paths {
		u, err := ReadImport(path, opt)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		units = append(units, u)
	}
	if len(errs) > 0 {
		if len(paths) > 1 {
			errs = append(errs, ErrNothingImported)
		}
		return nil, errs
	}
	return units, nil
}

// ErrNothingImported ends ReadImports' errors about several files.
var ErrNothingImported = errors.New("nothing was imported")
