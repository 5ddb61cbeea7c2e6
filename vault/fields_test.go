package vault

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// TestUnknownFieldsKept loads a vault written by a newer vmfa of the same
// format version, with top-level and per-account fields this version does
// not know, changes it, and checks that the fields are still there: an
// older vmfa must not strip what a newer one stores.
func TestUnknownFieldsKept(t *testing.T) {
	s, v := newTestVault(t)
	const account = `"id":"%s","created":"2024-01-02T03:04:05Z","name":"%s","secret":"%s","type":"totp","algorithm":"SHA1","digits":6,"period":30`
	writeVaultJSON(t, v, `{
		"version": 1,
		"color": "blue",
		"sync": {"server": "https://example.com", "every": 60},
		"accounts": [
			{"id":"0000000000000001","created":"2024-01-02T03:04:05Z","name":"alice","secret":"JBSWY3DPEHPK3PXP","type":"totp","algorithm":"SHA1","digits":6,"period":30,
			 "icon":"🔑","tags":["work","aws"],"future":{"nested":[1,2,3]}},
			{"id":"0000000000000002","created":"2024-01-02T03:04:05Z","name":"bob","secret":"GEZDGNBVGY3TQOJQ","type":"totp","algorithm":"SHA1","digits":6,"period":30}
		]
	}`)
	// Three saves: a rename of alice, a removal of bob, an addition.
	update(t, v, func(d *Data) error { _, err := d.Rename("0000000000000001", "GitHub", "alice"); return err })
	update(t, v, func(d *Data) error { d.Remove("0000000000000002"); return nil })
	addAccounts(t, v, 0, 1)

	pt, err := decrypt(mustRead(t, filepath.Join(s.Dir(), vaultFile)), maxVaultSize, v.identity)
	if err != nil {
		t.Fatal(err)
	}
	var raw struct {
		Color    string          `json:"color"`
		Sync     json.RawMessage `json:"sync"`
		Accounts []map[string]json.RawMessage
	}
	if err := json.Unmarshal(pt, &raw); err != nil {
		t.Fatal(err)
	}
	if raw.Color != "blue" || string(compact(t, raw.Sync)) != `{"server":"https://example.com","every":60}` {
		t.Errorf("top-level fields after saving: color %q, sync %s", raw.Color, raw.Sync)
	}
	if len(raw.Accounts) != 2 {
		t.Fatalf("%d accounts saved, want 2", len(raw.Accounts))
	}
	alice := raw.Accounts[0]
	if string(alice["issuer"]) != `"GitHub"` || string(alice["icon"]) != `"🔑"` ||
		string(compact(t, alice["tags"])) != `["work","aws"]` || string(compact(t, alice["future"])) != `{"nested":[1,2,3]}` {
		t.Errorf("alice after saving: %s", pt)
	}
	if _, ok := raw.Accounts[1]["icon"]; ok {
		t.Error("the new account got another's unknown field")
	}
	// And the data reads back the same, unknown fields included.
	d := mustLoad(t, v)
	if d.Accounts[0].Label() != "GitHub:alice" {
		t.Errorf("loaded %+v", d.Accounts[0])
	}
	// The fields that are known are never duplicated by the unknown ones,
	// whatever their case.
	writeVaultJSON(t, v, `{"version":1,"Accounts":[],"VERSION":1,"x":1}`)
	update(t, v, func(*Data) error { return nil })
	pt, _ = decrypt(mustRead(t, filepath.Join(s.Dir(), vaultFile)), maxVaultSize, v.identity)
	var top map[string]json.RawMessage
	if err := json.Unmarshal(pt, &top); err != nil || len(top) != 3 || string(top["x"]) != "1" {
		t.Errorf("after saving a vault with known fields in other cases: %s", pt)
	}
	// Unknown fields in every account and none at the top are kept too.
	writeVaultJSON(t, v, `{"version":1,"accounts":[{`+fmt.Sprintf(account, "0000000000000001", "alice", "JBSWY3DPEHPK3PXP")+`,"icon":"🔑"}]}`)
	update(t, v, func(*Data) error { return nil })
	pt, _ = decrypt(mustRead(t, filepath.Join(s.Dir(), vaultFile)), maxVaultSize, v.identity)
	if !strings.Contains(string(pt), `"icon": "🔑"`) {
		t.Errorf("the only account's unknown field was not kept: %s", pt)
	}
}

func compact(t *testing.T, b []byte) []byte {
	t.Helper()
	var out []byte
	out, err := json.Marshal(json.RawMessage(b))
	if err != nil {
		t.Fatal(err)
	}
	return out
}
