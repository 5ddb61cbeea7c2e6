//go:build linux

package tui

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vmfa/vmfa/internal/testenv"
)

// TestTmuxImageBombMemory adds, in the interface in a real terminal, an
// image of 100 megapixels that compresses to a megabyte: a 16-bit RGBA PNG
// of 9999×9999, which took the process to 1.2 GB before (image/png's 8
// bytes a pixel). The interface says the image holds no code, and the
// process's peak RSS (VmHWM) stays under the 600 MiB that docs/import-export.md promises.
func TestTmuxImageBombMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("short mode")
	}
	testenv.Tools(t, "tmux", "go")
	dir := t.TempDir()
	bin := buildTUI(t, dir)
	bomb := testenv.PNGBomb(t, dir, "bomb.png", 9999, 9999, 16, 6, false, false)
	s := newTmux(t, e2eVault(t, dir), nil, strings.Join(bin, " "))
	pid := strings.TrimSpace(s.run("display-message", "-p", "-t", "e2e", "#{pane_pid}"))

	s.waitScreen("Unlock your vault")
	s.run("send-keys", "-t", "e2e", "-l", "pw")
	s.run("send-keys", "-t", "e2e", "Enter")
	s.waitScreen("3 accounts")
	s.run("send-keys", "-t", "e2e", "C-a")
	s.waitScreen("an image file")
	s.run("send-keys", "-t", "e2e", "i")
	s.run("send-keys", "-t", "e2e", "-l", bomb)
	s.run("send-keys", "-t", "e2e", "Enter")
	s.waitScreenWithin(filepath.Base(bomb)+": no QR code found", time.Minute)
	if hwm := peakRSS(t, pid); hwm > 600<<20 {
		t.Errorf("peak RSS %d MiB, over 600 MiB", hwm>>20)
	} else {
		t.Logf("peak RSS %d MiB", hwm>>20)
	}
}

// peakRSS returns the peak resident set size (VmHWM) of the process pid.
func peakRSS(t *testing.T, pid string) int64 {
	t.Helper()
	status, err := os.ReadFile("/proc/" + pid + "/status")
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.Lines(string(status)) {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				t.Fatalf("VmHWM: %q", rest)
			}
			return kb << 10
		}
	}
	t.Fatalf("no VmHWM in /proc/%s/status", pid)
	return 0
}
