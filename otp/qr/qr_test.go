package qr

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"compress/zlib"
	"encoding/binary"

	"github.com/makiuchi-d/gozxing"
)

// The texts in testdata; see testdata/make.sh.
const (
	aws = "otpauth://totp/Amazon%20Web%20Services:alice@123456789012?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Amazon%20Web%20Services"
	bob = "otpauth://totp/Amazon%20Web%20Services:bob@123456789012?secret=KRUGKIDROVUWG2ZAMJZG653OEBTG66BAURUW24DTEBXXMZLSEB2GQZJANRQXU6JAMRXWO4ZA&issuer=Amazon%20Web%20Services"
	url = "https://example.com/mfa/setup?account=123456789012&user=alice"
)

func decodePath(t testing.TB, name string) ([]string, error) {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return Decode(f)
}

func TestFixtures(t *testing.T) {
	tests := []struct {
		file string
		want []string
		err  error
	}{
		{"screenshot-1x.png", []string{aws}, nil},
		{"screenshot-2x.png", []string{aws}, nil},
		{"desktop-5k.png", []string{aws}, nil},
		{"desktop-5k.jpg", []string{aws}, nil},
		{"dark-mode.png", []string{aws}, nil},
		{"photo-of-monitor.jpg", []string{aws}, nil},
		{"mirrored.png", []string{aws}, nil},
		{"rotated-90.png", []string{aws}, nil},
		{"two-codes.png", []string{aws, bob}, nil},
		{"url.png", []string{url}, nil},
		{"no-qr.png", nil, ErrNoQRCode},
		{"truncated.png", nil, ErrNotImage},
		{"text.png", nil, ErrNotImage},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			got, err := decodePath(t, filepath.Join("testdata", tt.file))
			if !errors.Is(err, tt.err) {
				t.Fatalf("error %v, want %v", err, tt.err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestErrorMessages(t *testing.T) {
	for file, want := range map[string]string{
		"truncated.png": "truncated or corrupt PNG image (png: invalid format: not enough pixel data); save or export it again",
		"text.png":      "not a PNG, JPEG, GIF, WebP, BMP or TIFF image",
		"no-qr.png":     "no QR code found",
	} {
		_, err := decodePath(t, filepath.Join("testdata", file))
		if err == nil || err.Error() != want {
			t.Errorf("%s: error %q, want %q", file, err, want)
		}
	}
}

// TestReadingOrder checks that codes come out top-to-bottom, then
// left-to-right, whatever the order in which gozxing finds them: the two
// codes of two-codes.png side by side (alice left, bob right), then turned
// so that bob comes first.
func TestReadingOrder(t *testing.T) {
	img := decodeFile(t, filepath.Join("testdata", "two-codes.png"))
	top := image.NewRGBA(image.Rect(0, 0, 800, 300))
	for y := range 300 {
		for x := range 800 {
			top.Set(x, y, img.At(270+x, 230+y))
		}
	}
	got, err := DecodeImage(top)
	if err != nil || !slices.Equal(got, []string{aws, bob}) {
		t.Fatalf("side by side: got %q, %v; want alice, bob", got, err)
	}
	got, err = DecodeImage(rotate(top, 2))
	if err != nil || !slices.Equal(got, []string{bob, aws}) {
		t.Fatalf("rotated 180°: got %q, %v; want bob, alice", got, err)
	}
	// Turned clockwise, the left code goes to the top.
	got, err = DecodeImage(rotate(top, 1))
	if err != nil || !slices.Equal(got, []string{aws, bob}) {
		t.Fatalf("rotated 90°: got %q, %v; want alice (top), bob", got, err)
	}
	got, err = DecodeImage(rotate(top, 3))
	if err != nil || !slices.Equal(got, []string{bob, aws}) {
		t.Fatalf("rotated 270°: got %q, %v; want bob (top), alice", got, err)
	}
}

// TestTransparent checks that a code exported with a transparent
// background, dark modules on alpha 0, decodes: transparent must read as
// white, not as the black of its zero RGB.
func TestTransparent(t *testing.T) {
	src := decodeFile(t, filepath.Join("testdata", "screenshot-1x.png"))
	for _, m := range []func(image.Image, image.Rectangle) image.Image{nrgbaOf, rgbaOf} {
		img := m(src, image.Rect(280, 240, 540, 500))
		got, err := DecodeImage(img)
		if err != nil || !slices.Equal(got, []string{aws}) {
			t.Errorf("%T: got %q, %v", img, got, err)
		}
	}
}

// nrgbaOf copies r of src, making white pixels transparent black.
func nrgbaOf(src image.Image, r image.Rectangle) image.Image {
	dst := image.NewNRGBA(r)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if g := color.GrayModel.Convert(src.At(x, y)).(color.Gray); g.Y < 128 {
				dst.Set(x, y, color.NRGBA{0, 0, 0, 255})
			} else {
				dst.Set(x, y, color.NRGBA{0, 0, 0, 0})
			}
		}
	}
	return dst
}

func rgbaOf(src image.Image, r image.Rectangle) image.Image {
	n := nrgbaOf(src, r).(*image.NRGBA)
	dst := image.NewRGBA(r)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			dst.Set(x, y, n.At(x, y))
		}
	}
	return dst
}

