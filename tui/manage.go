package tui

import (
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/vmfa/vmfa/internal/termsafe"
	"github.com/vmfa/vmfa/otp/qr"
	"github.com/vmfa/vmfa/vault"
)

// The dialogs that manage one account: rename, delete (confirmed) and show
// as a QR code (confirmed, since the code is the secret).

var (
	keyYes    = bind([]string{"y"}, "y", "yes")
	keyNo     = bind([]string{"n", "esc"}, "n/esc", "no")
	keySave   = bind([]string{"enter"}, "enter", "save")
	keyField  = bind([]string{"tab", "shift+tab", "up", "down"}, "tab", "next field")
	keyCancel = bind([]string{"esc"}, "esc", "cancel")
)

// dialogBox draws a dialog's text in a box in the middle of the body; on a
// tiny terminal, without the box.
func dialogBox(c *common, keys help.KeyMap, text string) string {
	w, h := c.width, c.bodyHeight(keys, false)
	if w < 30 {
		return indent(text, 1, w)
	}
	// A box with room around the text, or a tight one, or none: never one
	// cut at the bottom.
	for _, padY := range []int{1, 0} {
		box := c.st.box.Padding(padY, 2).Width(min(66, w) - 2).Render(text)
		if lipgloss.Height(box) <= h {
			return lipgloss.Place(w, h, lipgloss.Center, lipgloss.Center, box)
		}
	}
	return indent(wrap(text, w-2), 1, w)
}

// renameDialog edits an account's issuer and name.
type renameDialog struct {
	entry  vault.Entry
	fields [2]textinput.Model // issuer, name
	field  int
	busy   bool
	err    string
}

func newRenameDialog(e vault.Entry) (renameDialog, tea.Cmd) {
	d := renameDialog{entry: e}
	d.fields[0] = newInput("Issuer:  ", "")
	d.fields[1] = newInput("Account: ", "")
	d.fields[0].SetValue(e.Issuer)
	d.fields[1].SetValue(e.Name)
	d.fields[0].CharLimit, d.fields[1].CharLimit = 256, 256
	return d, d.fields[0].Focus()
}

func (d renameDialog) Help() (help.KeyMap, bool) {
	return simpleKeys{keySave, keyField, keyCancel, quitKey}, false
}

func (d renameDialog) Update(c *common, msg tea.Msg) (screen, tea.Cmd) {
	switch msg := msg.(type) {
	case renamedMsg:
		d.busy = false
		if msg.err != nil {
			d.err = msg.err.Error()
			return d, nil
		}
		c.send(closeMsg{selectID: d.entry.ID})
		c.toast("renamed to " + msg.label)
		return d, nil
	case tea.KeyMsg:
		if d.busy {
			return d, nil
		}
		switch {
		case keyIs(msg, keyCancel):
			c.send(closeMsg{selectID: d.entry.ID})
			return d, nil
		case keyIs(msg, keyField):
			d.fields[d.field].Blur()
			d.field = 1 - d.field
			return d, d.fields[d.field].Focus()
		case keyIs(msg, keySave):
			issuer := strings.TrimSpace(d.fields[0].Value())
			name := strings.TrimSpace(d.fields[1].Value())
			id := d.entry.ID
			var label string
			d.busy, d.err = true, ""
			return d, saveCmd(c.vault, func(data *vault.Data) error {
				e, err := data.Rename(id, issuer, name)
				label = e.Label()
				return gone(err)
			}, func(s saved) tea.Msg { return renamedMsg{saved: s, label: label} })
		}
		var cmd tea.Cmd
		d.fields[d.field], cmd = d.fields[d.field].Update(msg)
		d.err = ""
		return d, cmd
	}
	return d, nil
}

func (d renameDialog) View(c *common) string {
	st := c.st
	var b strings.Builder
	b.WriteString(st.label.Render("Rename") + " " + d.entry.Label() + "\n\n")
	b.WriteString(d.fields[0].View() + "\n" + d.fields[1].View())
	if d.err != "" {
		b.WriteString("\n\n" + st.err.Render(termsafe.Escape(d.err)))
	}
	keys, _ := d.Help()
	return dialogBox(c, keys, b.String())
}

// deleteDialog confirms a deletion.
type deleteDialog struct {
	entry vault.Entry
	busy  bool
	err   string
}

