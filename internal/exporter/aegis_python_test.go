package exporter

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vmfa/vmfa/internal/testenv"
)

// aegisDecryptPy decrypts an Aegis vault as Aegis's docs/vault.md
// describes it, with Python's cryptography package: an implementation
// independent of vmfa's Go code, as a check that the file is what Aegis
// reads, not merely what vmfa's own importer reads. The password comes on
// stdin, the vault's content goes to stdout.
const aegisDecryptPy = `
import base64, json, sys
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

vault = json.load(open(sys.argv[1]))
password = sys.stdin.read().encode("utf-8")
for slot in vault["header"]["slots"]:
    if slot["type"] != 1:
        continue
    key = Scrypt(salt=bytes.fromhex(slot["salt"]), length=32, n=slot["n"], r=slot["r"], p=slot["p"]).derive(password)
    params = slot["key_params"]
    master = AESGCM(key).decrypt(bytes.fromhex(params["nonce"]), bytes.fromhex(slot["key"]) + bytes.fromhex(params["tag"]), None)
    params = vault["header"]["params"]
    content = AESGCM(master).decrypt(bytes.fromhex(params["nonce"]), base64.b64decode(vault["db"]) + bytes.fromhex(params["tag"]), None)
    sys.stdout.write(content.decode("utf-8"))
    sys.exit(0)
sys.exit("no password slot")
`

func TestAegisEncryptedDecryptsWithPython(t *testing.T) {
	python := testenv.Tool(t, "python3")
	if err := exec.Command(python, "-c", "import cryptography").Run(); err != nil {
		testenv.Skip(t, "python3's cryptography package is missing (Debian: python3-cryptography)")
	}
	const password = "pässword for the phone"
	entries := entriesOf(accountsOfEveryKind)
	data, err := Aegis(entries, ptr(password), Random)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "aegis.json")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(python, "-c", aegisDecryptPy, path)
	cmd.Stdin = strings.NewReader(password)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("Python could not decrypt the export: %v", err)
	}
	var content struct {
		Version int `json:"version"`
		Entries []struct {
			Type, Name, Issuer, Note string
			Favorite                 bool
			Info                     struct {
				Secret, Algo   string
				Digits, Period int
				Counter        *uint64
			}
		}
	}
	if err := json.Unmarshal(out, &content); err != nil {
		t.Fatal(err)
	}
	if content.Version != 3 || len(content.Entries) != len(entries) {
		t.Fatalf("content version %d with %d entries", content.Version, len(content.Entries))
	}
	for i, e := range content.Entries {
		a := entries[i]
		if e.Type != string(a.Type) || e.Name != a.Name || e.Issuer != a.Issuer || e.Note != a.Note || e.Favorite != a.Pinned ||
			e.Info.Secret != a.Secret || e.Info.Algo != string(a.Algorithm) || e.Info.Digits != a.Digits || e.Info.Period != a.Period ||
			(e.Info.Counter == nil) != (a.Type != "hotp") || e.Info.Counter != nil && *e.Info.Counter != a.Counter {
			t.Errorf("entry %d: %+v, want %+v", i+1, e, a)
		}
	}
}
