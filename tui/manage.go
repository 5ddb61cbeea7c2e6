package tui

import (
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/vmfa/vmfa/otp"
	"github.com/vmfa/vmfa/otp/qr"
	"github.com/vmfa/vmfa/vault"
)

type dialogKind int

const (
	dialogRename dialogKind = iota
	dialogDelete
	dialogQRConfirm
	dialogQR
)

// dialogModel manages one account: rename, delete (confirmed) and show as a
// QR code (confirmed, since the code is the secret).
type dialogModel struct {
	kind   dialogKind
	id     string
	label  string
	fields [2]textinput.Model // issuer, name
	field  int
	qr     string // the rendered QR code, only while dialogQR shows
	err    string
}

func newDialog(km tea.KeyMsg, e vault.Entry, k listKeys) (dialogModel, tea.Cmd) {
	d := dialogModel{id: e.ID, label: e.Label()}
	switch {
	case keyIs(km, k.Rename):
		d.kind = dialogRename
		d.fields[0] = newInput("Issuer:  ", "")
		d.fields[1] = newInput("Account: ", "")
		d.fields[0].SetValue(e.Issuer)
		d.fields[1].SetValue(e.Name)
		d.fields[0].CharLimit, d.fields[1].CharLimit = 256, 256
		return d, d.fields[0].Focus()
	case keyIs(km, k.Delete):
		d.kind = dialogDelete
	default:
		d.kind = dialogQRConfirm
	}
	return d, nil
}

var (
	keyYes    = bind([]string{"y"}, "y", "yes")
	keyNo     = bind([]string{"n", "esc"}, "n/esc", "no")
	keySave   = bind([]string{"enter"}, "enter", "save")
	keyCancel = bind([]string{"esc"}, "esc", "cancel")
	keyClose  = bind([]string{"esc"}, "any key", "close")
)

func (m *Model) dialogKeys() help.KeyMap {
	switch m.dialog.kind {
	case dialogRename:
		return simpleKeys{keySave, addKeyNext, keyCancel}
	case dialogQR:
		return simpleKeys{keyClose}
	}
	return simpleKeys{keyYes, keyNo}
}

func (m Model) updateDialog(msg tea.Msg) (Model, tea.Cmd) {
	km, ok := msg.(tea.KeyMsg)
	if !ok {
		return m, nil
	}
	d := &m.dialog
	back := func() (Model, tea.Cmd) {
		m.dialog = dialogModel{} // drops the rendered QR code
		m.screen = screenList
		return m, nil
	}
	switch d.kind {
	case dialogRename:
		switch km.Type {
		case tea.KeyEsc:
			return back()
		case tea.KeyTab, tea.KeyShiftTab, tea.KeyUp, tea.KeyDown:
			d.fields[d.field].Blur()
			d.field = 1 - d.field
			return m, d.fields[d.field].Focus()
		case tea.KeyEnter:
			issuer := strings.TrimSpace(d.fields[0].Value())
			name := strings.TrimSpace(d.fields[1].Value())
			id := d.id
			return m, updateCmd(m.v, func(data *vault.Data) error {
				_, err := data.Rename(id, issuer, name)
				return gone(err)
			}, savedMsg{toast: "renamed to " + otp.Account{Issuer: issuer, Name: name}.Label(), select_: id})
		}
		var cmd tea.Cmd
		d.fields[d.field], cmd = d.fields[d.field].Update(km)
		return m, cmd
	case dialogDelete:
		if keyIs(km, keyYes) {
			id, label := d.id, d.label
			return m, updateCmd(m.v, func(data *vault.Data) error {
				if !data.Remove(id) {
					return errGone
				}
				return nil
			}, savedMsg{toast: "deleted " + label})
		}
		return back()
	case dialogQRConfirm:
		if !keyIs(km, keyYes) {
			return back()
		}
		e, ok := m.entry(d.id)
		if !ok {
			return back()
		}
		s, err := qr.Terminal(e.URI())
		if err != nil {
			d.err = err.Error()
			return m, nil
		}
		d.kind, d.qr = dialogQR, s
		return m, nil
	case dialogQR:
		return back()
	}
	return m, nil
}

func (m *Model) viewDialog() string {
	st := m.c.st
	d := m.dialog
	w, h := m.c.width, m.c.height-2
	var b strings.Builder
	switch d.kind {
	case dialogRename:
		b.WriteString(st.label.Render("Rename") + " " + d.label + "\n\n")
		b.WriteString(d.fields[0].View() + "\n" + d.fields[1].View())
	case dialogDelete:
		b.WriteString(st.err.Render("Delete "+d.label+"?") + "\n\n")
		b.WriteString("Its secret is erased from the vault. Make sure you can still sign in to " +
			d.label + " another way.\n\n")
		b.WriteString(st.label.Render("y") + " delete   " + st.label.Render("n") + " keep")
	case dialogQRConfirm:
		b.WriteString(st.warn.Render("Show "+d.label+" as a QR code?") + "\n\n")
		b.WriteString("The QR code holds the secret: anyone who sees or photographs the screen can copy the account. Scan it with your phone's authenticator app.\n\n")
		b.WriteString(st.label.Render("y") + " show   " + st.label.Render("n") + " cancel")
	case dialogQR:
		// Shown without the footer: the whole height is the code's.
		h = m.c.height
		qw, qh := lipgloss.Width(d.qr), lipgloss.Height(d.qr)
		if qw > w || qh > h {
			return indent(st.err.Render("The terminal is too small for the QR code: it needs "+
				strconv.Itoa(qw)+"×"+strconv.Itoa(qh)+". Any key closes it."), 1, w)
		}
		body := st.qr.Render(d.qr)
		if qh+1 <= h {
			body += "\n" + st.dim.Render(d.label+" · any key closes")
		}
		return lipgloss.Place(w, h, lipgloss.Center, lipgloss.Center, body)
	}
	if d.err != "" {
		b.WriteString("\n\n" + st.err.Render(d.err))
	}
	// The box wraps its text to the terminal; on a tiny one, no box.
	if w < 30 {
		return indent(b.String(), 1, w)
	}
	box := st.box.Width(min(66, w) - 2).Render(b.String())
	return lipgloss.Place(w, h, lipgloss.Center, lipgloss.Center, box)
}
