package qr

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// pngFile assembles a PNG from its IHDR fields and its filtered rows (each
// with its filter byte), adding chunks before IDAT if given.
func pngFile(w, h int, colourType byte, rows []byte, extra ...[2]string) []byte {
	var buf bytes.Buffer
	buf.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, data []byte) {
		binary.Write(&buf, binary.BigEndian, uint32(len(data)))
		buf.WriteString(typ)
		buf.Write(data)
		binary.Write(&buf, binary.BigEndian, crc32.ChecksumIEEE(append([]byte(typ), data...)))
	}
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr, uint32(w))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(h))
	ihdr[8], ihdr[9] = 8, colourType
	chunk("IHDR", ihdr)
	for _, c := range extra {
		chunk(c[0], []byte(c[1]))
	}
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(rows)
	zw.Close()
	chunk("IDAT", z.Bytes())
	chunk("IEND", nil)
	return buf.Bytes()
}

// checkPNGLuminance checks that pngLuminance reads data as image/png and
// luminance do, with both weights.
func checkPNGLuminance(t *testing.T, name string, data []byte) {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("%s: image/png: %v", name, err)
	}
	for _, wt := range []weights{avgWeights, bt601Weights} {
		got, w, h, _, ok := pngLuminance(data, wt, MaxPixels)
		if !ok {
			t.Fatalf("%s (%T): not decoded", name, img)
		}
		want, ww, wh, _ := luminance(img, wt)
		if w != ww || h != wh || !bytes.Equal(got, want) {
			t.Fatalf("%s (%T): luminance differs from image/png's", name, img)
		}
	}
}

// TestPNGLuminance compares the direct PNG path with image/png on every
// 8-bit PNG fixture (screenshots by ImageMagick), on images written by
// image/png (which picks a filter per row, all five kinds), and on grey
// with alpha, which image/png does not write.
func TestPNGLuminance(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.png"))
	// Of the degraded set, which ImageMagick wrote as the others, a few:
	// noise.png has rows of every filter type.
	for _, f := range []string{"noise.png", "small-45-box.png", "dark-60.png", "desktop-small-page.png"} {
		files = append(files, filepath.Join("testdata", "degraded", f))
	}
	n := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(data))
		if err != nil || img.ColorModel() == color.RGBA64Model || img.ColorModel() == color.NRGBA64Model {
			continue // truncated, text, 16-bit: image/png's
		}
		checkPNGLuminance(t, f, data)
		n++
	}
	if n < 10 {
		t.Errorf("only %d fixtures compared", n)
	}

	// A photo, with an alpha ramp, in each colour type image/png writes.
	photo := decodeFile(t, filepath.Join("testdata", "photo-of-monitor.jpg"))
	r := image.Rect(0, 0, 301, 257)
	gray, nrgba, rgba := image.NewGray(r), image.NewNRGBA(r), image.NewRGBA(r)
	for y := range r.Dy() {
		for x := range r.Dx() {
			c := color.NRGBAModel.Convert(photo.At(x+300, y+300)).(color.NRGBA)
			rgba.Set(x, y, c)
			gray.Set(x, y, c)
			c.A = byte(x + y)
			nrgba.Set(x, y, c)
		}
	}
	for _, img := range []image.Image{gray, nrgba, rgba} {
		var buf bytes.Buffer
		if err := png.Encode(&buf, img); err != nil {
			t.Fatal(err)
		}
		checkPNGLuminance(t, fmt.Sprintf("encoded %T", img), buf.Bytes())
	}

	// Grey and alpha, every filter type in turn.
	w, h := 37, 11
	var rows []byte
	for y := range h {
		rows = append(rows, byte(y%5))
		for x := range 2 * w {
			rows = append(rows, byte(x*7+y*13))
		}
	}
	checkPNGLuminance(t, "grey+alpha", pngFile(w, h, 4, rows))
}

// TestPNGLuminanceFallsBack: what the direct path does not read, it leaves
// to image/png (ok false), so that its errors and its other formats stay.
func TestPNGLuminanceFallsBack(t *testing.T) {
	rows := slices.Repeat([]byte{0, 10, 20, 30}, 2) // two rows of one RGB pixel
	good := pngFile(1, 2, 2, rows)
	if _, _, _, _, ok := pngLuminance(good, avgWeights, MaxPixels); !ok {
		t.Fatal("the good file is not read")
	}
	badCRC := bytes.Clone(good)
	badCRC[len(badCRC)-20]++ // in the IDAT data
	for name, data := range map[string][]byte{
		"tRNS":       pngFile(1, 2, 2, rows, [2]string{"tRNS", "\x00\x0a\x00\x14\x00\x1e"}),
		"palette":    pngFile(1, 2, 3, []byte{0, 0, 0, 0}, [2]string{"PLTE", "\x00\x00\x00"}),
		"bad CRC":    badCRC,
		"bad filter": pngFile(1, 2, 2, []byte{0, 1, 2, 3, 5, 1, 2, 3}),
		"short":      pngFile(1, 2, 2, rows[:6]),
		"long":       pngFile(1, 2, 2, append(rows, 0)),
		"over limit": pngFile(1000, 1001, 2, nil),
		"16-bit":     readFixture(t, "mirrored.png"),
		"truncated":  readFixture(t, "truncated.png"),
		"not a PNG":  []byte("GIF89a"),
		"empty":      nil,
		"no IDAT":    good[:33],
	} {
		if _, _, _, _, ok := readPNG(data, avgWeights, 1_000_000); ok {
			t.Errorf("%s: read", name)
		}
	}
}

// FuzzPNGLuminance checks the direct PNG path, without pngLuminance's
// recover, against image/png: it must not panic, and what it reads,
// image/png reads the same (except a wrong Adler-32 checksum, which
// it does not check; see inflateRows). Run it with
//
//	go test -run '^$' -fuzz FuzzPNGLuminance -fuzztime 60s ./otp/qr/
func FuzzPNGLuminance(f *testing.F) {
	f.Add(pngFile(3, 2, 6, []byte{1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 4, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}))
	f.Add(pngFile(2, 2, 4, []byte{3, 1, 2, 3, 4, 2, 0, 0, 0, 0}))
	f.Add(pngFile(2, 1, 0, []byte{0, 7, 9}))
	f.Add(readFixture(f, filepath.Join("degraded", "inverted.png")))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, w, h, _, ok := readPNG(data, avgWeights, 1_000_000)
		if !ok {
			return
		}
		img, err := png.Decode(bytes.NewReader(data))
		if err != nil {
			if strings.Contains(err.Error(), "checksum") {
				return
			}
			t.Fatalf("read, but image/png says %v", err)
		}
		want, ww, wh, _ := luminance(img, avgWeights)
		if w != ww || h != wh || !bytes.Equal(got, want) {
			t.Fatalf("luminance differs from image/png's")
		}
	})
}
