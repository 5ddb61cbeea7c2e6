package tui

import (
	"strings"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/vmfa/vmfa/otp"
	"github.com/vmfa/vmfa/vault"
)

// actionsScreen is the menu Tab opens on the list: everything that can be
// done to the selected account, each on a letter (the list's keys all
// filter; here letters are free) and, for the frequent ones, on the list's
// own shortcut.
type actionsScreen struct {
	keys   actionsKeys
	entry  vault.Entry // zero when no account is selected
	items  []actionItem
	cursor int
}

type actionItem struct {
	action   listAction
	key      key.Binding // a letter, and what the action does
	shortcut string      // the list's key for it, if any
}

func newActionsScreen(e vault.Entry, ok bool) actionsScreen {
	lk := &listKeyMap
	item := func(a listAction, letter, desc string, shortcut key.Binding) actionItem {
		return actionItem{action: a, key: bind([]string{letter}, letter, desc), shortcut: shortcut.Help().Key}
	}
	none := key.Binding{}
	var items []actionItem
	if ok {
		items = append(items, item(actCopy, "c", "copy the code", lk.Copy))
		if e.Type == otp.TOTP {
			items = append(items,
				item(actCopyNext, "n", "copy the next code", lk.Next),
				item(actEnroll, "e", "enroll: two consecutive codes", lk.Enroll))
		}
		pin := "pin to the top"
		if e.Pinned {
			pin = "unpin"
		}
		items = append(items,
			item(actRename, "r", "rename", none),
			item(actDelete, "d", "delete", none),
			item(actPin, "p", pin, none),
			item(actMoveUp, "K", "move up", lk.MoveUp),
			item(actMoveDown, "J", "move down", lk.MoveDown),
			item(actShowQR, "q", "show as a QR code (for a phone)", none))
	}
	items = append(items,
		item(actAdd, "a", "add an account", lk.Add),
		item(actExportGoogle, "g", "export all to Google Authenticator", none),
		item(actHelp, "?", "all keys", lk.Help))
	return actionsScreen{keys: newActionsKeys(), entry: e, items: items}
}

func (s actionsScreen) Help() (help.KeyMap, bool) { return s.keys, false }

func (s actionsScreen) Update(c *common, msg tea.Msg) (screen, tea.Cmd) {
	km, ok := msg.(tea.KeyMsg)
	if !ok {
		return s, nil
	}
	switch {
	case keyIs(km, s.keys.Back):
		c.send(closeMsg{selectID: s.entry.ID})
		return s, nil
	case keyIs(km, s.keys.Up):
		s.cursor = (s.cursor + len(s.items) - 1) % len(s.items)
	case keyIs(km, s.keys.Down):
		s.cursor = (s.cursor + 1) % len(s.items)
	case keyIs(km, s.keys.Do):
		c.send(actionMsg{action: s.items[s.cursor].action, id: s.entry.ID})
		return s, nil
	default:
		for _, it := range s.items {
			if keyIs(km, it.key) {
				c.send(actionMsg{action: it.action, id: s.entry.ID})
				return s, nil
			}
		}
	}
	return s, nil
}

func (s actionsScreen) View(c *common) string {
	st := c.st
	w, h := c.width, c.bodyHeight(s.keys, false)
	var b strings.Builder
	title := "Actions"
	if s.entry.ID != "" {
		title += " · " + displayName(s.entry)
	}
	b.WriteString(st.label.Render(title))
	if 2+len(s.items) <= h {
		b.WriteString("\n") // a blank line under the title, where it fits
	}
	descW := 0
	for _, it := range s.items {
		descW = max(descW, lipgloss.Width(it.key.Help().Desc))
	}
	for i, it := range s.items {
		marker := "  "
		if i == s.cursor {
			marker = st.row.marker.render("▸ ")
		}
		line := marker + st.label.Render(pad(it.key.Help().Key, 2)) + " " + pad(it.key.Help().Desc, descW)
		if it.shortcut != "" {
			line += "  " + st.dim.Render(it.shortcut)
		}
		b.WriteString("\n" + line)
	}
	if w < 40 {
		return indent(b.String(), 1, w)
	}
	box := st.box.Render(b.String())
	if lipgloss.Width(box) > w || lipgloss.Height(box) > h {
		return indent(b.String(), 1, w)
	}
	return lipgloss.Place(w, h, lipgloss.Center, lipgloss.Center, box)
}

// helpScreen shows every key of the list, how typing works there, and the
// add screen's sources.
type helpScreen struct{}

var helpClose = bind([]string{"esc"}, "any key", "closes")

func (s helpScreen) Help() (help.KeyMap, bool) { return simpleKeys{helpClose, quitKey}, false }

func (s helpScreen) Update(c *common, msg tea.Msg) (screen, tea.Cmd) {
	if _, ok := msg.(tea.KeyMsg); ok {
		c.send(closeMsg{})
		return s, nil
	}
	return s, nil
}

const helpText = "Everything you type filters the list: letters, digits, spaces, " +
	"even \"q\" and \":\" (\"aws:alice\" matches the issuer, by its initials too, " +
	"and the name). Enter copies the code of the account on top; Tab opens " +
	"the actions for it. Copied codes are cleared from the clipboard after 20 s, " +
	"and when you quit with ctrl+c."

func (s helpScreen) View(c *common) string {
	st := c.st
	w := c.width
	var b strings.Builder
	b.WriteString(" " + st.title.Render("vmfa") + "  " + st.label.Render("Keys") + "\n\n")
	b.WriteString(indent(c.help.FullHelpView(listHelp{}.FullHelp()), 2, w) + "\n\n")
	b.WriteString(indent(renderLines(st.dim, wrap(helpText, max(10, w-4))), 2, w) + "\n\n")
	b.WriteString("  " + st.label.Render("Adding an account (ctrl+a)") + "\n")
	b.WriteString(indent(c.help.FullHelpView([][]key.Binding{{addKeyFile, addKeyClip, addKeyScreen}, {addKeyURI, addKeySecret}}), 2, w))
	return b.String()
}
