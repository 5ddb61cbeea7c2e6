package tui

import (
	"encoding/base64"
	"errors"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/vmfa/vmfa/internal/testenv"
)

const secretOfNewURI = "OBQXG43XN5ZGIMJSGM2DKNRXHA4TAMJS"

// exportAccount is one account of a Google Authenticator export.
type exportAccount struct {
	issuer, name string
	secret       []byte
	hotp         bool
	counter      uint64
}

// exportURI encodes a Google Authenticator export QR code's URI (part index
// of size, of the export with that id), as the app writes it.
func exportURI(index, size int, id int32, accounts ...exportAccount) string {
	var payload []byte
	for _, a := range accounts {
		var p []byte
		p = protowire.AppendTag(p, 1, protowire.BytesType)
		p = protowire.AppendBytes(p, a.secret)
		p = protowire.AppendTag(p, 2, protowire.BytesType)
		p = protowire.AppendString(p, a.name)
		p = protowire.AppendTag(p, 3, protowire.BytesType)
		p = protowire.AppendString(p, a.issuer)
		if a.hotp {
			p = protowire.AppendTag(p, 6, protowire.VarintType)
			p = protowire.AppendVarint(p, 1)
			p = protowire.AppendTag(p, 7, protowire.VarintType)
			p = protowire.AppendVarint(p, a.counter)
		}
		payload = protowire.AppendTag(payload, 1, protowire.BytesType)
		payload = protowire.AppendBytes(payload, p)
	}
	for _, f := range [][2]uint64{{3, uint64(size)}, {4, uint64(index)}, {5, uint64(id)}} {
		payload = protowire.AppendTag(payload, protowire.Number(f[0]), protowire.VarintType)
		payload = protowire.AppendVarint(payload, f[1])
	}
	return "otpauth-migration://offline?data=" + url.QueryEscape(base64.StdEncoding.EncodeToString(payload))
}

var (
	gitlab = exportAccount{issuer: "GitLab", name: "bob", secret: []byte("0123456789abcdef")}
	slack  = exportAccount{issuer: "Slack", name: "bob", secret: []byte("fedcba9876543210")}
)

// writeQR writes a PNG of a QR code holding text, named name, in a
// directory of its own, and returns its path.
func writeQR(t *testing.T, name, text string) string {
	t.Helper()
	return testenv.WriteQR(t, filepath.Join(t.TempDir(), name), text, 300)
}

// addImage adds the image at path from the list, as typed on the add screen.
func addImage(m Model, path string) Model {
	m = send(m, special(tea.KeyCtrlA))
	m = send(m, keys("i"))
	m = send(m, keys(path))
	return send(m, special(tea.KeyEnter))
}

// TestEnrollOnlyForOneNewTOTPAccount: the two-code enrollment view opens
// for a single new TOTP account, from any source; otherwise the list comes
// back with the new accounts marked and the first selected.
func TestEnrollOnlyForOneNewTOTPAccount(t *testing.T) {
	hotpURI := "otpauth://hotp/Yubico:bob?secret=JBSWY3DPEHPK3PXQ&issuer=Yubico&counter=3"
	for _, c := range []struct {
		name   string
		add    func(*testing.T, Model) Model
		enroll bool
		added  []string
	}{
		{"one TOTP from an image", func(t *testing.T, m Model) Model { return addImage(m, writeQR(t, "one.png", newURI)) }, true, nil},
		{"one TOTP from a URI", func(t *testing.T, m Model) Model {
			return send(send(send(m, special(tea.KeyCtrlA)), paste(newURI)), special(tea.KeyEnter))
		}, true, nil},
		{"one HOTP", func(t *testing.T, m Model) Model {
			return send(send(send(m, special(tea.KeyCtrlA)), paste(hotpURI)), special(tea.KeyEnter))
		}, false, []string{"Yubico:bob"}},
		{"a two-account export", func(t *testing.T, m Model) Model {
			return addImage(m, writeQR(t, "export.png", exportURI(0, 1, 7, gitlab, slack)))
		}, false, []string{"GitLab:bob", "Slack:bob"}},
		{"two URIs", func(t *testing.T, m Model) Model {
			return send(send(send(m, special(tea.KeyCtrlA)), paste(newURI+" "+hotpURI)), special(tea.KeyEnter))
		}, false, []string{"Fastmail:alice@fastmail.com", "Yubico:bob"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := newVault(t, demo...)
			m := unlocked(t, s, &fakeClock{t: t0}, &fakeClipboard{}, 100, 30)
			m = typeKeys(m, "git") // a query the new rows would not pass
			m = c.add(t, m)
			if c.enroll {
				e := over[enrollScreen](t, m)
				if e.entry.Label() != "Fastmail:alice@fastmail.com" {
					t.Fatalf("enrolling %s", e.entry.Label())
				}
				return
			}
			if !onList(m) {
				t.Fatalf("on top: %T\n%s", m.top(), m.View())
			}
			var marked []string
			for _, e := range m.list.entries {
				if m.list.added[e.ID] {
					marked = append(marked, e.Label())
				}
			}
			if !slices.Equal(marked, c.added) {
				t.Fatalf("marked %q, want %q", marked, c.added)
			}
			if sel, _ := m.list.selected(); sel.Label() != c.added[0] {
				t.Fatalf("selected %s, want %s", sel.Label(), c.added[0])
			}
			// A new row that is not selected shows its mark.
			if len(c.added) > 1 {
				last := strings.Replace(c.added[len(c.added)-1], ":", " ", 1)
				if !strings.Contains(m.View(), "+ "+last) {
					t.Errorf("the new row %s is not marked:\n%s", last, m.View())
				}
			}
		})
	}
}

