//go:build unix

package agent

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"filippo.io/age"

	"github.com/vmfa/vmfa/internal/agent/wire"
	"github.com/vmfa/vmfa/internal/safefile"
	"github.com/vmfa/vmfa/internal/timesync"
	"github.com/vmfa/vmfa/otp"
	"github.com/vmfa/vmfa/vault"
)

// Clock is the agent's time: Wall, the wall clock, which counts a suspend
// but can be set, and Mono, a monotonic clock, which can't be set but may
// stop while the machine sleeps. Tests inject their own.
type Clock interface {
	Wall() time.Time
	Mono() time.Duration
}

type systemClock struct{ mono func() time.Duration }

func (c systemClock) Wall() time.Time     { return time.Now().Round(0) } // Round(0): the wall reading only
func (c systemClock) Mono() time.Duration { return c.mono() }

// SystemClock is the clock of the machine. Its Mono counts a suspend where
// the system has such a clock (Linux's CLOCK_BOOTTIME), so that there idle
// time is exact whatever is done to the wall clock; elsewhere it is Go's
// monotonic clock, which on macOS and the BSDs stops during a suspend, and
// the wall clock's reading of idle time (Server.expire) counts the suspend.
func SystemClock() Clock {
	if mono := suspendCountingClock(); mono != nil {
		return systemClock{mono: mono}
	}
	start := time.Now()
	return systemClock{mono: func() time.Duration { return time.Since(start) }}
}

// clockSlack is how far the wall clock may fall behind the monotonic one
// without locking the agent: NTP slews a clock by at most 0.05 %, under half
// a second in 15 minutes, and steps it only when it is far off.
const clockSlack = 2 * time.Second

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

	// The vault whose codes OpCode hands out, and the clock they are
	// handed out at; set by ServeCodes.
	vaultDir  string
	codeClock *timesync.Clock

	// loaded is vault.age as last decrypted for a code request, reused
	// while the file is unchanged: decrypting it again costs most of a
	// request. Forgotten on lock. Taken after mu, never held during I/O.
	loadMu sync.Mutex
	loaded *vault.Data
	stamp  vault.Stamp
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

// ServeCodes makes the agent answer code requests for the vault in dir, at
// clock as corrected in the settings directory of the request
// (wire.CodeRequest.Settings, "" for the clock's own), read for each
// request: the client's environment says where the correction is, which
// 'vmfa time --apply' may change while the agent runs. What the CLI would
// say of that clock (a stale correction, one that can't be read) goes with
// the code.
func (s *Server) ServeCodes(dir string, clock *timesync.Clock) {
	s.vaultDir, s.codeClock = dir, clock
}

// Listen takes the socket of the vault directory dir for this agent: it
// makes the socket's directory, takes the agent lock (ErrRunning if another
// agent holds it), and replaces a socket a killed agent left. Closing the
// listener removes the socket; release gives up the lock.
func Listen(dir string) (l *net.UnixListener, release func(), err error) {
	path, err := wire.SocketPath(dir)
	if err != nil {
		return nil, nil, err
	}
	lk, err := safefile.NewLock(path + ".lock")
	if err != nil {
		return nil, nil, fmt.Errorf("can't lock %s: %w", path+".lock", err)
	}
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
// when and why it locks. Its codes are handed out at clock (ServeCodes).
func Run(dir string, logf func(string), clock *timesync.Clock) error {
	l, release, err := Listen(dir)
	if err != nil {
		return err
	}
	defer release()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	s := NewServer(SystemClock(), os.Getuid())
	s.OnLock(func(reason string) { logf("locked: " + reason) })
	s.ServeCodes(dir, clock)
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
		wire.WriteMessage(conn, wire.Response{Error: "this agent serves only its own user", Code: wire.CodeForbidden})
		return
	}
	var req wire.Request
	if err := wire.ReadMessage(conn, &req); err != nil {
		wire.WriteMessage(conn, wire.Response{Error: err.Error(), Code: wire.CodeBadInput})
		return
	}
	var resp wire.Response
	if req.Op == wire.OpCode {
		resp = s.code(req.Code)
	} else {
		resp = s.handle(req)
	}
	clear(req.Identity)
	clear(req.Value)
	clear(req.FileKey)
	wire.WriteMessage(conn, resp)
	clear(resp.FileKey)
}

