package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/help"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/vmfa/vmfa/internal/exporter"
	"github.com/vmfa/vmfa/internal/termsafe"
	"github.com/vmfa/vmfa/otp/qr"
	"github.com/vmfa/vmfa/vault"
)

// googleExportScreen moves every account Google Authenticator can hold to a
// phone: it asks first (the codes are the secrets), then shows the export's
// QR codes one at a time, batched as the app batches them, and names the
// accounts it leaves out. The rule of what fits is the exporter's, as for
// 'vmfa export --format google'.
type googleExportScreen struct {
	uris  []string
	left  []exporter.Left
	count int    // accounts in the codes
	index int    // the QR code shown
	code  string // it, drawn; "" until confirmed
	err   string
}

var (
	keyNextQR = bind([]string{"enter", "right", " "}, "enter/→", "next QR code")
	keyPrevQR = bind([]string{"left"}, "←", "previous")
	keyStopQR = bind([]string{"esc"}, "esc", "close")
)

func newGoogleExportScreen(accounts []vault.Entry) googleExportScreen {
	uris, left, err := exporter.Google(accounts, exporter.Random)
	s := googleExportScreen{uris: uris, left: left, count: len(accounts) - len(left)}
	switch {
	case err != nil:
		s.err = err.Error()
	case len(accounts) == 0:
		s.err = "The vault is empty: there is nothing to export."
	case len(uris) == 0:
		s.err = "Google Authenticator can hold none of the accounts."
	}
	return s
}

func (s googleExportScreen) Help() (help.KeyMap, bool) {
	if s.code != "" {
		return simpleKeys{keyNextQR, keyPrevQR, keyStopQR}, false
	}
	if s.err != "" {
		return simpleKeys{keyClose, quitKey}, false
	}
	return simpleKeys{keyYes, keyNo, quitKey}, false
}

func (s googleExportScreen) Update(c *common, msg tea.Msg) (screen, tea.Cmd) {
	km, ok := msg.(tea.KeyMsg)
	if !ok {
		return s, nil
	}
	if s.code == "" { // the question, or why there is nothing to show
		if s.err == "" && keyIs(km, keyYes) {
			return s.show(0), nil
		}
		c.send(closeMsg{})
		return s, nil
	}
	switch {
	case keyIs(km, keyPrevQR):
		return s.show(max(s.index-1, 0)), nil
	case keyIs(km, keyNextQR) && s.index+1 < len(s.uris):
		return s.show(s.index + 1), nil
	case keyIs(km, keyNextQR):
		c.toast(fmt.Sprintf("shown %d QR code(s) for Google Authenticator", len(s.uris)))
		c.send(closeMsg{}) // closing drops the codes with the screen
	case keyIs(km, keyStopQR):
		c.send(closeMsg{})
	}
	// Any other key is ignored: a stray one must not close a code mid-scan.
	return s, nil
}

// show draws QR code i.
func (s googleExportScreen) show(i int) googleExportScreen {
	code, err := qr.Terminal(s.uris[i])
	if err != nil {
		s.err, s.code = err.Error(), ""
		return s
	}
	s.index, s.code = i, code
	return s
}

// leftOut names the accounts left out, for one line.
func (s googleExportScreen) leftOut() string {
	names := make([]string, len(s.left))
	for i, l := range s.left {
		names[i] = l.String()
	}
	return fmt.Sprintf("Left out, as Google Authenticator can't hold them: %s.", joinMax(names, 3))
}

func (s googleExportScreen) View(c *common) string {
	st := c.st
	keys, _ := s.Help()
	if s.code == "" {
		var b strings.Builder
		b.WriteString(st.warn.Render("Export to Google Authenticator?") + "\n\n")
		if s.err != "" {
			b.WriteString(st.err.Render(termsafe.Escape(s.err)))
		} else {
			fmt.Fprintf(&b, "%d QR code(s) will show the secrets of %d account(s): anyone who sees or photographs the screen can copy them. "+
				"On the phone: Google Authenticator, Transfer accounts, Import accounts; scan each code.", len(s.uris), s.count)
		}
		if len(s.left) > 0 {
			b.WriteString("\n\n" + st.dim.Render(s.leftOut()))
		}
		if s.err == "" {
			b.WriteString("\n\n" + st.label.Render("y") + " show   " + st.label.Render("n") + " cancel")
		}
		return dialogBox(c, keys, b.String())
	}
	w, h := c.width, c.bodyHeight(keys, false)
	qw, qh := lipgloss.Width(s.code), lipgloss.Height(s.code)
	if qw > w || qh > h {
		return indent(st.err.Render(fmt.Sprintf("The terminal is too small for QR code %d of %d: it needs %d×%d. Enlarge it, or use 'vmfa export --format google --png DIR'.",
			s.index+1, len(s.uris), qw, qh)), 1, w)
	}
	body := st.qr.Render(s.code)
	caption := fmt.Sprintf("Google Authenticator · QR code %d of %d", s.index+1, len(s.uris))
	if len(s.left) > 0 {
		caption += fmt.Sprintf(" · %d account(s) left out", len(s.left))
	}
	if qh+1 <= h {
		body += "\n" + st.dim.Render(fit(caption, w))
	}
	return lipgloss.Place(w, h, lipgloss.Center, lipgloss.Center, body)
}
