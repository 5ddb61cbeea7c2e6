package tui

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
)

// TestHeaderSaysClockCorrected: a corrected clock, and doubts about the
// clock, are said in the list's header, not in a dialog.
func TestHeaderSaysClockCorrected(t *testing.T) {
	s := newVault(t, demo...)
	clock := &fakeClock{t: t0}
	cfg := untimed(testConfig(s, clock, &fakeClipboard{}))
	cfg.clockNote = "clock corrected +1m37s"
	cfg.clockWarn = "system clock not synchronised"
	m := newModel(cfg)
	m = send(m, tea.WindowSizeMsg{Width: 120, Height: 30})
	m = send(m, openVault(storeAdapter{s: s}, testPass))
	header := strings.SplitN(m.View(), "\n", 2)[0]
	for _, want := range []string{"clock corrected +1m37s", "system clock not synchronised"} {
		if !strings.Contains(header, want) {
			t.Errorf("header %q lacks %q", header, want)
		}
	}

	plain := unlocked(t, s, clock, &fakeClipboard{}, 120, 30)
	if header := strings.SplitN(plain.View(), "\n", 2)[0]; strings.Contains(header, "clock") {
		t.Errorf("header without a correction mentions the clock: %q", header)
	}
}
