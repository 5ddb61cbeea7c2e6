package tui

import (
	"fmt"
	"image"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/vmfa/vmfa/internal/clipboard"
	"github.com/vmfa/vmfa/internal/screenshot"
	"github.com/vmfa/vmfa/internal/termsafe"
	"github.com/vmfa/vmfa/vault"
)

type config struct {
	store      Store
	passphrase string
	clock      func() time.Time
	// every is the timer of the ticks, tea.Every; tests that send their own
	// ticks turn it off.
	every      func(time.Duration, func(time.Time) tea.Msg) tea.Cmd
	lockAfter  time.Duration
	workFactor int
	clip       Clipboard
	// capture takes the pictures of the screens; nil means
	// screenshot.Capture (tests inject their own).
	capture   func() ([]image.Image, error)
	clockNote string // what the header says of the clock (Options.ClockNote)
	clockWarn string // Options.ClockWarning
	unlocked  Vault  // Options.Vault: opened already
	// awsProfiles reads the AWS profiles (Options.AWSProfiles); nil
	// when there are none.
	awsProfiles func() ([]AWSProfile, bool)
	syncer      Syncer // Options.Sync; nil when the vault does not sync
}

// Model is the root model. It owns the unlocked vault's accounts, the
// clipboard timer, the idle lock and the status line; it opens and closes
// screens when they ask (screen.go), and routes every other message to the
// screen on top.
type Model struct {
	cfg config
	c   common

	unlock unlockScreen // while locked
	list   listScreen   // while unlocked, under the others
	over   screen       // the screen over the list, or nil

	// accounts are the vault's, as last loaded or saved; nil when locked.
	// gen counts their changes, so that a reload read before a save of
	// ours is recognised as stale. stamp identifies the vault.age they
	// were read from, to notice other processes' saves.
	accounts []vault.Entry
	gen      int
	stamp    vault.Stamp
	checking bool // a check for changes is under way
	// syncing says a sync runs in the background; syncAgain that a
	// change came meanwhile, which the next one takes. The next sync on
	// the clock is at nextSync, syncWait after the last one ended.
	syncing, syncAgain bool
	nextSync           time.Time
	syncWait           time.Duration

	lastKey    time.Time
	copied     string // the code we last put on the clipboard, until cleared
	copyRecord copyRecord
	copiedAt   time.Time
	copiedWhat string // what the status line says was copied
	status     status
	quitting   bool
}

// status is a message shown in the status line until it expires.
type status struct {
	text  string
	isErr bool
	until time.Time
}

func newModel(cfg config) Model {
	if cfg.clock == nil {
		cfg.clock = time.Now
	}
	if cfg.every == nil {
		cfg.every = tea.Every
	}
	if cfg.lockAfter == 0 {
		cfg.lockAfter = DefaultLockAfter
	}
	if cfg.capture == nil {
		cfg.capture = screenshot.Capture
	}
	if cfg.workFactor == 0 {
		cfg.workFactor = vault.DefaultWorkFactor
	}
	now := cfg.clock()
	h := help.New()
	var profiles []AWSProfile
	if cfg.awsProfiles != nil {
		profiles, _ = cfg.awsProfiles()
	}
	return Model{
		cfg: cfg,
		c: common{
			now:         now,
			st:          newStyles(),
			help:        &h,
			clip:        cfg.clip,
			capture:     cfg.capture,
			clockNote:   cfg.clockNote,
			clockWarn:   cfg.clockWarn,
			awsProfiles: profiles,
		},
		unlock:  newUnlockScreen(cfg.store, cfg.workFactor, cfg.passphrase != ""),
		lastKey: now,
	}
}

// tick asks for the next tick, on the next second of the wall clock, with
// the time read from the injected clock.
func (m *Model) tick() tea.Cmd {
	clock := m.cfg.clock
	return m.cfg.every(time.Second, func(time.Time) tea.Msg { return tickMsg(clock()) })
}

func (m *Model) locked() bool { return m.c.vault == nil }

