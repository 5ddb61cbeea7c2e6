package main

import (
	"time"

	"github.com/spf13/cobra"

	"github.com/vmfa/vmfa/internal/agent"
	"github.com/vmfa/vmfa/tui"
	"github.com/vmfa/vmfa/vault"
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
		note, warning := clock.Header()
		opts := tui.Options{Store: s, Passphrase: pass, LockAfter: lockAfter, WorkFactor: workFactor,
			Now: clock.Now, ClockNote: note, ClockWarning: warning}
		// An unlocked agent opens the list at once; a passphrase typed
		// into the unlock screen goes to the agent, as one typed at a
		// command's prompt does.
		opts.Vault = a.fromAgent(s)
		if opts.Vault == nil && a.identityPath() != "" {
			// A key's own prompts (an SSH key's passphrase, a plugin's
			// touch) come before the interface takes the screen.
			if opts.Vault, err = a.unlockWithIdentity(s); err != nil {
				return err
			}
		}
		if pass == "" && a.agentEnabled() {
			// Not a word on failure: the interface owns the screen, and
			// the next command asks again.
			opts.OnUnlock = func(v *vault.Vault) { handToAgent(v, agent.DefaultTimeout) }
		}
		return tui.Run(opts)
	}
}
