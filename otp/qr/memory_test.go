//go:build linux

package qr

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vmfa/vmfa/internal/testenv"
)

// The memory vmfa promises (docs/import-export.md, "Memory"): no image under
// MaxPixels takes a process past 600 MiB, and none takes long.
const (
	maxPeakRSS     = 600 << 20
	maxDecodeTime  = 30 * time.Second
	decodeChildEnv = "VMFA_QR_DECODE_FILE"
)

// TestBombsMemory decodes images of up to 100 megapixels that compress to
// a megabyte or less, each in a process of its own, and checks its peak RSS
// and time. Before, a 16-bit RGBA PNG of 9999×9999 took 1.2 GB (image/png's
// 8 bytes a pixel), the same as a TIFF 3.1 GB, a 1×100 000 000 PNG 2.8 GB
// (gozxing's bit matrices take 4 bytes a row), a progressive JPEG 1.6 GB.
// Now each is decoded to a byte a pixel, or refused from its header when its
// decoder would take too much.
func TestBombsMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("slow: 100-megapixel images")
	}
	dir := t.TempDir()
	const noCode, tooLarge = "no QR code found", "MB limit; save it as PNG"
	rgba16 := testenv.PNGBomb(t, dir, "rgba16.png", 9999, 9999, 16, 6, false, false)
	for _, c := range []struct {
		path, want string
	}{
		{rgba16, noCode},
		{testenv.PNGBomb(t, dir, "tall16.png", 1, 100_000_000, 16, 6, false, false), noCode},
		{testenv.PNGBomb(t, dir, "wide16.png", 100_000_000, 1, 16, 6, false, false), noCode},
		{testenv.PNGBomb(t, dir, "narrow8.png", 21, 4_761_904, 8, 0, false, false), noCode},
		{testenv.PNGBomb(t, dir, "grey-alpha16.png", 10000, 10000, 16, 4, false, false), noCode},
		{testenv.PNGBomb(t, dir, "interlaced8.png", 10000, 10000, 8, 6, true, false), noCode},
		{testenv.PNGBomb(t, dir, "transparent8.png", 10000, 10000, 8, 2, false, true), noCode},
		{testenv.TIFFBomb(t, dir, "rgba16.tif", 9999, 9999, 16, 4), tooLarge},
		{testenv.TIFFBomb(t, dir, "rgb8.tif", 10000, 10000, 8, 3), tooLarge},
		{testenv.ProgressiveJPEGBomb(t, dir, "progressive.jpg", 10000, 10000), tooLarge},
	} {
		checkInChild(t, dir, []string{c.path}, []string{c.want})
	}
	// The largest PNG file of 100 megapixels, 300 MB of noise, after a
	// bomb in the same process (as vmfa scan of several files does): what
	// the first left is not added to the second's peak.
	checkInChild(t, dir, []string{rgba16, testenv.PNGNoise(t, dir, "noise.png", 10000, 10000)}, []string{noCode, noCode})
}

// checkInChild decodes the files at paths in a process of its own and
// checks that it says want of each, within maxPeakRSS and maxDecodeTime.
func checkInChild(t *testing.T, dir string, paths, want []string) {
	t.Helper()
	out, rss, elapsed := decodeInChild(t, paths...)
	name := strings.ReplaceAll(strings.Join(paths, ", "), dir+string(os.PathSeparator), "")
	t.Logf("%s: %q, peak RSS %d MiB, %v", name, out, rss>>20, elapsed.Round(time.Millisecond))
	for i, w := range want {
		if i >= len(out) || !strings.Contains(out[i], w) {
			t.Errorf("%s: %q, want %q", name, out, want)
			break
		}
	}
	if rss > maxPeakRSS {
		t.Errorf("%s: peak RSS %d MiB, over %d MiB", name, rss>>20, maxPeakRSS>>20)
	}
	if elapsed > time.Duration(len(paths))*maxDecodeTime {
		t.Errorf("%s: took %v, over %v a file", name, elapsed, maxDecodeTime)
	}
}

// decodeInChild runs Decode on the files at paths in a process of its own
// (this test binary, as TestDecodeChild) and returns what it printed of
// each, its peak RSS in bytes and its time.
func decodeInChild(t *testing.T, paths ...string) (out []string, rss int64, elapsed time.Duration) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestDecodeChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), decodeChildEnv+"="+strings.Join(paths, string(os.PathListSeparator)))
	start := time.Now()
	b, err := cmd.CombinedOutput()
	elapsed = time.Since(start)
	if err != nil {
		t.Fatalf("%s: %v\n%s", paths, err, b)
	}
	lines := strings.Split(string(b), "\n")
	// The child's own peak, from its /proc/self/status: the rusage of a
	// child counts the peak of this process before the child's exec too
	// (Linux keeps the high-water mark across exec), and this process may
	// have grown past 600 MiB with the package's other tests.
	for _, line := range lines {
		if kb, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			n, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(kb), "kB")), 10, 64)
			if err != nil {
				t.Fatalf("the child's %q: %v", line, err)
			}
			rss = n << 10
		}
	}
	if rss == 0 {
		t.Fatalf("%s: the child did not say its peak RSS:\n%s", paths, b)
	}
	return lines[:min(len(paths), len(lines))], rss, elapsed
}

// TestDecodeChild is TestBombsMemory's child: it decodes the files named in
// its environment, one after the other, and prints a line of texts or error
// for each. In a test run of its own it does nothing.
func TestDecodeChild(t *testing.T) {
	paths := os.Getenv(decodeChildEnv)
	if paths == "" {
		return
	}
	for _, path := range strings.Split(paths, string(os.PathListSeparator)) {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		texts, err := Decode(f)
		f.Close()
		fmt.Printf("%q %v\n", texts, err)
	}
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(status), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			fmt.Println(line)
		}
	}
}
