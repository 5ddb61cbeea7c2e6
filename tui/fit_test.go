package tui

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/vmfa/vmfa/internal/settings"
	"github.com/vmfa/vmfa/internal/testenv"
	"github.com/vmfa/vmfa/internal/timesync"
)

func TestFitWords(t *testing.T) {
	for _, c := range []struct {
		in   string
		w    int
		want string
	}{
		{"check codes with 'vmfa time'", 40, "check codes with 'vmfa time'"},
		{"check codes with 'vmfa time'", 28, "check codes with 'vmfa time'"},
		{"check codes with 'vmfa time'", 27, "check codes with 'vmfa…"},
		{"check codes with 'vmfa time'", 23, "check codes with 'vmfa…"},
		{"check codes with 'vmfa time'", 22, "check codes with…"},
		{"check codes with 'vmfa time'", 17, "check codes with…"}, // the word ends at the edge
		{"check codes with 'vmfa time'", 16, "check codes…"},
		{"check codes with 'vmfa time'", 11, "check…"},
		{"synchronised", 6, "synch…"}, // one word wider than the width
		{"a b", 0, ""},
	} {
		if got := fitWords(c.in, c.w); got != c.want {
			t.Errorf("fitWords(%q, %d) = %q, want %q", c.in, c.w, got, c.want)
		}
	}
	// Styles are kept, and not counted.
	styled := lipgloss.NewStyle().Bold(true).Render("system clock") + " not synchronised"
	if got := fitWords(styled, 20); !strings.HasSuffix(got, "not…") || lipgloss.Width(got) > 20 {
		t.Errorf("styled: %q", got)
	}
}

// TestCutAtSeparator: a help line is cut after its last whole key, with
// " …" where it fits, without where only the key does.
func TestCutAtSeparator(t *testing.T) {
	const h = "enter copy code • esc clear filter • tab actions • ctrl+a add account"
	for _, c := range []struct {
		w    int
		want string
	}{
		{80, h},
		{51, "enter copy code • esc clear filter • tab actions …"},
		{49, "enter copy code • esc clear filter • tab actions"},
		{48, "enter copy code • esc clear filter • tab actions"},
		{47, "enter copy code • esc clear filter …"},
		{12, "enter copy…"},
	} {
		if got := cutAtSeparator(h, c.w, " • "); got != c.want {
			t.Errorf("width %d: %q, want %q", c.w, got, c.want)
		}
	}
}

// TestNarrowNoWordCut: at 50 columns and less, the list's header with the
// clock's warning, the status line and the help line are wrapped or
// shortened at word boundaries: every word shown is whole, or marked cut
// with "…".
func TestNarrowNoWordCut(t *testing.T) {
	s := newVault(t, demo...)
	const (
		note = "clock corrected +1m37s"
		warn = "system clock not synchronised (error up to 16s): check codes with 'vmfa time'"
	)
	clock := &fakeClock{t: t0}
	for _, width := range []int{50, 44, 60} {
		t.Run(fmt.Sprint(width), func(t *testing.T) {
			for _, withNote := range []bool{false, true} {
				cfg := untimed(testConfig(s, clock, &fakeClipboard{}))
				cfg.clockWarn = warn
				if withNote {
					cfg.clockNote = note
				}
				m := newModel(cfg)
				m = send(m, tea.WindowSizeMsg{Width: width, Height: 14})
				m = send(m, openVault(storeAdapter{s: s}, testPass))
				for _, k := range []tea.KeyMsg{special(tea.KeyDown), special(tea.KeyDown), special(tea.KeyEnter)} {
					m = send(m, k) // copy Google's code
				}
				v := m.View()
				checkFrame(t, v, width, 14)
				lines := strings.Split(v, "\n")
				wide := unlocked(t, s, clock, &fakeClipboard{}, 200, 14).View()
				helpWords := strings.Split(wide, "\n")[13]

				// The header and the warning's lines under it.
				header := []string{lines[0]}
				for _, l := range lines[1:] {
					if strings.HasPrefix(l, " ›") {
						break
					}
					header = append(header, l)
				}
				if strings.Contains(header[0], "⚠") && len(header) > 1 {
					t.Errorf("the warning is both beside and under the title:\n%s", v)
				}
				shown := strings.Join(header, " ")
				if !strings.Contains(shown, "⚠ system clock not") {
					t.Errorf("the warning's beginning is not shown:\n%s", v)
				}
				wholeWords(t, "header", shown, "vmfa "+m.list.count(m.list.rows(&m.c))+" · "+note+" ⚠ "+warn)
				status, help := lines[12], lines[13]
				if !strings.HasSuffix(status, " copied — clears in 20 s") || !strings.HasPrefix(status, " ✓ Go") {
					t.Errorf("status line %q: want what was copied, shortened, and the countdown whole", status)
				}
				wholeWords(t, "help", help, helpWords)
			}
		})
	}
}

