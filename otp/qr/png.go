package qr

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
)

// pngLuminance decodes a PNG straight to luminance, as luminance would
// compute it from image/png's result, when the PNG is of the kinds that
// screenshots and large images are: 8 or 16 bits per channel, grey, grey and
// alpha, RGB or RGBA, interlaced or not, with or without a transparent colour
// (tRNS). It returns errPNGKind for the other kinds (palettes, fewer than 8
// bits), which image/png decodes to a byte a pixel at most, and another error
// for a file it cannot read, which the caller may still hand to image/png
// for its error message.
//
// On a 5K screenshot image/png takes 3 times as long as inflating the
// pixels alone (filtering, and a 59 MB RGBA image to allocate and fill), and
// luminance another pass over them. Here the inflating runs on one
// goroutine while the caller undoes the rows' filters and converts them, a
// few rows at a time, into the luminance, skipping rows equal to the one
// above: a quarter of image/png's time, luminance's saved as well
// (BenchmarkFileDecodePNG5K against BenchmarkPNGLuminance5K).
//
// Memory is the other reason: the luminance is a byte a pixel, where
// image/png's image of a 16-bit PNG is 8, and its interlaced images are
// decoded pass by pass and merged.
func pngLuminance(data []byte, wt weights, maxPixels int) (lum []byte, w, h int, colour bool, err error) {
	defer func() {
		// A bug on crafted input: the caller falls back to image/png, which
		// reports the file as corrupt. FuzzPNGLuminance calls readPNG, so
		// that such a bug fails it rather than hides here.
		if p := recover(); p != nil {
			lum, err = nil, fmt.Errorf("png: %v", p)
		}
	}()
	return readPNG(data, wt, maxPixels)
}

// readPNG is pngLuminance without its recover.
func readPNG(data []byte, wt weights, maxPixels int) (lum []byte, w, h int, colour bool, err error) {
	hdr, idat, key, err := pngChunks(data)
	if err != nil {
		return nil, 0, 0, false, err
	}
	w, h = int(hdr.width), int(hdr.height)
	if w <= 0 || h <= 0 || int64(w)*int64(h) > int64(maxPixels) {
		return nil, 0, 0, false, errPNGKind
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
	}
	sample := int(hdr.depth) / 8 // bytes
	pixel := channels * sample
	passes := []pngPass{{0, 0, 1, 1, w, h}}
	if hdr.interlace == 1 {
		passes = adam7(w, h)
	}
	spans := make([]span, len(passes))
	widest := 0
	for i, p := range passes {
		spans[i] = span{stride: p.w * pixel, rows: p.h}
		widest = max(widest, p.w)
	}
	// narrow holds a 16-bit row's high bytes, which are what luminance
	// reads of image/png's 16-bit images; line holds a pass's row of
	// luminance before it is spread over the image.
	var narrow, line []byte
	if sample == 2 {
		narrow = make([]byte, widest*channels)
	}
	if hdr.interlace == 1 {
		line = make([]byte, widest)
	}
	convert := func(dst, row []byte) {
		src := row
		if sample == 2 {
			src = narrow[:len(dst)*channels]
			for i := range src {
				src[i] = row[2*i]
			}
		}
		toLuminance(dst, src, channels, wt)
		if key != nil {
			// The transparent colour, compared in full, is white.
			for x := range dst {
				if bytes.Equal(row[x*pixel:(x+1)*pixel], key) {
					dst[x] = 255
				}
			}
		}
	}
	lum = make([]byte, w*h)
	err = inflateRows(idat, spans, pixel, func(s, y int, row []byte) {
		if hdr.interlace == 0 {
			dst := lum[y*w : (y+1)*w]
			if row == nil {
				copy(dst, lum[(y-1)*w:y*w])
			} else {
				convert(dst, row)
			}
			return
		}
		p := passes[s]
		l := line[:p.w]
		if row != nil { // else the row before, still in line
			convert(l, row)
		}
		i := (p.y0+y*p.dy)*w + p.x0
		for _, v := range l {
			lum[i] = v
			i += p.dx
		}
	})
	if err != nil {
		return nil, 0, 0, false, err
	}
	return lum, w, h, colour, nil
}

