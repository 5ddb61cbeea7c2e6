package termhandoff

import (
	"os"
	"testing"
)

// TestHoldRelease: the program exec'd sees TERM=dumb until Release, then
// the TERM the front end had, set or not, and no trace of the hand-off.
func TestHoldRelease(t *testing.T) {
	for _, term := range []*string{ptr("xterm-256color"), ptr(""), nil} {
		if term != nil {
			t.Setenv("TERM", *term)
		} else {
			t.Setenv("TERM", "")
			os.Unsetenv("TERM")
		}
		Hold()
		if got := os.Getenv("TERM"); got != "dumb" {
			t.Fatalf("held: TERM=%q", got)
		}
		Release()
		got, set := os.LookupEnv("TERM")
		if term == nil && set || term != nil && (!set || got != *term) {
			t.Fatalf("released: TERM=%q (set %v), want %v", got, set, term)
		}
		if _, left := os.LookupEnv(handoffVar); left {
			t.Fatalf("%s is left for vmfa-full's children", handoffVar)
		}
	}
	// Without a hand-off, Release changes nothing.
	t.Setenv("TERM", "vt100")
	Release()
	if got := os.Getenv("TERM"); got != "vt100" {
		t.Fatalf("TERM=%q after a Release with no Hold", got)
	}
}

func ptr(s string) *string { return &s }
