package timesync

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/vmfa/vmfa/internal/settings"
)

// StaleAfter is the age past which an applied correction is worth measuring
// again: clocks drift, and the machine may have been fixed since.
const StaleAfter = 7 * 24 * time.Hour

// settingsKey is where the correction lives in vmfa's settings.
const settingsKey = "clock_correction"

// A Correction is an offset added to the system clock for every code, as
// measured by Measure and applied by the user. The zero Correction is none.
type Correction struct {
	Offset     time.Duration
	Server     string
	MeasuredAt time.Time // by the system clock
}

// IsZero reports whether no correction is applied.
func (c Correction) IsZero() bool { return c.MeasuredAt.IsZero() }

// Clock returns the corrected clock: system plus the offset. Every code is
// computed at its time.
func (c Correction) Clock(system func() time.Time) func() time.Time {
	if c.IsZero() {
		return system
	}
	return func() time.Time { return system().Add(c.Offset) }
}

// Label is what the interface's header says while a correction is applied,
// "clock corrected +1m37s", or "" when none is.
func (c Correction) Label() string {
	if c.IsZero() {
		return ""
	}
	return "clock corrected " + FormatOffset(c.Offset)
}

// StaleError says that the correction applied is older than StaleAfter:
// worth measuring again.
type StaleError struct {
	Offset time.Duration
	Days   int // how long ago it was measured
}

func (e *StaleError) Error() string {
	return fmt.Sprintf("the clock correction %s was measured %d days ago", FormatOffset(e.Offset), e.Days)
}

// Stale returns a *StaleError when the correction is older than StaleAfter
// at now, else nil.
func (c Correction) Stale(now time.Time) error {
	if c.IsZero() || now.Sub(c.MeasuredAt) <= StaleAfter {
		return nil
	}
	return &StaleError{Offset: c.Offset, Days: int(now.Sub(c.MeasuredAt) / (24 * time.Hour))}
}

// ErrNotMeasured is wrapped by the error for a stored correction that
// could not have come from Measure: an edited settings file.
var ErrNotMeasured = errors.New("the clock correction is not one vmfa measured")

// stored is a Correction as written in the settings file.
type stored struct {
	OffsetSeconds float64   `json:"offset_seconds"`
	Server        string    `json:"server"`
	MeasuredAt    time.Time `json:"measured_at"`
}

// Applied returns the correction stored in f, or the zero Correction if
// there is none. One that could not have come from Measure (an edited file)
// is refused rather than used.
func Applied(f *settings.File) (Correction, error) {
	var s stored
	ok, err := f.Get(settingsKey, &s)
	if err != nil || !ok {
		return Correction{}, err
	}
	c := Correction{
		Offset:     time.Duration(math.Round(s.OffsetSeconds * float64(time.Second))),
		Server:     s.Server,
		MeasuredAt: s.MeasuredAt,
	}
	if math.IsNaN(s.OffsetSeconds) || math.Abs(s.OffsetSeconds) > MaxOffset.Seconds() || c.MeasuredAt.IsZero() {
		return Correction{}, fmt.Errorf("%s: %w", f.Path(), ErrNotMeasured)
	}
	return c, nil
}

// Apply stores m as the correction for every code from now on.
func Apply(f *settings.File, m Measurement) (Correction, error) {
	c := Correction{Offset: m.Offset, Server: m.Server, MeasuredAt: m.At}
	if c.IsZero() {
		return Correction{}, fmt.Errorf("a measurement without a time can't be applied")
	}
	return c, f.Set(settingsKey, stored{c.Offset.Seconds(), c.Server, c.MeasuredAt.UTC()})
}

// Reset removes the stored correction and returns it. found says whether
// there was one; an unusable one (see Applied) is removed all the same, and
// returned as the zero Correction.
func Reset(f *settings.File) (removed Correction, found bool, err error) {
	removed, err = Applied(f)
	if err != nil {
		removed = Correction{}
	}
	found, err = f.Delete(settingsKey)
	if err != nil {
		return Correction{}, false, err
	}
	return removed, found, nil
}

// FormatOffset writes an offset with its sign, as precisely as it matters:
// "+1m37s", "-2.31s", "+12ms".
func FormatOffset(d time.Duration) string {
	abs := d.Abs()
	switch {
	case abs >= time.Minute:
		d = d.Round(time.Second)
	case abs >= time.Second:
		d = d.Round(10 * time.Millisecond)
	default:
		d = d.Round(time.Millisecond)
	}
	if d >= 0 {
		return "+" + d.String()
	}
	return d.String()
}

// A Verdict says what an error of the clock that codes are computed at does
// to the codes.
type Verdict int

const (
	Fine   Verdict = iota // within 2 s: codes are right
	Slight                // within 5 s: codes still work
	Risky                 // within 15 s: a code used late in its window may be refused
	Wrong                 // beyond: services refuse the codes
)

// Judge returns the verdict on a clock that is ahead of the true time by
// ahead (behind when negative).
func Judge(ahead time.Duration) Verdict {
	switch abs := ahead.Abs(); {
	case abs <= 2*time.Second:
		return Fine
	case abs <= 5*time.Second:
		return Slight
	case abs <= 15*time.Second:
		return Risky
	}
	return Wrong
}

// Describe says in a sentence what a clock ahead of the true time by ahead
// (behind when negative) means for the codes.
func Describe(ahead time.Duration) string {
	off := FormatOffset(ahead.Abs())[1:] + " ahead of"
	if ahead < 0 {
		off = FormatOffset(ahead)[1:] + " behind"
	}
	switch Judge(ahead) {
	case Fine:
		if ahead.Abs() < time.Millisecond {
			return "Fine: codes are computed at the server's time."
		}
		return fmt.Sprintf("Fine: codes are computed at the right time (%s the server's).", off)
	case Slight:
		return fmt.Sprintf("Fine: codes are computed %s the server's time, close enough.", off)
	case Risky:
		return fmt.Sprintf("Warning: codes are computed %s the server's time; one used late in its window may be refused.", off)
	}
	return fmt.Sprintf("Codes are wrong: they are computed %s the server's time.", off)
}