// A pngPass is a pass of an interlaced PNG: the w×h pixels at (x0+i*dx,
// y0+j*dy). A PNG that is not interlaced is one pass of all its pixels.
type pngPass struct{ x0, y0, dx, dy, w, h int }

// adam7 returns the non-empty passes of a w×h PNG interlaced with Adam7.
func adam7(w, h int) []pngPass {
	var passes []pngPass
	for _, p := range [7]pngPass{{0, 0, 8, 8, 0, 0}, {4, 0, 8, 8, 0, 0}, {0, 4, 4, 8, 0, 0}, {2, 0, 4, 4, 0, 0}, {0, 2, 2, 4, 0, 0}, {1, 0, 2, 2, 0, 0}, {0, 1, 1, 2, 0, 0}} {
		p.w, p.h = (w-p.x0+p.dx-1)/p.dx, (h-p.y0+p.dy-1)/p.dy
		if p.w > 0 && p.h > 0 { // an empty pass has no bytes at all
			passes = append(passes, p)
		}
	}
	return passes
}

type pngHeader struct {
	width, height                                     uint32
	depth, colourType, compression, filter, interlace byte
}

var (
	errPNGKind = errors.New("not a PNG this decoder reads")
	// The errors of a damaged PNG are image/png's.
	errPNGTruncated = errors.New("png: invalid format: not enough pixel data")
	errPNGChecksum  = errors.New("png: invalid format: invalid checksum")
	errPNGTooMuch   = errors.New("png: invalid format: too much pixel data")
	errPNGFilter    = errors.New("png: invalid format: bad filter type")
)

// pngChunks checks the signature and the chunks' CRCs, and returns the
// header, the IDAT chunks' data joined as a reader, and the transparent
// colour (tRNS) as the bytes of a pixel of that colour, or nil. It returns
// errPNGKind for the kinds of PNG that pngLuminance leaves to image/png.
func pngChunks(data []byte) (hdr pngHeader, idat io.Reader, key []byte, err error) {
	if !bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")) {
		return hdr, nil, nil, errPNGKind
	}
	p := data[8:]
	var parts []io.Reader
	for i := 0; ; i++ {
		if len(p) < 12 {
			return hdr, nil, nil, errPNGTruncated
		}
		n := binary.BigEndian.Uint32(p)
		if uint64(n) > uint64(len(p)-12) {
			return hdr, nil, nil, errPNGTruncated
		}
		typ, body := string(p[4:8]), p[8:8+n]
		if crc32.ChecksumIEEE(p[4:8+n]) != binary.BigEndian.Uint32(p[8+n:]) {
			return hdr, nil, nil, errPNGChecksum
		}
		p = p[12+n:]
		switch {
		case i == 0:
			if typ != "IHDR" || n != 13 {
				return hdr, nil, nil, errPNGKind
			}
			hdr = pngHeader{
				width: binary.BigEndian.Uint32(body), height: binary.BigEndian.Uint32(body[4:]),
				depth: body[8], colourType: body[9], compression: body[10], filter: body[11], interlace: body[12],
			}
			switch {
			case hdr.depth != 8 && hdr.depth != 16,
				hdr.colourType != 0 && hdr.colourType != 2 && hdr.colourType != 4 && hdr.colourType != 6,
				hdr.compression != 0 || hdr.filter != 0 || hdr.interlace > 1:
				return hdr, nil, nil, errPNGKind
			}
		case typ == "IDAT":
			parts = append(parts, bytes.NewReader(body))
		case typ == "tRNS":
			if len(parts) > 0 || key != nil {
				return hdr, nil, nil, errPNGKind // out of order: image/png's to refuse
			}
			if key, err = transparent(hdr, body); err != nil {
				return hdr, nil, nil, err
			}
		case typ == "IEND":
			if len(parts) == 0 {
				return hdr, nil, nil, errPNGTruncated
			}
			return hdr, io.MultiReader(parts...), key, nil
		}
	}
}

