package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/help"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/vmfa/vmfa/vault"
)

// enrollScreen is the "two consecutive codes" view that AWS and others ask
// for when a virtual MFA device is enrolled.
type enrollScreen struct {
	keys  enrollKeys
	entry vault.Entry
	gone  bool // the account was removed meanwhile
	codes codeCache
	full  bool // the ? help: the full key list and how enrollment works
}

func newEnrollScreen(c *common, e vault.Entry) enrollScreen {
	s := enrollScreen{keys: newEnrollKeys(), entry: e, codes: codeCache{}}
	s.codes.refresh([]vault.Entry{e}, c.now)
	return s
}

func (s enrollScreen) Help() (help.KeyMap, bool) { return s.keys, s.full }

func (s enrollScreen) Update(c *common, msg tea.Msg) (screen, tea.Cmd) {
	switch msg := msg.(type) {
	case tickMsg:
		s.codes.refresh([]vault.Entry{s.entry}, c.now)
	case accountsMsg:
		// Renamed or removed by another screen or process meanwhile.
		e, ok := entryByID(msg, s.entry.ID)
		s.gone = !ok
		if ok {
			s.entry = e
			s.codes = codeCache{}
			s.codes.refresh([]vault.Entry{e}, c.now)
		}
	case tea.KeyMsg:
		k := s.keys
		switch {
		case keyIs(msg, k.Back):
			c.send(closeMsg{selectID: s.entry.ID})
			return s, nil
		case keyIs(msg, k.Help):
			s.full = !s.full
		case keyIs(msg, k.Copy1, k.Copy2):
			ce, ok := s.codes[s.entry.ID]
			if s.gone || !ok || ce.err != nil {
				return s, nil
			}
			if keyIs(msg, k.Copy1) {
				return s, tea.Batch(copyCmd(c, ce.cur, vault.CopyOf(s.entry, c.now), "MFA code 1"), claimCmd(c.vault, s.entry, c.now))
			}
			next := c.now.Add(s.entry.Remaining(c.now))
			return s, tea.Batch(copyCmd(c, ce.next, vault.CopyOf(s.entry, next), "MFA code 2"),
				claimCmd(c.vault, s.entry, next))
		}
	}
	return s, nil
}

// The note under the codes, and the ? help, in AWS's words for an AWS
// device (whose form has the fields "MFA code 1" and "MFA code 2"), and in
// general ones for any other service, which most often asks for one code.
const (
	enrollNoteAWS = "Type MFA code 1 and MFA code 2 into AWS's form, then Add MFA; both advance when the window rolls."
	enrollNote    = "Type MFA code 1 where a code is asked for, and MFA code 2 if a second is; both advance when the window rolls."

	enrollHelpAWS = "Assigning a virtual MFA device, AWS asks for two consecutive codes: " +
		"type MFA code 1 into its first field and MFA code 2 into the second, then Add MFA " +
		"before the bar runs out. If it runs out, both codes move on: type the new pair. " +
		"Copying clears the clipboard after 20 s."
	enrollHelp = "Enrolling an authenticator, a service asks for a code to prove it works, " +
		"and some for two consecutive ones: type MFA code 1, and MFA code 2 if a second is " +
		"asked for, before the bar runs out. If it runs out, both codes move on: type the " +
		"new pair. Copying clears the clipboard after 20 s."
)

// enrollText is the note, or with full the help, for enrolling e.
func enrollText(e vault.Entry, full bool) string {
	aws := isAWS(e)
	switch {
	case full && aws:
		return enrollHelpAWS
	case full:
		return enrollHelp
	case aws:
		return enrollNoteAWS
	}
	return enrollNote
}

// isAWS reports whether e is an AWS virtual MFA device: AWS's QR codes name
// the issuer Amazon Web Services; people typing it by hand, AWS.
func isAWS(e vault.Entry) bool {
	return strings.EqualFold(e.Issuer, "Amazon Web Services") || strings.EqualFold(e.Issuer, "AWS")
}

func (s enrollScreen) View(c *common) string {
	st := c.st
	w, h := c.width, c.bodyHeight(s.keys, s.full)
	if s.gone {
		return indent(st.dim.Render("The account is gone. esc goes back."), 1, w)
	}
	e := s.entry
	ce := s.codes[e.ID]
	secs := e.SecondsLeft(c.now)

	var b strings.Builder
	b.WriteString(" " + st.title.Render("vmfa") + "  " + st.label.Render("Enroll") + " " +
		st.issuer.Render(e.Issuer) + " " + st.name.Render(e.Name) + "\n\n")

	note := renderLines(st.dim, wrap(enrollText(e, s.full), max(10, w-4)))

	// Big digits when two five-line codes and the note fit the height, at
	// the largest scale whose rendering (indent included) fits the width.
	// A code cut at the edge would be a wrong code: never draw one.
	const indentW = 2
	fixed := 7 + lipgloss.Height(note) // title, blanks, labels, bar
	var big1, big2 string
	if h >= fixed+2*5 {
		for _, scale := range []int{2, 1} {
			b1, b2 := bigDigits(st, ce.cur, scale), bigDigits(st, ce.next, scale)
			if indentW+max(lipgloss.Width(b1), lipgloss.Width(b2)) <= w {
				big1, big2 = b1, b2
				break
			}
		}
	}
	codeBlock := func(label, code, big, key string) string {
		head := st.label.Render(label) + st.dim.Render("   press "+key+" to copy")
		if big == "" {
			return head + "\n" + st.bigCode.Render(group(code))
		}
		return head + "\n" + big
	}
	b.WriteString(indent(codeBlock("MFA code 1", ce.cur, big1, "1"), indentW, w) + "\n\n")
	b.WriteString(indent(codeBlock("MFA code 2", ce.next, big2, "2"), indentW, w) + "\n\n")
	barW := max(4, min(40, w-12))
	b.WriteString("  " + countdownBar(st, secs, e.Period, barW) + fmt.Sprintf(" %2ds", secs) + "\n")
	b.WriteString(indent(note, indentW, w))
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
