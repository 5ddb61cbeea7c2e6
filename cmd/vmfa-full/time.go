package main

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/vmfa/vmfa/internal/settings"
	"github.com/vmfa/vmfa/internal/shellquote"
	"github.com/vmfa/vmfa/internal/timesync"
)

// newClock is the CLI's timesync.Clock, the clock every code is computed
// at: the system clock plus the correction 'vmfa time --apply' stored, if
// any, read once per run. What is wrong with it is said once, on notes
// (stderr), unless the interface's header says it.
func newClock(notes io.Writer) *timesync.Clock {
	return &timesync.Clock{
		Explain: settingsWarning,
		Notify:  func(w string) { fmt.Fprintln(notes, "vmfa: "+oneLine(w)) },
	}
}

// agentClock is the clock of the agent's codes, which reads the settings of
// each request's environment and says nothing itself: the notes go with
// the code.
func agentClock() *timesync.Clock { return &timesync.Clock{Explain: settingsWarning} }

// settingsWarning is the cause of one of the clock's warnings as the
// warning says it: with what to do about it (explain), on one line.
func settingsWarning(err error) string { return oneLine(explain(err, "")) }

func timeCmd() *cobra.Command {
	var fl timeFlags
	cmd := &cobra.Command{
		Use:   "time",
		Short: "Check the clock against an NTP server, and correct codes for it",
		Long: `Ask an NTP server (SNTP) how far off this machine's clock is, and say what
that does to codes: fine within 2 s, a warning above 5 s, wrong above 15 s.

With --check, for scripts, vmfa exits 1 when the codes are wrong: when the
clock they are computed at (the system clock plus any correction applied) is
more than 15 s off the server's: half of TOTP's usual 30 s period, so that a
code is from the wrong window more than half the time. Within 15 s it exits
0. Without --check, vmfa time exits 0 whenever the server answered.

With --apply, the measured offset is stored in vmfa's settings (not in the
vault) and every code from then on, in 'vmfa code', 'vmfa enroll' and the
interface, is computed at the system clock plus that offset. --reset removes
it. A correction over a week old is mentioned once per run.

The server is --server, else $VMFA_NTP_SERVER, else ` + timesync.DefaultServer + `. A server
that does not answer within ` + timesync.Timeout.String() + ` fails; a reply that is not a valid server
reply (wrong mode, a "kiss of death", a zero transmit time, an unsynchronised
server, an offset beyond a day) is refused and never applied.

The settings file is $XDG_CONFIG_HOME/vmfa/settings.json, else
~/.config/vmfa/settings.json (macOS: ~/Library/Application Support/vmfa,
Windows: %AppData%\vmfa).`,
		Example: `  vmfa time                          # how far off is this clock?
  vmfa time --check || notify-send 'MFA codes are wrong'
  vmfa time --apply                  # compute codes at the server's time from now on
  vmfa time --server time.cloudflare.com --json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f, err := settings.Default()
			if err != nil {
				return err
			}
			if fl.timeout <= 0 || fl.timeout > timesync.Timeout {
				return usageError{fmt.Errorf("--timeout %v: use a duration up to %v", fl.timeout, timesync.Timeout)}
			}
			if fl.reset {
				if fl.apply || fl.asJSON || fl.check || fl.server != "" {
					return usageError{errors.New("--reset takes no other flag")}
				}
				return resetCorrection(cmd, f)
			}
			m, err := fl.measure()
			if err != nil {
				return err
			}
			applied, err := fl.correction(cmd, f, m)
			if err != nil {
				return err
			}
			if err := fl.print(cmd, m, applied); err != nil {
				return err
			}
			if fl.check && codesWrong(m, applied) {
				return errSilent // what is wrong is said above
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&fl.server, "server", "", "NTP server, HOST or HOST:PORT (default $VMFA_NTP_SERVER, else "+timesync.DefaultServer+")")
	f.BoolVar(&fl.asJSON, "json", false, `print {"server","offset_seconds","rtt_ms"}; offset_seconds is the server's clock minus this one's`)
	f.BoolVar(&fl.apply, "apply", false, "compute every code at the system clock plus the measured offset from now on")
	f.BoolVar(&fl.reset, "reset", false, "remove the applied correction: codes use the system clock again")
	f.BoolVar(&fl.check, "check", false, "exit 1 when codes are wrong: computed more than 15 s off the server's time")
	// Only ever shorter than timesync.Timeout: for tests, which wait for it.
	f.DurationVar(&fl.timeout, "timeout", timesync.Timeout, "how long the server has to answer")
	f.MarkHidden("timeout")
	return cmd
}

// timeFlags are the flags of 'vmfa time'.
type timeFlags struct {
	server                      string
	asJSON, apply, reset, check bool
	timeout                     time.Duration
}

// measure asks --server, else timesync.Server(), how far off the clock is.
func (fl timeFlags) measure() (timesync.Measurement, error) {
	server := fl.server
	if server == "" {
		server = timesync.Server()
	}
	m, err := timesync.Measure(server, fl.timeout)
	if err != nil && fl.server == "" && !errors.Is(err, timesync.ErrBadReply) {
		return m, fmt.Errorf("%w; --server HOST[:PORT] asks another server", err)
	}
	return m, err
}

// correction returns the correction applied to codes: m, with --apply,
// else the one in f, if any. One that can't be read is said on stderr,
// and taken as none.
func (fl timeFlags) correction(cmd *cobra.Command, f *settings.File, m timesync.Measurement) (timesync.Correction, error) {
	if fl.apply {
		return timesync.Apply(f, m)
	}
	applied, err := timesync.Applied(f)
	if err != nil {
		fmt.Fprintln(cmd.ErrOrStderr(), "vmfa: "+settingsWarning(err))
	}
	return applied, nil
}

// print says what m means for codes, with --json as JSON.
func (fl timeFlags) print(cmd *cobra.Command, m timesync.Measurement, applied timesync.Correction) error {
	if fl.asJSON {
		if fl.apply {
			fmt.Fprintf(cmd.ErrOrStderr(), "Applied: codes are computed at the system clock %s from now on.\n", timesync.FormatOffset(m.Offset))
		}
		return writeJSON(cmd.OutOrStdout(), struct {
			Server string  `json:"server"`
			Offset float64 `json:"offset_seconds"`
			RTT    float64 `json:"rtt_ms"`
		}{m.Server, m.Offset.Seconds(), float64(m.RTT) / float64(time.Millisecond)})
	}
	applyCmd := "vmfa time --apply"
	if fl.server != "" {
		applyCmd += " --server " + shellquote.Word(fl.server)
	}
	printMeasurement(cmd.OutOrStdout(), m, applied, fl.apply, applyCmd)
	printKernel(cmd.OutOrStdout())
	return nil
}

// codesWrong reports whether codes are computed, with the correction
// applied, so far off the server's time that services refuse them.
func codesWrong(m timesync.Measurement, applied timesync.Correction) bool {
	return timesync.Judge(applied.Offset-m.Offset) == timesync.Wrong
}

// printMeasurement says how far off the system clock is and what that, less
// any correction, does to codes; applyCmd is the command that corrects it.
func printMeasurement(w io.Writer, m timesync.Measurement, applied timesync.Correction, justApplied bool, applyCmd string) {
	fmt.Fprintf(w, "Server        %s (round trip %s)\n", m.Server, m.RTT.Round(10*time.Microsecond))
	switch {
	case m.Offset > 0:
		fmt.Fprintf(w, "System clock  %s behind (offset %s)\n", timesync.FormatOffset(m.Offset)[1:], timesync.FormatOffset(m.Offset))
	case m.Offset < 0:
		fmt.Fprintf(w, "System clock  %s ahead (offset %s)\n", timesync.FormatOffset(m.Offset)[1:], timesync.FormatOffset(m.Offset))
	default:
		fmt.Fprintln(w, "System clock  right (offset 0)")
	}
	if justApplied {
		fmt.Fprintf(w, "Applied: codes are computed at the system clock %s from now on ('vmfa time --reset' undoes it).\n", timesync.FormatOffset(m.Offset))
		return
	}
	if !applied.IsZero() {
		fmt.Fprintf(w, "Correction    %s, measured %s ago\n", timesync.FormatOffset(applied.Offset), formatAge(m.At.Sub(applied.MeasuredAt)))
	}
	ahead := applied.Offset - m.Offset // the clock codes are computed at, minus the server's
	fmt.Fprintln(w, timesync.Describe(ahead))
	if timesync.Judge(ahead) >= timesync.Risky {
		fmt.Fprintf(w, "Run '%s' to compute codes at the server's time.\n", applyCmd)
	}
}

// printKernel adds what the kernel says, when it doubts its own clock.
func printKernel(w io.Writer) {
	if k := timesync.Kernel(); k.Known && !k.Synchronised {
		fmt.Fprintf(w, "The kernel reports the system clock unsynchronised (error up to %s).\n", k.MaxError.Round(time.Millisecond))
	}
}

func resetCorrection(cmd *cobra.Command, f *settings.File) error {
	removed, found, err := timesync.Reset(f)
	switch {
	case err != nil:
		return err
	case !found:
		fmt.Fprintln(cmd.OutOrStdout(), "No clock correction was applied: codes use the system clock.")
		return nil
	case removed.IsZero(): // an unreadable one
		fmt.Fprintln(cmd.OutOrStdout(), "Removed the clock correction: codes use the system clock again.")
		return nil
	}
	fmt.Fprintf(cmd.OutOrStdout(), "Removed the clock correction %s: codes use the system clock again.\n", timesync.FormatOffset(removed.Offset))
	return nil
}

// formatAge writes how long ago something happened, as people say it.
func formatAge(d time.Duration) string {
	switch {
	case d < 2*time.Minute:
		return "a moment"
	case d < 2*time.Hour:
		return fmt.Sprintf("%d minutes", d/time.Minute)
	case d < 48*time.Hour:
		return fmt.Sprintf("%d hours", d/time.Hour)
	}
	return fmt.Sprintf("%d days", d/(24*time.Hour))
}
