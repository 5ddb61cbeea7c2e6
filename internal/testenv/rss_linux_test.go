package testenv

import (
	"os/exec"
	"testing"
)

// TestRunMeasured: a small program started after the test process held
// 200 MB is measured small; one that takes 150 MB, large.
func TestRunMeasured(t *testing.T) {
	held := make([]byte, 200<<20)
	for i := range held {
		held[i] = 1
	}
	held = nil
	if r, rss := RunMeasured(t, exec.Command("true"), ""); r.Code != 0 || rss > 50<<20 {
		t.Errorf("true: exit %d, peak RSS %d MB, want a few MB: charged the test's own peak", r.Code, rss>>20)
	}
	r, rss := RunMeasured(t, exec.Command("dd", "if=/dev/zero", "of=/dev/null", "bs=150M", "count=1"), "")
	if r.Code != 0 || rss < 150<<20 || rss > 200<<20 {
		t.Errorf("dd bs=150M: exit %d, peak RSS %d MB, want 150 MB or a little more (%s)", r.Code, rss>>20, r.Stderr)
	}
}
