package importer

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/vmfa/vmfa/internal/testenv"
)

// walDatabase copies the corpus's Google Authenticator database, turns it
// into a WAL-mode database as the app keeps it, and adds an account that,
// like the app's latest changes, is only in the -wal file. It returns the
// database and the log as a copy taken while the app runs would have them.
func walDatabase(t testing.TB) (db, wal []byte) {
	t.Helper()
	orig, err := os.ReadFile(testenv.SharedCorpus(t, "app-exports/google_authenticator.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "databases")
	if err := os.WriteFile(path, orig, 0o600); err != nil {
		t.Fatal(err)
	}
	sdb, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer sdb.Close()
	conn, err := sdb.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, q := range []string{
		"PRAGMA journal_mode=WAL",
		"PRAGMA wal_autocheckpoint=0", // the app's latest write stays in the log
		"INSERT INTO accounts (email, secret, counter, type, issuer) VALUES ('fresh@example.com', 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', 0, 0, 'OnlyInTheWAL')",
	} {
		if _, err := conn.ExecContext(context.Background(), q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	// Copied while the connection is open: closing would checkpoint the log.
	if db, err = os.ReadFile(path); err != nil {
		t.Fatal(err)
	}
	if wal, err = os.ReadFile(path + "-wal"); err != nil {
		t.Fatal(err)
	}
	if len(wal) == 0 || db[18] != 2 {
		t.Fatalf("not a WAL-mode database with a log: log of %d bytes, header byte %d", len(wal), db[18])
	}
	return db, wal
}

func TestSQLiteWAL(t *testing.T) {
	db, wal := walDatabase(t)
	without, err := Parse("google-authenticator-db", db, nil)
	if err != nil {
		t.Fatal(err)
	}
	merged, applied, err := WithWAL(db, wal)
	if err != nil || !applied {
		t.Fatal(err)
	}
	if format, err := Detect(merged); format != "google-authenticator-db" || err != nil {
		t.Fatalf("Detect = %q, %v", format, err)
	}
	with, err := Parse("google-authenticator-db", merged, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(with) != len(without)+1 || with[len(with)-1].Label() != "OnlyInTheWAL:fresh@example.com" {
		t.Fatalf("without the log %d accounts, with it %d: %+v", len(without), len(with), with[len(with)-1])
	}
	// A damaged log: its frames are left out, as SQLite leaves them after
	// a crash, and what is left is the database without them.
	bad := append([]byte(nil), wal...)
	for i := 32; i < len(bad); i += 7 {
		bad[i] ^= 0x5a
	}
	if m, applied, err := WithWAL(db, bad); err != nil || applied || !bytes.Equal(m, db) {
		t.Errorf("a damaged log: applied %v, %v", applied, err)
	}
	text := []byte("otpauth://totp/x?secret=JBSWY3DPEHPK3PXP\n")
	if got, applied, err := WithWAL(text, wal); err != nil || applied || string(got) != string(text) {
		t.Errorf("a file that is no database, with a -wal beside it, became %q, %v", got, err)
	}
}

// ReadFile reads a database with the log beside it applied, and any other
// file as it is; an error names the file.
func TestReadFileWithWAL(t *testing.T) {
	db, wal := walDatabase(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "databases")
	os.WriteFile(path, db, 0o600)
	os.WriteFile(path+"-wal", wal, 0o600)
	merged, _, _ := WithWAL(db, wal)
	if got, withWAL, err := ReadFile(path); err != nil || !withWAL || !bytes.Equal(got, merged) {
		t.Errorf("ReadFile of a database and its log: %d bytes, withWAL %v, %v", len(got), withWAL, err)
	}
	os.Remove(path + "-wal")
	if got, withWAL, err := ReadFile(path); err != nil || withWAL || !bytes.Equal(got, db) {
		t.Errorf("ReadFile of a database alone: %d bytes, withWAL %v, %v", len(got), withWAL, err)
	}
	os.Mkdir(path+"-wal", 0o700)
	if _, _, err := ReadFile(path); err == nil || err.Error() != path+"-wal: is a directory" {
		t.Errorf("ReadFile with a directory for its log: %v", err)
	}
	missing := filepath.Join(dir, "missing")
	if _, _, err := ReadFile(missing); err == nil || err.Error() != missing+": no such file or directory" {
		t.Errorf("ReadFile of no file: %v", err)
	}
}

// The database holds secrets: the log is applied in memory, and nothing of
// it goes to the temporary directory (here one that cannot be written).
func TestSQLiteWALNotOnDisk(t *testing.T) {
	db, wal := walDatabase(t)
	t.Setenv("TMPDIR", filepath.Join(t.TempDir(), "missing"))
	if _, applied, err := WithWAL(db, wal); err != nil || !applied {
		t.Fatalf("applied %v, %v", applied, err)
	}
}

// Any log, with the real database: no panic, and never more than
// MaxFileSize.
func FuzzWithWAL(f *testing.F) {
	db, wal := walDatabase(f)
	f.Add(wal)
	f.Add(wal[:walHeaderSize+walFrameHeaderSize])
	f.Fuzz(func(t *testing.T, wal []byte) {
		m, _, err := WithWAL(db, wal)
		if err == nil && len(m) > MaxFileSize {
			t.Fatalf("%d bytes", len(m))
		}
	})
}

// walGrowth makes a WAL-mode database of Google Authenticator's schema with
// pages of pageSize and runs each transaction in turn, the log kept beside
// it. It returns the database file, and the log and SQLite's count of
// accounts after each transaction.
func walGrowth(t *testing.T, pageSize int, transactions ...string) (db []byte, wals [][]byte, counts []int) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "databases")
	sdb, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer sdb.Close()
	conn, err := sdb.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	exec := func(q string) {
		t.Helper()
		if _, err := conn.ExecContext(context.Background(), q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	exec(fmt.Sprintf("PRAGMA page_size=%d", pageSize))
	exec("CREATE TABLE accounts (_id INTEGER PRIMARY KEY, email TEXT, secret TEXT, counter INTEGER, type INTEGER, issuer TEXT)")
	exec("PRAGMA journal_mode=WAL")
	exec("PRAGMA wal_autocheckpoint=0")
	for _, tx := range transactions {
		exec(tx)
		wal, err := os.ReadFile(path + "-wal")
		if err != nil {
			t.Fatal(err)
		}
		var n int
		if err := conn.QueryRowContext(context.Background(), "SELECT count(*) FROM accounts").Scan(&n); err != nil {
			t.Fatal(err)
		}
		wals, counts = append(wals, wal), append(counts, n)
	}
	if db, err = os.ReadFile(path); err != nil {
		t.Fatal(err)
	}
	return db, wals, counts
}

// rowsOf is a transaction inserting n accounts, each long enough that a
// few fill a page: the log grows the database by new pages.
func rowsOf(n int, issuer string) string {
	return fmt.Sprintf(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < %d)
		INSERT INTO accounts (email, secret, counter, type, issuer) SELECT '%s' || i, '%s', 0, 0, '%s' FROM n`,
		n, strings.Repeat("x", 200), secret, issuer)
}

// After each transaction of a log that grows the database page by page,
// what WithWAL gives holds what SQLite sees, to the last account; a log cut
// within a transaction gives the database as it was before it; and so with
// SQLite's largest pages, 64 KiB, which the database's header writes as 1.
func TestSQLiteWALGrowth(t *testing.T) {
	for _, pageSize := range []int{4096, 65536} {
		db, wals, counts := walGrowth(t, pageSize, rowsOf(1, "First"), rowsOf(300, "Second"), rowsOf(1, "Third"))
		imported := func(wal []byte) int {
			t.Helper()
			merged, _, err := WithWAL(db, wal)
			if err != nil {
				t.Fatalf("page size %d: %v", pageSize, err)
			}
			accs, err := Parse("google-authenticator-db", merged, nil)
			if err != nil {
				t.Fatalf("page size %d: %v", pageSize, err)
			}
			return len(accs)
		}
		for i, wal := range wals {
			if n := imported(wal); n != counts[i] {
				t.Errorf("page size %d, after transaction %d: %d accounts, SQLite sees %d", pageSize, i+1, n, counts[i])
			}
		}
		for _, cut := range []struct{ at, after int }{
			{len(wals[1]) - 1, 0},                               // in the second transaction's last frame
			{len(wals[1]) + walFrameHeaderSize + pageSize/2, 1}, // in the third's first
		} {
			if n := imported(wals[2][:cut.at]); n != counts[cut.after] {
				t.Errorf("page size %d, log cut at %d: %d accounts, want %d", pageSize, cut.at, n, counts[cut.after])
			}
		}
	}
}

// A log whose last commit says the database has grown to 64 MiB is
// applied; one page more is refused, before anything that size is made.
func TestSQLiteWALSizeLimit(t *testing.T) {
	db, wals, _ := walGrowth(t, 4096, rowsOf(1, "First"))
	wal := wals[0]
	const pageSize = 4096
	for _, pages := range []uint32{MaxFileSize / pageSize, MaxFileSize/pageSize + 1} {
		grown := append([]byte(nil), wal...)
		// The commit frame is the last; its header's second word is the
		// database's size in pages. Reseal the frames' running checksums.
		order := binary.ByteOrder(binary.LittleEndian)
		if binary.BigEndian.Uint32(grown)&1 == 1 {
			order = binary.BigEndian
		}
		last := len(grown) - walFrameHeaderSize - pageSize
		binary.BigEndian.PutUint32(grown[last+4:], pages)
		s0, s1 := binary.BigEndian.Uint32(grown[24:]), binary.BigEndian.Uint32(grown[28:])
		for off := walHeaderSize; off < len(grown); off += walFrameHeaderSize + pageSize {
			s0, s1 = walChecksum(order, grown[off:off+8], s0, s1)
			s0, s1 = walChecksum(order, grown[off+walFrameHeaderSize:off+walFrameHeaderSize+pageSize], s0, s1)
			binary.BigEndian.PutUint32(grown[off+16:], s0)
			binary.BigEndian.PutUint32(grown[off+20:], s1)
		}
		merged, applied, err := WithWAL(db, grown)
		if pages*pageSize == MaxFileSize && (err != nil || !applied || len(merged) != MaxFileSize) {
			t.Errorf("grown to 64 MiB: %d bytes, applied %v, %v", len(merged), applied, err)
		}
		if pages*pageSize > MaxFileSize && (err == nil || err.Error() != "the database with its -wal file is over 64 MiB, too large for an app's database") {
			t.Errorf("grown past 64 MiB: %d bytes, %v", len(merged), err)
		}
	}
}

// A database marked as in WAL mode (header bytes 18 and 19, the versions
// to write and to read it, 2) is read without its log, whichever byte says
// so: SQLite can't load the file as it is when the one to read it does.
func TestSQLiteWALModeHeader(t *testing.T) {
	db, _ := walDatabase(t)
	want, err := Parse("google-authenticator-db", db, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, versions := range [][2]byte{{2, 1}, {1, 2}} {
		img := append([]byte(nil), db...)
		img[18], img[19] = versions[0], versions[1]
		if got, err := Parse("google-authenticator-db", img, nil); err != nil || !slices.Equal(got, want) {
			t.Errorf("versions %v: %v, %d accounts", versions, err, len(got))
		}
	}
}
