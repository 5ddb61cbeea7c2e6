package enroll

import (
	"bytes"
	"context"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/vmfa/vmfa/internal/clipboard"
	"github.com/vmfa/vmfa/internal/testenv"
	"github.com/vmfa/vmfa/otp"
	"github.com/vmfa/vmfa/vault"
)

// A device with a 5-second window, so that the windows of the tests are
// short whatever clock they run on.
const (
	secret   = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
	shortURI = "otpauth://totp/Short:window?secret=" + secret + "&period=5"
)

// t0 is 1.5 s into a 5-second window: 3.5 s (4 on a countdown) before
// code 2's begins.
var t0 = time.Unix(1_700_000_001, 500_000_000)

// fakeClock is a Clock whose waits move its time on at once, and are
// counted; with hold, they never end.
type fakeClock struct {
	mu    sync.Mutex
	now   time.Time
	waits []time.Duration
	hold  bool
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.hold {
		return nil
	}
	c.waits = append(c.waits, d)
	c.now = c.now.Add(d)
	ch := make(chan time.Time, 1)
	ch <- c.now
	return ch
}

func (c *fakeClock) clock() Clock { return Clock{Now: c.Now, After: c.After} }

func account(t *testing.T, uri string) otp.Account {
	t.Helper()
	acc, err := otp.ParseURI(uri)
	if err != nil {
		t.Fatal(err)
	}
	return acc
}

// newVault is a real vault in a temporary directory.
func newVault(t *testing.T) *vault.Vault {
	t.Helper()
	v, err := vault.Open(filepath.Join(t.TempDir(), "vault")).Create("enroll test passphrase", 10)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// claimed is an enrollment of shortURI claimed at t0 in a vault of its own.
func claimed(t *testing.T) (*vault.Vault, vault.Entry, Enrollment) {
	t.Helper()
	v := newVault(t)
	e, added, err := Add(v, account(t, shortURI), t0)
	if err != nil || !added {
		t.Fatalf("Add: added %v, %v", added, err)
	}
	en, err := Claim(v, e, t0)
	if err != nil {
		t.Fatal(err)
	}
	return v, e, en
}

func TestOne(t *testing.T) {
	t.Parallel()
	totp := account(t, shortURI)
	hotp := account(t, "otpauth://hotp/Corp:h?secret="+secret+"&counter=5")
	if got, err := One("a.png", []otp.Account{totp}); err != nil || got.Secret != totp.Secret {
		t.Errorf("One of one TOTP account = %+v, %v", got, err)
	}
	for _, c := range []struct {
		accounts []otp.Account
		want     error
		msg      string
	}{
		{nil, ErrNotOneAccount, "a.png holds 0 accounts; an enrollment takes an image of one account"},
		{[]otp.Account{totp, totp}, ErrNotOneAccount, "a.png holds 2 accounts; "},
		{[]otp.Account{hotp}, ErrCounterBased, "Corp:h is an HOTP (counter-based) account, not a time-based MFA device"},
	} {
		if _, err := One("a.png", c.accounts); !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("One of %d accounts: %v, want %q (%v)", len(c.accounts), err, c.msg, c.want)
		}
	}
}

// TestAddAgain: enrolling again after the service refused the codes finds
// the account in the vault, and adds no second one.
func TestAddAgain(t *testing.T) {
	t.Parallel()
	v, e, _ := claimed(t)
	again, added, err := Add(v, account(t, shortURI), t0.Add(time.Minute))
	if err != nil || added || again.ID != e.ID {
		t.Fatalf("Add again: entry %s (first %s), added %v, %v", again.ID, e.ID, added, err)
	}
	d, err := v.Load()
	if err != nil || len(d.Accounts) != 1 {
		t.Fatalf("the vault holds %d accounts, want 1 (%v)", len(d.Accounts), err)
	}
}

