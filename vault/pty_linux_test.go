package vault

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

var errNoTerminal = errors.New("no pseudo-terminal")

// runWithTerminal runs a command in a new session whose controlling terminal
// is a pseudo-terminal, types input on it once the command prints to it, and
// returns the command's standard output.
func runWithTerminal(t *testing.T, input string, timeout time.Duration, name string, args ...string) ([]byte, error) {
	ptmx, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		return nil, errNoTerminal
	}
	defer ptmx.Close()
	var unlock int32
	var n uint32
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, ptmx.Fd(), syscall.TIOCSPTLCK, uintptr(unsafe.Pointer(&unlock))); e != 0 {
		return nil, errNoTerminal
	}
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, ptmx.Fd(), syscall.TIOCGPTN, uintptr(unsafe.Pointer(&n))); e != 0 {
		return nil, errNoTerminal
	}
	tty, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		return nil, errNoTerminal
	}
	defer tty.Close()

	cmd := exec.Command(name, args...)
	var stdout bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, &stdout, tty
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	tty.Close()

	// Wait for the prompt, then type.
	prompt := make(chan []byte, 1)
	go func() {
		buf := make([]byte, 4096)
		k, _ := ptmx.Read(buf)
		prompt <- buf[:k]
		io.Copy(io.Discard, ptmx)
	}()
	select {
	case p := <-prompt:
		t.Logf("%s prompted %q", name, bytes.TrimSpace(p))
	case <-time.After(timeout):
		cmd.Process.Kill()
		cmd.Wait()
		return nil, errors.New("no prompt on the terminal")
	}
	if _, err := ptmx.WriteString(input); err != nil {
		return nil, err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return stdout.Bytes(), err
	case <-time.After(timeout):
		cmd.Process.Kill()
		<-done
		return stdout.Bytes(), errors.New("timed out")
	}
}
