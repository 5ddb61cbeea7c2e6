package testenv

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/gofrs/flock"
)

// The built programs: vmfa and vmfa-full, run by the tests of the packages
// that drive them whole (cmd/vmfa-full, tui) in an environment of the
// test's own.

// BuildVmfa builds the front end (cmd/vmfa) and vmfa-full (cmd/vmfa-full)
// and puts them in dir, side by side as they are installed, and returns the
// path of vmfa. It needs no test, so that TestMain can call it.
//
// They are built in a cache directory of the repository's, under a lock,
// where go build links again only what changed (linking vmfa-full takes
// seconds), then copied: each test run has programs of its own, which no
// other run's build replaces while they run.
func BuildVmfa(dir string) (string, error) {
	if err := build(dir, "", "vmfa", "vmfa-full"); err != nil {
		return "", err
	}
	return filepath.Join(dir, exeName("vmfa")), nil
}

// BuildVmfaFullTagged builds vmfa-full alone with the build tags tags
// (comma-separated, as go build -tags takes them), cached as BuildVmfa's
// programs are, puts it in dir and returns its path.
func BuildVmfaFullTagged(dir, tags string) (string, error) {
	if err := build(dir, tags, "vmfa-full"); err != nil {
		return "", err
	}
	return filepath.Join(dir, exeName("vmfa-full")), nil
}

// build builds the commands cmd/NAME of names with the build tags tags in
// the cache (BuildVmfa), and copies them to dir.
func build(dir, tags string, names ...string) error {
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	cache = filepath.Join(cache, "vmfa-test")
	removeOrphanBuilds(cache)
	sum := sha256.Sum256([]byte(root))
	top := filepath.Join(cache, hex.EncodeToString(sum[:8]))
	// Programs built with tags have a directory of their own, so that the
	// two builds do not take turns relinking the same file.
	built := top
	if tags != "" {
		built = filepath.Join(top, "tags-"+tags)
	}
	if err := os.MkdirAll(built, 0o700); err != nil {
		return err
	}
	lock := flock.New(filepath.Join(top, ".lock"))
	if err := lock.Lock(); err != nil {
		return err
	}
	defer lock.Unlock()
	if err := os.WriteFile(filepath.Join(top, "root"), []byte(root), 0o600); err != nil {
		return err
	}
	args := []string{"build", "-tags", tags, "-o", built + string(filepath.Separator)}
	for _, name := range names {
		args = append(args, "./cmd/"+name)
	}
	cmd := exec.Command("go", args...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0") // as Install and the releases build them: the tests run what ships
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("building %s: %v\n%s", strings.Join(names, " and "), err, out)
	}
	for _, name := range names {
		if err := copyProgram(filepath.Join(built, exeName(name)), filepath.Join(dir, exeName(name))); err != nil {
			return err
		}
	}
	return nil
}

// removeOrphanBuilds removes the builds in cache of repositories that are
// gone, such as the copies mutation testing makes, unless one is in use.
func removeOrphanBuilds(cache string) {
	roots, _ := filepath.Glob(filepath.Join(cache, "*", "root"))
	for _, file := range roots {
		root, err := os.ReadFile(file)
		if _, serr := os.Stat(string(root)); err != nil || !errors.Is(serr, os.ErrNotExist) {
			continue
		}
		lock := flock.New(filepath.Join(filepath.Dir(file), ".lock"))
		if locked, err := lock.TryLock(); err == nil && locked {
			os.RemoveAll(filepath.Dir(file))
			lock.Unlock()
		}
	}
}

// exeName is the file name of the program name.
func exeName(name string) string {
	if runtime.GOOS == "windows" {
		return name + ".exe"
	}
	return name
}

// copyProgram copies the program src to dst, a new file, holding
// syscall.ForkLock as WriteExecutable does.
func copyProgram(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	syscall.ForkLock.RLock()
	defer syscall.ForkLock.RUnlock()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// moduleRoot returns the directory of the go.mod above the working
// directory: the repository's root, wherever in it the test runs.
func moduleRoot() (string, error) {
	dir, err := filepath.Abs(".")
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

// Env returns the environment of a vmfa process that a test runs with its
// vault in dir/vault, and nothing of the test's own but PATH: HOME=dir (so
// settings and caches are the test's too), VMFA_DIR=dir/vault,
// VMFA_WORK_FACTOR=10 (a vault made in milliseconds, not a second) and
// XDG_RUNTIME_DIR=RuntimeDir(t, dir). Then come extra's KEY=VALUE pairs,
// which add to these or replace them: of two values for a key, exec uses
// the later.
func Env(t testing.TB, dir string, extra ...string) []string {
	t.Helper()
	return append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "VMFA_DIR=" + filepath.Join(dir, "vault"),
		"VMFA_WORK_FACTOR=10", "XDG_RUNTIME_DIR=" + RuntimeDir(t, dir)}, extra...)
}

// runtimeDirs maps the directory of a test's vault to its runtime directory.
var runtimeDirs sync.Map

// RuntimeDir returns the runtime directory (AgentRuntimeDir) of the vmfa
// processes of a test with its vault in dir: the same for every call with
// dir, so that they all reach the one agent, until the test that first
// asked ends.
func RuntimeDir(t testing.TB, dir string) string {
	t.Helper()
	if run, ok := runtimeDirs.Load(dir); ok {
		return run.(string)
	}
	run := AgentRuntimeDir(t)
	if other, loaded := runtimeDirs.LoadOrStore(dir, run); loaded {
		return other.(string)
	}
	t.Cleanup(func() { runtimeDirs.Delete(dir) })
	return run
}

// Command returns the command that runs the program bin with args in the
// environment Env(t, dir, env...).
func Command(t testing.TB, bin, dir string, env []string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = Env(t, dir, env...)
	return cmd
}

// Result is what a program printed, and its exit code.
type Result struct {
	Stdout, Stderr string
	Code           int
}

// Run runs cmd with stdin as its standard input, to its end, and returns
// what it printed and its exit code. A command that can't be started fails
// the test.
func Run(t testing.TB, cmd *exec.Cmd, stdin string) Result {
	t.Helper()
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := Result{Stdout: stdout.String(), Stderr: stderr.String()}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		r.Code = exit.ExitCode()
	} else if err != nil {
		t.Fatalf("%s: %v", cmd.Path, err)
	}
	return r
}

// WriteExecutable writes data to the file path, with mode, for the test to
// run. A process forked while the file is open for writing holds it open
// until it execs, and running the file meanwhile fails with ETXTBSY, "text
// file busy" (Go issue 22315): with tests in parallel, some other test's
// fork. Holding syscall.ForkLock keeps this process's forks out until the
// file is closed.
func WriteExecutable(t testing.TB, path string, data []byte, mode os.FileMode) string {
	t.Helper()
	syscall.ForkLock.RLock()
	err := os.WriteFile(path, data, mode)
	syscall.ForkLock.RUnlock()
	if err != nil {
		t.Fatal(err)
	}
	return path
}

// ShellEnv returns env as words for a shell command line (env -i ...,
// say), each quoted.
func ShellEnv(env []string) string {
	words := make([]string, len(env))
	for i, kv := range env {
		words[i] = "'" + strings.ReplaceAll(kv, "'", `'\''`) + "'"
	}
	return strings.Join(words, " ")
}
