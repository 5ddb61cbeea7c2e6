package vault

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/vmfa/vmfa/internal/shellquote"
)

// scryptMemory is what age's scrypt allocates at work factor wf: 128·r·N
// bytes, with r = 8 and N = 2^wf, so 2^wf KiB.
func scryptMemory(wf int) uint64 { return 1 << (wf + 10) }

// scryptHeadroom is what the process needs besides scrypt's buffer.
const scryptHeadroom = 64 << 20

// availableMemory returns how much memory the process can still get and
// what limits it ("the address-space limit (ulimit -v)"), or what = "" when
// it can't tell. Tests replace it.
var availableMemory = probeMemory

// checkMemory fails with ErrNotEnoughMemory, in one line, if scrypt at work
// factor wf won't fit in what the process can get: Go dies with "fatal
// error: out of memory" and a goroutine dump when an allocation fails, so
// vmfa must not try. doing says what needs it; fix, what the user can do.
func checkMemory(wf int, doing, fix string) error {
	need := scryptMemory(wf)
	avail, what := availableMemory()
	if what == "" || need+scryptHeadroom <= avail {
		return nil
	}
	return fmt.Errorf("%w: %s at scrypt work factor %d needs %s of memory, but %s leaves %s: %s",
		ErrNotEnoughMemory, doing, wf, byteSize(need), what, byteSize(avail), fix)
}

// checkIdentityWorkFactor looks at the work factor the header of an
// identity.age asks for before age computes it: one above MaxWorkFactor is
// refused, one the machine can't afford is explained; neither is damage.
func checkIdentityWorkFactor(path string, ct []byte) error {
	wf := scryptWorkFactor(ct)
	switch {
	case wf == 0:
		return nil // no scrypt stanza that parses: age says what is wrong
	case wf > MaxWorkFactor:
		return fmt.Errorf("%s asks for scrypt work factor %d (%s of memory), above the %d vmfa computes, which is more likely an attack than a choice: if you made it, re-encrypt it with 'age -d %s | age -p -o NEWFILE'",
			path, wf, byteSize(scryptMemory(wf)), MaxWorkFactor, shellquote.Word(path))
	}
	return checkMemory(wf, "unlocking "+path, "free some memory or raise the limit, or unlock it on a machine with more (nothing is wrong with the file)")
}

// scryptWorkFactor returns the work factor of the scrypt stanza in the
// header of an age file, or 0 if it has none that parses.
func scryptWorkFactor(ct []byte) int {
	header, _, _ := bytes.Cut(ct, []byte("\n---"))
	for line := range strings.SplitSeq(string(header), "\n") {
		f := strings.Split(line, " ")
		if len(f) != 4 || f[0] != "->" || f[1] != "scrypt" {
			continue
		}
		// age accepts only plain decimal, without leading zeros.
		if n, err := strconv.Atoi(f[3]); err == nil && n > 0 && strconv.Itoa(n) == f[3] {
			return n
		}
	}
	return 0
}

// byteSize prints n in MiB or GiB, whole when it is.
func byteSize(n uint64) string {
	switch {
	case n >= 1<<40 && n%(1<<40) == 0:
		return fmt.Sprintf("%d TiB", n>>40)
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	}
	return fmt.Sprintf("%d MiB", n>>20)
}