// handle answers one request. It is Serve's without the socket.
func (s *Server) handle(req wire.Request) wire.Response {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.expire()
	switch req.Op {
	case wire.OpStatus:
		st := s.status()
		return wire.Response{Status: &st}
	case wire.OpLock:
		s.lock("")
		st := s.status()
		return wire.Response{Status: &st}
	case wire.OpUnlock:
		id, err := age.ParseX25519Identity(string(req.Identity))
		if err != nil {
			// age's error may quote the key.
			return wire.Response{Error: "that is not an age X25519 identity", Code: wire.CodeBadInput}
		}
		if req.Timeout < 0 {
			return wire.Response{Error: "a negative timeout", Code: wire.CodeBadInput}
		}
		s.lock("")
		s.key, s.timeout = id, req.Timeout
		s.touch()
		st := s.status()
		return wire.Response{Status: &st}
	}
	if s.key == nil {
		return wire.Response{Error: ErrLocked.Error(), Code: wire.CodeLocked}
	}
	s.touch()
	switch req.Op {
	case wire.OpUnwrap:
		stanzas := make([]*age.Stanza, len(req.Stanzas))
		for i, st := range req.Stanzas {
			stanzas[i] = &age.Stanza{Type: st.Type, Args: st.Args, Body: st.Body}
		}
		key, err := s.key.Unwrap(stanzas)
		if errors.Is(err, age.ErrIncorrectIdentity) {
			return wire.Response{Error: err.Error(), Code: wire.CodeNoMatch}
		}
		if err != nil {
			// age's words for a malformed stanza quote no key: the
			// client gives them as its own identity would.
			return wire.Response{Error: err.Error(), Code: wire.CodeBadStanza}
		}
		return wire.Response{FileKey: key}
	case wire.OpAuthTag:
		if len(req.FileKey) != 16 {
			return wire.Response{Error: "a file key is 16 bytes", Code: wire.CodeBadInput}
		}
		return wire.Response{Tag: vault.AuthTag(s.key, req.FileKey)}
	case wire.OpPut:
		switch {
		case req.Name == "" || len(req.Name) > 256:
			return wire.Response{Error: "a secret's name is 1 to 256 bytes", Code: wire.CodeBadInput}
		case len(req.Value) > MaxSecret:
			return wire.Response{Error: fmt.Sprintf("a secret is at most %d bytes", MaxSecret), Code: wire.CodeBadInput}
		case req.TTL < 0:
			return wire.Response{Error: "a negative ttl", Code: wire.CodeBadInput}
		}
		if _, ok := s.secrets[req.Name]; !ok && len(s.secrets) >= MaxSecrets {
			return wire.Response{Error: fmt.Sprintf("the agent holds %d secrets already", MaxSecrets), Code: wire.CodeBadInput}
		}
		if s.secrets == nil {
			s.secrets = map[string]secret{}
		}
		var expires time.Duration
		if req.TTL > 0 {
			expires = s.clock.Mono() + req.TTL
		}
		s.secrets[req.Name] = secret{value: append([]byte(nil), req.Value...), expires: expires}
		return wire.Response{}
	case wire.OpDelete:
		if sec, ok := s.secrets[req.Name]; ok {
			clear(sec.value)
			delete(s.secrets, req.Name)
		}
		return wire.Response{}
	case wire.OpGet:
		sec, ok := s.secrets[req.Name]
		if !ok {
			return wire.Response{}
		}
		return wire.Response{Found: true, Value: append([]byte(nil), sec.value...)}
	}
	return wire.Response{Error: fmt.Sprintf("unknown request %q", otp.Shorten(req.Op, 32)), Code: wire.CodeBadInput}
}

