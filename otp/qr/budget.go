package qr

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"strings"
)

// maxDecodeBytes bounds the memory that decoding one image may take at its
// peak: the file, what the format's decoder allocates, and the luminance
// made of its result. The search then holds the luminance and about 2.5
// bytes a pixel of its own, at most 350 MB at MaxPixels, so that no image
// Decode accepts takes vmfa past 600 MiB.
const maxDecodeBytes = 512 << 20

// largeImage is the size, in pixels, above which memory is saved over time:
// a colour image is searched with one weighting only (its file or image
// would otherwise have to be kept for the second; see DecodeImage), a JPEG's
// luminance is copied out of its image rather than shared with it, and the
// garbage of decoding is collected before the search starts. It is above a
// 5K screen (14.7 megapixels).
const largeImage = 16_000_000

// minSide is the side of the smallest QR code, version 1, at a pixel a
// module without its quiet zone. A narrower image holds no code, and is not
// searched: gozxing's bit matrices take 4 bytes a row however narrow the
// rows, 400 MB for a 1×100 000 000 image.
const minSide = 21

// errMemory refuses an image whose decoding would take need bytes.
func errMemory(format string, cfg image.Config, need int64) error {
	return &tooLargeError{fmt.Sprintf("decoding this %d×%d %s would take %d MB of memory, over the %d MB limit; save it as PNG",
		cfg.Width, cfg.Height, strings.ToUpper(format), need>>20, maxDecodeBytes>>20)}
}

// decodingBytes estimates the memory that image.Decode takes at its peak on
// data, an image of the format and size of cfg, with data itself and the
// luminance made of the result. The estimates follow what the decoders of
// the standard library and golang.org/x/image allocate, erring high.
func decodingBytes(format string, data []byte, cfg image.Config) int64 {
	pixels := int64(cfg.Width) * int64(cfg.Height)
	var decoder int64
	switch format {
	case "jpeg":
		decoder = jpegBytes(data, cfg)
	case "tiff":
		decoder = tiffBytes(data, cfg)
	case "webp":
		decoder = webpBytes(data, cfg)
	case "png":
		decoder = pngBytes(data, cfg)
	case "gif": // a palette image, whatever the file's palettes
		decoder = pixels
	default: // BMP: the image, and a row
		decoder = pixels * modelBytes(cfg.ColorModel)
	}
	return int64(len(data)) + decoder + pixels
}

// modelBytes is the size of a pixel of the image types the decoders return
// in the colour model m.
func modelBytes(m color.Model) int64 {
	switch m {
	case color.GrayModel:
		return 1
	case color.Gray16Model:
		return 2
	case color.RGBAModel, color.NRGBAModel, color.CMYKModel:
		return 4
	}
	if _, ok := m.(color.Palette); ok {
		return 1
	}
	return 8
}

// pngBytes is image/png's memory for the PNGs that pngLuminance leaves to
// it (palettes, fewer than 8 bits, damaged files): its image, whose pixels
// grow to 4 or 8 bytes with a transparent colour (tRNS), and for an
// interlaced image the passes' images besides, half the image at most.
func pngBytes(data []byte, cfg image.Config) int64 {
	per := modelBytes(cfg.ColorModel)
	interlaced := len(data) > 28 && data[28] != 0 // IHDR's last byte
	if i := bytes.Index(data, []byte("IDAT")); i > 0 && bytes.Contains(data[:i], []byte("tRNS")) {
		switch cfg.ColorModel {
		case color.GrayModel, color.RGBAModel:
			per = 4
		case color.Gray16Model, color.RGBA64Model:
			per = 8
		}
	}
	n := int64(cfg.Width) * int64(cfg.Height) * per
	if interlaced {
		n += n / 2
	}
	return n
}

// jpegBytes is image/jpeg's memory: the planes of its image, at the
// sampling of each component and rounded up to whole blocks; for a
// progressive JPEG, the coefficients of every block besides, 4 bytes each
// (4 times the planes); and an RGBA or CMYK image converted from the planes
// for RGB and CMYK JPEGs. From the frame header (SOF), or, if it is not
// found, the largest of these.
func jpegBytes(data []byte, cfg image.Config) int64 {
	pixels := int64(cfg.Width) * int64(cfg.Height)
	worst := pixels * (4*5*2 + 4) // four components, progressive, padded
	marker, sof, adobeRGB := jpegFrame(data)
	if sof == nil || len(sof) < 6 {
		return worst
	}
	n, comps := int(sof[5]), sof[6:]
	if n < 1 || n > 4 || len(comps) < 3*n {
		return worst
	}
	factors := func(i int) (h, v int64) {
		if n == 1 { // grey: image/jpeg ignores its sampling
			return 1, 1
		}
		return int64(comps[3*i+1] >> 4), int64(comps[3*i+1] & 15)
	}
	hmax, vmax := int64(1), int64(1)
	for i := range n {
		h, v := factors(i)
		hmax, vmax = max(hmax, h), max(vmax, v)
	}
	mxx := (int64(cfg.Width) + 8*hmax - 1) / (8 * hmax)
	myy := (int64(cfg.Height) + 8*vmax - 1) / (8 * vmax)
	var planes int64
	for i := range n {
		h, v := factors(i)
		planes += 64 * mxx * myy * h * v
	}
	total := planes
	if marker == 0xc2 { // progressive
		total += 4 * planes
	}
	rgb := n == 3 && (adobeRGB || comps[0] == 'R' && comps[3] == 'G' && comps[6] == 'B')
	if n == 4 || rgb {
		total += 4 * 64 * mxx * myy * hmax * vmax
	}
	return total
}

