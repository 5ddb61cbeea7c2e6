package qr

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
)

// pngLuminance decodes a PNG straight to luminance, as luminance would
// compute it from image/png's result, when the PNG is of the kinds that
// screenshots are: 8 bits per channel, grey, grey and alpha, RGB or RGBA,
// not interlaced, without a tRNS chunk. ok is false for any other PNG and for
// any error, which the caller leaves to image/png, with its error messages.
//
// On a 5K screenshot image/png takes 3 times as long as inflating the
// pixels alone (filtering, and a 59 MB RGBA image to allocate and fill), and
// luminance another pass over them. Here the inflating runs on one
// goroutine while the caller undoes the rows' filters and converts them, a
// few rows at a time, into the luminance, skipping rows equal to the one
// above: a quarter of image/png's time, luminance's saved as well
// (BenchmarkFileDecodePNG5K against BenchmarkPNGLuminance5K).
func pngLuminance(data []byte, wt weights, maxPixels int) (lum []byte, w, h int, colour, ok bool) {
	defer func() {
		// A bug on crafted input: the caller falls back to image/png, which
		// reports the file as corrupt. FuzzPNGLuminance calls readPNG, so
		// that such a bug fails it rather than hides here.
		if recover() != nil {
			lum, ok = nil, false
		}
	}()
	return readPNG(data, wt, maxPixels)
}

// readPNG is pngLuminance without its recover.
func readPNG(data []byte, wt weights, maxPixels int) (lum []byte, w, h int, colour, ok bool) {
	hdr, idat, err := pngChunks(data)
	if err != nil {
		return nil, 0, 0, false, false
	}
	w, h = int(hdr.width), int(hdr.height)
	if w <= 0 || h <= 0 || int64(w)*int64(h) > int64(maxPixels) {
		return nil, 0, 0, false, false
	}
	var channels int
	switch hdr.colourType {
	case 0:
		channels = 1
	case 4:
		channels = 2
	case 2:
		channels, colour = 3, true
	case 6:
		channels, colour = 4, true
	default:
		return nil, 0, 0, false, false
	}
	lum = make([]byte, w*h)
	if err := inflateRows(idat, w*channels, h, func(y int, row []byte) {
		if row == nil {
			copy(lum[y*w:(y+1)*w], lum[(y-1)*w:y*w])
			return
		}
		toLuminance(lum[y*w:(y+1)*w], row, channels, wt)
	}, channels); err != nil {
		return nil, 0, 0, false, false
	}
	return lum, w, h, colour, true
}

type pngHeader struct {
	width, height                                     uint32
	depth, colourType, compression, filter, interlace byte
}

var errPNGKind = errors.New("not a PNG this decoder reads")

// pngChunks checks the signature and the chunks' CRCs, and returns the
// header and the IDAT chunks' data, joined as a reader. It refuses the
// kinds of PNG that pngLuminance leaves to image/png.
func pngChunks(data []byte) (hdr pngHeader, idat io.Reader, err error) {
	if !bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")) {
		return hdr, nil, errPNGKind
	}
	p := data[8:]
	var parts []io.Reader
	for i := 0; ; i++ {
		if len(p) < 12 {
			return hdr, nil, errPNGKind
		}
		n := binary.BigEndian.Uint32(p)
		if uint64(n) > uint64(len(p)-12) {
			return hdr, nil, errPNGKind
		}
		typ, body := string(p[4:8]), p[8:8+n]
		if crc32.ChecksumIEEE(p[4:8+n]) != binary.BigEndian.Uint32(p[8+n:]) {
			return hdr, nil, errPNGKind
		}
		p = p[12+n:]
		switch {
		case i == 0:
			if typ != "IHDR" || n != 13 {
				return hdr, nil, errPNGKind
			}
			hdr = pngHeader{
				width: binary.BigEndian.Uint32(body), height: binary.BigEndian.Uint32(body[4:]),
				depth: body[8], colourType: body[9], compression: body[10], filter: body[11], interlace: body[12],
			}
			if hdr.depth != 8 || hdr.compression != 0 || hdr.filter != 0 || hdr.interlace != 0 {
				return hdr, nil, errPNGKind
			}
		case typ == "IDAT":
			parts = append(parts, bytes.NewReader(body))
		case typ == "tRNS":
			// A transparent colour: rare in screenshots, left to image/png.
			return hdr, nil, errPNGKind
		case typ == "IEND":
			if len(parts) == 0 {
				return hdr, nil, errPNGKind
			}
			return hdr, io.MultiReader(parts...), nil
		}
	}
}

