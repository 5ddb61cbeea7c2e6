package tui

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/sahilm/fuzzy"

	"github.com/vmfa/vmfa/otp"
	"github.com/vmfa/vmfa/vault"
)

// listModel is the account list with its fuzzy filter.
type listModel struct {
	keys    listKeys
	fkeys   filterKeys
	full    bool          // the ? help; reset when the list is left
	entries []vault.Entry // display order: pinned first, then vault order
	filter  textinput.Model
	visible []int // indices into entries that pass the filter
	cursor  int   // index into visible
	offset  int   // first visible row shown
}

func newListModel() listModel {
	f := textinput.New()
	f.Prompt = "/ "
	f.Placeholder = "type to filter"
	f.Cursor.SetMode(cursor.CursorStatic)
	f.CharLimit = 64
	return listModel{keys: newListKeys(), fkeys: newFilterKeys(), filter: f}
}

// setEntries puts the vault's accounts in display order and keeps the
// selection on the same account where it can.
func (l *listModel) setEntries(accounts []vault.Entry, rows int) {
	sel := l.selectedID()
	l.entries = append(l.entries[:0:0], accounts...)
	sort.SliceStable(l.entries, func(i, j int) bool {
		return l.entries[i].Pinned && !l.entries[j].Pinned
	})
	l.refilter()
	if sel != "" {
		l.selectID(sel, rows)
	}
	l.clamp(rows)
}

func (l *listModel) selectedID() string {
	if e, ok := l.selected(); ok {
		return e.ID
	}
	return ""
}

func (l listModel) selected() (vault.Entry, bool) {
	if l.cursor < 0 || l.cursor >= len(l.visible) {
		return vault.Entry{}, false
	}
	return l.entries[l.visible[l.cursor]], true
}

func (l *listModel) selectID(id string, rows int) {
	for i, idx := range l.visible {
		if l.entries[idx].ID == id {
			l.cursor = i
			break
		}
	}
	l.clamp(rows)
}

// filterSource lets fuzzy match on "issuer name".
type filterSource []vault.Entry

func (s filterSource) Len() int            { return len(s) }
func (s filterSource) String(i int) string { return s[i].Issuer + " " + s[i].Name }

func (l *listModel) refilter() {
	q := strings.TrimSpace(l.filter.Value())
	// A new slice: copies of the model (Update works on values) must not
	// share it.
	l.visible = make([]int, 0, len(l.entries))
	if q == "" {
		for i := range l.entries {
			l.visible = append(l.visible, i)
		}
		return
	}
	for _, m := range fuzzy.FindFrom(q, filterSource(l.entries)) {
		l.visible = append(l.visible, m.Index)
	}
	l.cursor = 0
	l.offset = 0
}

// clearFilter shows every account again, keeping the selection.
func (l *listModel) clearFilter(rows int) {
	sel := l.selectedID()
	l.filter.Reset()
	l.refilter()
	if sel != "" {
		l.selectID(sel, rows)
	}
	l.clamp(rows)
}

// clamp keeps the cursor on a row and the row on the screen.
func (l *listModel) clamp(rows int) {
	if l.cursor >= len(l.visible) {
		l.cursor = len(l.visible) - 1
	}
	if l.cursor < 0 {
		l.cursor = 0
	}
	if l.cursor < l.offset {
		l.offset = l.cursor
	}
	if l.cursor >= l.offset+rows {
		l.offset = l.cursor - rows + 1
	}
	if maxOff := max(0, len(l.visible)-rows); l.offset > maxOff {
		l.offset = maxOff
	}
}

func (l *listModel) move(delta, rows int) {
	l.cursor += delta
	l.clamp(rows)
}

func (m Model) updateList(msg tea.Msg) (Model, tea.Cmd) {
	km, ok := msg.(tea.KeyMsg)
	if !ok {
		return m, nil
	}
	m, cmd := m.listKey(km)
	if m.screen != screenList {
		m.list.full = false // each screen has its own help
	}
	return m, cmd
}

