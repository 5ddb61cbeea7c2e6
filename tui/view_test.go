package tui

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/vmfa/vmfa/otp"
	"github.com/vmfa/vmfa/vault"
)

func TestViewList(t *testing.T) {
	s := newVault(t, demo...)
	for _, size := range [][2]int{{60, 15}, {100, 30}, {250, 80}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			clock := &fakeClock{t: t0}
			m := unlocked(t, s, clock, &fakeClipboard{}, size[0], size[1])
			v := m.View()
			checkFrame(t, v, size[0], size[1])
			golden(t, fmt.Sprintf("list-%dx%d", size[0], size[1]), v)
		})
	}
}

// checkFrame asserts a frame fills the terminal exactly: h lines of at most
// w cells, so nothing wraps or scrolls.
func checkFrame(t *testing.T, v string, w, h int) {
	t.Helper()
	lines := strings.Split(v, "\n")
	if len(lines) != h {
		t.Errorf("frame has %d lines, want %d", len(lines), h)
	}
	for i, l := range lines {
		if n := len([]rune(l)); n > w {
			t.Errorf("line %d is %d cells wide, over %d: %q", i, n, w, l)
		}
	}
}

func TestViewUnlockAndFirstRun(t *testing.T) {
	clock := &fakeClock{t: t0}
	s := newVault(t)
	m := newModel(untimed(testConfig(s, clock, &fakeClipboard{})))
	m = send(m, tea.WindowSizeMsg{Width: 60, Height: 15})
	m = send(m, vaultStateMsg{exists: true})
	m = send(m, keys("hunter2"))
	v := m.View()
	checkFrame(t, v, 60, 15)
	if strings.Contains(v, "hunter2") {
		t.Fatal("the passphrase is shown")
	}
	golden(t, "unlock-60x15", v)

	// First run: no vault yet.
	empty := vault.Open(filepath.Join(t.TempDir(), "new"))
	m = newModel(untimed(testConfig(empty, clock, &fakeClipboard{})))
	m = send(m, tea.WindowSizeMsg{Width: 80, Height: 24})
	m = send(m, m.Init()().(tea.BatchMsg)[0]())
	if !m.unlock.checked || m.unlock.exists {
		t.Fatalf("first run not detected: %+v", m.unlock)
	}
	m = send(m, keys("Tr0ub4dor&3 horse"))
	golden(t, "create-80x24", m.View())
	m = send(m, special(tea.KeyEnter))
	m = send(m, keys("Tr0ub4dor&3 horse"))
	mm, cmd := m.Update(special(tea.KeyEnter))
	m = mm.(Model)
	if !m.unlock.busy || !strings.Contains(m.View(), "Creating the vault") {
		t.Fatalf("no progress shown while creating:\n%s", m.View())
	}
	runCmd(&m, cmd, 0)
	if !onList(m) {
		t.Fatalf("vault not created: %s", m.unlock.err)
	}
	v = m.View()
	checkFrame(t, v, 80, 24)
	golden(t, "empty-list-80x24", v)
	if ok, err := empty.Exists(); !ok || err != nil {
		t.Fatalf("vault not on disk: %v %v", ok, err)
	}
}

func TestCreateRejectsMismatch(t *testing.T) {
	clock := &fakeClock{t: t0}
	m := newModel(untimed(testConfig(vault.Open(filepath.Join(t.TempDir(), "v")), clock, &fakeClipboard{})))
	m = send(m, tea.WindowSizeMsg{Width: 80, Height: 24})
	m = send(m, vaultStateMsg{exists: false})
	m = send(m, keys("one passphrase"))
	m = send(m, special(tea.KeyEnter))
	m = send(m, keys("another one"))
	m = send(m, special(tea.KeyEnter))
	if !m.locked() || !strings.Contains(m.View(), "the passphrases differ") {
		t.Fatalf("mismatch accepted:\n%s", m.View())
	}
}

func TestViewScreens(t *testing.T) {
	s := newVault(t, demo...)
	for _, size := range [][2]int{{60, 15}, {100, 30}} {
		name := fmt.Sprintf("%dx%d", size[0], size[1])
		clock := &fakeClock{t: t0}
		m := unlocked(t, s, clock, &fakeClipboard{}, size[0], size[1])
		for _, c := range []struct {
			golden string
			keys   []tea.KeyMsg
		}{
			{"enroll", []tea.KeyMsg{special(tea.KeyCtrlE)}},
			{"add", []tea.KeyMsg{special(tea.KeyCtrlA)}},
			{"actions", []tea.KeyMsg{special(tea.KeyTab)}},
			{"delete", []tea.KeyMsg{special(tea.KeyDown), special(tea.KeyTab), keys("d")}},
			{"rename", []tea.KeyMsg{special(tea.KeyTab), keys("r")}},
			{"filter", []tea.KeyMsg{keys("goo")}},
			{"help", []tea.KeyMsg{special(tea.KeyF1)}},
		} {
			t.Run(c.golden+"-"+name, func(t *testing.T) {
				mm := m
				for _, k := range c.keys {
					mm = send(mm, k)
				}
				v := mm.View()
				checkFrame(t, v, size[0], size[1])
				golden(t, c.golden+"-"+name, v)
			})
		}
	}
}

