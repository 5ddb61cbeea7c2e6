package clipboard

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/vmfa/vmfa/internal/testenv"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestOSC52Bytes(t *testing.T) {
	got := string(OSC52("123456"))
	want := "\x1b]52;c;MTIzNDU2\a"
	if got != want {
		t.Fatalf("OSC52 = %q, want %q", got, want)
	}
	if got := string(OSC52("")); got != "\x1b]52;c;\a" {
		t.Fatalf("clearing OSC52 = %q", got)
	}
}

func TestCopyOverSSHUsesOSC52(t *testing.T) {
	var tty bytes.Buffer
	nativeCalls := 0
	c := &Clipboard{
		TTY:         &tty,
		Getenv:      env(map[string]string{"SSH_TTY": "/dev/pts/3"}),
		writeNative: func(string) error { nativeCalls++; return nil },
		readNative:  func() (string, error) { nativeCalls++; return "", nil },
	}
	if err := c.Copy("654321"); err != nil {
		t.Fatal(err)
	}
	if nativeCalls != 0 {
		t.Fatalf("native clipboard used over SSH")
	}
	if got := tty.String(); got != "\x1b]52;c;NjU0MzIx\a" {
		t.Fatalf("tty got %q", got)
	}
	tty.Reset()
	if cleared, err := c.ClearIf("654321"); err != nil || !cleared {
		t.Fatalf("ClearIf = %v, %v; want a clear", cleared, err)
	}
	if got := tty.String(); got != "\x1b]52;c;\a" {
		t.Fatalf("clear sent %q, want an empty OSC 52", got)
	}
}

func TestCopyFallsBackToOSC52(t *testing.T) {
	var tty bytes.Buffer
	c := &Clipboard{
		TTY:         &tty,
		Getenv:      env(nil),
		writeNative: func(string) error { return errors.New("xclip: Can't open display") },
		readNative:  func() (string, error) { return "", errors.New("xclip: Can't open display") },
	}
	if err := c.Copy("111222"); err != nil {
		t.Fatal(err)
	}
	if got, want := tty.String(), string(OSC52("111222")); got != want {
		t.Fatalf("tty got %q, want %q", got, want)
	}
	// Code 2 replaces code 1: clearing code 1 must not clear code 2,
	// which OSC 52 cannot read back.
	if err := c.Copy("333444"); err != nil {
		t.Fatal(err)
	}
	tty.Reset()
	if cleared, err := c.ClearIf("111222"); err != nil || cleared || tty.Len() != 0 {
		t.Fatalf("ClearIf of a replaced code = %v, %v, sent %q", cleared, err, tty.String())
	}
	if cleared, err := c.ClearIf("333444"); err != nil || !cleared {
		t.Fatalf("ClearIf = %v, %v", cleared, err)
	}
	if got, want := tty.String(), string(OSC52("")); got != want {
		t.Fatalf("clear sent %q, want %q", got, want)
	}
}

// TestNoRoute: with no clipboard tool and no terminal, Copy says so rather
// than claim a copy.
func TestNoRoute(t *testing.T) {
	for _, environ := range []map[string]string{nil, {"SSH_TTY": "/dev/pts/1"}} {
		c := &Clipboard{
			TTY:         failingWriter{},
			Getenv:      env(environ),
			writeNative: func(string) error { return errors.New("no tools") },
		}
		if err := c.Copy("123456"); !errors.Is(err, ErrNoRoute) {
			t.Errorf("env %v: Copy = %v, want ErrNoRoute", environ, err)
		}
	}
}

func TestCopyNativeAndClearIf(t *testing.T) {
	var tty bytes.Buffer
	board := ""
	c := &Clipboard{
		TTY:         &tty,
		Getenv:      env(nil),
		writeNative: func(s string) error { board = s; return nil },
		readNative:  func() (string, error) { return board, nil },
	}
	if err := c.Copy("123123"); err != nil {
		t.Fatal(err)
	}
	if board != "123123" || tty.Len() != 0 {
		t.Fatalf("board %q, tty %q", board, tty.String())
	}
	// The user copied something else meanwhile: it must survive.
	board = "my notes"
	if cleared, err := c.ClearIf("123123"); err != nil || cleared {
		t.Fatalf("ClearIf = %v, %v; want the clipboard left alone", cleared, err)
	}
	if board != "my notes" {
		t.Fatalf("ClearIf clobbered the user's clipboard: %q", board)
	}
	if err := c.Copy("999000"); err != nil {
		t.Fatal(err)
	}
	if cleared, err := c.ClearIf("999000"); err != nil || !cleared {
		t.Fatalf("ClearIf = %v, %v; want a clear", cleared, err)
	}
	if board != "" {
		t.Fatalf("ClearIf left %q", board)
	}
}