// Init checks for a vault, or opens it with the passphrase from the
// environment, and starts the clock.
func (m Model) Init() tea.Cmd {
	open := openCmd(m.cfg.store, m.cfg.passphrase, m.cfg.workFactor)
	if v := m.cfg.unlocked; v != nil {
		open = func() tea.Msg { return load(v, false) }
	}
	return tea.Batch(open, m.tick(), m.unlock.spinner.Tick)
}

func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	m, cmd := m.update(msg)
	// What the screens sent meanwhile, in order, before the next message.
	cmds := []tea.Cmd{cmd}
	for len(m.c.outbox) > 0 {
		next := m.c.outbox[0]
		m.c.outbox = m.c.outbox[1:]
		m, cmd = m.update(next)
		cmds = append(cmds, cmd)
	}
	m.c.outbox = nil
	return m, tea.Batch(cmds...)
}

func (m Model) update(msg tea.Msg) (Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.c.width, m.c.height = msg.Width, msg.Height
		m.c.help.Width = max(0, msg.Width-1) // the help line is indented by one
		return m, m.broadcast(msg)
	case tickMsg:
		return m.onTick(time.Time(msg))
	case tea.KeyMsg:
		m.lastKey = m.cfg.clock()
		if keyIs(msg, quitKey) {
			return m.quit()
		}
	case unlockedMsg:
		return m.onUnlocked(msg)
	case reloadedMsg:
		return m.onReloaded(msg)
	case awsProfilesMsg:
		// The rows name the profiles anew, the accounts as they are.
		m.c.awsProfiles = msg
		return m, m.broadcast(accountsMsg(m.accounts))
	case claimFailedMsg:
		m.setStatus("recording the copied code as used failed: "+msg.err.Error(), true)
		return m, nil
	case copiedMsg:
		if msg.err != nil {
			m.setStatus("copying failed: "+msg.err.Error(), true)
			return m, nil
		}
		var cmd tea.Cmd
		if m.copied != "" {
			cmd = replacedCmd(m.cfg.clip, m.copied, msg.code, m.copyRecord)
		}
		// The clear is timed from the moment of the copy, read from the
		// clock, not from the last tick (up to a second earlier).
		m.copied, m.copiedAt, m.copiedWhat = msg.code, m.cfg.clock(), msg.what
		m.copyRecord = msg.record
		m.status = status{}
		return m, cmd
	case clearedMsg:
		if msg.err != nil {
			m.setStatus("clearing the clipboard failed: "+msg.err.Error(), true)
		} else if msg.cleared && !m.locked() {
			m.setStatus("clipboard cleared", false)
		}
		return m, nil
	case toastMsg:
		m.setStatus(msg.text, msg.isErr)
		return m, nil
	case syncedMsg:
		return m.onSynced(msg)
	}
	if m.locked() {
		s, cmd := m.unlock.Update(&m.c, msg)
		m.unlock = s.(unlockScreen)
		return m, cmd
	}
	if cmd, ok := m.changeScreen(msg); ok {
		return m, cmd
	}
	var cmds []tea.Cmd
	if ch, ok := msg.(changedVault); ok && ch.savedData() != nil {
		cmds = append(cmds, m.setAccounts(ch.savedData().Accounts), m.startSync())
	}
	switch msg.(type) {
	case listSavedMsg, takenMsg, closeMsg, actionMsg:
		// The list's own results, and what the screen closed over it
		// asks of it.
		cmds = append(cmds, m.updateList(msg))
	default:
		cmds = append(cmds, m.updateTop(msg))
	}
	return m, tea.Batch(cmds...)
}

