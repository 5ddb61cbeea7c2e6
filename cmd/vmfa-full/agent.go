package main

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/vmfa/vmfa/internal/agent"
	"github.com/vmfa/vmfa/internal/agent/wire"
	"github.com/vmfa/vmfa/internal/codeprint"
	"github.com/vmfa/vmfa/internal/unlock"
	"github.com/vmfa/vmfa/vault"
)

// agentEnabled reports whether commands may use the agent: not with
// --no-agent, nor with VMFA_AGENT=off.
func (a *app) agentEnabled() bool {
	return !a.noAgent && !wire.Off()
}

// agentOf returns the vault's Store and the client of its agent, for the
// commands that talk to the agent itself.
func (a *app) agentOf() (*vault.Store, *agent.Client, error) {
	s, err := a.store()
	if err != nil {
		return nil, nil, err
	}
	c, err := agent.NewClient(s.Dir())
	return s, c, err
}

// agentCmds are unlock, lock, status and agent.
func (a *app) agentCmds() []*cobra.Command {
	return []*cobra.Command{a.unlockCmd(), a.lockCmd(), a.statusCmd(), a.agentCmd()}
}

const agentHelp = `The agent is a vmfa process that keeps the vault's key in memory for one user
and one vault directory, so that commands neither ask for the passphrase nor
pay for its scrypt. It answers only its own user's processes, over a Unix
socket in $XDG_RUNTIME_DIR/vmfa (else vmfa-UID in the temporary directory,
unless another user made it first: then vmfa/agent in $XDG_STATE_HOME, by
default ~/.local/state), never sends the key back, and forgets it on 'vmfa
lock', after --timeout without use (time suspended counts), or when the wall
clock is set back. A command that asks for the passphrase on a terminal
starts it too.
VMFA_AGENT=off or --no-agent keeps every command away from it.
The agent is not available on Windows.`

func (a *app) unlockCmd() *cobra.Command {
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "unlock",
		Short: "Unlock the vault once, for the commands that follow",
		Long: `Unlock the vault (the passphrase as every command takes it, or the key in
--identity) and hand its key to the agent, starting it if none runs. The agent forgets the key after
--timeout without use (0: only at 'vmfa lock'). If the agent is unlocked
already, nothing is asked, unless --timeout is given.

` + agentHelp,
		Example: `  vmfa unlock && vmfa code aws
  vmfa unlock --timeout 8h`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if timeout < 0 {
				return usageError{fmt.Errorf("--timeout %v: use a positive duration, or 0 for no timeout", timeout)}
			}
			if !a.agentEnabled() {
				return errors.New("the agent is off (VMFA_AGENT=off or --no-agent): every command unlocks the vault itself")
			}
			s, c, err := a.agentOf()
			if err != nil {
				return err
			}
			if st, ok := a.alreadyUnlocked(cmd, s, c); ok {
				fmt.Fprintf(cmd.ErrOrStderr(), "Already unlocked (agent pid %d%s); 'vmfa lock' locks it.\n", st.PID, expiresText(st))
				return nil
			}
			st, err := a.handToAgent(s, timeout)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "Unlocked (agent pid %d%s).\n", st.PID, expiresText(st))
			return nil
		},
	}
	cmd.Flags().DurationVar(&timeout, "timeout", agent.DefaultTimeout, "forget the key after this long without use (0: until 'vmfa lock')")
	return cmd
}

// alreadyUnlocked reports whether the agent c holds the key of the vault
// s, with its status: then 'vmfa unlock' asks nothing, unless a new
// --timeout is wanted, which takes the key again. An agent holding another
// vault's key is locked (ThroughAgent).
func (a *app) alreadyUnlocked(cmd *cobra.Command, s *vault.Store, c *agent.Client) (agent.Status, bool) {
	if cmd.Flags().Changed("timeout") {
		return agent.Status{}, false
	}
	st, err := c.Status()
	return st, err == nil && !st.Locked && a.unlocker(s).ThroughAgent(c, st) != nil
}

// handToAgent unlocks the vault s here and hands its key to the agent,
// which forgets it after timeout without use.
func (a *app) handToAgent(s *vault.Store, timeout time.Duration) (agent.Status, error) {
	v, _, err := a.unlockLocal(s)
	if err != nil {
		return agent.Status{}, err
	}
	return unlock.HandToAgent(v, timeout)
}

func expiresText(st agent.Status) string {
	if st.ExpiresIn < 0 {
		return ", until 'vmfa lock'"
	}
	return ", locks after " + st.ExpiresIn.Round(time.Second).String() + " without use"
}

