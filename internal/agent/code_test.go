//go:build unix

package agent

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
	"github.com/vmfa/vmfa/internal/agent/wire"
	"github.com/vmfa/vmfa/internal/settings"
	"github.com/vmfa/vmfa/internal/testenv"
	"github.com/vmfa/vmfa/internal/timesync"
	"github.com/vmfa/vmfa/otp"
	"github.com/vmfa/vmfa/vault"
)

// codeVault makes a real vault in a temporary directory with the accounts
// of the code tests: a TOTP account of 30 s, an HOTP one, and two that one
// query matches.
func codeVault(t testing.TB) (*vault.Vault, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "vault")
	v, err := vault.Open(dir).Create("code test passphrase", 10)
	if err != nil {
		t.Fatal(err)
	}
	_, err = v.Update(func(d *vault.Data) error {
		for _, uri := range []string{
			"otpauth://totp/Amazon%20Web%20Services:alice?secret=" + awsSecret,
			"otpauth://hotp/Counter:bob?secret=KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU&counter=5",
			"otpauth://totp/GitLab:carol?secret=GEZDGNBVGY3TQOJQ",
			"otpauth://totp/GitHub:dave?secret=GEZDGNBVGY3TQOJQGEZDGNBV",
		} {
			a, err := otp.ParseURI(uri)
			if err != nil {
				return err
			}
			if _, err := d.Add(a, time.Now()); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return v, dir
}

const awsSecret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

// oathtoolAt is oathtool's TOTP code of awsSecret at t, and the next one.
func oathtoolAt(t *testing.T, at time.Time) (string, string) {
	t.Helper()
	return testenv.OathTOTP(t, awsSecret, at)
}

// codeClock is a timesync.Clock at *now, with settings of its own: with a
// correction, those hold it, measured 8 days before *now (stale, so that
// the clock's notes mention it, with the program's hint), and the system
// clock is *now less the correction.
func codeClock(t testing.TB, now *time.Time, correction time.Duration) *timesync.Clock {
	t.Helper()
	dir := t.TempDir()
	c := &timesync.Clock{Dir: dir, System: func() time.Time { return now.Add(-correction) },
		Explain: func(err error) string { return err.Error() + ": the program's hint" }}
	if correction != 0 {
		m := timesync.Measurement{Server: "test", Offset: correction, At: now.Add(-8*24*time.Hour - time.Hour)}
		if _, err := timesync.Apply(settings.Open(dir), m); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

// codeAgent serves the codes of the vault in dir, at *now as corrected
// (codeClock), on a real socket.
func codeAgent(t *testing.T, v *vault.Vault, dir string, now *time.Time, correction time.Duration) (*Client, func(wire.CodeRequest) wire.Response) {
	t.Helper()
	runtimeForTest(t)
	s, c := serve(t, dir)
	s.ServeCodes(dir, codeClock(t, now, correction))
	path, err := wire.SocketPath(dir)
	if err != nil {
		t.Fatal(err)
	}
	ask := func(req wire.CodeRequest) wire.Response {
		t.Helper()
		resp, err := wire.Do(path, wire.Request{Op: wire.OpCode, Code: &req})
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	return c, ask
}

func TestCodeFromAgent(t *testing.T) {
	v, dir := codeVault(t)
	now := time.Date(2026, 12, 1, 9, 0, 10, 0, time.UTC)
	c, ask := codeAgent(t, v, dir, &now, 5*time.Second)
	if r := ask(wire.CodeRequest{Query: "aws"}); r.Code != wire.CodeLocked || r.Codes != nil {
		t.Fatalf("a locked agent: %+v", r)
	}
	if _, err := c.Unlock(v.Identity(), time.Minute); err != nil {
		t.Fatal(err)
	}

	code, next := oathtoolAt(t, now)
	r := ask(wire.CodeRequest{Query: "aws"})
	want := wire.Codes{Issuer: "Amazon Web Services", Name: "alice", Code: code, Next: next, Remaining: 20, Period: 30,
		Notes: []string{"the clock correction +5s was measured 8 days ago: the program's hint"}}
	if r.Code != "" || r.Codes == nil || !equalCodes(*r.Codes, want) {
		t.Fatalf("code aws: %+v %+v, want %+v", r, r.Codes, want)
	}

	// The code was recorded as handed out: a fresh one is the next
	// window's, 20 s away; with the next one handed out too, the one
	// after is 50 s away, and the agent says to wait that long.
	r = ask(wire.CodeRequest{Query: "aws", Fresh: true, Next: true})
	want.Code, want.Next = oathtoolAt(t, now.Add(30*time.Second))
	want.Wait, want.Remaining = 20*time.Second, 30
	if r.Codes == nil || !equalCodes(*r.Codes, want) {
		t.Fatalf("a fresh code after one handed out: %+v, want %+v", r.Codes, want)
	}
	r = ask(wire.CodeRequest{Query: "aws", Fresh: true})
	want.Code, want.Next = oathtoolAt(t, now.Add(90*time.Second))
	want.Wait = 80 * time.Second
	if r.Codes == nil || !equalCodes(*r.Codes, want) {
		t.Fatalf("a fresh code with three windows handed out: %+v %+v, want %+v", r, r.Codes, want)
	}
	// One record, whatever hands out: the vault opened with its key sees
	// the agent's handouts.
	d, _ := v.Load()
	e, _ := d.Find("aws")
	if at, err := v.ClaimCode(e, now, true); err != nil || !at.Equal(now.Add(110*time.Second)) {
		t.Fatalf("the vault's own claim after the agent's: %v %v, want the fifth window", at, err)
	}

	// What the agent leaves to the full program: an HOTP account (its
	// counter, untouched, is saved there), no match, several.
	for _, q := range []string{"counter", "nothing", "git", "  "} {
		if r := ask(wire.CodeRequest{Query: q}); r.Code != wire.CodeElsewhere || r.Codes != nil {
			t.Errorf("code %q: %+v", q, r)
		}
	}
	d, _ = v.Load()
	if e, _ := d.Find("counter"); e.Counter != 5 {
		t.Errorf("the HOTP counter is %d after the agent declined it", e.Counter)
	}
	if err := c.Lock(); err != nil {
		t.Fatal(err)
	}
	if r := ask(wire.CodeRequest{Query: "aws"}); r.Code != wire.CodeLocked {
		t.Fatalf("after lock: %+v", r)
	}
}

func equalCodes(a, b wire.Codes) bool {
	return a.Issuer == b.Issuer && a.Name == b.Name && a.Code == b.Code && a.Next == b.Next &&
		a.Wait == b.Wait && a.Remaining == b.Remaining && a.Period == b.Period &&
		strings.Join(a.Notes, "\n") == strings.Join(b.Notes, "\n")
}

// TestCodeWaitsForTheVaultWithoutBlockingTheAgent: a code request waits for
// the vault's lock, held here by a writer that itself needs the agent (as
// a command writing through it does); the agent keeps answering meanwhile.
func TestCodeWaitsForTheVaultWithoutBlockingTheAgent(t *testing.T) {
	v, dir := codeVault(t)
	now := time.Now()
	c, ask := codeAgent(t, v, dir, &now, 0)
	if _, err := c.Unlock(v.Identity(), time.Minute); err != nil {
		t.Fatal(err)
	}
	through, err := vault.Open(dir).UnlockWith(c, v.Recipient())
	if err != nil {
		t.Fatal(err)
	}
	answered := make(chan wire.Response, 1)
	_, err = through.Update(func(d *vault.Data) error {
		go func() { answered <- ask(wire.CodeRequest{Query: "aws"}) }()
		time.Sleep(300 * time.Millisecond) // the code request waits for the lock
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		done := make(chan error, 1)
		go func() { _, err := c.Status(); done <- err }()
		select {
		case err := <-done:
			return err
		case <-ctx.Done():
			return errors.New("the agent stopped answering while a code request waited for the vault")
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if r := <-answered; r.Codes == nil {
		t.Fatalf("the code request, once the vault was free: %+v", r)
	}
}

// TestCodeWithoutVault: an agent that serves no vault's codes (another
// program's, say) says so, and a code request without its fields is bad.
func TestCodeWithoutVault(t *testing.T) {
	runtimeForTest(t)
	dir := t.TempDir()
	_, c := serve(t, dir)
	id, _ := age.GenerateX25519Identity()
	if _, err := c.Unlock(id, time.Minute); err != nil {
		t.Fatal(err)
	}
	path, _ := wire.SocketPath(dir)
	for _, req := range []wire.Request{{Op: wire.OpCode, Code: &wire.CodeRequest{Query: "aws"}}, {Op: wire.OpCode}} {
		if r, err := wire.Do(path, req); err != nil || r.Code != wire.CodeElsewhere {
			t.Errorf("%+v: %+v %v", req, r, err)
		}
	}
}

// BenchmarkCode is one code request through the socket: what 'vmfa code'
// waits for after its start-up.
func BenchmarkCode(b *testing.B) {
	v, dir := codeVault(b)
	benchClient(b, dir, func(c *Client) error {
		if _, err := c.Unlock(v.Identity(), time.Minute); err != nil {
			return err
		}
		b.ResetTimer()
		for b.Loop() {
			r, err := wire.Do(c.path, wire.Request{Op: wire.OpCode, Code: &wire.CodeRequest{Query: "aws"}})
			if err != nil || r.Codes == nil {
				b.Fatalf("%+v %v", r, err)
			}
		}
		return errDone
	})
}

// TestCodeSeesVaultChanges: the agent keeps the vault it decrypted for the
// next request, but never past a change another process saved.
func TestCodeSeesVaultChanges(t *testing.T) {
	v, dir := codeVault(t)
	now := time.Now()
	c, ask := codeAgent(t, v, dir, &now, 0)
	if _, err := c.Unlock(v.Identity(), time.Minute); err != nil {
		t.Fatal(err)
	}
	for i, name := range []string{"alice", "alice2", "alice3"} {
		if i > 0 {
			_, err := v.Update(func(d *vault.Data) error {
				e, err := d.Find("aws")
				if err != nil {
					return err
				}
				_, err = d.Rename(e.ID, e.Issuer, name)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		if r := ask(wire.CodeRequest{Query: "aws"}); r.Codes == nil || r.Codes.Name != name {
			t.Fatalf("after renaming to %s: %+v", name, r.Codes)
		}
	}
	_, err := v.Update(func(d *vault.Data) error {
		e, _ := d.Find("aws")
		d.Remove(e.ID)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if r := ask(wire.CodeRequest{Query: "aws"}); r.Code != wire.CodeElsewhere {
		t.Fatalf("after removing the account: %+v", r)
	}
}

// TestCodeForgetsTheVaultLockedMeanwhile: a code request that decrypts
// the vault while the agent locks does not keep it: a locked agent holds
// no secret, the decrypted vault included.
func TestCodeForgetsTheVaultLockedMeanwhile(t *testing.T) {
	v, dir := codeVault(t)
	s := NewServer(SystemClock(), os.Getuid())
	now := time.Now()
	s.ServeCodes(dir, codeClock(t, &now, 0))
	key := []byte(v.Identity().String())
	for i := range 1000 {
		if r := s.handle(wire.Request{Op: wire.OpUnlock, Identity: key}); r.Code != "" {
			t.Fatal(r.Error)
		}
		done := make(chan struct{})
		go func() {
			defer close(done)
			s.code(&wire.CodeRequest{Query: "aws"})
		}()
		// Lock at some point of the request: before, during or after
		// its decryption.
		time.Sleep(time.Duration(i%20) * 20 * time.Microsecond)
		s.handle(wire.Request{Op: wire.OpLock})
		<-done
		s.loadMu.Lock()
		kept := s.loaded != nil
		s.loadMu.Unlock()
		if kept {
			t.Fatalf("try %d: the agent is locked and still holds the decrypted vault", i)
		}
	}
}

// TestCodeReArmsTheIdleTimer: a code request is a use, as an unwrap is:
// the agent that hands out codes every few minutes stays unlocked.
func TestCodeReArmsTheIdleTimer(t *testing.T) {
	v, dir := codeVault(t)
	s, clk, _ := newTestServer(t)
	s.ServeCodes(dir, codeClock(t, &clk.wall, 0))
	if r := s.handle(unlockReq(v.Identity(), 10*time.Minute)); r.Code != "" {
		t.Fatal(r.Error)
	}
	for range 3 {
		clk.pass(9 * time.Minute)
		if r := s.code(&wire.CodeRequest{Query: "aws"}); r.Codes == nil {
			t.Fatalf("after 9 minutes: %+v", r)
		}
	}
	clk.pass(11 * time.Minute)
	if st := mustStatus(t, s); !st.Locked {
		t.Fatalf("11 minutes after the last code: %+v", st)
	}
}

// TestCodesOfHOTP: an HOTP handout, one code, is printed with the counter
// it was taken at, and no next code, period or time left.
func TestCodesOfHOTP(t *testing.T) {
	e := vault.Entry{Account: otp.Account{Issuer: "Bank", Name: "bob", Type: otp.HOTP, Counter: 7}}
	c := CodesOf(vault.Handout{Entry: e, Codes: []string{"123456"}})
	if c.Code != "123456" || c.Next != "" || c.Counter == nil || *c.Counter != 7 || c.Period != 0 || c.Remaining != 0 {
		t.Fatalf("CodesOf an HOTP handout: %+v", c)
	}
}