func (m Model) listKey(km tea.KeyMsg) (Model, tea.Cmd) {
	rows := m.listRows()
	l := &m.list
	if km.Type == tea.KeyRunes && (km.Paste || len(km.Runes) > 1) && looksLikeOTPAuth(string(km.Runes)) {
		// A pasted otpauth:// URI is an account to add, not filter text.
		l.filter.Blur()
		l.clearFilter(rows)
		m.add = newAddModel(m.c.width)
		m.screen = screenAdd
		return m.addKey(km)
	}
	if l.filter.Focused() {
		fk := l.fkeys
		switch {
		case keyIs(km, fk.Clear):
			l.filter.Blur()
			l.clearFilter(rows)
			return m, nil
		case keyIs(km, fk.Accept):
			l.filter.Blur()
			if len(l.visible) == 0 {
				return m, nil
			}
			return m.copySelected(false)
		case km.Type == tea.KeyUp || km.Type == tea.KeyCtrlP:
			l.move(-1, rows)
			return m, nil
		case km.Type == tea.KeyDown || km.Type == tea.KeyCtrlN:
			l.move(1, rows)
			return m, nil
		case km.Type == tea.KeyPgUp:
			l.move(-rows, rows)
			return m, nil
		case km.Type == tea.KeyPgDown:
			l.move(rows, rows)
			return m, nil
		}
		before := l.filter.Value()
		var cmd tea.Cmd
		l.filter, cmd = l.filter.Update(km)
		if l.filter.Value() != before {
			l.refilter()
			l.clamp(rows)
		}
		return m, cmd
	}

	k := l.keys
	switch {
	case keyIs(km, k.Quit):
		return m.quit()
	case keyIs(km, k.Up):
		l.move(-1, rows)
	case keyIs(km, k.Down):
		l.move(1, rows)
	case keyIs(km, k.PageUp):
		l.move(-rows, rows)
	case keyIs(km, k.PageDown):
		l.move(rows, rows)
	case keyIs(km, k.Home):
		l.move(-len(l.visible), rows)
	case keyIs(km, k.End):
		l.move(len(l.visible), rows)
	case keyIs(km, k.Help):
		l.full = !l.full
		l.clamp(m.listRows())
	case keyIs(km, k.Clear):
		if l.filter.Value() != "" {
			l.clearFilter(rows)
		}
	case keyIs(km, k.Filter):
		return m, l.filter.Focus()
	case keyIs(km, k.Copy):
		return m.copySelected(false)
	case keyIs(km, k.CopyNext):
		return m.copySelected(true)
	case keyIs(km, k.Add):
		m.add = newAddModel(m.c.width)
		m.screen = screenAdd
	case keyIs(km, k.Enroll):
		e, ok := l.selected()
		if !ok {
			return m, nil
		}
		if e.Type != otp.TOTP {
			m.setToast("the enrollment view is for time-based (TOTP) accounts", true)
			return m, nil
		}
		m.enroll = newEnrollModel(e.ID)
		m.screen = screenEnroll
	case keyIs(km, k.Rename, k.Delete, k.ShowQR):
		e, ok := l.selected()
		if !ok {
			return m, nil
		}
		var cmd tea.Cmd
		m.dialog, cmd = newDialog(km, e, l.keys)
		m.screen = screenDialog
		return m, cmd
	case keyIs(km, k.Pin):
		e, ok := l.selected()
		if !ok {
			return m, nil
		}
		toast := "pinned " + e.Label()
		if e.Pinned {
			toast = "unpinned " + e.Label()
		}
		return m, editCmd(m.v, e.ID, func(e *vault.Entry) error { e.Pinned = !e.Pinned; return nil }, toast)
	case keyIs(km, k.MoveUp, k.MoveDn):
		if l.filter.Value() != "" {
			m.setToast("clear the filter (esc) to reorder", true)
			return m, nil
		}
		return m, m.moveSelected(keyIs(km, k.MoveUp))
	default:
		// Any other printable key starts the filter with itself.
		if km.Type == tea.KeyRunes && !km.Alt && len(km.Runes) > 0 {
			cmd := l.filter.Focus()
			l.filter.SetValue(l.filter.Value() + string(km.Runes))
			l.filter.CursorEnd()
			l.refilter()
			l.clamp(rows)
			return m, cmd
		}
	}
	return m, nil
}

