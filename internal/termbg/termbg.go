// Package termbg finds out whether the terminal's background is dark, for
// the interface's colours, without ever keeping it waiting long.
//
// It asks as termenv does: the background colour (OSC 11), then the
// cursor's position (DSR), which every terminal answers and in order, so
// that the second answer says the first is not coming. Unlike termenv,
// which waits 5 s for a terminal that answers neither, Dark waits at most
// the bound it is given. It asks nothing of a terminal that can't answer:
// TERM dumb, screen or tmux (tmux and screen may be attached to several
// terminals at once), no controlling terminal, or a process in the
// background; then, as after no answer, COLORFGBG (set by rxvt, Konsole…)
// decides, else the background is taken to be dark, termenv's default.
//
// An answer that comes after the bound reaches whoever reads the terminal
// next, as keys: the bound is set well above a slow link's round trip.
package termbg

import (
	"image/color"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"
)

// muteTerms are the TERMs of terminals that are not asked.
var muteTerms = []string{"dumb", "screen", "tmux"}

// Dark reports whether the background of the controlling terminal is
// dark, asking it and waiting at most wait for the answer.
func Dark(wait time.Duration) bool {
	if c := ask(wait); c != nil {
		return isDark(c)
	}
	return fromEnv()
}

var (
	// backgroundAnswer is OSC 11's answer, ended by BEL or ST.
	backgroundAnswer = regexp.MustCompile("\x1b\\]11;([^\x07\x1b]*)(?:\x07|\x1b\\\\)")
	// cursorAnswer is DSR's, the last to come.
	cursorAnswer = regexp.MustCompile(`\x1b\[\d+;\d+R`)
)

// parse returns the colour in the terminal's answers, or nil.
func parse(answers []byte) color.Color {
	m := backgroundAnswer.FindSubmatch(answers)
	if m == nil {
		return nil
	}
	return ansi.XParseColor(string(m[1]))
}

// fromEnv is the background COLORFGBG names ("15;0": white on black), dark
// when it names none.
func fromEnv() bool {
	fgbg := os.Getenv("COLORFGBG")
	i := strings.LastIndexByte(fgbg, ';')
	if i < 0 {
		return true
	}
	bg, err := strconv.Atoi(fgbg[i+1:])
	if err != nil {
		return true
	}
	// The 16 ANSI colours: 7 (white) and 9 to 15 (the bright ones) are
	// light; 8 (bright black, grey) is dark.
	return !(bg == 7 || (bg >= 9 && bg <= 15))
}

// isDark reports whether c's lightness (HSL) is under half, termenv's rule.
func isDark(c color.Color) bool {
	r, g, b, _ := c.RGBA()
	hi, lo := max(r, g, b), min(r, g, b)
	return hi+lo < 0xffff
}
