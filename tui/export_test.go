package tui

import (
	"fmt"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/vmfa/vmfa/otp"
)

// TestGoogleExportScreen moves 14 accounts to Google Authenticator from the
// actions menu: two QR codes, each read off the screen as a phone would, and
// the accounts the app cannot hold named, never sent.
func TestGoogleExportScreen(t *testing.T) {
	accounts := append([]otp.Account(nil), demo...) // Cloudflare's 8 digits do not fit
	for i := range 9 {
		accounts = append(accounts, otp.Account{Issuer: "Service", Name: fmt.Sprintf("user%d", i), Secret: fmt.Sprintf("JBSWY3DPEHPK3PX%cJBSWY3DP", 'A'+i)})
	}
	accounts = append(accounts, otp.Account{Issuer: "Steam", Name: "gaben", Secret: "JRZCL47CMXVOQMNPZR2F7J4RGI", Type: otp.Steam})
	s := newVault(t, accounts...)
	m := unlocked(t, s, &fakeClock{t: t0}, &fakeClipboard{}, 120, 60)
	m = send(m, special(tea.KeyTab))
	if v := m.View(); !strings.Contains(v, "export all to Google Authenticator") {
		t.Fatalf("the actions menu has no Google export:\n%s", v)
	}
	m = send(m, keys("g"))
	v := m.View()
	for _, want := range []string{"Export to Google Authenticator?", "2 QR code(s) will show the secrets of 14 account(s)",
		"Left out, as Google Authenticator can't hold them: Cloudflare:ops (8-digit codes), Steam:gaben (Steam Guard accounts)."} {
		if !strings.Contains(strings.Join(strings.Fields(strings.ReplaceAll(v, "│", "")), " "), want) {
			t.Fatalf("the question lacks %q:\n%s", want, v)
		}
	}
	m = send(m, keys("y"))
	var got []otp.Account
	for i := range 2 {
		v := m.View()
		checkFrame(t, v, 120, 60)
		if !strings.Contains(v, fmt.Sprintf("QR code %d of 2", i+1)) || !strings.Contains(v, "2 account(s) left out") {
			t.Fatalf("QR code %d: caption missing:\n%s", i+1, v)
		}
		texts, err := decodeScreenQR(v)
		if err != nil {
			t.Fatalf("QR code %d: %v:\n%s", i+1, err, v)
		}
		list, batch, err := otp.ParseMigration(texts[0])
		if err != nil || batch.Index != i || batch.Size != 2 {
			t.Fatalf("QR code %d: batch %+v, %v", i+1, batch, err)
		}
		got = append(got, list...)
		if i == 0 {
			m = send(m, keys("x")) // a stray key keeps the code
			if over[googleExportScreen](t, m).index != 0 {
				t.Fatal("a stray key moved on")
			}
			m = send(m, special(tea.KeyRight))
		}
	}
	if len(got) != 14 || got[0].Label() != "GitHub:alice@example.com" || got[13].Label() != "Service:user8" {
		t.Fatalf("the codes hold %d accounts", len(got))
	}
	m = send(m, special(tea.KeyLeft))
	if over[googleExportScreen](t, m).index != 0 {
		t.Fatal("← does not go back")
	}
	m = send(send(m, special(tea.KeyEnter)), special(tea.KeyEnter))
	if !onList(m) || !strings.Contains(m.View(), "shown 2 QR code(s)") {
		t.Fatalf("Enter after the last code: on top %T\n%s", m.top(), m.View())
	}
}
