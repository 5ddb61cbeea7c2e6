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
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// pngFile assembles an 8-bit PNG from its IHDR fields and its filtered rows
// (each with its filter byte), adding chunks before IDAT if given.
func pngFile(w, h int, colourType byte, rows []byte, extra ...[2]string) []byte {
	return pngFileOf(pngHeader{width: uint32(w), height: uint32(h), depth: 8, colourType: colourType}, rows, extra...)
}

// pngFileOf is pngFile for any header.
func pngFileOf(hdr pngHeader, rows []byte, extra ...[2]string) []byte {
	var buf bytes.Buffer
	buf.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, data []byte) {
		binary.Write(&buf, binary.BigEndian, uint32(len(data)))
		buf.WriteString(typ)
		buf.Write(data)
		binary.Write(&buf, binary.BigEndian, crc32.ChecksumIEEE(append([]byte(typ), data...)))
	}
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr, hdr.width)
	binary.BigEndian.PutUint32(ihdr[4:], hdr.height)
	ihdr[8], ihdr[9], ihdr[12] = hdr.depth, hdr.colourType, hdr.interlace
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
		got, w, h, _, err := pngLuminance(data, wt, MaxPixels)
		if err != nil {
			t.Fatalf("%s (%T): %v", name, img, err)
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
		if _, err := png.Decode(bytes.NewReader(data)); err != nil {
			continue // truncated, text
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

// TestPNGLuminanceKinds compares the direct path with image/png on every
// kind of PNG it reads: 8 and 16 bits, each colour type, interlaced or not,
// with a transparent colour where one may be, every filter type.
func TestPNGLuminanceKinds(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	for _, depth := range []byte{8, 16} {
		for _, ct := range []byte{0, 2, 4, 6} {
			for _, interlace := range []byte{0, 1} {
				hdr := pngHeader{width: 37, height: 23, depth: depth, colourType: ct, interlace: interlace}
				pixel := map[byte]int{0: 1, 2: 3, 4: 2, 6: 4}[ct] * int(depth) / 8
				passes := []pngPass{{0, 0, 1, 1, 37, 23}}
				if interlace == 1 {
					passes = adam7(37, 23)
				}
				var rows []byte
				for _, p := range passes {
					for range p.h {
						rows = append(rows, byte(rnd.IntN(5)))
						// Few values, so that the transparent colour occurs.
						for range p.w * pixel {
							rows = append(rows, byte(rnd.IntN(3))*0x7f)
						}
					}
				}
				name := fmt.Sprintf("%d-bit, colour type %d, interlace %d", depth, ct, interlace)
				checkPNGLuminance(t, name, pngFileOf(hdr, rows))
				if ct == 0 || ct == 2 {
					key := "\x00\x7f\x00\xfe\x00\x00"[:map[byte]int{0: 2, 2: 6}[ct]]
					if depth == 16 {
						key = "\x7f\x7f\xfe\xfe\x00\x00"[:len(key)]
					}
					checkPNGLuminance(t, name+", tRNS", pngFileOf(hdr, rows, [2]string{"tRNS", key}))
				}
			}
		}
	}
}

// TestPNGLuminanceFallsBack: what the direct path does not read, it leaves
// to image/png (errPNGKind), so that its other formats stay; a damaged file
// is an error with image/png's words.
func TestPNGLuminanceFallsBack(t *testing.T) {
	rows := slices.Repeat([]byte{0, 10, 20, 30}, 2) // two rows of one RGB pixel
	good := pngFile(1, 2, 2, rows)
	if _, _, _, _, err := pngLuminance(good, avgWeights, MaxPixels); err != nil {
		t.Fatalf("the good file is not read: %v", err)
	}
	for name, data := range map[string][]byte{
		"palette":    pngFile(1, 2, 3, []byte{0, 0, 0, 0}, [2]string{"PLTE", "\x00\x00\x00"}),
		"1-bit":      pngFileOf(pngHeader{width: 1, height: 2, depth: 1}, []byte{0, 0, 0, 0}),
		"RGBA tRNS":  pngFile(1, 2, 6, slices.Repeat([]byte{0, 1, 2, 3, 4}, 2), [2]string{"tRNS", "\x00\x0a\x00\x14\x00\x1e"}),
		"over limit": pngFile(1000, 1001, 2, nil),
		"not a PNG":  []byte("GIF89a"),
		"empty":      nil,
	} {
		if _, _, _, _, err := readPNG(data, avgWeights, 1_000_000); err != errPNGKind {
			t.Errorf("%s: error %v, want errPNGKind", name, err)
		}
	}
	badCRC := bytes.Clone(good)
	badCRC[len(badCRC)-20]++ // in the IDAT data
	for name, c := range map[string]struct {
		data []byte
		err  string
	}{
		"bad CRC":    {badCRC, "png: invalid format: invalid checksum"},
		"bad filter": {pngFile(1, 2, 2, []byte{0, 1, 2, 3, 5, 1, 2, 3}), "png: invalid format: bad filter type"},
		"short":      {pngFile(1, 2, 2, rows[:6]), "png: invalid format: not enough pixel data"},
		"long":       {pngFile(1, 2, 2, append(rows, 0)), "png: invalid format: too much pixel data"},
		"truncated":  {readFixture(t, "truncated.png"), "png: invalid format: not enough pixel data"},
		"no IDAT":    {good[:33], "png: invalid format: not enough pixel data"},
	} {
		if _, _, _, _, err := readPNG(c.data, avgWeights, 1_000_000); err == nil || err.Error() != c.err {
			t.Errorf("%s: error %v, want %s", name, err, c.err)
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
	f.Add(pngFileOf(pngHeader{width: 3, height: 3, depth: 16, colourType: 2, interlace: 1}, bytes.Repeat([]byte{1, 2, 3, 4, 5, 6, 7}, 9), [2]string{"tRNS", "\x01\x02\x03\x04\x05\x06"}))
	f.Add(pngFileOf(pngHeader{width: 2, height: 2, depth: 16, colourType: 4}, bytes.Repeat([]byte{4, 1, 2, 3, 4}, 4)))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, w, h, _, err := readPNG(data, avgWeights, 1_000_000)
		if err != nil {
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
