package tui

import (
	"fmt"
	"image"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/vmfa/vmfa/vault"
)

// screen is one screen of the interface: the unlock prompt, the account
// list, or one of the screens opened over the list (actions, add, enroll,
// rename, delete, QR code, Google export, help). Each updates itself from messages and
// draws itself from its own state; none knows another. A screen that wants
// another on top, or to be closed, sends one of the messages below through
// common.send, and only the root model handles them.
type screen interface {
	// Update handles a message and returns the screen as it is now.
	Update(c *common, msg tea.Msg) (screen, tea.Cmd)
	// View draws the screen in the width and height c gives, less the
	// status and help lines under it. It only reads.
	View(c *common) string
	// Help returns the keys for the help line, and whether to show them
	// all. No keys: the screen takes the whole terminal, without status
	// and help lines.
	Help() (keys help.KeyMap, full bool)
}

// common is what every screen is updated and drawn with: the terminal's
// size, the time of the last tick, the styles, and the handles its commands
// use. The root owns it and passes it to each call; no screen keeps a copy,
// so none holds a stale size or time.
type common struct {
	width, height int
	now           time.Time
	st            *styles
	help          *help.Model // shared: the terminal's width is everyone's
	clip          Clipboard
	capture       func() ([]image.Image, error) // the screens' pictures (config.capture)
	vault         Vault                         // nil while locked
	// clockNote and clockWarn are what the list's header says of the clock.
	clockNote, clockWarn string
	// awsProfiles name the AWS devices' profiles (Options.AWSProfiles).
	awsProfiles []AWSProfile
	// syncNote is what the list's header says of the sync (Syncer.State).
	syncNote string
	// outbox holds the messages screens sent the root during an Update.
	outbox []tea.Msg
}

// bodyHeight is the height a screen with these keys may draw in: the
// terminal's less the status line and the help.
func (c *common) bodyHeight(keys help.KeyMap, full bool) int {
	switch {
	case keys == nil:
		return c.height
	case !full:
		return c.height - 2 // a short help is one line
	}
	return c.height - 1 - lipgloss.Height(c.help.FullHelpView(keys.FullHelp()))
}

// Screen changes: messages a screen sends (common.send) for the root to act
// on.
type (
	// openActionsMsg opens the actions menu for an account.
	openActionsMsg struct{ id string }
	// openAddMsg opens the add screen, with text pasted into the list (an
	// otpauth URI) if any.
	openAddMsg struct{ text string }
	// openEnrollMsg opens the two-code enrollment view of a TOTP account.
	openEnrollMsg struct{ id string }
	// openRenameMsg, openDeleteMsg and openQRMsg open the dialogs that
	// manage an account.
	openRenameMsg struct{ id string }
	openDeleteMsg struct{ id string }
	openQRMsg     struct{ id string }
	// openHelpMsg shows every key of the list.
	openHelpMsg struct{}
	// openGoogleExportMsg shows every account as Google Authenticator's
	// export QR codes.
	openGoogleExportMsg struct{}
	// closeMsg closes the screen over the list, putting the list's cursor
	// on an account, or on the accounts just added (marked as new).
	closeMsg struct {
		selectID string
		added    []string
	}
	// actionMsg closes the actions menu and has the list do an action on
	// the account the menu was opened for.
	actionMsg struct {
		action listAction
		id     string
	}
	// toastMsg shows a message in the status line for a few seconds.
	toastMsg struct {
		text  string
		isErr bool
	}
	// accountsMsg gives every screen the vault's accounts after they
	// changed: saved here, or by another process.
	accountsMsg []vault.Entry
)

// send gives the root a message to handle once the screen's Update
// returns, before any other message: a key typed right after the one that
// opens a screen goes to that screen. (A command would deliver it later,
// after keys already queued.)
func (c *common) send(msg tea.Msg) { c.outbox = append(c.outbox, msg) }

