// Package clipboard copies one-time codes to the system clipboard and reads
// QR code images from it.
//
// Locally it uses the platform's tools through github.com/atotto/clipboard
// (wl-copy, xclip, xsel, pbcopy). Over SSH, or when those tools fail, it
// writes an OSC 52 escape sequence to the terminal, which most terminal
// emulators turn into a clipboard write on the user's own machine.
package clipboard

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"

	"github.com/atotto/clipboard"
)

// Errors of ReadImage.
var (
	ErrNoImageTool = errors.New("no tool to read images from the clipboard: install wl-clipboard (Wayland), xclip (X11) or pngpaste (macOS)")
	ErrNoImage     = errors.New("the clipboard holds no PNG image")
)

// Clipboard is a clipboard with its environment made explicit. The zero value
// is ready to use and behaves like the package-level functions.
type Clipboard struct {
	// TTY receives OSC 52 sequences. Nil means opening /dev/tty for each write.
	TTY io.Writer
	// Getenv reads the environment. Nil means os.Getenv.
	Getenv func(string) string

	// Native clipboard access; nil means github.com/atotto/clipboard.
	writeNative func(string) error
	readNative  func() (string, error)
	// tmux runs the tmux command with args and returns its output; nil
	// means exec.
	tmux func(args ...string) (string, error)

	mu       sync.Mutex
	viaOSC52 map[string]bool // texts last copied through OSC 52
}

var std Clipboard

// Copy puts text on the clipboard (see Clipboard.Copy).
func Copy(text string) error { return std.Copy(text) }

// ReadImage returns the PNG image on the clipboard (see Clipboard.ReadImage).
func ReadImage() ([]byte, error) { return std.ReadImage() }

func (c *Clipboard) getenv(k string) string {
	if c.Getenv != nil {
		return c.Getenv(k)
	}
	return os.Getenv(k)
}

// Remote reports whether the process runs over SSH, where the native tools
// would reach the server's clipboard rather than the user's.
func (c *Clipboard) Remote() bool {
	return c.getenv("SSH_TTY") != "" || c.getenv("SSH_CONNECTION") != ""
}

// Copy puts text on the clipboard: over SSH through OSC 52 only; locally
// through the native tools, falling back to OSC 52 when they fail.
func (c *Clipboard) Copy(text string) error {
	var nativeErr error
	if !c.Remote() {
		if nativeErr = c.nativeWrite(text); nativeErr == nil {
			c.remember(text, false)
			return nil
		}
	}
	if err := c.writeOSC52(text); err != nil {
		if nativeErr != nil {
			return fmt.Errorf("copying failed: %v; OSC 52: %v", nativeErr, err)
		}
		return fmt.Errorf("copying through the terminal (OSC 52) failed: %w", err)
	}
	c.remember(text, true)
	return nil
}

// ClearIf empties the clipboard if it still holds text, and reports
// whether it did. OSC 52 cannot read the clipboard back, so a text copied
// that way is cleared unconditionally; inside tmux, which keeps what OSC 52
// set as its newest paste buffer, that buffer is deleted too if it still
// holds text.
func (c *Clipboard) ClearIf(text string) (cleared bool, err error) {
	c.mu.Lock()
	osc, known := c.viaOSC52[text]
	delete(c.viaOSC52, text)
	c.mu.Unlock()
	if (known && osc) || (!known && c.Remote()) {
		if err := c.writeOSC52(""); err != nil {
			return false, err
		}
		if c.getenv("TMUX") != "" {
			c.clearTmuxBuffer(text)
		}
		return true, nil
	}
	got, err := c.nativeRead()
	if err != nil {
		return false, err
	}
	if got != text {
		return false, nil // the user copied something else since: leave it
	}
	if err := c.nativeWrite(""); err != nil {
		return false, err
	}
	return true, nil
}

// clearTmuxBuffer deletes tmux's newest paste buffer if it holds text. The
// empty OSC 52 sequence that clears the terminal's clipboard leaves it: tmux
// ignores an empty set. Failures are ignored: tmux may be too old, or not
// the tmux of $TMUX.
func (c *Clipboard) clearTmuxBuffer(text string) {
	run := c.tmux
	if run == nil {
		run = func(args ...string) (string, error) {
			out, err := exec.Command("tmux", args...).Output()
			return string(out), err
		}
	}
	if got, err := run("show-buffer"); err == nil && got == text {
		_, _ = run("delete-buffer")
	}
}

