//go:build linux

package imagememory

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vmfa/vmfa/internal/testenv"
)

// vmfaBin is the front end TestMain builds, with vmfa-full beside it;
// fixtures is a directory for the images more than one test reads.
var vmfaBin, fixtures string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "vmfa-imagememory")
	if err != nil {
		panic(err)
	}
	fixtures = filepath.Join(dir, "fixtures")
	if err := os.Mkdir(fixtures, 0o700); err != nil {
		panic(err)
	}
	if vmfaBin, err = testenv.BuildVmfa(dir); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	openSources()
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// openSources opens every Go source of the module. go test caches a
// package's results by what its test binary links and the files its tests
// open; this test binary links none of the programs it measures, so a
// change to their sources must run these tests again.
func openSources() {
	root := filepath.Join("..", "..", "..")
	filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return nil
		case d.IsDir() && path != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata"):
			return filepath.SkipDir
		case !d.IsDir() && strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, "_test.go"):
			if f, err := os.Open(path); err == nil {
				f.Close()
			}
		}
		return nil
	})
}

const pw = "VMFA_PASSPHRASE=correct horse"

// rgba16Bomb is the 16-bit RGBA PNG of 9999×9999 that scan and paste both
// read: 800 MB of pixels, which take seconds to compress, so written once.
var rgba16Bomb = struct {
	sync.Mutex
	path string
}{}

func rgba16(t *testing.T) string {
	rgba16Bomb.Lock()
	defer rgba16Bomb.Unlock()
	if rgba16Bomb.path == "" {
		rgba16Bomb.path = testenv.PNGBomb(t, fixtures, "rgba16.png", 9999, 9999, 16, 6, false, false)
	}
	return rgba16Bomb.path
}

type result struct {
	stdout, stderr string
	code           int
}

func expect(t *testing.T, r result, code int, stdout, stderr string) {
	t.Helper()
	if r.code != code || !strings.Contains(r.stdout, stdout) || !strings.Contains(r.stderr, stderr) {
		t.Fatalf("exit %d, stdout %q, stderr %q; want exit %d, stdout ~%q, stderr ~%q", r.code, r.stdout, r.stderr, code, stdout, stderr)
	}
}

// The memory docs/import-export.md promises for images (Memory): no image
// under the pixel limit takes vmfa past 600 MiB, and none takes long.
const (
	maxImageRSS  = 600 << 20
	maxImageTime = 60 * time.Second
)

// TestScanImageBombs is the review's repro: vmfa scan of images that claim
// 100 megapixels and compress to a megabyte, each under the pixel limit.
// Before, a 16-bit RGBA PNG of 9999×9999 took 1.2 GB, a 16-bit TIFF of the
// same 3.1 GB, and a 1×100 000 000 16-bit PNG 2.9 GB.
func TestScanImageBombs(t *testing.T) {
	if testing.Short() {
		t.Skip("short mode: 100-megapixel images")
	}
	dir := t.TempDir()
	for _, c := range []struct{ path, want string }{
		{rgba16(t), "rgba16.png: no QR code found\n"},
		{testenv.TIFFBomb(t, dir, "rgba16.tif", 9999, 9999, 16, 4), "rgba16.tif: decoding this 9999×9999 TIFF would take 3147 MB of memory, over the 512 MB limit; save it as PNG\n"},
		{testenv.PNGBomb(t, dir, "tall16.png", 1, 100_000_000, 16, 6, false, false), "tall16.png: no QR code found\n"},
	} {
		r, rss, elapsed := vmfaMeasured(t, dir, nil, "scan", c.path)
		t.Logf("%s: peak RSS %d MiB, %v", filepath.Base(c.path), rss>>20, elapsed.Round(time.Millisecond))
		expect(t, r, 1, "", c.want)
		checkImageCost(t, filepath.Base(c.path), rss, elapsed)
	}
}

// TestPasteImageBomb puts the 16-bit 9999×9999 PNG on a real X11 clipboard
// for vmfa add --paste (1.2 GB before), and an image over the clipboard's
// 64 MB, which is refused as it comes.
func TestPasteImageBomb(t *testing.T) {
	if testing.Short() {
		t.Skip("short mode: 100-megapixel images")
	}
	display := testenv.Xvfb(t)
	dir := t.TempDir()
	paste := func(path, want string) {
		t.Helper()
		img, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer img.Close()
		testenv.PutClipboard(t, display, "image/png", img)
		r, rss, elapsed := vmfaMeasured(t, dir, []string{pw, "DISPLAY=" + display}, "add", "--paste")
		t.Logf("%s: peak RSS %d MiB (xclip's included), %v", filepath.Base(path), rss>>20, elapsed.Round(time.Millisecond))
		expect(t, r, 1, "", want)
		checkImageCost(t, filepath.Base(path), rss, elapsed)
	}
	paste(rgba16(t), "vmfa: clipboard image: no QR code found\n")

	// 65 MB that start as a PNG does: refused before they are all read.
	big := filepath.Join(dir, "big.png")
	if err := os.WriteFile(big, append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 65<<20)...), 0o600); err != nil {
		t.Fatal(err)
	}
	paste(big, "vmfa: the clipboard's image is over 64 MB\n")
}

// TestScreenBombMemory reads a 10000×10000 X screen (Xvfb) with vmfa scan
// --screen: 810 MB before (the screen's RGBA pixels held through the
// search).
func TestScreenBombMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("short mode: a 100-megapixel screen")
	}
	display := testenv.Xvfb(t, "10000x10000x24")
	dir := t.TempDir()
	r, rss, elapsed := vmfaMeasured(t, dir, []string{"DISPLAY=" + display}, "scan", "--screen")
	t.Logf("peak RSS %d MiB, %v", rss>>20, elapsed.Round(time.Millisecond))
	expect(t, r, 1, "", "no QR code on the screen")
	checkImageCost(t, "the screen", rss, elapsed)
}

// vmfaMeasured is vmfa, returning the process's peak RSS
// (testenv.RunMeasured) and its time too.
func vmfaMeasured(t *testing.T, dir string, env []string, args ...string) (r result, rss int64, elapsed time.Duration) {
	t.Helper()
	start := time.Now()
	out, rss := testenv.RunMeasured(t, testenv.Command(t, vmfaBin, dir, env, args...), "")
	elapsed = time.Since(start)
	r = result{out.Stdout, out.Stderr, out.Code}
	if strings.Contains(r.stderr, "panic") {
		t.Fatalf("vmfa %v: stderr:\n%s", args, r.stderr)
	}
	return r, rss, elapsed
}

func checkImageCost(t *testing.T, what string, rss int64, elapsed time.Duration) {
	t.Helper()
	if rss > maxImageRSS {
		t.Errorf("%s: peak RSS %d MiB, over %d MiB", what, rss>>20, maxImageRSS>>20)
	}
	if elapsed > maxImageTime {
		t.Errorf("%s: took %v, over %v", what, elapsed, maxImageTime)
	}
}
