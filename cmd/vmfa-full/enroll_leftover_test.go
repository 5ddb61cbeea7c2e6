package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vmfa/vmfa/internal/testenv"
	"github.com/vmfa/vmfa/vault"
)

// TestEnrollCopyKilledLeftoverCleared: enroll --copy killed (SIGKILL) with
// code 2 on a real X11 clipboard leaves it there, but recorded in
// copies.json as the interface records its copies; the next interface to
// open the vault clears it. enroll recorded nothing, and the code stayed.
func TestEnrollCopyKilledLeftoverCleared(t *testing.T) {
	t.Parallel()
	display := testenv.Xvfb(t)
	dir := t.TempDir()
	env := []string{"TERM=xterm", pw, "DISPLAY=" + display}
	img := testenv.WriteQR(t, filepath.Join(dir, "aws.png"), awsURI, 400)
	// Under a shell, as for a user: vmfa's death does not hang up the
	// terminal, which would end xclip, the clipboard's owner.
	sh := testenv.Command(t, "/bin/sh", dir, env, "-c", `"$0" enroll --copy "$1"; sleep 60`, vmfaBin, img)
	term := testenv.StartTerminal(t, sh, true)
	term.Expect("Press Enter to copy code 2")
	term.Type("\r")
	term.Expect("Code 2 copied")
	var code1, code2 string
	if _, err := fmt.Sscanf(term.ExpectStdout("MFA code 2: "), "MFA code 1: %s\nMFA code 2: %s\n", &code1, &code2); err != nil {
		t.Fatalf("stdout %q", term.Stdout())
	}
	if got := clipboardHolds(display, code2); got != code2 {
		t.Fatalf("the clipboard holds %q, want code 2 %s", got, code2)
	}
	// Code 1 is cleared and forgotten: code 2 alone is on record, by the
	// process that is to clear it, enroll.
	copies := filepath.Join(dir, "vault", "copies.json")
	b, err := os.ReadFile(copies)
	var recs []vault.Copy
	if err != nil || json.Unmarshal(b, &recs) != nil || len(recs) != 1 || recs[0].PID <= 0 || recs[0].Route != "native" {
		t.Fatalf("code 2 on the clipboard, copies.json holds %q (%v): want code 2's record", b, err)
	}
	if err := syscall.Kill(recs[0].PID, syscall.SIGKILL); err != nil {
		t.Fatalf("killing enroll, pid %d: %v", recs[0].PID, err)
	}
	for deadline := time.Now().Add(5 * time.Second); syscall.Kill(recs[0].PID, 0) == nil; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("enroll (pid %d) still runs", recs[0].PID)
		}
	}
	if got := clipboardHolds(display, code2); got != code2 {
		t.Fatalf("the clipboard holds %q after the kill, want code 2 still", got)
	}

	ui := onTerminal(t, dir, []string{pw, "DISPLAY=" + display}, false, nil)
	ui.Expect("alice@123456789012")
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		b, _ := os.ReadFile(copies)
		if strings.TrimSpace(string(b)) == "[]" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the interface left copies.json holding %q", b)
		}
	}
	if got := clipboardHolds(display, ""); got == code2 {
		t.Fatal("the interface left code 2 on the clipboard")
	}
	ui.Type("\x03")
	ui.Wait()
}
