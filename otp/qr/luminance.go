package qr

import (
	"image"
	"image/color"
	"runtime"
	"sync"
)

// weights are the factors of R, G and B in a luminance, out of 1024.
type weights struct{ r, g, b uint }

var (
	// avgWeights are gozxing's, (R+2G+B)/4. They give green less weight
	// than BT.601 and blue more, which on the ZXing photo sets decodes
	// more images than BT.601 (qrcode-1: 19 of 20 against 17 at 0°).
	avgWeights = weights{256, 512, 256}
	// bt601Weights are the BT.601 luma's, also used by JPEG's Y plane and by
	// ZXing's BufferedImageLuminanceSource. Dark blue or red modules are
	// darker with them, which decodes some coloured codes that avgWeights
	// misses (ZXing qrcode-2/25.png).
	bt601Weights = weights{306, 601, 117}
)

// luminance returns the image as one byte per pixel, row-major, 0 black to
// 255 white, with transparent pixels composited onto white (a QR code
// exported with a transparent background is dark modules on nothing).
// colour reports whether the weights mattered, that is, whether the image
// can have pixels that are not grey.
//
// gozxing.NewLuminanceSourceFromImage does the same through img.At, which
// converts each pixel through an interface: about 200 ms for a 5K
// screenshot. The image types that the decoders of the supported formats
// return are read here directly from their pixel slices, split across the
// CPUs. For YCbCr (JPEG), the decoded Y plane is the luminance: it is
// returned as is, not copied, when its rows are contiguous, as are a Gray
// image's pixels. Nothing writes to lum. (Over largeImage pixels the Y plane
// is copied: shared, it would keep the chroma planes with it, up to twice
// its size.)
func luminance(img image.Image, wt weights) (lum []byte, w, h int, colour bool) {
	b := img.Bounds()
	w, h = b.Dx(), b.Dy()
	switch m := img.(type) {
	case *image.YCbCr:
		if i := m.YOffset(b.Min.X, b.Min.Y); m.YStride == w && len(m.Y) >= i+w*h && w*h <= largeImage {
			return m.Y[i : i+w*h : i+w*h], w, h, false
		}
	case *image.Gray:
		if i := m.PixOffset(b.Min.X, b.Min.Y); m.Stride == w && len(m.Pix) >= i+w*h {
			return m.Pix[i : i+w*h : i+w*h], w, h, false
		}
	}
	lum = make([]byte, w*h)
	colour = true
	var row func(y int, dst []byte) // fills dst with row y (0-based)
	switch m := img.(type) {
	case *image.Gray:
		colour = false
		row = func(y int, dst []byte) {
			i := m.PixOffset(b.Min.X, b.Min.Y+y)
			copy(dst, m.Pix[i:i+w])
		}
	case *image.YCbCr:
		colour = false
		row = func(y int, dst []byte) {
			i := m.YOffset(b.Min.X, b.Min.Y+y)
			copy(dst, m.Y[i:i+w])
		}
	case *image.RGBA:
		row = func(y int, dst []byte) {
			i := m.PixOffset(b.Min.X, b.Min.Y+y)
			p := m.Pix[i : i+4*w : i+4*w]
			for x := range dst {
				q := p[4*x : 4*x+4 : 4*x+4]
				// Premultiplied: composite onto white by adding 255-A.
				dst[x] = byte(wt.luma(uint(q[0]), uint(q[1]), uint(q[2])) + 255 - uint(q[3]))
			}
		}
	case *image.NRGBA:
		row = func(y int, dst []byte) {
			i := m.PixOffset(b.Min.X, b.Min.Y+y)
			p := m.Pix[i : i+4*w : i+4*w]
			for x := range dst {
				q := p[4*x : 4*x+4 : 4*x+4]
				dst[x] = onWhite(wt.luma(uint(q[0]), uint(q[1]), uint(q[2])), uint(q[3]))
			}
		}
	case *image.Gray16:
		colour = false
		row = func(y int, dst []byte) {
			i := m.PixOffset(b.Min.X, b.Min.Y+y)
			p := m.Pix[i : i+2*w : i+2*w]
			for x := range dst {
				dst[x] = p[2*x] // big-endian: the high byte
			}
		}
	case *image.RGBA64:
		// 16-bit PNGs: the high bytes are enough.
		row = func(y int, dst []byte) {
			i := m.PixOffset(b.Min.X, b.Min.Y+y)
			p := m.Pix[i : i+8*w : i+8*w]
			for x := range dst {
				q := p[8*x : 8*x+8 : 8*x+8]
				dst[x] = byte(wt.luma(uint(q[0]), uint(q[2]), uint(q[4])) + 255 - uint(q[6]))
			}
		}
	case *image.NRGBA64:
		row = func(y int, dst []byte) {
			i := m.PixOffset(b.Min.X, b.Min.Y+y)
			p := m.Pix[i : i+8*w : i+8*w]
			for x := range dst {
				q := p[8*x : 8*x+8 : 8*x+8]
				dst[x] = onWhite(wt.luma(uint(q[0]), uint(q[2]), uint(q[4])), uint(q[6]))
			}
		}
	case *image.Paletted:
		// PNG and GIF QR codes are usually 1- or 2-bit palette images.
		var lut [256]byte
		colour = false
		for i, c := range m.Palette {
			lut[i] = wt.lum16(c)
			if r, g, b, _ := c.RGBA(); r != g || g != b {
				colour = true
			}
		}
		row = func(y int, dst []byte) {
			i := m.PixOffset(b.Min.X, b.Min.Y+y)
			for x, p := range m.Pix[i : i+w] {
				dst[x] = lut[p]
			}
		}
	default:
		row = func(y int, dst []byte) {
			for x := range dst {
				dst[x] = wt.lum16(img.At(b.Min.X+x, b.Min.Y+y))
			}
		}
	}
	parallelRows(h, func(y0, y1 int) {
		for y := y0; y < y1; y++ {
			row(y, lum[y*w:(y+1)*w])
		}
	})
	return lum, w, h, colour
}

// onWhite is luminance l of a pixel of (not premultiplied) alpha a,
// composited onto white.
func onWhite(l, a uint) byte {
	if a != 255 {
		l = (l*a + 255*(255-a)) / 255
	}
	return byte(l)
}

// lum16 is the luminance of c composited onto white.
func (wt weights) lum16(c color.Color) byte {
	r, g, b, a := c.RGBA() // premultiplied, 16 bits
	return byte(wt.luma(uint(r>>8), uint(g>>8), uint(b>>8)) + 255 - uint(a>>8))
}

// luma is the luminance of 8-bit R, G, B.
func (wt weights) luma(r, g, b uint) uint {
	return (wt.r*r + wt.g*g + wt.b*b) >> 10
}

// parallelRows calls f on disjoint bands of [0, h) covering it, one per CPU,
// and waits for them. Small images are done on the calling goroutine.
func parallelRows(h int, f func(y0, y1 int)) {
	n := runtime.GOMAXPROCS(0)
	if n > 8 {
		n = 8
	}
	if n < 2 || h < 256 {
		f(0, h)
		return
	}
	var wg sync.WaitGroup
	for i := range n {
		y0, y1 := h*i/n, h*(i+1)/n
		wg.Add(1)
		go func() {
			defer wg.Done()
			f(y0, y1)
		}()
	}
	wg.Wait()
}
