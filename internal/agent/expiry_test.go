//go:build unix

package agent

import (
	"bytes"
	"os"
	"testing"
	"time"

	"filippo.io/age"
	"github.com/vmfa/vmfa/internal/agent/wire"
)

// fakeClock is a clock whose wall and monotonic readings the test moves,
// together (time passing) or apart (a suspend, a clock set ahead).
type fakeClock struct {
	wall time.Time
	mono time.Duration
}

func (c *fakeClock) Wall() time.Time     { return c.wall }
func (c *fakeClock) Mono() time.Duration { return c.mono }

// pass advances both clocks, as time does on a running machine.
func (c *fakeClock) pass(d time.Duration) { c.wall = c.wall.Add(d); c.mono += d }

// sleep advances the wall clock only, as a suspended machine's: Go's
// monotonic clock (CLOCK_MONOTONIC) stops meanwhile.
func (c *fakeClock) sleep(d time.Duration) { c.wall = c.wall.Add(d) }

// setClock moves the wall clock by d, back if d < 0, as a user or NTP
// setting the time does; the monotonic clock does not move.
func (c *fakeClock) setClock(d time.Duration) { c.wall = c.wall.Add(d) }

// tick is what the agent's ticker does every second.
func tick(s *Server) {
	s.mu.Lock()
	s.expire()
	s.mu.Unlock()
}

func newTestServer(t *testing.T) (*Server, *fakeClock, *age.X25519Identity) {
	t.Helper()
	clk := &fakeClock{wall: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC), mono: time.Hour}
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	return NewServer(clk, os.Getuid()), clk, id
}

func unlockReq(id *age.X25519Identity, timeout time.Duration) wire.Request {
	return wire.Request{Op: wire.OpUnlock, Identity: []byte(id.String()), Timeout: timeout}
}

func mustStatus(t *testing.T, s *Server) Status {
	t.Helper()
	r := s.handle(wire.Request{Op: wire.OpStatus})
	if r.Status == nil {
		t.Fatalf("status: %+v", r)
	}
	return *r.Status
}

// wrapStanzas encrypts to id and returns the recipient stanzas of the
// header, what vault.Load would send.
func wrapStanzas(t *testing.T, id *age.X25519Identity) []wire.Stanza {
	t.Helper()
	stanzas, err := id.Recipient().Wrap(bytes.Repeat([]byte{7}, 16))
	if err != nil {
		t.Fatal(err)
	}
	out := make([]wire.Stanza, len(stanzas))
	for i, s := range stanzas {
		out[i] = wire.Stanza{Type: s.Type, Args: s.Args, Body: s.Body}
	}
	return out
}

func TestIdleTimeoutReArmedByUse(t *testing.T) {
	s, clk, id := newTestServer(t)
	if r := s.handle(unlockReq(id, 15*time.Minute)); r.Error != "" {
		t.Fatal(r.Error)
	}
	st := mustStatus(t, s)
	if st.Locked || st.ExpiresIn != 15*time.Minute || st.Recipient != id.Recipient().String() {
		t.Fatalf("after unlock: %+v", st)
	}
	clk.pass(10 * time.Minute)
	if r := s.handle(wire.Request{Op: wire.OpUnwrap, Stanzas: wrapStanzas(t, id)}); !bytes.Equal(r.FileKey, bytes.Repeat([]byte{7}, 16)) {
		t.Fatalf("unwrap: %+v", r)
	}
	clk.pass(10 * time.Minute) // 20 minutes since unlock, 10 since use
	if st := mustStatus(t, s); st.Locked || st.ExpiresIn != 5*time.Minute {
		t.Fatalf("a use did not re-arm the timer: %+v", st)
	}
	clk.pass(5 * time.Minute)
	if st := mustStatus(t, s); !st.Locked || st.Recipient != "" {
		t.Fatalf("15 minutes idle and still unlocked: %+v", st)
	}
	if r := s.handle(wire.Request{Op: wire.OpUnwrap, Stanzas: wrapStanzas(t, id)}); r.Code != wire.CodeLocked || r.FileKey != nil {
		t.Fatalf("unwrap on a locked agent: %+v", r)
	}
}

func TestStatusDoesNotReArm(t *testing.T) {
	s, clk, id := newTestServer(t)
	s.handle(unlockReq(id, time.Minute))
	for range 6 {
		clk.pass(10 * time.Second)
		mustStatus(t, s)
	}
	if st := mustStatus(t, s); !st.Locked {
		t.Fatalf("polling the status kept the agent unlocked: %+v", st)
	}
}

func TestClockJumpLocks(t *testing.T) {
	s, clk, id := newTestServer(t)
	var reasons []string
	s.OnLock(func(r string) { reasons = append(reasons, r) })
	s.handle(unlockReq(id, 15*time.Minute))
	clk.pass(time.Minute)
	clk.sleep(10 * time.Minute) // within the timeout: stays
	if st := mustStatus(t, s); st.Locked {
		t.Fatalf("a jump shorter than the timeout locked: %+v", st)
	}
	clk.sleep(6 * time.Minute) // 16 minutes of wall clock the monotonic one did not see
	s.mu.Lock()
	s.expire() // what the ticker does
	s.mu.Unlock()
	if st := mustStatus(t, s); !st.Locked {
		t.Fatalf("a suspend of 16 minutes did not lock: %+v", st)
	}
	if len(reasons) != 1 {
		t.Fatalf("lock reasons: %q", reasons)
	}
}

