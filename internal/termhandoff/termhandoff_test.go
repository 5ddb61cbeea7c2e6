package termhandoff

import (
	"os"
	"slices"
	"strings"
	"testing"
)

// TestHandoffRelease: the program exec'd sees TERM=dumb until Release,
// then the TERM the front end had, set or not, and no trace of the
// hand-off.
func TestHandoffRelease(t *testing.T) {
	for _, term := range []*string{ptr("xterm-256color"), ptr(""), nil} {
		front := []string{"HOME=/home/alice", handoffVar + "=stale"}
		if term != nil {
			front = append(front, "TERM="+*term)
		}
		env := Handoff(front)
		if !slices.Contains(env, "HOME=/home/alice") || slices.Contains(env, handoffVar+"=stale") {
			t.Fatalf("handed %q, from %q", env, front)
		}
		// vmfa-full starts with env.
		t.Setenv("TERM", "")
		t.Setenv(handoffVar, "")
		os.Unsetenv("TERM")
		os.Unsetenv(handoffVar)
		for _, kv := range env {
			k, v, _ := strings.Cut(kv, "=")
			os.Setenv(k, v)
		}
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