// code answers a code request. It reads and writes the vault directory
// without holding mu: a client that holds the vault's lock may be waiting
// for an unwrap.
func (s *Server) code(req *wire.CodeRequest) wire.Response {
	if req == nil || s.vaultDir == "" {
		return wire.Response{Error: "this agent hands out no codes", Code: wire.CodeElsewhere}
	}
	s.mu.Lock()
	s.expire()
	key := s.key
	if key != nil {
		s.touch()
	}
	s.mu.Unlock()
	if key == nil {
		return wire.Response{Error: ErrLocked.Error(), Code: wire.CodeLocked}
	}
	// Whatever goes wrong, the full program does it again and says why
	// in its words: no match, several, an HOTP counter to save, a damaged
	// vault.
	elsewhere := wire.Response{Error: "the full program answers this", Code: wire.CodeElsewhere}
	store := vault.Open(s.vaultDir)
	if store.HasConflictCopies() {
		return elsewhere // the full program merges them first (package unlock)
	}
	v, err := store.UnlockWith(key, key.Recipient().String())
	if err != nil {
		return elsewhere
	}
	d, err := s.load(v, key)
	if err != nil {
		return elsewhere
	}
	e, err := d.Find(req.Query)
	if err != nil || e.Type == otp.HOTP {
		return elsewhere
	}
	clock := s.codeClock.Read(req.Settings)
	now := clock.Now()
	h, err := v.HandOut(e, now, vault.HandOutOptions{Fresh: req.Fresh, Next: req.Next})
	if err != nil {
		return elsewhere
	}
	c := CodesOf(h)
	c.Wait, c.Notes = h.At.Sub(now), append(clock.Warnings, c.Notes...)
	return wire.Response{Codes: &c}
}

// load returns the contents of v, opened with key, decrypted again only if
// vault.age changed since the last call. What it decrypts is kept only if
// key is still the agent's: a lock (or another key) meanwhile has forgotten
// the vault, and a locked agent holds no secret.
func (s *Server) load(v *vault.Vault, key *age.X25519Identity) (*vault.Data, error) {
	stamp, err := v.Stamp() // before Load: a save in between is seen next time
	if err != nil {
		return nil, err
	}
	s.loadMu.Lock()
	d := s.loaded
	if d != nil && !stamp.Equal(s.stamp) {
		d = nil
	}
	s.loadMu.Unlock()
	if d != nil {
		return d, nil
	}
	if d, err = v.Load(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	if s.key == key {
		s.loadMu.Lock()
		s.loaded, s.stamp = d, stamp
		s.loadMu.Unlock()
	}
	s.mu.Unlock()
	return d, nil
}

// touch re-arms the idle timer.
func (s *Server) touch() {
	s.lastMono, s.lastWall = s.clock.Mono(), s.clock.Wall()
}

// expire locks the agent if it has been idle for its timeout by either
// clock, or if the wall clock went back. Neither clock alone is enough: the
// monotonic one may stop while the machine sleeps (CLOCK_MONOTONIC, which Go
// reads), and the wall one can be set. A wall clock set back hides a suspend
// from the comparison of the two, so it locks at once. It forgets expired
// secrets. The caller holds mu.
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
	idleMono, idleWall := s.idle()
	switch {
	case idleMono >= s.timeout:
		s.lock("idle for " + s.timeout.String())
	case idleWall >= s.timeout:
		s.lock("idle for " + s.timeout.String() + " by the wall clock, " + (idleWall - idleMono).Round(time.Second).String() + " of it suspended")
	case idleWall < idleMono-clockSlack:
		s.lock("the wall clock went back " + (idleMono - idleWall).Round(time.Second).String())
	}
}

// idle returns the time since the last use on each clock. The caller
// holds mu.
func (s *Server) idle() (mono, wall time.Duration) {
	return s.clock.Mono() - s.lastMono, s.clock.Wall().Sub(s.lastWall)
}

// lock forgets the key and the secrets.
func (s *Server) lock(reason string) {
	wasUnlocked := s.key != nil
	s.key = nil
	for _, sec := range s.secrets {
		clear(sec.value)
	}
	s.secrets = nil
	s.loadMu.Lock()
	s.loaded = nil
	s.loadMu.Unlock()
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
		idleMono, idleWall := s.idle()
		st.ExpiresIn = s.timeout - max(idleMono, idleWall)
	}
	if s.key != nil {
		st.Recipient = s.key.Recipient().String()
	}
	return st
}
