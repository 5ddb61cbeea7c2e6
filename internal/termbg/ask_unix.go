//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package termbg

import (
	"image/color"
	"os"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"
	"golang.org/x/sys/unix"
	"golang.org/x/term"
)

// ask returns the terminal's background colour, or nil.
func ask(wait time.Duration) color.Color {
	t := os.Getenv("TERM")
	for _, mute := range muteTerms {
		if strings.HasPrefix(t, mute) {
			return nil
		}
	}
	tty, err := os.OpenFile("/dev/tty", os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		return nil
	}
	defer tty.Close()
	fd := int(tty.Fd())
	// A process in the background that set the terminal's modes would be
	// stopped (SIGTTOU).
	if pgrp, err := unix.IoctlGetInt(fd, unix.TIOCGPGRP); err != nil || pgrp != unix.Getpgrp() {
		return nil
	}
	// Raw: the answers are neither echoed nor held back until a newline.
	state, err := term.MakeRaw(fd)
	if err != nil {
		return nil
	}
	defer term.Restore(fd, state)
	if _, err := tty.WriteString(ansi.RequestBackgroundColor + ansi.RequestCursorPositionReport); err != nil {
		return nil
	}
	return parse(read(tty, wait))
}

// read reads from tty until the cursor's position is answered or wait has
// passed. select(2), as termenv uses, works on macOS's terminals, where
// kqueue and poll(2) do not.
func read(tty *os.File, wait time.Duration) []byte {
	fd := int(tty.Fd())
	deadline := time.Now().Add(wait)
	var got []byte
	buf := make([]byte, 256)
	for !cursorAnswer.Match(got) && len(got) < 4096 {
		left := time.Until(deadline)
		if left <= 0 {
			return got
		}
		var fds unix.FdSet
		fds.Set(fd)
		tv := unix.NsecToTimeval(left.Nanoseconds())
		n, err := unix.Select(fd+1, &fds, nil, nil, &tv)
		if err == unix.EINTR {
			continue
		}
		if err != nil || n == 0 {
			return got
		}
		n, err = unix.Read(fd, buf)
		if err != nil || n <= 0 {
			return got
		}
		got = append(got, buf[:n]...)
	}
	return got
}
