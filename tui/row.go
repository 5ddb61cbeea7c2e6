package tui

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/vmfa/vmfa/internal/termsafe"
	"github.com/vmfa/vmfa/otp"
	"github.com/vmfa/vmfa/vault"
)

// Layout of a row: marker, label, code, countdown, next code.
const (
	markerW = 2
	gapW    = 2
)

type rowLayout struct {
	label, code, bar, next int
}

// newRowLayout shares the width out: the code and the countdown keep their
// room, and the next code's when one is shown; the label takes what is
// left, the bar shrinks on narrow terminals.
func newRowLayout(width, digits int, showNext bool) rowLayout {
	code := digits + 1
	lay := rowLayout{code: code}
	if showNext {
		lay.next = gapW + ansi.StringWidth(nextMarker) + code
	}
	lay.bar = min(20, max(4, (width-60)/3+8))
	fixed := markerW + gapW + code + gapW + lay.bar + 4 + lay.next + 1
	lay.label = width - fixed
	if lay.label < 16 {
		lay.bar = max(4, lay.bar-(16-lay.label))
		lay.label = width - (markerW + gapW + code + gapW + lay.bar + 4 + lay.next + 1)
	}
	if lay.label > maxLabelW {
		lay.label = maxLabelW // wide terminals: keep the codes near the names
	}
	return lay
}

const maxLabelW = 56

// maxTagW is as much of a row's AWS profiles as the issuer is cut for.
const maxTagW = 24

// minIssuerW is how far an issuer is cut to make room for a name.
const minIssuerW = 6

// nextMarker precedes the next code in a row.
const nextMarker = "→ "

func (l *listScreen) row(c *common, e vault.Entry, selected bool, lay rowLayout, bars map[[2]int]string) string {
	sp := &c.st.row
	var b strings.Builder
	b.Grow(256)
	switch {
	case selected:
		sp.marker.write(&b, "▸ ")
	case l.added[e.ID]:
		// Marked as just added, also where colours are off.
		sp.marker.write(&b, "+ ")
	default:
		b.WriteString("  ")
	}

	// Label: pin, issuer (bold), name (dim).
	labelW := lay.label
	used := 0
	if e.Pinned {
		sp.pin.write(&b, "★ ")
		used += 2
	}
	// Labels are checked when a vault is read; written out all the same,
	// as everything from outside is on its way to the terminal.
	iss, name := termsafe.Escape(e.Issuer), termsafe.Escape(e.Name)
	if iss == "" {
		iss, name = name, ""
	}
	// With a name, the issuer is cut first, down to a few cells: the name
	// tells the accounts of one issuer apart, and its end is often what
	// matters (alice@123456789012, an AWS account ID).
	issW := labelW - used
	tag := termsafe.Escape(l.awsTags[e.ID])
	if tag != "" {
		tag = "· " + tag
	}
	if name != "" {
		minIss := min(ansi.StringWidth(iss), minIssuerW)
		rest := ansi.StringWidth(name) + 1
		if tag != "" {
			rest += min(ansi.StringWidth(tag)+1, maxTagW) // the issuer is cut for some of it too
		}
		issW = max(minIss, issW-rest)
	}
	issT := fit(iss, issW)
	if selected {
		sp.issuerSel.write(&b, issT)
	} else {
		sp.issuer.write(&b, issT)
	}
	used += ansi.StringWidth(issT)
	if name != "" && labelW-used > 2 {
		n := fit(name, labelW-used-1)
		b.WriteByte(' ')
		sp.name.write(&b, n)
		used += 1 + ansi.StringWidth(n)
	}
	if tag != "" && labelW-used > 4 {
		// The AWS profiles using the device, after its name.
		t := fit(tag, labelW-used-1)
		b.WriteByte(' ')
		sp.name.write(&b, t)
		used += 1 + ansi.StringWidth(t)
	}
	b.WriteString(spaces(max(0, labelW-used) + gapW))

	ce := l.codes[e.ID]
	if e.Type == otp.HOTP {
		if ce.hotp {
			// The code taken last, with the counter it was the code of:
			// beside the next counter it would pass for an unused one.
			sp.code.write(&b, pad(group(ce.cur), lay.code))
			b.WriteString(spaces(gapW))
			sp.dim.write(&b, pad(usedCounter(ce.counter, lay.bar+4), lay.bar+4))
			return b.String()
		}
		sp.dim.write(&b, pad(hidden(e.Digits), lay.code))
		b.WriteString(spaces(gapW))
		sp.dim.write(&b, pad("counter "+strconv.FormatUint(e.Counter, 10), lay.bar+4))
		return b.String()
	}
	if ce.err != nil || ce.cur == "" {
		sp.err.write(&b, pad("error", lay.code))
		return b.String()
	}
	sp.code.write(&b, pad(group(ce.cur), lay.code))
	b.WriteString(spaces(gapW))

	secs := e.SecondsLeft(c.now)
	k := [2]int{secs, e.Period}
	bar, ok := bars[k]
	if !ok {
		bar = countdownBar(c.st, secs, e.Period, lay.bar) + fmt.Sprintf(" %2ds", secs)
		bars[k] = bar
	}
	b.WriteString(bar)
	if lay.next > 0 && secs < nextCodeSecs(e.Period) {
		b.WriteString(spaces(gapW))
		// The marker tells the next code from the current one where
		// colours are off (NO_COLOR).
		sp.next.write(&b, nextMarker+group(ce.next))
	}
	return b.String()
}

// usedCounter says which counter a used HOTP code was for, in w cells.
func usedCounter(counter uint64, w int) string {
	n := strconv.FormatUint(counter, 10)
	if s := "counter " + n + " · used"; ansi.StringWidth(s) <= w {
		return s
	}
	return fit("#"+n+" used", w)
}

// nextCodeSecs is when the next code appears beside the current one: in the
// last 10 seconds of a 30-second window, the last third of shorter ones.
func nextCodeSecs(period int) int {
	return min(10, max(1, period/3))
}

// countdownBar draws the countdown: full at the start of the window, empty
// at its end, green, then yellow under 10 s, red under 5 s.
func countdownBar(st *styles, secs, period, width int) string {
	sp := &st.row
	filled := (secs*width + period - 1) / period
	filled = min(width, max(0, filled))
	style := sp.barGreen
	switch {
	case secs < 5:
		style = sp.barRed
	case secs < 10:
		style = sp.barYellow
	}
	return style.render(strings.Repeat("█", filled)) + sp.barEmpty.render(strings.Repeat("░", width-filled))
}

// hidden stands for an HOTP code not asked for yet: "••• •••".
func hidden(digits int) string {
	return strings.ReplaceAll(group(strings.Repeat("-", digits)), "-", "•")
}