func TestCopyErrorsWhenNothingWorks(t *testing.T) {
	c := &Clipboard{
		TTY:         failingWriter{},
		Getenv:      env(nil),
		writeNative: func(string) error { return errors.New("no tools") },
	}
	err := c.Copy("123456")
	if err == nil || !strings.Contains(err.Error(), "no tools") {
		t.Fatalf("err = %v", err)
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("closed") }

func TestReadImageNoTool(t *testing.T) {
	t.Setenv("PATH", t.TempDir()) // no xclip, no wl-paste
	c := &Clipboard{Getenv: env(map[string]string{"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0"})}
	if _, err := c.ReadImage(); !errors.Is(err, ErrNoImageTool) {
		t.Fatalf("err = %v, want ErrNoImageTool", err)
	}
}

// TestReadNoDisplay: on X11 and Wayland systems, with neither DISPLAY nor
// WAYLAND_DISPLAY, reading says there is no display, whatever tools are
// installed.
func TestReadNoDisplay(t *testing.T) {
	if runtime.GOOS == "darwin" || runtime.GOOS == "windows" {
		t.Skip("the clipboard needs no display server here")
	}
	c := &Clipboard{Getenv: env(map[string]string{"PATH": os.Getenv("PATH")})}
	if _, err := c.ReadImage(); !errors.Is(err, ErrNoDisplay) {
		t.Errorf("ReadImage: %v, want ErrNoDisplay", err)
	}
	if _, err := c.ReadText(); !errors.Is(err, ErrNoDisplay) {
		t.Errorf("ReadText: %v, want ErrNoDisplay", err)
	}
}

// TestReadImageDisplayGone: with DISPLAY naming a display that is not
// there (a stale one in a tmux started under another session), the tool's
// own words are passed on.
func TestReadImageDisplayGone(t *testing.T) {
	testenv.Tools(t, "xclip")
	c := &Clipboard{Getenv: env(map[string]string{"DISPLAY": ":4093", "PATH": os.Getenv("PATH")})}
	if _, err := c.ReadImage(); !errors.Is(err, ErrNoImage) || !strings.Contains(err.Error(), "(xclip: ") || !strings.Contains(err.Error(), ":4093") {
		t.Fatalf("ReadImage on a display that is gone: %v, want ErrNoImage with xclip's message", err)
	}
}

// TestXclipUnderXvfb exercises the real X11 path: xclip copies and clears
// text, and an image put on the clipboard reads back byte for byte.
func TestXclipUnderXvfb(t *testing.T) {
	if os.Getenv("WAYLAND_DISPLAY") != "" {
		t.Setenv("WAYLAND_DISPLAY", "") // atotto/clipboard would pick wl-copy
	}
	t.Setenv("DISPLAY", testenv.Xvfb(t))

	c := &Clipboard{Getenv: os.Getenv, TTY: failingWriter{}}
	if err := c.Copy("246810"); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("xclip", "-selection", "clipboard", "-o").Output()
	if err != nil || string(out) != "246810" {
		t.Fatalf("xclip -o = %q, %v", out, err)
	}
	if _, err := c.ClearIf("246810"); err != nil {
		t.Fatal(err)
	}
	out, _ = exec.Command("xclip", "-selection", "clipboard", "-o").Output()
	if string(out) == "246810" {
		t.Fatal("code still on the clipboard after ClearIf")
	}

	// Text on the clipboard is not an image.
	if _, err := c.ReadImage(); !errors.Is(err, ErrNoImage) {
		t.Fatalf("ReadImage of text: %v, want ErrNoImage", err)
	}

	img := image.NewGray(image.Rect(0, 0, 8, 8))
	img.Set(3, 3, color.White)
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	testenv.PutClipboard(t, os.Getenv("DISPLAY"), "image/png", bytes.NewReader(buf.Bytes()))
	// xclip -i returns before the process it leaves behind owns the
	// clipboard: under load, a read at once still finds the text's owner.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		targets, _ := exec.Command("xclip", "-selection", "clipboard", "-t", "TARGETS", "-o").Output()
		if strings.Contains(string(targets), "image/png") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("xclip -i: the clipboard offers %q, not image/png", targets)
		}
	}
	got, err := c.ReadImage()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, buf.Bytes()) {
		t.Fatalf("ReadImage returned %d bytes, want the %d of the PNG", len(got), buf.Len())
	}
}

