package enroll

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/vmfa/vmfa/internal/clipboard"
	"github.com/vmfa/vmfa/internal/term"
	"github.com/vmfa/vmfa/vault"
)

// ErrNotCopied is what Copy returns when a code could not be copied: the
// codes were printed all the same, and Warn was told why.
var ErrNotCopied = errors.New("a code was not copied")

// Session shows an enrollment's codes to a person at a terminal or to a
// script.
type Session struct {
	Out    io.Writer // the codes
	ErrOut io.Writer // what goes with them: notes, prompts, the countdown
	Clock  Clock
	// Warn says what went wrong without stopping the enrollment: codes not
	// recorded as handed out, a code not copied. Nil writes it on ErrOut.
	Warn func(error)

	// Copy's clipboard; nil means the system's.
	Clipboard *clipboard.Clipboard
	// Copies is where Copy records each code it copies until it is
	// cleared (vault.Store.RecordCopy), as the interface does, so that the
	// next interface to open the vault clears a code this process left on
	// the clipboard when it died; nil records nothing.
	Copies *vault.Store
	// ClearAfter is how long code 2 stays on the clipboard; 0 means
	// clipboard.ClearAfter, as in the interface. Tests shorten it.
	ClearAfter time.Duration
	// Enter receives each Enter the user presses, and is closed when no
	// more can come; nil means the terminal's (EnterKeys).
	Enter <-chan struct{}
}

func (s Session) warn(err error) {
	if s.Warn != nil {
		s.Warn(err)
		return
	}
	fmt.Fprintln(s.ErrOut, err)
}

// warnUnrecorded warns when en's codes may be handed out again.
func (s Session) warnUnrecorded(en Enrollment) {
	if en.Unrecorded != nil {
		s.warn(fmt.Errorf("warning: %w", en.Unrecorded))
	}
}

// Print prints "MFA code 1: …" and "MFA code 2: …" on Out. With wait, code 2
// comes once its window has begun; without, a note on ErrOut says which
// window each code is of. An error is ctx's, ending the wait.
func (s Session) Print(ctx context.Context, en Enrollment, wait bool) error {
	s.warnUnrecorded(en)
	fmt.Fprintf(s.Out, "MFA code 1: %s\n", en.Code1)
	if wait {
		if _, err := en.waitForCode2(ctx, s.Clock, newCountdown(s.ErrOut)); err != nil {
			return err
		}
	} else {
		// AWS accepts a code a window or so late, so there is no need to
		// wait, but a user pasting slowly likes to know.
		fmt.Fprintf(s.ErrOut, "(code 1 is the current window's, %d s left; code 2 is the next one's)\n", en.Account.SecondsLeft(en.At))
	}
	fmt.Fprintf(s.Out, "MFA code 2: %s\n", en.Code2)
	return nil
}

// JSON is an enrollment for scripts.
type JSON struct {
	Issuer string `json:"issuer"`
	Name   string `json:"name"`
	Code1  string `json:"code1"`
	Code2  string `json:"code2"`
	// Remaining is what is left of the newest code's window: code 1's,
	// or with wait, code 2's once it has begun.
	Remaining int `json:"remaining_seconds"`
}

// JSON returns en for scripts; with wait, once code 2's window has begun,
// the countdown on ErrOut meanwhile. An error is ctx's, ending the wait.
func (s Session) JSON(ctx context.Context, en Enrollment, wait bool) (JSON, error) {
	s.warnUnrecorded(en)
	now := en.At
	if wait {
		var err error
		if now, err = en.waitForCode2(ctx, s.Clock, newCountdown(s.ErrOut)); err != nil {
			return JSON{}, err
		}
	}
	return JSON{en.Account.Issuer, en.Account.Name, en.Code1, en.Code2, en.Account.SecondsLeft(now)}, nil
}