// moveSelected swaps the selected account with its neighbour in display
// order (within its pinned or unpinned group) in the vault.
func (m *Model) moveSelected(up bool) tea.Cmd {
	l := m.list
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
	return updateCmd(m.v, func(d *vault.Data) error {
		a, b := d.Index(e.ID), d.Index(other)
		if a < 0 || b < 0 {
			return errGone
		}
		d.Accounts[a], d.Accounts[b] = d.Accounts[b], d.Accounts[a]
		return nil
	}, savedMsg{select_: e.ID})
}

// copySelected copies the selected account's code (or the next one). An
// HOTP account first advances its counter in the vault.
func (m Model) copySelected(next bool) (Model, tea.Cmd) {
	e, ok := m.list.selected()
	if !ok {
		return m, nil
	}
	if e.Type == otp.HOTP {
		if next {
			// An HOTP code has no next window: copying "the next" one
			// would spend a counter value without saying so.
			m.setToast("HOTP codes have no next window; press Enter for the next code", true)
			return m, nil
		}
		return m, hotpCmd(m.v, e.ID, m.c.now)
	}
	ce, ok := m.codes[e.ID]
	if !ok || ce.err != nil {
		m.setToast("no code for "+e.Label(), true)
		return m, nil
	}
	code, what := ce.cur, "code"
	if next {
		code, what = ce.next, "next code"
	}
	return m, copyCmd(m.cfg.clip, code, what)
}

func (m Model) onHOTP(msg hotpMsg) (tea.Model, tea.Cmd) {
	if m.v == nil {
		return m, nil
	}
	if msg.err != nil {
		m.setToast(msg.err.Error(), true)
		return m, nil
	}
	m.setVault(*msg.data)
	m.codes[msg.id] = codeEntry{cur: msg.code, hotp: true}
	return m, copyCmd(m.cfg.clip, msg.code, "code")
}

// Layout of a row: marker, label, code, countdown, next code.
const (
	markerW = 2
	gapW    = 2
)

func (m *Model) viewList() string {
	st := m.c.st
	w := m.c.width
	var b strings.Builder

	// Header.
	count := fmt.Sprintf("%d accounts", len(m.list.entries))
	if len(m.list.entries) == 1 {
		count = "1 account"
	}
	if q := m.list.filter.Value(); q != "" {
		count = fmt.Sprintf("%d of %d match", len(m.list.visible), len(m.list.entries))
	}
	rows := m.listRows()
	if n := len(m.list.visible); n > rows {
		// Where the rows on screen are in a list that does not fit.
		count += fmt.Sprintf(" · %d–%d of %d", m.list.offset+1, min(n, m.list.offset+rows), n)
	}
	b.WriteString(truncate(" "+st.title.Render("vmfa")+"  "+st.subtitle.Render(count), w))
	b.WriteByte('\n')
	if m.list.filter.Focused() || m.list.filter.Value() != "" {
		b.WriteString(truncate(" "+m.list.filter.View(), w))
	}
	b.WriteByte('\n')

	if len(m.list.entries) == 0 {
		b.WriteString("\n")
		b.WriteString(indent(st.dim.Render("No accounts yet.")+"\n\n"+
			"Press "+st.label.Render("a")+" to add one: from a QR code image (a file or the\n"+
			"clipboard), an otpauth:// URI or a secret typed by hand.", 2, w))
		return b.String()
	}
	if len(m.list.visible) == 0 {
		b.WriteString(indent(st.dim.Render("No account matches. esc clears the filter."), 2, w))
		return b.String()
	}

	end := min(len(m.list.visible), m.list.offset+rows)
	showNext := false
	for i := m.list.offset; i < end; i++ {
		e := m.list.entries[m.list.visible[i]]
		if e.Type == otp.TOTP && e.SecondsLeft(m.c.now) < nextCodeSecs(e.Period) {
			showNext = true
			break
		}
	}
	// From 80 columns on, the next code's room is always kept, so the codes
	// do not jump sideways when the next ones appear.
	lay := newRowLayout(w, m.maxDigits(), showNext || w >= 80)
	bars := map[[2]int]string{}
	for i := m.list.offset; i < end; i++ {
		e := m.list.entries[m.list.visible[i]]
		b.WriteString(m.row(e, i == m.list.cursor, lay, bars))
		if i < end-1 {
			b.WriteByte('\n')
		}
	}
	return b.String()
}

