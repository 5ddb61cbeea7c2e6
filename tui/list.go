package tui

import (
	"fmt"
	"sort"
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/vmfa/vmfa/internal/intake"
	"github.com/vmfa/vmfa/otp"
	"github.com/vmfa/vmfa/vault"
)

// listScreen is the account list, filtered as the user types. It lives as
// long as the vault is unlocked, under the screens opened over it, so its
// filter and selection survive them.
type listScreen struct {
	entries []vault.Entry // display order: pinned first, then vault order
	filter  textinput.Model
	visible []int // indices into entries that pass the filter, best first
	cursor  int   // index into visible
	offset  int   // first visible row shown
	codes   codeCache
	// added marks the accounts the last add brought in, until the next.
	added map[string]bool
	// awsTags name the AWS profiles using each AWS device, by entry ID
	// (awsTags).
	awsTags map[string]string
}

// listAction is something the list does to the selected account, from its
// own keys or from the actions menu.
type listAction int

const (
	actCopy listAction = iota
	actCopyNext
	actEnroll
	actRename
	actDelete
	actPin
	actMoveUp
	actMoveDown
	actShowQR
	actAdd
	actExportGoogle
	actHelp
)

func newListScreen() listScreen {
	f := textinput.New()
	f.Prompt = "› "
	f.Placeholder = "type to filter · tab for actions"
	f.Cursor.SetMode(cursor.CursorStatic)
	f.CharLimit = 64
	f.Focus()
	return listScreen{filter: f, codes: codeCache{}}
}

// rows is how many accounts fit: the height less the header (and the
// clock's warning under it, if it has lines of its own), the filter line,
// the status line and the help line.
func (l *listScreen) rows(c *common) int { return max(1, c.height-4-l.warningLines(c)) }

// maxWarningLines bounds the lines the clock's warning takes under the
// header, so that a long one leaves room for the accounts.
const maxWarningLines = 3

// warningLines is how many lines of its own the clock's warning takes under
// the header: none if there is none, or if it fits beside the title and
// the count (as they read with the rows of a header of one line).
func (l *listScreen) warningLines(c *common) int {
	if c.clockWarn == "" {
		return 0
	}
	if ansi.StringWidth(l.headerLine(c, l.count(max(1, c.height-4)))+"  ⚠ "+c.clockWarn) <= c.width {
		return 0
	}
	return min(maxWarningLines, strings.Count(wrap("⚠ "+c.clockWarn, max(1, c.width-1)), "\n")+1)
}

// count is what the header says of the accounts: how many there are, or
// match the filter, and where the rows on screen are in a list that does
// not fit them.
func (l *listScreen) count(rows int) string {
	count := fmt.Sprintf("%d accounts", len(l.entries))
	if len(l.entries) == 1 {
		count = "1 account"
	}
	if l.filter.Value() != "" {
		count = fmt.Sprintf("%d of %d match", len(l.visible), len(l.entries))
	}
	if n := len(l.visible); n > rows {
		count += fmt.Sprintf(" · %d–%d of %d", l.offset+1, min(n, l.offset+rows), n)
	}
	return count
}

// headerLine is the header's first line, without the clock's warning: the
// title, the count and the clock's note.
func (l *listScreen) headerLine(c *common, count string) string {
	st := c.st
	header := " " + st.title.Render("vmfa") + "  " + st.subtitle.Render(count)
	if c.clockNote != "" {
		header += st.subtitle.Render(" · " + c.clockNote)
	}
	if c.syncNote != "" {
		header += st.subtitle.Render(" · " + c.syncNote)
	}
	return header
}

// header is the list's header: the title, the count and the clock's note,
// with the clock's warning beside them if it fits, else on lines of its own
// under them, wrapped at word boundaries; never a word cut at the edge.
func (l *listScreen) header(c *common, rows int) string {
	st := c.st
	w := c.width
	header := l.headerLine(c, l.count(rows))
	below := l.warningLines(c)
	if c.clockWarn != "" && below == 0 {
		return header + "  " + st.warn.Render("⚠ "+c.clockWarn)
	}
	lines := []string{fitWords(header, w)}
	if below > 0 {
		warn := strings.Split(wrap("⚠ "+c.clockWarn, max(1, w-1)), "\n")
		// What does not fit in the lines allowed is shortened, at a word.
		warn[below-1] = strings.Join(warn[below-1:], " ")
		for _, line := range warn[:below] {
			lines = append(lines, " "+st.warn.Render(fitWords(line, w-1)))
		}
	}
	return strings.Join(lines, "\n")
}

