package tui

import "github.com/charmbracelet/lipgloss"

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
}

func newStyles() *styles {
	return &styles{
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
}
