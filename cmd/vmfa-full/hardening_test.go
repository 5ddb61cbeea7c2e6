//go:build linux

package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vmfa/vmfa/internal/testenv"
)

// underLimits runs vmfa through sh with the given ulimit settings first.
func underLimits(t *testing.T, dir, ulimits string, env []string, args ...string) result {
	t.Helper()
	script := ulimits + ` && exec "$0" "$@"`
	cmd := exec.Command("sh", append([]string{"-c", script, vmfaBin}, args...)...)
	cmd.Env = testenv.Env(t, dir, env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.Run()
	return result{stdout.String(), stderr.String(), cmd.ProcessState.ExitCode()}
}

// TestWorkFactorMemory: under a 3 GB address-space limit, work factor 22
// (4 GiB of scrypt) is refused in one line, for init and for unlocking,
// where it used to crash with "fatal error: out of memory".
func TestWorkFactorMemory(t *testing.T) {
	parallel(t)
	dir := t.TempDir()
	const limit = "ulimit -v 3000000"
	r := underLimits(t, dir, limit, []string{pw}, "init", "--work-factor", "22")
	if r.code != 1 || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, "4 GiB") || strings.Contains(r.stderr, "fatal error") {
		t.Errorf("init --work-factor 22 under %q: exit %d, %q", limit, r.code, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "vault", "identity.age")); err == nil {
		t.Error("a refused init left identity.age")
	}

	// A vault whose identity.age asks for 22, as one made on a bigger
	// machine would.
	expect(t, vmfa(t, dir, githubURI+"\n", []string{pw}, "add", "--uri"), 0, "Added", "")
	path := filepath.Join(dir, "vault", "identity.age")
	b, _ := os.ReadFile(path)
	os.WriteFile(path, bytes.Replace(b, []byte(" 10\n"), []byte(" 22\n"), 1), 0o600)
	r = underLimits(t, dir, limit, []string{pw}, "list")
	if r.code != 1 || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, "4 GiB") || strings.Contains(r.stderr, "damaged") {
		t.Errorf("list of a work-factor-22 vault under %q: exit %d, %q", limit, r.code, r.stderr)
	}
}

// TestNoCoreDump sends SIGQUIT to a vmfa waiting for input, with core dumps
// allowed and GOTRACEBACK=crash (which makes Go abort on SIGQUIT): vmfa has
// made itself undumpable, so no core holds its secrets.
func TestNoCoreDump(t *testing.T) {
	parallel(t)
	dir := t.TempDir()
	vaultOf(t, dir, githubURI)
	for _, sig := range []syscall.Signal{syscall.SIGQUIT, syscall.SIGABRT} {
		cwd := t.TempDir()
		cmd := exec.Command("sh", "-c", `ulimit -c unlimited && exec "$0" add --uri`, vmfaBin)
		cmd.Env = testenv.Env(t, dir, pw, "GOTRACEBACK=crash")
		cmd.Dir = cwd
		stdin, err := cmd.StdinPipe() // held open: vmfa waits on it
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Ready once sh has exec'd vmfa, vmfa vmfa-full, and vmfa-full has
		// set its core limit to 0.
		proc := "/proc/" + strconv.Itoa(cmd.Process.Pid)
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			b, _ := os.ReadFile(proc + "/limits")
			exe, _ := os.Readlink(proc + "/exe")
			if f := strings.Fields(lineWith(string(b), "Max core file size")); exe == fullBin() && len(f) > 4 && f[4] == "0" {
				break
			}
			if time.Now().After(deadline) {
				cmd.Process.Kill()
				t.Fatalf("vmfa never set its core limit to 0:\n%s", b)
			}
		}
		time.Sleep(200 * time.Millisecond) // and reached the read
		cmd.Process.Signal(sig)
		cmd.Wait()
		stdin.Close()
		ws := cmd.ProcessState.Sys().(syscall.WaitStatus)
		cores, _ := filepath.Glob(filepath.Join(cwd, "core*"))
		if ws.CoreDump() || len(cores) > 0 {
			t.Errorf("%v: vmfa dumped core: %v", sig, cores)
		}
		if !ws.Signaled() {
			t.Errorf("%v: vmfa was not killed by the signal: %v", sig, cmd.ProcessState)
		}
	}
}

func lineWith(s, prefix string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, prefix) {
			return l
		}
	}
	return ""
}