// changeScreen opens or closes a screen over the list when one asks.
func (m *Model) changeScreen(msg tea.Msg) (tea.Cmd, bool) {
	c := &m.c
	switch msg := msg.(type) {
	case openActionsMsg:
		e, ok := m.selectAccount(msg.id)
		m.over = newActionsScreen(e, ok)
	case openAddMsg:
		a, cmd := newAddScreen(c), tea.Cmd(nil)
		if msg.text != "" {
			a, cmd = a.pasted(msg.text)
		}
		m.over = a
		return cmd, true
	case openHelpMsg:
		m.over = helpScreen{}
	case openGoogleExportMsg:
		m.over = newGoogleExportScreen(m.accounts)
	case openEnrollMsg:
		return m.openFor(msg.id, func(e vault.Entry) (screen, tea.Cmd) { return newEnrollScreen(c, e), nil }), true
	case openRenameMsg:
		return m.openFor(msg.id, func(e vault.Entry) (screen, tea.Cmd) { return newRenameDialog(e) }), true
	case openDeleteMsg:
		return m.openFor(msg.id, func(e vault.Entry) (screen, tea.Cmd) { return deleteDialog{entry: e}, nil }), true
	case openQRMsg:
		return m.openFor(msg.id, func(e vault.Entry) (screen, tea.Cmd) { return qrDialog{entry: e}, nil }), true
	case closeMsg, actionMsg:
		m.over = nil
		return nil, false // the list has its part to do
	default:
		return nil, false
	}
	return nil, true
}

// openFor opens the screen open makes for an account, with the account
// selected in the list under it.
func (m *Model) openFor(id string, open func(vault.Entry) (screen, tea.Cmd)) tea.Cmd {
	e, ok := m.selectAccount(id)
	if !ok {
		m.over = nil
		m.setStatus(errGone.Error(), true)
		return nil
	}
	var cmd tea.Cmd
	m.over, cmd = open(e)
	return cmd
}

// selectAccount finds an account and puts the list's cursor on it.
func (m *Model) selectAccount(id string) (vault.Entry, bool) {
	e, ok := entryByID(m.accounts, id)
	if ok {
		m.list.selectID(&m.c, id)
	}
	return e, ok
}

func (m *Model) updateList(msg tea.Msg) tea.Cmd {
	s, cmd := m.list.Update(&m.c, msg)
	m.list = s.(listScreen)
	return cmd
}

// updateTop sends msg to the screen on top.
func (m *Model) updateTop(msg tea.Msg) tea.Cmd {
	if m.over == nil {
		return m.updateList(msg)
	}
	var cmd tea.Cmd
	m.over, cmd = m.over.Update(&m.c, msg)
	return cmd
}

// broadcast sends msg to every screen alive: the size, the time and the
// accounts concern them all.
func (m *Model) broadcast(msg tea.Msg) tea.Cmd {
	if m.locked() {
		s, cmd := m.unlock.Update(&m.c, msg)
		m.unlock = s.(unlockScreen)
		return cmd
	}
	cmd := m.updateList(msg)
	if m.over != nil {
		var c2 tea.Cmd
		m.over, c2 = m.over.Update(&m.c, msg)
		cmd = tea.Batch(cmd, c2)
	}
	return cmd
}

// setAccounts takes the vault's accounts after a change and gives them to
// the screens.
func (m *Model) setAccounts(accounts []vault.Entry) tea.Cmd {
	m.accounts = accounts
	m.gen++
	return m.broadcast(accountsMsg(accounts))
}

func (m Model) onTick(now time.Time) (Model, tea.Cmd) {
	m.c.now = now
	cmds := []tea.Cmd{m.tick()}
	if !m.locked() && m.cfg.lockAfter > 0 && now.Sub(m.lastKey) >= m.cfg.lockAfter {
		return m, tea.Batch(append(cmds, m.lock())...)
	}
	if m.copied != "" && now.Sub(m.copiedAt) >= clipboard.ClearAfter {
		// clearedMsg says "clipboard cleared" if the code was still there.
		cmds = append(cmds, clearCmd(m.cfg.clip, m.copied, m.copyRecord))
		m.copied = ""
	}
	if m.status.text != "" && !now.Before(m.status.until) {
		m.status = status{}
	}
	if m.cfg.syncer != nil {
		m.c.syncNote = m.cfg.syncer.State(now)
		if !m.locked() && !m.syncing && !now.Before(m.nextSync) {
			cmds = append(cmds, m.startSync()) // what other machines changed
		}
	}
	if !m.locked() {
		cmds = append(cmds, m.broadcast(tickMsg(now)))
		if !m.checking {
			// Once a second, a stat: has another process saved?
			m.checking = true
			cmds = append(cmds, checkCmd(m.c.vault, m.stamp, m.gen), awsProfilesCmd(m.cfg.awsProfiles))
		}
	}
	return m, tea.Batch(cmds...)
}

