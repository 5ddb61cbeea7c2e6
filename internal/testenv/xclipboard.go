package testenv

import (
	"io"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xfixes"
	"github.com/jezek/xgb/xproto"
)

// ClipboardWatch tells a test when the X11 clipboard (the CLIPBOARD
// selection) of a display may have changed, so that a test waiting for it
// to hold something reads it again then, not in a loop of xclip processes
// (each a dozen milliseconds of CPU, its own and the server's). X11
// clipboard programs (xclip, xsel, vmfa through them) take the selection to
// change what it holds, and its owner's exit gives it up: XFixes reports
// both.
type ClipboardWatch struct {
	conn    *xgb.Conn
	changed chan struct{}
}

// WatchClipboard starts watching the clipboard of display (as ":93"); the
// watch ends with the test.
func WatchClipboard(t testing.TB, display string) *ClipboardWatch {
	t.Helper()
	conn, err := xgb.NewConnDisplay(display)
	if err != nil {
		t.Fatalf("connecting to %s: %v", display, err)
	}
	t.Cleanup(conn.Close)
	if err := xfixes.Init(conn); err != nil {
		t.Fatalf("%s: %v", display, err)
	}
	// XFixes answers only a client that said which version it speaks.
	if _, err := xfixes.QueryVersion(conn, 5, 0).Reply(); err != nil {
		t.Fatalf("%s: XFixes: %v", display, err)
	}
	atom, err := xproto.InternAtom(conn, false, uint16(len("CLIPBOARD")), "CLIPBOARD").Reply()
	if err != nil {
		t.Fatalf("%s: %v", display, err)
	}
	root := xproto.Setup(conn).DefaultScreen(conn).Root
	mask := uint32(xfixes.SelectionEventMaskSetSelectionOwner | xfixes.SelectionEventMaskSelectionWindowDestroy | xfixes.SelectionEventMaskSelectionClientClose)
	if err := xfixes.SelectSelectionInputChecked(conn, root, atom.Atom, mask).Check(); err != nil {
		t.Fatalf("%s: watching the clipboard: %v", display, err)
	}
	w := &ClipboardWatch{conn, make(chan struct{}, 1)}
	go func() {
		for {
			ev, err := conn.WaitForEvent()
			if ev == nil && err == nil { // the connection is closed
				return
			}
			if _, ok := ev.(xfixes.SelectionNotifyEvent); ok {
				select {
				case w.changed <- struct{}{}:
				default: // one pending change says it all
				}
			}
		}
	}()
	return w
}

// Wait waits until the clipboard changed since the watch began or the last
// Wait, or for d, whichever is first, and reports whether it changed.
func (w *ClipboardWatch) Wait(d time.Duration) bool {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-w.changed:
		return true
	case <-timer.C:
		return false
	}
}

// PutClipboard puts content on the clipboard of display, as target (a MIME
// type; "" for text), with xclip -i, as a user's copy does: the xclip it
// leaves behind owns the clipboard until another program takes it or the
// display ends. A failure ends the test with what xclip said.
func PutClipboard(t testing.TB, display, target string, content io.Reader) {
	t.Helper()
	args := []string{"-display", display, "-selection", "clipboard", "-i"}
	if target != "" {
		args = append(args, "-t", target)
	}
	put := exec.Command("xclip", args...)
	put.Stdin = content
	// A file, not a pipe: the xclip left behind holds it.
	stderr, err := os.CreateTemp(t.TempDir(), "xclip-stderr")
	if err != nil {
		t.Fatal(err)
	}
	defer stderr.Close()
	put.Stderr = stderr
	if err := put.Run(); err != nil {
		said, _ := os.ReadFile(stderr.Name())
		t.Fatalf("xclip: %v: %s", err, said)
	}
}