// TestTmuxNarrowNoWordCut: vmfa in a real terminal of 50 columns, with a
// clock correction over a week old, which its header warns of: the
// warning, the status line and the help line show whole words only.
func TestTmuxNarrowNoWordCut(t *testing.T) {
	if testing.Short() {
		t.Skip("short mode")
	}
	testenv.Tools(t, "tmux", "go")
	dir := t.TempDir()
	bin := buildTUI(t, dir)
	config := filepath.Join(dir, "config")
	measured := time.Now().Add(-8*24*time.Hour - time.Hour)
	if _, err := timesync.Apply(settings.Open(filepath.Join(config, "vmfa")), timesync.Measurement{Server: "s", Offset: -197 * time.Second, At: measured}); err != nil {
		t.Fatal(err)
	}
	s := newTmuxSized(t, e2eVault(t, dir), []string{"VMFA_PASSPHRASE=pw", "XDG_CONFIG_HOME=" + config}, 50, 16, strings.Join(bin, " "))
	s.waitScreen("3 accounts")
	s.run("send-keys", "-t", "e2e", "-l", "google")
	s.waitScreen("1 of 3 match")
	s.run("send-keys", "-t", "e2e", "Enter")
	scr := s.waitScreen("copied")
	lines := strings.Split(strings.TrimRight(scr, "\n"), "\n")
	if len(lines) != 16 {
		t.Fatalf("%d lines on a screen of 16:\n%s", len(lines), scr)
	}
	// The header's warnings, with what to do about them in vmfa's words
	// (cmd/vmfa-full's hints).
	var warnings []string
	if err := timesync.Kernel().Err(); err != nil {
		warnings = append(warnings, err.Error()+": check codes with 'vmfa time'")
	}
	stale := timesync.Correction{Offset: -197 * time.Second, MeasuredAt: measured}.Stale(time.Now())
	warning := strings.Join(append(warnings, stale.Error()+": run 'vmfa time' to check it, 'vmfa time --apply' to renew it"), "; ")
	var header []string
	for _, l := range lines {
		if strings.HasPrefix(l, " ›") {
			break
		}
		header = append(header, l)
	}
	shown := strings.Join(header, " ")
	if !strings.Contains(shown, "⚠ ") {
		t.Errorf("no warning in the header:\n%s", scr)
	}
	wholeWords(t, "header", shown, "vmfa 1 of 3 match · clock corrected -3m17s ⚠ "+warning)
	wholeWords(t, "status", lines[14], "✓ Google alice@gmail.com copied — clears in 20 19 s")
	wholeWords(t, "help", lines[15], "enter copy code • esc clear filter • tab actions • ctrl+a add account • f1 all keys • ctrl+c quit")
}

// wholeWords fails unless every word of line is a word of source, or the
// beginning of one followed by "…".
func wholeWords(t *testing.T, what, line, source string) {
	t.Helper()
	words := map[string]bool{}
	for _, w := range strings.Fields(source) {
		words[w] = true
	}
	for _, w := range strings.Fields(line) {
		if words[w] || w == "…" {
			continue
		}
		if cut, ok := strings.CutSuffix(w, "…"); ok && cut != "" && strings.Contains(source, cut) {
			continue
		}
		t.Errorf("%s %q: %q is a word cut at the edge", what, line, w)
	}
}
