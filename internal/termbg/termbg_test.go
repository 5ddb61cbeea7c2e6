package termbg

import "testing"

// TestParse: the background is read from the terminal's answers, whichever
// terminator ends OSC 11's (BEL or ST), as xterm, kitty and iTerm2 send it.
func TestParse(t *testing.T) {
	for _, tc := range []struct {
		answers string
		dark    bool
	}{
		{"\x1b]11;rgb:0000/0000/0000\x1b\\\x1b[1;1R", true},
		{"\x1b]11;rgb:ffff/ffff/ffff\x07\x1b[12;40R", false},
		{"\x1b]11;rgb:fdfd/f6f6/e3e3\x1b\\\x1b[1;1R", false}, // Solarized light
		{"\x1b]11;rgb:2828/2c2c/3434\x1b\\\x1b[1;1R", true},  // One Dark
	} {
		c := parse([]byte(tc.answers))
		if c == nil {
			t.Fatalf("%q: no colour", tc.answers)
		}
		if isDark(c) != tc.dark {
			t.Errorf("%q: dark %v, want %v", tc.answers, !tc.dark, tc.dark)
		}
	}
	// A terminal that answers only the cursor's position has no colour.
	if c := parse([]byte("\x1b[1;1R")); c != nil {
		t.Fatalf("a colour from no answer: %v", c)
	}
}

// TestFromEnv: without an answer, COLORFGBG's background decides.
func TestFromEnv(t *testing.T) {
	for fgbg, dark := range map[string]bool{"": true, "15;0": true, "0;15": false, "0;default;7": false, "x": true, "7;8": true} {
		t.Setenv("COLORFGBG", fgbg)
		if fromEnv() != dark {
			t.Errorf("COLORFGBG=%q: dark %v, want %v", fgbg, !dark, dark)
		}
	}
}
