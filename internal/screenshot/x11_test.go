//go:build !darwin && !windows

package screenshot

import (
	"errors"
	"image"
	"image/color"
	"slices"
	"strings"
	"testing"

	"github.com/jezek/xgb/xproto"

	"github.com/vmfa/vmfa/internal/testenv"
	"github.com/vmfa/vmfa/otp/qr"
)

// onX runs the capture on display, as a desktop session would.
func onX(t *testing.T, display string) {
	t.Setenv("WAYLAND_DISPLAY", "")
	t.Setenv("DISPLAY", display)
}

// TestCaptureX11 reads two QR codes shown by a real X client, in two
// windows, off the screen of an X server.
func TestCaptureX11(t *testing.T) {
	display := testenv.Xvfb(t)
	aws := testenv.QRImage(t, awsURI, 240)
	testenv.ShowImage(t, display, writePNG(t, aws), 700, 300)
	testenv.ShowImage(t, display, writePNG(t, testenv.QRImage(t, githubURI, 200)), 60, 40)
	onX(t, display)

	images, err := Capture()
	if err != nil || len(images) != 1 {
		t.Fatalf("Capture = %d images, %v; want 1", len(images), err)
	}
	if b := images[0].Bounds(); b != image.Rect(0, 0, 1280, 800) {
		t.Fatalf("the screen is %v, want 1280×800", b)
	}
	// The pixels are the window's, where it was shown.
	for _, p := range []image.Point{{0, 0}, {10, 10}, {120, 120}, {239, 239}} {
		want := aws.GrayAt(p.X, p.Y)
		if got := color.GrayModel.Convert(images[0].At(700+p.X, 300+p.Y)).(color.Gray); got != want {
			t.Fatalf("pixel %v of the window: %v, want %v", p, got, want)
		}
	}
	got, err := Scan(Capture)
	if err != nil || !slices.Equal(got, []string{githubURI, awsURI}) {
		t.Fatalf("Scan = %q, %v; want both codes, top first", got, err)
	}
}

// TestCaptureX11Screens reads every X screen of a display (:N.0 and :N.1,
// as a two-headed server without Xinerama has), and a 16-bit one.
func TestCaptureX11Screens(t *testing.T) {
	display := testenv.Xvfb(t, "1024x768x24", "800x600x16")
	onX(t, display)
	if _, err := Scan(Capture); !errors.Is(err, qr.ErrNoQRCode) {
		t.Fatalf("empty screens: %v", err)
	}
	testenv.ShowImage(t, display+".1", writePNG(t, testenv.QRImage(t, awsURI, 240)), 500, 300)
	images, err := Capture()
	if err != nil || len(images) != 2 || images[0].Bounds().Dx() != 1024 || images[1].Bounds().Dx() != 800 {
		t.Fatalf("Capture = %d images, %v; want 1024 and 800 wide", len(images), err)
	}
	if got, err := Scan(Capture); err != nil || !slices.Equal(got, []string{awsURI}) {
		t.Fatalf("a code on the second screen: %q, %v", got, err)
	}
	testenv.ShowImage(t, display+".0", writePNG(t, testenv.QRImage(t, githubURI, 240)), 10, 500)
	if got, err := Scan(Capture); err != nil || !slices.Equal(got, []string{githubURI, awsURI}) {
		t.Fatalf("a code on each screen: %q, %v", got, err)
	}
}

func TestCaptureWithoutDisplay(t *testing.T) {
	onX(t, "")
	if _, err := Capture(); err != ErrNoDisplay {
		t.Fatalf("no DISPLAY: %v", err)
	}
	onX(t, ":4093") // nobody's
	_, err := Capture()
	if err == nil || !strings.HasPrefix(err.Error(), "can't reach the X server of DISPLAY=:4093: ") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("an X server that is not there: %v", err)
	}
}

