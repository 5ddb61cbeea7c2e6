package qr

import (
	"image"
	"math"
	"sort"
)

// cell is the side, in pixels, of the squares whose contrast regions
// measures. A QR code with modules of 1.5 to 3 pixels has at least one
// edge in every 4×4 square of it.
const cell = 4

// busyRange is the smallest range of luminance (max-min) that makes a cell
// busy: the edge of a module shrunk to 1.5 pixels and recompressed as JPEG
// still spans more than this, a flat area under JPEG noise less.
const busyRange = 48

// regions returns the rectangles of lum that may hold a QR code too small
// for the finder-pattern search: squarish areas, at least minSide cells a
// side, where almost every cell has an edge. Text is busy too, but in lines
// a few cells high: a cell counts only if it and its 8 neighbours are all
// busy (an erosion), which text lines rarely survive and a code does. The
// rectangles are the eroded areas grown back, with a margin for the quiet
// zone, largest first, at most maxRegions.
//
// It takes one pass over the pixels, a millisecond per megapixel.
func regions(lum []byte, w, h int) []image.Rectangle {
	const (
		minSide    = 7  // cells: 28 pixels, a 21-module code at 1.3 px
		maxSide    = 80 // cells: 320 pixels; larger codes have large modules
		maxRegions = 6
	)
	cw, ch := w/cell, h/cell
	if cw < minSide || ch < minSide {
		return nil
	}
	busy := make([]bool, cw*ch)
	parallelRows(ch, func(cy0, cy1 int) {
		for cy := cy0; cy < cy1; cy++ {
			for cx := range cw {
				lo, hi := byte(255), byte(0)
				for yy := range cell {
					i := (cy*cell+yy)*w + cx*cell
					for _, v := range lum[i : i+cell : i+cell] {
						lo = min(lo, v)
						hi = max(hi, v)
					}
				}
				busy[cy*cw+cx] = hi-lo >= busyRange
			}
		}
	})
	core := make([]bool, cw*ch)
	for cy := 1; cy < ch-1; cy++ {
		for cx := 1; cx < cw-1; cx++ {
			i := cy*cw + cx
			core[i] = busy[i-cw-1] && busy[i-cw] && busy[i-cw+1] &&
				busy[i-1] && busy[i] && busy[i+1] &&
				busy[i+cw-1] && busy[i+cw] && busy[i+cw+1]
		}
	}

	// Connected areas of core cells (8-connected), by flood fill.
	type area struct {
		r     image.Rectangle // in cells, eroded
		cells int
	}
	var areas []area
	seen := make([]bool, cw*ch)
	var stack []int
	for start, c := range core {
		if !c || seen[start] {
			continue
		}
		a := area{r: image.Rect(start%cw, start/cw, start%cw+1, start/cw+1)}
		seen[start] = true
		stack = append(stack[:0], start)
		for len(stack) > 0 {
			i := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			a.cells++
			x, y := i%cw, i/cw
			a.r = a.r.Union(image.Rect(x, y, x+1, y+1))
			for dy := -1; dy <= 1; dy++ {
				for dx := -1; dx <= 1; dx++ {
					nx, ny := x+dx, y+dy
					if nx < 0 || ny < 0 || nx >= cw || ny >= ch {
						continue
					}
					if j := ny*cw + nx; core[j] && !seen[j] {
						seen[j] = true
						stack = append(stack, j)
					}
				}
			}
		}
		areas = append(areas, a)
	}

	var out []area
	for _, a := range areas {
		// Grown back by the eroded cell on each side.
		dx, dy := a.r.Dx()+2, a.r.Dy()+2
		if dx < minSide || dy < minSide || dx > maxSide || dy > maxSide {
			continue
		}
		// A code, even turned 45°, fills half of its bounding box and
		// is at most 1.5 times as long as wide (in perspective).
		if 2*max(dx, dy) > 3*min(dx, dy) || 2*a.cells < a.r.Dx()*a.r.Dy() {
			continue
		}
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].cells > out[j].cells })
	if len(out) > maxRegions {
		out = out[:maxRegions]
	}
	rects := make([]image.Rectangle, len(out))
	for i, a := range out {
		// Back to pixels, grown by the eroded cell and a margin of a
		// quarter of the side for the quiet zone and the finder
		// patterns' outer rings, whose centres may be flat.
		r := image.Rect((a.r.Min.X-1)*cell, (a.r.Min.Y-1)*cell, (a.r.Max.X+1)*cell, (a.r.Max.Y+1)*cell)
		m := max(r.Dx(), r.Dy())/4 + cell
		rects[i] = r.Inset(-m).Intersect(image.Rect(0, 0, w, h))
	}
	return rects
}

