package qr

import (
	"image"
	"path/filepath"
	"testing"

	"golang.org/x/image/draw"
)

// TestUpsampleMatchesXDraw checks upsample against golang.org/x/image/draw's
// Catmull-Rom, on a region of a shrunk page, away from the region's edges
// (where draw clamps to the region and upsample reads the image around it).
func TestUpsampleMatchesXDraw(t *testing.T) {
	lum, w, h, _ := luminance(decodeFile(t, filepath.Join("testdata", "degraded", "small-45-lanczos.png")), avgWeights)
	src := &image.Gray{Pix: lum, Stride: w, Rect: image.Rect(0, 0, w, h)}
	r := image.Rect(120, 100, 237, 211)
	for _, scale := range []int{2, 3} {
		got, uw, uh := upsample(lum, w, h, r, scale)
		if uw != r.Dx()*scale || uh != r.Dy()*scale {
			t.Fatalf("×%d: %d×%d", scale, uw, uh)
		}
		want := image.NewGray(image.Rect(0, 0, uw, uh))
		draw.CatmullRom.Scale(want, want.Rect, src, r, draw.Src, nil)
		maxDiff, flat := 0, 0
		for y := 2 * scale; y < uh-2*scale; y++ {
			for x := 2 * scale; x < uw-2*scale; x++ {
				g, wt := int(got[y*uw+x]), int(want.Pix[y*want.Stride+x])
				maxDiff = max(maxDiff, abs(g-wt))
				if g == int(got[y*uw+x-1]) {
					flat++
				}
			}
		}
		if maxDiff > 2 {
			t.Errorf("×%d: pixels differ by up to %d from x/image/draw's", scale, maxDiff)
		}
		if flat > uw*uh*9/10 {
			t.Errorf("×%d: %d of %d pixels equal their left neighbour: not interpolated", scale, flat, uw*uh)
		}
	}
}

// TestRegions checks that the candidate regions of a page shrunk to 45%
// hold its code, and that a clean 1x page, whose code the first pass reads,
// has none (so that no time is spent enlarging text).
func TestRegions(t *testing.T) {
	lum, w, h, _ := luminance(decodeFile(t, filepath.Join("testdata", "degraded", "small-45-box.png")), avgWeights)
	rs := regions(lum, w, h)
	// The code: 212 pixels at 300,260 of the page, cut at 0,0 and shrunk.
	code := image.Rect(135, 117, 135+95, 117+95)
	if len(rs) == 0 || !code.In(rs[0]) {
		t.Errorf("regions %v, want the first to hold %v", rs, code)
	}
	for _, f := range []string{"screenshot-1x.png", "two-codes.png", "no-qr.png"} {
		lum, w, h, _ := luminance(decodeFile(t, filepath.Join("testdata", f)), avgWeights)
		if rs := regions(lum, w, h); len(rs) > 0 {
			t.Errorf("%s: regions %v, want none", f, rs)
		}
	}
}