// inflateRows inflates the zlib stream z of h filtered rows of stride
// bytes (plus the filter byte), undoes the filters and calls f with each
// row in order, or with nil for a row the same as the one before. bpp is
// the bytes per pixel, which the filters work by.
//
// A goroutine inflates batches of rows ahead while f runs.
//
// A row the same as the one above is stored by every PNG encoder as the
// "up" filter and zeros: 93% of the rows of the 5K fixture. They are
// recognised 8 bytes at a time, and neither unfiltered nor converted.
//
// The stream's Adler-32 checksum is not checked: the chunks' CRCs, checked
// by pngChunks, already guard the compressed bytes, and summing 59 MB of
// inflated pixels would take 15 ms of a 5K screenshot's 50.
func inflateRows(z io.Reader, stride, h int, f func(y int, row []byte), bpp int) error {
	const batchBytes = 256 << 10
	rowsPerBatch := max(1, batchBytes/(stride+1))
	// A small image is inflated on the calling goroutine (a goroutine
	// would cost more in hand-overs, milliseconds each on a busy machine,
	// than it saves), a few rows at a time: in a fresh process every new
	// page of memory is a page fault.
	small := h <= 4*rowsPerBatch
	if small {
		rowsPerBatch = min(rowsPerBatch, 16)
	}
	type batch struct {
		buf  []byte
		rows int // 0 at the end of the stream
		err  error
	}
	// inflate fills batches from next and hands them to emit, until
	// the end of the stream, an error, or next returning nil.
	inflate := func(next func() *batch, emit func(*batch)) {
		zr, err := deflateStream(z)
		for y := 0; y < h; y += rowsPerBatch {
			b := next()
			if b == nil {
				return
			}
			b.rows = min(rowsPerBatch, h-y)
			if err == nil {
				_, err = io.ReadFull(zr, b.buf[:b.rows*(stride+1)])
			}
			b.err = err
			emit(b)
			if err != nil {
				return
			}
		}
		// The end of the stream must come next.
		b := next()
		if b == nil {
			return
		}
		b.rows, b.err = 0, nil
		if n, err := zr.Read(b.buf[:1]); n > 0 {
			b.err = errors.New("png: too much pixel data")
		} else if err != io.EOF {
			b.err = err
		}
		emit(b)
	}

	prev, cur := make([]byte, stride), make([]byte, stride)
	y := 0
	// rows unfilters and passes on the rows of b; it returns false at the
	// end or on an error, left in b.err.
	rows := func(b *batch) bool {
		if b.err != nil || b.rows == 0 {
			return false
		}
		for i := range b.rows {
			raw := b.buf[i*(stride+1) : (i+1)*(stride+1)]
			if raw[0] == 2 && y > 0 && zeros(raw[1:]) {
				f(y, nil) // prev stays the previous row
				y++
				continue
			}
			copy(cur, raw[1:])
			if !unfilter(raw[0], cur, prev, bpp) {
				b.err = errors.New("png: bad filter type")
				return false
			}
			f(y, cur)
			y++
			prev, cur = cur, prev
		}
		return true
	}

	if small {
		b := &batch{buf: make([]byte, rowsPerBatch*(stride+1))}
		more := true
		inflate(func() *batch {
			if !more {
				return nil
			}
			return b
		}, func(b *batch) { more = rows(b) })
		return b.err
	}

	const nbatch = 3
	free := make(chan *batch, nbatch)
	full := make(chan *batch, nbatch)
	done := make(chan struct{})
	defer close(done)
	for range nbatch {
		free <- &batch{buf: make([]byte, rowsPerBatch*(stride+1))}
	}
	go inflate(func() *batch {
		select {
		case b := <-free:
			return b
		case <-done:
			return nil
		}
	}, func(b *batch) { full <- b })
	for {
		b := <-full
		if !rows(b) {
			return b.err
		}
		free <- b
	}
}

