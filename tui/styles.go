package tui

import (
	"strings"

	"github.com/charmbracelet/lipgloss"
)

// Colours adapt to dark and light terminal backgrounds; under NO_COLOR (or
// any ASCII profile) lipgloss drops them and the layout alone carries the
// meaning: the ▸ marker, the bar's fill and the text of each message.
var (
	colAccent = lipgloss.AdaptiveColor{Light: "#5A56E0", Dark: "#8B87FF"}
	colDim    = lipgloss.AdaptiveColor{Light: "#8A8A8A", Dark: "#7A7A7A"}
	colText   = lipgloss.AdaptiveColor{Light: "#1A1A1A", Dark: "#E8E8E8"}
	colGreen  = lipgloss.AdaptiveColor{Light: "#00875F", Dark: "#3DD68C"}
	colYellow = lipgloss.AdaptiveColor{Light: "#A66F00", Dark: "#F2C94C"}
	colRed    = lipgloss.AdaptiveColor{Light: "#C80000", Dark: "#FF6B6B"}
)

// styles are built once; rendering with a prebuilt style is what keeps View
// cheap.
type styles struct {
	title, subtitle, dim, issuer, issuerSel, name, code, next, marker, pin lipgloss.Style
	barGreen, barYellow, barRed, barEmpty                                  lipgloss.Style
	ok, err, warn, box, label, bigCode, qr                                 lipgloss.Style
	row                                                                    rowSpans
}

func newStyles() *styles {
	st := &styles{
		title:     lipgloss.NewStyle().Bold(true).Foreground(lipgloss.AdaptiveColor{Light: "#FFFFFF", Dark: "#1A1A1A"}).Background(colAccent).Padding(0, 1),
		subtitle:  lipgloss.NewStyle().Foreground(colDim),
		dim:       lipgloss.NewStyle().Foreground(colDim),
		issuer:    lipgloss.NewStyle().Bold(true).Foreground(colText),
		issuerSel: lipgloss.NewStyle().Bold(true).Foreground(colAccent),
		name:      lipgloss.NewStyle().Foreground(colDim),
		code:      lipgloss.NewStyle().Bold(true).Foreground(colText),
		next:      lipgloss.NewStyle().Foreground(colDim),
		marker:    lipgloss.NewStyle().Bold(true).Foreground(colAccent),
		pin:       lipgloss.NewStyle().Foreground(colYellow),
		barGreen:  lipgloss.NewStyle().Foreground(colGreen),
		barYellow: lipgloss.NewStyle().Foreground(colYellow),
		barRed:    lipgloss.NewStyle().Foreground(colRed),
		barEmpty:  lipgloss.NewStyle().Foreground(colDim),
		ok:        lipgloss.NewStyle().Foreground(colGreen),
		err:       lipgloss.NewStyle().Bold(true).Foreground(colRed),
		warn:      lipgloss.NewStyle().Foreground(colYellow),
		box:       lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).BorderForeground(colAccent).Padding(1, 2),
		label:     lipgloss.NewStyle().Bold(true).Foreground(colAccent),
		bigCode:   lipgloss.NewStyle().Bold(true).Foreground(colText),
		qr:        lipgloss.NewStyle().Foreground(lipgloss.Color("#FFFFFF")).Background(lipgloss.Color("#000000")),
	}
	st.row = newRowSpans(st)
	return st
}

// span is a style reduced to the escape sequences around its text, for the
// list's rows: wrapping a string in two constant strings is ten times
// cheaper than lipgloss's Render, and a frame holds hundreds of them. It
// serves single-line text without padding, borders or widths only.
type span struct{ pre, suf string }

const spanSentinel = "\uE000"

func newSpan(s lipgloss.Style) span {
	pre, suf, ok := strings.Cut(s.Render(spanSentinel), spanSentinel)
	if !ok {
		return span{}
	}
	return span{pre: pre, suf: suf}
}

func (s span) write(b *strings.Builder, text string) {
	b.WriteString(s.pre)
	b.WriteString(text)
	b.WriteString(s.suf)
}

func (s span) render(text string) string { return s.pre + text + s.suf }

// rowSpans are the spans of a list row, built with the styles.
type rowSpans struct {
	marker, pin, issuer, issuerSel, name, code, next, dim, err span
	barGreen, barYellow, barRed, barEmpty                      span
}

func newRowSpans(st *styles) rowSpans {
	return rowSpans{
		marker: newSpan(st.marker), pin: newSpan(st.pin), issuer: newSpan(st.issuer),
		issuerSel: newSpan(st.issuerSel), name: newSpan(st.name), code: newSpan(st.code),
		next: newSpan(st.next), dim: newSpan(st.dim), err: newSpan(st.err),
		barGreen: newSpan(st.barGreen), barYellow: newSpan(st.barYellow),
		barRed: newSpan(st.barRed), barEmpty: newSpan(st.barEmpty),
	}
}

// renderLines renders each line of s on its own: Render pads the lines of
// a block to one width, which leaves trailing spaces after wrapped text.
func renderLines(st lipgloss.Style, s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = st.Render(l)
	}
	return strings.Join(lines, "\n")
}