// transparent returns the colour of a tRNS chunk as the bytes of a pixel of
// that colour (each sample 16 bits in the chunk, of which an 8-bit PNG uses
// the low byte). Grey with alpha and RGBA have no tRNS chunk.
func transparent(hdr pngHeader, body []byte) ([]byte, error) {
	samples := map[byte]int{0: 1, 2: 3}[hdr.colourType]
	if samples == 0 || len(body) != 2*samples {
		return nil, errPNGKind // image/png's to refuse
	}
	if hdr.depth == 16 {
		return bytes.Clone(body), nil
	}
	key := make([]byte, samples)
	for i := range key {
		key[i] = body[2*i+1]
	}
	return key, nil
}

// A span is a run of rows of stride bytes each (plus the filter byte):
// the image, or one pass of an interlaced image.
type span struct{ stride, rows int }

// inflateRows inflates the zlib stream z of the filtered rows of spans, in
// order, undoes the filters and calls f with each row (the span's index, the
// row's within it), or with nil for a row the same as the one before. bpp
// is the bytes per pixel, which the filters work by.
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
func inflateRows(z io.Reader, spans []span, bpp int, f func(s, y int, row []byte)) error {
	const batchBytes = 256 << 10
	total, widest := 0, 0
	for _, s := range spans {
		total += s.rows * (s.stride + 1)
		widest = max(widest, s.stride)
	}
	// A small image is inflated on the calling goroutine (a goroutine
	// would cost more in hand-overs, milliseconds each on a busy machine,
	// than it saves), a few rows at a time: in a fresh process every new
	// page of memory is a page fault.
	small := total <= 4*batchBytes
	rowsPerBatch := func(s span) int {
		n := max(1, batchBytes/(s.stride+1))
		if small {
			n = min(n, 16)
		}
		return n
	}
	bufLen := 0
	for _, s := range spans {
		bufLen = max(bufLen, rowsPerBatch(s)*(s.stride+1))
	}
	type batch struct {
		buf     []byte
		span, y int // of the first row
		rows    int // 0 at the end of the stream
		err     error
	}
	// inflate fills batches from next and hands them to emit, until
	// the end of the stream, an error, or next returning nil.
	inflate := func(next func() *batch, emit func(*batch)) {
		zr, err := deflateStream(z)
		for i, s := range spans {
			n := rowsPerBatch(s)
			for y := 0; y < s.rows; y += n {
				b := next()
				if b == nil {
					return
				}
				b.span, b.y, b.rows = i, y, min(n, s.rows-y)
				if err == nil {
					_, err = io.ReadFull(zr, b.buf[:b.rows*(s.stride+1)])
					if err == io.EOF || err == io.ErrUnexpectedEOF {
						err = errPNGTruncated
					}
				}
				b.err = err
				emit(b)
				if err != nil {
					return
				}
			}
		}
		// The end of the stream must come next.
		b := next()
		if b == nil {
			return
		}
		b.rows, b.err = 0, nil
		if n, err := zr.Read(b.buf[:1]); n > 0 {
			b.err = errPNGTooMuch
		} else if err != io.EOF {
			b.err = err
		}
		emit(b)
	}

	prevBuf, curBuf := make([]byte, widest), make([]byte, widest)
	var prev, cur []byte
	current := -1 // the span of prev
	// rows unfilters and passes on the rows of b; it returns false at the
	// end or on an error, left in b.err.
	rows := func(b *batch) bool {
		if b.err != nil || b.rows == 0 {
			return false
		}
		stride := spans[b.span].stride
		if b.span != current {
			// A pass starts as the image does, with zeros above.
			current = b.span
			prev, cur = prevBuf[:stride], curBuf[:stride]
			clear(prev)
		}
		for i := range b.rows {
			y := b.y + i
			raw := b.buf[i*(stride+1) : (i+1)*(stride+1)]
			if raw[0] == 2 && y > 0 && zeros(raw[1:]) {
				f(b.span, y, nil) // prev stays the previous row
				continue
			}
			copy(cur, raw[1:])
			if !unfilter(raw[0], cur, prev, bpp) {
				b.err = errPNGFilter
				return false
			}
			f(b.span, y, cur)
			prev, cur = cur, prev
		}
		return true
	}

	if small {
		b := &batch{buf: make([]byte, bufLen)}
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
		free <- &batch{buf: make([]byte, bufLen)}
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