func TestTimeoutZeroUntilLock(t *testing.T) {
	s, clk, id := newTestServer(t)
	s.handle(unlockReq(id, 0))
	clk.pass(48 * time.Hour)
	clk.sleep(24 * time.Hour)
	st := mustStatus(t, s)
	if st.Locked || st.ExpiresIn != -1 {
		t.Fatalf("--timeout 0: %+v", st)
	}
	s.handle(wire.Request{Op: wire.OpLock})
	if st := mustStatus(t, s); !st.Locked {
		t.Fatalf("lock: %+v", st)
	}
}

func TestSecretCache(t *testing.T) {
	s, clk, id := newTestServer(t)
	if r := s.handle(wire.Request{Op: wire.OpPut, Name: "aws/dev", Value: []byte("session")}); r.Code != wire.CodeLocked {
		t.Fatalf("put on a locked agent: %+v", r)
	}
	s.handle(unlockReq(id, time.Hour))
	for _, r := range []wire.Request{
		{Op: wire.OpPut, Name: "aws/dev", Value: []byte("session"), TTL: 10 * time.Minute},
		{Op: wire.OpPut, Name: "forever", Value: []byte("x")},
	} {
		if resp := s.handle(r); resp.Error != "" {
			t.Fatal(resp.Error)
		}
	}
	if r := s.handle(wire.Request{Op: wire.OpGet, Name: "aws/dev"}); !r.Found || string(r.Value) != "session" {
		t.Fatalf("get: %+v", r)
	}
	if r := s.handle(wire.Request{Op: wire.OpGet, Name: "nothing"}); r.Found || r.Error != "" {
		t.Fatalf("get of a missing name: %+v", r)
	}
	clk.pass(10*time.Minute - time.Nanosecond)
	if r := s.handle(wire.Request{Op: wire.OpGet, Name: "aws/dev"}); !r.Found {
		t.Fatalf("secret gone before its TTL: %+v", r)
	}
	clk.pass(time.Nanosecond) // its TTL, to the nanosecond
	if r := s.handle(wire.Request{Op: wire.OpGet, Name: "aws/dev"}); r.Found {
		t.Fatalf("expired secret still there: %+v", r)
	}
	if r := s.handle(wire.Request{Op: wire.OpGet, Name: "forever"}); !r.Found {
		t.Fatalf("ttl 0 secret gone before lock: %+v", r)
	}
	s.handle(wire.Request{Op: wire.OpLock})
	s.handle(unlockReq(id, time.Hour))
	if r := s.handle(wire.Request{Op: wire.OpGet, Name: "forever"}); r.Found {
		t.Fatalf("lock did not forget the secrets: %+v", r)
	}
	// Bounds.
	if r := s.handle(wire.Request{Op: wire.OpPut, Name: "big", Value: make([]byte, MaxSecret+1)}); r.Code != wire.CodeBadInput {
		t.Fatalf("oversized secret: %+v", r)
	}
	for i := range MaxSecrets {
		if r := s.handle(wire.Request{Op: wire.OpPut, Name: string(rune('a'+i%26)) + string(rune('A'+i/26)), Value: []byte("v")}); r.Error != "" {
			t.Fatal(r.Error)
		}
	}
	if r := s.handle(wire.Request{Op: wire.OpPut, Name: "one-too-many", Value: []byte("v")}); r.Code != wire.CodeBadInput {
		t.Fatalf("secret %d: %+v", MaxSecrets+1, r)
	}
}

func TestBadRequests(t *testing.T) {
	s, _, id := newTestServer(t)
	for _, r := range []wire.Request{
		{Op: wire.OpUnlock, Identity: []byte("AGE-SECRET-KEY-1NOTAKEY")},
		{Op: wire.OpUnlock, Identity: []byte(id.String()), Timeout: -time.Second},
		{Op: "format-disk"},
	} {
		resp := s.handle(r)
		if resp.Code != wire.CodeBadInput && !(r.Op == "format-disk" && resp.Code == wire.CodeLocked) {
			t.Errorf("%s: %+v", r.Op, resp)
		}
		if bytes.Contains([]byte(resp.Error), []byte("NOTAKEY")) {
			t.Errorf("the error quotes the key: %s", resp.Error)
		}
	}
	s.handle(unlockReq(id, time.Hour))
	other, _ := age.GenerateX25519Identity()
	if r := s.handle(wire.Request{Op: wire.OpUnwrap, Stanzas: wrapStanzas(t, other)}); r.Code != wire.CodeNoMatch {
		t.Fatalf("unwrap of another key's stanza: %+v", r)
	}
	if r := s.handle(wire.Request{Op: "format-disk"}); r.Code != wire.CodeBadInput {
		t.Fatalf("unknown op: %+v", r)
	}
}

