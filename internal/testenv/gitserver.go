package testenv

import (
	"net"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// GitServer is git's own smart HTTP server, git http-backend, behind
// net/http/cgi on 127.0.0.1 at a port of its own, serving bare repositories
// in a directory of the test's. It checks what it receives: only git's
// protocol, from git itself (any other request fails the test). Stop and
// Start take it off the network and back, at the same address; Hang makes
// it answer nothing until the request is given up; BeforePush runs a
// function once, before the next push is answered.
type GitServer struct {
	Root string // the directory of the bare repositories

	t       testing.TB
	addr    string
	backend *cgi.Handler

	mu         sync.Mutex
	srv        *httptest.Server
	hang       bool
	beforePush func()
	pushes     int
}

// NewGitServer starts a GitServer, stopped when the test ends.
func NewGitServer(t testing.TB) *GitServer {
	t.Helper()
	git := Tool(t, "git")
	out, err := exec.Command(git, "--exec-path").Output()
	if err != nil {
		t.Fatalf("git --exec-path: %v", err)
	}
	backend := filepath.Join(strings.TrimSpace(string(out)), "git-http-backend")
	if _, err := os.Stat(backend); err != nil {
		Skip(t, "git http-backend is not installed: %v", err)
	}
	s := &GitServer{Root: t.TempDir(), t: t}
	home := t.TempDir()
	s.backend = &cgi.Handler{
		Path: backend,
		Env: []string{"GIT_PROJECT_ROOT=" + s.Root, "GIT_HTTP_EXPORT_ALL=1", "HOME=" + home,
			"GIT_CONFIG_NOSYSTEM=1", "PATH=" + os.Getenv("PATH")},
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.addr = l.Addr().String()
	s.serve(l)
	t.Cleanup(s.Stop)
	return s
}

func (s *GitServer) serve(l net.Listener) {
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
	s.mu.Lock()
	hang := s.hang
	var before func()
	if service == "git-receive-pack" {
		s.pushes++
		before, s.beforePush = s.beforePush, nil
	}
	s.mu.Unlock()
	if hang {
		<-r.Context().Done()
		return
	}
	if before != nil {
		before()
	}
	s.backend.ServeHTTP(w, r)
}

// Repo creates an empty bare repository that takes pushes, and returns its
// URL.
func (s *GitServer) Repo(t testing.TB, name string) string {
	t.Helper()
	dir := filepath.Join(s.Root, name+".git")
	for _, args := range [][]string{
		{"init", "-q", "--bare", dir},
		{"--git-dir", dir, "config", "http.receivepack", "true"},
	} {
		if out, err := exec.Command("git", args...).CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	return "http://" + s.addr + "/" + name + ".git"
}

// CopyRepo copies the repository of url, as it is, to a new one, and
// returns its URL.
func (s *GitServer) CopyRepo(t testing.TB, url, name string) string {
	t.Helper()
	if out, err := exec.Command("cp", "-a", s.GitDir(url), filepath.Join(s.Root, name+".git")).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v %s", err, out)
	}
	return "http://" + s.addr + "/" + name + ".git"
}

// GitDir is the bare repository of a URL Repo returned.
func (s *GitServer) GitDir(url string) string {
	return filepath.Join(s.Root, url[strings.LastIndexByte(url, '/')+1:])
}

// Stop takes the server off the network: connections are refused.
func (s *GitServer) Stop() {
	s.mu.Lock()
	srv := s.srv
	s.srv = nil
	s.mu.Unlock()
	if srv != nil {
		srv.CloseClientConnections()
		srv.Close()
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
