package main

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"

	_ "modernc.org/sqlite"
)

// An app's database copied with its -wal file beside it: vmfa import reads
// the accounts that are only in the log.
func TestImportSQLiteWithWAL(t *testing.T) {
	parallel(t)
	orig, err := os.ReadFile(exportFile(t, "google_authenticator.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	live := filepath.Join(t.TempDir(), "databases")
	if err := os.WriteFile(live, orig, 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", "file:"+live)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, q := range []string{"PRAGMA journal_mode=WAL", "PRAGMA wal_autocheckpoint=0",
		"INSERT INTO accounts (email, secret, counter, type, issuer) VALUES ('fresh@example.com', 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', 0, 0, 'OnlyInTheWAL')"} {
		if _, err := conn.ExecContext(context.Background(), q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	// The copy a user takes from the phone while the app runs.
	copyDir := t.TempDir()
	for _, suffix := range []string{"", "-wal"} {
		b, err := os.ReadFile(live + suffix)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(copyDir, "databases"+suffix), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	r := vmfa(t, t.TempDir(), "", []string{pw}, "import", filepath.Join(copyDir, "databases"))
	expect(t, r, 0, "Added OnlyInTheWAL:fresh@example.com", "read with its write-ahead log, databases-wal")
	expect(t, r, 0, "", "7 imported")
}