func (c *Clipboard) remember(text string, osc bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.viaOSC52 == nil {
		c.viaOSC52 = make(map[string]bool)
	}
	c.viaOSC52[text] = osc
}

func (c *Clipboard) nativeWrite(text string) error {
	if c.writeNative != nil {
		return c.writeNative(text)
	}
	return clipboard.WriteAll(text)
}

func (c *Clipboard) nativeRead() (string, error) {
	if c.readNative != nil {
		return c.readNative()
	}
	return clipboard.ReadAll()
}

// OSC52 returns the escape sequence that sets the system clipboard to text
// (an empty text clears it). Inside tmux (inTmux) the plain sequence, which
// tmux itself accepts when its set-clipboard option is on, is followed by the
// same sequence wrapped in tmux's DCS passthrough, which reaches the outer
// terminal when allow-passthrough is on; a terminal that receives both sets
// the same text twice.
func OSC52(text string, inTmux bool) []byte {
	seq := "\x1b]52;c;" + base64.StdEncoding.EncodeToString([]byte(text)) + "\a"
	if !inTmux {
		return []byte(seq)
	}
	return []byte(seq + TmuxPassthrough(seq))
}

// TmuxPassthrough wraps an escape sequence so that tmux hands it to the
// outer terminal unchanged: ESC P tmux; <seq with every ESC doubled> ESC \.
func TmuxPassthrough(seq string) string {
	return "\x1bPtmux;" + strings.ReplaceAll(seq, "\x1b", "\x1b\x1b") + "\x1b\\"
}

func (c *Clipboard) writeOSC52(text string) error {
	seq := OSC52(text, c.getenv("TMUX") != "")
	w := c.TTY
	if w == nil {
		tty, err := os.OpenFile("/dev/tty", os.O_WRONLY, 0)
		if err != nil {
			return fmt.Errorf("no terminal to send OSC 52 to: %w", err)
		}
		defer tty.Close()
		w = tty
	}
	// One Write, so the sequence cannot interleave with a frame being drawn.
	_, err := w.Write(seq)
	return err
}

// imageTools lists the commands that print the clipboard's PNG image, in the
// order they are tried: only those whose display server is there.
func (c *Clipboard) imageTools() [][]string {
	var tools [][]string
	if runtime.GOOS == "darwin" {
		tools = append(tools, []string{"pngpaste", "-"})
	}
	if c.getenv("WAYLAND_DISPLAY") != "" {
		tools = append(tools, []string{"wl-paste", "--no-newline", "--type", "image/png"})
	}
	if c.getenv("DISPLAY") != "" {
		tools = append(tools, []string{"xclip", "-selection", "clipboard", "-t", "image/png", "-o"})
	}
	return tools
}

// ReadImage returns the PNG image on the clipboard, read with wl-paste,
// xclip or pngpaste. It returns ErrNoImageTool when none of them can run
// here and an error wrapping ErrNoImage when the clipboard holds no image.
func (c *Clipboard) ReadImage() ([]byte, error) {
	var lastErr error = ErrNoImageTool
	for _, tool := range c.imageTools() {
		path, err := exec.LookPath(tool[0])
		if err != nil {
			continue
		}
		cmd := exec.Command(path, tool[1:]...)
		cmd.Env = c.environ()
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err == nil && len(out) > 0 {
			return out, nil
		}
		msg := strings.TrimSpace(stderr.String())
		if msg == "" && err != nil {
			msg = err.Error()
		}
		if msg != "" {
			lastErr = fmt.Errorf("%w (%s: %s)", ErrNoImage, tool[0], firstLine(msg))
		} else {
			lastErr = ErrNoImage
		}
	}
	return nil, lastErr
}

// environ passes the clipboard-related variables of Getenv to the tools.
func (c *Clipboard) environ() []string {
	if c.Getenv == nil {
		return nil // inherit
	}
	env := os.Environ()
	for _, k := range []string{"DISPLAY", "WAYLAND_DISPLAY", "XDG_RUNTIME_DIR"} {
		env = append(env, k+"="+c.Getenv(k))
	}
	return env
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	if len(s) > 120 {
		s = s[:120] + "…"
	}
	return s
}
