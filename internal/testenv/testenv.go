// Package testenv is what tests use to reach things outside the Go toolchain:
// external tools (oathtool, tmux, age, Xvfb, xclip, zbarimg…), an X server of
// their own, and the shared corpus beside the repository.
//
// On a developer's machine a test whose tool or corpus is missing skips. Under
// CI (CI=true) it fails instead, so the suite can never go green by skipping
// what it was meant to check.
package testenv

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jezek/xgb"
)

// InCI reports whether the tests run under CI, where every skip is a failure.
func InCI() bool {
	v, _ := strconv.ParseBool(os.Getenv("CI"))
	return v
}

// Skip skips the test on a developer's machine and fails it in CI.
func Skip(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if InCI() {
		t.Fatalf("%s (CI=true: a missing requirement is a failure, not a skip)", msg)
	}
	t.Skip(msg)
}

// Tool returns the path of an external command, or skips (fails in CI)
// when it is not installed.
func Tool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		Skip(t, "%s is not installed (.ci/run installs it)", name)
	}
	return p
}

// Tools is Tool for several commands.
func Tools(t testing.TB, names ...string) {
	t.Helper()
	for _, n := range names {
		Tool(t, n)
	}
}

// SharedCorpus returns the path of rel inside ../shared/corpus, looked for
// beside the repository (or any parent of the working directory), or skips
// (fails in CI) when it is not there.
func SharedCorpus(t testing.TB, rel string) string {
	t.Helper()
	dir, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	for {
		p := filepath.Join(dir, "..", "shared", "corpus", rel)
		if _, err := os.Stat(p); err == nil {
			return p
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			Skip(t, "../shared/corpus/%s not found beside the repository", rel)
			return ""
		}
		dir = parent
	}
}

// Xvfb starts an X server of the test's own on a free display, waits until
// it answers, and stops it (by pid) when the test ends. It returns the
// display name, e.g. ":93". The server has one X screen of 1280x800x24, or
// one of each size given (WxHxDEPTH), reached as ":93.0", ":93.1"… A server
// that does not start or answer skips the test locally and fails it in CI.
func Xvfb(t testing.TB, screens ...string) string {
	t.Helper()
	Tools(t, "Xvfb", "xclip")
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	if len(screens) == 0 {
		screens = []string{"1280x800x24"}
	}
	// -displayfd: the server picks a free display and writes its number,
	// so parallel tests and other users' servers never collide.
	// -noreset: a server resets whenever its last client leaves, which
	// runs xkbcomp again (two processes); and under load, xclip run right
	// after the check below, which leaves it no client, was twice refused
	// ("Can't open display").
	args := []string{"-displayfd", "3", "-nolisten", "tcp", "-noreset"}
	for i, s := range screens {
		args = append(args, "-screen", strconv.Itoa(i), s)
	}
	cmd := exec.Command("Xvfb", args...)
	// With no DRI driver where Mesa looks for one, the server runs without
	// GLX, which no test uses, and does not load Mesa's software renderer
	// and the LLVM it links: half of the CPU of a server's start.
	cmd.Env = append(os.Environ(), "LIBGL_DRIVERS_PATH="+t.TempDir())
	cmd.ExtraFiles = []*os.File{w}
	if err := cmd.Start(); err != nil {
		w.Close()
		r.Close()
		Skip(t, "Xvfb: %v", err)
	}
	w.Close()
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })

	got := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(r).ReadString('\n')
		r.Close()
		got <- strings.TrimSpace(line)
	}()
	var display string
	select {
	case n := <-got:
		if n == "" {
			Skip(t, "Xvfb exited without a display number")
		}
		display = ":" + n
	case <-time.After(30 * time.Second):
		// 1.4 s for a 10000×10000 screen on a quiet machine; CI's go test
		// runs the packages' programs beside it on 2 cores.
		Skip(t, "Xvfb did not report a display within 30 s")
	}
	// The display number is written once the server listens; check that a
	// client really gets through.
	deadline := time.Now().Add(5 * time.Second)
	for {
		conn, err := xgb.NewConnDisplay(display)
		if err == nil {
			conn.Close()
			return display
		}
		if time.Now().After(deadline) {
			Skip(t, "Xvfb on %s does not answer: %v", display, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
