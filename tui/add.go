package tui

import (
	"errors"
	"fmt"
	"image"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/spinner"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/vmfa/vmfa/internal/intake"
	"github.com/vmfa/vmfa/internal/termsafe"
	"github.com/vmfa/vmfa/otp"
	"github.com/vmfa/vmfa/vault"
)

type addMode int

const (
	addMenu addMode = iota
	addPath
	addURI
	addSecret
)

// addScreen adds accounts: from an image file (with Tab completion and
// dragged-in paths), the image on the clipboard, the QR codes shown on the
// screen, pasted otpauth:// URIs or a secret typed by hand.
//
// The QR codes of every image and paste are pooled (intake.Pool) until they
// make whole accounts, so a Google Authenticator export split over several
// QR codes can arrive as several screenshots. The accounts that arrive
// together are added as a unit (vault.Data.AddAll): when some are in the
// vault already, nothing is added and the screen names them and offers to
// add the rest.
type addScreen struct {
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
	// pool holds the QR codes read so far that do not make whole accounts
	// yet: parts of an export; missing says what they lack.
	pool    intake.Pool
	missing string
	// offer holds a unit refused for its duplicates, and dups names them,
	// until the user adds the rest (Enter) or goes back.
	offer []otp.Account
	dups  []vault.Skipped
}

func newInput(prompt, placeholder string) textinput.Model {
	t := textinput.New()
	t.Prompt = prompt
	t.Placeholder = placeholder
	t.CharLimit = 4096
	t.Cursor.SetMode(cursor.CursorStatic)
	return t
}

func newAddScreen(c *common) addScreen {
	a := addScreen{
		path:    newInput("Image: ", "path to a PNG/JPEG screenshot of the QR code"),
		uri:     newInput("URI: ", "otpauth://totp/…  or  otpauth-migration://…"),
		spinner: spinner.New(spinner.WithSpinner(spinner.Dot)),
	}
	a.fields[0] = newInput("Issuer: ", "e.g. GitHub")
	a.fields[1] = newInput("Account: ", "e.g. alice@example.com")
	a.fields[2] = newInput("Secret: ", "base32, spaces allowed")
	a.fields[2].EchoMode = textinput.EchoPassword
	a.fields[2].EchoCharacter = '•'
	a.setWidth(c.width)
	return a
}

// setWidth fits the inputs to the terminal (indent, prompt and cursor
// included), so a long path or URI scrolls and the cursor stays in view.
func (a *addScreen) setWidth(width int) {
	fit := func(t *textinput.Model) {
		t.Width = max(1, width-2-lipgloss.Width(t.Prompt)-1)
	}
	fit(&a.path)
	fit(&a.uri)
	for i := range a.fields {
		fit(&a.fields[i])
	}
}

var (
	addKeyFile   = bind([]string{"i", "enter"}, "i", "image file")
	addKeyClip   = bind([]string{"p"}, "p", "image on clipboard")
	addKeyScreen = bind([]string{"c"}, "c", "QR code on screen")
	addKeyURI    = bind([]string{"u"}, "u", "otpauth URI")
	addKeySecret = bind([]string{"s"}, "s", "secret by hand")
	addKeyBack   = bind([]string{"esc"}, "esc", "back")
	addKeyTab    = bind([]string{"tab"}, "tab", "complete")
	addKeyEnter  = bind([]string{"enter"}, "enter", "add")
	addKeyNext   = bind([]string{"tab", "down"}, "tab", "next field")
	addKeyPrev   = bind([]string{"shift+tab", "up"}, "shift+tab", "previous field")
	addKeyRest   = bind([]string{"enter"}, "enter", "add the others")
)

func (a addScreen) Help() (help.KeyMap, bool) {
	switch {
	case a.offer != nil:
		return simpleKeys{addKeyRest, addKeyBack, quitKey}, false
	case a.mode == addPath:
		return simpleKeys{addKeyEnter, addKeyTab, addKeyBack, quitKey}, false
	case a.mode == addURI:
		return simpleKeys{addKeyEnter, addKeyBack, quitKey}, false
	case a.mode == addSecret:
		return simpleKeys{addKeyEnter, addKeyNext, addKeyBack, quitKey}, false
	}
	return simpleKeys{addKeyFile, addKeyClip, addKeyScreen, addKeyURI, addKeySecret, addKeyBack, quitKey}, false
}