// TestImageTypes checks that every luminance path, fast or generic, reads
// the same code, with the image's bounds not starting at 0,0 (a SubImage).
func TestImageTypes(t *testing.T) {
	src := decodeFile(t, filepath.Join("testdata", "screenshot-1x.png"))
	r := image.Rect(280, 240, 540, 500)
	gray := image.NewGray(src.Bounds())
	ycc := image.NewYCbCr(src.Bounds(), image.YCbCrSubsampleRatio420)
	pal := image.NewPaletted(src.Bounds(), color.Palette{color.White, color.Black})
	g16 := image.NewGray16(src.Bounds())
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			c := color.RGBAModel.Convert(src.At(x, y)).(color.RGBA)
			gray.Set(x, y, c)
			pal.Set(x, y, c)
			g16.Set(x, y, c)
			yy, _, _ := color.RGBToYCbCr(c.R, c.G, c.B)
			ycc.Y[ycc.YOffset(x, y)] = yy
		}
	}
	for _, img := range []image.Image{
		rotate(src, 0).SubImage(r),
		gray.SubImage(r),
		ycc.SubImage(r),
		pal.SubImage(r),
		g16.SubImage(r),
		generic{gray.SubImage(r)},
	} {
		got, err := DecodeImage(img)
		if err != nil || !slices.Equal(got, []string{aws}) {
			t.Errorf("%T: got %q, %v", img, got, err)
		}
	}
}

// TestLuminanceMatchesGeneric checks the fast paths against the generic one.
func TestLuminanceMatchesGeneric(t *testing.T) {
	src := decodeFile(t, filepath.Join("testdata", "photo-of-monitor.jpg")).(*image.YCbCr)
	rgba := rotate(src, 0)
	nrgba := image.NewNRGBA(rgba.Rect)
	for y := range rgba.Rect.Dy() {
		for x := range rgba.Rect.Dx() {
			c := rgba.RGBAAt(x, y)
			nrgba.SetNRGBA(x, y, color.NRGBA{c.R, c.G, c.B, byte(x)})
			c.A = byte(x)
			c.R, c.G, c.B = min(c.R, c.A), min(c.G, c.A), min(c.B, c.A) // premultiplied
			rgba.SetRGBA(x, y, c)
		}
	}
	rgba64 := image.NewRGBA64(rgba.Rect)
	nrgba64 := image.NewNRGBA64(rgba.Rect)
	draw.Draw(rgba64, rgba64.Rect, rgba, image.Point{}, draw.Src)
	draw.Draw(nrgba64, nrgba64.Rect, nrgba, image.Point{}, draw.Src)
	for _, img := range []image.Image{rgba, nrgba, rgba64, nrgba64} {
		fast, _, _, _ := luminance(img, avgWeights)
		slow, _, _, _ := luminance(generic{img}, avgWeights)
		// The generic path goes through 16-bit premultiplied colour and
		// truncates twice.
		maxDiff := 0
		for i := range fast {
			maxDiff = max(maxDiff, abs(int(fast[i])-int(slow[i])))
		}
		if maxDiff > 2 {
			t.Errorf("%T: pixels differ by up to %d from the generic path", img, maxDiff)
		}
	}
}

