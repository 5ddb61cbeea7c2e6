// Package clipboard copies one-time codes to the system clipboard, clears
// them again, and reads QR code images from it, for both front ends.
//
// A text takes the first route that can carry it:
//
//   - locally, the platform's tools through github.com/atotto/clipboard
//     (wl-copy, xclip, xsel, pbcopy);
//   - inside tmux (over SSH, or when those tools fail), tmux's paste buffer,
//     through "tmux load-buffer -w", which also hands it to the outer
//     terminal's clipboard (an OSC 52 sequence that tmux writes itself, so it
//     arrives whatever tmux's set-clipboard and allow-passthrough say);
//   - elsewhere, an OSC 52 escape sequence written to the terminal, which
//     most terminal emulators turn into a clipboard write on the user's own
//     machine.
//
// When none can, Copy says so (ErrNoRoute) rather than claim a copy.
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
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/atotto/clipboard"
)

// ClearAfter is how long a copied code stays on the clipboard: long enough
// to paste it, short enough not to be pasted by mistake later. Both front
// ends clear it then, with ClearIf, so only if it is still there.
const ClearAfter = 20 * time.Second

// Errors of Copy and ReadImage.
var (
	ErrNoRoute     = errors.New("no way to reach a clipboard here: install wl-clipboard (Wayland) or xclip (X11), or run vmfa in a terminal that accepts OSC 52, or inside tmux")
	ErrNoImageTool = errors.New("no tool to read images from the clipboard: install wl-clipboard (Wayland), xclip (X11) or pngpaste (macOS)")
	ErrNoImage     = errors.New("the clipboard holds no PNG image")
	// ErrNoDisplay: on X11 and Wayland systems, the clipboard belongs to a
	// display server, and no DISPLAY or WAYLAND_DISPLAY names one (a
	// console, an SSH session without X forwarding).
	ErrNoDisplay = errors.New("no display to read the clipboard from: neither DISPLAY nor WAYLAND_DISPLAY is set")
)

// Route is how a text was copied, which decides how it is cleared: a
// process that clears a text another one copied is told it (ClearVia).
type Route string

const (
	ViaNative Route = "native" // the platform's tools: read back before clearing
	ViaTmux   Route = "tmux"   // tmux's paste buffers: looked through
	ViaOSC52  Route = "osc52"  // a terminal's escape sequence: cannot be read back
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

	mu     sync.Mutex
	copied map[string]copied // texts copied and not cleared since
	seq    int               // of the last copy
}

// copied is how and when a text was copied.
type copied struct {
	route Route
	seq   int
}

var std Clipboard

// Copy puts text on the clipboard (see Clipboard.Copy).
func Copy(text string) error { return std.Copy(text) }

// ClearIf clears text from the clipboard if it is still there (see
// Clipboard.ClearIf).
func ClearIf(text string) (bool, error) { return std.ClearIf(text) }

// ReadImage returns the PNG image on the clipboard (see Clipboard.ReadImage).
func ReadImage() ([]byte, error) { return std.ReadImage() }

// MaxImageSize bounds the image ReadImage reads: a screenshot of 100
// megapixels (qr.MaxPixels) is 10 to 50 MB as a PNG, and a larger one, held
// as it comes and then decoded, would take vmfa past its 600 MiB.
const MaxImageSize = 64 << 20

// cappedBuffer keeps what is written to it, up to MaxImageSize bytes; the
// write that would go past fails, and the tool writing is cut off.
type cappedBuffer struct {
	buf  bytes.Buffer
	over bool
}

func (b *cappedBuffer) Write(p []byte) (int, error) {
	if b.buf.Len()+len(p) > MaxImageSize {
		b.over = true
		return 0, errors.New("over the size limit")
	}
	return b.buf.Write(p)
}

// ReadText returns the text on the clipboard (see Clipboard.ReadText).
func ReadText() (string, error) { return std.ReadText() }

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

func (c *Clipboard) inTmux() bool { return c.getenv("TMUX") != "" }

