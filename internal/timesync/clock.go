package timesync

import (
	"strings"
	"sync"
	"time"

	"github.com/vmfa/vmfa/internal/settings"
)

// Clock is the clock every code is computed at, in the CLI, the interface
// and the agent alike: the system clock plus the Correction applied in
// vmfa's settings, if any.
//
// A program's own codes use one reading of the settings, taken on first
// use (Now, Header), so that a run's codes all agree. The agent, which
// outlives any 'apply', reads them afresh for every code it hands out, in
// the settings directory of the client's environment (Read).
//
// A correction that can't be read (a damaged file, settings that someone
// else could have written) is never used: codes use the system clock, and
// a warning says why.
type Clock struct {
	// System is the uncorrected clock; nil means time.Now.
	System func() time.Time
	// Dir is the settings directory; "" means vmfa's own (dirs.Settings).
	Dir string
	// Explain writes the cause of a warning (an error reading the
	// settings, a *StaleError, the kernel's ErrUnsynchronised) as the
	// warning says it, with what to do about it in the program's own
	// words: its commands and flags, which this package never names. nil
	// means err.Error().
	Explain func(error) string
	// Notify is told each warning on the first call of Now, once: the CLI
	// says them on stderr. When Header comes first the warnings are the
	// header's, and Notify is told nothing.
	Notify func(warning string)

	once    sync.Once
	reading Reading
}

// A Reading is the clock as one reading of the settings found it.
type Reading struct {
	Correction Correction       // the zero Correction when none is applied, or it can't be used
	Now        func() time.Time // the corrected clock
	// Warnings say that the correction could not be read, and codes use
	// the system clock, or that it is over StaleAfter old.
	Warnings []string
}

// Now is the corrected time, the settings read on the first call.
func (c *Clock) Now() time.Time {
	c.once.Do(func() {
		c.reading = c.Read("")
		if c.Notify != nil {
			for _, w := range c.reading.Warnings {
				c.Notify(w)
			}
		}
	})
	return c.reading.Now()
}

// Header is what the interface's header says about the clock: label is
// "clock corrected +1m37s" while a correction is applied, else ""; warning
// is "" or a short sentence when the kernel reports the clock
// unsynchronised, the correction is over StaleAfter old, or it could not
// be read. The settings are those Now uses.
func (c *Clock) Header() (label, warning string) {
	c.once.Do(func() { c.reading = c.Read("") })
	warnings := c.reading.Warnings
	if err := Kernel().Err(); err != nil {
		warnings = append([]string{c.explain(err)}, warnings...)
	}
	return c.reading.Correction.Label(), strings.Join(warnings, "; ")
}

// Read reads the correction in the settings directory dir ("" for the
// Clock's own) now, whatever earlier calls read.
func (c *Clock) Read(dir string) Reading {
	system := c.System
	if system == nil {
		system = time.Now
	}
	if dir == "" {
		dir = c.Dir
	}
	r := Reading{Now: system}
	f, err := c.settings(dir)
	if err == nil {
		r.Correction, err = Applied(f)
	}
	if err != nil {
		r.Correction = Correction{}
		r.Warnings = []string{c.explain(err) + "; codes use the system clock"}
		return r
	}
	r.Now = r.Correction.Clock(system)
	if stale := r.Correction.Stale(system()); stale != nil {
		r.Warnings = []string{c.explain(stale)}
	}
	return r
}

func (c *Clock) settings(dir string) (*settings.File, error) {
	if dir == "" {
		return settings.Default()
	}
	return settings.Open(dir), nil
}

func (c *Clock) explain(err error) string {
	if c.Explain == nil {
		return err.Error()
	}
	return c.Explain(err)
}
