package vault

import (
	"errors"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/vmfa/vmfa/otp"
)

// TestCopiesRecord: a copy is recorded until forgotten, the newest
// maxCopies at most, and the file holds neither the code nor the secret:
// the code is computed again from the record with the vault open.
func TestCopiesRecord(t *testing.T) {
	s, v := newTestVault(t)
	hotp := testAccount("Bank", "alice", 1)
	hotp.Type, hotp.Counter = otp.HOTP, 7
	var totp, counter Entry
	d, err := v.Update(func(d *Data) (err error) {
		if totp, err = d.Add(testAccount("GitHub", "alice", 2), time.Now()); err != nil {
			return err
		}
		counter, err = d.Add(hotp, time.Now())
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Unix(1_800_000_000, 0)
	c1 := CopyOf(totp, at)
	c1.Route, c1.At, c1.PID = "native", at, 4242
	c2 := CopyOf(counter, at)
	c2.Route, c2.At, c2.PID = "tmux", at.Add(time.Second), 4243
	for _, c := range []Copy{c1, c2} {
		if err := s.RecordCopy(c); err != nil {
			t.Fatal(err)
		}
	}
	copies, err := s.Copies()
	if err != nil || len(copies) != 2 || !copies[0].same(c1) || !copies[1].same(c2) {
		t.Fatalf("Copies = %+v, %v", copies, err)
	}
	want1, _ := totp.Code(at)
	want2, _ := counter.Code(time.Time{})
	b, _ := os.ReadFile(s.path(copiesFile))
	for i, want := range []string{want1, want2} {
		if got, err := d.CopiedCode(copies[i]); err != nil || got != want {
			t.Errorf("CopiedCode(%+v) = %q, %v; want %q", copies[i], got, err, want)
		}
		if strings.Contains(string(b), want) {
			t.Errorf("%s holds the code %s: %s", copiesFile, want, b)
		}
	}
	for _, secret := range []string{totp.Secret, counter.Secret} {
		if strings.Contains(string(b), secret) {
			t.Fatalf("%s holds a secret: %s", copiesFile, b)
		}
	}
	if info, err := os.Stat(s.path(copiesFile)); err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("%s: %v %v", copiesFile, info.Mode(), err)
	}

	// Another record, differing in any one field, is not forgotten.
	for _, other := range []Copy{
		{Account: "x", Step: c1.Step, Route: c1.Route, At: c1.At, PID: c1.PID},
		{Account: c1.Account, Step: c1.Step + 1, Route: c1.Route, At: c1.At, PID: c1.PID},
		{Account: c1.Account, Step: c1.Step, Route: "tmux", At: c1.At, PID: c1.PID},
		{Account: c1.Account, Step: c1.Step, Route: c1.Route, At: c1.At.Add(time.Nanosecond), PID: c1.PID},
		{Account: c1.Account, Step: c1.Step, Route: c1.Route, At: c1.At, PID: c1.PID + 1},
	} {
		if err := s.ForgetCopy(other); err != nil {
			t.Fatal(err)
		}
	}
	if copies, _ := s.Copies(); len(copies) != 2 {
		t.Fatalf("forgetting other records left %+v", copies)
	}
	if err := s.ForgetCopy(c1); err != nil {
		t.Fatal(err)
	}
	if copies, _ := s.Copies(); len(copies) != 1 || !copies[0].same(c2) {
		t.Fatalf("after ForgetCopy: %+v", copies)
	}
	if _, err := (&Data{}).CopiedCode(c2); !errors.Is(err, ErrNotFound) {
		t.Fatalf("the code of a removed account: %v", err)
	}
	last := c1
	last.Step = math.MaxInt64 / uint64(totp.Period) // the last window time.Unix holds the start of
	if want, _ := totp.Code(time.Unix(int64(last.Step)*int64(totp.Period), 0)); want == "" {
		t.Fatal("no code at the last step")
	} else if got, err := d.CopiedCode(last); got != want {
		t.Fatalf("the last step: %q, %v; want %q", got, err, want)
	}
	beyond := last
	beyond.Step++
	if code, err := d.CopiedCode(beyond); err == nil {
		t.Fatalf("a step beyond time itself has the code %q", code)
	}
	// An entry with no period (not one a vault loads) has no code, and
	// no division by zero.
	broken := &Data{Accounts: []Entry{totp}}
	broken.Accounts[0].Period = 0
	if code, err := broken.CopiedCode(c1); err == nil {
		t.Fatalf("a TOTP entry with a period of 0 has the code %q", code)
	}
	for i := range maxCopies + 5 {
		c := c1
		c.PID = i
		if err := s.RecordCopy(c); err != nil {
			t.Fatal(err)
		}
	}
	if copies, _ := s.Copies(); len(copies) != maxCopies || copies[maxCopies-1].PID != maxCopies+4 {
		t.Fatalf("%d copies kept, the last of pid %d", len(copies), copies[len(copies)-1].PID)
	}

	// A damaged record is no record: it never stands in the way.
	if err := os.WriteFile(s.path(copiesFile), []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	if copies, err := s.Copies(); err != nil || len(copies) != 0 {
		t.Fatalf("a damaged record: %+v, %v", copies, err)
	}
	if err := s.RecordCopy(c1); err != nil {
		t.Fatal(err)
	}
}

// TestCopiesNoRecordNoFile: forgetting with nothing recorded writes nothing.
func TestCopiesNoRecordNoFile(t *testing.T) {
	s, _ := newTestVault(t)
	if err := s.ForgetCopy(Copy{Account: "a", PID: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(s.path(copiesFile)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("%s written: %v", copiesFile, err)
	}
}