// Copy puts text on the clipboard by the first route that can take it (see
// the package documentation). It returns an error wrapping ErrNoRoute, and
// the reasons, when none can.
func (c *Clipboard) Copy(text string) error {
	var failed []string
	if !c.Remote() {
		err := c.nativeWrite(text)
		if err == nil {
			c.remember(text, ViaNative)
			return nil
		}
		failed = append(failed, err.Error())
	}
	if c.inTmux() {
		// A bare OSC 52 sequence would stop at tmux, which by default
		// (set-clipboard external) does not pass it on.
		_, err := c.tmux(text, "load-buffer", "-w", "-")
		if err == nil {
			c.remember(text, ViaTmux)
			return nil
		}
		failed = append(failed, "tmux load-buffer: "+err.Error())
	} else {
		err := c.writeOSC52(text)
		if err == nil {
			c.remember(text, ViaOSC52)
			return nil
		}
		failed = append(failed, "OSC 52: "+err.Error())
	}
	return fmt.Errorf("%w (%s)", ErrNoRoute, strings.Join(failed, "; "))
}

// ClearIf empties the clipboard if it still holds text, and reports whether
// it did. A text the user has replaced since is left alone, as far as can be
// known: the native clipboard is read back; tmux's paste buffers are looked
// through, and every one holding text is deleted (the outer terminal's
// clipboard, which tmux cannot read back, is overwritten only if the newest
// buffer was still text); an OSC 52 clipboard cannot be read back, so it is
// cleared unconditionally. A text vmfa itself has replaced since by the same
// route is known to be gone and is not looked for.
func (c *Clipboard) ClearIf(text string) (cleared bool, err error) {
	c.mu.Lock()
	cp, known := c.copied[text]
	delete(c.copied, text)
	r, newer := cp.route, false
	for _, other := range c.copied {
		newer = newer || (other.route == r && other.seq > cp.seq)
	}
	c.mu.Unlock()
	if newer && r != ViaTmux {
		// vmfa replaced text itself since: it is gone already. (tmux keeps
		// each copy in a buffer of its own.)
		return false, nil
	}
	if !known {
		switch {
		case c.Remote() && c.inTmux():
			r = ViaTmux
		case c.Remote():
			r = ViaOSC52
		default:
			r = ViaNative
		}
	}
	switch r {
	case ViaTmux:
		return c.clearTmux(text)
	case ViaOSC52:
		if err := c.writeOSC52(""); err != nil {
			return false, err
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

// CopiedVia returns the route by which text was copied, if it was copied
// and not cleared since.
func (c *Clipboard) CopiedVia(text string) (Route, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	cp, ok := c.copied[text]
	return cp.route, ok
}

// ClearVia is ClearIf for a text another process copied by route r. A route
// it does not know is left to ClearIf's guess.
func (c *Clipboard) ClearVia(text string, r Route) (cleared bool, err error) {
	switch r {
	case ViaNative, ViaTmux, ViaOSC52:
		c.remember(text, r)
	}
	return c.ClearIf(text)
}

// clearTmux deletes every tmux paste buffer that holds text. If the newest
// one did, nothing was copied through tmux since, and the outer terminal's
// clipboard is overwritten too, with a space: tmux forwards no empty text.
func (c *Clipboard) clearTmux(text string) (bool, error) {
	list, err := c.tmux("", "list-buffers", "-F", "#{buffer_size}\t#{buffer_name}")
	if err != nil {
		return false, fmt.Errorf("tmux list-buffers: %w", err)
	}
	cleared, newest := false, false
	for i, line := range strings.Split(strings.TrimSpace(list), "\n") {
		size, name, ok := strings.Cut(line, "\t")
		if n, err := strconv.Atoi(size); !ok || err != nil || n != len(text) {
			continue
		}
		if got, err := c.tmux("", "show-buffer", "-b", name); err != nil || got != text {
			continue
		}
		if _, err := c.tmux("", "delete-buffer", "-b", name); err != nil {
			return cleared, fmt.Errorf("tmux delete-buffer: %w", err)
		}
		cleared, newest = true, newest || i == 0
	}
	if newest {
		const name = "vmfa-clear"
		if _, err := c.tmux(" ", "load-buffer", "-b", name, "-w", "-"); err == nil {
			_, _ = c.tmux("", "delete-buffer", "-b", name)
		}
	}
	return cleared, nil
}

// tmux runs the tmux of $TMUX with stdin and returns its output.
func (c *Clipboard) tmux(stdin string, args ...string) (string, error) {
	cmd := exec.Command("tmux", args...)
	cmd.Env = c.environ()
	cmd.Stdin = strings.NewReader(stdin)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if msg := strings.TrimSpace(stderr.String()); err != nil && msg != "" {
		err = errors.New(firstLine(msg))
	}
	return string(out), err
}

func (c *Clipboard) remember(text string, r Route) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.copied == nil {
		c.copied = make(map[string]copied)
	}
	c.seq++
	c.copied[text] = copied{r, c.seq}
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
// (an empty text clears it).
func OSC52(text string) []byte {
	return []byte("\x1b]52;c;" + base64.StdEncoding.EncodeToString([]byte(text)) + "\a")
}

func (c *Clipboard) writeOSC52(text string) error {
	w := c.TTY
	if w == nil {
		tty, err := os.OpenFile("/dev/tty", os.O_WRONLY, 0)
		if err != nil {
			return fmt.Errorf("no terminal to send it to: %w", err)
		}
		defer tty.Close()
		w = tty
	}
	// One Write, so the sequence cannot interleave with a frame being drawn.
	_, err := w.Write(OSC52(text))
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

// pngSignature starts every PNG file.
var pngSignature = []byte("\x89PNG\r\n\x1a\n")

// needsDisplay reports whether the clipboard here belongs to an X11 or
// Wayland display server, and none is named: reading it cannot work, whatever
// tools are installed.
func (c *Clipboard) needsDisplay() bool {
	switch runtime.GOOS {
	case "darwin", "ios", "windows", "android", "plan9":
		return false
	}
	return c.getenv("DISPLAY") == "" && c.getenv("WAYLAND_DISPLAY") == ""
}

// ReadImage returns the PNG image on the clipboard, read with wl-paste,
// xclip or pngpaste. It returns ErrNoDisplay when there is no display server
// to ask, ErrNoImageTool when none of the tools can run here and an error
// wrapping ErrNoImage when the clipboard holds no image.
func (c *Clipboard) ReadImage() ([]byte, error) {
	if c.needsDisplay() {
		return nil, ErrNoDisplay
	}
	var lastErr error = ErrNoImageTool
	for _, tool := range c.imageTools() {
		path, err := exec.LookPath(tool[0])
		if err != nil {
			continue
		}
		cmd := exec.Command(path, tool[1:]...)
		cmd.Env = c.environ()
		var stdout cappedBuffer
		var stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err = cmd.Run()
		if stdout.over {
			return nil, fmt.Errorf("the clipboard's image is over %d MB", MaxImageSize>>20)
		}
		out := stdout.buf.Bytes()
		if err == nil && bytes.HasPrefix(out, pngSignature) {
			return out, nil
		}
		msg := strings.TrimSpace(stderr.String())
		if msg == "" && err != nil {
			msg = err.Error()
		}
		if msg != "" {
			lastErr = fmt.Errorf("%w (%s: %s)", ErrNoImage, tool[0], firstLine(msg))
		} else {
			// Nothing, or text: xclip hands over text for any type asked for.
			lastErr = ErrNoImage
		}
	}
	return nil, lastErr
}

// ReadText returns the text on the clipboard, read with the platform's
// tools (wl-paste, xclip, xsel, pbpaste), or ErrNoDisplay.
func (c *Clipboard) ReadText() (string, error) {
	if c.needsDisplay() {
		return "", ErrNoDisplay
	}
	text, err := c.nativeRead()
	if err != nil {
		return "", fmt.Errorf("reading the clipboard: %v", err)
	}
	return text, nil
}

// environ passes the clipboard-related variables of Getenv to the tools.
func (c *Clipboard) environ() []string {
	if c.Getenv == nil {
		return nil // inherit
	}
	env := os.Environ()
	for _, k := range []string{"DISPLAY", "WAYLAND_DISPLAY", "XDG_RUNTIME_DIR", "TMUX"} {
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