func (d deleteDialog) Help() (help.KeyMap, bool) { return simpleKeys{keyYes, keyNo, quitKey}, false }

func (d deleteDialog) Update(c *common, msg tea.Msg) (screen, tea.Cmd) {
	switch msg := msg.(type) {
	case deletedMsg:
		d.busy = false
		if msg.err != nil {
			d.err = msg.err.Error()
			return d, nil
		}
		c.send(closeMsg{})
		c.toast("deleted " + msg.label)
		return d, nil
	case tea.KeyMsg:
		if d.busy {
			return d, nil
		}
		if !keyIs(msg, keyYes) {
			c.send(closeMsg{selectID: d.entry.ID})
			return d, nil
		}
		id, label := d.entry.ID, d.entry.Label()
		d.busy, d.err = true, ""
		return d, saveCmd(c.vault, func(data *vault.Data) error {
			if !data.Remove(id) {
				return errGone
			}
			return nil
		}, func(s saved) tea.Msg { return deletedMsg{saved: s, label: label} })
	}
	return d, nil
}

func (d deleteDialog) View(c *common) string {
	st := c.st
	label := d.entry.Label()
	var b strings.Builder
	b.WriteString(st.err.Render("Delete "+label+"?") + "\n\n")
	// Not "erased": the earlier versions of vault.age that vmfa keeps
	// hold the secret until they age out, which is also how a deletion is
	// undone.
	b.WriteString("It leaves the vault, but the earlier versions vmfa keeps (vault.age.bak, " +
		"backups/) hold its secret until they age out: " + st.label.Render("vmfa history") +
		" lists them, " + st.label.Render("vmfa restore") + " brings one back.\n\n" +
		"Make sure you can still sign in to " + label + " another way.\n\n")
	b.WriteString(st.label.Render("y") + " delete   " + st.label.Render("n") + " keep")
	if d.err != "" {
		b.WriteString("\n\n" + st.err.Render(termsafe.Escape(d.err)))
	}
	keys, _ := d.Help()
	return dialogBox(c, keys, b.String())
}

// qrDialog asks before it shows an account as a QR code, which holds the
// secret, and then shows it on the whole terminal.
type qrDialog struct {
	entry vault.Entry
	code  string // the drawn QR code, once confirmed
	err   string
}

var keyClose = bind([]string{"esc"}, "any key", "closes")

func (d qrDialog) Help() (help.KeyMap, bool) {
	if d.code != "" {
		return nil, false // the code takes the whole terminal
	}
	return simpleKeys{keyYes, keyNo, quitKey}, false
}

func (d qrDialog) Update(c *common, msg tea.Msg) (screen, tea.Cmd) {
	km, ok := msg.(tea.KeyMsg)
	if !ok {
		return d, nil
	}
	if d.code != "" || !keyIs(km, keyYes) {
		// Closing drops the drawn code with the dialog.
		c.send(closeMsg{selectID: d.entry.ID})
		return d, nil
	}
	s, err := qr.Terminal(d.entry.URI())
	if err != nil {
		d.err = err.Error()
		return d, nil
	}
	d.code = s
	return d, nil
}

func (d qrDialog) View(c *common) string {
	st := c.st
	label := d.entry.Label()
	if d.code == "" {
		var b strings.Builder
		b.WriteString(st.warn.Render("Show "+label+" as a QR code?") + "\n\n")
		b.WriteString("The QR code holds the secret: anyone who sees or photographs the screen can copy the account. Scan it with your phone's authenticator app.\n\n")
		b.WriteString(st.label.Render("y") + " show   " + st.label.Render("n") + " cancel")
		if d.err != "" {
			b.WriteString("\n\n" + st.err.Render(termsafe.Escape(d.err)))
		}
		keys, _ := d.Help()
		return dialogBox(c, keys, b.String())
	}
	w, h := c.width, c.height
	qw, qh := lipgloss.Width(d.code), lipgloss.Height(d.code)
	if qw > w || qh > h {
		return indent(st.err.Render("The terminal is too small for the QR code: it needs "+
			strconv.Itoa(qw)+"×"+strconv.Itoa(qh)+". Any key closes it."), 1, w)
	}
	body := st.qr.Render(d.code)
	if qh+1 <= h {
		body += "\n" + st.dim.Render(label+" · any key closes")
	}
	return lipgloss.Place(w, h, lipgloss.Center, lipgloss.Center, body)
}