// Copy puts code 1 on the clipboard, then code 2 at Enter (with wait, once
// its window has begun), then clears code 2 by the interface's rule: after
// ClearAfter, if it is still there; or at the next Enter, or when ctx is
// done (vmfa is interrupted), which before code 2 is copied clears code 1
// and returns an error. Each code is printed on Out too. A copy that fails
// is told to Warn, the codes are still printed, and Copy returns
// ErrNotCopied.
func (s Session) Copy(ctx context.Context, en Enrollment, wait bool) error {
	s.warnUnrecorded(en)
	cb := s.Clipboard
	if cb == nil {
		cb = &clipboard.Clipboard{}
	}
	cd := newCountdown(s.ErrOut)
	fmt.Fprintf(s.Out, "MFA code 1: %s\n", en.Code1)
	if err := cb.Copy(en.Code1); err != nil {
		s.warn(fmt.Errorf("code 1 was not copied: %w", err))
		if wait {
			if _, err := en.waitForCode2(ctx, s.Clock, cd); err != nil {
				return ErrNotCopied
			}
		}
		fmt.Fprintf(s.Out, "MFA code 2: %s\n", en.Code2)
		return ErrNotCopied
	}
	forget1 := s.record(cb, en, en.Code1, 0)
	clear1 := func() {
		cb.ClearIf(en.Code1)
		forget1()
	}
	interrupted := func() error {
		fmt.Fprintln(s.ErrOut)
		clear1()
		return errors.New("interrupted; code 1 was cleared from the clipboard")
	}
	fmt.Fprint(s.ErrOut, "Code 1 copied. Press Enter to copy code 2.")
	enter := s.Enter
	if enter == nil {
		enter = EnterKeys()
	}
	select {
	case _, ok := <-enter:
		if !ok {
			return interrupted()
		}
	case <-ctx.Done():
		return interrupted()
	}
	if wait {
		if _, err := en.waitForCode2(ctx, s.Clock, cd); err != nil {
			return interrupted()
		}
	}
	fmt.Fprintf(s.Out, "MFA code 2: %s\n", en.Code2)
	if err := cb.Copy(en.Code2); err != nil {
		clear1()
		s.warn(fmt.Errorf("code 2 was not copied: %w", err))
		return ErrNotCopied
	}
	forget2 := s.record(cb, en, en.Code2, 1)
	clear1() // tmux keeps each copy in a buffer of its own
	clearAfter := s.ClearAfter
	if clearAfter <= 0 {
		clearAfter = clipboard.ClearAfter
	}
	fmt.Fprintf(s.ErrOut, "Code 2 copied; it leaves the clipboard in %d s, or when you press Enter.\n", int(clearAfter.Round(time.Second)/time.Second))

	select {
	case <-s.Clock.after(clearAfter):
	case <-enter:
	case <-ctx.Done():
	}
	cleared, err := cb.ClearIf(en.Code2)
	forget2()
	switch {
	case err != nil:
		return fmt.Errorf("clearing code 2 from the clipboard: %w", err)
	case cleared:
		fmt.Fprintln(s.ErrOut, "Code 2 cleared from the clipboard.")
	default:
		fmt.Fprintln(s.ErrOut, "The clipboard holds something else now: left alone.")
	}
	return nil
}

// record records code, copied to cb, as code 1 (later 0) or code 2 (later
// 1) of en, in Copies, and returns what forgets the record once the code is
// cleared. A copy not recorded (a read-only directory) is still cleared,
// unless this process is killed.
func (s Session) record(cb *clipboard.Clipboard, en Enrollment, code string, later int) (forget func()) {
	route, ok := cb.CopiedVia(code)
	if s.Copies == nil || !ok {
		return func() {}
	}
	rec := vault.CopyOf(vault.Entry{ID: en.ID, Account: en.Account}, en.At)
	rec.Step += uint64(later)
	rec.Route, rec.At, rec.PID = string(route), s.Clock.now(), os.Getpid()
	if s.Copies.RecordCopy(rec) != nil {
		return func() {}
	}
	return func() { _ = s.Copies.ForgetCopy(rec) }
}

// EnterKeys reports each Enter pressed on the terminal; it is closed when
// the terminal can no longer be read.
func EnterKeys() <-chan struct{} {
	ch := make(chan struct{})
	go func() {
		defer close(ch)
		for {
			if _, err := term.ReadLine(""); err != nil {
				return
			}
			ch <- struct{}{}
		}
	}()
	return ch
}

// countdown is the countdown to code 2: redrawn each second on a terminal
// (term.StatusLine), said once in a plain line elsewhere.
type countdown struct {
	w    io.Writer
	line term.StatusLine
}

func newCountdown(w io.Writer) countdown { return countdown{w, term.NewStatusLine(w)} }

func (c countdown) start(secondsLeft int) {
	if !c.line.Live {
		fmt.Fprintf(c.w, "Code 2 in %d s, when its window begins.\n", secondsLeft)
	}
}

func (c countdown) tick(secondsLeft int) { c.line.Show(fmt.Sprintf("Code 2 in %2ds…", secondsLeft)) }

func (c countdown) end() { c.line.Clear() }
