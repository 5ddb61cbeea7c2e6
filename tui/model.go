package tui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/vmfa/vmfa/otp"
	"github.com/vmfa/vmfa/vault"
)

// copyClearAfter is how long a copied code stays on the clipboard.
const copyClearAfter = 20 * time.Second

type screen int

const (
	screenUnlock screen = iota
	screenList
	screenEnroll
	screenAdd
	screenDialog
)

type config struct {
	store      Store
	passphrase string
	clock      func() time.Time
	lockAfter  time.Duration
	workFactor int
	clip       Clipboard
}

// common is the state every screen reads: the terminal's size, the time of
// the last tick and the styles.
type common struct {
	width, height int
	now           time.Time
	st            *styles
}

// Model is the root model. It owns the unlocked vault and the clipboard
// timer, and routes messages to the screen on top.
type Model struct {
	cfg    config
	c      common
	screen screen

	unlock unlockModel
	list   listModel
	enroll enrollModel
	add    addModel
	dialog dialogModel
	help   help.Model

	vault vault.Data // zero when locked
	v     Vault      // nil when locked
	codes codeCache

	lastKey  time.Time
	copied   string // the code we last put on the clipboard, until cleared
	copiedAt time.Time
	// copiedWhat names the copied code in the status line: "code",
	// "MFA code 2".
	copiedWhat string
	toast      toast
	quitting   bool
}

type toast struct {
	text  string
	isErr bool
	until time.Time
}

func newModel(cfg config) Model {
	if cfg.clock == nil {
		cfg.clock = time.Now
	}
	if cfg.lockAfter == 0 {
		cfg.lockAfter = DefaultLockAfter
	}
	if cfg.workFactor == 0 {
		cfg.workFactor = vault.DefaultWorkFactor
	}
	now := cfg.clock()
	m := Model{
		cfg:     cfg,
		c:       common{now: now, st: newStyles()},
		help:    help.New(),
		lastKey: now,
		codes:   codeCache{},
	}
	m.unlock = newUnlockModel(cfg.passphrase != "")
	m.list = newListModel()
	return m
}

// Init checks for a vault, or opens it with the passphrase from the
// environment, and starts the clock.
func (m Model) Init() tea.Cmd {
	return tea.Batch(openCmd(m.cfg.store, m.cfg.passphrase, m.cfg.workFactor), m.tick(), m.unlock.spinner.Tick)
}

func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.c.width, m.c.height = msg.Width, msg.Height
		m.help.Width = msg.Width
		if m.screen == screenAdd {
			m.add.setWidth(msg.Width)
		}
		m.list.clamp(m.listRows())
		return m, nil
	case tickMsg:
		return m.onTick(time.Time(msg))
	case tea.KeyMsg:
		m.lastKey = m.cfg.clock()
		if msg.Type == tea.KeyCtrlC {
			return m.quit()
		}
		if m.screen == screenList && splittable(msg) && !m.list.filter.Focused() {
			return m.splitKeys(msg)
		}
	case unlockedMsg:
		return m.onUnlocked(msg)
	case savedMsg:
		return m.onSaved(msg)
	case hotpMsg:
		return m.onHOTP(msg)
	case copiedMsg:
		if msg.err != nil {
			m.setToast("copying failed: "+msg.err.Error(), true)
			return m, nil
		}
		// The clear is timed from the moment of the copy, read from the
		// clock, not from the last tick (up to a second earlier).
		m.copied, m.copiedAt, m.copiedWhat = msg.code, m.cfg.clock(), msg.what
		m.toast = toast{}
		return m, nil
	case clearedMsg:
		if msg.err != nil {
			m.setToast("clearing the clipboard failed: "+msg.err.Error(), true)
		} else if msg.cleared && m.screen != screenUnlock {
			m.setToast("clipboard cleared", false)
		}
		return m, nil
	}

	var cmd tea.Cmd
	switch m.screen {
	case screenUnlock:
		m, cmd = m.updateUnlock(msg)
	case screenList:
		m, cmd = m.updateList(msg)
	case screenEnroll:
		m, cmd = m.updateEnroll(msg)
	case screenAdd:
		m, cmd = m.updateAdd(msg)
	case screenDialog:
		m, cmd = m.updateDialog(msg)
	}
	return m, cmd
}