// generic hides an image's concrete type from luminance.
type generic struct{ image.Image }

func TestMigrationImages(t *testing.T) {
	dir := filepath.Join(sharedCorpus(t), "migration")
	var vectors struct {
		Vectors []struct{ ID, URI string }
	}
	data, err := os.ReadFile(filepath.Join(dir, "vectors.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &vectors); err != nil {
		t.Fatal(err)
	}
	uri := func(id string) string {
		for _, v := range vectors.Vectors {
			if v.ID == id {
				return v.URI
			}
		}
		t.Fatalf("vectors.json has no %s", id)
		return ""
	}
	tests := []struct {
		file string
		want []string
		err  error
	}{
		{"scito/example_export.png", []string{uri("scito_example_export_png")}, nil},
		{"dim13/example_otpauth_qr.png", []string{"otpauth://totp/Example:alice@google.com?issuer=Example&period=30&secret=JBSWY3DPEHPK3PXP"}, nil},
		{"scito/qr_but_without_otp.png", []string{"NOT A otpauth-migration:// URL"}, nil},
		{"scito/text_masquerading_as_image.jpeg", nil, ErrNotImage},
	}
	for _, tt := range tests {
		got, err := decodePath(t, filepath.Join(dir, tt.file))
		if !errors.Is(err, tt.err) || !slices.Equal(got, tt.want) {
			t.Errorf("%s: got %q, %v; want %q, %v", tt.file, got, err, tt.want, tt.err)
		}
	}
}

func TestMultiQRCode(t *testing.T) {
	dir := filepath.Join(sharedCorpus(t), "zxing-qr")
	data, err := os.ReadFile(filepath.Join(dir, "multi-qrcode-1", "EXPECTED.txt"))
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	got, err := decodePath(t, filepath.Join(dir, "multi-qrcode-1", "1.png"))
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

// TestGozxingExtra: the ISO 18004 example and its mirror image, and four
// phone photos from ZXing's Android benchmark.
func TestGozxingExtra(t *testing.T) {
	dir := filepath.Join(sharedCorpus(t), "zxing-qr", "gozxing-extra")
	for _, name := range []string{
		"version1.png", "version1_mirrored.png",
		"android-qrcode-1.jpg", "android-qrcode-2.jpg", "android-qrcode-3.jpg", "android-qrcode-4.jpg",
	} {
		want, err := os.ReadFile(filepath.Join(dir, strings.TrimSuffix(name, filepath.Ext(name))+".txt"))
		if err != nil {
			t.Fatal(err)
		}
		got, err := decodePath(t, filepath.Join(dir, name))
		if err != nil || !slices.Equal(got, []string{string(want)}) {
			t.Errorf("%s: got %q, %v; want %q", name, got, err, want)
		}
	}
}

// bombPNG returns a valid PNG header for a w×h 8-bit grey image followed by
// n bytes of compressed zero rows and no IEND: what a decompression bomb
// looks like to DecodeConfig.
func bombPNG(t testing.TB, w, h, n int) []byte {
	var buf bytes.Buffer
	buf.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, data []byte) {
		binary.Write(&buf, binary.BigEndian, uint32(len(data)))
		crc := crc32.NewIEEE()
		crc.Write([]byte(typ))
		crc.Write(data)
		buf.WriteString(typ)
		buf.Write(data)
		binary.Write(&buf, binary.BigEndian, crc.Sum32())
	}
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], uint32(w))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(h))
	ihdr[8] = 8 // bit depth; colour type 0 (grey), no interlace
	chunk("IHDR", ihdr)
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	row := make([]byte, 1+w)
	for z.Len() < n {
		zw.Write(row)
	}
	zw.Close()
	chunk("IDAT", z.Bytes())
	return buf.Bytes()
}

