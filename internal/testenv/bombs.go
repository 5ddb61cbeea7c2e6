package testenv

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

// Image bombs: files of a megabyte or less that decode to up to 100
// megapixels, for the tests of what reading images costs. Their pixels are
// all zero bytes, which compress to almost nothing; each is written to a
// file in dir, whose path is returned.

// PNGBomb writes a w×h PNG named name of depth bits a sample (8 or 16) in
// colour type ct (0 grey, 2 RGB, 4 grey and alpha, 6 RGBA), interlaced
// with Adam7 if interlace, with a tRNS chunk (a transparent colour, for
// types 0 and 2) if trns.
func PNGBomb(t testing.TB, dir, name string, w, h, depth, ct int, interlace, trns bool) string {
	t.Helper()
	return writeBomb(t, dir, name, func(out io.Writer) {
		out.Write([]byte("\x89PNG\r\n\x1a\n"))
		ihdr := make([]byte, 13)
		binary.BigEndian.PutUint32(ihdr, uint32(w))
		binary.BigEndian.PutUint32(ihdr[4:], uint32(h))
		ihdr[8], ihdr[9] = byte(depth), byte(ct)
		if interlace {
			ihdr[12] = 1
		}
		pngChunk(out, "IHDR", ihdr)
		samples := map[int]int{0: 1, 2: 3, 4: 2, 6: 4}[ct]
		if trns {
			pngChunk(out, "tRNS", make([]byte, 2*samples))
		}
		// The rows of each pass (one pass if not interlaced), each with
		// its filter byte: all zeros.
		var z bytes.Buffer
		zw, _ := zlib.NewWriterLevel(&z, zlib.BestSpeed)
		flush := func() {
			for z.Len() >= 1<<20 {
				pngChunk(out, "IDAT", z.Next(1<<20))
			}
		}
		passes := [][4]int{{0, 0, 1, 1}}
		if interlace {
			passes = [][4]int{{0, 0, 8, 8}, {4, 0, 8, 8}, {0, 4, 4, 8}, {2, 0, 4, 4}, {0, 2, 2, 4}, {1, 0, 2, 2}, {0, 1, 1, 2}}
		}
		for _, p := range passes {
			pw, ph := (w-p[0]+p[2]-1)/p[2], (h-p[1]+p[3]-1)/p[3]
			if pw <= 0 || ph <= 0 {
				continue
			}
			row := make([]byte, 1+pw*samples*depth/8)
			for range ph {
				zw.Write(row)
				flush()
			}
		}
		zw.Close()
		pngChunk(out, "IDAT", z.Bytes())
		pngChunk(out, "IEND", nil)
	})
}

// PNGNoise writes a w×h 8-bit RGB PNG named name of random pixels, which do
// not compress: the largest PNG file of its size, 3 bytes a pixel.
func PNGNoise(t testing.TB, dir, name string, w, h int) string {
	t.Helper()
	return writeBomb(t, dir, name, func(out io.Writer) {
		out.Write([]byte("\x89PNG\r\n\x1a\n"))
		ihdr := make([]byte, 13)
		binary.BigEndian.PutUint32(ihdr, uint32(w))
		binary.BigEndian.PutUint32(ihdr[4:], uint32(h))
		ihdr[8], ihdr[9] = 8, 2
		pngChunk(out, "IHDR", ihdr)
		var z bytes.Buffer
		zw, _ := zlib.NewWriterLevel(&z, zlib.NoCompression)
		rnd := rand.NewChaCha8([32]byte{1})
		row := make([]byte, 1+3*w)
		for range h {
			rnd.Read(row[1:])
			zw.Write(row)
			for z.Len() >= 1<<20 {
				pngChunk(out, "IDAT", z.Next(1<<20))
			}
		}
		zw.Close()
		pngChunk(out, "IDAT", z.Bytes())
		pngChunk(out, "IEND", nil)
	})
}

func pngChunk(out io.Writer, typ string, body []byte) {
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(body)))
	out.Write(n[:])
	out.Write([]byte(typ))
	out.Write(body)
	binary.BigEndian.PutUint32(n[:], crc32.Update(crc32.ChecksumIEEE([]byte(typ)), crc32.IEEETable, body))
	out.Write(n[:])
}

