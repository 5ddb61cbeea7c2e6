package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vmfa/vmfa/internal/testenv"
)

// TestEnrollCopyInTmux runs enroll --copy in a pane of a private tmux server
// with no X display, as on a remote machine: the codes go to tmux's paste
// buffers, and clearing takes them out again.
func TestEnrollCopyInTmux(t *testing.T) {
	parallel(t)
	testenv.Tool(t, "tmux")
	dir := t.TempDir()
	img := testenv.WriteQR(t, filepath.Join(dir, "aws.png"), awsURI, 400)
	socket := fmt.Sprintf("vmfa-cli-%d-%d", os.Getpid(), time.Now().UnixNano())
	tmux := func(args ...string) (string, error) {
		out, err := exec.Command("tmux", append([]string{"-L", socket}, args...)...).CombinedOutput()
		return string(out), err
	}
	out, rc := filepath.Join(dir, "out"), filepath.Join(dir, "rc")
	script := fmt.Sprintf(`env -i %s TMUX="$TMUX" TERM=xterm %q enroll --copy %q >%q; echo $? >%q; sleep 60`,
		testenv.ShellEnv(testenv.Env(t, dir, pw)), vmfaBin, img, out, rc)
	if o, err := tmux("-f", "/dev/null", "new-session", "-d", "-s", "t", "-x", "100", "-y", "30", script); err != nil {
		testenv.Skip(t, "tmux new-session: %v %s", err, o)
	}
	t.Cleanup(func() { tmux("kill-server") }) // our own server, by its socket

	waitFor := func(what string, ok func() bool) {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); !ok(); time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				pane, _ := tmux("capture-pane", "-p", "-t", "t")
				t.Fatalf("%s never happened; the pane shows:\n%s", what, pane)
			}
		}
	}
	buffers := func() []string {
		names, _ := tmux("list-buffers", "-F", "#{buffer_name}")
		var contents []string
		for _, name := range strings.Fields(names) {
			b, _ := tmux("show-buffer", "-b", name)
			contents = append(contents, b)
		}
		return contents
	}
	var code1, code2 string
	waitFor("code 1 printed", func() bool {
		b, _ := os.ReadFile(out)
		_, err := fmt.Sscanf(string(b), "MFA code 1: %s\n", &code1)
		return err == nil
	})
	waitFor("code 1 in tmux's buffer", func() bool { b := buffers(); return len(b) == 1 && b[0] == code1 })
	waitFor("the Enter prompt", func() bool {
		pane, _ := tmux("capture-pane", "-p", "-t", "t")
		return strings.Contains(pane, "Press Enter")
	})
	tmux("send-keys", "-t", "t", "Enter")
	waitFor("code 2 printed", func() bool {
		b, _ := os.ReadFile(out)
		_, err := fmt.Sscanf(string(b), "MFA code 1: %s\nMFA code 2: %s\n", &code1, &code2)
		return err == nil
	})
	// Code 1's buffer goes when code 2 comes.
	waitFor("code 2 alone in tmux's buffers", func() bool { b := buffers(); return len(b) == 1 && b[0] == code2 })
	tmux("send-keys", "-t", "t", "Enter")
	waitFor("vmfa's exit", func() bool { b, _ := os.ReadFile(rc); return strings.TrimSpace(string(b)) != "" })
	if b, _ := os.ReadFile(rc); strings.TrimSpace(string(b)) != "0" {
		pane, _ := tmux("capture-pane", "-p", "-t", "t")
		t.Fatalf("exit %s; the pane shows:\n%s", b, pane)
	}
	if b := buffers(); len(b) != 0 {
		t.Fatalf("tmux's buffers still hold %q", b)
	}
}