// TestUnlockAgainClearsSecrets: unlocking an unlocked agent forgets its
// secrets as Lock does, wiping their bytes rather than leaving them to the
// garbage collector.
func TestUnlockAgainClearsSecrets(t *testing.T) {
	s, _, id := newTestServer(t)
	s.handle(unlockReq(id, time.Hour))
	if r := s.handle(wire.Request{Op: wire.OpPut, Name: "aws/dev", Value: []byte("session")}); r.Error != "" {
		t.Fatal(r.Error)
	}
	held := s.secrets["aws/dev"].value
	s.handle(unlockReq(id, time.Hour))
	if r := s.handle(wire.Request{Op: wire.OpGet, Name: "aws/dev"}); r.Found {
		t.Fatalf("a secret outlived a new unlock: %+v", r)
	}
	if string(held) != "\x00\x00\x00\x00\x00\x00\x00" {
		t.Fatalf("the forgotten secret's bytes are still %q", held)
	}
}

// TestSuspendCountsAsIdle: idle time is measured on the wall clock too, so
// a suspend counts: 14 minutes of the machine in use (not the agent), then
// a suspend of 14, is 28 minutes without a request, and a 15-minute agent
// is locked on the first tick after resume. The timeout runs from the last
// use, whichever clock saw it pass.
func TestSuspendCountsAsIdle(t *testing.T) {
	s, clk, id := newTestServer(t)
	var reason string
	s.OnLock(func(r string) { reason = r })
	s.handle(unlockReq(id, 15*time.Minute))
	clk.pass(14 * time.Minute)
	clk.sleep(14 * time.Minute)
	tick(s)
	if st := mustStatus(t, s); !st.Locked || reason != "idle for 15m0s by the wall clock, 14m0s of it suspended" {
		t.Fatalf("28 minutes without a request, 14 of them suspended: %+v, %q", st, reason)
	}

	s.handle(unlockReq(id, 15*time.Minute))
	clk.pass(time.Minute)
	clk.sleep(13 * time.Minute)
	tick(s)
	if st := mustStatus(t, s); st.Locked || st.ExpiresIn != time.Minute {
		t.Fatalf("14 minutes without a request, 13 suspended: %+v, want a minute to go", st)
	}
	clk.pass(time.Minute)
	tick(s)
	if st := mustStatus(t, s); !st.Locked {
		t.Fatalf("15 minutes without a request, 13 suspended: %+v", st)
	}
}

// TestClockSetBackLocks: a wall clock set back locks the agent, alone or
// followed by a suspend that the comparison of the clocks alone would not
// see (the clock back an hour, then 40 minutes asleep: the wall clock shows
// 20 minutes less than passed). A step back within what NTP does does not.
func TestClockSetBackLocks(t *testing.T) {
	s, clk, id := newTestServer(t)
	var reasons []string
	s.OnLock(func(r string) { reasons = append(reasons, r) })

	s.handle(unlockReq(id, 15*time.Minute))
	clk.pass(time.Minute)
	clk.setClock(-time.Second)
	tick(s)
	if st := mustStatus(t, s); st.Locked {
		t.Fatalf("a step back of a second locked: %+v", st)
	}

	clk.setClock(-time.Hour)
	clk.sleep(40 * time.Minute)
	tick(s)
	if st := mustStatus(t, s); !st.Locked {
		t.Fatalf("the clock set back an hour, then a suspend of 40 minutes: %+v", st)
	}

	s.handle(unlockReq(id, 15*time.Minute))
	clk.pass(time.Minute)
	clk.setClock(-10 * time.Minute)
	tick(s)
	if st := mustStatus(t, s); !st.Locked {
		t.Fatalf("the clock set back 10 minutes: %+v", st)
	}
	// A minute of use, and the wall clock a second, then an hour back and
	// 40 minutes ahead: 20m1s behind the monotonic clock.
	if len(reasons) != 2 || reasons[0] != "the wall clock went back 20m1s" {
		t.Fatalf("lock reasons: %q", reasons)
	}
}

// TestUseReArmsBothClocks: a request re-arms the timer on both clocks, so
// an agent used after a short suspend has its whole timeout again.
func TestUseReArmsBothClocks(t *testing.T) {
	s, clk, id := newTestServer(t)
	s.handle(unlockReq(id, 15*time.Minute))
	clk.pass(5 * time.Minute)
	clk.sleep(5 * time.Minute)
	if r := s.handle(wire.Request{Op: wire.OpGet, Name: "x"}); r.Error != "" {
		t.Fatal(r.Error)
	}
	if st := mustStatus(t, s); st.Locked || st.ExpiresIn != 15*time.Minute {
		t.Fatalf("just used: %+v", st)
	}
	clk.pass(10 * time.Minute)
	clk.sleep(4 * time.Minute)
	tick(s)
	if st := mustStatus(t, s); st.Locked || st.ExpiresIn != time.Minute {
		t.Fatalf("14 minutes since the use, 4 suspended: %+v", st)
	}
	clk.pass(time.Minute)
	if st := mustStatus(t, s); !st.Locked {
		t.Fatalf("15 minutes since the use, 4 suspended: %+v", st)
	}
}
