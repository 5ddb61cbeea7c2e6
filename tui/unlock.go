package tui

import (
	"errors"
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/spinner"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/vmfa/vmfa/internal/passphrase"
	"github.com/vmfa/vmfa/internal/termsafe"
	"github.com/vmfa/vmfa/vault"
)

// unlockScreen asks for the passphrase, or on first run for a new one twice.
type unlockScreen struct {
	checked bool // Exists has answered
	exists  bool
	input   textinput.Model
	confirm textinput.Model
	step    int // creating: 0 passphrase, 1 confirmation
	busy    bool
	spinner spinner.Model
	err     string
	note    string
	// typeahead holds the keys typed while the screen cannot take them:
	// before it knows whether a vault exists (they are the passphrase),
	// and while the vault is unlocked (they are for the list, typically
	// a query and Enter).
	typeahead  []tea.KeyMsg
	store      Store
	workFactor int
}

func newUnlockScreen(s Store, workFactor int, auto bool) unlockScreen {
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
	u := unlockScreen{
		busy:       auto,
		input:      mk("passphrase"),
		confirm:    mk("the same passphrase again"),
		spinner:    spinner.New(spinner.WithSpinner(spinner.Dot)),
		store:      s,
		workFactor: workFactor,
	}
	u.input.Focus()
	return u
}

// lockedScreen is the unlock screen the idle lock returns to.
func lockedScreen(s Store, workFactor int, note string) unlockScreen {
	u := newUnlockScreen(s, workFactor, false)
	u.exists, u.checked, u.note = true, true, note
	return u
}

var (
	keyUnlock = bind([]string{"enter"}, "enter", "unlock")
	keyNext   = bind([]string{"enter"}, "enter", "next")
	keySwitch = bind([]string{"tab"}, "tab", "switch field")
	keyBack   = bind([]string{"esc"}, "esc", "back")
)

func (u unlockScreen) Help() (help.KeyMap, bool) {
	if !u.exists && u.checked {
		return simpleKeys{keyNext, keySwitch, quitKey}, false
	}
	return simpleKeys{keyUnlock, quitKey}, false
}

func (u unlockScreen) Update(c *common, msg tea.Msg) (screen, tea.Cmd) {
	switch msg := msg.(type) {
	case vaultStateMsg:
		u.checked, u.exists, u.busy = true, msg.exists, false
		if msg.err != nil {
			u.err = msg.err.Error()
		}
		// Keys typed before the prompt showed are the passphrase.
		keys := u.typeahead
		u.typeahead = nil
		cmds := []tea.Cmd{u.input.Focus()}
		var s screen = u
		for _, k := range keys {
			var cmd tea.Cmd
			s, cmd = s.Update(c, k)
			cmds = append(cmds, cmd)
		}
		return s, tea.Batch(cmds...)
	case spinner.TickMsg:
		return u, spin(&u.spinner, u.busy, msg)
	case tea.KeyMsg:
		if u.busy || !u.checked {
			u.typeahead = append(u.typeahead, msg)
			return u, nil
		}
		if keyIs(msg, keyBack) && !u.exists && u.step == 1 {
			u.step = 0
			u.confirm.Blur()
			return u, u.input.Focus()
		}
		if keyIs(msg, keySwitch) && !u.exists {
			u.step = 1 - u.step
			if u.step == 1 {
				u.input.Blur()
				return u, u.confirm.Focus()
			}
			u.confirm.Blur()
			return u, u.input.Focus()
		}
		if keyIs(msg, keyUnlock) {
			return u.submit()
		}
		var cmd tea.Cmd
		if u.step == 0 {
			u.input, cmd = u.input.Update(msg)
		} else {
			u.confirm, cmd = u.confirm.Update(msg)
		}
		u.err = ""
		return u, cmd
	}
	return u, nil
}

func (u unlockScreen) submit() (screen, tea.Cmd) {
	pass := u.input.Value()
	if pass == "" {
		u.err = "type a passphrase"
		return u, nil
	}
	if u.exists {
		u.busy, u.err, u.note = true, "", ""
		u.input.Reset()
		return u, tea.Batch(unlockCmd(u.store, pass), u.spinner.Tick)
	}
	if u.step == 0 {
		u.step = 1
		u.input.Blur()
		return u, u.confirm.Focus()
	}
	if u.confirm.Value() != pass {
		u.err = "the passphrases differ: type the second one again"
		u.confirm.Reset()
		return u, nil
	}
	u.busy, u.err = true, ""
	u.input.Reset()
	u.confirm.Reset()
	return u, tea.Batch(createCmd(u.store, pass, u.workFactor), u.spinner.Tick)
}

// failed shows why the vault did not open; the keys typed meanwhile were
// for the list, and are dropped with it.
func (u unlockScreen) failed(err error) (unlockScreen, tea.Cmd) {
	u.busy, u.checked, u.typeahead = false, true, nil
	switch {
	case errors.Is(err, vault.ErrWrongPassphrase):
		u.exists = true
		u.err = "Wrong passphrase. Try again."
	default:
		u.err = err.Error()
	}
	u.step = 0
	u.confirm.Blur()
	return u, u.input.Focus()
}

func (u unlockScreen) View(c *common) string {
	st := c.st
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
		b.WriteString(st.dim.Render("No vault yet. Choose a passphrase: it encrypts your secrets\nand can't be recovered if you forget it.") + "\n\n")
		b.WriteString("Passphrase\n" + u.input.View() + "\n")
		b.WriteString(strengthHint(st, u.input.Value()) + "\n\n")
		b.WriteString("Confirm\n" + u.confirm.View())
	}
	if u.note != "" {
		b.WriteString("\n\n" + st.warn.Render(u.note))
	}
	if u.err != "" {
		b.WriteString("\n\n" + st.err.Render(termsafe.Escape(u.err)))
	}
	keys, _ := u.Help()
	h := c.bodyHeight(keys, false)
	box := st.box.Render(b.String())
	if lipgloss.Width(box) > c.width || lipgloss.Height(box) > h {
		return indent(b.String(), 1, c.width) // too small for the frame: drop it
	}
	return lipgloss.Place(c.width, h, lipgloss.Center, lipgloss.Center, box)
}

// strengthHint shows passphrase.Estimate's rating, the rule the CLI applies too.
func strengthHint(st *styles, p string) string {
	if p == "" {
		return st.dim.Render("Strength: —")
	}
	s := passphrase.Estimate(p)
	label := "Strength: " + s.String()
	advice := ""
	if a := s.Advice(); a != "" {
		advice = st.dim.Render(" — " + a)
	}
	switch s {
	case passphrase.Weak:
		return st.err.Render(label) + advice
	case passphrase.Fair:
		return st.warn.Render(label) + advice
	}
	return st.ok.Render(label) + advice
}
