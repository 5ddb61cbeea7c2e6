package testenv

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// errorRecorder is a test whose Errorf records, for a harness's check
// that fails a test.
type errorRecorder struct {
	testing.TB
	mu     sync.Mutex
	errors []string
}

func (r *errorRecorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

// TestGitDaemon: a push and a fetch over git://, what the server counts and
// runs before a push, Hang, Stop and Start, and a request that is not git's
// protocol failing the test.
func TestGitDaemon(t *testing.T) {
	rec := &errorRecorder{TB: t}
	srv := NewGitDaemon(rec)
	url := srv.Repo(t, "r")
	work := t.TempDir()
	git := func(timeout time.Duration, args ...string) (string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		cmd := exec.CommandContext(ctx, "git", append([]string{"-C", work}, args...)...)
		cmd.Env = append(os.Environ(), "HOME="+work, "GIT_CONFIG_NOSYSTEM=1", "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@localhost",
			"GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@localhost")
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	for _, args := range [][]string{{"init", "-q", "--initial-branch=main"}, {"commit", "-q", "--allow-empty", "-m", "one"}} {
		if out, err := git(time.Minute, args...); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	var before atomic.Bool
	srv.BeforePush(func() { before.Store(true) })
	if out, err := git(time.Minute, "push", "-q", url, "main"); err != nil || !before.Load() || srv.Pushes() != 1 {
		t.Fatalf("push: %v %s; ran BeforePush's function: %t, pushes %d", err, out, before.Load(), srv.Pushes())
	}
	if out, err := git(time.Minute, "ls-remote", url); err != nil || !strings.HasSuffix(out, "\trefs/heads/main\n") {
		t.Fatalf("ls-remote after the push: %v %q", err, out)
	}

	srv.Hang(true)
	if out, err := git(time.Second, "ls-remote", url); err == nil {
		t.Errorf("a hung server answered: %q", out)
	}
	srv.Hang(false)
	srv.Stop()
	if out, err := git(time.Minute, "ls-remote", url); err == nil {
		t.Errorf("a stopped server answered: %q", out)
	}
	srv.Start()
	if out, err := git(time.Minute, "ls-remote", url); err != nil {
		t.Errorf("ls-remote once started again: %v %s", err, out)
	}

	c, err := net.Dial("tcp", strings.TrimPrefix(url[:strings.LastIndexByte(url, '/')], "git://"))
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(c, "GET /r.git HTTP/1.1\r\nHost: x\r\n\r\n")
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	if n, err := c.Read(make([]byte, 1)); n != 0 {
		t.Errorf("a request not of git's protocol was answered (%v)", err)
	}
	c.Close()
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.errors) != 1 || !strings.Contains(rec.errors[0], "unexpected request") {
		t.Errorf("the server's complaints: %q, want one unexpected request", rec.errors)
	}
}