// toast and toastErr show a message in the status line.
func (c *common) toast(text string)    { c.send(toastMsg{text: text}) }
func (c *common) toastErr(text string) { c.send(toastMsg{text: text, isErr: true}) }

// bind makes a binding with its help: the keys, how the help names them,
// what they do.
func bind(keys []string, k, desc string) key.Binding {
	return key.NewBinding(key.WithKeys(keys...), key.WithHelp(k, desc))
}

// simpleKeys is the help of a screen whose keys are few and fixed.
type simpleKeys []key.Binding

func (k simpleKeys) ShortHelp() []key.Binding  { return k }
func (k simpleKeys) FullHelp() [][]key.Binding { return [][]key.Binding{k} }

func keyIs(msg tea.Msg, b ...key.Binding) bool {
	k, ok := msg.(tea.KeyMsg)
	return ok && key.Matches(k, b...)
}

// displayName is how the interface names an account in its messages:
// "Google alice@gmail.com", as its row shows it.
func displayName(e vault.Entry) string {
	switch {
	case e.Issuer == "":
		return e.Name
	case e.Name == "":
		return e.Issuer
	}
	return e.Issuer + " " + e.Name
}

// entryByID finds an account by ID.
func entryByID(accounts []vault.Entry, id string) (vault.Entry, bool) {
	for _, e := range accounts {
		if e.ID == id {
			return e, true
		}
	}
	return vault.Entry{}, false
}

// fitHeight pads or cuts s to exactly h lines, so the footer stays at the
// bottom and the frame never scrolls.
func fitHeight(s string, h int) string {
	if h <= 0 {
		return ""
	}
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}

// clipWidth cuts every line of s to w cells.
func clipWidth(s string, w int) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if lipgloss.Width(l) > w {
			lines[i] = truncate(l, w)
		}
	}
	return strings.Join(lines, "\n")
}

func indent(s string, n, width int) string {
	pad := strings.Repeat(" ", n)
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = truncate(pad+l, width)
	}
	return strings.Join(lines, "\n")
}

func truncate(s string, w int) string {
	if w <= 0 {
		return ""
	}
	return ansi.Truncate(s, w, "")
}

// fitWords fits s, which may hold styles, in w cells: whole if it fits,
// else cut after the last whole word that leaves room for "…", so that no
// word is shown cut. A first word wider than w is cut all the same.
func fitWords(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if ansi.StringWidth(s) <= w {
		return s
	}
	plain := ansi.Strip(s)
	head := ansi.Strip(ansi.Truncate(s, w-1, ""))
	end := len(head)
	if !strings.HasPrefix(plain[end:], " ") {
		end = strings.LastIndexByte(head, ' ')
	}
	kept := strings.TrimRight(head[:max(end, 0)], " ")
	if strings.TrimSpace(kept) == "" {
		return ansi.Truncate(s, w, "…")
	}
	return ansi.Truncate(s, ansi.StringWidth(kept), "") + "…"
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

func pad(s string, w int) string {
	if n := ansi.StringWidth(s); n < w {
		return s + spaces(w-n)
	}
	return s
}

func humanDuration(d time.Duration) string {
	switch {
	case d%time.Minute == 0 && d >= time.Minute:
		n := int(d / time.Minute)
		if n == 1 {
			return "1 minute"
		}
		return fmt.Sprintf("%d minutes", n)
	case d%time.Second == 0:
		return fmt.Sprintf("%d seconds", int(d/time.Second))
	}
	return d.String()
}

// wrap wraps text at spaces to w cells: the end of a message is often the
// useful part, so it is never cut.
func wrap(s string, w int) string { return ansi.Wordwrap(s, w, "") }

func joinMax(s []string, n int) string {
	if len(s) <= n {
		return strings.Join(s, ", ")
	}
	return strings.Join(s[:n], ", ") + fmt.Sprintf(" and %d more", len(s)-n)
}