// Outside tmux, over SSH, a copy is one OSC 52 sequence, and so is its
// clearing.
func TestOSC52OverSSHOutsideTmux(t *testing.T) {
	var tty bytes.Buffer
	clip := &Clipboard{TTY: &tty, Getenv: env(map[string]string{"SSH_TTY": "/dev/pts/1"})}
	if err := clip.Copy("424242"); err != nil {
		t.Fatal(err)
	}
	if _, err := clip.ClearIf("424242"); err != nil {
		t.Fatal(err)
	}
	if got, want := tty.String(), string(OSC52("424242"))+string(OSC52("")); got != want {
		t.Fatalf("tty got %q, want %q", got, want)
	}
}

// TestClearVia: a process that clears what another copied clears it by the
// route it went (CopiedVia), not by what its own environment suggests.
func TestClearVia(t *testing.T) {
	var tty bytes.Buffer
	copier := &Clipboard{TTY: &tty, Getenv: env(nil),
		writeNative: func(string) error { return errors.New("no display") }}
	if err := copier.Copy("135790"); err != nil {
		t.Fatal(err)
	}
	if r, ok := copier.CopiedVia("135790"); !ok || r != ViaOSC52 {
		t.Fatalf("CopiedVia = %q, %v; want %q", r, ok, ViaOSC52)
	}
	if _, ok := copier.CopiedVia("000000"); ok {
		t.Fatal("CopiedVia knows a text never copied")
	}

	// A clearer whose native clipboard works: it must not read it, nor
	// write it, but send the OSC 52 clear.
	tty.Reset()
	native := 0
	clearer := &Clipboard{TTY: &tty, Getenv: env(nil),
		writeNative: func(string) error { native++; return nil },
		readNative:  func() (string, error) { native++; return "135790", nil }}
	if cleared, err := clearer.ClearVia("135790", ViaOSC52); err != nil || !cleared || native != 0 || tty.String() != string(OSC52("")) {
		t.Fatalf("ClearVia = %v, %v; native calls %d, tty %q", cleared, err, native, tty.String())
	}
	// Natively, the clipboard is read back: the user's text stays.
	board := "my notes"
	clearer = &Clipboard{TTY: &tty, Getenv: env(nil),
		writeNative: func(s string) error { board = s; return nil },
		readNative:  func() (string, error) { return board, nil }}
	if cleared, err := clearer.ClearVia("135790", ViaNative); err != nil || cleared || board != "my notes" {
		t.Fatalf("ClearVia over the user's text = %v, %v; board %q", cleared, err, board)
	}
	board = "135790"
	if cleared, err := clearer.ClearVia("135790", ViaNative); err != nil || !cleared || board != "" {
		t.Fatalf("ClearVia = %v, %v; board %q", cleared, err, board)
	}
}

// TestImageSizeLimit: what a tool writes is kept up to exactly MaxImageSize
// bytes, in pieces as a pipe brings them; the write that would go one byte
// past fails and marks the image as over.
func TestImageSizeLimit(t *testing.T) {
	var b cappedBuffer
	piece := make([]byte, 1<<20)
	for range MaxImageSize>>20 - 1 {
		if _, err := b.Write(piece); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := b.Write(piece[:len(piece)-1]); err != nil || n != len(piece)-1 {
		t.Fatalf("writing up to a byte under the limit: %d, %v", n, err)
	}
	if n, err := b.Write([]byte{1}); err != nil || n != 1 || b.over || b.buf.Len() != MaxImageSize {
		t.Fatalf("writing the last byte: %d, %v; %d kept, over %v", n, err, b.buf.Len(), b.over)
	}
	if _, err := b.Write([]byte{2}); err == nil || !b.over || b.buf.Len() != MaxImageSize {
		t.Fatalf("a byte past the limit: %v; %d kept, over %v", err, b.buf.Len(), b.over)
	}
}

// TestFirstLine: a tool's message is cut to its first line, and to 120
// bytes with an ellipsis only when it is longer.
func TestFirstLine(t *testing.T) {
	long := strings.Repeat("x", 120)
	for in, want := range map[string]string{
		"one\ntwo":   "one",
		long:         long,
		long + "y":   long + "…",
		long + "\nz": long,
	} {
		if got := firstLine(in); got != want {
			t.Errorf("firstLine(%.10q…) = %.10q…, want %.10q… (%d bytes)", in, got, want, len(want))
		}
	}
}