// TestClaim: code 1 and code 2 are the codes of t0's window and the next
// (as oathtool computes them), and both are recorded as handed out: a
// fresh code is two windows on.
func TestClaim(t *testing.T) {
	t.Parallel()
	v, e, en := claimed(t)
	c1, c2 := testenv.OathTOTP(t, secret, t0, "--time-step-size=5s")
	if en.Code1 != c1 || en.Code2 != c2 || !en.At.Equal(t0) || en.Unrecorded != nil {
		t.Fatalf("Claim = %+v; oathtool says %s %s at %v", en, c1, c2, t0)
	}
	h, err := v.HandOut(e, t0, vault.HandOutOptions{Fresh: true})
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Unix(1_700_000_010, 0); !h.At.Equal(want) {
		t.Errorf("a fresh code after the enrollment is at %v, want %v: code 1 and code 2 both recorded", h.At, want)
	}
	if en.Code2Ready(t0.Add(3*time.Second)) || !en.Code2Ready(t0.Add(3500*time.Millisecond)) {
		t.Error("Code2Ready is not exactly when the next window begins")
	}
}

// TestClaimHOTP: an HOTP entry has no two consecutive codes to enroll
// with, and its counter is not spent.
func TestClaimHOTP(t *testing.T) {
	t.Parallel()
	v := newVault(t)
	var e vault.Entry
	if _, err := v.Update(func(d *vault.Data) (err error) {
		e, err = d.Add(account(t, "otpauth://hotp/Corp:h?secret="+secret+"&counter=5"), t0)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := Claim(v, e, t0); !errors.Is(err, ErrCounterBased) {
		t.Fatalf("Claim of an HOTP entry: %v", err)
	}
	d, err := v.Load()
	if err != nil || d.Accounts[0].Counter != 5 {
		t.Fatalf("the counter is %d after a refused claim, want 5 (%v)", d.Accounts[0].Counter, err)
	}
}

// TestClaimUnrecorded: codes whose handout can't be written down are given
// all the same, and the session says they may be handed out again.
func TestClaimUnrecorded(t *testing.T) {
	t.Parallel()
	v := newVault(t)
	e, _, err := Add(v, account(t, shortURI), t0)
	if err != nil {
		t.Fatal(err)
	}
	testenv.ReadOnly(t, v.Store().Dir())
	en, err := Claim(v, e, t0)
	if err != nil || en.Code1 == "" || en.Code2 == "" || !errors.Is(en.Unrecorded, vault.ErrNotRecorded) {
		t.Fatalf("Claim in a read-only vault: %+v, %v", en, err)
	}
	var out, errOut bytes.Buffer
	var warned []error
	s := Session{Out: &out, ErrOut: &errOut, Warn: func(err error) { warned = append(warned, err) }}
	if err := s.Print(context.Background(), en, false); err != nil {
		t.Fatal(err)
	}
	if len(warned) != 1 || !errors.Is(warned[0], vault.ErrNotRecorded) || !strings.HasPrefix(warned[0].Error(), "warning: ") {
		t.Errorf("warned %v", warned)
	}
	if !strings.Contains(out.String(), en.Code2) {
		t.Errorf("printed %q", out.String())
	}
}

// TestPrint: without a wait, both codes at once, and a note on which
// window each is of.
func TestPrint(t *testing.T) {
	t.Parallel()
	_, _, en := claimed(t)
	var out, errOut bytes.Buffer
	fc := &fakeClock{now: t0}
	if err := (Session{Out: &out, ErrOut: &errOut, Clock: fc.clock()}).Print(context.Background(), en, false); err != nil {
		t.Fatal(err)
	}
	if want := "MFA code 1: " + en.Code1 + "\nMFA code 2: " + en.Code2 + "\n"; out.String() != want {
		t.Errorf("stdout %q, want %q", out.String(), want)
	}
	if want := "(code 1 is the current window's, 4 s left; code 2 is the next one's)\n"; errOut.String() != want {
		t.Errorf("stderr %q, want %q", errOut.String(), want)
	}
	if len(fc.waits) != 0 {
		t.Errorf("waited %v", fc.waits)
	}
}

// TestPrintWaitPlain: with wait and stderr not a terminal, code 2 comes
// once its window has begun, the wait said in one plain line, waited a
// second at a time.
func TestPrintWaitPlain(t *testing.T) {
	t.Parallel()
	_, _, en := claimed(t)
	var out, errOut bytes.Buffer
	fc := &fakeClock{now: t0}
	if err := (Session{Out: &out, ErrOut: &errOut, Clock: fc.clock()}).Print(context.Background(), en, true); err != nil {
		t.Fatal(err)
	}
	if want := "MFA code 1: " + en.Code1 + "\nMFA code 2: " + en.Code2 + "\n"; out.String() != want {
		t.Errorf("stdout %q, want %q", out.String(), want)
	}
	if want := "Code 2 in 4 s, when its window begins.\n"; errOut.String() != want {
		t.Errorf("stderr %q, want %q", errOut.String(), want)
	}
	want := []time.Duration{time.Second, time.Second, time.Second, 500 * time.Millisecond}
	if !equal(fc.waits, want) || !en.Code2Ready(fc.Now()) {
		t.Errorf("waited %v to %v, want %v to code 2's window", fc.waits, fc.Now(), want)
	}
}

func equal(a, b []time.Duration) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestWaitTerminal: on a terminal, the countdown is redrawn each second in
// place, and the line is cleared when code 2 comes.
func TestWaitTerminal(t *testing.T) {
	t.Parallel()
	_, _, en := claimed(t)
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer ptmx.Close()
	read := make(chan string)
	go func() { b, _ := io.ReadAll(ptmx); read <- string(b) }()
	var out bytes.Buffer
	fc := &fakeClock{now: t0}
	if err := (Session{Out: &out, ErrOut: tty, Clock: fc.clock()}).Print(context.Background(), en, true); err != nil {
		t.Fatal(err)
	}
	tty.Close()
	want := "\rCode 2 in  4s…\rCode 2 in  3s…\rCode 2 in  2s…\rCode 2 in  1s…\r\x1b[K"
	if got := <-read; got != want {
		t.Errorf("the terminal shows %q, want %q", got, want)
	}
}

// TestJSONWait: remaining_seconds is what is left of the newest code's
// window: code 1's, or with wait, code 2's once it has begun.
func TestJSONWait(t *testing.T) {
	t.Parallel()
	_, _, en := claimed(t)
	for _, c := range []struct {
		wait bool
		left int
	}{{false, 4}, {true, 5}} {
		var errOut bytes.Buffer
		fc := &fakeClock{now: t0}
		js, err := Session{ErrOut: &errOut, Clock: fc.clock()}.JSON(context.Background(), en, c.wait)
		want := JSON{"Short", "window", en.Code1, en.Code2, c.left}
		if err != nil || js != want {
			t.Errorf("JSON with wait %v = %+v, %v; want %+v", c.wait, js, err, want)
		}
	}
}

// TestWaitInterrupted: a wait ends when its context is done, without code
// 2.
func TestWaitInterrupted(t *testing.T) {
	t.Parallel()
	_, _, en := claimed(t)
	var out, errOut bytes.Buffer
	fc := &fakeClock{now: t0, hold: true}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err := Session{Out: &out, ErrOut: &errOut, Clock: fc.clock()}.Print(ctx, en, true)
	if !errors.Is(err, context.DeadlineExceeded) || strings.Contains(out.String(), "code 2") {
		t.Fatalf("interrupted wait: %v, stdout %q", err, out.String())
	}
}

// osc52Clipboard is a real clipboard reached by OSC 52 sequences, as over
// SSH outside tmux, written to a buffer in place of the terminal.
func osc52Clipboard() (*clipboard.Clipboard, *syncBuffer) {
	tty := &syncBuffer{}
	env := map[string]string{"SSH_TTY": "/dev/pts/9"}
	return &clipboard.Clipboard{TTY: tty, Getenv: func(k string) string { return env[k] }}, tty
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// TestCopy: code 1 is copied, code 2 at Enter replaces it, and is cleared
// after ClearAfter; or at the next Enter, when the clock holds.
func TestCopy(t *testing.T) {
	t.Parallel()
	_, _, en := claimed(t)
	for _, byEnter := range []bool{false, true} {
		cb, tty := osc52Clipboard()
		var out, errOut bytes.Buffer
		enter := make(chan struct{}, 2)
		enter <- struct{}{}
		fc := &fakeClock{now: t0, hold: byEnter}
		s := Session{Out: &out, ErrOut: &errOut, Clock: fc.clock(), Clipboard: cb, ClearAfter: 4 * time.Second, Enter: enter}
		done := make(chan error)
		go func() { done <- s.Copy(context.Background(), en, false) }()
		if byEnter {
			time.Sleep(20 * time.Millisecond)
			enter <- struct{}{}
		}
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if want := string(clipboard.OSC52(en.Code1)) + string(clipboard.OSC52(en.Code2)) + string(clipboard.OSC52("")); tty.String() != want {
			t.Errorf("the terminal got %q, want code 1, code 2, then a clear: %q", tty.String(), want)
		}
		if want := "Code 1 copied. Press Enter to copy code 2.Code 2 copied; it leaves the clipboard in 4 s, or when you press Enter.\nCode 2 cleared from the clipboard.\n"; errOut.String() != want {
			t.Errorf("stderr %q, want %q", errOut.String(), want)
		}
		if want := "MFA code 1: " + en.Code1 + "\nMFA code 2: " + en.Code2 + "\n"; out.String() != want {
			t.Errorf("stdout %q", out.String())
		}
		if !byEnter && !equal(fc.waits, []time.Duration{4 * time.Second}) {
			t.Errorf("waited %v before clearing, want 4 s", fc.waits)
		}
	}
}

// TestCopyInterrupted: stopped before code 2 is copied, Copy takes code 1
// off the clipboard and says so.
func TestCopyInterrupted(t *testing.T) {
	t.Parallel()
	_, _, en := claimed(t)
	cb, tty := osc52Clipboard()
	var out, errOut bytes.Buffer
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := Session{Out: &out, ErrOut: &errOut, Clipboard: cb, Enter: make(chan struct{})}.Copy(ctx, en, true)
	if err == nil || !strings.Contains(err.Error(), "code 1 was cleared") {
		t.Fatalf("interrupted: %v", err)
	}
	if want := string(clipboard.OSC52(en.Code1)) + string(clipboard.OSC52("")); tty.String() != want {
		t.Errorf("the terminal got %q, want code 1 then a clear", tty.String())
	}
	if strings.Contains(out.String(), "code 2") {
		t.Errorf("code 2 printed: %q", out.String())
	}
}

// failingTTY is a terminal that can't be written to.
type failingTTY struct{}

func (failingTTY) Write([]byte) (int, error) { return 0, errors.New("terminal gone") }

// TestCopyFails: a code that can't be copied is warned about, the codes
// are printed all the same, and Copy returns ErrNotCopied.
func TestCopyFails(t *testing.T) {
	t.Parallel()
	_, _, en := claimed(t)
	cb := &clipboard.Clipboard{TTY: failingTTY{}, Getenv: func(k string) string {
		if k == "SSH_TTY" {
			return "/dev/pts/9"
		}
		return ""
	}}
	var out, errOut bytes.Buffer
	var warned []error
	fc := &fakeClock{now: t0}
	s := Session{Out: &out, ErrOut: &errOut, Clock: fc.clock(), Clipboard: cb, Warn: func(err error) { warned = append(warned, err) }}
	if err := s.Copy(context.Background(), en, true); !errors.Is(err, ErrNotCopied) {
		t.Fatalf("Copy to a clipboard that fails: %v", err)
	}
	if len(warned) != 1 || !errors.Is(warned[0], clipboard.ErrNoRoute) || !strings.HasPrefix(warned[0].Error(), "code 1 was not copied: ") {
		t.Errorf("warned %v", warned)
	}
	if want := "MFA code 1: " + en.Code1 + "\nMFA code 2: " + en.Code2 + "\n"; out.String() != want {
		t.Errorf("stdout %q, want both codes", out.String())
	}
	if !en.Code2Ready(fc.Now()) {
		t.Error("code 2 was printed before its window (wait)")
	}
}