// TestViewEnrollSizes: the enrollment view shows both codes whole, as
// block digits or as text, never cut at the edge: a cut code is a wrong
// code typed into the enrollment form.
func TestViewEnrollSizes(t *testing.T) {
	s := newVault(t, demo...)
	for _, size := range [][2]int{{60, 15}, {60, 24}, {80, 24}} {
		for _, c := range []struct {
			digits int
			down   int // rows from the top to the account
		}{{6, 0}, {8, 3}} {
			name := fmt.Sprintf("enroll-%ddigits-%dx%d", c.digits, size[0], size[1])
			t.Run(name, func(t *testing.T) {
				clock := &fakeClock{t: t0}
				m := unlocked(t, s, clock, &fakeClipboard{}, size[0], size[1])
				for range c.down {
					m = send(m, special(tea.KeyDown))
				}
				m = send(m, special(tea.KeyCtrlE))
				over[enrollScreen](t, m)
				a := demo[c.down]
				v := m.View()
				checkFrame(t, v, size[0], size[1])
				for _, want := range []string{code(t, a, t0, false), code(t, a, t0, true)} {
					if len(want) != c.digits {
						t.Fatalf("code %q has not %d digits", want, c.digits)
					}
					if !showsCode(m.c.st, v, want) {
						t.Errorf("code %s is not shown whole:\n%s", want, v)
					}
				}
				golden(t, name, v)
			})
		}
	}
}

// showsCode reports whether the frame v holds code, indented by two, as
// grouped text on a line of its own or as block digits at scale 1 or 2.
func showsCode(st *styles, v, code string) bool {
	lines := strings.Split(v, "\n")
	for i := range lines {
		if lines[i] == "  "+group(code) {
			return true
		}
		for _, scale := range []int{1, 2} {
			big := strings.Split(bigDigits(st, code, scale), "\n")
			whole := i+len(big) <= len(lines)
			for k := 0; whole && k < len(big); k++ {
				whole = lines[i+k] == "  "+big[k]
			}
			if whole {
				return true
			}
		}
	}
	return false
}

// TestViewListNarrowSameIssuer: at 60 columns accounts of one issuer still
// differ by name, and outside the last seconds of the window no room is
// kept for the next code. A long list shows where its rows are.
func TestViewListNarrowSameIssuer(t *testing.T) {
	var accounts []otp.Account
	for i, n := range []string{"root@prod-account", "admin@staging-account", "ci@build-account"} {
		accounts = append(accounts, otp.Account{Issuer: "Amazon Web Services", Name: n, Secret: "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJ" + string(rune('A'+i))})
	}
	accounts = append(accounts, slices.DeleteFunc(slices.Clone(demo), func(a otp.Account) bool { return a.Issuer == "Amazon Web Services" })...)
	s := newVault(t, accounts...)
	clock := &fakeClock{t: t0.Add(-10 * time.Second)} // 17 s left: no next code
	m := unlocked(t, s, clock, &fakeClipboard{}, 60, 10)
	v := m.View()
	checkFrame(t, v, 60, 10)
	for _, n := range []string{"root@prod", "admin@stag", "ci@build"} {
		if !strings.Contains(v, n) {
			t.Errorf("name %s not shown:\n%s", n, v)
		}
	}
	if strings.Contains(v, nextMarker) {
		t.Errorf("a next code 17 s before the window ends:\n%s", v)
	}
	if !strings.Contains(v, "8 accounts · 1–6 of 8") {
		t.Errorf("no scroll position:\n%s", v)
	}
	golden(t, "list-same-issuer-60x10", v)
}

// TestCodesDoNotJump checks that, from 80 columns on, the codes stay in
// their column when the next codes appear in the last seconds of a window.
func TestCodesDoNotJump(t *testing.T) {
	s := newVault(t, demo...)
	clock := &fakeClock{t: t0}
	m := unlocked(t, s, clock, &fakeClipboard{}, 100, 30)
	column := func(m Model) int {
		for _, line := range strings.Split(m.View(), "\n") {
			if strings.Contains(line, "GitHub") {
				return strings.IndexFunc(line, func(r rune) bool { return r >= '0' && r <= '9' })
			}
		}
		t.Fatal("no GitHub row")
		return 0
	}
	early := send(m, tickMsg(t0.Add(-15*time.Second))) // 22 s left
	late := send(m, tickMsg(t0))                       // 7 s left, next codes shown
	if !strings.Contains(late.View(), "→") || strings.Contains(early.View(), "→") {
		t.Fatal("the next codes are not shown only late in the window")
	}
	if a, b := column(early), column(late); a != b {
		t.Errorf("the code column moves from %d to %d when the next codes appear", a, b)
	}
}
