package qr

import (
	"encoding/binary"

	"github.com/makiuchi-d/gozxing"
)

// binarize returns the same bit matrix as gozxing's HybridBinarizer on the
// luminance lum (or on 255-lum if invert), split across the CPUs. It
// returns nil for images under 40 pixels in either dimension, for which
// HybridBinarizer uses its global histogram.
//
// HybridBinarizer takes 40 ms on a 5K screenshot (55 ms inverted, as gozxing
// first copies the whole luminance to invert it), a quarter of Decode.
// binarize takes 6 ms (9 ms): a screenshot is mostly flat colour, and a
// block or a block row of identical pixels is recognised 8 pixels at a
// time; the inversion is done on the fly. Photos gain only from the
// parallelism. The result must stay bit-identical to HybridBinarizer's
// (TestBinarizeMatchesGozxing): the ZXing thresholds were met with it.
//
// The algorithm, HybridBinarizer's: the image is cut into 8×8 blocks. A
// block's black point is its mean, or, if its range is 24 or less (a flat
// block), half its minimum, raised to the mean of its upper and left
// neighbours' black points if they are above its minimum. Each block is
// then thresholded at the mean black point of the 5×5 blocks around it
// (clamped to the image), pixel <= threshold being black. Blocks at the
// right and bottom edges are shifted inwards to stay 8×8, overlapping
// their neighbours; a pixel in an overlap is black if either threshold
// says so.
func binarize(lum []byte, w, h int, invert bool) *gozxing.BitMatrix {
	const (
		block    = 8
		minRange = 24 // gozxing.MIN_DYNAMIC_RANGE
	)
	if w < 5*block || h < 5*block {
		return nil
	}
	var inv byte
	if invert {
		inv = 255
	}
	subW, subH := (w+block-1)/block, (h+block-1)/block
	maxX, maxY := w-block, h-block
	off := func(i, max int) int { return min(i*block, max) }

	// Block statistics: independent, computed in parallel.
	type stats struct {
		sum      int32
		min, max uint8
	}
	st := make([]stats, subW*subH)
	parallelRows(subH, func(by0, by1 int) {
		for by := by0; by < by1; by++ {
			yo := off(by, maxY)
			for bx := range subW {
				xo := off(bx, maxX)
				// Most blocks of a screenshot are one flat colour: check
				// that first, 8 pixels at a time.
				first := lum[yo*w+xo]
				if uniform(lum, yo*w+xo, w, first) {
					v := first ^ inv
					st[by*subW+bx] = stats{int32(v) << 6, v, v}
					continue
				}
				sum, lo, hi := 0, byte(255), byte(0)
				for yy := range block {
					p := lum[(yo+yy)*w+xo : (yo+yy)*w+xo+block : (yo+yy)*w+xo+block]
					for _, v := range p {
						v ^= inv // 255-v
						sum += int(v)
						lo = min(lo, v)
						hi = max(hi, v)
					}
				}
				st[by*subW+bx] = stats{int32(sum), lo, hi}
			}
		}
	})

	// Black points: each flat block depends on its upper and left
	// neighbours, so this pass is sequential; it is one step per block.
	bp := make([]int, subW*subH)
	for by := range subH {
		for bx := range subW {
			i := by*subW + bx
			s := st[i]
			avg := int(s.sum) >> 6
			if int(s.max)-int(s.min) <= minRange {
				avg = int(s.min) / 2
				if by > 0 && bx > 0 {
					n := (bp[i-subW] + 2*bp[i-1] + bp[i-subW-1]) / 4
					if int(s.min) < n {
						avg = n
					}
				}
			}
			bp[i] = avg
		}
	}

	// Thresholds: the mean black point of the 5×5 neighbourhood.
	thr := make([]int, subW*subH)
	parallelRows(subH, func(by0, by1 int) {
		for by := by0; by < by1; by++ {
			top := min(max(by, 2), subH-3)
			for bx := range subW {
				left := min(max(bx, 2), subW-3)
				sum := 0
				for z := -2; z <= 2; z++ {
					r := bp[(top+z)*subW+left-2 : (top+z)*subW+left+3]
					sum += r[0] + r[1] + r[2] + r[3] + r[4]
				}
				thr[by*subW+bx] = sum / 25
			}
		}
	})

	m, err := gozxing.NewBitMatrix(w, h)
	if err != nil {
		return nil
	}
	lastBY, lastYO := subH-1, off(subH-1, maxY)
	parallelRows(h, func(y0, y1 int) {
		row := gozxing.NewBitArray(w)
		words := row.GetBitArray()
		for y := y0; y < y1; y++ {
			clear(words)
			line := lum[y*w : (y+1)*w]
			// The block rows covering y: its own, unless that is the last
			// one, and the last one, shifted up to h-8.
			if by := y / block; by < lastBY {
				thresholdRow(words, line, thr[by*subW:(by+1)*subW], maxX, inv)
			}
			if y >= lastYO {
				thresholdRow(words, line, thr[lastBY*subW:], maxX, inv)
			}
			m.SetRow(y, row)
		}
	})
	return m
}

// uniform reports whether the 8×8 block at offset i of lum, of stride w,
// has all its pixels equal to v.
func uniform(lum []byte, i, w int, v byte) bool {
	vv := uint64(v) * 0x0101010101010101
	for range 8 {
		if binary.LittleEndian.Uint64(lum[i:i+8]) != vv {
			return false
		}
		i += w
	}
	return true
}

// thresholdRow sets the bits of the pixels of line at or under their
// block's threshold.
func thresholdRow(words []uint32, line []byte, thr []int, maxX int, inv byte) {
	for bx, t := range thr {
		xo := min(bx*8, maxX)
		p := line[xo : xo+8 : xo+8]
		if binary.LittleEndian.Uint64(p) == uint64(p[0])*0x0101010101010101 {
			// Flat: all 8 pixels on the same side.
			if int(p[0]^inv) <= t {
				b := uint64(0xff) << (xo & 31)
				words[xo>>5] |= uint32(b)
				if hi := uint32(b >> 32); hi != 0 {
					words[xo>>5+1] |= hi
				}
			}
			continue
		}
		for x, v := range p {
			// Branchy, as in gozxing: faster on screenshots, whose pixels
			// are mostly on one side of the threshold.
			if int(v^inv) <= t {
				words[(xo+x)>>5] |= 1 << ((xo + x) & 31)
			}
		}
	}
}

// bitmapBinarizer is a gozxing.Binarizer whose black matrix is already
// made; GetBlackRow, used by 1D readers only, reads rows from it.
type bitmapBinarizer struct {
	src gozxing.LuminanceSource
	m   *gozxing.BitMatrix
}

func (b *bitmapBinarizer) GetLuminanceSource() gozxing.LuminanceSource { return b.src }
func (b *bitmapBinarizer) GetBlackMatrix() (*gozxing.BitMatrix, error) { return b.m, nil }
func (b *bitmapBinarizer) GetWidth() int                               { return b.m.GetWidth() }
func (b *bitmapBinarizer) GetHeight() int                              { return b.m.GetHeight() }
func (b *bitmapBinarizer) GetBlackRow(y int, row *gozxing.BitArray) (*gozxing.BitArray, error) {
	return b.m.GetRow(y, row), nil
}
func (b *bitmapBinarizer) CreateBinarizer(src gozxing.LuminanceSource) gozxing.Binarizer {
	return gozxing.NewHybridBinarizer(src)
}