// TestExportPartsPooledAcrossImages: a Google Authenticator export split
// over two QR codes, in two screenshots, taken one after the other.
func TestExportPartsPooledAcrossImages(t *testing.T) {
	p1 := writeQR(t, "part1.png", exportURI(0, 2, 9, gitlab))
	p2 := writeQR(t, "part2.png", exportURI(1, 2, 9, slack))
	s := newVault(t, demo...)
	m := unlocked(t, s, &fakeClock{t: t0}, &fakeClipboard{}, 100, 30)
	m = addImage(m, p2) // in any order
	a := over[addScreen](t, m)
	if v := m.View(); a.err != "" || !strings.Contains(v, "QR 1 of 2 missing") || !strings.Contains(v, "add the next image") {
		t.Fatalf("no request for the next image (%q):\n%s", a.err, v)
	}
	if len(m.accounts) != len(demo) {
		t.Fatal("part of an export was added")
	}
	m = send(m, keys("i"))
	m = send(m, keys(p1))
	m = send(m, special(tea.KeyEnter))
	if !onList(m) || len(m.accounts) != len(demo)+2 {
		t.Fatalf("the export's parts were not pooled: %d accounts\n%s", len(m.accounts), m.View())
	}
}

// TestDuplicatesRefusedWithOffer: one rule for a unit (vault.Data.AddAll):
// an account already in the vault refuses the unit, named; Enter adds the
// others, esc nothing.
func TestDuplicatesRefusedWithOffer(t *testing.T) {
	s := newVault(t, demo...)
	clock := &fakeClock{t: t0}
	m := unlocked(t, s, clock, &fakeClipboard{}, 100, 30)
	// GitHub's secret under another name, and two new accounts.
	dup := exportAccount{issuer: "GitHub", name: "alice (old phone)", secret: []byte("Hello!\xde\xad\xbe\xef")}
	img := writeQR(t, "export.png", exportURI(0, 1, 5, gitlab, dup, slack))
	m = addImage(m, img)
	if len(m.accounts) != len(demo) {
		t.Fatal("a unit with a duplicate was partly added")
	}
	v := m.View()
	if !strings.Contains(v, "already in the vault: GitHub:alice (old phone) (as GitHub:alice@example.com)") ||
		!strings.Contains(v, "Enter adds the other 2, esc adds nothing") {
		t.Fatalf("the duplicate is not named, or no offer:\n%s", v)
	}
	esc := send(m, special(tea.KeyEsc))
	if len(esc.accounts) != len(demo) {
		t.Fatal("esc added accounts")
	}
	m = send(m, special(tea.KeyEnter))
	if !onList(m) || len(m.accounts) != len(demo)+2 {
		t.Fatalf("Enter did not add the other two: %d\n%s", len(m.accounts), m.View())
	}
	if v := m.View(); !strings.Contains(v, "added GitLab:bob, Slack:bob; skipped 1 already in the vault") {
		t.Fatalf("no report:\n%s", v)
	}
	// A unit of nothing but duplicates offers nothing.
	m = addImage(m, img)
	if v := m.View(); !strings.Contains(v, "3 are already in the vault") || strings.Contains(v, "Enter adds") {
		t.Fatalf("all duplicates:\n%s", v)
	}
}

