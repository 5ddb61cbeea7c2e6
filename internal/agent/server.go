//go:build unix

package agent

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"filippo.io/age"
	"github.com/gofrs/flock"

	"github.com/vmfa/vmfa/otp"
)

// Clock is the agent's time: Wall, the wall clock, and Mono, a monotonic
// clock that stops while the machine sleeps. Tests inject their own.
type Clock interface {
	Wall() time.Time
	Mono() time.Duration
}

type systemClock struct{ start time.Time }

func (c systemClock) Wall() time.Time     { return time.Now().Round(0) } // Round(0): the wall reading only
func (c systemClock) Mono() time.Duration { return time.Since(c.start) }

// SystemClock is the clock of the machine.
func SystemClock() Clock { return systemClock{start: time.Now()} }

// Server is an agent.
type Server struct {
	clock Clock
	uid   int // the only uid served

	mu        sync.Mutex
	key       *age.X25519Identity // nil when locked
	timeout   time.Duration       // 0: until Lock
	lastMono  time.Duration       // of the last use
	lastWall  time.Time           // of the last use
	secrets   map[string]secret
	lockNotes func(reason string) // told why the agent locked; may be nil
}

type secret struct {
	value   []byte
	expires time.Duration // on the Mono clock; 0: with the key
}

// NewServer returns a locked agent that serves only uid.
func NewServer(clock Clock, uid int) *Server {
	return &Server{clock: clock, uid: uid}
}

// OnLock sets a function told why the agent locked, for a log.
func (s *Server) OnLock(f func(reason string)) { s.lockNotes = f }

// Listen takes the socket of the vault directory dir for this agent: it
// makes the socket's directory, takes the agent lock (ErrRunning if another
// agent holds it), and replaces a socket a killed agent left. Closing the
// listener removes the socket; release gives up the lock.
func Listen(dir string) (l *net.UnixListener, release func(), err error) {
	path, err := SocketPath(dir)
	if err != nil {
		return nil, nil, err
	}
	lk := flock.New(path+".lock", flock.SetPermissions(0o600))
	ok, err := lk.TryLock()
	if err != nil {
		return nil, nil, fmt.Errorf("can't lock %s: %w", path+".lock", err)
	}
	if !ok {
		return nil, nil, ErrRunning
	}
	// Whoever holds the lock owns the path: what is there is a dead
	// agent's.
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		lk.Unlock()
		return nil, nil, err
	}
	l, err = net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		lk.Unlock()
		return nil, nil, err
	}
	l.SetUnlinkOnClose(true)
	if err := os.Chmod(path, 0o600); err != nil {
		l.Close()
		lk.Unlock()
		return nil, nil, err
	}
	return l, func() { lk.Unlock() }, nil
}

// Run serves the agent of the vault directory dir until SIGINT or SIGTERM,
// or until dir, if it exists, is removed, telling logf when it starts and
// when and why it locks.
func Run(dir string, logf func(string)) error {
	l, release, err := Listen(dir)
	if err != nil {
		return err
	}
	defer release()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	s := NewServer(SystemClock(), os.Getuid())
	s.OnLock(func(reason string) { logf("locked: " + reason) })
	logf(fmt.Sprintf("serving %s on %s (pid %d)", dir, l.Addr(), os.Getpid()))
	// A vault directory that existed and is gone has nothing left to
	// serve (a temporary vault, a vault moved away): the agent ends.
	if _, err := os.Stat(dir); err == nil {
		go func() {
			for ctx.Err() == nil {
				time.Sleep(time.Second)
				if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
					logf("the vault directory is gone: exiting")
					stop()
				}
			}
		}()
	}
	return s.Serve(ctx, l)
}

// Serve answers connections on l until ctx is done, then closes l.
func (s *Server) Serve(ctx context.Context, l *net.UnixListener) error {
	go func() {
		<-ctx.Done()
		l.Close()
	}()
	// The idle timer and the clock-jump check also run when no request
	// comes: a suspended machine's agent locks on the first tick after
	// resume.
	go func() {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				s.mu.Lock()
				s.expire()
				s.mu.Unlock()
			}
		}
	}()
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		conn, err := l.AcceptUnix()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			return err
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.serveConn(conn)
		}()
	}
}

