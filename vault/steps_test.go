package vault

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/vmfa/vmfa/otp"
)

func TestStepsClaim(t *testing.T) {
	var s stepRecord
	t0 := time.Unix(30*1000+5, 0) // step 1000 of a 30 s period
	step := func(now time.Time, fresh bool) int64 {
		t.Helper()
		n, err := s.claim("a", 30, now, fresh, 1)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := step(t0, true); n != 1000 {
		t.Fatalf("first fresh claim: step %d", n)
	}
	if n := step(t0.Add(time.Second), false); n != 1000 {
		t.Fatalf("a plain claim is the current step: %d", n)
	}
	if n := step(t0.Add(2*time.Second), true); n != 1001 {
		t.Fatalf("fresh after a handout: step %d, want the next", n)
	}
	// However many windows were handed out, a fresh claim waits for the
	// first that was not, up to maxFreshWindows.
	for i := int64(2); i < maxFreshWindows; i++ {
		if n := step(t0.Add(3*time.Second), true); n != 1000+i {
			t.Fatalf("fresh claim %d in one window: step %d, want %d", i+1, n, 1000+i)
		}
	}
	if _, err := s.claim("a", 30, t0.Add(3*time.Second), true, 1); !errors.Is(err, ErrNoFreshCode) {
		t.Fatalf("a fresh claim with %d windows handed out: %v", maxFreshWindows, err)
	}
	// Other accounts, and other periods, are their own.
	if n, _ := s.claim("b", 30, t0, true, 1); n != 1000 {
		t.Fatalf("another account: %d", n)
	}
	if n, _ := s.claim("a", 60, t0, true, 1); n != 500 {
		t.Fatalf("another period: %d", n)
	}
	// Old handouts are forgotten; the record holds IDs and steps only.
	s.claim("c", 30, t0.Add(time.Hour), false, 1)
	if len(s.Handouts) != 1 || s.Handouts[0].Account != "c" {
		t.Fatalf("after an hour: %+v", s.Handouts)
	}
	for i := range maxHandouts + 10 {
		s.claim(string(rune('A'+i%50))+strings.Repeat("x", i/50), 30, t0.Add(time.Hour), false, 1)
	}
	if len(s.Handouts) != maxHandouts {
		t.Fatalf("%d handouts kept", len(s.Handouts))
	}
	if _, err := s.claim("a", 0, t0, false, 1); err == nil {
		t.Fatal("period 0 accepted")
	}
}

// TestStepsClaimTwo: a code and the next one (--next, --json) are claimed
// in one claim, so no fresh claim can come between them and get the next
// one; a fresh claim after them passes over both.
func TestStepsClaimTwo(t *testing.T) {
	var s stepRecord
	t0 := time.Unix(30*1000+5, 0)
	if n, err := s.claim("a", 30, t0, false, 2); n != 1000 || err != nil {
		t.Fatalf("claiming two: step %d, %v", n, err)
	}
	if !s.used("a", 30, 1000) || !s.used("a", 30, 1001) || s.used("a", 30, 1002) {
		t.Fatalf("claiming two from step 1000 recorded %+v", s.Handouts)
	}
	if n, _ := s.claim("a", 30, t0, true, 1); n != 1002 {
		t.Fatalf("fresh after two: step %d, want 1002", n)
	}
}

// TestStepsForgotten: a handout is remembered until keepHandouts after its
// window ended, to the second (a clock set back within that time still
// passes over it), then forgotten.
func TestStepsForgotten(t *testing.T) {
	end := time.Unix(1001*30, 0) // step 1000's window ends
	for _, c := range []struct {
		after time.Duration
		kept  bool
	}{
		{keepHandouts - 30*time.Second, true},
		{keepHandouts, true},
		{keepHandouts + time.Second, false},
	} {
		var s stepRecord
		s.claim("a", 30, time.Unix(1000*30, 0), false, 1)
		s.claim("b", 30, end.Add(c.after), false, 1)
		if s.used("a", 30, 1000) != c.kept {
			t.Errorf("%v after its window ended: kept %v, want %v", c.after, !c.kept, c.kept)
		}
	}
}

// TestClaimCodeBadPeriod: an entry with a TOTP period of 0 (a damaged
// vault) gets an error, not a division by zero, also when the record of
// handouts can't be read.
func TestClaimCodeBadPeriod(t *testing.T) {
	s, v := newTestVault(t)
	e := addAccounts(t, v, 0, 1).Accounts[0]
	e.Period = 0
	if err := os.Mkdir(s.path(stepsFile), 0o700); err != nil {
		t.Fatal(err)
	}
	if _, err := v.ClaimCode(e, time.Unix(1_800_000_000, 0), false); err == nil {
		t.Fatal("a period of 0 was claimed")
	}
}

func TestClaimCodeFile(t *testing.T) {
	s, v := newTestVault(t)
	d := addAccounts(t, v, 0, 1)
	e := d.Accounts[0]
	now := time.Unix(1_800_000_000, 0) // step 60000000 at 30 s
	at, err := v.ClaimCode(e, now, true)
	if err != nil || !at.Equal(now) {
		t.Fatalf("first: %v %v", at, err)
	}
	// A second Vault, as another process would have: the record is on disk.
	v2, err := s.Unlock(testPassphrase)
	if err != nil {
		t.Fatal(err)
	}
	at, err = v2.ClaimCode(e, now.Add(time.Second), true)
	if want := time.Unix(60_000_001*30, 0); err != nil || !at.Equal(want) {
		t.Fatalf("fresh after a handout: %v %v, want %v", at, err, want)
	}
	fi, err := os.Stat(s.path(stepsFile))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("steps.json: %v %v", fi, err)
	}
	b := mustRead(t, s.path(stepsFile))
	if strings.Contains(string(b), e.Secret) {
		t.Fatal("steps.json holds the secret")
	}
	var steps stepRecord
	if err := json.Unmarshal(b, &steps); err != nil || len(steps.Handouts) != 2 {
		t.Fatalf("steps.json: %s", b)
	}
	// A damaged record is started afresh, not an error.
	os.WriteFile(s.path(stepsFile), []byte("{garbage"), 0o600)
	if _, err := v.ClaimCode(e, now, false); err != nil {
		t.Fatal(err)
	}
	// HOTP codes are never reused anyway: nothing recorded.
	h := e
	h.Type = otp.HOTP
	if at, err := v.ClaimCode(h, now, true); err != nil || !at.Equal(now) {
		t.Fatalf("HOTP: %v %v", at, err)
	}
}