func (a *app) lockCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "lock",
		Short: "Make the agent forget the vault's key",
		Long: `Make the agent forget the vault's key (and whatever else it holds) at once.
The next command asks for the passphrase again. Locking with no agent running
is not an error: the vault is locked.

` + agentHelp,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, c, err := a.agentOf()
			if err != nil {
				return err
			}
			if err := c.Lock(); err != nil && !errors.Is(err, agent.ErrNoAgent) {
				return err
			}
			fmt.Fprintln(cmd.ErrOrStderr(), "Locked.")
			return nil
		},
	}
}

func (a *app) statusCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Say whether the agent holds the vault unlocked",
		Long: `Say whether the agent holds the vault unlocked, its pid, and how long until it
locks without use. With --json: {"locked":bool,"agent_pid":int,
"expires_in_seconds":int}, agent_pid 0 when no agent runs, expires_in_seconds
0 when locked and -1 when unlocked until 'vmfa lock'.

` + agentHelp,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := a.agentStatus()
			if err != nil {
				return err
			}
			return printStatus(cmd.OutOrStdout(), st, asJSON)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, `print {"locked","agent_pid","expires_in_seconds"}`)
	return cmd
}

// agentStatus is the status of the vault's agent: locked when none runs,
// or none can on this system.
func (a *app) agentStatus() (agent.Status, error) {
	var st agent.Status
	_, c, err := a.agentOf()
	if err == nil {
		st, err = c.Status()
	}
	if errors.Is(err, agent.ErrNoAgent) || errors.Is(err, agent.ErrUnsupported) {
		return agent.Status{Locked: true}, nil
	}
	return st, err
}

// printStatus prints st as 'vmfa status' does.
func printStatus(out io.Writer, st agent.Status, asJSON bool) error {
	secs := int(st.ExpiresIn.Round(time.Second) / time.Second)
	if st.ExpiresIn < 0 {
		secs = -1
	}
	if asJSON {
		return writeJSON(out, struct {
			Locked    bool `json:"locked"`
			PID       int  `json:"agent_pid"`
			ExpiresIn int  `json:"expires_in_seconds"`
		}{st.Locked, st.PID, secs})
	}
	switch {
	case st.PID == 0:
		fmt.Fprintln(out, "locked (no agent runs)")
	case st.Locked:
		fmt.Fprintf(out, "locked (agent pid %d)\n", st.PID)
	default:
		fmt.Fprintf(out, "unlocked (agent pid %d%s)\n", st.PID, expiresText(st))
	}
	return nil
}

func (a *app) agentCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "agent",
		Short: "Run the agent in the foreground (for a systemd or launchd unit)",
		Long: `Run the agent of the vault directory in the foreground until SIGINT or SIGTERM,
logging to stderr. It starts locked: 'vmfa unlock' hands it the key. 'vmfa
unlock' and commands that ask for the passphrase start one in the background
when none runs, so this is only needed for a service manager's unit.

` + agentHelp,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := a.store()
			if err != nil {
				return err
			}
			dir, err := filepath.Abs(s.Dir())
			if err != nil {
				return err
			}
			errOut := cmd.ErrOrStderr()
			return agent.Run(dir, func(msg string) {
				fmt.Fprintf(errOut, "%s vmfa agent: %s\n", time.Now().Format(time.DateTime), oneLine(msg))
			}, agentClock())
		},
	}
}

// handOut hands out the codes of e at now (vault.Vault.HandOut) and returns
// them as printed, once they are valid: a fresh code of a later window is
// waited for, with a countdown on a terminal's stderr. What the front end
// would say before the code from the agent (a code not recorded as handed
// out), it says on errOut, in the same words.
//
// A fresh code whose window the computer slept through while waiting is
// handed out again, at now moved on by the time that passed.
func handOut(v *vault.Vault, e vault.Entry, now time.Time, opt vault.HandOutOptions, errOut io.Writer) (wire.Codes, error) {
	start := time.Now().Round(0)
	for {
		h, err := v.HandOut(e, now, opt)
		if err != nil {
			return wire.Codes{}, err
		}
		c := agent.CodesOf(h)
		for _, note := range c.Notes {
			fmt.Fprintln(errOut, "vmfa: "+note)
		}
		wait := h.At.Sub(now)
		if wait <= 0 || codeprint.WaitFresh(wait, time.Duration(e.Period)*time.Second, errOut) {
			return c, nil
		}
		now = now.Add(time.Now().Round(0).Sub(start))
		start = time.Now().Round(0)
	}
}
