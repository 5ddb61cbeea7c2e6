package tui

import (
	"fmt"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/vmfa/vmfa/otp"
)

// enrollModel is the "two consecutive codes" screen that AWS and others ask
// for when a virtual MFA device is enrolled.
type enrollModel struct {
	id string
}

func newEnrollModel(id string) enrollModel { return enrollModel{id: id} }

func (m Model) updateEnroll(msg tea.Msg) (Model, tea.Cmd) {
	km, ok := msg.(tea.KeyMsg)
	if !ok {
		return m, nil
	}
	k := newEnrollKeys()
	switch {
	case keyIs(km, k.Quit):
		mm, cmd := m.quit()
		return mm.(Model), cmd
	case keyIs(km, k.Back):
		m.screen = screenList
		m.list.selectID(m.enroll.id, m.listRows())
	case keyIs(km, k.Help):
		m.full = !m.full
	case keyIs(km, k.Copy1, k.Copy2):
		ce, ok := m.codes[m.enroll.id]
		if !ok || ce.err != nil {
			return m, nil
		}
		if keyIs(km, k.Copy1) {
			return m, copyCmd(m.cfg.clip, ce.cur, "MFA code 1")
		}
		return m, copyCmd(m.cfg.clip, ce.next, "MFA code 2")
	}
	return m, nil
}

func (m Model) viewEnroll() string {
	st := m.c.st
	w, h := m.c.width, m.c.height-2
	e, ok := m.entry(m.enroll.id)
	if !ok {
		return indent(st.dim.Render("The account is gone. esc goes back."), 1, w)
	}
	ce := m.codes[e.ID]
	secs := secondsLeft(e.Account, m.c.now)

	var b strings.Builder
	b.WriteString(" " + st.title.Render("vmfa") + "  " + st.label.Render("Enroll") + " " +
		st.issuer.Render(e.Issuer) + " " + st.name.Render(e.Name) + "\n\n")

	// Big digits when there is room for two five-line codes.
	scale := 0
	switch {
	case h >= 20 && w >= 60:
		scale = 2
		if len(ce.cur)*7 > w-4 {
			scale = 1
		}
	case h >= 18:
		scale = 1
	}
	codeBlock := func(label, code, key string) string {
		head := st.label.Render(label) + st.dim.Render("   press "+key+" to copy")
		if scale == 0 {
			return head + "\n" + st.bigCode.Render(group(code))
		}
		return head + "\n" + bigDigits(st, code, scale)
	}
	b.WriteString(indent(codeBlock("MFA code 1", ce.cur, "1"), 2, w) + "\n\n")
	b.WriteString(indent(codeBlock("MFA code 2", ce.next, "2"), 2, w) + "\n\n")
	barW := max(4, min(40, w-12))
	b.WriteString("  " + m.bar(secs, e.Period, barW) + fmt.Sprintf(" %2ds", secs) + "\n")
	b.WriteString(indent(st.dim.Render("Type both into the enrollment form; both advance when the window rolls."), 2, w))
	return b.String()
}

// digitFont is a 3×5 block font for the enrollment view.
var digitFont = [10][5]string{
	{"███", "█ █", "█ █", "█ █", "███"},
	{" █ ", "██ ", " █ ", " █ ", "███"},
	{"███", "  █", "███", "█  ", "███"},
	{"███", "  █", "███", "  █", "███"},
	{"█ █", "█ █", "███", "  █", "  █"},
	{"███", "█  ", "███", "  █", "███"},
	{"███", "█  ", "███", "█ █", "███"},
	{"███", "  █", "  █", "  █", "  █"},
	{"███", "█ █", "███", "█ █", "███"},
	{"███", "█ █", "███", "  █", "███"},
}

// bigDigits renders a code in the block font, scale columns per pixel,
// grouped like group().
func bigDigits(st *styles, code string, scale int) string {
	g := group(code)
	var lines [5]strings.Builder
	for _, r := range g {
		for y := range 5 {
			if r == ' ' {
				lines[y].WriteString(strings.Repeat(" ", 2*scale))
				continue
			}
			if r < '0' || r > '9' {
				continue
			}
			for _, px := range digitFont[r-'0'][y] {
				lines[y].WriteString(strings.Repeat(string(px), scale))
			}
			lines[y].WriteString(strings.Repeat(" ", scale))
		}
	}
	out := make([]string, 5)
	for y := range lines {
		out[y] = strings.TrimRight(lines[y].String(), " ")
	}
	return st.bigCode.Render(lipgloss.JoinVertical(lipgloss.Left, out...))
}

// isTOTP is true for accounts the enrollment view can show.
func isTOTP(a otp.Account) bool { return a.Type == otp.TOTP }
