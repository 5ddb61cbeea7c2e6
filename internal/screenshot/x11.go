//go:build !darwin && !windows

package screenshot

import (
	"fmt"
	"image"
	"io"
	"log"
	"math/bits"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"

	"github.com/vmfa/vmfa/otp/qr"
)

func init() {
	// xgb logs a dropped connection on stderr; the error returned says it.
	xgb.Logger = log.New(io.Discard, "", 0)
}

// captureX11 reads every root window of the X display. A root window spans
// all the monitors of its screen (RandR, Xinerama), so one picture of it
// holds them all, with the dead areas between monitors of unequal sizes
// black; several X screens (:0.0, :0.1) have a root window each.
func captureX11(display string) ([]image.Image, error) {
	conn, err := xgb.NewConnDisplay(display)
	if err != nil {
		return nil, fmt.Errorf("can't reach the X server of DISPLAY=%s: %v", display, err)
	}
	defer conn.Close()
	setup := xproto.Setup(conn)
	// The pictures are held together until they are searched: all of them
	// count against the limit of one (several X screens are rare).
	pixels := 0
	for _, root := range setup.Roots {
		pixels += int(root.WidthInPixels) * int(root.HeightInPixels)
	}
	if len(setup.Roots) > 1 && pixels > qr.MaxPixels {
		return nil, fmt.Errorf("the X screens of DISPLAY=%s are %d megapixels in all, over the %d-megapixel limit", display, pixels/1_000_000, qr.MaxPixels/1_000_000)
	}
	var images []image.Image
	for _, root := range setup.Roots {
		img, err := rootImage(conn, setup, root)
		if err != nil {
			return nil, fmt.Errorf("reading the screen of DISPLAY=%s: %w", display, err)
		}
		images = append(images, img)
	}
	return images, nil
}

// rootImage reads the pixels of one root window.
func rootImage(conn *xgb.Conn, setup *xproto.SetupInfo, root xproto.ScreenInfo) (image.Image, error) {
	w, h := int(root.WidthInPixels), int(root.HeightInPixels)
	// Checked before the server is asked for gigabytes the decoder would
	// refuse anyway.
	if w*h > qr.MaxPixels {
		return nil, fmt.Errorf("the screen is %d×%d pixels, over the %d-megapixel limit", w, h, qr.MaxPixels/1_000_000)
	}
	reply, err := getImage(conn, root.Root, w, h)
	if err != nil {
		return nil, err
	}
	f, err := formatOf(setup, root, reply.Depth, reply.Visual, w)
	if err != nil {
		return nil, err
	}
	return f.toRGBA(reply.Data, w, h)
}

// formatOf is the layout of a ZPixmap image of width w, depth and visual,
// as the server's setup describes it. The setup comes from the server and
// is checked as input: a scanline pad of 0 would divide by zero.
func formatOf(setup *xproto.SetupInfo, root xproto.ScreenInfo, depth byte, visual xproto.Visualid, w int) (pixelFormat, error) {
	f := pixelFormat{msbFirst: setup.ImageByteOrder == xproto.ImageOrderMSBFirst}
	for _, pf := range setup.PixmapFormats {
		if pf.Depth == depth {
			pad := int(pf.ScanlinePad)
			if pad != 8 && pad != 16 && pad != 32 {
				return f, fmt.Errorf("the X server pads rows to %d bits: only 8, 16 and 32 are allowed", pad)
			}
			f.bitsPerPixel = int(pf.BitsPerPixel)
			f.stride = (w*f.bitsPerPixel + pad - 1) / pad * pad / 8
		}
	}
	for _, d := range root.AllowedDepths {
		for _, v := range d.Visuals {
			if v.VisualId == visual {
				if v.Class != xproto.VisualClassTrueColor && v.Class != xproto.VisualClassDirectColor {
					return f, fmt.Errorf("the X screen uses a colour map (visual class %d): only true-colour screens can be read", v.Class)
				}
				f.red, f.green, f.blue = v.RedMask, v.GreenMask, v.BlueMask
			}
		}
	}
	if f.bitsPerPixel == 0 || f.red == 0 {
		return f, fmt.Errorf("the X server described no pixel format for depth %d", depth)
	}
	return f, nil
}