func (a addScreen) Update(c *common, msg tea.Msg) (screen, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		a.setWidth(c.width)
	case spinner.TickMsg:
		return a, spin(&a.spinner, a.busy, msg)
	case decodedMsg:
		return a.decoded(c, msg)
	case addedMsg:
		return a.added(c, msg)
	case completionMsg:
		if msg.input != a.path.Value() {
			return a, nil // typed on meanwhile
		}
		a.candidates = msg.candidates
		if msg.err != nil {
			a.err = msg.err.Error()
		}
		if msg.completion != "" {
			a.path.SetValue(msg.completion)
			a.path.CursorEnd()
		}
	case tea.KeyMsg:
		if a.busy {
			return a, nil
		}
		return a.key(c, msg)
	}
	return a, nil
}

// pasted starts the screen with text pasted into the list.
func (a addScreen) pasted(text string) (addScreen, tea.Cmd) {
	a.mode = addURI
	a.uri.SetValue(strings.TrimSpace(text))
	a.uri.CursorEnd()
	return a, a.uri.Focus()
}

// decoded pools the QR codes just read with those before, and adds the
// accounts once they are whole.
func (a addScreen) decoded(c *common, msg decodedMsg) (screen, tea.Cmd) {
	if msg.err != nil {
		a.busy = false
		a.err = msg.err.Error()
		return a, nil
	}
	pool := a.pool // a copy: a source refused leaves a.pool as it was
	if err := pool.Add(msg.source, msg.texts); err != nil {
		a.busy = false
		a.err = err.Error()
		return a, nil
	}
	return a.take(c, pool)
}

// take adds the accounts of pool, once they are whole.
func (a addScreen) take(c *common, pool intake.Pool) (screen, tea.Cmd) {
	u, err := pool.Unit()
	if err != nil {
		// Parts of an export are missing: keep what came, and ask for
		// the next image.
		a.busy = false
		a.pool, a.missing = pool, err.Error()
		a.mode = addMenu
		a.path.Reset()
		a.uri.Reset()
		a.path.Blur()
		a.uri.Blur()
		return a, nil
	}
	if len(u.Accounts) == 0 {
		a.busy, a.err = false, "nothing to add"
		return a, nil
	}
	a.busyWhat = "Saving…"
	return a, addCmd(c.vault, u.Accounts, c.now, false)
}

// added ends the screen once the accounts are in: on the enrollment view
// for one new TOTP account (what AWS asks for next), else on the list with
// the new accounts marked.
func (a addScreen) added(c *common, msg addedMsg) (screen, tea.Cmd) {
	a.busy = false
	if msg.err != nil {
		a.pool, a.missing = intake.Pool{}, ""
		a.err = msg.err.Error()
		if len(msg.dups) > 0 {
			a.err = duplicatesText(msg.dups)
			if len(msg.dups) < len(msg.unit) {
				a.offer, a.dups = msg.unit, msg.dups
			}
		}
		return a, nil
	}
	text := "added " + joinMax(labels(msg.added), 3)
	if n := len(msg.skipped); n > 0 {
		text += fmt.Sprintf("; skipped %d already in the vault", n)
	}
	if len(msg.added) == 1 && msg.added[0].Type == otp.TOTP {
		c.send(openEnrollMsg{id: msg.added[0].ID})
		c.toast(text)
		return a, nil
	}
	c.send(closeMsg{added: ids(msg.added)})
	c.toast(text)
	return a, nil
}

// duplicatesText names the accounts of a unit the vault already holds.
func duplicatesText(dups []vault.Skipped) string {
	names := make([]string, len(dups))
	for i, d := range dups {
		names[i] = d.Existing.Label()
		if l := d.Account.Label(); !strings.EqualFold(l, names[i]) {
			names[i] = l + " (as " + names[i] + ")"
		}
	}
	if len(dups) == 1 {
		return "already in the vault: " + names[0]
	}
	return fmt.Sprintf("%d are already in the vault: %s", len(dups), joinMax(names, 3))
}

