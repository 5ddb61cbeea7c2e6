package intake

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	_ "modernc.org/sqlite"

	"github.com/vmfa/vmfa/internal/importer"
	"github.com/vmfa/vmfa/internal/testenv"
)

// exportFile is a file of the shared corpus's app exports.
func exportFile(t *testing.T, name string) string {
	t.Helper()
	return testenv.SharedCorpus(t, filepath.Join("app-exports", name))
}

func TestReadImport(t *testing.T) {
	t.Parallel()
	aegis := exportFile(t, "aegis_plain.json")
	u, err := ReadImport("'"+aegis+"'", Import{}) // as dropped into a terminal
	if err != nil || u.Source != aegis || len(u.Accounts) != 7 || u.Accounts[0].Label() != "Deno:Mason" {
		t.Fatalf("ReadImport = %+v, %v", u, err)
	}

	// A format named, for a file that looks like another.
	plain := exportFile(t, "plain.txt")
	u, err = ReadImport(plain, Import{Format: "winauth"})
	if err != nil || len(u.Accounts) != 7 || u.Accounts[0].Label() != "Mason:WinAuth" {
		t.Fatalf("ReadImport as WinAuth = %+v, %v", u, err)
	}

	dir := t.TempDir()
	unknown := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(unknown, []byte("groceries\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadImport(unknown, Import{}); !errors.Is(err, importer.ErrUnknownFormat) || !strings.HasPrefix(err.Error(), unknown+": ") {
		t.Errorf("a file of no format = %v", err)
	}
	if _, err := ReadImport(exportFile(t, "aegis_plain.json"), Import{Format: "andotp"}); err == nil || !strings.HasPrefix(err.Error(), aegis+": ") {
		t.Errorf("a file of another format = %v", err)
	}
}

// TestReadImportUnsupported: accounts vmfa cannot generate codes for
// refuse their file, or are left out, each noted.
func TestReadImportUnsupported(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "aegis.json")
	entry := func(typ, name, algo string) string {
		return `{"type":"` + typ + `","name":"` + name + `","issuer":"Bank","info":{"secret":"4SJHB4GSD43FZBAI7C2HLRJGPQ` + name + `","algo":"` + algo + `","digits":6,"period":30}}`
	}
	vaultJSON := func(entries ...string) string {
		return `{"version":1,"header":{"slots":null,"params":null},"db":{"version":3,"entries":[` + strings.Join(entries, ",") + `]}}`
	}
	if err := os.WriteFile(file, []byte(vaultJSON(entry("totp", "ALICE", "SHA1"), entry("motp", "CAROL", "MD5"))), 0o600); err != nil {
		t.Fatal(err)
	}
	var unsupported *importer.UnsupportedError
	if _, err := ReadImport(file, Import{}); !errors.As(err, &unsupported) || err.Error() != file+": 1 account(s) of a kind vmfa cannot generate codes for: Bank:CAROL (mOTP)" {
		t.Errorf("unsupported accounts = %v", err)
	}
	var notes []string
	u, err := ReadImport(file, Import{SkipUnsupported: true, Note: func(msg string) { notes = append(notes, msg) }})
	if err != nil || len(u.Accounts) != 1 || u.Accounts[0].Label() != "Bank:ALICE" || !slices.Equal(notes, []string{"Skipped Bank:CAROL (mOTP): vmfa cannot generate its codes"}) {
		t.Errorf("skipped: %+v, %v, notes %q", u, err, notes)
	}
	if err := os.WriteFile(file, []byte(vaultJSON(entry("motp", "CAROL", "MD5"))), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadImport(file, Import{SkipUnsupported: true}); err == nil || err.Error() != file+": no account left to import" {
		t.Errorf("nothing left = %v", err)
	}
}

// TestReadImportPassword: an encrypted file asks its password only when it
// is encrypted; one typed is asked again when wrong, three times in all,
// one from the environment once.
func TestReadImportPassword(t *testing.T) {
	t.Parallel()
	enc := exportFile(t, "encrypted/aegis_encrypted.json")
	type ask struct {
		path    string
		attempt int
	}
	passwords := func(again bool, pws ...string) (*[]ask, func(string, int) (string, bool, error)) {
		var asked []ask
		return &asked, func(path string, attempt int) (string, bool, error) {
			asked = append(asked, ask{path, attempt})
			return pws[len(asked)-1], again, nil
		}
	}
	asked, pw := passwords(true, "wrong", "also wrong", "test")
	u, err := ReadImport(enc, Import{Password: pw})
	if err != nil || len(u.Accounts) != 7 || !slices.Equal(*asked, []ask{{enc, 1}, {enc, 2}, {enc, 3}}) {
		t.Fatalf("typed right the third time: %d accounts, %v, asked %v", len(u.Accounts), err, *asked)
	}
	asked, pw = passwords(true, "1", "2", "3", "test")
	if _, err := ReadImport(enc, Import{Password: pw}); !errors.Is(err, importer.ErrWrongPassword) || len(*asked) != 3 ||
		err.Error() != enc+": wrong password, or the file is damaged" {
		t.Errorf("typed wrong thrice: %v, asked %d times", err, len(*asked))
	}
	asked, pw = passwords(false, "wrong", "test")
	if _, err := ReadImport(enc, Import{Password: pw}); !errors.Is(err, importer.ErrWrongPassword) || len(*asked) != 1 {
		t.Errorf("a wrong password from the environment: %v, asked %d times", err, len(*asked))
	}
	failed := errors.New("no terminal")
	if _, err := ReadImport(enc, Import{Password: func(string, int) (string, bool, error) { return "", false, failed }}); !errors.Is(err, failed) {
		t.Errorf("a password that can't be had: %v", err)
	}
	if _, err := ReadImport(enc, Import{}); err == nil || !strings.Contains(err.Error(), "no password was given") {
		t.Errorf("no password: %v", err)
	}
	asked, pw = passwords(true)
	if _, err := ReadImport(exportFile(t, "aegis_plain.json"), Import{Password: pw}); err != nil || len(*asked) != 0 {
		t.Errorf("a plain file asked for a password: %v, %d times", err, len(*asked))
	}
}

// TestReadImports: every file is read before any is added; one bad file
// refuses them all, each bad one named.
func TestReadImports(t *testing.T) {
	t.Parallel()
	aegis, authy := exportFile(t, "aegis_plain.json"), exportFile(t, "authy_plain.xml")
	units, errs := ReadImports([]string{aegis, authy}, Import{})
	if len(errs) != 0 || len(units) != 2 || units[0].Source != aegis || units[1].Source != authy || len(units[1].Accounts) != 3 {
		t.Fatalf("ReadImports = %+v, %v", units, errs)
	}
	missing := filepath.Join(t.TempDir(), "missing.json")
	units, errs = ReadImports([]string{aegis, missing, authy}, Import{})
	if units != nil || len(errs) != 2 || errs[0].Error() != missing+": no such file or directory" || errs[1] != ErrNothingImported {
		t.Errorf("one missing of three = %+v, %v", units, errs)
	}
	units, errs = ReadImports([]string{missing}, Import{})
	if units != nil || len(errs) != 1 || errors.Is(errs[0], ErrNothingImported) {
		t.Errorf("one missing file alone = %+v, %v", units, errs)
	}
}

// TestReadImportWithWAL: an app's database copied with its -wal file beside
// it is read with the accounts only in the log, and says so.
func TestReadImportWithWAL(t *testing.T) {
	t.Parallel()
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
	defer conn.Close() // open until the copy is read: the log stays
	for _, q := range []string{"PRAGMA journal_mode=WAL", "PRAGMA wal_autocheckpoint=0",
		"INSERT INTO accounts (email, secret, counter, type, issuer) VALUES ('fresh@example.com', 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', 0, 0, 'OnlyInTheWAL')"} {
		if _, err := conn.ExecContext(context.Background(), q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	var notes []string
	u, err := ReadImport(live, Import{Note: func(msg string) { notes = append(notes, msg) }})
	if err != nil || len(u.Accounts) != 7 || u.Accounts[6].Label() != "OnlyInTheWAL:fresh@example.com" {
		t.Fatalf("ReadImport = %+v, %v", u, err)
	}
	if !slices.Equal(notes, []string{live + ": read with its write-ahead log, databases-wal"}) {
		t.Errorf("notes %q", notes)
	}
}