// TestPixelFormats converts the layouts X servers send besides the common
// one: 16-bit 5-6-5 and 24-bit packed pixels, in both byte orders, with
// padded rows.
func TestPixelFormats(t *testing.T) {
	want := []color.RGBA{{0xff, 0, 0, 0xff}, {0, 0xff, 0, 0xff}, {0, 0, 0xff, 0xff}, {0xff, 0xff, 0xff, 0xff}}
	for _, tc := range []struct {
		name   string
		f      pixelFormat
		pixels []uint32 // red, green, blue, white
	}{
		{"565", pixelFormat{bitsPerPixel: 16, stride: 12, red: 0xf800, green: 0x07e0, blue: 0x001f}, []uint32{0xf800, 0x07e0, 0x001f, 0xffff}},
		{"888 packed", pixelFormat{bitsPerPixel: 24, stride: 12, red: 0xff0000, green: 0xff00, blue: 0xff}, []uint32{0xff0000, 0xff00, 0xff, 0xffffff}},
		{"BGR 32", pixelFormat{bitsPerPixel: 32, stride: 8, red: 0xff, green: 0xff00, blue: 0xff0000}, []uint32{0xff, 0xff00, 0xff0000, 0xffffff}},
		{"RGB 32", pixelFormat{bitsPerPixel: 32, stride: 8, red: 0xff0000, green: 0xff00, blue: 0xff}, []uint32{0xff0000, 0xff00, 0xff, 0xffffff}},
	} {
		for _, msb := range []bool{false, true} {
			f := tc.f
			f.msbFirst = msb
			bpp := f.bitsPerPixel / 8
			data := make([]byte, 2*f.stride)
			for i, v := range tc.pixels {
				p := data[i/2*f.stride+i%2*bpp:][:bpp]
				for j := range p {
					if msb {
						p[bpp-1-j] = byte(v >> (8 * j))
					} else {
						p[j] = byte(v >> (8 * j))
					}
				}
			}
			img, err := f.toRGBA(data, 2, 2)
			if err != nil {
				t.Fatalf("%s msb=%v: %v", tc.name, msb, err)
			}
			for i, w := range want {
				if got := img.RGBAAt(i%2, i/2); got != w {
					t.Errorf("%s msb=%v: pixel %d = %v, want %v", tc.name, msb, i, got, w)
				}
			}
		}
	}
	if _, err := (pixelFormat{bitsPerPixel: 32, stride: 8, red: 0xff0000, green: 0xff00, blue: 0xff}).toRGBA(make([]byte, 12), 2, 2); err == nil {
		t.Error("a short reply was taken")
	}
	if _, err := (pixelFormat{bitsPerPixel: 4, stride: 1, red: 1, green: 2, blue: 4}).toRGBA(make([]byte, 2), 2, 2); err == nil {
		t.Error("4-bit pixels were taken")
	}
}

// TestFormatOf reads the pixel format from a server's setup, and refuses a
// setup no server should send: a scanline pad of 0 divided by zero before.
func TestFormatOf(t *testing.T) {
	setup := func(pad byte) (*xproto.SetupInfo, xproto.ScreenInfo) {
		return &xproto.SetupInfo{
				PixmapFormats: []xproto.Format{{Depth: 1, BitsPerPixel: 1, ScanlinePad: 32}, {Depth: 24, BitsPerPixel: 32, ScanlinePad: pad}},
			}, xproto.ScreenInfo{AllowedDepths: []xproto.DepthInfo{{Depth: 24, Visuals: []xproto.VisualInfo{
				{VisualId: 33, Class: xproto.VisualClassTrueColor, RedMask: 0xff0000, GreenMask: 0xff00, BlueMask: 0xff},
			}}}}
	}
	s, root := setup(32)
	f, err := formatOf(s, root, 24, 33, 3)
	if err != nil {
		t.Fatal(err)
	}
	if want := (pixelFormat{bitsPerPixel: 32, stride: 12, red: 0xff0000, green: 0xff00, blue: 0xff}); f != want {
		t.Errorf("format %+v, want %+v", f, want)
	}
	for _, pad := range []byte{0, 7, 64} {
		s, root := setup(pad)
		if _, err := formatOf(s, root, 24, 33, 3); err == nil || !strings.Contains(err.Error(), "pads rows") {
			t.Errorf("scanline pad %d: error %v", pad, err)
		}
	}
	if _, err := formatOf(s, root, 24, 34, 3); err == nil {
		t.Error("an unknown visual was taken")
	}
}