// parsed takes pasted otpauth URIs (several may be separated by spaces).
func (a addScreen) parsed(c *common, text string) (screen, tea.Cmd) {
	a.busy, a.busyWhat = true, "Saving…"
	pool := a.pool
	if err := pool.AddText("pasted text", text); err != nil {
		a.busy = false
		a.err = err.Error()
		return a, nil
	}
	s, cmd := a.take(c, pool)
	return s, tea.Batch(cmd, a.spinner.Tick)
}

func (a addScreen) key(c *common, km tea.KeyMsg) (screen, tea.Cmd) {
	if a.offer != nil {
		offer := a.offer
		a.offer, a.dups = nil, nil
		if keyIs(km, addKeyRest) {
			a.err = ""
			a.busy, a.busyWhat = true, "Saving…"
			return a, tea.Batch(addCmd(c.vault, offer, c.now, true), a.spinner.Tick)
		}
		a.err = ""
		return a, nil
	}
	if keyIs(km, addKeyBack) {
		if a.mode == addMenu {
			c.send(closeMsg{})
			return a, nil
		}
		// Back to the menu with empty inputs: i, u or s starts afresh.
		// The parts of an export read so far stay.
		b := newAddScreen(c)
		b.pool, b.missing = a.pool, a.missing
		return b, nil
	}
	switch a.mode {
	case addMenu:
		a.err = ""
		switch {
		case km.Type == tea.KeyRunes && (km.Paste || len(km.Runes) > 1) && intake.Classify(string(km.Runes)) == intake.URI:
			// A pasted URI: the URI field, never the path field (whose
			// errors would echo the secret).
			return a.pasted(string(km.Runes))
		case km.Type == tea.KeyRunes && len(km.Runes) > 0 && (km.Paste || intake.Classify(string(km.Runes)) == intake.Path):
			// A dragged-in or typed path: go straight to the path field.
			a.mode = addPath
			a.path.SetValue(string(km.Runes))
			a.path.CursorEnd()
			return a, a.path.Focus()
		case keyIs(km, addKeyFile):
			a.mode = addPath
			return a, a.path.Focus()
		case keyIs(km, addKeyClip):
			a.busy, a.busyWhat = true, "Reading the clipboard…"
			return a, tea.Batch(clipImageCmd(c.clip), a.spinner.Tick)
		case keyIs(km, addKeyScreen):
			a.busy, a.busyWhat = true, "Reading the screen…"
			return a, tea.Batch(screenCmd(c.capture), a.spinner.Tick)
		case keyIs(km, addKeyURI):
			a.mode = addURI
			return a, a.uri.Focus()
		case keyIs(km, addKeySecret):
			a.mode, a.field = addSecret, 0
			return a, a.fields[0].Focus()
		}
		return a, nil
	case addPath:
		switch {
		case keyIs(km, addKeyTab):
			return a, completeCmd(a.path.Value())
		case keyIs(km, addKeyEnter):
			p := strings.TrimSpace(a.path.Value())
			if p == "" {
				a.err = "type the path of an image"
				return a, nil
			}
			a.err, a.candidates = "", nil
			if intake.Classify(p) == intake.URI {
				// A URI typed or pasted into the path field: add it as one.
				return a.parsed(c, p)
			}
			a.busy, a.busyWhat = true, "Reading the QR code…"
			return a, tea.Batch(decodeFileCmd(p), a.spinner.Tick)
		}
		before := a.path.Value()
		var cmd tea.Cmd
		a.path, cmd = a.path.Update(km)
		if a.path.Value() != before {
			a.err, a.candidates = "", nil // "no file matches" is stale now
		}
		return a, cmd
	case addURI:
		if keyIs(km, addKeyEnter) {
			a.err = ""
			return a.parsed(c, a.uri.Value())
		}
		var cmd tea.Cmd
		a.uri, cmd = a.uri.Update(km)
		return a, cmd
	case addSecret:
		switch {
		case keyIs(km, addKeyNext, addKeyPrev):
			a.fields[a.field].Blur()
			if keyIs(km, addKeyNext) {
				a.field = (a.field + 1) % 3
			} else {
				a.field = (a.field + 2) % 3
			}
			return a, a.fields[a.field].Focus()
		case keyIs(km, addKeyEnter):
			if a.field < 2 {
				a.fields[a.field].Blur()
				a.field++
				return a, a.fields[a.field].Focus()
			}
			u, err := intake.Typed("manual entry", otp.Account{
				Issuer: a.fields[0].Value(),
				Name:   a.fields[1].Value(),
				Secret: a.fields[2].Value(),
			})
			if err != nil {
				a.err = err.Error()
				return a, nil
			}
			a.err = ""
			a.busy, a.busyWhat = true, "Saving…"
			return a, tea.Batch(addCmd(c.vault, u.Accounts, c.now, false), a.spinner.Tick)
		}
		var cmd tea.Cmd
		a.fields[a.field], cmd = a.fields[a.field].Update(km)
		return a, cmd
	}
	return a, nil
}