// serveConn answers the one request of a connection.
func (s *Server) serveConn(conn *net.UnixConn) {
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(ConnTimeout))
	uid, err := peerUID(conn)
	if err != nil || uid != s.uid {
		// Not a word to another user's process beyond the refusal.
		writeMessage(conn, response{Error: "this agent serves only its own user", Code: codeForbidden})
		return
	}
	var req request
	if err := readMessage(conn, &req); err != nil {
		writeMessage(conn, response{Error: err.Error(), Code: codeBadInput})
		return
	}
	resp := s.handle(req)
	clear(req.Identity)
	clear(req.Value)
	writeMessage(conn, resp)
	clear(resp.FileKey)
}

// handle answers one request. It is Serve's without the socket.
func (s *Server) handle(req request) response {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.expire()
	switch req.Op {
	case opStatus:
		st := s.status()
		return response{Status: &st}
	case opLock:
		s.lock("")
		st := s.status()
		return response{Status: &st}
	case opUnlock:
		id, err := age.ParseX25519Identity(string(req.Identity))
		if err != nil {
			// age's error may quote the key.
			return response{Error: "that is not an age X25519 identity", Code: codeBadInput}
		}
		if req.Timeout < 0 {
			return response{Error: "a negative timeout", Code: codeBadInput}
		}
		s.lock("")
		s.key, s.timeout = id, req.Timeout
		s.touch()
		st := s.status()
		return response{Status: &st}
	}
	if s.key == nil {
		return response{Error: ErrLocked.Error(), Code: codeLocked}
	}
	s.touch()
	switch req.Op {
	case opUnwrap:
		stanzas := make([]*age.Stanza, len(req.Stanzas))
		for i, st := range req.Stanzas {
			stanzas[i] = &age.Stanza{Type: st.Type, Args: st.Args, Body: st.Body}
		}
		key, err := s.key.Unwrap(stanzas)
		if errors.Is(err, age.ErrIncorrectIdentity) {
			return response{Error: err.Error(), Code: codeNoMatch}
		}
		if err != nil {
			return response{Error: "unwrapping the file key failed", Code: codeBadInput}
		}
		return response{FileKey: key}
	case opPut:
		switch {
		case req.Name == "" || len(req.Name) > 256:
			return response{Error: "a secret's name is 1 to 256 bytes", Code: codeBadInput}
		case len(req.Value) > MaxSecret:
			return response{Error: fmt.Sprintf("a secret is at most %d bytes", MaxSecret), Code: codeBadInput}
		case req.TTL < 0:
			return response{Error: "a negative ttl", Code: codeBadInput}
		}
		if _, ok := s.secrets[req.Name]; !ok && len(s.secrets) >= MaxSecrets {
			return response{Error: fmt.Sprintf("the agent holds %d secrets already", MaxSecrets), Code: codeBadInput}
		}
		if s.secrets == nil {
			s.secrets = map[string]secret{}
		}
		var expires time.Duration
		if req.TTL > 0 {
			expires = s.clock.Mono() + req.TTL
		}
		s.secrets[req.Name] = secret{value: append([]byte(nil), req.Value...), expires: expires}
		return response{}
	case opGet:
		sec, ok := s.secrets[req.Name]
		if !ok {
			return response{}
		}
		return response{Found: true, Value: append([]byte(nil), sec.value...)}
	}
	return response{Error: fmt.Sprintf("unknown request %q", otp.Shorten(req.Op, 32)), Code: codeBadInput}
}

// touch re-arms the idle timer.
func (s *Server) touch() {
	s.lastMono, s.lastWall = s.clock.Mono(), s.clock.Wall()
}