// lock drops the secrets and returns to the unlock screen.
func (m *Model) lock() tea.Cmd {
	var cmd tea.Cmd
	if m.copied != "" {
		cmd = clearCmd(m.cfg.clip, m.copied, m.copyRecord)
		m.copied = ""
	}
	m.c.vault = nil
	m.accounts = nil
	m.list = listScreen{}
	m.over = nil
	m.status = status{}
	m.stamp, m.checking = vault.Stamp{}, false
	m.unlock = lockedScreen(m.cfg.store, m.cfg.workFactor,
		"Locked after "+humanDuration(m.cfg.lockAfter)+" without a key press.")
	return tea.Batch(cmd, m.unlock.input.Focus())
}

func (m Model) quit() (Model, tea.Cmd) {
	m.quitting = true
	if m.copied != "" {
		code := m.copied
		m.copied = ""
		return m, tea.Sequence(clearCmd(m.cfg.clip, code, m.copyRecord), tea.Quit)
	}
	return m, tea.Quit
}

func (m Model) onUnlocked(msg unlockedMsg) (Model, tea.Cmd) {
	if msg.err != nil {
		var cmd tea.Cmd
		m.unlock, cmd = m.unlock.failed(msg.err)
		return m, cmd
	}
	typeahead := m.unlock.typeahead
	m.unlock = unlockScreen{}
	m.c.vault = msg.v
	m.stamp = msg.stamp
	m.lastKey = m.cfg.clock()
	m.c.now = m.lastKey
	m.list = newListScreen()
	cmds := []tea.Cmd{m.setAccounts(msg.data.Accounts), clearLeftoversCmd(m.cfg.clip, msg.v, msg.data), m.startSync()}
	if msg.created {
		m.setStatus("vault created", false)
	}
	if len(msg.notes) > 0 {
		m.setStatus(strings.Join(msg.notes, "; "), false)
	}
	// The keys typed while the vault was being unlocked were for the list.
	for _, k := range typeahead {
		mm, cmd := m.Update(k)
		m, cmds = mm.(Model), append(cmds, cmd)
	}
	return m, tea.Batch(cmds...)
}

// onReloaded takes what another process saved, keeping the query and the
// selection (the list does).
func (m Model) onReloaded(msg reloadedMsg) (Model, tea.Cmd) {
	m.checking = false
	if m.locked() || msg.gen != m.gen {
		return m, nil // locked, or read before a save of ours: check again
	}
	m.stamp = msg.stamp
	if msg.err != nil {
		// Said once: the next attempt waits for the next change.
		m.setStatus("reading the vault's changes failed: "+msg.err.Error(), true)
		return m, nil
	}
	if msg.data == nil {
		return m, nil
	}
	return m, m.setAccounts(msg.data.Accounts)
}

// startSync starts a sync in the background if the vault syncs, or, if
// one runs, has the next one start when it ends.
func (m *Model) startSync() tea.Cmd {
	v := rawVault(m.c.vault)
	if m.cfg.syncer == nil || v == nil {
		return nil
	}
	if m.syncing {
		m.syncAgain = true
		return nil
	}
	m.syncing, m.syncAgain = true, false
	return syncCmd(m.cfg.syncer, v)
}

// onSynced notes a sync's end: the header says how it stands, and the
// status line what went wrong, if anything the header does not say.
func (m Model) onSynced(msg syncedMsg) (Model, tea.Cmd) {
	now := m.cfg.clock()
	m.syncing = false
	m.c.syncNote = m.cfg.syncer.State(now)
	if m.cfg.syncer.Offline() {
		m.syncWait = min(2*max(m.syncWait, SyncEvery), SyncEveryOffline)
	} else {
		m.syncWait = SyncEvery
	}
	m.nextSync = now.Add(m.syncWait)
	if msg.err != nil {
		m.setStatus("sync: "+msg.err.Error(), true)
	}
	if m.syncAgain && !m.locked() {
		return m, m.startSync()
	}
	return m, nil
}

