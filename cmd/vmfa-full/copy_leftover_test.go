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

// TestCodeCopyKilledClearerLeftoverCleared: 'vmfa code --copy' records its
// copy in copies.json, by the process that is to clear it, as the
// interface does; that process killed (SIGKILL) leaves the code on a real
// X11 clipboard, and the next interface to open the vault clears it. The
// copy was not recorded, and the code stayed.
func TestCodeCopyKilledClearerLeftoverCleared(t *testing.T) {
	parallel(t)
	display := testenv.Xvfb(t)
	dir := t.TempDir()
	env := []string{pw, "DISPLAY=" + display}
	vaultOf(t, dir, awsURI)
	// The code of the window the run began in, or of the next if the
	// run crossed into it.
	cur, next := testenv.OathTOTP(t, awsSecret, time.Now())
	expect(t, vmfa(t, dir, "", env, "code", "aws", "--copy"), 0, "", "Copied the code")
	code := clipboardHolds(t, display, cur)
	if code != cur && code != next {
		t.Fatalf("the clipboard holds %q, want the code %s", code, cur)
	}
	copies := filepath.Join(dir, "vault", "copies.json")
	var recs []vault.Copy
	for deadline := time.Now().Add(5 * time.Second); len(recs) != 1; time.Sleep(20 * time.Millisecond) {
		b, _ := os.ReadFile(copies)
		json.Unmarshal(b, &recs)
		if time.Now().After(deadline) {
			t.Fatalf("copies.json holds %q, no record of the copy", b)
		}
	}
	if recs[0].PID <= 0 || recs[0].Route != "native" {
		t.Fatalf("the record: %+v", recs[0])
	}
	killedCopierLeftoverCleared(t, dir, display, recs[0].PID, code)
}

// TestEnrollCopyKilledLeftoverCleared: enroll --copy killed (SIGKILL) with
// code 2 on a real X11 clipboard leaves it there, but recorded in
// copies.json as the interface records its copies; the next interface to
// open the vault clears it. enroll recorded nothing, and the code stayed.
func TestEnrollCopyKilledLeftoverCleared(t *testing.T) {
	parallel(t)
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
	if got := clipboardHolds(t, display, code2); got != code2 {
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
	killedCopierLeftoverCleared(t, dir, display, recs[0].PID, code2)
}

// killedCopierLeftoverCleared kills (SIGKILL) the process pid that is to
// clear code from the X11 clipboard of display, which still holds it then,
// and checks the next interface to open the vault in dir clears it and its
// record in copies.json.
func killedCopierLeftoverCleared(t *testing.T, dir, display string, pid int, code string) {
	t.Helper()
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatalf("killing pid %d: %v", pid, err)
	}
	for deadline := time.Now().Add(5 * time.Second); syscall.Kill(pid, 0) == nil; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("pid %d still runs", pid)
		}
	}
	if got := clipboardHolds(t, display, code); got != code {
		t.Fatalf("the clipboard holds %q after the kill, want the code %s still", got, code)
	}

	ui := onTerminal(t, dir, []string{pw, "DISPLAY=" + display}, false, nil)
	ui.Expect("alice@123456789012")
	copies := filepath.Join(dir, "vault", "copies.json")
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		b, _ := os.ReadFile(copies)
		if strings.TrimSpace(string(b)) == "[]" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the interface left copies.json holding %q", b)
		}
	}
	if got := clipboardHolds(t, display, ""); got == code {
		t.Fatal("the interface left the code on the clipboard")
	}
	ui.Type("\x03")
	ui.Wait()
}