// expire locks the agent if it has been idle for its timeout, or if the
// wall clock ran ahead of the monotonic one by more than the timeout since
// the last use: the machine slept that long, which the monotonic clock
// does not count. It forgets expired secrets. The caller holds mu.
func (s *Server) expire() {
	if s.key == nil {
		return
	}
	mono := s.clock.Mono()
	for name, sec := range s.secrets {
		if sec.expires != 0 && mono >= sec.expires {
			clear(sec.value)
			delete(s.secrets, name)
		}
	}
	if s.timeout == 0 {
		return
	}
	idle := mono - s.lastMono
	jump := s.clock.Wall().Sub(s.lastWall) - idle
	switch {
	case idle >= s.timeout:
		s.lock("idle for " + s.timeout.String())
	case jump > s.timeout:
		s.lock("the wall clock jumped " + jump.Round(time.Second).String() + " ahead (a suspend?)")
	}
}

// lock forgets the key and the secrets.
func (s *Server) lock(reason string) {
	wasUnlocked := s.key != nil
	s.key = nil
	for _, sec := range s.secrets {
		clear(sec.value)
	}
	s.secrets = nil
	if wasUnlocked && reason != "" && s.lockNotes != nil {
		s.lockNotes(reason)
	}
}

func (s *Server) status() Status {
	st := Status{Locked: s.key == nil, PID: os.Getpid()}
	switch {
	case st.Locked:
	case s.timeout == 0:
		st.ExpiresIn = -1
	default:
		st.ExpiresIn = s.timeout - (s.clock.Mono() - s.lastMono)
	}
	if s.key != nil {
		st.Recipient = s.key.Recipient().String()
	}
	return st
}

// readMessage reads one length-prefixed JSON message into v.
func readMessage(r io.Reader, v any) error {
	var n uint32
	if err := binary.Read(r, binary.BigEndian, &n); err != nil {
		return errors.New("no message")
	}
	if n > MaxMessage {
		return fmt.Errorf("a message of %d bytes, over the limit of %d", n, MaxMessage)
	}
	b := make([]byte, n)
	defer clear(b)
	if _, err := io.ReadFull(r, b); err != nil {
		return errors.New("a truncated message")
	}
	if err := json.Unmarshal(b, v); err != nil {
		return errors.New("a message that is not JSON of the agent's protocol")
	}
	return nil
}

// writeMessage writes v as one length-prefixed JSON message.
func writeMessage(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	defer clear(b)
	if len(b) > MaxMessage {
		return fmt.Errorf("a message of %d bytes, over the limit of %d", len(b), MaxMessage)
	}
	msg := binary.BigEndian.AppendUint32(make([]byte, 0, 4+len(b)), uint32(len(b)))
	msg = append(msg, b...)
	defer clear(msg)
	_, err = w.Write(msg)
	return err
}

// SocketPath returns the path of the socket of the vault directory dir,
// creating and checking the directory it is in.
func SocketPath(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	runDir, err := runtimeDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(runDir, socketName(filepath.Clean(abs))), nil
}

// runtimeDir returns the directory of the sockets, made 0700 if it does not
// exist, and refused if it is not a directory of this user's that no one
// else can enter.
func runtimeDir() (string, error) {
	uid := os.Getuid()
	var dir string
	if x := os.Getenv("XDG_RUNTIME_DIR"); x != "" && filepath.IsAbs(x) {
		dir = filepath.Join(x, "vmfa")
	} else {
		dir = filepath.Join(os.TempDir(), fmt.Sprintf("vmfa-%d", uid))
	}
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
		return "", fmt.Errorf("can't make the agent's directory: %w", err)
	}
	if err := checkRuntimeDir(dir, uid); err != nil {
		return "", err
	}
	return dir, nil
}

func checkRuntimeDir(dir string, uid int) error {
	fi, err := os.Lstat(dir)
	if err != nil {
		return err
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	switch {
	case !fi.IsDir():
		return fmt.Errorf("%s, the agent's directory, is not a directory: remove it", dir)
	case !ok || int(st.Uid) != uid:
		return fmt.Errorf("%s, the agent's directory, is not yours: remove it, or set XDG_RUNTIME_DIR", dir)
	case fi.Mode().Perm()&0o077 != 0:
		return fmt.Errorf("%s, the agent's directory, is open to others (%v): run 'chmod 700 %s'", dir, fi.Mode().Perm(), dir)
	}
	return nil
}