// getImage is xproto.GetImage(…).Reply() without its copy of the pixels:
// the reply's data is sliced out of the buffer it was read into, the 32-byte
// header that the X protocol fixes, read as xproto reads it. On a 1080p
// screen that is 8 MB less to allocate and copy.
func getImage(conn *xgb.Conn, window xproto.Window, w, h int) (*xproto.GetImageReply, error) {
	buf, err := xproto.GetImage(conn, xproto.ImageFormatZPixmap, xproto.Drawable(window),
		0, 0, uint16(w), uint16(h), ^uint32(0)).Cookie.Reply()
	if err != nil {
		return nil, err
	}
	const header = 32
	if len(buf) < header {
		return nil, fmt.Errorf("the X server sent a GetImage reply of %d bytes", len(buf))
	}
	size := int(xgb.Get32(buf[4:])) * 4
	if len(buf) < header+size {
		return nil, fmt.Errorf("the X server sent %d bytes of a %d-byte image", len(buf)-header, size)
	}
	return &xproto.GetImageReply{
		Depth:  buf[1],
		Length: uint32(size / 4),
		Visual: xproto.Visualid(xgb.Get32(buf[8:])),
		Data:   buf[header : header+size],
	}, nil
}

// pixelFormat is how an X server lays out the pixels of a ZPixmap image.
type pixelFormat struct {
	bitsPerPixel     int
	stride           int // bytes per row, padding included
	msbFirst         bool
	red, green, blue uint32 // the visual's masks
}

// toRGBA converts a ZPixmap image to RGBA; the pixels of the common layout
// are converted in place, in data.
func (f pixelFormat) toRGBA(data []byte, w, h int) (*image.RGBA, error) {
	if w <= 0 || h <= 0 {
		return nil, fmt.Errorf("the X screen is %d×%d pixels", w, h)
	}
	bpp := f.bitsPerPixel / 8
	if (bpp != 2 && bpp != 3 && bpp != 4) || f.bitsPerPixel%8 != 0 {
		return nil, fmt.Errorf("the X server sends %d bits a pixel: only 16, 24 and 32 can be read", f.bitsPerPixel)
	}
	if f.stride < w*bpp || len(data) < f.stride*(h-1)+w*bpp {
		return nil, fmt.Errorf("the X server sent %d bytes for a %d×%d image", len(data), w, h)
	}
	// The common case: 32-bit pixels B, G, R, unused, in that byte order.
	if bpp == 4 && !f.msbFirst && f.red == 0xff0000 && f.green == 0xff00 && f.blue == 0xff {
		pix := data[:f.stride*(h-1)+w*4]
		for y := 0; y < h; y++ {
			row := pix[y*f.stride : y*f.stride+w*4]
			for x := 0; x < len(row); x += 4 {
				row[x], row[x+2], row[x+3] = row[x+2], row[x], 0xff
			}
		}
		return &image.RGBA{Pix: pix, Stride: f.stride, Rect: image.Rect(0, 0, w, h)}, nil
	}
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	r, g, b := newChannel(f.red), newChannel(f.green), newChannel(f.blue)
	for y := 0; y < h; y++ {
		row := data[y*f.stride:]
		dst := img.Pix[y*img.Stride:]
		for x := 0; x < w; x++ {
			var v uint32
			p := row[x*bpp : x*bpp+bpp]
			for i := range p {
				if f.msbFirst {
					v = v<<8 | uint32(p[i])
				} else {
					v |= uint32(p[i]) << (8 * i)
				}
			}
			dst[4*x], dst[4*x+1], dst[4*x+2], dst[4*x+3] = r.value(v), g.value(v), b.value(v), 0xff
		}
	}
	return img, nil
}

// channel extracts one colour from a pixel through its mask, scaled to 8
// bits.
type channel struct {
	mask  uint32
	shift int
	max   uint32
}

func newChannel(mask uint32) channel {
	shift := bits.TrailingZeros32(mask)
	return channel{mask, shift, mask >> shift}
}

func (c channel) value(pixel uint32) uint8 {
	if c.max == 0 {
		return 0
	}
	return uint8(((pixel & c.mask) >> c.shift) * 255 / c.max)
}
