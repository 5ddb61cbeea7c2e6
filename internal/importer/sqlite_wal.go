package importer

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// WithWAL returns the database an app sees when SQLite keeps a write-ahead
// log beside it (FILE-wal, sqlite.org/wal.html): the apps' databases are
// in WAL mode, and a copy taken from a phone while the app ran has its
// latest accounts only in the log. db is the database file and wal its log;
// an empty log changes nothing.
//
// SQLite applies a log only to a database on disk, so both are copied into
// a private directory (0700, files 0600), read there through SQLite, and
// the directory is removed before WithWAL returns. The result is the whole
// database, as one file, for Parse. A file that is not an SQLite database
// has no log, whatever lies beside it, and is returned as it is; applied
// says whether the log was.
func WithWAL(db, wal []byte) (merged []byte, applied bool, err error) {
	if len(wal) == 0 || len(db) < 100 || !bytes.HasPrefix(db, []byte(sqliteMagic)) {
		return db, false, nil
	}
	if len(db)+len(wal) > MaxFileSize {
		return nil, false, fmt.Errorf("the database and its -wal file are over %d MiB, too large for an app's database", MaxFileSize>>20)
	}
	dir, err := os.MkdirTemp("", "vmfa-import-") // mode 0700
	if err != nil {
		return nil, false, err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "db")
	if err := os.WriteFile(path, db, 0o600); err != nil {
		return nil, false, err
	}
	if err := os.WriteFile(path+"-wal", wal, 0o600); err != nil {
		return nil, false, err
	}
	if merged, err = serializeSQLite(path); err != nil {
		return nil, false, fmt.Errorf("the SQLite database or its -wal file is damaged: %s", sqliteProblem(err))
	}
	return merged, true, nil
}

// serializeSQLite reads the database at path, its log applied, into one
// image, with the defenses openSQLite uses.
func serializeSQLite(path string) ([]byte, error) {
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	ctx, cancel := context.WithTimeout(context.Background(), sqliteTimeout)
	defer cancel()
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	for _, pragma := range []string{"PRAGMA trusted_schema=OFF", "PRAGMA cell_size_check=ON", "PRAGMA query_only=ON"} {
		if err := sqliteExec(conn, pragma); err != nil {
			return nil, err
		}
	}
	if _, err := sqliteTables(conn); err != nil { // reads the log
		return nil, err
	}
	var image []byte
	err = conn.Raw(func(dc any) error {
		s, ok := dc.(interface{ Serialize() ([]byte, error) })
		if !ok {
			return errors.New("the SQLite driver cannot serialize a database")
		}
		image, err = s.Serialize()
		return err
	})
	return image, err
}
