package main

import (
	"time"

	"github.com/spf13/cobra"

	"github.com/vmfa/vmfa/internal/gitsync"
	"github.com/vmfa/vmfa/tui"
)

// addTUI makes the bare command open the interactive interface.
func (a *app) addTUI(root *cobra.Command) {
	var lockAfter time.Duration
	root.Flags().DurationVar(&lockAfter, "lock-after", tui.DefaultLockAfter, "lock the interface after this long without a key press (0 never)")
	root.RunE = func(cmd *cobra.Command, _ []string) error {
		s, err := a.store()
		if err != nil {
			return err
		}
		pass, _, err := a.env.Passphrase()
		if err != nil {
			return err
		}
		if lockAfter == 0 {
			lockAfter = -1 // tui.Options: negative disables
		}
		workFactor, err := envWorkFactor()
		if err != nil {
			return err
		}
		// The header says what is wrong with the clock: nothing is
		// printed under the interface.
		note, warning := a.clock.Header()
		opts := tui.Options{Unlock: a.unlocker(s), Passphrase: pass, LockAfter: lockAfter, WorkFactor: workFactor,
			Now: a.clock.Now, ClockNote: note, ClockWarning: warning,
			Explain:     func(err error) string { return explain(err, a.dir) },
			AWSProfiles: tuiAWSProfiles()}
		if b := gitsync.NewBackground(s, gitsync.DefaultTimeout); b != nil {
			opts.Sync = b // a nil *Background is no nil Syncer
		}
		return tui.Run(opts)
	}
}
