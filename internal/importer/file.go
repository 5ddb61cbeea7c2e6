package importer

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// ReadFile reads the export at path as Parse takes it: at most MaxFileSize
// bytes, and, for an app's SQLite database, with the latest changes that
// SQLite keeps in path-wal beside it applied (WithWAL); withWAL says they
// were. Errors name the file.
func ReadFile(path string) (data []byte, withWAL bool, err error) {
	data, err = readLimited(path, MaxFileSize)
	if err != nil {
		return nil, false, fmt.Errorf("%s: %w", path, unwrapPathError(err))
	}
	wal, err := readLimited(path+"-wal", MaxFileSize)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, false, fmt.Errorf("%s-wal: %w", path, unwrapPathError(err))
	}
	if len(wal) == 0 {
		return data, false, nil
	}
	merged, applied, err := WithWAL(data, wal)
	if err != nil {
		return nil, false, fmt.Errorf("%s: %w", path, err)
	}
	return merged, applied, nil
}

// readLimited reads a file of at most max bytes.
func readLimited(path string, max int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, max+1))
	if err == nil && int64(len(b)) > max {
		err = fmt.Errorf("over %d MiB", max>>20)
	}
	return b, err
}

// unwrapPathError drops the path that os errors repeat.
func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
