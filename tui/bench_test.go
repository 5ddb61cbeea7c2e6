package tui

import (
	"fmt"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/vmfa/vmfa/otp"
)

// manyAccounts makes n distinct fake accounts.
func manyAccounts(n int) []otp.Account {
	out := make([]otp.Account, n)
	for i := range out {
		d := demo[i%len(demo)]
		d.Name = fmt.Sprintf("%s-%d", d.Name, i)
		b := []byte(d.Secret)
		b[0] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"[i%32]
		b[1] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"[i/32%32]
		d.Secret = string(b)
		out[i] = d
	}
	return out
}

// withTrueColor renders as a real colour terminal would.
func withTrueColor(b *testing.B) {
	lipgloss.SetColorProfile(termenv.TrueColor)
	b.Cleanup(func() { lipgloss.SetColorProfile(termenv.Ascii) })
}

// BenchmarkView100 is one frame of the list of 100 accounts.
func BenchmarkView100(b *testing.B) {
	for _, size := range [][2]int{{100, 30}, {250, 80}} {
		b.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(b *testing.B) {
			s := newVault(b, manyAccounts(100)...)
			withTrueColor(b)
			m := unlocked(b, s, &fakeClock{t: t0}, &fakeClipboard{}, size[0], size[1])
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				_ = m.View()
			}
		})
	}
}

// BenchmarkTick100 is a second going by: the tick's Update (codes are
// recomputed only when the window changes) and the frame it causes.
func BenchmarkTick100(b *testing.B) {
	s := newVault(b, manyAccounts(100)...)
	withTrueColor(b)
	m := unlocked(b, s, &fakeClock{t: t0}, &fakeClipboard{}, 250, 80)
	now := t0
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		now = now.Add(time.Second)
		mm, _ := m.Update(tickMsg(now))
		m = mm.(Model)
		_ = m.View()
	}
}

// BenchmarkUnlockToFirstFrame is the work between scrypt finishing (the
// unlock command's message) and the first full frame of 100 accounts.
func BenchmarkUnlockToFirstFrame(b *testing.B) {
	s := newVault(b, manyAccounts(100)...)
	clock := &fakeClock{t: t0}
	msg := openVault(storeAdapter{s: s}, testPass)
	withTrueColor(b)
	base := newModel(untimed(testConfig(s, clock, &fakeClipboard{})))
	base = send(base, tea.WindowSizeMsg{Width: 250, Height: 80})
	base = send(base, vaultStateMsg{exists: true})
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		mm, _ := base.Update(msg)
		_ = mm.(Model).View()
	}
}