// TestBomb checks that a PNG claiming 60000×60000 pixels (3.6 GB of grey
// pixels) is refused from its header, fast and without allocating.
func TestBomb(t *testing.T) {
	bomb := bombPNG(t, 60000, 60000, 300<<10)
	if _, err := png.DecodeConfig(bytes.NewReader(bomb)); err != nil {
		t.Fatalf("the bomb is not a valid PNG header: %v", err)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	_, err := Decode(bytes.NewReader(bomb))
	elapsed := time.Since(start)
	runtime.ReadMemStats(&after)
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("error %v, want ErrTooLarge", err)
	}
	if want := "image is 60000×60000 pixels, over the 100-megapixel limit"; err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("bomb of %d bytes refused in %v, %d KB allocated", len(bomb), elapsed, alloc>>10)
	if alloc > 100<<20 {
		t.Errorf("allocated %d MB, want < 100 MB", alloc>>20)
	}
	if elapsed > 100*time.Millisecond {
		t.Errorf("took %v, want < 100ms", elapsed)
	}
}

// TestTooLargeImage checks DecodeImage's own limit, for callers that decode
// themselves; the image is not allocated, only its bounds are.
func TestTooLargeImage(t *testing.T) {
	_, err := DecodeImage(bigBounds{image.Rect(0, 0, 20000, 5001)})
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("error %v, want ErrTooLarge", err)
	}
}

type bigBounds struct{ r image.Rectangle }

func (b bigBounds) ColorModel() color.Model { return color.GrayModel }
func (b bigBounds) Bounds() image.Rectangle { return b.r }
func (b bigBounds) At(x, y int) color.Color { return color.White }

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// TestSmallCodeOn5K places the 212-pixel code (4-pixel modules) of the 1x
// screenshot at rows of every even phase modulo 22 on a 5120×2880 canvas: 22 is
// the row step of gozxing's finder search without TRY_HARDER at that height,
// which then misses about half of these (16 of 30 in a measurement).
func TestSmallCodeOn5K(t *testing.T) {
	if testing.Short() {
		t.Skip("slow: 5K images")
	}
	shot := decodeFile(t, filepath.Join("testdata", "screenshot-1x.png"))
	canvas := image.NewRGBA(image.Rect(0, 0, 5120, 2880))
	for i := range 11 {
		draw.Draw(canvas, canvas.Rect, image.White, image.Point{}, draw.Src)
		x, y := 300+i*401, 200+i*224 // y mod 22 = 2+4i mod 22
		draw.Draw(canvas, image.Rect(x, y, x+300, y+300), shot, image.Pt(270, 230), draw.Src)
		got, err := DecodeImage(canvas)
		if err != nil || !slices.Equal(got, []string{aws}) {
			t.Errorf("code at %d,%d: got %q, %v", x, y, got, err)
		}
	}
}

// TestMixedPolarity: a dark-on-light code next to a light-on-dark one, each
// found in its own polarity, both returned.
func TestMixedPolarity(t *testing.T) {
	two := decodeFile(t, filepath.Join("testdata", "two-codes.png"))
	dark := decodeFile(t, filepath.Join("testdata", "dark-mode.png"))
	img := image.NewRGBA(image.Rect(0, 0, 640, 320))
	draw.Draw(img, image.Rect(0, 0, 320, 320), dark, image.Pt(250, 210), draw.Src)  // alice, inverted
	draw.Draw(img, image.Rect(320, 0, 640, 320), two, image.Pt(750, 210), draw.Src) // bob
	got, err := DecodeImage(img)
	if err != nil || !slices.Equal(got, []string{aws, bob}) {
		t.Errorf("got %q, %v; want alice, bob", got, err)
	}
}