func (m *Model) maxDigits() int {
	d := 6
	for _, e := range m.list.entries {
		d = max(d, e.Digits)
	}
	return d
}

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

// nextMarker precedes the next code in a row.
const nextMarker = "→ "

func (m *Model) row(e vault.Entry, selected bool, lay rowLayout, bars map[[2]int]string) string {
	sp := &m.c.st.row
	var b strings.Builder
	b.Grow(256)
	if selected {
		sp.marker.write(&b, "▸ ")
	} else {
		b.WriteString("  ")
	}

	// Label: pin, issuer (bold), name (dim).
	labelW := lay.label
	used := 0
	if e.Pinned {
		sp.pin.write(&b, "★ ")
		used += 2
	}
	iss, name := e.Issuer, e.Name
	if iss == "" {
		iss, name = name, ""
	}
	// With a name, the issuer takes at most 60% of the room, so accounts
	// of one issuer (three AWS accounts) still differ on narrow terminals.
	issW := labelW - used
	if name != "" && issW > 8 {
		issW = max(issW*3/5, issW-ansi.StringWidth(name)-1)
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
	b.WriteString(spaces(max(0, labelW-used) + gapW))

	ce := m.codes[e.ID]
	if e.Type == otp.HOTP {
		if ce.hotp {
			sp.code.write(&b, pad(group(ce.cur), lay.code))
		} else {
			sp.dim.write(&b, pad(hidden(e.Digits), lay.code))
		}
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

	secs := e.SecondsLeft(m.c.now)
	k := [2]int{secs, e.Period}
	bar, ok := bars[k]
	if !ok {
		bar = m.bar(secs, e.Period, lay.bar) + fmt.Sprintf(" %2ds", secs)
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

// fit truncates s to w cells with an ellipsis, quickly for ASCII.
func fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if len(s) <= w && isASCII(s) {
		return s
	}
	return ansi.Truncate(s, w, "…")
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

const blanks = "                                                                                                                                "

func spaces(n int) string {
	if n <= len(blanks) {
		return blanks[:n]
	}
	return strings.Repeat(" ", n)
}

// nextCodeSecs is when the next code appears beside the current one: in the
// last 10 seconds of a 30-second window, the last third of shorter ones.
func nextCodeSecs(period int) int {
	return min(10, max(1, period/3))
}

// bar draws the countdown: full at the start of the window, empty at its
// end, green, then yellow under 10 s, red under 5 s.
func (m *Model) bar(secs, period, width int) string {
	sp := &m.c.st.row
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

func pad(s string, w int) string {
	if n := ansi.StringWidth(s); n < w {
		return s + spaces(w-n)
	}
	return s
}

func truncate(s string, w int) string {
	if w <= 0 {
		return ""
	}
	return ansi.Truncate(s, w, "")
}