func (l listScreen) Help() (help.KeyMap, bool) {
	return listHelp{filtering: l.filter.Value() != ""}, false
}

func (l listScreen) Update(c *common, msg tea.Msg) (screen, tea.Cmd) {
	switch msg := msg.(type) {
	case tickMsg:
		l.codes.refresh(l.entries, c.now)
	case tea.WindowSizeMsg:
		l.clamp(c)
	case accountsMsg:
		l.setEntries(c, msg)
	case closeMsg:
		if len(msg.added) > 0 {
			l.showAdded(c, msg.added)
		} else if msg.selectID != "" {
			l.selectID(c, msg.selectID)
		}
	case actionMsg:
		if msg.id != "" {
			// The menu's account, whatever changed under the menu.
			l.selectID(c, msg.id)
			if e, ok := l.selected(); !ok || e.ID != msg.id {
				c.toastErr(errGone.Error())
				return l, nil
			}
		}
		return l.do(c, msg.action)
	case listSavedMsg:
		if msg.err != nil {
			c.toastErr(msg.err.Error())
			return l, nil
		}
		if msg.selectID != "" {
			l.selectID(c, msg.selectID)
		}
		if msg.toast != "" {
			c.toast(msg.toast)
			return l, nil
		}
	case takenMsg:
		if msg.err != nil {
			c.toastErr(msg.err.Error())
			return l, nil
		}
		if msg.entry.Type == otp.HOTP {
			l.codes[msg.entry.ID] = codeEntry{cur: msg.code, hotp: true, counter: msg.entry.Counter}
		}
		return l, copyCmd(c, msg.code, vault.CopyOf(msg.entry, c.now), displayName(msg.entry))
	case tea.KeyMsg:
		return l.key(c, msg)
	}
	return l, nil
}

func (l listScreen) key(c *common, km tea.KeyMsg) (screen, tea.Cmd) {
	k := &listKeyMap
	rows := l.rows(c)
	switch {
	case km.Type == tea.KeyRunes && (km.Paste || len(km.Runes) > 1) && intake.Classify(string(km.Runes)) == intake.URI:
		// A pasted otpauth:// URI is an account to add, not a query.
		c.send(openAddMsg{text: string(km.Runes)})
		return l, nil
	case keyIs(km, k.Copy):
		return l.do(c, actCopy)
	case keyIs(km, k.Next):
		return l.do(c, actCopyNext)
	case keyIs(km, k.Enroll):
		return l.do(c, actEnroll)
	case keyIs(km, k.Add):
		return l.do(c, actAdd)
	case keyIs(km, k.Help):
		return l.do(c, actHelp)
	case keyIs(km, k.MoveUp):
		return l.do(c, actMoveUp)
	case keyIs(km, k.MoveDown):
		return l.do(c, actMoveDown)
	case keyIs(km, k.Actions):
		if e, ok := l.selected(); ok {
			c.send(openActionsMsg{id: e.ID})
			return l, nil
		}
		c.send(openActionsMsg{})
		return l, nil
	case keyIs(km, k.Up):
		l.move(c, -1)
	case keyIs(km, k.Down):
		l.move(c, 1)
	case keyIs(km, k.PageUp):
		l.move(c, -rows)
	case keyIs(km, k.PageDown):
		l.move(c, rows)
	case keyIs(km, k.Home):
		l.move(c, -len(l.visible))
	case keyIs(km, k.End):
		l.move(c, len(l.visible))
	case keyIs(km, k.Clear):
		if l.filter.Value() == "" {
			// Esc does not quit: pressed once too often after clearing
			// a query, it would clear the code just copied.
			c.toast("ctrl+c quits")
			return l, nil
		}
		l.clearFilter(c)
	default:
		// Everything else edits the query: printable keys, backspace,
		// ctrl+w, ctrl+u, the arrows left and right.
		before := l.filter.Value()
		var cmd tea.Cmd
		l.filter, cmd = l.filter.Update(km)
		if l.filter.Value() != before {
			l.refilter()
			l.clamp(c)
		}
		return l, cmd
	}
	return l, nil
}

