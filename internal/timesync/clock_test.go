package timesync

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/vmfa/vmfa/internal/settings"
)

// clockIn is a Clock at the fixed system time, with its settings in dir,
// whose notes (Notify) are collected in notes.
func clockIn(dir string, system time.Time, notes *[]string) *Clock {
	return &Clock{
		System: func() time.Time { return system },
		Dir:    dir,
		Notify: func(w string) { *notes = append(*notes, w) },
	}
}

// TestClockHeader: what the interface's header is given, and what the CLI
// is told once, with a fixed system clock and real settings files.
func TestClockHeader(t *testing.T) {
	dir := t.TempDir()
	f := settings.Open(dir)
	system := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	kernel := ""
	if err := Kernel().Err(); err != nil {
		kernel = err.Error()
	}
	join := func(ws ...string) string {
		var out []string
		for _, w := range ws {
			if w != "" {
				out = append(out, w)
			}
		}
		return strings.Join(out, "; ")
	}

	var notes []string
	c := clockIn(dir, system, &notes)
	if label, warning := c.Header(); label != "" || warning != kernel {
		t.Errorf("no correction: %q %q", label, warning)
	}

	if _, err := Apply(f, Measurement{Server: "s", Offset: 97 * time.Second, At: system.Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	c = clockIn(dir, system, &notes)
	if label, warning := c.Header(); label != "clock corrected +1m37s" || warning != kernel {
		t.Errorf("fresh correction: %q %q", label, warning)
	}
	// The interface's clock: the header's reading, nothing said.
	if got := c.Now(); !got.Equal(system.Add(97 * time.Second)) {
		t.Errorf("interface clock %v", got)
	}
	if len(notes) != 0 {
		t.Errorf("notified under the interface: %q", notes)
	}

	if _, err := Apply(f, Measurement{Server: "s", Offset: -2 * time.Second, At: system.Add(-10 * 24 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	c = clockIn(dir, system, &notes)
	label, warning := c.Header()
	stale := "the clock correction -2s was measured 10 days ago"
	if label != "clock corrected -2s" || warning != join(kernel, stale) {
		t.Errorf("stale correction: %q %q", label, warning)
	}
	// The program says what to do about each warning (Explain), the
	// kernel's included.
	c = clockIn(dir, system, &notes)
	var explained []error
	c.Explain = func(err error) string {
		explained = append(explained, err)
		return err.Error() + ": the program's hint"
	}
	label, warning = c.Header()
	var staleErr *StaleError
	unsynced := 0
	for _, err := range explained {
		if errors.Is(err, ErrUnsynchronised) {
			unsynced++
		} else if !errors.As(err, &staleErr) {
			t.Errorf("explained %v", err)
		}
	}
	if staleErr == nil || staleErr.Days != 10 || staleErr.Offset != -2*time.Second || len(explained) != 1+unsynced || (unsynced == 1) != (kernel != "") {
		t.Errorf("explained %v, want a *StaleError, and the kernel's ErrUnsynchronised if it says so", explained)
	}
	if want := stale + ": the program's hint"; !strings.HasSuffix(warning, want) || (kernel != "" && warning != join(kernel+": the program's hint", want)) {
		t.Errorf("stale correction, explained: %q %q", label, warning)
	}
	c.Now()
	if len(notes) != 0 {
		t.Errorf("notified after the header: %q", notes)
	}
	// The CLI is told instead, once.
	c = clockIn(dir, system, &notes)
	c.Now()
	c.Now()
	if got := strings.Join(notes, "\n"); strings.Count(got, "measured 10 days ago") != 1 {
		t.Errorf("CLI notes %q", got)
	}

	os.WriteFile(f.Path(), []byte("{garbage"), 0o600)
	notes = nil
	c = clockIn(dir, system, &notes)
	if got := c.Now(); !got.Equal(system) || len(notes) != 1 || !strings.Contains(notes[0], "is not a JSON object") || !strings.Contains(notes[0], "codes use the system clock") {
		t.Errorf("unreadable settings: %v, %q", got, notes)
	}
	// The program's hint goes before what codes do about it.
	notes = nil
	c = clockIn(dir, system, &notes)
	c.Explain = func(err error) string { return err.Error() + ": the program's hint" }
	if got := c.Now(); !got.Equal(system) || len(notes) != 1 || !strings.HasSuffix(notes[0], ": the program's hint; codes use the system clock") {
		t.Errorf("unreadable settings, explained: %v, %q", got, notes)
	}
}

// TestClockReadsEachDirectory: Read reads the settings of the directory it
// is given, afresh on every call, and those of the Clock's own for "":
// the agent hands out codes at the clock of each client's settings, and
// 'vmfa time --apply' may change them while it runs.
func TestClockReadsEachDirectory(t *testing.T) {
	system := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	own, client := t.TempDir(), t.TempDir()
	var notes []string
	c := clockIn(own, system, &notes)
	apply := func(dir string, offset time.Duration, age time.Duration) {
		t.Helper()
		if _, err := Apply(settings.Open(dir), Measurement{Server: "s", Offset: offset, At: system.Add(-age)}); err != nil {
			t.Fatal(err)
		}
	}
	check := func(dir string, want time.Duration, warnings ...string) {
		t.Helper()
		r := c.Read(dir)
		if got := r.Now(); !got.Equal(system.Add(want)) || strings.Join(r.Warnings, "\n") != strings.Join(warnings, "\n") {
			t.Errorf("Read(%q): %v %q, want %v %q", dir, got, r.Warnings, system.Add(want), warnings)
		}
	}
	check("", 0)
	check(client, 0)
	apply(own, 3*time.Second, time.Hour)
	apply(client, -7*time.Second, 8*24*time.Hour+time.Hour)
	check("", 3*time.Second)
	check(client, -7*time.Second, "the clock correction -7s was measured 8 days ago")
	apply(client, 11*time.Second, time.Minute)
	check(client, 11*time.Second)
	if len(notes) != 0 {
		t.Errorf("Read notified: %q", notes)
	}

	// Settings someone else could have written are not used, and the
	// warning says why.
	if runtime.GOOS == "windows" {
		return // no modes to check there
	}
	if err := os.Chmod(filepath.Join(client, settings.FileName), 0o666); err != nil {
		t.Fatal(err)
	}
	c.Explain = func(err error) string {
		if !errors.Is(err, settings.ErrUntrusted) {
			t.Errorf("Explain given %v, not the trust error", err)
		}
		return "explained"
	}
	check(client, 0, "explained; codes use the system clock")
}
