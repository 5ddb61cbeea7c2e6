package qr

import (
	"context"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/vmfa/vmfa/internal/testenv"
)

// zbarimg decodes the QR codes in an image file with zbarimg (ZBar), a
// decoder independent of gozxing, and returns their texts, none if it finds
// none.
func zbarimg(t *testing.T, path string) []string {
	t.Helper()
	return zbarimgFiles(t, path)[0]
}

// zbarimgFiles is zbarimg for several files in one process (the start of a
// zbarimg process, ImageMagick's, takes longer than most small images).
func zbarimgFiles(t *testing.T, paths ...string) [][]string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	// --xml keeps texts apart whatever they hold; zbarimg writes them as
	// base64 when they are not text.
	args := append([]string{"--quiet", "--xml", "-Sdisable", "-Sqrcode.enable"}, paths...)
	cmd := exec.CommandContext(ctx, testenv.Tool(t, "zbarimg"), args...)
	out, err := cmd.Output()
	var exit *exec.ExitError
	if errors.As(err, &exit) && exit.ExitCode() == 4 { // no symbol found
		err = nil
	}
	if err != nil {
		t.Fatalf("zbarimg %s: %v", paths, err)
	}
	var doc struct {
		Sources []struct {
			Href    string `xml:"href,attr"`
			Symbols []struct {
				Data struct {
					Format string `xml:"format,attr"`
					Text   string `xml:",chardata"`
				} `xml:"data"`
			} `xml:"index>symbol"`
		} `xml:"source"`
	}
	if len(out) > 0 {
		if err := xml.Unmarshal(out, &doc); err != nil {
			t.Fatalf("zbarimg %s: %v in %q", paths, err, out)
		}
	}
	if len(doc.Sources) != len(paths) && len(out) > 0 {
		t.Fatalf("zbarimg reported %d files of %d", len(doc.Sources), len(paths))
	}
	texts := make([][]string, len(paths))
	for i, src := range doc.Sources {
		if src.Href != paths[i] {
			t.Fatalf("zbarimg reported %s for %s", src.Href, paths[i])
		}
		for _, s := range src.Symbols {
			text := s.Data.Text
			if s.Data.Format == "base64" {
				b, err := base64.StdEncoding.DecodeString(text)
				if err != nil {
					t.Fatalf("zbarimg %s: %v", paths[i], err)
				}
				text = string(b)
			}
			texts[i] = append(texts[i], text)
		}
	}
	return texts
}

// TestSameAsZbarimg decodes committed fixtures with both decoders: wherever
// zbarimg reads QR codes, Decode must read the same texts. zbarimg's misses
// are only counted (vmfa is meant to read more than it does).
func TestSameAsZbarimg(t *testing.T) {
	testenv.Tool(t, "zbarimg")
	// A handful that zbarimg scans in well under a second each: the 5K and
	// Retina fixtures take it seconds.
	files := []string{"screenshot-1x.png", "dark-mode.png", "mirrored.png", "rotated-90.png",
		"two-codes.png", "url.png", "photo-of-monitor.jpg", "no-qr.png"}
	var (
		mu                 sync.Mutex
		zbarRead, vmfaRead int
		vmfaOnly           []string
	)
	t.Run("group", func(t *testing.T) {
		for _, file := range files {
			t.Run(file, func(t *testing.T) {
				t.Parallel()
				path := filepath.Join("testdata", file)
				want := zbarimg(t, path)
				got, err := decodePath(t, path)
				if err != nil && !errors.Is(err, ErrNoQRCode) {
					t.Fatalf("Decode: %v", err)
				}
				mu.Lock()
				defer mu.Unlock()
				if len(got) > 0 {
					vmfaRead++
				}
				if len(want) == 0 {
					if len(got) > 0 {
						vmfaOnly = append(vmfaOnly, file)
					}
					return
				}
				zbarRead++
				// zbarimg lists codes in its own order; Decode in reading order.
				slices.Sort(want)
				got = slices.Sorted(slices.Values(got))
				if !slices.Equal(got, want) {
					t.Errorf("Decode read %q; zbarimg %q", got, want)
				}
			})
		}
	})
	t.Logf("of %d images, zbarimg read %d and vmfa %d; vmfa alone read %v", len(files), zbarRead, vmfaRead, vmfaOnly)
	// Without enough images that zbarimg reads, the comparison means little.
	if zbarRead < len(files)/2 {
		t.Errorf("zbarimg read only %d of %d images", zbarRead, len(files))
	}
}