// do runs an action on the selected account.
func (l listScreen) do(c *common, a listAction) (screen, tea.Cmd) {
	switch a {
	case actAdd:
		c.send(openAddMsg{})
		return l, nil
	case actHelp:
		c.send(openHelpMsg{})
		return l, nil
	case actExportGoogle:
		c.send(openGoogleExportMsg{})
		return l, nil
	}
	e, ok := l.selected()
	if !ok {
		return l, nil
	}
	switch a {
	case actCopy:
		if e.Type == otp.HOTP {
			return l, takeCmd(c.vault, e.ID, c.now)
		}
		ce, ok := l.codes[e.ID]
		if !ok || ce.err != nil {
			c.toastErr("no code for " + e.Label())
			return l, nil
		}
		return l, tea.Batch(copyCmd(c, ce.cur, vault.CopyOf(e, c.now), displayName(e)), claimCmd(c.vault, e, c.now))
	case actCopyNext:
		if e.Type == otp.HOTP {
			// An HOTP code has no next window: copying "the next" one
			// would spend a counter value without saying so.
			c.toastErr("HOTP codes have no next window; press Enter for the next code")
			return l, nil
		}
		ce, ok := l.codes[e.ID]
		if !ok || ce.err != nil {
			c.toastErr("no code for " + e.Label())
			return l, nil
		}
		next := c.now.Add(e.Remaining(c.now))
		return l, tea.Batch(copyCmd(c, ce.next, vault.CopyOf(e, next), "the next code of "+displayName(e)),
			claimCmd(c.vault, e, next))
	case actEnroll:
		if e.Type != otp.TOTP {
			c.toastErr("the enrollment view is for time-based (TOTP) accounts")
			return l, nil
		}
		c.send(openEnrollMsg{id: e.ID})
		return l, nil
	case actRename:
		c.send(openRenameMsg{id: e.ID})
		return l, nil
	case actDelete:
		c.send(openDeleteMsg{id: e.ID})
		return l, nil
	case actShowQR:
		c.send(openQRMsg{id: e.ID})
		return l, nil
	case actPin:
		text := "pinned " + e.Label()
		if e.Pinned {
			text = "unpinned " + e.Label()
		}
		return l, saveCmd(c.vault, func(d *vault.Data) error {
			return gone(d.Edit(e.ID, func(e *vault.Entry) error { e.Pinned = !e.Pinned; return nil }))
		}, func(s saved) tea.Msg { return listSavedMsg{saved: s, toast: text, selectID: e.ID} })
	case actMoveUp, actMoveDown:
		if l.filter.Value() != "" {
			c.toastErr("clear the filter (esc) to reorder")
			return l, nil
		}
		return l, l.moveSelected(c, a == actMoveUp)
	}
	return l, nil
}

// moveSelected swaps the selected account with its neighbour in display
// order (within its pinned or unpinned group) in the vault.
func (l *listScreen) moveSelected(c *common, up bool) tea.Cmd {
	e, ok := l.selected()
	if !ok {
		return nil
	}
	j := l.visible[l.cursor]
	if up {
		j--
	} else {
		j++
	}
	if j < 0 || j >= len(l.entries) || l.entries[j].Pinned != e.Pinned {
		return nil
	}
	other := l.entries[j].ID
	return saveCmd(c.vault, func(d *vault.Data) error {
		a, b := d.Index(e.ID), d.Index(other)
		if a < 0 || b < 0 {
			return errGone
		}
		d.Accounts[a], d.Accounts[b] = d.Accounts[b], d.Accounts[a]
		return nil
	}, func(s saved) tea.Msg { return listSavedMsg{saved: s, selectID: e.ID} })
}

// setEntries puts the vault's accounts in display order and keeps the
// selection on the same account where it can, and the query.
func (l *listScreen) setEntries(c *common, accounts []vault.Entry) {
	sel := l.selectedID()
	l.entries = append(l.entries[:0:0], accounts...)
	sort.SliceStable(l.entries, func(i, j int) bool {
		return l.entries[i].Pinned && !l.entries[j].Pinned
	})
	l.codes.prune(l.entries)
	l.codes.refresh(l.entries, c.now)
	l.awsTags = awsTags(l.entries, c.awsProfiles)
	l.refilter()
	if sel != "" {
		l.selectID(c, sel)
	}
	l.clamp(c)
}

