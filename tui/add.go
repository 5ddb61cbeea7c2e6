package tui

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/spinner"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/vmfa/vmfa/internal/imagefile"
	"github.com/vmfa/vmfa/otp"
	"github.com/vmfa/vmfa/otp/qr"
)

type addMode int

const (
	addMenu addMode = iota
	addPath
	addURI
	addSecret
)

// addModel is the add screen: an image file (with Tab completion and
// dragged-in paths), an image on the clipboard, a pasted otpauth:// URI or a
// secret typed by hand.
type addModel struct {
	mode       addMode
	path       textinput.Model
	uri        textinput.Model
	fields     [3]textinput.Model // issuer, name, secret
	field      int
	busy       bool
	busyWhat   string
	spinner    spinner.Model
	err        string
	candidates []string
}

func newInput(prompt, placeholder string) textinput.Model {
	t := textinput.New()
	t.Prompt = prompt
	t.Placeholder = placeholder
	t.CharLimit = 4096
	t.Cursor.SetMode(cursor.CursorStatic)
	return t
}

func newAddModel(width int) addModel {
	a := addModel{
		path:    newInput("Image: ", "path to a PNG/JPEG screenshot of the QR code"),
		uri:     newInput("URI: ", "otpauth://totp/…  or  otpauth-migration://…"),
		spinner: spinner.New(spinner.WithSpinner(spinner.Dot)),
	}
	a.fields[0] = newInput("Issuer: ", "e.g. GitHub")
	a.fields[1] = newInput("Account: ", "e.g. alice@example.com")
	a.fields[2] = newInput("Secret: ", "base32, spaces allowed")
	a.fields[2].EchoMode = textinput.EchoPassword
	a.fields[2].EchoCharacter = '•'
	a.setWidth(width)
	return a
}

// setWidth fits the inputs to the terminal (indent, prompt and cursor
// included), so a long path or URI scrolls and the cursor stays in view.
func (a *addModel) setWidth(width int) {
	fit := func(t *textinput.Model) {
		t.Width = max(1, width-2-lipgloss.Width(t.Prompt)-1)
	}
	fit(&a.path)
	fit(&a.uri)
	for i := range a.fields {
		fit(&a.fields[i])
	}
}

// looksLikeOTPAuth reports whether text is an otpauth:// or
// otpauth-migration:// URI (perhaps quoted, as some terminals paste).
func looksLikeOTPAuth(text string) bool {
	t := strings.TrimLeft(strings.TrimSpace(text), `'"`)
	return len(t) >= len("otpauth") && strings.EqualFold(t[:len("otpauth")], "otpauth")
}

var (
	addKeyFile   = bind([]string{"i", "enter"}, "i", "image file")
	addKeyClip   = bind([]string{"p"}, "p", "image on clipboard")
	addKeyURI    = bind([]string{"u"}, "u", "otpauth URI")
	addKeySecret = bind([]string{"s"}, "s", "secret by hand")
	addKeyBack   = bind([]string{"esc"}, "esc", "back")
	addKeyTab    = bind([]string{"tab"}, "tab", "complete")
	addKeyEnter  = bind([]string{"enter"}, "enter", "add")
	addKeyNext   = bind([]string{"tab"}, "tab", "next field")
)

func (m *Model) addKeys() help.KeyMap {
	switch m.add.mode {
	case addPath:
		return simpleKeys{addKeyEnter, addKeyTab, addKeyBack}
	case addURI:
		return simpleKeys{addKeyEnter, addKeyBack}
	case addSecret:
		return simpleKeys{addKeyEnter, addKeyNext, addKeyBack}
	}
	return simpleKeys{addKeyFile, addKeyClip, addKeyURI, addKeySecret, addKeyBack}
}

func (m Model) updateAdd(msg tea.Msg) (Model, tea.Cmd) {
	a := &m.add
	switch msg := msg.(type) {
	case spinner.TickMsg:
		return m, spin(&a.spinner, a.busy, msg)
	case decodedMsg:
		if msg.err != nil {
			a.busy = false
			a.err = msg.err.Error()
			return m, nil
		}
		a.busyWhat = "Saving…"
		return m, addCmd(m.v, msg.accounts, m.c.now, msg.fromImage)
	case completionMsg:
		if msg.input != a.path.Value() {
			return m, nil // typed on meanwhile
		}
		a.candidates = msg.candidates
		if msg.err != nil {
			a.err = msg.err.Error()
		}
		if msg.completion != "" {
			a.path.SetValue(msg.completion)
			a.path.CursorEnd()
		}
		return m, nil
	case tea.KeyMsg:
		if a.busy {
			return m, nil
		}
		return m.addKey(msg)
	}
	return m, nil
}