// deflateStream returns the deflate stream inside the zlib stream z,
// after checking its header (RFC 1950): deflate, no preset dictionary.
func deflateStream(z io.Reader) (io.Reader, error) {
	var hdr [2]byte
	if _, err := io.ReadFull(z, hdr[:]); err != nil {
		return nil, err
	}
	if hdr[0]&0x0f != 8 || hdr[0]>>4 > 7 || hdr[1]&0x20 != 0 || (uint(hdr[0])<<8|uint(hdr[1]))%31 != 0 {
		return nil, errors.New("png: bad zlib header")
	}
	return flate.NewReader(z), nil
}

// zeros reports whether p is all zero bytes.
func zeros(p []byte) bool {
	for len(p) >= 8 {
		if binary.LittleEndian.Uint64(p) != 0 {
			return false
		}
		p = p[8:]
	}
	for _, b := range p {
		if b != 0 {
			return false
		}
	}
	return true
}

// unfilter undoes PNG filter type ft on the row cur, given the previous
// row prev (zeros for the first row) and bpp bytes per pixel. It reports
// whether ft is a valid filter type.
func unfilter(ft byte, cur, prev []byte, bpp int) bool {
	switch ft {
	case 0: // none
	case 1: // sub: plus the byte a pixel to the left
		for i := bpp; i < len(cur); i++ {
			cur[i] += cur[i-bpp]
		}
	case 2: // up: plus the byte above
		for i := range cur {
			cur[i] += prev[i]
		}
	case 3: // average of left and above
		for i := range bpp {
			cur[i] += prev[i] / 2
		}
		for i := bpp; i < len(cur); i++ {
			cur[i] += byte((int(cur[i-bpp]) + int(prev[i])) / 2)
		}
	case 4: // Paeth: plus whichever of left, above, above-left is nearest left+above-above-left
		for i := range bpp {
			cur[i] += prev[i] // left and above-left are 0: above wins
		}
		for i := bpp; i < len(cur); i++ {
			a, b, c := int(cur[i-bpp]), int(prev[i]), int(prev[i-bpp])
			pa, pb, pc := b-c, a-c, a+b-2*c
			pa, pb, pc = max(pa, -pa), max(pb, -pb), max(pc, -pc)
			switch {
			case pa <= pb && pa <= pc:
				cur[i] += byte(a)
			case pb <= pc:
				cur[i] += byte(b)
			default:
				cur[i] += byte(c)
			}
		}
	default:
		return false
	}
	return true
}

// toLuminance converts one unfiltered row of 8-bit samples, channels per
// pixel (grey, grey+alpha, RGB, RGBA, alpha not premultiplied), into dst as
// luminance does, transparent pixels composited onto white.
func toLuminance(dst, row []byte, channels int, wt weights) {
	switch channels {
	case 1:
		copy(dst, row)
	case 2:
		for x := range dst {
			dst[x] = onWhite(uint(row[2*x]), uint(row[2*x+1]))
		}
	case 3:
		row = row[:3*len(dst)]
		for x := range dst {
			q := row[3*x : 3*x+3 : 3*x+3]
			dst[x] = byte(wt.luma(uint(q[0]), uint(q[1]), uint(q[2])))
		}
	case 4:
		row = row[:4*len(dst)]
		// Screenshots are runs of one colour: a pixel like the one
		// before it has its luminance.
		last, l := uint32(0), byte(255) // transparent black is white
		for x := range dst {
			q := row[4*x : 4*x+4 : 4*x+4]
			if p := binary.LittleEndian.Uint32(q); p != last {
				last = p
				l = onWhite(wt.luma(uint(q[0]), uint(q[1]), uint(q[2])), uint(q[3]))
			}
			dst[x] = l
		}
	}
}
