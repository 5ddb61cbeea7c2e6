package tui

import (
	"cmp"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/vmfa/vmfa/internal/clipboard"
	"github.com/vmfa/vmfa/internal/testenv"
	"github.com/vmfa/vmfa/otp"
	"github.com/vmfa/vmfa/vault"
)

// updating reports -update, the flag that teatest's golden package defines.
func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

func TestMain(m *testing.M) {
	lipgloss.SetColorProfile(termenv.Ascii)
	lipgloss.SetHasDarkBackground(true)
	os.Exit(m.Run())
}

const testPass = "correct horse battery"

// t0 is 12:00:23 UTC: 7 seconds left in the window, so rows show the
// next code too.
var t0 = time.Date(2026, 3, 14, 12, 0, 23, 0, time.UTC)

// Demo accounts with fake secrets.
var demo = []otp.Account{
	{Issuer: "GitHub", Name: "alice@example.com", Secret: "JBSWY3DPEHPK3PXP"},
	{Issuer: "Amazon Web Services", Name: "root@prod-account", Secret: "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"},
	{Issuer: "Google", Name: "alice.personal@gmail.com", Secret: "MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U"},
	{Issuer: "Cloudflare", Name: "ops", Secret: "KRSXG5CTMVRXEZLUKN2XAZLSONSWG4TF", Digits: 8},
	{Issuer: "Hetzner", Name: "alice", Secret: "ONSWG4TFOQYTEMZUGU3DOOBZGA2DGNBV", Type: otp.HOTP, Counter: 7},
	{Issuer: "Proton", Name: "alice@proton.me", Secret: "NBSWY3DPO5XXE3DEEBVGK3DJNZTQ2LBA"},
}

// fakeClock is a settable clock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}
func (c *fakeClock) Add(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
	return c.t
}

// fakeClipboard records what the TUI copies and clears.
type fakeClipboard struct {
	mu      sync.Mutex
	content string
	copies  []string
	clears  []string
	image   []byte
}

func (c *fakeClipboard) Copy(s string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.content = s
	c.copies = append(c.copies, s)
	return nil
}

func (c *fakeClipboard) ClearIf(s string) (bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.clears = append(c.clears, s)
	if c.content == s {
		c.content = ""
		return true, nil
	}
	return false, nil
}

// CopiedVia says the fake's own route for the text it holds.
func (c *fakeClipboard) CopiedVia(s string) (clipboard.Route, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return "fake", c.content == s
}

func (c *fakeClipboard) ClearVia(s string, _ clipboard.Route) (bool, error) { return c.ClearIf(s) }

func (c *fakeClipboard) ReadImage() ([]byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.image == nil {
		return nil, os.ErrNotExist
	}
	return c.image, nil
}

func (c *fakeClipboard) Content() string { c.mu.Lock(); defer c.mu.Unlock(); return c.content }
func (c *fakeClipboard) Copies() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.copies...)
}