func (m Model) addKey(km tea.KeyMsg) (Model, tea.Cmd) {
	a := &m.add
	if km.Type == tea.KeyEsc {
		if a.mode == addMenu {
			m.screen = screenList
			m.add = addModel{}
			return m, nil
		}
		// Back to the menu with empty inputs: i, u or s starts afresh.
		m.add = newAddModel(m.c.width)
		return m, nil
	}
	switch a.mode {
	case addMenu:
		a.err = ""
		switch {
		case km.Type == tea.KeyRunes && (km.Paste || len(km.Runes) > 1) && looksLikeOTPAuth(string(km.Runes)):
			// A pasted URI: the URI field, never the path field (whose
			// errors would echo the secret).
			a.mode = addURI
			a.uri.SetValue(strings.TrimSpace(string(km.Runes)))
			a.uri.CursorEnd()
			return m, a.uri.Focus()
		case km.Type == tea.KeyRunes && len(km.Runes) > 0 && (km.Paste || strings.ContainsAny(string(km.Runes[:1]), "/~.'\"")):
			// A dragged-in or typed path: go straight to the path field.
			a.mode = addPath
			a.path.SetValue(string(km.Runes))
			a.path.CursorEnd()
			return m, a.path.Focus()
		case keyIs(km, addKeyFile):
			a.mode = addPath
			return m, a.path.Focus()
		case keyIs(km, addKeyClip):
			a.busy, a.busyWhat = true, "Reading the clipboard…"
			return m, tea.Batch(clipImageCmd(m.cfg.clip), a.spinner.Tick)
		case keyIs(km, addKeyURI):
			a.mode = addURI
			return m, a.uri.Focus()
		case keyIs(km, addKeySecret):
			a.mode, a.field = addSecret, 0
			return m, a.fields[0].Focus()
		case keyIs(km, m.list.keys.Quit):
			return m.quit()
		}
		return m, nil
	case addPath:
		switch km.Type {
		case tea.KeyTab:
			return m, completeCmd(a.path.Value())
		case tea.KeyEnter:
			p := strings.TrimSpace(a.path.Value())
			if p == "" {
				a.err = "type the path of an image"
				return m, nil
			}
			a.err, a.candidates = "", nil
			if looksLikeOTPAuth(p) {
				// A URI typed or pasted into the path field: add it as one.
				a.busy, a.busyWhat = true, "Saving…"
				return m, tea.Batch(parseTextCmd(p), a.spinner.Tick)
			}
			a.busy, a.busyWhat = true, "Reading the QR code…"
			return m, tea.Batch(decodeFileCmd(p), a.spinner.Tick)
		}
		before := a.path.Value()
		var cmd tea.Cmd
		a.path, cmd = a.path.Update(km)
		if a.path.Value() != before {
			a.err, a.candidates = "", nil // "no file matches" is stale now
		}
		return m, cmd
	case addURI:
		if km.Type == tea.KeyEnter {
			a.err = ""
			a.busy, a.busyWhat = true, "Saving…"
			return m, tea.Batch(parseTextCmd(a.uri.Value()), a.spinner.Tick)
		}
		var cmd tea.Cmd
		a.uri, cmd = a.uri.Update(km)
		return m, cmd
	case addSecret:
		switch km.Type {
		case tea.KeyTab, tea.KeyShiftTab, tea.KeyDown, tea.KeyUp:
			a.fields[a.field].Blur()
			if km.Type == tea.KeyTab || km.Type == tea.KeyDown {
				a.field = (a.field + 1) % 3
			} else {
				a.field = (a.field + 2) % 3
			}
			return m, a.fields[a.field].Focus()
		case tea.KeyEnter:
			if a.field < 2 {
				a.fields[a.field].Blur()
				a.field++
				return m, a.fields[a.field].Focus()
			}
			acc := otp.Account{
				Issuer: a.fields[0].Value(),
				Name:   a.fields[1].Value(),
				Secret: a.fields[2].Value(),
			}
			if err := acc.Normalize(); err != nil {
				a.err = err.Error()
				return m, nil
			}
			a.err = ""
			a.busy, a.busyWhat = true, "Saving…"
			return m, tea.Batch(addCmd(m.v, []otp.Account{acc}, m.c.now, false), a.spinner.Tick)
		}
		var cmd tea.Cmd
		a.fields[a.field], cmd = a.fields[a.field].Update(km)
		return m, cmd
	}
	return m, nil
}