// showAdded shows the accounts just added: the filter is cleared so they
// are all in the list, they are marked, and the cursor is on the first.
func (l *listScreen) showAdded(c *common, ids []string) {
	l.added = make(map[string]bool, len(ids))
	for _, id := range ids {
		l.added[id] = true
	}
	l.filter.Reset()
	l.refilter()
	l.selectID(c, ids[0])
}

func (l *listScreen) selectedID() string {
	if e, ok := l.selected(); ok {
		return e.ID
	}
	return ""
}

func (l listScreen) selected() (vault.Entry, bool) {
	if l.cursor < 0 || l.cursor >= len(l.visible) {
		return vault.Entry{}, false
	}
	return l.entries[l.visible[l.cursor]], true
}

func (l *listScreen) selectID(c *common, id string) {
	for i, idx := range l.visible {
		if l.entries[idx].ID == id {
			l.cursor = i
			break
		}
	}
	l.clamp(c)
}

// refilter ranks the accounts against the query (vault.Match), then those
// whose AWS profiles match it, and puts the cursor on the best.
func (l *listScreen) refilter() {
	l.visible = vault.Match(l.entries, l.filter.Value())
	l.visible = append(l.visible, tagMatches(l.entries, l.awsTags, l.filter.Value(), l.visible)...)
	l.cursor = 0
	l.offset = 0
}

// clearFilter shows every account again, keeping the selection.
func (l *listScreen) clearFilter(c *common) {
	sel := l.selectedID()
	l.filter.Reset()
	l.refilter()
	if sel != "" {
		l.selectID(c, sel)
	}
	l.clamp(c)
}

// clamp keeps the cursor on a row and the row on the screen.
func (l *listScreen) clamp(c *common) {
	rows := l.rows(c)
	l.cursor = min(l.cursor, len(l.visible)-1)
	l.cursor = max(l.cursor, 0)
	if l.cursor < l.offset {
		l.offset = l.cursor
	}
	if l.cursor >= l.offset+rows {
		l.offset = l.cursor - rows + 1
	}
	l.offset = min(l.offset, max(0, len(l.visible)-rows))
}

func (l *listScreen) move(c *common, delta int) {
	l.cursor += delta
	l.clamp(c)
}

func (l listScreen) View(c *common) string {
	st := c.st
	w := c.width
	var b strings.Builder

	rows := l.rows(c)
	b.WriteString(l.header(c, rows))
	b.WriteByte('\n')
	if len(l.entries) > 0 {
		b.WriteString(truncate(" "+l.filter.View(), w))
	}
	b.WriteByte('\n')

	if len(l.entries) == 0 {
		b.WriteString("\n")
		b.WriteString(indent(st.dim.Render("No accounts yet.")+"\n\n"+
			"Press "+st.label.Render("ctrl+a")+" to add one: from a QR code image (a file or\n"+
			"the clipboard), an otpauth:// URI or a secret typed by hand.", 2, w))
		return b.String()
	}
	if len(l.visible) == 0 {
		b.WriteString(indent(st.dim.Render("No account matches. esc clears the filter."), 2, w))
		return b.String()
	}

	end := min(len(l.visible), l.offset+rows)
	showNext := false
	for i := l.offset; i < end; i++ {
		e := l.entries[l.visible[i]]
		if e.Type.TimeBased() && e.SecondsLeft(c.now) < nextCodeSecs(e.Period) {
			showNext = true
			break
		}
	}
	// From 80 columns on, the next code's room is always kept, so the codes
	// do not jump sideways when the next ones appear.
	lay := newRowLayout(w, l.maxDigits(), showNext || w >= 80)
	bars := map[[2]int]string{}
	for i := l.offset; i < end; i++ {
		e := l.entries[l.visible[i]]
		b.WriteString(l.row(c, e, i == l.cursor, lay, bars))
		if i < end-1 {
			b.WriteByte('\n')
		}
	}
	return b.String()
}

func (l *listScreen) maxDigits() int {
	d := 6
	for _, e := range l.entries {
		d = max(d, e.Digits)
	}
	return d
}

// ids are the IDs of entries.
func ids(es []vault.Entry) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.ID
	}
	return out
}