// TestClaimCodeConcurrent: processes' fresh claims in one window never get
// the same step (the vault's lock serializes them), and none is refused.
func TestClaimCodeConcurrent(t *testing.T) {
	s, v := newTestVault(t)
	e := addAccounts(t, v, 0, 1).Accounts[0]
	now := time.Unix(1_800_000_000, 0)
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		steps = map[int64]int{}
		fails int
	)
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v, _ := s.Unlock(testPassphrase)
			at, err := v.ClaimCode(e, now, true)
			mu.Lock()
			defer mu.Unlock()
			if errors.Is(err, ErrNoFreshCode) {
				fails++
				return
			}
			steps[at.Unix()]++
		}()
	}
	wg.Wait()
	if len(steps) != 3 || fails != 0 {
		t.Fatalf("three fresh claims: %v, %d refused", steps, fails)
	}
}

// TestUnlockWith opens a vault with an identity this process does not hold
// as an X25519 key (here a wrapper, as the agent's client is), and writes
// through it with the usual lock, saves and generations.
func TestUnlockWith(t *testing.T) {
	s, v := newTestVault(t)
	addAccounts(t, v, 0, 2)
	remote, err := s.UnlockWith(opaque{v.Identity()}, v.Recipient())
	if err != nil {
		t.Fatal(err)
	}
	if remote.Identity() != nil {
		t.Fatal("a vault opened elsewhere hands out a key")
	}
	addAccounts(t, remote, 2, 1)
	if d := mustLoad(t, v); len(d.Accounts) != 3 {
		t.Fatalf("%d accounts", len(d.Accounts))
	}
	if h, err := remote.History(); err != nil || len(h) < 3 {
		t.Fatalf("history: %d %v", len(h), err)
	}
	if err := remote.ChangePassphrase("new", testWorkFactor); !errors.Is(err, ErrKeyElsewhere) {
		t.Fatalf("ChangePassphrase through an agent: %v", err)
	}
	if _, err := s.UnlockWith(opaque{v.Identity()}, "age1bogus"); err == nil {
		t.Fatal("a bogus recipient accepted")
	}
	if _, err := Open(t.TempDir()).UnlockWith(opaque{v.Identity()}, v.Recipient()); !errors.Is(err, ErrNoVault) {
		t.Fatalf("no vault: %v", err)
	}
	// A key that is not the vault's (an agent's of a vault created again
	// since): the vault says so, not that vault.age is damaged, and
	// nothing is written.
	if err := remote.CheckKey(); err != nil {
		t.Fatalf("CheckKey of the vault's own key: %v", err)
	}
	other, _ := age.GenerateX25519Identity()
	wrong, _ := s.UnlockWith(opaque{other}, other.Recipient().String())
	if err := wrong.CheckKey(); !errors.Is(err, ErrOtherKey) {
		t.Fatalf("CheckKey of another key: %v", err)
	}
	if _, err := wrong.Load(); !errors.Is(err, ErrOtherKey) || errors.Is(err, ErrDamaged) {
		t.Fatalf("Load with another key: %v", err)
	}
	if _, err := wrong.Update(func(*Data) error { return nil }); !errors.Is(err, ErrOtherKey) {
		t.Fatalf("update with another key: %v", err)
	}
	if d := mustLoad(t, v); len(d.Accounts) != 3 {
		t.Fatalf("%d accounts after a refused update", len(d.Accounts))
	}
}