// FuzzDecode checks that no input makes Decode panic or hang; run it with
//
//	go test -run '^$' -fuzz FuzzDecode -fuzztime 60s ./otp/qr/
func FuzzDecode(f *testing.F) {
	for _, name := range []string{"mirrored.png", "rotated-90.png", "truncated.png", "text.png"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add(bombPNG(f, 60000, 60000, 1000))
	f.Add([]byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"))
	f.Add([]byte("BM"))
	f.Add([]byte("II*\x00\x08\x00\x00\x00"))
	f.Add([]byte("RIFF\x00\x00\x00\x00WEBPVP8L"))
	f.Fuzz(func(t *testing.T, data []byte) {
		// Images of up to 100 megapixels take seconds to scan, which would
		// only slow the fuzzer down (their time is TestBomb's and
		// TestManyFinderPatterns' business). Over a megapixel, what is
		// checked is the refusal from the header, under a lower limit.
		const limit = 1_000_000
		if cfg, _, err := safely(image.DecodeConfig, data); err == nil && int64(cfg.Width)*int64(cfg.Height) > limit {
			texts, err := decode(bytes.NewReader(data), limit)
			if want := fmt.Sprintf("image is %d×%d pixels, over the 1-megapixel limit", cfg.Width, cfg.Height); !errors.Is(err, ErrTooLarge) || err.Error() != want || texts != nil {
				t.Fatalf("%d×%d image under a %d-pixel limit: got %q and error %v, want %q", cfg.Width, cfg.Height, limit, texts, err, want)
			}
			return
		}
		texts, err := Decode(bytes.NewReader(data))
		if (err == nil) == (len(texts) == 0) || errors.Is(err, ErrTooLarge) {
			t.Fatalf("got %q and error %v", texts, err)
		}
	})
}

// TestManyFinderPatterns: a 1000×1000 image tiled with 2500 finder
// patterns (a 1.2 KB PNG) kept gozxing busy for more than 20 seconds before
// the candidate budget; see hints.
func TestManyFinderPatterns(t *testing.T) {
	img := image.NewGray(image.Rect(0, 0, 1000, 1000))
	for y := range 1000 {
		for x := range 1000 {
			// Concentric squares in each 20×20 tile, 1:1:3:1:1 with
			// 2-pixel modules: d is twice the distance to the tile's
			// centre, the dark centre is 6 pixels wide (d ≤ 5), the dark
			// ring 2 pixels (d is 11 or 13).
			d := max(abs(2*(x%20)-19), abs(2*(y%20)-19))
			if d <= 5 || d == 11 || d == 13 {
				img.Pix[y*1000+x] = 0
			} else {
				img.Pix[y*1000+x] = 255
			}
		}
	}
	start := time.Now()
	_, err := DecodeImage(img)
	if !errors.Is(err, ErrNoQRCode) {
		t.Fatalf("error %v, want ErrNoQRCode", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %v", d)
	}
}

// TestBinarizeMatchesGozxing checks binarize bit for bit against gozxing's
// HybridBinarizer, both polarities, on fixtures whose sizes are and are not
// multiples of the 8-pixel block.
func TestBinarizeMatchesGozxing(t *testing.T) {
	for _, tc := range []struct {
		file string
		r    image.Rectangle
	}{
		{"screenshot-1x.png", image.Rect(0, 0, 1440, 900)},
		// The last block column starts at 1403, bit 27 of a word: its 8
		// bits straddle two words.
		{"screenshot-1x.png", image.Rect(0, 1, 1411, 900)},
		{"photo-of-monitor.jpg", image.Rect(0, 0, 1024, 805)},
		{"photo-of-monitor.jpg", image.Rect(3, 5, 1004, 808-5)},
		{"dark-mode.png", image.Rect(300, 260, 300+43, 260+41)},
		{"dark-mode.png", image.Rect(250, 200, 250+39, 200+100)}, // too narrow
	} {
		lum, w, h, _ := luminance(rotate(decodeFile(t, filepath.Join("testdata", tc.file)), 0).SubImage(tc.r), avgWeights)
		src, err := gozxing.NewPlanarYUVLuminanceSource(lum, w, h, 0, 0, w, h, false)
		if err != nil {
			t.Fatal(err)
		}
		for _, invert := range []bool{false, true} {
			got := binarize(lum, w, h, invert)
			if w < 40 || h < 40 {
				if got != nil {
					t.Errorf("%s %v: binarized a %d×%d image", tc.file, tc.r, w, h)
				}
				continue
			}
			s := src
			if invert {
				s = src.Invert()
			}
			want, err := gozxing.NewHybridBinarizer(s).GetBlackMatrix()
			if err != nil {
				t.Fatal(err)
			}
			black := 0
			for y := range h {
				g, wt := got.GetRow(y, nil).GetBitArray(), want.GetRow(y, nil).GetBitArray()
				if !slices.Equal(g, wt) {
					t.Fatalf("%s %v invert=%v: row %d differs", tc.file, tc.r, invert, y)
				}
				for x := range w {
					if want.Get(x, y) {
						black++
					}
				}
			}
			if black == 0 || black == w*h {
				t.Errorf("%s %v invert=%v: all pixels the same", tc.file, tc.r, invert)
			}
		}
	}
}