// newVault creates a real vault (work factor 10) holding accounts.
func newVault(t testing.TB, accounts ...otp.Account) *vault.Store {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "vault")
	s := vault.Open(dir)
	v, err := s.Create(testPass, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(accounts) > 0 {
		if _, err := v.Update(func(d *vault.Data) error {
			for _, a := range accounts {
				if err := a.Normalize(); err != nil {
					return err
				}
				if _, err := d.Add(a, t0); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

func testConfig(s *vault.Store, clock *fakeClock, clip *fakeClipboard) config {
	return config{store: storeAdapter{s: s}, clock: clock.Now, clip: clip, workFactor: 10, lockAfter: DefaultLockAfter}
}

// unlocked returns a model on the list screen at size w×h, as it is after
// the unlock command has returned.
func unlocked(t testing.TB, s *vault.Store, clock *fakeClock, clip *fakeClipboard, w, h int) Model {
	t.Helper()
	m := newModel(untimed(testConfig(s, clock, clip)))
	m = send(m, tea.WindowSizeMsg{Width: w, Height: h})
	m = send(m, openVault(storeAdapter{s: s}, testPass))
	if m.locked() || m.over != nil {
		t.Fatalf("not on the list: %q", m.unlock.err)
	}
	return m
}

// over returns the screen over the list, as type S, or fails.
func over[S screen](t testing.TB, m Model) S {
	t.Helper()
	s, ok := m.over.(S)
	if !ok {
		var want S
		t.Fatalf("the screen on top is %T, want %T:\n%s", m.top(), want, m.View())
	}
	return s
}

// onList reports whether the list is on top.
func onList(m Model) bool { return !m.locked() && m.over == nil }

// typeKeys sends s one key at a time, as typed.
func typeKeys(m Model, s string) Model {
	for _, r := range s {
		m = send(m, keys(string(r)))
	}
	return m
}

// code returns an account's code (or the next one) at an instant, as
// oathtool computes it: the reference the interface's codes are checked
// against is not the code under test.
func code(t testing.TB, a otp.Account, at time.Time, next bool) string {
	t.Helper()
	digits := cmp.Or(a.Digits, 6)
	digitsOpt := "--digits=" + strconv.Itoa(digits)
	var c string
	if a.Type == otp.HOTP {
		counter := a.Counter
		if next {
			counter++
		}
		c = testenv.OathHOTP(t, a.Secret, counter, digitsOpt)
	} else {
		alg := strings.ToLower(string(cmp.Or(a.Algorithm, otp.SHA1)))
		period := strconv.Itoa(cmp.Or(a.Period, 30)) + "s"
		cur, nextCode := testenv.OathTOTP(t, a.Secret, at, digitsOpt, "--totp="+alg, "--time-step-size="+period)
		c = cur
		if next {
			c = nextCode
		}
	}
	if len(c) != digits {
		t.Fatalf("oathtool printed %q", c)
	}
	return c
}

// untimed turns the model's ticks off: the tests that use send give it
// their own.
func untimed(cfg config) config {
	cfg.every = func(time.Duration, func(time.Time) tea.Msg) tea.Cmd { return nil }
	return cfg
}

// send runs one message through Update and the messages its commands return
// at once (not ticks, spinners or other timers).
func send(m Model, msg tea.Msg) Model {
	mm, cmd := m.Update(msg)
	m = mm.(Model)
	runCmd(&m, cmd, 0)
	return m
}

func runCmd(m *Model, cmd tea.Cmd, depth int) {
	if cmd == nil || depth > 5 {
		return
	}
	// The model's ticks are off (untimed): what remains is I/O, which may
	// take a while on a loaded machine, and spinners, whose ticks are
	// dropped.
	done := make(chan tea.Msg, 1)
	go func() { done <- cmd() }()
	var msg tea.Msg
	select {
	case msg = <-done:
	case <-time.After(10 * time.Second):
		panic("a command took over 10 s")
	}
	switch msg := msg.(type) {
	case nil:
	case tea.BatchMsg:
		for _, c := range msg {
			runCmd(m, c, depth+1)
		}
	default:
		if isSpinnerOrBlink(msg) {
			return
		}
		mm, c := m.Update(msg)
		*m = mm.(Model)
		runCmd(m, c, depth+1)
	}
}

func isSpinnerOrBlink(msg tea.Msg) bool {
	t := strings.TrimPrefix(typeName(msg), "*")
	return strings.HasPrefix(t, "spinner.") || strings.HasPrefix(t, "cursor.")
}

func typeName(v any) string { return strings.TrimSpace(strings.SplitN(sprintT(v), " ", 2)[0]) }

func keys(s string) tea.KeyMsg { return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)} }

func special(t tea.KeyType) tea.KeyMsg { return tea.KeyMsg{Type: t} }

// golden compares got with testdata/name.golden.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if updating() {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./tui -run %s -update)", err, t.Name())
	}
	if got != string(want) {
		t.Errorf("%s differs from %s:\n--- got ---\n%s\n--- want ---\n%s", t.Name(), path, got, want)
	}
}

func sprintT(v any) string { return fmt.Sprintf("%T", v) }

// paste is a bracketed paste.
func paste(s string) tea.KeyMsg { return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s), Paste: true} }
