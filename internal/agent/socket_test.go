//go:build unix

package agent

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/vmfa/vmfa/internal/agent/wire"
	"github.com/vmfa/vmfa/internal/testenv"
	"github.com/vmfa/vmfa/internal/timesync"
	"github.com/vmfa/vmfa/vault"
)

// runtimeForTest points XDG_RUNTIME_DIR at a short private directory (socket
// paths are limited to about 100 bytes).
func runtimeForTest(t *testing.T) {
	t.Helper()
	dir, err := os.MkdirTemp("", "vmfa-ag")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	t.Setenv("XDG_RUNTIME_DIR", dir)
}

// serve runs an agent for vaultDir on a real socket until the test ends.
func serve(t *testing.T, vaultDir string) (*Server, *Client) {
	t.Helper()
	l, release, err := Listen(vaultDir)
	if err != nil {
		t.Fatal(err)
	}
	s := NewServer(SystemClock(), os.Getuid())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, l) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
		release()
	})
	c, err := NewClient(vaultDir)
	if err != nil {
		t.Fatal(err)
	}
	return s, c
}

func TestClientThroughSocket(t *testing.T) {
	runtimeForTest(t)
	_, c := serve(t, t.TempDir())
	if st, err := c.Status(); err != nil || !st.Locked || st.PID != os.Getpid() {
		t.Fatalf("status: %+v %v", st, err)
	}
	id, _ := age.GenerateX25519Identity()
	// A real age file, decrypted with the agent as the identity.
	var ct bytes.Buffer
	w, _ := age.Encrypt(&ct, id.Recipient())
	io.WriteString(w, "the vault's JSON")
	w.Close()
	if _, err := age.Decrypt(bytes.NewReader(ct.Bytes()), c); !errors.Is(err, ErrLocked) {
		t.Fatalf("decrypt through a locked agent: %v", err)
	}
	st, err := c.Unlock(id, time.Minute)
	if err != nil || st.Locked || st.Recipient != id.Recipient().String() {
		t.Fatalf("unlock: %+v %v", st, err)
	}
	r, err := age.Decrypt(bytes.NewReader(ct.Bytes()), c)
	if err != nil {
		t.Fatal(err)
	}
	if pt, _ := io.ReadAll(r); string(pt) != "the vault's JSON" {
		t.Fatalf("decrypted %q", pt)
	}
	other, _ := age.GenerateX25519Identity()
	ct.Reset()
	w, _ = age.Encrypt(&ct, other.Recipient())
	w.Close()
	var noMatch *age.NoIdentityMatchError
	if _, err := age.Decrypt(bytes.NewReader(ct.Bytes()), c); !errors.As(err, &noMatch) {
		t.Fatalf("a file for another key: %v", err)
	}
	// Malformed stanzas (a damaged header) fail as they would with the key
	// in hand, in age's words, not as a key that is unavailable.
	good, err := id.Recipient().Wrap(bytes.Repeat([]byte{7}, 16))
	if err != nil {
		t.Fatal(err)
	}
	for name, damage := range map[string]func(s *age.Stanza){
		"share not base64": func(s *age.Stanza) { s.Args[0] = "!" + s.Args[0][1:] },
		"short share":      func(s *age.Stanza) { s.Args[0] = s.Args[0][:20] },
		"two arguments":    func(s *age.Stanza) { s.Args = append(s.Args, "x") },
		"short body":       func(s *age.Stanza) { s.Body = s.Body[:8] },
	} {
		bad := *good[0]
		bad.Args = append([]string(nil), bad.Args...)
		damage(&bad)
		_, inHand := id.Unwrap([]*age.Stanza{&bad})
		_, viaAgent := c.Unwrap([]*age.Stanza{&bad})
		if inHand == nil || viaAgent == nil || viaAgent.Error() != inHand.Error() || errors.Is(viaAgent, vault.ErrKeyUnavailable) {
			t.Errorf("%s: through the agent %v, with the key in hand %v", name, viaAgent, inHand)
		}
	}
	if err := c.Put("aws/dev", []byte("creds"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if v, ok, err := c.Get("aws/dev"); err != nil || !ok || string(v) != "creds" {
		t.Fatalf("get: %q %v %v", v, ok, err)
	}
	// Delete forgets one name, and a name not there is no error.
	if err := c.Put("aws/prod", []byte("other"), 0); err != nil {
		t.Fatal(err)
	}
	if err := c.Delete("aws/dev"); err != nil {
		t.Fatal(err)
	}
	if err := c.Delete("aws/nosuch"); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := c.Get("aws/dev"); err != nil || ok {
		t.Fatalf("get after delete: %v %v", ok, err)
	}
	if v, ok, err := c.Get("aws/prod"); err != nil || !ok || string(v) != "other" {
		t.Fatalf("another name after delete: %q %v %v", v, ok, err)
	}
	if err := c.Lock(); err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.Get("aws/dev"); !errors.Is(err, ErrLocked) {
		t.Fatalf("get after lock: %v", err)
	}
}

// rawConn connects to the agent's socket as a hostile client would.
func rawConn(t *testing.T, vaultDir string) net.Conn {
	t.Helper()
	path, err := wire.SocketPath(vaultDir)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.Dial("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

func TestHostileClientsDoNotStopTheAgent(t *testing.T) {
	runtimeForTest(t)
	vaultDir := t.TempDir()
	_, c := serve(t, vaultDir)
	id, _ := age.GenerateX25519Identity()
	if _, err := c.Unlock(id, time.Minute); err != nil {
		t.Fatal(err)
	}

	// A client that connects and says nothing, and one that stops half-way.
	rawConn(t, vaultDir)
	half := rawConn(t, vaultDir)
	half.Write([]byte{0, 0, 1, 0, '{'})

	answer := func(conn net.Conn, msg []byte) wire.Response {
		t.Helper()
		conn.Write(msg)
		var r wire.Response
		conn.SetDeadline(time.Now().Add(5 * time.Second))
		if err := wire.ReadMessage(conn, &r); err != nil {
			t.Fatalf("no answer to a bad request: %v", err)
		}
		return r
	}
	for name, msg := range map[string][]byte{
		"garbage":   append([]byte{0, 0, 0, 5}, "\xff\xfe{[x"...),
		"oversized": binary.BigEndian.AppendUint32(nil, 1<<30),
		"not json":  append([]byte{0, 0, 0, 3}, "abc"...),
		"wrong op":  append([]byte{0, 0, 0, 16}, `{"op":"shutdown"`...),
	} {
		r := answer(rawConn(t, vaultDir), msg)
		if r.Code != wire.CodeBadInput || r.Error == "" {
			t.Errorf("%s: %+v", name, r)
		}
	}

	// Meanwhile the agent answers at once.
	start := time.Now()
	for range 20 {
		if st, err := c.Status(); err != nil || st.Locked {
			t.Fatalf("status with hanging clients around: %+v %v", st, err)
		}
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("20 requests took %v with hanging clients around", d)
	}
	// The hanging ones are cut off by the deadline.
	buf := make([]byte, 64)
	half.SetReadDeadline(time.Now().Add(ConnTimeout + 3*time.Second))
	if _, err := io.ReadFull(half, buf); err == nil || errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("a client that hangs was not cut off: %v", err)
	}
}

func TestStaleSocketReplaced(t *testing.T) {
	runtimeForTest(t)
	vaultDir := t.TempDir()
	path, err := wire.SocketPath(vaultDir)
	if err != nil {
		t.Fatal(err)
	}
	// What a killed agent leaves: a socket file no one listens on.
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	l.SetUnlinkOnClose(false)
	l.Close()
	if _, err := os.Lstat(path); err != nil {
		t.Fatal(err)
	}
	c, _ := NewClient(vaultDir)
	if _, err := c.Status(); !errors.Is(err, ErrNoAgent) {
		t.Fatalf("status on a stale socket: %v", err)
	}
	serve(t, vaultDir)
	if _, err := c.Status(); err != nil {
		t.Fatalf("status after a new agent took the stale socket: %v", err)
	}
	if _, _, err := Listen(vaultDir); !errors.Is(err, ErrRunning) {
		t.Fatalf("a second agent for the vault: %v", err)
	}
	// Another vault has an agent of its own.
	other := t.TempDir()
	serve(t, other)
	if p2, _ := wire.SocketPath(other); p2 == path {
		t.Fatal("two vaults share a socket")
	}
}

func TestRuntimeDirRefusedWhenOpen(t *testing.T) {
	runtimeForTest(t)
	dir := filepath.Join(os.Getenv("XDG_RUNTIME_DIR"), "vmfa")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	os.Chmod(dir, 0o755)
	_, err := NewClient(t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "chmod 700") {
		t.Fatalf("a runtime directory open to others: %v", err)
	}
	os.Chmod(dir, 0o700)
	if _, err := NewClient(t.TempDir()); err != nil {
		t.Fatal(err)
	}
}

// TestOtherUserRefused runs a real process as another user (nobody) that
// connects to the agent's socket, made reachable for the test (in a real
// runtime directory it is not, 0700): the agent must refuse it by its uid.
func TestOtherUserRefused(t *testing.T) {
	if os.Getenv("VMFA_AGENT_PEER_SOCKET") != "" {
		return // the child's half runs in TestMain-less mode below
	}
	if os.Getuid() != 0 {
		testenv.Skip(t, "running a process as another user needs root")
	}
	open, err := os.MkdirTemp("", "vmfa-peer")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(open)
	os.Chmod(open, 0o755)
	sock := filepath.Join(open, "agent.sock")
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: sock, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(sock, 0o666)
	s := NewServer(SystemClock(), os.Getuid())
	id, _ := age.GenerateX25519Identity()
	s.handle(unlockReq(id, time.Minute))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, l) }()
	defer func() { cancel(); <-done }()

	// This test binary, copied where nobody can run it.
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(open, "peer.test")
	b, err := os.ReadFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, b, 0o755); err != nil {
		t.Fatal(err)
	}
	run := func(uid uint32) (string, error) {
		cmd := exec.Command(bin, "-test.run=^TestPeerChild$")
		cmd.Env = []string{"VMFA_AGENT_PEER_SOCKET=" + sock}
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uid, Gid: uid}}
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := run(65534); err != nil || !strings.Contains(out, "REFUSED: this agent serves only its own user") {
		t.Fatalf("as nobody: %v\n%s", err, out)
	}
	if out, err := run(0); err != nil || !strings.Contains(out, "SERVED unlocked") {
		t.Fatalf("as the agent's own user: %v\n%s", err, out)
	}
}

