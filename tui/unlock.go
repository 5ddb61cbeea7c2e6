package tui

import (
	"errors"
	"strings"
	"unicode"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/spinner"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/vmfa/vmfa/vault"
)

// unlockModel asks for the passphrase, or on first run for a new one twice.
type unlockModel struct {
	checked bool // Exists has answered
	exists  bool
	input   textinput.Model
	confirm textinput.Model
	step    int // creating: 0 passphrase, 1 confirmation
	busy    bool
	spinner spinner.Model
	err     string
	note    string
}

func newUnlockModel(auto bool) unlockModel {
	mk := func(placeholder string) textinput.Model {
		t := textinput.New()
		t.EchoMode = textinput.EchoPassword
		t.EchoCharacter = '•'
		t.Prompt = "› "
		t.Placeholder = placeholder
		t.CharLimit = 1024
		t.Width = 40
		t.Cursor.SetMode(cursor.CursorStatic)
		return t
	}
	u := unlockModel{
		busy:    auto,
		input:   mk("passphrase"),
		confirm: mk("the same passphrase again"),
		spinner: spinner.New(spinner.WithSpinner(spinner.Dot)),
	}
	u.input.Focus()
	return u
}

func (m *Model) unlockKeys() help.KeyMap {
	u := m.unlock
	if !u.exists && u.checked {
		return simpleKeys{bind([]string{"enter"}, "enter", "next"), bind([]string{"tab"}, "tab", "switch field"), bind([]string{"ctrl+c"}, "ctrl+c", "quit")}
	}
	return simpleKeys{bind([]string{"enter"}, "enter", "unlock"), bind([]string{"ctrl+c"}, "ctrl+c", "quit")}
}

func (m Model) updateUnlock(msg tea.Msg) (Model, tea.Cmd) {
	u := &m.unlock
	switch msg := msg.(type) {
	case vaultStateMsg:
		u.checked, u.exists, u.busy = true, msg.exists, false
		if msg.err != nil {
			u.err = msg.err.Error()
		}
		return m, u.input.Focus()
	case spinner.TickMsg:
		return m, spin(&u.spinner, u.busy, msg)
	case tea.KeyMsg:
		if u.busy || !u.checked {
			return m, nil
		}
		if msg.Type == tea.KeyEsc && !u.exists && u.step == 1 {
			u.step = 0
			u.confirm.Blur()
			return m, u.input.Focus()
		}
		if msg.Type == tea.KeyTab && !u.exists {
			u.step = 1 - u.step
			if u.step == 1 {
				u.input.Blur()
				return m, u.confirm.Focus()
			}
			u.confirm.Blur()
			return m, u.input.Focus()
		}
		if msg.Type == tea.KeyEnter {
			return m.submitUnlock()
		}
		var cmd tea.Cmd
		if u.step == 0 {
			u.input, cmd = u.input.Update(msg)
		} else {
			u.confirm, cmd = u.confirm.Update(msg)
		}
		u.err = ""
		return m, cmd
	}
	return m, nil
}

func (m Model) submitUnlock() (Model, tea.Cmd) {
	u := &m.unlock
	pass := u.input.Value()
	if pass == "" {
		u.err = "type a passphrase"
		return m, nil
	}
	if u.exists {
		u.busy, u.err, u.note = true, "", ""
		u.input.Reset()
		return m, tea.Batch(unlockCmd(m.cfg.store, pass), u.spinner.Tick)
	}
	if u.step == 0 {
		u.step = 1
		u.input.Blur()
		return m, u.confirm.Focus()
	}
	if u.confirm.Value() != pass {
		u.err = "the passphrases differ: type the second one again"
		u.confirm.Reset()
		return m, nil
	}
	u.busy, u.err = true, ""
	u.input.Reset()
	u.confirm.Reset()
	return m, tea.Batch(createCmd(m.cfg.store, pass, m.cfg.workFactor), u.spinner.Tick)
}

func (m Model) unlockFailed(err error) (tea.Model, tea.Cmd) {
	u := &m.unlock
	u.checked = true
	switch {
	case errors.Is(err, vault.ErrWrongPassphrase):
		u.exists = true
		u.err = "Wrong passphrase. Try again."
	default:
		u.err = err.Error()
	}
	u.step = 0
	u.confirm.Blur()
	return m, u.input.Focus()
}

func (m *Model) viewUnlock() string {
	st := m.c.st
	u := m.unlock
	var b strings.Builder
	title := "Unlock your vault"
	if u.checked && !u.exists {
		title = "Create your vault"
	}
	b.WriteString(st.title.Render("vmfa") + "  " + st.label.Render(title) + "\n\n")
	switch {
	case !u.checked && !u.busy:
		b.WriteString(st.dim.Render("Opening the vault…"))
	case u.busy:
		what := "Unlocking…"
		if !u.exists && u.checked {
			what = "Creating the vault…"
		}
		b.WriteString(u.spinner.View() + " " + what)
	case u.exists:
		b.WriteString("Passphrase\n" + u.input.View())
	default:
		b.WriteString(st.dim.Render("No vault yet. Choose a passphrase: it encrypts your secrets\nand cannot be recovered if you forget it.") + "\n\n")
		b.WriteString("Passphrase\n" + u.input.View() + "\n")
		b.WriteString(strengthHint(st, u.input.Value()) + "\n\n")
		b.WriteString("Confirm\n" + u.confirm.View())
	}
	if u.note != "" {
		b.WriteString("\n\n" + st.warn.Render(u.note))
	}
	if u.err != "" {
		b.WriteString("\n\n" + st.err.Render(u.err))
	}
	box := st.box.Render(b.String())
	if lipgloss.Width(box) > m.c.width || lipgloss.Height(box) > m.c.height-2 {
		box = b.String() // too small for the frame: drop it
		return indent(box, 1, m.c.width)
	}
	return lipgloss.Place(m.c.width, m.c.height-2, lipgloss.Center, lipgloss.Center, box)
}

// strengthHint estimates a passphrase's strength from its length and the
// kinds of characters in it: a hint, not a guarantee.
func strengthHint(st *styles, p string) string {
	if p == "" {
		return st.dim.Render("Strength: —")
	}
	var lower, upper, digit, other bool
	n := 0
	for _, r := range p {
		n++
		switch {
		case unicode.IsLower(r):
			lower = true
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsDigit(r):
			digit = true
		default:
			other = true
		}
	}
	pool := 0
	for _, c := range []struct {
		ok   bool
		size int
	}{{lower, 26}, {upper, 26}, {digit, 10}, {other, 33}} {
		if c.ok {
			pool += c.size
		}
	}
	bits := 0
	for x := pool; x > 1; x >>= 1 {
		bits++
	}
	bits *= n
	switch {
	case bits < 40:
		return st.err.Render("Strength: weak") + st.dim.Render(" — use more words or characters")
	case bits < 64:
		return st.warn.Render("Strength: fair") + st.dim.Render(" — longer is better")
	case bits < 90:
		return st.ok.Render("Strength: good")
	}
	return st.ok.Render("Strength: strong")
}