// upsample returns the rectangle r of lum enlarged scale times with the
// Catmull-Rom cubic (as golang.org/x/image/draw's CatmullRom), as a
// luminance image of its own. Pixels outside the image repeat its edge.
//
// x/image/draw would do it through a float64 buffer and an RGBA image:
// 3.5 ms and 4 MB for a 170-pixel region enlarged 3 times, which a fresh
// process pays in page faults as much as in arithmetic. With the scale an
// integer, each output column and row is one of scale phases whose weights
// are computed once, the arithmetic is in integers, and only 5 rows of the
// horizontal pass are kept: 0.4 ms and 0.3 MB.
func upsample(lum []byte, w, h int, r image.Rectangle, scale int) (up []byte, uw, uh int) {
	const one = 256 // fixed point of the weights, per dimension
	// For output pixel s*i+p the source position is i + (p+0.5)/s - 0.5;
	// the 4 taps around it start at base[p] relative to i.
	weightsOf := make([][4]int32, scale)
	base := make([]int, scale)
	for p := range scale {
		f := (float64(p)+0.5)/float64(scale) - 0.5
		base[p] = -1
		if f < 0 {
			f++
			base[p] = -2
		}
		var sum int32
		for k, d := range [4]float64{f + 1, f, 1 - f, 2 - f} {
			wk := int32(math.Round(catmullRom(d) * one))
			weightsOf[p][k] = wk
			sum += wk
		}
		weightsOf[p][1+int(math.Round(f))] += one - sum // the nearest tap takes the rounding
	}
	clamp := func(v, n int) int { return min(max(v, 0), n-1) }

	uw, uh = r.Dx()*scale, r.Dy()*scale
	// The horizontal pass, times one, of source row y0+j, kept in a ring
	// of the 5 rows that the vertical pass needs at a time.
	y0 := r.Min.Y - 2
	var ring [5][]int32
	for k := range ring {
		ring[k] = make([]int32, uw)
	}
	next := 0 // the next source row (from y0) to pass horizontally
	row := func(j int) []int32 {
		for ; next <= j; next++ {
			src := lum[clamp(y0+next, h)*w:][:w]
			dst := ring[next%len(ring)]
			for i := range r.Dx() {
				x := r.Min.X + i
				for p := range scale {
					wt, b := &weightsOf[p], x+base[p]
					dst[i*scale+p] = wt[0]*int32(src[clamp(b, w)]) + wt[1]*int32(src[clamp(b+1, w)]) +
						wt[2]*int32(src[clamp(b+2, w)]) + wt[3]*int32(src[clamp(b+3, w)])
				}
			}
		}
		return ring[j%len(ring)]
	}
	// The vertical pass: source row r.Min.Y+i is ring row i+2.
	up = make([]byte, uw*uh)
	for i := range r.Dy() {
		for p := range scale {
			wt, b := &weightsOf[p], i+2+base[p]
			t3, t2, t1, t0 := row(b+3), row(b+2), row(b+1), row(b)
			out := up[(i*scale+p)*uw:][:uw]
			for x := range out {
				v := (wt[0]*t0[x] + wt[1]*t1[x] + wt[2]*t2[x] + wt[3]*t3[x] + one*one/2) / (one * one)
				out[x] = byte(min(max(v, 0), 255))
			}
		}
	}
	return up, uw, uh
}

// catmullRom is the Catmull-Rom cubic at distance d.
func catmullRom(d float64) float64 {
	d = math.Abs(d)
	switch {
	case d < 1:
		return (1.5*d-2.5)*d*d + 1
	case d < 2:
		return ((-0.5*d+2.5)*d-4)*d + 2
	}
	return 0
}

// zoom returns the region r of lum as a target, enlarged 3 times (2 for a
// large region) with Catmull-Rom and sharpened, so that modules of 1.5
// pixels span several and their edges are steep again.
//
// Measured on the degraded set and on 24 more pages shrunk to 28-35% (1.1
// to 1.4-pixel modules), reads of the 24: bilinear 4, Catmull-Rom 7, with
// sharpening 12 (amount 1: 9, 2: 12, 4: 12, 6: 9); 4 times instead of 3
// (the binarizer's blocks then cover fewer modules): 8, sharpened 12, and
// slower. Bilinear 2 times loses two of the set. No variant misread.
func zoom(lum []byte, w, h int, r image.Rectangle) *target {
	scale := 3
	if max(r.Dx(), r.Dy()) > 300 {
		scale = 2
	}
	up, uw, uh := upsample(lum, w, h, r, scale)
	sharpen(up, uw, uh)
	t := newTarget(up, uw, uh)
	t.scale, t.off = float64(scale), r.Min
	return t
}

// holdsAny reports whether the centre of one of codes is in r.
func holdsAny(r image.Rectangle, codes []code) bool {
	for _, c := range codes {
		if image.Pt(int(c.x), int(c.y)).In(r) {
			return true
		}
	}
	return false
}

// sharpen applies to lum, in place, an unsharp mask of amount 2: each
// pixel moves away from the mean of its 3×3 neighbourhood by twice its
// distance to it. The border pixels are kept. Two rows of the original are
// kept aside, rather than a copy of the image: in a fresh process every
// new page of memory is a page fault.
func sharpen(lum []byte, w, h int) {
	if w < 3 || h < 3 {
		return
	}
	above, here := make([]byte, w), make([]byte, w)
	copy(above, lum[:w])
	for y := 1; y < h-1; y++ {
		mid := lum[y*w : (y+1)*w]
		copy(here, mid)
		down := lum[(y+1)*w : (y+2)*w]
		for x := 1; x < w-1; x++ {
			sum := int(above[x-1]) + int(above[x]) + int(above[x+1]) +
				int(here[x-1]) + int(here[x]) + int(here[x+1]) +
				int(down[x-1]) + int(down[x]) + int(down[x+1])
			v := int(here[x]) + 2*(int(here[x])-sum/9)
			mid[x] = byte(min(max(v, 0), 255))
		}
		above, here = here, above
	}
}
