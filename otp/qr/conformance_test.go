package qr

import (
	"bufio"
	"fmt"
	"image"
	"image/draw"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/vmfa/vmfa/internal/testenv"
)

// sharedCorpus returns the shared test corpus directory, ../shared/corpus
// next to the repository root, found by walking up from the package
// directory. Tests that need it skip when it is absent (and fail in CI): it is not part of
// the repository (its licences differ), and the package's own testdata
// covers the common cases without it.
func sharedCorpus(t testing.TB) string {
	t.Helper()
	return testenv.SharedCorpus(t, ".")
}

// thresholds parses the per-set, per-rotation minimum pass counts (the
// try-harder column, which is the one that applies: Decode always tries
// hard) from the table in zxing-qr/THRESHOLDS.md, rows like
//
//	| qrcode-1  | 20 | 17/17 | 14/14 | 17/17 | 14/14 |
func thresholds(t *testing.T, file string) map[string][4]int {
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	row := regexp.MustCompile(`^\|\s*(qrcode-\d+)\s*\|\s*\d+\s*\|` + strings.Repeat(`\s*\d+/(\d+)\s*\|`, 4))
	m := make(map[string][4]int)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		s := row.FindStringSubmatch(sc.Text())
		if s == nil {
			continue
		}
		var th [4]int
		for i := range th {
			th[i], _ = strconv.Atoi(s[2+i])
		}
		m[s[1]] = th
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(m) != 6 {
		t.Fatalf("%s: found thresholds for %d sets, want 6", file, len(m))
	}
	return m
}

// rotate returns img turned clockwise by quarter*90 degrees, as an RGBA image.
func rotate(img image.Image, quarter int) *image.RGBA {
	b := img.Bounds()
	src := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(src, src.Rect, img, b.Min, draw.Src)
	if quarter%4 == 0 {
		return src
	}
	w, h := b.Dx(), b.Dy()
	var dst *image.RGBA
	if quarter%2 == 1 {
		dst = image.NewRGBA(image.Rect(0, 0, h, w))
	} else {
		dst = image.NewRGBA(image.Rect(0, 0, w, h))
	}
	for y := range h {
		for x := range w {
			var dx, dy int
			switch quarter % 4 {
			case 1:
				dx, dy = h-1-y, x
			case 2:
				dx, dy = w-1-x, h-1-y
			case 3:
				dx, dy = y, w-1-x
			}
			copy(dst.Pix[dst.PixOffset(dx, dy):][:4], src.Pix[src.PixOffset(x, y):][:4])
		}
	}
	return dst
}

func decodeFile(t testing.TB, name string) image.Image {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return img
}

// TestZXingBlackBox runs the ZXing QR black-box sets qrcode-1 to qrcode-6 at
// 0, 90, 180 and 270 degrees. Every set and rotation must decode at least
// as many images as ZXing's own try-harder thresholds, with no misread: a
// text other than the expected one is a failure even if the expected text
// is there too.
func TestZXingBlackBox(t *testing.T) {
	corpus := filepath.Join(sharedCorpus(t), "zxing-qr")
	want := thresholds(t, filepath.Join(corpus, "THRESHOLDS.md"))
	sets := make([]string, 0, len(want))
	for s := range want {
		sets = append(sets, s)
	}
	slices.Sort(sets)
	var (
		mu      sync.Mutex
		summary = make(map[string]string)
	)
	t.Run("sets", func(t *testing.T) {
		for _, set := range sets {
			t.Run(set, func(t *testing.T) {
				t.Parallel()
				pass, misreads := blackBoxSet(t, filepath.Join(corpus, set))
				var line []string
				for rot := range 4 {
					line = append(line, fmt.Sprintf("%3d°: %2d (min %2d)", rot*90, pass[rot], want[set][rot]))
					if pass[rot] < want[set][rot] {
						t.Errorf("rotation %d°: %d images decoded, want at least %d", rot*90, pass[rot], want[set][rot])
					}
				}
				for _, m := range misreads {
					t.Errorf("misread: %s", m)
				}
				mu.Lock()
				summary[set] = strings.Join(line, "  ")
				mu.Unlock()
			})
		}
	})
	for _, set := range sets {
		t.Logf("%s  %s", set, summary[set])
	}
}

func blackBoxSet(t *testing.T, dir string) (pass [4]int, misreads []string) {
	images, err := filepath.Glob(filepath.Join(dir, "*.png"))
	if err != nil || len(images) == 0 {
		t.Fatalf("no images in %s", dir)
	}
	for _, name := range images {
		want, err := os.ReadFile(strings.TrimSuffix(name, ".png") + ".txt")
		if err != nil {
			t.Fatal(err)
		}
		img := decodeFile(t, name)
		for rot := range 4 {
			texts, _ := DecodeImage(rotate(img, rot))
			ok := false
			for _, got := range texts {
				if got == string(want) {
					ok = true
				} else {
					misreads = append(misreads, fmt.Sprintf("%s at %d°: got %q, want %q", filepath.Base(name), rot*90, got, want))
				}
			}
			if ok {
				pass[rot]++
			} else {
				t.Logf("%s/%s at %d°: not decoded", filepath.Base(dir), filepath.Base(name), rot*90)
			}
		}
	}
	return pass, misreads
}
