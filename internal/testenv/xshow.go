package testenv

import (
	"image"
	_ "image/png"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"
)

// ShowImage shows the image file at path in a window of ImageMagick's
// display, a real X client, at x, y of the X screen display names (as
// ":93" or ":93.1"), and waits until the screen holds the image's pixels
// there. The window is closed (its process killed by pid) when the test
// ends. Xvfb runs no window manager, so the window has no frame and sits
// exactly where asked; -borderwidth 0 keeps display from framing the
// image itself.
func ShowImage(t testing.TB, display, path string, x, y int) {
	t.Helper()
	Tool(t, "display")
	img := readImage(t, path)
	cmd := exec.Command("display", "-display", display, "-borderwidth", "0", "-geometry", "+"+strconv.Itoa(x)+"+"+strconv.Itoa(y), path)
	if err := cmd.Start(); err != nil {
		Skip(t, "display: %v", err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() { cmd.Process.Kill(); <-exited })

	conn, err := xgb.NewConnDisplay(display)
	if err != nil {
		t.Fatalf("connecting to %s: %v", display, err)
	}
	defer conn.Close()
	root := xproto.Setup(conn).Roots[conn.DefaultScreen]
	deadline := time.Now().Add(10 * time.Second)
	for !shows(conn, root, img, x, y) {
		select {
		case <-exited:
			t.Fatalf("display %s exited before showing it", path)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("display did not show %s at +%d+%d of %s within 10 s", path, x, y, display)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// shows reports whether the screen holds img's pixels at x, y, each channel
// within a few levels (the server's depth may round them). Xvfb sends
// 32-bit pixels B, G, R, unused on screens of depth 24, and 16-bit 5-6-5
// ones on screens of depth 16, least significant byte first.
func shows(conn *xgb.Conn, root xproto.ScreenInfo, img image.Image, x, y int) bool {
	b := img.Bounds()
	reply, err := xproto.GetImage(conn, xproto.ImageFormatZPixmap, xproto.Drawable(root.Root),
		int16(x), int16(y), uint16(b.Dx()), uint16(b.Dy()), ^uint32(0)).Reply()
	if err != nil {
		return false
	}
	size := 4
	if reply.Depth == 16 {
		size = 2
	}
	stride := (b.Dx()*size + 3) / 4 * 4
	if len(reply.Data) < stride*b.Dy() {
		return false
	}
	for py := 0; py < b.Dy(); py++ {
		for px := 0; px < b.Dx(); px++ {
			r, g, bl, _ := img.At(b.Min.X+px, b.Min.Y+py).RGBA()
			p := reply.Data[py*stride+px*size:]
			var gr, gg, gb uint8
			if size == 2 {
				v := int(p[0]) | int(p[1])<<8
				gr, gg, gb = uint8((v>>11)*255/31), uint8((v>>5&63)*255/63), uint8((v&31)*255/31)
			} else {
				gr, gg, gb = p[2], p[1], p[0]
			}
			if far(gr, r) || far(gg, g) || far(gb, bl) {
				return false
			}
		}
	}
	return true
}

func far(got uint8, want uint32) bool {
	d := int(got) - int(want>>8)
	return d < -8 || d > 8
}

func readImage(t testing.TB, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return img
}
