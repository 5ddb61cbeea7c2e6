package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vmfa/vmfa/internal/testenv"
	"github.com/vmfa/vmfa/otp"
)

// shortURI has a 5-second window, so tests of --wait wait at most that.
const shortURI = "otpauth://totp/Short:window?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&period=5"

// vmfaDetached is vmfa with no controlling terminal at all (a new session),
// as under cron or CI, whatever terminal go test runs in.
func vmfaDetached(t *testing.T, dir string, env []string, args ...string) result {
	t.Helper()
	cmd := testenv.Command(t, vmfaBin, dir, env, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	r := testenv.Run(t, cmd, "")
	return result{r.Stdout, r.Stderr, r.Code}
}

// TestEnrollJSONWait: --wait holds the JSON back until code 2's window has
// begun, and writes no terminal controls into a pipe.
func TestEnrollJSONWait(t *testing.T) {
	parallelWaiting(t)
	dir := t.TempDir()
	img := testenv.WriteQR(t, filepath.Join(dir, "short.png"), shortURI, 400)
	acc, _ := otp.ParseURI(shortURI)
	start := time.Now()
	r := vmfaDetached(t, dir, []string{pw}, "enroll", "--json", "--wait", img)
	end := time.Now()
	var js struct {
		Code1, Code2 string
		Remaining    int `json:"remaining_seconds"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &js); r.code != 0 || err != nil {
		t.Fatalf("enroll --json --wait: %+v %v", r, err)
	}
	if acc.Step(end) == acc.Step(start) {
		t.Fatalf("enroll --json --wait returned within the window it started in (%v)", end.Sub(start))
	}
	if want, _ := testenv.OathTOTP(t, acc.Secret, end, "--totp", "--time-step-size=5s"); js.Code2 != want {
		t.Errorf("code 2 = %s, want the new window's %s", js.Code2, want)
	}
	if js.Remaining < 1 || js.Remaining > 5 {
		t.Errorf("remaining_seconds = %d, want the seconds left of code 2's window", js.Remaining)
	}
	if strings.ContainsAny(r.stderr, "\r\x1b") {
		t.Errorf("terminal controls in a pipe: %q", r.stderr)
	}
}

// TestEnrollWaitPipe: with stderr a pipe, the countdown is one plain line.
func TestEnrollWaitPipe(t *testing.T) {
	parallelWaiting(t)
	dir := t.TempDir()
	img := testenv.WriteQR(t, filepath.Join(dir, "short.png"), shortURI, 400)
	r := vmfaDetached(t, dir, []string{pw}, "enroll", "--wait", img)
	expect(t, r, 0, "MFA code 2: ", "Code 2 in")
	if strings.ContainsAny(r.stderr, "\r\x1b") {
		t.Errorf("terminal controls in a pipe: %q", r.stderr)
	}
}

// TestEnrollFlagCombinations: what cannot work is refused as a usage error
// before anything is added or printed.
func TestEnrollFlagCombinations(t *testing.T) {
	parallel(t)
	dir := t.TempDir()
	img := testenv.WriteQR(t, filepath.Join(dir, "short.png"), shortURI, 400)
	for _, args := range [][]string{
		{"enroll", "--copy", img},              // no terminal to press Enter on
		{"enroll", "--copy", "--wait", img},    // nor with --wait
		{"enroll", "--copy", "--json", img},    // JSON is for scripts, --copy for a person
		{"enroll", "--clear-after", "5s", img}, // nothing copied to clear
	} {
		r := vmfaDetached(t, dir, []string{pw}, args...)
		expect(t, r, 2, "", "--copy")
		if r.stdout != "" {
			t.Errorf("vmfa %v printed %q before refusing", args, r.stdout)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "vault")); err == nil {
		t.Error("a refused enroll created the vault")
	}
}

// clipboardHolds reads the X11 clipboard of display until it holds want
// (xclip takes the clipboard a moment after it returns), for up to 5 s, and
// returns what it holds. It reads again when the clipboard changes hands,
// and every half second in case a read failed.
func clipboardHolds(t *testing.T, display, want string) string {
	t.Helper()
	changes := testenv.WatchClipboard(t, display)
	var got string
	for deadline := time.Now().Add(5 * time.Second); ; changes.Wait(min(time.Until(deadline), 500*time.Millisecond)) {
		// An owner that dies mid-transfer leaves xclip -o waiting forever.
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		out, _ := exec.CommandContext(ctx, "xclip", "-display", display, "-selection", "clipboard", "-o").Output()
		cancel()
		if got = string(out); got == want || !time.Now().Before(deadline) {
			return got
		}
	}
}

// enrollCopy starts enroll --copy, with more flags, on a terminal, with a
// real X11 clipboard, and returns the terminal and the two codes once code 2
// is copied, and when Enter was pressed for it: before its clear was timed.
func enrollCopy(t *testing.T, flags ...string) (term *testenv.Terminal, display, code1, code2 string, entered time.Time) {
	t.Helper()
	display = testenv.Xvfb(t)
	dir := t.TempDir()
	img := testenv.WriteQR(t, filepath.Join(dir, "aws.png"), awsURI, 400)
	term = onTerminal(t, dir, []string{pw, "DISPLAY=" + display}, true, nil, append(append([]string{"enroll", "--copy"}, flags...), img)...)
	term.Expect("Press Enter to copy code 2")
	stdout := term.ExpectStdout("MFA code 1: ")
	if _, err := fmt.Sscanf(stdout, "MFA code 1: %s\n", &code1); err != nil {
		t.Fatalf("stdout %q", stdout)
	}
	if got := clipboardHolds(t, display, code1); got != code1 {
		t.Fatalf("the clipboard holds %q, want code 1 %s", got, code1)
	}
	entered = time.Now()
	term.Type("\r")
	term.Expect("Code 2 copied")
	if _, err := fmt.Sscanf(term.ExpectStdout("MFA code 2: "), "MFA code 1: %s\nMFA code 2: %s\n", &code1, &code2); err != nil {
		t.Fatalf("stdout %q", term.Stdout())
	}
	if got := clipboardHolds(t, display, code2); got != code2 {
		t.Fatalf("the clipboard holds %q, want code 2 %s", got, code2)
	}
	return term, display, code1, code2, entered
}

// TestEnrollCopy: code 1, Enter, code 2, and Enter clears it now; left
// alone, it would stay the interface's 20 seconds.
func TestEnrollCopy(t *testing.T) {
	parallel(t)
	term, display, _, code2, _ := enrollCopy(t)
	term.Type("\r")
	if code, screen := term.Wait(); code != 0 || !strings.Contains(screen, "cleared") || !strings.Contains(screen, "it leaves the clipboard in 20 s") {
		t.Fatalf("exit %d, terminal %q", code, screen)
	}
	if got := clipboardHolds(t, display, ""); got == code2 {
		t.Fatal("code 2 is still on the clipboard")
	}
}

// TestEnrollCopyLeavesUsersClipboard: what the user copied after code 2
// stays.
func TestEnrollCopyLeavesUsersClipboard(t *testing.T) {
	parallel(t)
	term, display, _, _, _ := enrollCopy(t)
	testenv.PutClipboard(t, display, "", strings.NewReader("my notes"))
	if got := clipboardHolds(t, display, "my notes"); got != "my notes" {
		t.Fatalf("xclip did not take the clipboard: it holds %q", got)
	}
	term.Type("\r")
	if code, screen := term.Wait(); code != 0 || !strings.Contains(screen, "left alone") {
		t.Fatalf("exit %d, terminal %q", code, screen)
	}
	if got := clipboardHolds(t, display, "my notes"); got != "my notes" {
		t.Fatalf("the clipboard holds %q, want the user's text", got)
	}
}

// TestEnrollCopyClearsInTime: left alone, code 2 leaves the clipboard after
// the time it says: the interface's 20 seconds (TestEnrollCopy), here 4 s
// by the hidden --clear-after, which tests alone use.
func TestEnrollCopyClearsInTime(t *testing.T) {
	parallelWaiting(t)
	term, display, _, code2, entered := enrollCopy(t, "--clear-after", "4s")
	code, screen := term.Wait()
	waited := time.Since(entered)
	if code != 0 || !strings.Contains(screen, "cleared") || !strings.Contains(screen, "it leaves the clipboard in 4 s") {
		t.Fatalf("exit %d, terminal %q", code, screen)
	}
	if waited < 3*time.Second || waited > 9*time.Second {
		t.Errorf("code 2 was cleared after %v, want 4 s", waited)
	}
	if got := clipboardHolds(t, display, ""); got == code2 {
		t.Fatal("code 2 is still on the clipboard")
	}
}

// TestEnrollCopyInterrupted: stopped before code 2, enroll --copy takes code
// 1 off the clipboard rather than leave it there.
func TestEnrollCopyInterrupted(t *testing.T) {
	parallel(t)
	display := testenv.Xvfb(t)
	dir := t.TempDir()
	img := testenv.WriteQR(t, filepath.Join(dir, "aws.png"), awsURI, 400)
	term := onTerminal(t, dir, []string{pw, "DISPLAY=" + display}, true, nil, "enroll", "--copy", img)
	term.Expect("Press Enter to copy code 2")
	var code1 string
	if _, err := fmt.Sscanf(term.ExpectStdout("MFA code 1: "), "MFA code 1: %s\n", &code1); err != nil {
		t.Fatalf("stdout %q", term.Stdout())
	}
	if got := clipboardHolds(t, display, code1); got != code1 {
		t.Fatalf("the clipboard holds %q, want code 1", got)
	}
	term.Cmd.Process.Signal(syscall.SIGTERM)
	if code, screen := term.Wait(); code != 1 || !strings.Contains(screen, "code 1 was cleared") {
		t.Fatalf("exit %d, terminal %q", code, screen)
	}
	if got := clipboardHolds(t, display, ""); got == code1 {
		t.Fatal("code 1 is still on the clipboard")
	}
}
