package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/vmfa/vmfa/internal/clipboard"
	"github.com/vmfa/vmfa/vault"
)

// 'vmfa code --copy': the code to the clipboard, cleared later.
//
// The clear must outlive the command, which returns to the shell at once:
// it starts a clearer, a vmfa-full process of its own in a session of its
// own (so closing the terminal does not end it), which sleeps, then clears
// the code if the clipboard still holds it, as the interface does. The code
// reaches it through a pipe on its stdin, never in its arguments or its
// environment, which other processes can read; its stdout and stderr are
// /dev/null, so "$(vmfa code x --copy)" does not wait for it. A code sent
// by OSC 52 is cleared through the terminal the command ran on, handed to
// the clearer as a file (it has no controlling terminal to open).

// clipboardCopy is code's --copy and its hidden --clear-after.
type clipboardCopy struct {
	on    bool
	after time.Duration // how long the code stays: clipboard.ClearAfter, shorter in tests
}

func (c *clipboardCopy) define(cmd *cobra.Command) {
	f := cmd.Flags()
	f.BoolVar(&c.on, "copy", false, "copy the code to the clipboard instead of printing it; it is cleared after 20 s")
	// Only ever shorter than ClearAfter: for tests, which wait for it.
	f.DurationVar(&c.after, "clear-after", clipboard.ClearAfter, "how long a copied code stays on the clipboard")
	f.MarkHidden("clear-after")
}

// check refuses what does not go with --copy, before anything is asked.
func (c *clipboardCopy) check(cmd *cobra.Command, several bool) error {
	switch {
	case cmd.Flags().Changed("clear-after") && !c.on:
		return errors.New("--clear-after goes with --copy")
	case c.on && several:
		return errors.New("--copy copies one code: it does not go with --next or --json")
	case c.after <= 0 || c.after > clipboard.ClearAfter:
		return fmt.Errorf("--clear-after %v: use a duration up to %v", c.after, clipboard.ClearAfter)
	}
	return nil
}

// copy puts code, the code of the account label names, on the clipboard,
// starts its clearer and says so on errOut. If no clearer can start, the code
// is cleared at once: a code is never left on the clipboard for good. The
// clearer records the copy, rec, in store's record of copies until it has
// cleared it, so that if it dies first the next interface clears it.
func (c *clipboardCopy) copy(code, label string, errOut io.Writer, store *vault.Store, rec vault.Copy) error {
	clip := &clipboard.Clipboard{}
	if err := clip.Copy(code); err != nil {
		return err
	}
	route, _ := clip.CopiedVia(code)
	if err := startClearer(code, route, c.after, store.Dir(), rec); err != nil {
		_, _ = clip.ClearIf(code)
		return fmt.Errorf("can't start the process that clears the clipboard, so the code is not left there: %w", err)
	}
	fmt.Fprintf(errOut, "Copied the code of %s; it leaves the clipboard in %d s.\n", label, int(c.after.Round(time.Second)/time.Second))
	return nil
}

// startClearer starts 'vmfa-full clipboard-clearer' for code, copied by
// route, to clear it after a while, and leaves it running; it records rec
// in the vault directory dir meanwhile.
func startClearer(code string, route clipboard.Route, after time.Duration, dir string, rec vault.Copy) error {
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	r, w, err := os.Pipe()
	if err != nil {
		return err
	}
	defer r.Close()
	// The pipe's buffer holds the code until the clearer reads it.
	_, err = w.WriteString(code + "\n")
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	null, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer null.Close()
	cmd := exec.Command(exe, "clipboard-clearer", "--after", after.String(), "--route", string(route),
		"--dir", dir, "--account", rec.Account, "--step", strconv.FormatUint(rec.Step, 10))
	cmd.Stdin, cmd.Stdout, cmd.Stderr = r, null, null
	if route == clipboard.ViaOSC52 {
		if tty, err := os.OpenFile("/dev/tty", os.O_WRONLY, 0); err == nil {
			defer tty.Close()
			cmd.ExtraFiles = []*os.File{tty} // fd 3
		}
	}
	detach(cmd)
	if err := cmd.Start(); err != nil {
		return err
	}
	return cmd.Process.Release()
}

// clipboardClearerCmd is the clearer startClearer starts: hidden, as no one
// else has a use for it.
func clipboardClearerCmd() *cobra.Command {
	var (
		after   time.Duration
		route   string
		account string // with step, the copy's record (vault.Copy)
		step    uint64
	)
	cmd := &cobra.Command{
		Use:    "clipboard-clearer",
		Short:  "Clear a code from the clipboard after a while, if it is still there (started by 'vmfa code --copy')",
		Hidden: true,
		Args:   noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			line, err := bufio.NewReader(io.LimitReader(cmd.InOrStdin(), 256)).ReadString('\n')
			code := strings.TrimSpace(line)
			if code == "" {
				return fmt.Errorf("no code on stdin: %v", err)
			}
			if account != "" {
				store := vault.Open(cmd.Flag("dir").Value.String())
				rec := vault.Copy{Account: account, Step: step, Route: route, At: time.Now(), PID: os.Getpid()}
				if store.RecordCopy(rec) == nil {
					defer store.ForgetCopy(rec)
				}
			}
			clip := &clipboard.Clipboard{}
			if clipboard.Route(route) == clipboard.ViaOSC52 {
				clip.TTY = os.NewFile(3, "terminal") // startClearer's
			}
			// Ended early (a logout's SIGTERM), it clears at once.
			stop := make(chan os.Signal, 1)
			signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP, syscall.SIGQUIT)
			timer := time.NewTimer(after)
			select {
			case <-timer.C:
			case <-stop:
			}
			_, err = clip.ClearVia(code, clipboard.Route(route))
			return err
		},
	}
	cmd.Flags().DurationVar(&after, "after", clipboard.ClearAfter, "how long to wait")
	cmd.Flags().StringVar(&route, "route", "", "how the code was copied: native, tmux or osc52")
	cmd.Flags().StringVar(&account, "account", "", "the ID of the code's account, to record the copy under")
	cmd.Flags().Uint64Var(&step, "step", 0, "the code's time step or counter, to record the copy under")
	return cmd
}