// TestPeerChild is the other process of TestOtherUserRefused.
func TestPeerChild(t *testing.T) {
	sock := os.Getenv("VMFA_AGENT_PEER_SOCKET")
	if sock == "" {
		return
	}
	st, err := (&Client{path: sock}).Status()
	if err != nil {
		var re *remoteError
		if errors.As(err, &re) {
			os.Stdout.WriteString("REFUSED: " + re.msg + "\n")
			return
		}
		t.Fatal(err)
	}
	if !st.Locked {
		os.Stdout.WriteString("SERVED unlocked\n")
	}
}

func BenchmarkClientStatus(b *testing.B) {
	benchClient(b, "", func(c *Client) error { _, err := c.Status(); return err })
}

func BenchmarkClientUnwrap(b *testing.B) {
	id, _ := age.GenerateX25519Identity()
	stanzas, _ := id.Recipient().Wrap(make([]byte, 16))
	benchClient(b, "", func(c *Client) error {
		if _, err := c.Unlock(id, time.Minute); err != nil {
			return err
		}
		b.ResetTimer()
		for b.Loop() {
			if _, err := c.Unwrap(stanzas); err != nil {
				return err
			}
		}
		return errDone
	})
}

var errDone = errors.New("done")

// benchClient runs f, until it returns errDone or b's loop ends, with the
// client of an agent serving the codes of the vault in vaultDir ("": a
// directory that holds none).
func benchClient(b *testing.B, vaultDir string, f func(*Client) error) {
	dir, _ := os.MkdirTemp("", "vmfa-bench")
	defer os.RemoveAll(dir)
	b.Setenv("XDG_RUNTIME_DIR", dir)
	vault := vaultDir
	if vault == "" {
		vault = filepath.Join(dir, "vault")
	}
	l, release, err := Listen(vault)
	if err != nil {
		b.Fatal(err)
	}
	defer release()
	s := NewServer(SystemClock(), os.Getuid())
	s.ServeCodes(vault, &timesync.Clock{Dir: filepath.Join(dir, "settings")})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go s.Serve(ctx, l)
	c, err := NewClient(vault)
	if err != nil {
		b.Fatal(err)
	}
	if err := f(c); errors.Is(err, errDone) {
		return
	} else if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if err := f(c); err != nil {
			b.Fatal(err)
		}
	}
}

