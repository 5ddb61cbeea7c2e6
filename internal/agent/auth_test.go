//go:build unix

package agent

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/vmfa/vmfa/internal/agent/wire"
	"github.com/vmfa/vmfa/otp"
	"github.com/vmfa/vmfa/vault"
)

// TestAuthenticatesThroughTheAgent: a vault opened through the agent, which
// never gives out its key, writes vault.age authenticated (the key in hand
// reads and merges it) and refuses a forged one; a locked agent
// authenticates nothing.
func TestAuthenticatesThroughTheAgent(t *testing.T) {
	runtimeForTest(t)
	v, dir := codeVault(t)
	_, c := serve(t, dir)
	if _, err := c.Unlock(v.Identity(), time.Minute); err != nil {
		t.Fatal(err)
	}
	through, err := vault.Open(dir).UnlockWith(c, v.Recipient())
	if err != nil {
		t.Fatal(err)
	}
	a, _ := otp.ParseURI("otpauth://totp/Through:agent?secret=JBSWY3DPEHPK3PXPJBSWY3DP")
	if _, err := through.Update(func(d *vault.Data) error { _, err := d.Add(a, time.Now()); return err }); err != nil {
		t.Fatalf("Update through the agent: %v", err)
	}
	ct, err := os.ReadFile(filepath.Join(dir, "vault.age"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(ct, []byte("\n-> vmfa-auth\n")) {
		t.Fatal("vault.age saved through the agent carries no authentication")
	}
	for name, tag := range map[string][]byte{"the agent's": mustTag(t, c), "the key's": vault.AuthTag(v.Identity(), bytes.Repeat([]byte{1}, 16))} {
		if len(tag) != 32 {
			t.Errorf("%s tag is %d bytes", name, len(tag))
		}
	}
	if !bytes.Equal(mustTag(t, c), vault.AuthTag(v.Identity(), bytes.Repeat([]byte{1}, 16))) {
		t.Error("the agent's tag is not the key's")
	}
	// The key in hand merges what the agent wrote: nothing new.
	if r, err := v.MergeFile(ct); err != nil || r.In != 0 {
		t.Fatalf("MergeFile with the key in hand: %+v, %v", r, err)
	}

	// A copy forged with the public key alone is refused through the agent.
	var forged bytes.Buffer
	w, _ := age.Encrypt(&forged, v.Identity().Recipient())
	w.Write([]byte(`{"version":1,"accounts":[]}`))
	w.Close()
	if _, err := through.MergeFile(forged.Bytes()); !errors.Is(err, vault.ErrUnauthenticated) {
		t.Fatalf("a forged copy through the agent: %v", err)
	}

	if _, err := c.AuthTag([]byte("short")); err == nil {
		t.Error("the agent authenticated a file key of 5 bytes")
	}

	if err := c.Lock(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AuthTag(bytes.Repeat([]byte{1}, 16)); !errors.Is(err, vault.ErrKeyUnavailable) || !errors.Is(err, ErrLocked) {
		t.Errorf("AuthTag of a locked agent: %v", err)
	}
}

func mustTag(t *testing.T, c *Client) []byte {
	t.Helper()
	tag, err := c.AuthTag(bytes.Repeat([]byte{1}, 16))
	if err != nil {
		t.Fatal(err)
	}
	return tag
}

// TestNoCodeBesideAConflictCopy: while a file-sync tool's conflict copy
// lies beside vault.age, the agent leaves the code to the full program,
// which merges it first (package unlock); once it is gone, it answers.
func TestNoCodeBesideAConflictCopy(t *testing.T) {
	v, dir := codeVault(t)
	now := time.Now()
	c, ask := codeAgent(t, v, dir, &now, 0)
	if _, err := c.Unlock(v.Identity(), time.Minute); err != nil {
		t.Fatal(err)
	}
	copyPath := filepath.Join(dir, "vault.sync-conflict-20261206-101010-ABCDEFG.age")
	ct, err := os.ReadFile(filepath.Join(dir, "vault.age"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(copyPath, ct, 0o600); err != nil {
		t.Fatal(err)
	}
	if r := ask(wire.CodeRequest{Query: "aws"}); r.Code != wire.CodeElsewhere || r.Codes != nil {
		t.Fatalf("beside a conflict copy: %+v", r)
	}
	folded, err := v.FoldConflictCopies()
	if err != nil || len(folded) != 1 || folded[0].Err != nil {
		t.Fatalf("fold: %+v, %v", folded, err)
	}
	if r := ask(wire.CodeRequest{Query: "aws"}); r.Codes == nil {
		t.Fatalf("after the fold: %+v", r)
	}
}
