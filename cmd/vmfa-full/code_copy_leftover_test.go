package main

import (
	"encoding/json"
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
	t.Parallel()
	display := testenv.Xvfb(t)
	dir := t.TempDir()
	env := []string{pw, "DISPLAY=" + display}
	expect(t, vmfa(t, dir, awsURI+"\n", env, "add", "--uri"), 0, "Added", "")
	expect(t, vmfa(t, dir, "", env, "code", "aws", "--copy"), 0, "", "Copied the code")
	cur, next := testenv.OathTOTP(t, awsSecret, time.Now())
	code := clipboardHolds(display, cur)
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
	if err := syscall.Kill(recs[0].PID, syscall.SIGKILL); err != nil {
		t.Fatalf("killing the clearer, pid %d: %v", recs[0].PID, err)
	}
	for deadline := time.Now().Add(5 * time.Second); syscall.Kill(recs[0].PID, 0) == nil; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the clearer (pid %d) still runs", recs[0].PID)
		}
	}

	ui := onTerminal(t, dir, env, false, nil)
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
	if got := clipboardHolds(display, ""); got == code {
		t.Fatal("the interface left the code on the clipboard")
	}
	ui.Type("\x03")
	ui.Wait()
}
