package importer

import (
	"fmt"
	"strings"
	"testing"
)

// A shared preferences file is read up to 10000 entries, the most accounts
// a file may hold; one more is refused.
func TestPrefsEntryLimit(t *testing.T) {
	prefs := func(n int) []byte {
		var b strings.Builder
		b.WriteString("<?xml version='1.0' encoding='utf-8' standalone='yes' ?>\n<map>\n")
		for i := range n {
			fmt.Fprintf(&b, "<string name=\"k%d\">v</string>\n", i)
		}
		b.WriteString("</map>\n")
		return []byte(b.String())
	}
	if m, err := readPrefs(prefs(maxAccounts)); err != nil || len(m) != maxAccounts {
		t.Errorf("%d entries: %d read, %v", maxAccounts, len(m), err)
	}
	if _, err := readPrefs(prefs(maxAccounts + 1)); err == nil || err.Error() != "the preferences file has too many entries" {
		t.Errorf("%d entries: %v", maxAccounts+1, err)
	}
}
