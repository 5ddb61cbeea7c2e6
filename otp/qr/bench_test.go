package qr

import (
	"bytes"
	"image"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/makiuchi-d/gozxing"
)

// The benchmarks follow the stages of Decode on the fixtures:
//
//	go test -run '^$' -bench . -benchtime 10x ./otp/qr/

// readFixture returns the contents of testdata/name.
func readFixture(b testing.TB, name string) []byte {
	b.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		b.Fatal(err)
	}
	return data
}

func decodeFixture(b *testing.B, name string) image.Image {
	b.Helper()
	img, _, err := image.Decode(bytes.NewReader(readFixture(b, name)))
	if err != nil {
		b.Fatal(err)
	}
	return img
}

// Stage 1: the file format's decoder.
func BenchmarkFileDecodePNG5K(b *testing.B) {
	data := readFixture(b, "desktop-5k.png")
	for b.Loop() {
		if _, _, err := image.Decode(bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFileDecodeJPEG5K(b *testing.B) {
	data := readFixture(b, "desktop-5k.jpg")
	for b.Loop() {
		if _, _, err := image.Decode(bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}

// Stage 2: luminance, this package's against gozxing's generic one.
func BenchmarkLuminance5K(b *testing.B) {
	img := decodeFixture(b, "desktop-5k.png")
	b.Logf("%T", img)
	for b.Loop() {
		luminance(img, avgWeights)
	}
}

func BenchmarkLuminance5KGozxing(b *testing.B) {
	img := decodeFixture(b, "desktop-5k.png")
	for b.Loop() {
		gozxing.NewLuminanceSourceFromImage(img)
	}
}

// Stage 3: binarization, detection and decoding, from luminance to text.
func BenchmarkScan5K(b *testing.B) {
	lum, w, h, _ := luminance(decodeFixture(b, "desktop-5k.png"), avgWeights)
	for b.Loop() {
		if len(find(lum, w, h, func() []byte { return nil })) != 1 {
			b.Fatal("not found")
		}
	}
}

// Stage 3 split: binarizing alone, then the multiple-code reader alone on
// the cached binarization, as is and inverted.
func BenchmarkBinarize5K(b *testing.B) {
	lum, w, h, _ := luminance(decodeFixture(b, "desktop-5k.png"), avgWeights)
	src, _ := gozxing.NewPlanarYUVLuminanceSource(lum, w, h, 0, 0, w, h, false)
	for _, invert := range []bool{false, true} {
		name := map[bool]string{false: "normal", true: "inverted"}[invert]
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				binarize(lum, w, h, invert)
			}
		})
		b.Run(name+"/gozxing", func(b *testing.B) {
			s := src
			if invert {
				s = src.Invert()
			}
			for b.Loop() {
				gozxing.NewHybridBinarizer(s).GetBlackMatrix()
			}
		})
	}
}

func BenchmarkDetect5K(b *testing.B) {
	lum, w, h, _ := luminance(decodeFixture(b, "desktop-5k.png"), avgWeights)
	src, _ := gozxing.NewPlanarYUVLuminanceSource(lum, w, h, 0, 0, w, h, false)
	for _, bc := range []struct {
		name string
		v    *view
		n    int
	}{
		{"normal", &view{lum: lum, w: w, h: h, src: src}, 1},
		{"inverted", &view{lum: lum, w: w, h: h, src: src.Invert(), invert: true}, 0},
	} {
		bc.v.Hybrid().GetBlackMatrix()
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				if n := len(decodeMulti(bc.v.Hybrid())); n != bc.n {
					b.Fatalf("found %d codes, want %d", n, bc.n)
				}
			}
		})
	}
}

// End to end: Decode on the encoded file.
func benchmarkDecode(b *testing.B, name string) {
	data := readFixture(b, name)
	for b.Loop() {
		if _, err := Decode(bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecode1x(b *testing.B)     { benchmarkDecode(b, "screenshot-1x.png") }
func BenchmarkDecode2x(b *testing.B)     { benchmarkDecode(b, "screenshot-2x.png") }
func BenchmarkDecode5K(b *testing.B)     { benchmarkDecode(b, "desktop-5k.png") }
func BenchmarkDecode5KJPEG(b *testing.B) { benchmarkDecode(b, "desktop-5k.jpg") }
func BenchmarkDecodePhoto(b *testing.B)  { benchmarkDecode(b, "photo-of-monitor.jpg") }

// BenchmarkDecodeDegraded decodes the whole degraded set once per
// iteration, one image after another.
func BenchmarkDecodeDegraded(b *testing.B) {
	var files [][]byte
	for _, img := range degradedSet(b) {
		if !slices.Contains(vmfaMayMiss, img.file) {
			files = append(files, readFixture(b, filepath.Join("degraded", img.file)))
		}
	}
	for b.Loop() {
		for _, data := range files {
			if _, err := Decode(bytes.NewReader(data)); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// Stages 1 and 2 at once: a PNG straight to luminance (see pngLuminance).
func BenchmarkPNGLuminance5K(b *testing.B) {
	data := readFixture(b, "desktop-5k.png")
	for b.Loop() {
		if _, _, _, _, err := pngLuminance(data, avgWeights, MaxPixels); err != nil {
			b.Fatal("not decoded")
		}
	}
}

// The small-code passes on a page shrunk to 45%: finding the candidate
// regions, and enlarging and sharpening the one found.
func BenchmarkRegions(b *testing.B) {
	lum, w, h, _ := luminance(decodeFixture(b, filepath.Join("degraded", "small-45-box.png")), avgWeights)
	for b.Loop() {
		if len(regions(lum, w, h)) == 0 {
			b.Fatal("no region")
		}
	}
}

func BenchmarkZoom(b *testing.B) {
	lum, w, h, _ := luminance(decodeFixture(b, filepath.Join("degraded", "small-45-box.png")), avgWeights)
	r := regions(lum, w, h)[0]
	for b.Loop() {
		zoom(lum, w, h, r)
	}
}