// TestUnlockWithoutStatus: an agent that answers unlock without its status
// (another version, say) is an error, not a crash.
func TestUnlockWithoutStatus(t *testing.T) {
	runtimeForTest(t)
	vaultDir := t.TempDir()
	l, release, err := Listen(vaultDir)
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	defer l.Close()
	go func() {
		conn, err := l.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		var req wire.Request
		wire.ReadMessage(conn, &req)
		wire.WriteMessage(conn, wire.Response{})
	}()
	c, err := NewClient(vaultDir)
	if err != nil {
		t.Fatal(err)
	}
	id, _ := age.GenerateX25519Identity()
	if _, err := c.Unlock(id, time.Minute); err == nil {
		t.Fatal("Unlock succeeded with no status in the answer")
	}
}

// TestStartLeavesTheWorkingDirectory: the agent outlives the command that
// started it, so it must not keep that command's directory busy (a mounted
// USB stick could not be unmounted), as ssh-agent does not.
func TestStartLeavesTheWorkingDirectory(t *testing.T) {
	runtimeForTest(t)
	work := t.TempDir()
	t.Chdir(work)
	c, err := NewClient(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "cwd")
	// Not an agent: it says where it runs and exits, which Start reports.
	if err := c.Start(testenv.Tool(t, "sh"), []string{"-c", "pwd > " + out}, 5*time.Second); err == nil {
		t.Fatal("Start of a process that exits at once succeeded")
	}
	cwd, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(string(cwd)); got != "/" {
		t.Fatalf("the agent runs in %s, want /", got)
	}
}