func (m Model) onTick(now time.Time) (tea.Model, tea.Cmd) {
	m.c.now = now
	cmds := []tea.Cmd{m.tick()}
	if m.v != nil && m.cfg.lockAfter > 0 && now.Sub(m.lastKey) >= m.cfg.lockAfter {
		var cmd tea.Cmd
		m, cmd = m.lock()
		return m, tea.Batch(append(cmds, cmd)...)
	}
	if m.copied != "" && now.Sub(m.copiedAt) >= copyClearAfter {
		// clearedMsg says "clipboard cleared" if the code was still there.
		cmds = append(cmds, clearCmd(m.cfg.clip, m.copied))
		m.copied = ""
	}
	if m.toast.text != "" && !now.Before(m.toast.until) {
		m.toast = toast{}
	}
	m.codes.refresh(m.vault.Accounts, now)
	return m, tea.Batch(cmds...)
}

// lock drops the secrets and returns to the unlock screen.
func (m Model) lock() (Model, tea.Cmd) {
	var cmd tea.Cmd
	if m.copied != "" {
		cmd = clearCmd(m.cfg.clip, m.copied)
		m.copied = ""
	}
	m.v = nil
	m.vault = vault.Data{}
	m.codes = codeCache{}
	m.list = newListModel()
	m.enroll = enrollModel{}
	m.add = addModel{}
	m.dialog = dialogModel{}
	m.toast = toast{}
	m.screen = screenUnlock
	m.unlock = newUnlockModel(false)
	m.unlock.exists = true
	m.unlock.checked = true
	m.unlock.note = "Locked after " + humanDuration(m.cfg.lockAfter) + " without a key press."
	return m, tea.Batch(cmd, m.unlock.input.Focus())
}

// splittable is a key message that holds several typed keys: Bubble Tea
// merges runes that arrive together (fast typing, a key held down) into one
// KeyRunes message. A paste is not split, nor an otpauth URI typed in by a
// terminal without bracketed paste.
func splittable(km tea.KeyMsg) bool {
	return km.Type == tea.KeyRunes && !km.Paste && len(km.Runes) > 1 && !looksLikeOTPAuth(string(km.Runes))
}

// splitKeys handles the runes of a merged key message one at a time, as the
// keys they were typed as: "jjj" moves down three rows. Once a key opens the
// filter or another screen, the rest goes there as one message, as typed
// text does.
func (m Model) splitKeys(km tea.KeyMsg) (tea.Model, tea.Cmd) {
	var cmds []tea.Cmd
	runes := km.Runes
	for i, r := range runes {
		if m.quitting {
			break
		}
		one := km
		if m.screen != screenList || m.list.filter.Focused() {
			one.Runes = runes[i:]
			mm, cmd := m.Update(one)
			m, cmds = mm.(Model), append(cmds, cmd)
			break
		}
		one.Runes = []rune{r}
		mm, cmd := m.Update(one)
		m, cmds = mm.(Model), append(cmds, cmd)
	}
	return m, tea.Batch(cmds...)
}

func (m Model) quit() (Model, tea.Cmd) {
	m.quitting = true
	if m.copied != "" {
		code := m.copied
		m.copied = ""
		return m, tea.Sequence(clearCmd(m.cfg.clip, code), tea.Quit)
	}
	return m, tea.Quit
}

func (m Model) onUnlocked(msg unlockedMsg) (tea.Model, tea.Cmd) {
	m.unlock.busy = false
	if msg.err != nil {
		return m.unlockFailed(msg.err)
	}
	m.v = msg.v
	m.unlock = unlockModel{}
	m.lastKey = m.cfg.clock()
	m.c.now = m.lastKey
	m.screen = screenList
	m.setVault(*msg.data)
	if msg.created {
		m.setToast("vault created", false)
	}
	return m, nil
}

// setVault takes a new copy of the vault's data: the list and the codes
// follow it, and the codes of accounts removed are forgotten.
func (m *Model) setVault(d vault.Data) {
	m.vault = d
	m.list.setEntries(d.Accounts, m.listRows())
	m.codes.prune(d.Accounts)
	m.codes.refresh(d.Accounts, m.c.now)
}

func (m Model) onSaved(msg savedMsg) (tea.Model, tea.Cmd) {
	if m.v == nil {
		return m, nil // locked meanwhile
	}
	if msg.err != nil {
		if m.screen == screenAdd {
			m.add.busy = false
			m.add.err = msg.err.Error()
			return m, nil
		}
		m.setToast(msg.err.Error(), true)
		return m, nil
	}
	m.setVault(*msg.data)
	if msg.select_ != "" {
		m.list.selectID(msg.select_, m.listRows())
	}
	if msg.toast != "" {
		m.setToast(msg.toast, false)
	}
	if m.screen == screenDialog {
		m.screen = screenList
		m.dialog = dialogModel{}
	}
	if m.screen == screenAdd {
		m.add = addModel{}
		m.screen = screenList
		if msg.enroll {
			for _, e := range msg.added {
				if e.Type == otp.TOTP {
					m.enroll = newEnrollModel(e.ID)
					m.screen = screenEnroll
					break
				}
			}
		}
	}
	return m, nil
}

