package tui

import (
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
)

// The clipboard clear is timed from the copy, read from the clock, and
// "clipboard cleared" is said only when the clipboard still held the code.
func TestClipboardClearTiming(t *testing.T) {
	s := newVault(t, demo...)
	clock := &fakeClock{t: t0}
	clip := &fakeClipboard{}
	m := unlocked(t, s, clock, clip, 80, 24)
	clock.Add(900 * time.Millisecond) // the copy comes 0.9 s after the tick
	m = send(m, special(tea.KeyEnter))
	want := code(t, demo[0], t0, false)
	if clip.Content() != want {
		t.Fatalf("clipboard %q", clip.Content())
	}
	if v := m.View(); !strings.Contains(v, "GitHub alice@example.com copied — clears in 20 s") {
		t.Fatalf("no countdown:\n%s", v)
	}
	m = send(m, tickMsg(t0.Add(20*time.Second)))
	if clip.Content() != want || m.copied == "" {
		t.Fatal("cleared 19.1 s after the copy")
	}
	m = send(m, tickMsg(t0.Add(21*time.Second)))
	if clip.Content() != "" || !strings.Contains(m.View(), "clipboard cleared") {
		t.Fatalf("not cleared 20.1 s after the copy:\n%s", m.View())
	}

	// The user copies something else: it is left, and nothing is said.
	m = send(m, special(tea.KeyEnter))
	if err := clip.Copy("my notes"); err != nil {
		t.Fatal(err)
	}
	m = send(m, tickMsg(t0.Add(45*time.Second)))
	if clip.Content() != "my notes" {
		t.Fatal("the user's clipboard was cleared")
	}
	if v := m.View(); strings.Contains(v, "clipboard cleared") {
		t.Fatalf("claims a clear that did not happen:\n%s", v)
	}
}
