package qr

import (
	"errors"
	"image"
	"math"
	"runtime"
	"sort"
	"sync"

	"github.com/makiuchi-d/gozxing"
	multiqr "github.com/makiuchi-d/gozxing/multi/qrcode"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// hints returns gozxing hints for one search: TRY_HARDER, or PURE_BARCODE
// if pure, and a budget of finder-pattern candidates.
//
// Hints are tested for presence, not value, so a map must never hold
// TRY_HARDER: false. TRY_HARDER makes the finder-pattern search look at every
// third row instead of every height/129th: a 5120×2880 screenshot is
// otherwise scanned every 22 rows, which steps over the 12-pixel centre of a
// 4-pixel-module finder pattern about half of the time (see
// TestSmallCodeOn5K).
//
// The budget exists because gozxing picks finder-pattern triples by trying
// all of them: the time is cubic in the number of candidates. Real images
// have few (at most 13 in any search over the ZXing and migration corpora);
// 16 megapixels of 2-pixel random noise have 500 and take 2 seconds; a
// crafted image could take hours. The result point callback, which gozxing
// calls for each new candidate, counts them and abandons the search by
// panicking with errBudget, recovered by decodeMulti and decodeOne.
func hints(pure bool) map[gozxing.DecodeHintType]any {
	n := 0
	h := map[gozxing.DecodeHintType]any{
		gozxing.DecodeHintType_NEED_RESULT_POINT_CALLBACK: gozxing.ResultPointCallback(func(gozxing.ResultPoint) {
			if n++; n > maxCandidates {
				panic(errBudget)
			}
		}),
	}
	if pure {
		h[gozxing.DecodeHintType_PURE_BARCODE] = true
	} else {
		h[gozxing.DecodeHintType_TRY_HARDER] = true
	}
	return h
}

// maxCandidates bounds the finder-pattern candidates of one search (and the
// alignment patterns, which gozxing reports through the same callback).
const maxCandidates = 200

var errBudget = errors.New("too many finder-pattern candidates")

// A code is a decoded QR code and where it is, for ordering.
type code struct {
	text string
	x, y float64 // centre; NaN if unknown
	size float64 // side length, about; 0 if unknown
}

// DecodeImage returns the text of every distinct QR code in img, in reading
// order (top-to-bottom, left-to-right).
//
// What it does beyond calling gozxing, and why:
//
//   - The luminance is computed from the pixel slices, not through img.At
//     (see luminance).
//   - The image is searched twice in parallel, as is and inverted, because
//     gozxing only finds dark-on-light codes and dark-mode pages show
//     light-on-dark ones. Both results are kept, merged by text.
//   - The search starts with the multiple-code reader with TRY_HARDER, so
//     that two accounts on one page and small codes on huge screens are
//     found, then falls back to other readers and binarizers (see steps).
//   - Codes whose modules are under about 2.5 pixels (a screenshot shrunk
//     when pasted into a chat) are found by enlarging the areas that look
//     like one (see regions and find).
//   - Colour images are read with gozxing's luminance weights, then, if no
//     code is found, with BT.601's (see weights).
//   - The image as a whole is never downscaled. At half size, the 4-pixel
//     modules of a screenshot blur into grey unless they start on even
//     pixels (the 5K fixture shifted by one pixel is then missed), and on
//     ZXing's qrcode-2/13.png a half-size attempt decoded a wrong text.
//
// Over largeImage pixels, the second weighting is not tried, so that img is
// not kept for it: a caller that drops its own reference to img lets the
// search use the memory of its pixels.
func DecodeImage(img image.Image) ([]string, error) {
	b := img.Bounds()
	if int64(b.Dx())*int64(b.Dy()) > MaxPixels {
		return nil, errPixels(b.Dx(), b.Dy(), MaxPixels)
	}
	if min(b.Dx(), b.Dy()) < minSide {
		return nil, ErrNoQRCode
	}
	alt := func() []byte { return nil }
	if l, ok := img.(*lumImage); ok {
		if l.bt601 != nil {
			alt = l.bt601
		}
		img = l.Gray
	}
	lum, w, h, colour := luminance(img, avgWeights)
	if colour && w*h <= largeImage {
		alt = func() []byte {
			lum, _, _, _ := luminance(img, bt601Weights)
			return lum
		}
	}
	return texts(find(lum, w, h, alt))
}

// texts returns the texts of codes, or ErrNoQRCode if there are none.
func texts(codes []code) ([]string, error) {
	if len(codes) == 0 {
		return nil, ErrNoQRCode
	}
	texts := make([]string, len(codes))
	for i, c := range codes {
		texts[i] = c.text
	}
	return texts, nil
}

// regionsAlways is the size, in pixels, up to which find looks at the
// candidate regions of small codes even when the whole image gave codes: a
// page with one readable code and one shrunk too far. On larger images
// the look is saved unless nothing was found.
const regionsAlways = 4_000_000

// find returns the codes in the luminance lum, de-duplicated and in reading
// order. alt returns the image's luminance with other weights, or nil.
//
// It goes from cheap and usually enough to slow and rarely needed, and stops
// after the first pass that finds anything:
//
//  1. the first step (the multiple-code reader) on the whole image, then on
//     each candidate region of a small code (see regions), enlarged;
//  2. the other steps on the whole image;
//  3. all the steps on alt;
//  4. the other steps on the enlarged regions.
//
// Each pass looks at the image as is and inverted, in parallel, and keeps
// both results, so that a page with one light-on-dark and one dark-on-light
// code yields both (unless a different step would be needed for each, which
// is not worth doubling the time of every scan for).
func find(lum []byte, w, h int, alt func() []byte) []code {
	if w*h > largeImage {
		// What decoding left, the file and the decoder's image, is
		// garbage by now: collected before the search allocates, it
		// lends its memory rather than adds to the peak. So is the
		// search's own when it returns, which the next image would find
		// (vmfa scan of several files) if left to the collector's pace.
		runtime.GC()
		defer runtime.GC()
	}
	whole := newTarget(lum, w, h)
	codes := whole.try(steps[0])
	var zoomed []*target
	if len(codes) == 0 || w*h <= regionsAlways {
		for _, r := range regions(lum, w, h) {
			if holdsAny(r, codes) {
				continue
			}
			t := zoom(lum, w, h, r)
			zoomed = append(zoomed, t)
			codes = append(codes, t.try(steps[0])...)
		}
	}
	if len(codes) > 0 {
		return merge(codes)
	}
	for _, step := range steps[1:] {
		if codes := whole.try(step); len(codes) > 0 {
			return codes
		}
	}
	if lum := alt(); lum != nil {
		other := newTarget(lum, w, h)
		for _, step := range steps {
			if codes := other.try(step); len(codes) > 0 {
				return codes
			}
		}
	}
	for _, step := range steps[1:] {
		for _, t := range zoomed {
			codes = append(codes, t.try(step)...)
		}
		if len(codes) > 0 {
			return merge(codes)
		}
	}
	return nil
}

// A target is a luminance image to search, both polarities, and where it
// lies in the image: pixel (x, y) of it is (x/scale+off.X, y/scale+off.Y) of
// the image.
type target struct {
	views [2]*view
	scale float64
	off   image.Point
	small bool // searched on one goroutine; see try
}

func newTarget(lum []byte, w, h int) *target {
	t := &target{scale: 1, small: w*h < 1<<20}
	src, err := gozxing.NewPlanarYUVLuminanceSource(lum, w, h, 0, 0, w, h, false)
	if err != nil {
		return t
	}
	t.views = [2]*view{
		{lum: lum, w: w, h: h, src: src},
		{lum: lum, w: w, h: h, src: src.Invert(), invert: true},
	}
	return t
}

// try runs step on both polarities, each on its own goroutine, and returns
// their codes, de-duplicated, sorted and placed in the image.
//
// Under a megapixel, both run on the calling goroutine: a step then takes a
// few milliseconds, and on a busy machine waking another thread and waiting
// for it can take as long.
func (t *target) try(step func(*view) []code) []code {
	if t.views[0] == nil {
		return nil
	}
	var (
		wg    sync.WaitGroup
		found [2][]code
	)
	for i, v := range t.views {
		if t.small {
			found[i] = step(v)
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			found[i] = step(v)
		}()
	}
	wg.Wait()
	codes := merge(found[0], found[1])
	for i := range codes {
		c := &codes[i]
		c.x = c.x/t.scale + float64(t.off.X)
		c.y = c.y/t.scale + float64(t.off.Y)
		c.size /= t.scale
	}
	return codes
}

// A view is one polarity of the image and its binarizations, each made on
// first use and then reused by the later steps.
type view struct {
	lum            []byte
	w, h           int
	invert         bool
	src            gozxing.LuminanceSource // inverted if invert
	hybrid, global *gozxing.BinaryBitmap
}

// Hybrid returns the image binarized as by gozxing's HybridBinarizer, which
// thresholds each 8×8 block by its 5×5-block neighbourhood: right for
// screenshots and for photos with uneven lighting. See binarize.
func (v *view) Hybrid() *gozxing.BinaryBitmap {
	if v.hybrid == nil {
		var b gozxing.Binarizer = gozxing.NewHybridBinarizer(v.src)
		if m := binarize(v.lum, v.w, v.h, v.invert); m != nil {
			b = &bitmapBinarizer{v.src, m}
		}
		v.hybrid, _ = gozxing.NewBinaryBitmap(b)
	}
	return v.hybrid
}

// Global returns the image binarized with one threshold, from its
// histogram. It recovers low-contrast and textured codes whose local
// thresholds break modules apart (ZXing qrcode-1..4: 1 to 3 more images per
// set and rotation).
func (v *view) Global() *gozxing.BinaryBitmap {
	if v.global == nil {
		v.global, _ = gozxing.NewBinaryBitmap(gozxing.NewGlobalHistgramBinarizer(v.src))
	}
	return v.global
}

// steps are tried in order until one finds a code.
var steps = []func(*view) []code{
	// The multiple-code reader finds all the codes in one pass; it is all
	// that screenshots need.
	func(v *view) []code { return decodeMulti(v.Hybrid()) },
	// The single-code reader keeps the best finder-pattern triple where the
	// multiple-code reader insists on well-matched ones, and a pure decode
	// reads a code that fills the whole image without detection.
	func(v *view) []code {
		if c, ok := decodeOne(v.Hybrid(), false); ok {
			return []code{c}
		}
		if c, ok := decodeOne(v.Hybrid(), true); ok {
			return []code{c}
		}
		return nil
	},
	func(v *view) []code {
		if codes := decodeMulti(v.Global()); len(codes) > 0 {
			return codes
		}
		if c, ok := decodeOne(v.Global(), false); ok {
			return []code{c}
		}
		return nil
	},
}

// decodeMulti runs gozxing's multiple-code reader. A panic, be it errBudget
// or a bug (gozxing is a port of Java code, where an index out of range is
// an exception the callers catch), means "not found", never a crash.
func decodeMulti(bmp *gozxing.BinaryBitmap) (codes []code) {
	if bmp == nil {
		return nil
	}
	defer func() {
		if recover() != nil {
			codes = nil
		}
	}()
	results, _ := multiqr.NewQRCodeMultiReader().DecodeMultiple(bmp, hints(false))
	for _, r := range results {
		codes = append(codes, toCode(r))
	}
	return codes
}

// decodeOne runs gozxing's single-code reader, trying hard or, if pure,
// reading the image as a code filling it exactly.
func decodeOne(bmp *gozxing.BinaryBitmap, pure bool) (c code, ok bool) {
	if bmp == nil {
		return code{}, false
	}
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	r, err := qrcode.NewQRCodeReader().Decode(bmp, hints(pure))
	if err != nil {
		return code{}, false
	}
	return toCode(r), true
}

func toCode(r *gozxing.Result) code {
	c := code{text: r.GetText(), x: math.NaN(), y: math.NaN()}
	// The points are the finder pattern centres: bottom left, top left,
	// top right, in the code's own orientation. A structured-append
	// sequence combined by the multiple-code reader has none.
	if p := r.GetResultPoints(); len(p) >= 3 {
		c.x = (p[0].GetX() + p[2].GetX()) / 2
		c.y = (p[0].GetY() + p[2].GetY()) / 2
		c.size = math.Hypot(p[2].GetX()-p[1].GetX(), p[2].GetY()-p[1].GetY())
	}
	return c
}

// merge de-duplicates codes by text, keeping the first position seen, and
// sorts them in reading order: codes whose centres are less than half a
// code apart vertically are on the same line and sorted left to right;
// lines go top to bottom. Codes of unknown position go last.
func merge(lists ...[]code) []code {
	var all []code
	seen := make(map[string]bool)
	for _, l := range lists {
		for _, c := range l {
			if !seen[c.text] {
				seen[c.text] = true
				all = append(all, c)
			}
		}
	}
	sort.SliceStable(all, func(i, j int) bool {
		a, b := all[i], all[j]
		if math.IsNaN(a.y) || math.IsNaN(b.y) {
			return !math.IsNaN(a.y) && math.IsNaN(b.y)
		}
		if math.Abs(a.y-b.y) < math.Min(a.size, b.size)/2 {
			return a.x < b.x
		}
		return a.y < b.y
	})
	return all
}
