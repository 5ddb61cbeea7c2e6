package timesync

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/vmfa/vmfa/internal/settings"
)

var measuredAt = time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)

func TestCorrectedClock(t *testing.T) {
	system := func() time.Time { return measuredAt }
	c := Correction{Offset: 97 * time.Second, Server: "s", MeasuredAt: measuredAt}
	if got := c.Clock(system)(); !got.Equal(measuredAt.Add(97 * time.Second)) {
		t.Errorf("corrected clock = %v", got)
	}
	if got := (Correction{}).Clock(system)(); !got.Equal(measuredAt) {
		t.Errorf("no correction: %v", got)
	}
	if c.Label() != "clock corrected +1m37s" || (Correction{}).Label() != "" {
		t.Errorf("labels %q %q", c.Label(), Correction{}.Label())
	}
	if err := c.Stale(measuredAt.Add(StaleAfter)); err != nil {
		t.Errorf("a week old is not stale yet: %v", err)
	}
	var stale *StaleError
	if err := c.Stale(measuredAt.Add(9*24*time.Hour + time.Hour)); !errors.As(err, &stale) || stale.Days != 9 || stale.Offset != c.Offset ||
		err.Error() != "the clock correction +1m37s was measured 9 days ago" {
		t.Errorf("stale: %v", err)
	}
	if err := (Correction{}).Stale(measuredAt); err != nil {
		t.Errorf("no correction, stale: %v", err)
	}
}

func TestFormatOffset(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0:                         "+0s",
		97*time.Second + 312e6:    "+1m37s",
		-(97*time.Second + 712e6): "-1m38s",
		2312 * time.Millisecond:   "+2.31s",
		-12345 * time.Microsecond: "-12ms",
		25 * time.Hour:            "+25h0m0s",
	} {
		if got := FormatOffset(d); got != want {
			t.Errorf("%v: %q, want %q", d, got, want)
		}
	}
}

func TestVerdict(t *testing.T) {
	for d, want := range map[time.Duration]Verdict{
		0: Fine, 2 * time.Second: Fine, -2 * time.Second: Fine,
		2100 * time.Millisecond: Slight, -5 * time.Second: Slight,
		5100 * time.Millisecond: Risky, -15 * time.Second: Risky,
		-15100 * time.Millisecond: Wrong, 97 * time.Second: Wrong,
	} {
		if got := Judge(d); got != want {
			t.Errorf("Judge(%v) = %d, want %d", d, got, want)
		}
	}
	for d, want := range map[time.Duration]string{
		400 * time.Microsecond:  "Fine: codes are computed at the server's time.",
		time.Millisecond:        "Fine: codes are computed at the right time (1ms ahead of the server's).",
		-300 * time.Millisecond: "Fine: codes are computed at the right time (300ms behind the server's).",
		3 * time.Second:         "Fine: codes are computed 3s ahead of the server's time, close enough.",
		-7 * time.Second:        "Warning: codes are computed 7s behind the server's time;",
		-97 * time.Second:       "Codes are wrong: they are computed 1m37s behind the server's time.",
	} {
		if got := Describe(d); !strings.HasPrefix(got, want) {
			t.Errorf("Describe(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestApplyAndReset(t *testing.T) {
	f := settings.Open(t.TempDir())
	if c, err := Applied(f); err != nil || !c.IsZero() {
		t.Fatalf("nothing applied: %+v %v", c, err)
	}
	if err := f.Set("other", "kept"); err != nil {
		t.Fatal(err)
	}
	m := Measurement{Server: "127.0.0.1:4123", Offset: -(97*time.Second + 312345678), RTT: time.Millisecond, At: measuredAt.In(time.FixedZone("X", 3600))}
	c, err := Apply(f, m)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Applied(f)
	if err != nil || got.Offset != m.Offset || got.Server != m.Server || !got.MeasuredAt.Equal(measuredAt) || !c.MeasuredAt.Equal(measuredAt) {
		t.Fatalf("applied %+v, read back %+v, %v", c, got, err)
	}
	b, _ := os.ReadFile(f.Path())
	if !strings.Contains(string(b), `"offset_seconds": -97.312345678`) || !strings.Contains(string(b), `"measured_at": "2026-11-24T10:00:00Z"`) {
		t.Errorf("settings file:\n%s", b)
	}
	removed, found, err := Reset(f)
	if err != nil || !found || removed.Offset != m.Offset {
		t.Fatalf("reset: %+v %v", removed, err)
	}
	if c, err := Applied(f); err != nil || !c.IsZero() {
		t.Fatalf("after reset: %+v %v", c, err)
	}
	if removed, found, err := Reset(f); err != nil || found || !removed.IsZero() {
		t.Fatalf("reset twice: %+v %v", removed, err)
	}
	var s string
	if ok, _ := f.Get("other", &s); !ok || s != "kept" {
		t.Error("another setting was lost")
	}
}

// TestEditedCorrection: a stored correction beyond what Measure accepts is
// refused, not applied, and --reset still removes it.
func TestEditedCorrection(t *testing.T) {
	for i, bad := range []string{
		`{"offset_seconds": 172800, "server": "x", "measured_at": "2026-11-24T10:00:00Z"}`,
		`{"offset_seconds": -86400.001, "server": "x", "measured_at": "2026-11-24T10:00:00Z"}`,
		`{"offset_seconds": 5}`,
		`{"offset_seconds": "soon"}`, // not what vmfa wrote: the settings' own error
	} {
		f := settings.Open(t.TempDir())
		os.WriteFile(f.Path(), []byte(`{"clock_correction": `+bad+`}`), 0o600)
		if c, err := Applied(f); err == nil || !c.IsZero() || !strings.Contains(err.Error(), f.Path()) || errors.Is(err, ErrNotMeasured) != (i < 3) {
			t.Errorf("%s: %+v %v", bad, c, err)
		}
		if removed, found, err := Reset(f); err != nil || !found || !removed.IsZero() {
			t.Errorf("reset %s: %v", bad, err)
		}
		if c, err := Applied(f); err != nil || !c.IsZero() {
			t.Errorf("%s after reset: %+v %v", bad, c, err)
		}
	}
	// MaxOffset itself is what Measure accepts, so it is applied.
	f := settings.Open(t.TempDir())
	os.WriteFile(f.Path(), []byte(`{"clock_correction": {"offset_seconds": -86400, "server": "x", "measured_at": "2026-11-24T10:00:00Z"}}`), 0o600)
	if c, err := Applied(f); err != nil || c.Offset != -MaxOffset {
		t.Errorf("a correction of -%v: %+v %v", MaxOffset, c, err)
	}
}
