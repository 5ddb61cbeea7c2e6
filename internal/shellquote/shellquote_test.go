package shellquote

import (
	"os/exec"
	"testing"
)

func TestWord(t *testing.T) {
	for in, want := range map[string]string{
		"127.0.0.1:12398":      "127.0.0.1:12398",
		"time.example.org":     "time.example.org",
		"/home/al/.local/vmfa": "/home/al/.local/vmfa",
		"a=b,c@d%e+f":          "a=b,c@d%e+f",
		"azAZ09":               "azAZ09",
		"{x}":                  "'{x}'",
		"[::1]:123":            "'[::1]:123'",
		"a b":                  "'a b'",
		"it's":                 `'it'\''s'`,
		"~/vmfa":               "'~/vmfa'",
		"=ls":                  "'=ls'",
		"":                     "''",
	} {
		if got := Word(in); got != want {
			t.Errorf("Word(%q) = %s, want %s", in, got, want)
		}
	}
}

// fish takes \ and ' inside single quotes as escapes, and nothing else.
func TestFish(t *testing.T) {
	if got, want := Fish(`it's a\b $x`), `'it\'s a\\b $x'`; got != want {
		t.Errorf("Fish = %s, want %s", got, want)
	}
}

// Every character a shell treats specially comes back as it was, through
// sh and, where it is installed, fish.
func TestQuotesRoundTrip(t *testing.T) {
	values := []string{`a'b`, `$(touch /tmp/vmfa-pwned)`, "`id`", `\'\\`, "two\nlines", `"; rm -rf ~; "`, "", "=ls", "[::1]:123", "*"}
	for _, v := range values {
		for _, q := range []string{POSIX(v), Word(v)} {
			out, err := exec.Command("sh", "-c", `printf %s `+q).Output()
			if err != nil || string(out) != v {
				t.Errorf("sh: %q quoted as %s came back as %q (%v)", v, q, out, err)
			}
		}
		if fish, err := exec.LookPath("fish"); err == nil {
			out, err := exec.Command(fish, "-c", `printf %s `+Fish(v)).Output()
			if err != nil || string(out) != v {
				t.Errorf("fish: %q came back as %q (%v)", v, out, err)
			}
		}
	}
}