// A URI pasted on the add menu goes to the URI field and is added.
func TestPasteURIOnAddMenu(t *testing.T) {
	s := newVault(t, demo...)
	m := unlocked(t, s, &fakeClock{t: t0}, &fakeClipboard{}, 80, 24)
	m = send(m, special(tea.KeyCtrlA))
	m = send(m, paste(newURI))
	if a := over[addScreen](t, m); a.mode != addURI || a.uri.Value() != newURI {
		t.Fatalf("paste went to mode %d, URI field %q", a.mode, a.uri.Value())
	}
	m = send(m, special(tea.KeyEnter))
	if !strings.Contains(m.View(), "added Fastmail:alice@fastmail.com") || len(m.accounts) != 7 {
		t.Fatalf("URI not added:\n%s", m.View())
	}
}

// A URI in the path field is added as a URI; a path that fails to open
// and looks like a URI is reported without echoing it.
func TestURIInPathFieldNeverEchoesSecret(t *testing.T) {
	s := newVault(t, demo...)
	m := unlocked(t, s, &fakeClock{t: t0}, &fakeClipboard{}, 80, 24)
	m = send(m, special(tea.KeyCtrlA))
	m = send(m, keys("i"))
	m = send(m, keys(newURI))
	m = send(m, special(tea.KeyEnter))
	if len(m.accounts) != 7 {
		t.Fatalf("URI in the path field not added:\n%s", m.View())
	}
	for _, p := range []string{"file://" + newURI, "./" + newURI} {
		msg := decodeFileCmd(p)().(decodedMsg)
		if msg.err == nil || strings.Contains(msg.err.Error(), secretOfNewURI) || !strings.Contains(msg.err.Error(), "otpauth URI") {
			t.Errorf("decodeFileCmd(%q) error %v", p, msg.err)
		}
	}
}

func TestAddScreenDetails(t *testing.T) {
	s := newVault(t, demo...)
	m := unlocked(t, s, &fakeClock{t: t0}, &fakeClipboard{}, 60, 15)
	m = send(m, special(tea.KeyCtrlA))
	m = send(m, keys("i"))
	long := "/tmp/" + strings.Repeat("very-long-directory-name/", 8) + "qr-end.png"
	m = send(m, keys(long))
	// The input scrolls: the end of a long path, where the cursor is, shows.
	if v := m.View(); !strings.Contains(v, "qr-end.png") {
		t.Fatalf("the end of a long path is cut off:\n%s", v)
	}
	// A stale completion error goes when the path changes.
	m = send(m, completionMsg{input: over[addScreen](t, m).path.Value(), err: errors.New("no file matches")})
	if !strings.Contains(m.View(), "no file matches") {
		t.Fatal("completion error not shown")
	}
	m = send(m, special(tea.KeyBackspace))
	if strings.Contains(m.View(), "no file matches") {
		t.Fatal("the completion error stays after typing")
	}
	// A long error wraps rather than being cut.
	a := over[addScreen](t, m)
	a.err = "the QR code could not be read: make sure the whole code is in the screenshot and sharp enough"
	m.over = a
	if v := m.View(); !strings.Contains(v, "sharp enough") {
		t.Fatalf("the end of the error is cut:\n%s", v)
	}
	// Esc, then i: an empty path.
	m = send(m, special(tea.KeyEsc))
	m = send(m, keys("i"))
	if a := over[addScreen](t, m); a.path.Value() != "" || a.err != "" {
		t.Fatalf("the old path %q came back", a.path.Value())
	}

	// Saving a URI runs the spinner.
	m = send(m, special(tea.KeyEsc))
	m = send(m, keys("u"))
	m = send(m, keys(newURI))
	_, cmd := m.Update(special(tea.KeyEnter))
	batch, ok := cmd().(tea.BatchMsg)
	if !ok {
		t.Fatal("Enter on a URI starts no spinner")
	}
	spins := false
	for _, c := range batch {
		if c == nil {
			continue
		}
		done := make(chan tea.Msg, 1)
		go func() { done <- c() }()
		select {
		case msg := <-done:
			spins = spins || isSpinnerOrBlink(msg)
		case <-time.After(time.Second):
		}
	}
	if !spins {
		t.Fatal("the spinner does not tick while saving a URI")
	}
}

// A URI pasted with the quotes some terminals put around it is added, from
// the list as from the add menu (intake.Classify, intake.URIFields).
func TestPasteQuotedURI(t *testing.T) {
	s := newVault(t, demo...)
	m := unlocked(t, s, &fakeClock{t: t0}, &fakeClipboard{}, 80, 24)
	m = send(m, paste("'"+newURI+"'"))
	if a := over[addScreen](t, m); a.mode != addURI {
		t.Fatalf("a quoted URI pasted on the list went to mode %d", a.mode)
	}
	m = send(m, special(tea.KeyEnter))
	if len(m.accounts) != 7 {
		t.Fatalf("the quoted URI was not added:\n%s", m.View())
	}
}