// TestKeyUnavailable: an agent that locked or went away between two
// requests is said as such, not taken for a damaged vault.age.
func TestKeyUnavailable(t *testing.T) {
	s, v := newTestVault(t)
	addAccounts(t, v, 0, 1)
	gone, err := s.UnlockWith(failing{}, v.Recipient())
	if err != nil {
		t.Fatal(err)
	}
	if err := gone.CheckKey(); !errors.Is(err, ErrKeyUnavailable) {
		t.Fatalf("CheckKey: %v", err)
	}
	if _, err := gone.Load(); !errors.Is(err, ErrKeyUnavailable) || errors.Is(err, ErrDamaged) {
		t.Fatalf("Load: %v", err)
	}
	if _, err := gone.Update(func(*Data) error { return nil }); !errors.Is(err, ErrKeyUnavailable) || errors.Is(err, ErrDamaged) {
		t.Fatalf("Update: %v", err)
	}
	if _, err := gone.History(); errors.Is(err, ErrDamaged) {
		t.Fatalf("History: %v", err)
	}
}

type failing struct{}

func (failing) Unwrap([]*age.Stanza) ([]byte, error) {
	return nil, fmt.Errorf("%w: the agent is locked", ErrKeyUnavailable)
}

// opaque hides an identity's type, as an agent's client does.
type opaque struct{ id age.Identity }

func (o opaque) Unwrap(s []*age.Stanza) ([]byte, error) { return o.id.Unwrap(s) }

// AuthTag authenticates with the identity, as the agent does for its
// client.
func (o opaque) AuthTag(fileKey []byte) ([]byte, error) {
	return AuthTag(o.id.(*age.X25519Identity), fileKey), nil
}
