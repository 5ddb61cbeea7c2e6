package testenv

import (
	"bytes"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// GitServer is git's own server on 127.0.0.1 at a port of its own,
// serving bare repositories in a directory of the test's, over one of two
// transports: smart HTTP (NewGitServer: git http-backend behind
// net/http/cgi) or the git protocol (NewGitDaemon: git daemon, one for
// each connection). It checks what it receives: only git's protocol, from
// git itself (any other request fails the test). Stop and Start take it
// off the network and back, at the same address; Hang makes it answer
// nothing until the request is given up; BeforePush runs a function once,
// before the next push is answered.
//
// Its repositories take pushes and never gc on them (receive.autogc=false,
// in the server's own HOME): a test's repository is a few commits, and a
// gc --auto after each push would cost a process for nothing.
type GitServer struct {
	Root string // the directory of the bare repositories

	t       testing.TB
	addr    string
	scheme  string       // "http" or "git"
	backend *cgi.Handler // http: git http-backend
	daemon  []string     // git: the command line of git daemon --inetd
	env     []string     // the environment of the server's git processes

	mu         sync.Mutex
	srv        *httptest.Server // http
	listener   net.Listener     // git
	conns      map[net.Conn]bool
	daemons    map[*os.Process]bool
	handlers   sync.WaitGroup
	hang       bool
	beforePush func()
	pushes     int
}

// NewGitServer starts a GitServer over smart HTTP, stopped when the test
// ends.
func NewGitServer(t testing.TB) *GitServer {
	t.Helper()
	git := Tool(t, "git")
	backend := filepath.Join(gitExecPath(t, git), "git-http-backend")
	if _, err := os.Stat(backend); err != nil {
		Skip(t, "git http-backend is not installed: %v", err)
	}
	s := newGitServer(t, "http")
	s.backend = &cgi.Handler{Path: backend, Env: append([]string{"GIT_PROJECT_ROOT=" + s.Root, "GIT_HTTP_EXPORT_ALL=1"}, s.env...)}
	s.listen()
	return s
}

// NewGitDaemon starts a GitServer over the git protocol (git://), stopped
// when the test ends. It costs a fetch or a push a few processes fewer
// than HTTP does (no git-remote-http, no http-backend for each request):
// for the tests whose subject is not the transport. Each connection is
// checked, then served by a git daemon --inetd of its own, which ends with
// it.
func NewGitDaemon(t testing.TB) *GitServer {
	t.Helper()
	// git-daemon itself, not git daemon: a process fewer for each connection.
	daemon := filepath.Join(gitExecPath(t, Tool(t, "git")), "git-daemon")
	if _, err := os.Stat(daemon); err != nil {
		Skip(t, "git daemon is not installed: %v", err)
	}
	s := newGitServer(t, "git")
	s.daemon = []string{daemon, "--inetd", "--base-path=" + s.Root, "--export-all", "--enable=receive-pack",
		"--informative-errors", "--log-destination=stderr"}
	s.conns, s.daemons = map[net.Conn]bool{}, map[*os.Process]bool{}
	s.listen()
	return s
}

func gitExecPath(t testing.TB, git string) string {
	t.Helper()
	out, err := exec.Command(git, "--exec-path").Output()
	if err != nil {
		t.Fatalf("git --exec-path: %v", err)
	}
	return strings.TrimSpace(string(out))
}

// newGitServer makes the server's directories and its git configuration.
func newGitServer(t testing.TB, scheme string) *GitServer {
	t.Helper()
	s := &GitServer{Root: t.TempDir(), t: t, scheme: scheme}
	home := t.TempDir()
	config := "[http]\n\treceivepack = true\n[receive]\n\tautogc = false\n"
	if err := os.WriteFile(filepath.Join(home, ".gitconfig"), []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	s.env = []string{"HOME=" + home, "GIT_CONFIG_NOSYSTEM=1", "PATH=" + os.Getenv("PATH")}
	return s
}

// listen starts serving on a port of its own; Stop ends it when the test
// ends.
func (s *GitServer) listen() {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		s.t.Fatal(err)
	}
	s.addr = l.Addr().String()
	s.serve(l)
	s.t.Cleanup(func() {
		s.Stop()
		s.mu.Lock()
		for p := range s.daemons {
			p.Kill()
		}
		s.mu.Unlock()
		s.handlers.Wait()
	})
}

func (s *GitServer) serve(l net.Listener) {
	if s.scheme == "git" {
		s.listener = l
		s.handlers.Add(1)
		go s.accept(l)
		return
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(s.handle))
	srv.Listener.Close()
	srv.Listener = l
	srv.Start()
	s.srv = srv
}

// handle checks a request and hands it to git http-backend.
func (s *GitServer) handle(w http.ResponseWriter, r *http.Request) {
	service := r.URL.Query().Get("service")
	okPath := strings.HasSuffix(r.URL.Path, "/info/refs") && (service == "git-upload-pack" || service == "git-receive-pack") ||
		r.Method == http.MethodPost && (strings.HasSuffix(r.URL.Path, "/git-upload-pack") || strings.HasSuffix(r.URL.Path, "/git-receive-pack"))
	if !okPath || !strings.HasPrefix(r.UserAgent(), "git/") {
		s.t.Errorf("git server: unexpected request %s %s (User-Agent %q)", r.Method, r.URL, r.UserAgent())
		http.Error(w, "not git's protocol", http.StatusBadRequest)
		return
	}
	if !s.admit(service == "git-receive-pack") {
		<-r.Context().Done()
		return
	}
	s.backend.ServeHTTP(w, r)
}

// admit counts a request, and a push among them, and runs BeforePush's
// function before a push. It reports false when the server hangs: the
// request is to be held, unanswered, until the client gives up.
func (s *GitServer) admit(push bool) bool {
	s.mu.Lock()
	hang := s.hang
	var before func()
	if push {
		s.pushes++
		before, s.beforePush = s.beforePush, nil
	}
	s.mu.Unlock()
	if hang {
		return false
	}
	if before != nil {
		before()
	}
	return true
}

// accept serves each connection l takes, until Stop closes it.
func (s *GitServer) accept(l net.Listener) {
	defer s.handlers.Done()
	for {
		c, err := l.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		if s.listener != l { // stopped meanwhile
			s.mu.Unlock()
			c.Close()
			return
		}
		s.conns[c] = true
		s.handlers.Add(1)
		s.mu.Unlock()
		go func() {
			defer s.handlers.Done()
			s.serveConn(c)
			s.mu.Lock()
			delete(s.conns, c)
			s.mu.Unlock()
		}()
	}
}

// serveConn checks a connection's request, the first packet of git's
// protocol ("git-upload-pack /NAME.git\0host=HOST\0..."), and hands the
// connection to a git daemon --inetd of its own.
func (s *GitServer) serveConn(c net.Conn) {
	defer c.Close()
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	req := make([]byte, 4)
	if _, err := io.ReadFull(c, req); err != nil {
		return // no request: nothing was asked
	}
	n, err := strconv.ParseUint(string(req), 16, 16)
	if err == nil && n > 4 {
		req = append(req, make([]byte, n-4)...)
		_, err = io.ReadFull(c, req[4:])
	}
	c.SetReadDeadline(time.Time{})
	service, path, _ := strings.Cut(string(req[min(4, len(req)):]), " ")
	path, extra, _ := strings.Cut(path, "\x00")
	if err != nil || n <= 4 || service != "git-upload-pack" && service != "git-receive-pack" ||
		!strings.HasPrefix(path, "/") || !strings.HasPrefix(extra, "host=") {
		if !errors.Is(err, net.ErrClosed) {
			s.t.Errorf("git server: unexpected request %q (%v)", req, err)
		}
		return
	}
	if !s.admit(service == "git-receive-pack") {
		io.Copy(io.Discard, c) // until the client gives up, or Stop
		return
	}
	// git daemon reads the request itself: it gets it again, then the
	// rest of what the client sends, through a pipe.
	r, w, err := os.Pipe()
	if err != nil {
		s.t.Error(err)
		return
	}
	var stderr bytes.Buffer
	cmd := exec.Command(s.daemon[0], s.daemon[1:]...)
	cmd.Env, cmd.Stdin, cmd.Stdout, cmd.Stderr = s.env, r, c, &stderr
	cmd.WaitDelay = 10 * time.Second
	err = cmd.Start()
	r.Close()
	if err != nil {
		w.Close()
		s.t.Errorf("git daemon: %v", err)
		return
	}
	s.mu.Lock()
	s.daemons[cmd.Process] = true
	s.mu.Unlock()
	copied := make(chan struct{})
	go func() {
		defer close(copied)
		if _, err := w.Write(req); err == nil {
			io.Copy(w, c)
		}
		w.Close()
	}()
	cmd.Wait()
	s.mu.Lock()
	delete(s.daemons, cmd.Process)
	s.mu.Unlock()
	c.Close()
	<-copied
	if stderr.Len() > 0 {
		s.t.Logf("git daemon: %s", stderr.Bytes())
	}
}

// Repo creates an empty bare repository that takes pushes, and returns its
// URL.
func (s *GitServer) Repo(t testing.TB, name string) string {
	t.Helper()
	dir := filepath.Join(s.Root, name+".git")
	if out, err := exec.Command("git", "init", "-q", "--bare", dir).CombinedOutput(); err != nil {
		t.Fatalf("git init: %v\n%s", err, out)
	}
	return s.url(name)
}

// CopyRepo copies the bare repository gitDir (of this server, GitDir, or
// any other), as it is, to a new one named name, and returns its URL.
func (s *GitServer) CopyRepo(t testing.TB, gitDir, name string) string {
	t.Helper()
	CopyDir(t, gitDir, filepath.Join(s.Root, name+".git"))
	return s.url(name)
}

func (s *GitServer) url(name string) string { return s.scheme + "://" + s.addr + "/" + name + ".git" }

// GitDir is the bare repository of a URL Repo returned.
func (s *GitServer) GitDir(url string) string {
	return filepath.Join(s.Root, url[strings.LastIndexByte(url, '/')+1:])
}

// Stop takes the server off the network: connections are refused, and
// those open are closed.
func (s *GitServer) Stop() {
	s.mu.Lock()
	srv, l := s.srv, s.listener
	s.srv, s.listener = nil, nil
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	if srv != nil {
		srv.CloseClientConnections()
		srv.Close()
	}
	if l != nil {
		l.Close()
	}
}

// Start brings a stopped server back, at the same address.
func (s *GitServer) Start() {
	s.t.Helper()
	l, err := net.Listen("tcp", s.addr)
	if err != nil {
		s.t.Fatal(err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.serve(l)
}

// Hang makes the server hold every request without answering (or, with
// false, answer again).
func (s *GitServer) Hang(hang bool) {
	s.mu.Lock()
	s.hang = hang
	s.mu.Unlock()
}

// BeforePush makes the server run fn once, before it answers the next push.
func (s *GitServer) BeforePush(fn func()) {
	s.mu.Lock()
	s.beforePush = fn
	s.mu.Unlock()
}

// Pushes counts the pushes the server was asked for.
func (s *GitServer) Pushes() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pushes
}