func (m *Model) setStatus(text string, isErr bool) {
	d := 4 * time.Second
	if isErr {
		d = 8 * time.Second
	}
	// Errors quote paths, names and other programs' words.
	m.status = status{text: termsafe.Escape(text), isErr: isErr, until: m.c.now.Add(d)}
}

// top is the screen on top.
func (m *Model) top() screen {
	switch {
	case m.locked():
		return m.unlock
	case m.over != nil:
		return m.over
	}
	return m.list
}

// View draws the screen on top, and the status and help lines under it.
func (m Model) View() string {
	if m.quitting || m.c.width <= 0 || m.c.height <= 0 {
		return ""
	}
	// A copy of common for the screens to read: handing them the model's
	// own would move the whole model to the heap on every frame.
	c := m.c
	var (
		body string
		keys help.KeyMap
		full bool
	)
	switch {
	case m.locked():
		keys, full = m.unlock.Help()
		body = m.unlock.View(&c)
	case m.over != nil:
		keys, full = m.over.Help()
		body = m.over.View(&c)
	default:
		// The list fits its rows to the width itself, and is drawn most
		// often: no need to measure its lines again.
		keys, full = m.list.Help()
		body = m.list.View(&c)
	}
	if m.locked() || m.over != nil {
		// Other screens hold free text: cut it at the edge.
		body = clipWidth(body, c.width)
	}
	if keys == nil {
		return fitHeight(body, c.height)
	}
	return fitHeight(body, c.bodyHeight(keys, full)) + "\n" + m.viewStatus() + "\n" + m.viewHelp(keys, full)
}

// viewStatus is the status line: a message, or the clipboard countdown.
func (m *Model) viewStatus() string {
	st := m.c.st
	line := ""
	// The newest message wins: copying drops the messages before it, so
	// one set since (an account added, an error) hides the countdown until
	// it expires.
	switch {
	case m.status.text != "" && m.status.isErr:
		line = st.err.Render("✗ " + m.status.text)
	case m.status.text != "":
		line = st.ok.Render("✓ " + m.status.text)
	case m.copied != "":
		left := min(clipboard.ClearAfter, clipboard.ClearAfter-m.c.now.Sub(m.copiedAt))
		secs := max(0, int((left+time.Second-1)/time.Second))
		// What was copied gives way before the countdown does.
		rest := fmt.Sprintf(" copied — clears in %d s", secs)
		what := fit(m.copiedWhat, m.c.width-1-ansi.StringWidth("✓ "+rest))
		line = st.ok.Render("✓ " + what + rest)
	}
	return fitWords(" "+line, m.c.width)
}

func (m *Model) viewHelp(keys help.KeyMap, full bool) string {
	var h string
	if full {
		h = m.c.help.FullHelpView(keys.FullHelp())
	} else {
		h = cutAtSeparator(m.c.help.ShortHelpView(keys.ShortHelp()), m.c.help.Width, m.c.help.ShortSeparator)
	}
	return indent(h, 1, m.c.width)
}

// cutAtSeparator shortens a short help line wider than w after the last
// whole key that fits, with " …" if that fits too. The help model does so
// itself, except when the "…" does not fit after the last key: then it adds
// the next key whole, which the edge would cut mid-word.
func cutAtSeparator(h string, w int, sep string) string {
	if ansi.StringWidth(h) <= w {
		return h
	}
	plain := ansi.Strip(h)
	for end := len(plain); end > 0; {
		end = strings.LastIndex(plain[:end], sep)
		if n := ansi.StringWidth(plain[:max(end, 0)]); end > 0 && n <= w {
			if n+2 <= w {
				return ansi.Truncate(h, n, "") + " …"
			}
			return ansi.Truncate(h, n, "")
		}
	}
	return fitWords(h, w)
}

// footerHeight is the height of the status line and the help of the screen
// on top.
func (m *Model) footerHeight() int {
	keys, full := m.top().Help()
	return m.c.height - m.c.bodyHeight(keys, full)
}
