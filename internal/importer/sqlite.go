package importer

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"modernc.org/sqlite"
)

// Some apps keep their accounts in an SQLite database (sqlite.org/fileformat.html),
// which vmfa reads with modernc.org/sqlite, SQLite translated to Go (no cgo).
// The file is deserialized into memory, never opened on disk, and read
// with SQLite's defenses against hostile databases on
// (sqlite.org/security.html): defensive mode, no trust in the schema, cell
// size checks, and a time limit on every query.

const (
	sqliteMagic   = "SQLite format 3\x00"
	sqliteTimeout = 10 * time.Second
)

// openSQLite loads a database file into a private in-memory database.
func openSQLite(data []byte) (*sql.Conn, func(), error) {
	if len(data) < 100 || !strings.HasPrefix(string(data), sqliteMagic) {
		return nil, nil, errors.New("not an SQLite database")
	}
	// A database in WAL mode (header bytes 18 and 19 = 2) cannot be
	// deserialized; the copy is marked as a rollback-journal database,
	// which is what it is once its WAL is checkpointed or lost.
	img := append([]byte(nil), data...)
	if img[18] == 2 || img[19] == 2 {
		img[18], img[19] = 1, 1
	}
	db, err := sql.Open("sqlite", "file::memory:?mode=memory")
	if err != nil {
		return nil, nil, err
	}
	db.SetMaxOpenConns(1)
	ctx, cancel := context.WithTimeout(context.Background(), sqliteTimeout)
	conn, err := db.Conn(ctx)
	cancel()
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	closeAll := func() { conn.Close(); db.Close() }
	err = conn.Raw(func(dc any) error {
		d, ok := dc.(interface{ Deserialize([]byte) error })
		if !ok {
			return errors.New("the SQLite driver can't load a database from memory")
		}
		return d.Deserialize(img)
	})
	if err == nil {
		for _, pragma := range []string{"PRAGMA trusted_schema=OFF", "PRAGMA cell_size_check=ON", "PRAGMA query_only=ON"} {
			if err = sqliteExec(conn, pragma); err != nil {
				break
			}
		}
	}
	if err == nil {
		// Reading the schema checks that the file is a database at all.
		_, err = sqliteTables(conn)
	}
	if err != nil {
		closeAll()
		return nil, nil, fmt.Errorf("the SQLite database is damaged: %s", sqliteProblem(err))
	}
	return conn, closeAll, nil
}

func sqliteExec(conn *sql.Conn, q string) error {
	ctx, cancel := context.WithTimeout(context.Background(), sqliteTimeout)
	defer cancel()
	_, err := conn.ExecContext(ctx, q)
	return err
}

// sqliteTables maps each table of the database to its columns.
func sqliteTables(conn *sql.Conn) (map[string][]string, error) {
	tables := map[string][]string{}
	var names []string
	err := sqliteQuery(conn, "SELECT name FROM sqlite_schema WHERE type = 'table'", nil, func(r *sql.Rows) error {
		var name string
		if err := r.Scan(&name); err != nil {
			return err
		}
		names = append(names, name)
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, name := range names {
		err := sqliteQuery(conn, "SELECT name FROM pragma_table_info(?)", []any{name}, func(r *sql.Rows) error {
			var col string
			if err := r.Scan(&col); err != nil {
				return err
			}
			tables[name] = append(tables[name], strings.ToLower(col))
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return tables, nil
}

var errTooManyRows = fmt.Errorf("the database holds more than %d accounts", maxAccounts)

// sqliteQuery runs a query within the time limit and calls row for each
// row, at most maxAccounts of them.
func sqliteQuery(conn *sql.Conn, q string, args []any, row func(*sql.Rows) error) error {
	ctx, cancel := context.WithTimeout(context.Background(), sqliteTimeout)
	defer cancel()
	rows, err := conn.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		if n++; n > maxAccounts {
			return errTooManyRows
		}
		if err := row(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// sqliteProblem says what went wrong without quoting the database.
func sqliteProblem(err error) string {
	var e *sqlite.Error
	if errors.As(err, &e) {
		return sqlite.ErrorCodeString[e.Code()]
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "reading it takes too long"
	}
	return "it can't be read"
}

// detectSQLite tells the apps' databases apart by their tables.
func detectSQLite(data []byte) (string, error) {
	conn, closeDB, err := openSQLite(data)
	if err != nil {
		return "", err
	}
	defer closeDB()
	tables, err := sqliteTables(conn)
	if err != nil {
		return "", fmt.Errorf("the SQLite database is damaged: %s", sqliteProblem(err))
	}
	cols := func(table string, want ...string) bool {
		have := strings.Join(tables[table], ",")
		for _, w := range want {
			if !strings.Contains(","+have+",", ","+w+",") {
				return false
			}
		}
		return len(tables[table]) > 0
	}
	switch {
	case cols("accounts", "email", "secret"):
		return "google-authenticator-db", nil
	case cols("accounts", "oath_secret_key"):
		return "microsoft-authenticator-db", nil
	case cols("authenticator", "secret", "type"):
		return "stratum", nil
	}
	return "", errors.New("unrecognized SQLite database: it is not the database of an app vmfa knows")
}

// sqliteRows opens the database and reads the named columns of a table,
// which must have them, as text (SQLite converts numbers); NULL is "".
func sqliteRows(data []byte, table string, columns ...string) ([][]string, error) {
	conn, closeDB, err := openSQLite(data)
	if err != nil {
		return nil, err
	}
	defer closeDB()
	tables, err := sqliteTables(conn)
	if err != nil {
		return nil, fmt.Errorf("the SQLite database is damaged: %s", sqliteProblem(err))
	}
	have := map[string]bool{}
	for _, c := range tables[table] {
		have[c] = true
	}
	for _, c := range columns {
		if !have[c] {
			return nil, fmt.Errorf("the database has no %s.%s column", table, c)
		}
	}
	var rows [][]string
	q := fmt.Sprintf("SELECT %s FROM %q", strings.Join(columns, ", "), table)
	err = sqliteQuery(conn, q, nil, func(r *sql.Rows) error {
		cells := make([]sql.NullString, len(columns))
		ptrs := make([]any, len(columns))
		for i := range cells {
			ptrs[i] = &cells[i]
		}
		if err := r.Scan(ptrs...); err != nil {
			return err
		}
		row := make([]string, len(columns))
		for i, c := range cells {
			row[i] = c.String
		}
		rows = append(rows, row)
		return nil
	})
	if errors.Is(err, errTooManyRows) {
		return nil, err
	} else if err != nil {
		return nil, fmt.Errorf("the SQLite database is damaged: %s", sqliteProblem(err))
	}
	return rows, nil
}

// sqliteInt reads an integer cell; "" (NULL) is 0.
func sqliteInt(cell string) (int64, error) {
	if cell == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(cell, 10, 64)
	if err != nil {
		return 0, errors.New("a number column holds something else")
	}
	return n, nil
}