func (m *Model) viewAdd() string {
	st := m.c.st
	a := m.add
	w := m.c.width
	var b strings.Builder
	b.WriteString(" " + st.title.Render("vmfa") + "  " + st.label.Render("Add an account") + "\n\n")
	switch a.mode {
	case addMenu:
		item := func(k, what string) string { return "  " + st.label.Render(k) + "  " + what + "\n" }
		b.WriteString(item("i", "an image file: a QR screenshot, or drag the file here"))
		b.WriteString(item("p", "the image on the clipboard"))
		b.WriteString(item("u", "paste an otpauth:// or otpauth-migration:// URI"))
		b.WriteString(item("s", "enter the secret by hand"))
	case addPath:
		b.WriteString("  " + a.path.View() + "\n")
		if len(a.candidates) > 0 {
			b.WriteString(indent(st.dim.Render(columns(a.candidates, w-4, 8)), 4, w) + "\n")
		}
	case addURI:
		b.WriteString("  " + a.uri.View() + "\n")
	case addSecret:
		for i := range a.fields {
			b.WriteString("  " + a.fields[i].View() + "\n")
		}
		b.WriteString(st.dim.Render("  TOTP, SHA1, 6 digits, 30 s: for other settings paste an otpauth:// URI") + "\n")
	}
	if a.busy {
		b.WriteString("\n  " + a.spinner.View() + " " + a.busyWhat + "\n")
	}
	if a.err != "" {
		// Wrapped at spaces, not cut: the end of an error is often the
		// useful part.
		b.WriteString("\n" + indent(renderLines(st.err, ansi.Wordwrap("✗ "+a.err, max(10, w-3), "")), 2, w) + "\n")
	}
	return b.String()
}

// columns lays names out in as many columns as fit, at most maxLines lines.
func columns(names []string, width, maxLines int) string {
	colW := 0
	for _, n := range names {
		colW = max(colW, len([]rune(n))+2)
	}
	cols := max(1, width/max(1, colW))
	var b strings.Builder
	for i, n := range names {
		if i/cols >= maxLines {
			fmt.Fprintf(&b, "\n… %d more", len(names)-i)
			break
		}
		if i > 0 && i%cols == 0 {
			b.WriteByte('\n')
		}
		b.WriteString(pad(n, colW))
	}
	return b.String()
}

// completeCmd lists the directory of a partial path and completes it: to
// the one match (with a / for a directory), or to the matches' common
// prefix, returning the candidates.
func completeCmd(input string) tea.Cmd {
	return func() tea.Msg {
		p := imagefile.CleanPath(input)
		dir, base := filepath.Split(p)
		listDir := dir
		if listDir == "" {
			listDir = "."
		}
		ents, err := os.ReadDir(listDir)
		if err != nil {
			return completionMsg{input: input, err: err}
		}
		var names []string
		for _, e := range ents {
			n := e.Name()
			if !strings.HasPrefix(n, base) || (strings.HasPrefix(n, ".") && !strings.HasPrefix(base, ".")) {
				continue
			}
			if e.IsDir() {
				n += "/"
			}
			names = append(names, n)
		}
		sort.Strings(names)
		msg := completionMsg{input: input}
		switch len(names) {
		case 0:
			msg.err = errors.New("no file matches")
			return msg
		case 1:
			msg.completion = dir + names[0]
			return msg
		}
		prefix := names[0]
		for _, n := range names[1:] {
			for !strings.HasPrefix(n, prefix) {
				prefix = prefix[:len(prefix)-1]
			}
		}
		if len(prefix) > len(base) {
			msg.completion = dir + prefix
		}
		msg.candidates = names
		return msg
	}
}

// decodeFileCmd reads the QR codes of an image file, given as typed or
// dragged in.
func decodeFileCmd(input string) tea.Cmd {
	return func() tea.Msg {
		path := imagefile.CleanPath(input)
		texts, err := imagefile.Decode(path)
		if errors.Is(err, fs.ErrNotExist) && (looksLikeOTPAuth(path) || strings.Contains(path, "secret=")) {
			// Never echo what may hold a secret.
			return decodedMsg{err: errors.New("that is an otpauth URI, not a file: press esc, then u, and paste it there")}
		}
		if err != nil {
			return decodedMsg{err: err}
		}
		accounts, err := otp.ParseAll(texts)
		return decodedMsg{accounts: accounts, fromImage: true, err: err}
	}
}

// clipImageCmd reads the QR codes of the image on the clipboard.
func clipImageCmd(c Clipboard) tea.Cmd {
	return func() tea.Msg {
		img, err := c.ReadImage()
		if err != nil {
			return decodedMsg{err: err}
		}
		texts, err := qr.Decode(bytes.NewReader(img))
		if err != nil {
			return decodedMsg{err: fmt.Errorf("clipboard image: %w", err)}
		}
		accounts, err := otp.ParseAll(texts)
		return decodedMsg{accounts: accounts, fromImage: true, err: err}
	}
}

// parseTextCmd reads pasted otpauth URIs (several may be separated by
// spaces).
func parseTextCmd(text string) tea.Cmd {
	return func() tea.Msg {
		accounts, err := otp.ParseAll(strings.Fields(text))
		return decodedMsg{accounts: accounts, err: err}
	}
}