func (a addScreen) View(c *common) string {
	st := c.st
	w := c.width
	var b strings.Builder
	b.WriteString(" " + st.title.Render("vmfa") + "  " + st.label.Render("Add an account") + "\n\n")
	switch a.mode {
	case addMenu:
		item := func(k, what string) string { return "  " + st.label.Render(k) + "  " + what + "\n" }
		b.WriteString(item("i", "an image file: a QR screenshot, or drag the file here"))
		b.WriteString(item("p", "the image on the clipboard"))
		b.WriteString(item("c", "the QR codes shown on the screen, beside this window"))
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
	if a.missing != "" {
		b.WriteString("\n" + indent(renderLines(st.warn, wrap(termsafe.Escape(a.missing)+" — add the next image (i, p), or esc to drop the parts read", max(10, w-3))), 2, w) + "\n")
	}
	if a.busy {
		b.WriteString("\n  " + a.spinner.View() + " " + a.busyWhat + "\n")
	}
	if a.err != "" {
		b.WriteString("\n" + indent(renderLines(st.err, wrap("✗ "+termsafe.Escape(a.err), max(10, w-3))), 2, w) + "\n")
	}
	if a.offer != nil {
		rest := len(a.offer) - len(a.dups)
		b.WriteString("\n" + indent(wrap(fmt.Sprintf("Enter adds the other %d, esc adds nothing.", rest), max(10, w-3)), 2, w) + "\n")
	}
	return b.String()
}

func labels(es []vault.Entry) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.Label()
	}
	return out
}

// columns lays names out in as many columns as fit, at most maxLines lines,
// with their terminal controls written out: they are file names, from the
// disk.
func columns(names []string, width, maxLines int) string {
	names = slices.Clone(names)
	for i, n := range names {
		names[i] = termsafe.Escape(n)
	}
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
		p := intake.CleanPath(input)
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
		path := intake.CleanPath(input)
		texts, err := intake.ReadImageFile(path)
		if errors.Is(err, fs.ErrNotExist) && (intake.Classify(path) == intake.URI || strings.Contains(path, "secret=")) {
			// Never echo what may hold a secret.
			return decodedMsg{err: errors.New("that is an otpauth URI, not a file: press esc, then u, and paste it there")}
		}
		return decodedMsg{source: path, texts: texts, err: err}
	}
}

// clipImageCmd reads the QR codes of the image on the clipboard.
func clipImageCmd(c Clipboard) tea.Cmd {
	return func() tea.Msg {
		img, err := c.ReadImage()
		if err != nil {
			return decodedMsg{err: err}
		}
		texts, err := intake.ReadImage("clipboard image", img)
		return decodedMsg{source: "clipboard image", texts: texts, err: err}
	}
}

// screenCmd reads the OTP QR codes on the screens that capture pictures.
func screenCmd(capture func() ([]image.Image, error)) tea.Cmd {
	return func() tea.Msg {
		texts, err := intake.ReadScreen(capture)
		return decodedMsg{source: intake.ScreenSource, texts: texts, err: err}
	}
}
