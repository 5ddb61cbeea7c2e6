package vault

import (
	"errors"
	"testing"
	"time"
)

// TestStepsFromTheFuture: the clock was 5 minutes ahead while a script
// took fresh codes, then was set back. Those codes were of windows 10 away
// from the services' time, which refused them; the first claim after the
// clock went back forgets them, so that once the real time reaches their
// windows, --fresh neither waits for windows nor fails. They were honoured,
// and --fresh then failed (ErrNoFreshCode). Records of this clock's own
// windows ahead, a fresh claim's, are kept.
func TestStepsFromTheFuture(t *testing.T) {
	t0 := time.Unix(30*1000+5, 0) // step 1000 of a 30 s period
	ahead := t0.Add(5 * time.Minute)
	var s stepRecord
	for i := range maxFreshWindows {
		if n, err := s.claim("a", 30, ahead, true, 1); err != nil || n != 1010+int64(i) {
			t.Fatalf("fresh claim %d under the clock ahead: step %d, %v", i+1, n, err)
		}
	}
	// Set back: a claim now forgets what the clock ahead handed out.
	if n, err := s.claim("b", 30, t0, false, 1); err != nil || n != 1000 {
		t.Fatalf("a claim after the clock went back: %d, %v", n, err)
	}
	if n, err := s.claim("a", 30, ahead, true, 1); err != nil || n != 1010 {
		t.Fatalf("once the real time reaches those windows: step %d, %v; want 1010 at once", n, err)
	}

	// A record of steps beyond any claim's reach, as in a file from a
	// version without times (or edited), is forgotten as well.
	s = stepRecord{}
	for st := int64(1000); st < 1000+maxFreshWindows; st++ {
		s.Handouts = append(s.Handouts, handout{Account: "a", Period: 30, Step: st + 30})
	}
	s.claim("b", 30, t0, false, 1)
	if n, err := s.claim("a", 30, t0.Add(15*time.Minute), true, 1); err != nil || n != 1030 {
		t.Fatalf("15 minutes on: step %d, %v; want 1030 at once", n, err)
	}

	// This clock's own fresh claims, windows ahead, are honoured.
	s = stepRecord{}
	for range maxFreshWindows {
		s.claim("a", 30, t0, true, 1)
	}
	if _, err := s.claim("a", 30, t0.Add(time.Second), true, 1); !errors.Is(err, ErrNoFreshCode) {
		t.Fatalf("the %d windows this clock handed out are forgotten: %v", maxFreshWindows, err)
	}
}
