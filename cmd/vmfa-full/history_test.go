package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestHistoryCounterStep: a code of an HOTP account steps its counter, and
// history says by how much ("counter 7 → 9"), in the table and in --json.
func TestHistoryCounterStep(t *testing.T) {
	parallel(t)
	dir := t.TempDir()
	uri := "otpauth://hotp/Hetzner:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Hetzner&counter=7"
	expect(t, vmfa(t, dir, uri+"\n", []string{pw}, "add", "--uri"), 0, "Added Hetzner:alice", "")
	expect(t, vmfa(t, dir, "", []string{pw}, "code", "hetzner", "--next"), 0, "", "")

	r := vmfa(t, dir, "", []string{pw}, "history")
	expect(t, r, 0, "Hetzner:alice counter 7 → 9\n", "")
	if strings.Contains(r.stdout, "changed") {
		t.Errorf("history says changed for a counter step:\n%s", r.stdout)
	}
	r = vmfa(t, dir, "", []string{pw}, "history", "--json")
	var h []struct {
		Changes []struct {
			Change, Label string
			Counter       *struct{ From, To uint64 }
		} `json:"changes"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &h); err != nil || r.code != 0 || len(h) < 1 || len(h[0].Changes) != 1 {
		t.Fatalf("history --json: %+v %v", r, err)
	}
	if c := h[0].Changes[0]; c.Change != "counter" || c.Label != "Hetzner:alice" || c.Counter == nil || c.Counter.From != 7 || c.Counter.To != 9 {
		t.Errorf("history --json's change is %+v, want counter 7 → 9 of Hetzner:alice", c)
	}
	noSecrets(t, r)
}