// jpegFrame returns the marker and the body of a JPEG's frame header (SOF0,
// 1 or 2, the ones image/jpeg reads): precision, height (2 bytes), width (2),
// components, then 3 bytes a component. adobeRGB reports an Adobe segment
// saying the components are RGB (transform 0). sof is nil if no frame
// header comes before the first scan. Bytes between segments are skipped,
// as image/jpeg skips them.
func jpegFrame(data []byte) (marker byte, sof []byte, adobeRGB bool) {
	p := 2 // after SOI
	for p+4 <= len(data) {
		if data[p] != 0xff {
			p++
			continue
		}
		m := data[p+1]
		if m == 0xff { // fill byte
			p++
			continue
		}
		if m == 0x00 || m == 0x01 || m >= 0xd0 && m <= 0xd7 { // no length
			p += 2
			continue
		}
		n := int(binary.BigEndian.Uint16(data[p+2:]))
		if n < 2 || p+2+n > len(data) {
			return 0, nil, adobeRGB
		}
		body := data[p+4 : p+2+n]
		switch {
		case m == 0xc0 || m == 0xc1 || m == 0xc2:
			return m, body, adobeRGB
		case m == 0xda: // start of scan
			return 0, nil, adobeRGB
		case m == 0xee && len(body) >= 12 && bytes.HasPrefix(body, []byte("Adobe")):
			adobeRGB = body[11] == 0
		}
		p += 2 + n
	}
	return 0, nil, adobeRGB
}

// webpBytes is golang.org/x/image/webp's memory: a lossy image is decoded
// into 4:2:0 planes of whole 16-pixel macroblocks; a lossless one, and the
// alpha of a lossy one, into 4 bytes a pixel, which colour indexing copies
// into as many again. (Not counted: the Huffman tables of a lossless image,
// which grow with the file rather than with the pixels.)
func webpBytes(data []byte, cfg image.Config) int64 {
	pixels := int64(cfg.Width) * int64(cfg.Height)
	planes := (int64(cfg.Width+15) &^ 15) * (int64(cfg.Height+15) &^ 15) * 3 / 2
	if len(data) >= 16 {
		switch string(data[12:16]) {
		case "VP8 ":
			return planes
		case "VP8L":
			return 8 * pixels
		}
	}
	return planes + pixels + 8*pixels // extended: lossy with alpha, or lossless
}

// tiffBytes is golang.org/x/image/tiff's memory: its image, and the buffer
// into which it reads a strip or tile at a time. A compressed strip is read
// into a bytes.Buffer up to 8 bytes a pixel, whatever the image's depth,
// which the buffer's doubling (the old and the new array at once) takes to
// 24 bytes a pixel of the strip at worst.
func tiffBytes(data []byte, cfg image.Config) int64 {
	block := tiffBlock(data, cfg)
	return int64(cfg.Width)*int64(cfg.Height)*modelBytes(cfg.ColorModel) + 24*block
}

// tiffBlock returns the pixels of the largest strip or tile of a TIFF, from
// the tags of its first image (the one image/tiff decodes): RowsPerStrip,
// TileWidth and TileLength. Without them a strip is the whole image.
func tiffBlock(data []byte, cfg image.Config) int64 {
	whole := int64(cfg.Width) * int64(cfg.Height)
	if len(data) < 8 {
		return whole
	}
	var order binary.ByteOrder = binary.LittleEndian
	if data[0] == 'M' {
		order = binary.BigEndian
	}
	ifd := int64(order.Uint32(data[4:]))
	if ifd+2 > int64(len(data)) {
		return whole
	}
	count := int64(order.Uint16(data[ifd:]))
	tags := map[uint16]int64{}
	for i := range count {
		e := ifd + 2 + 12*i
		if e+12 > int64(len(data)) {
			break
		}
		tag, typ := order.Uint16(data[e:]), order.Uint16(data[e+2:])
		switch typ {
		case 3: // SHORT
			tags[tag] = int64(order.Uint16(data[e+8:]))
		case 4: // LONG
			tags[tag] = int64(order.Uint32(data[e+8:]))
		}
	}
	if tw, tl := tags[322], tags[323]; tw > 0 && tl > 0 {
		return tw * tl
	}
	if rows := tags[278]; rows > 0 && rows < int64(cfg.Height) {
		return rows * int64(cfg.Width)
	}
	return whole
}