func (m *Model) setToast(text string, isErr bool) {
	d := 4 * time.Second
	if isErr {
		d = 8 * time.Second
	}
	m.toast = toast{text: text, isErr: isErr, until: m.c.now.Add(d)}
}

// entry returns the vault entry with the given ID.
func (m *Model) entry(id string) (vault.Entry, bool) {
	if i := m.vault.Index(id); i >= 0 {
		return m.vault.Accounts[i], true
	}
	return vault.Entry{}, false
}

// View draws the screen on top from the model alone.
func (m Model) View() string {
	if m.quitting || m.c.width <= 0 || m.c.height <= 0 {
		return ""
	}
	if m.screen == screenDialog && m.dialog.kind == dialogQR {
		// The QR code takes the whole terminal, without the footer: any
		// key closes it.
		return fitHeight(clipWidth(m.viewDialog(), m.c.width), m.c.height)
	}
	var body string
	switch m.screen {
	case screenUnlock:
		body = m.viewUnlock()
	case screenList:
		body = m.viewList()
	case screenEnroll:
		body = m.viewEnroll()
	case screenAdd:
		body = m.viewAdd()
	case screenDialog:
		body = m.viewDialog()
	}
	footer := m.viewFooter()
	bodyH := m.c.height - lipgloss.Height(footer)
	if m.screen != screenList {
		// The list fits its rows itself; other screens may hold long text.
		body = clipWidth(body, m.c.width)
	}
	return fitHeight(body, bodyH) + "\n" + footer
}

// keyMap is the help of the screen on top.
func (m *Model) keyMap() help.KeyMap {
	switch m.screen {
	case screenUnlock:
		return m.unlockKeys()
	case screenList:
		return m.listHelp()
	case screenEnroll:
		return m.enroll.keys
	case screenAdd:
		return m.addKeys()
	}
	return m.dialogKeys()
}

// fullHelp reports whether the screen on top shows its full help: each
// screen with a ? key has its own toggle, reset when it is left.
func (m *Model) fullHelp() bool {
	switch m.screen {
	case screenList:
		return m.list.full && !m.list.filter.Focused()
	case screenEnroll:
		return m.enroll.full
	}
	return false
}

// viewFooter is the status line (a toast, or the clipboard countdown) and
// the help.
func (m *Model) viewFooter() string {
	st := m.c.st
	status := ""
	// The newest message wins: copying drops the toasts before it, so a
	// toast set since (an account added, an error) hides the countdown
	// until it expires.
	switch {
	case m.toast.text != "" && m.toast.isErr:
		status = st.err.Render("✗ " + m.toast.text)
	case m.toast.text != "":
		status = st.ok.Render("✓ " + m.toast.text)
	case m.copied != "":
		left := min(copyClearAfter, copyClearAfter-m.c.now.Sub(m.copiedAt))
		secs := max(0, int((left+time.Second-1)/time.Second))
		status = st.ok.Render(fmt.Sprintf("✓ %s copied — clears in %d s", m.copiedWhat, secs))
	}
	status = truncate(" "+status, m.c.width)
	return status + "\n" + m.viewHelp()
}

func (m *Model) viewHelp() string {
	keys := m.keyMap()
	var h string
	if m.fullHelp() {
		h = m.help.FullHelpView(keys.FullHelp())
	} else {
		h = m.help.ShortHelpView(keys.ShortHelp())
	}
	return indent(h, 1, m.c.width)
}

// footerHeight is the height of the status line and the help. A short
// help is one line; only a full one is drawn to be measured.
func (m *Model) footerHeight() int {
	if !m.fullHelp() {
		return 2
	}
	return 1 + lipgloss.Height(m.viewHelp())
}

// listRows is how many accounts the list shows: the height less the
// header, the filter line and the list's footer (whatever screen is on top).
func (m *Model) listRows() int {
	footer := 2
	if m.list.full && !m.list.filter.Focused() {
		footer = 1 + lipgloss.Height(m.help.FullHelpView(m.list.keys.FullHelp()))
	}
	return max(1, m.c.height-2-footer)
}

func (m *Model) listHelp() help.KeyMap {
	if m.list.filter.Focused() {
		return m.list.fkeys
	}
	return m.list.keys
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

func keyIs(msg tea.Msg, b ...key.Binding) bool {
	k, ok := msg.(tea.KeyMsg)
	return ok && key.Matches(k, b...)
}