// TIFFBomb writes a w×h TIFF named name whose pixels, samples of bits each
// (1 grey, 3 RGB, 4 RGBA with unassociated alpha), are one Deflate strip.
func TIFFBomb(t testing.TB, dir, name string, w, h, bits, samples int) string {
	t.Helper()
	var z bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&z, zlib.BestSpeed)
	row := make([]byte, w*samples*bits/8)
	for range h {
		zw.Write(row)
	}
	zw.Close()
	return writeBomb(t, dir, name, func(out io.Writer) {
		le := binary.LittleEndian
		strip := z.Bytes()
		if len(strip)%2 == 1 {
			strip = append(strip, 0)
		}
		// Header, strip, BitsPerSample's values, IFD.
		bpsAt := 8 + len(strip)
		ifdAt := bpsAt + 2*samples
		hdr := []byte("II*\x00\x00\x00\x00\x00")
		le.PutUint32(hdr[4:], uint32(ifdAt))
		out.Write(hdr)
		out.Write(strip)
		for range samples {
			out.Write(le.AppendUint16(nil, uint16(bits)))
		}
		photometric := 2 // RGB
		if samples == 1 {
			photometric = 1 // black is zero
		}
		bps := bits
		if samples > 2 {
			bps = bpsAt // the offset of the values
		}
		type entry struct{ tag, typ, count, value int }
		entries := []entry{
			{256, 4, 1, w}, {257, 4, 1, h}, {258, 3, samples, bps}, {259, 3, 1, 8 /* Deflate */},
			{262, 3, 1, photometric}, {273, 4, 1, 8}, {277, 3, 1, samples}, {278, 4, 1, h}, {279, 4, 1, len(strip)},
		}
		if samples == 4 {
			entries = append(entries, entry{338, 3, 1, 2 /* unassociated alpha */})
		}
		ifd := le.AppendUint16(nil, uint16(len(entries)))
		for _, e := range entries {
			ifd = le.AppendUint16(ifd, uint16(e.tag))
			ifd = le.AppendUint16(ifd, uint16(e.typ))
			ifd = le.AppendUint32(ifd, uint32(e.count))
			if e.typ == 3 && e.count == 1 {
				ifd = le.AppendUint32(ifd, uint32(uint16(e.value)))
			} else {
				ifd = le.AppendUint32(ifd, uint32(e.value))
			}
		}
		out.Write(le.AppendUint32(ifd, 0))
	})
}

// ProgressiveJPEGBomb writes a w×h progressive JPEG named name, three
// components at full resolution, whose one scan (DC only) codes every
// block's DC difference as 0, a bit a block.
func ProgressiveJPEGBomb(t testing.TB, dir, name string, w, h int) string {
	t.Helper()
	return writeBomb(t, dir, name, func(out io.Writer) {
		segment := func(marker byte, body []byte) {
			out.Write([]byte{0xff, marker, byte((len(body) + 2) >> 8), byte(len(body) + 2)})
			out.Write(body)
		}
		out.Write([]byte{0xff, 0xd8})
		segment(0xdb, append([]byte{0}, bytes.Repeat([]byte{1}, 64)...)) // quantization table 0
		segment(0xc2, []byte{8, byte(h >> 8), byte(h), byte(w >> 8), byte(w), 3, 1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0})
		// DC table 0: one code, "0", for the difference category 0.
		segment(0xc4, append(append([]byte{0x00, 1}, make([]byte, 15)...), 0))
		segment(0xda, []byte{3, 1, 0x00, 2, 0x00, 3, 0x00, 0, 0, 0})
		blocks := ((w + 7) / 8) * ((h + 7) / 8) * 3
		out.Write(make([]byte, (blocks+7)/8))
		out.Write([]byte{0xff, 0xd9})
	})
}

// writeBomb writes the file that write produces to dir/name.
func writeBomb(t testing.TB, dir, name string, write func(io.Writer)) string {
	t.Helper()
	path := filepath.Join(dir, name)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	write(bw)
	if err := bw.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}
