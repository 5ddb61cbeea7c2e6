package qr

import (
	"strings"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// Terminal encodes text as a QR code drawn in text for a terminal: each
// character cell holds two modules, one above the other, in half blocks
// (▀ ▄ █ and space), with a two-module quiet zone.
//
// The block characters stand for the light modules, so the result must be
// shown as light ink on a dark background (white on black), where it reads as
// the ordinary dark-on-light code a phone's camera expects. Drawn the other
// way round, as dark ink on a light page, it is a negative that many phones
// cannot scan.
//
// Error correction is the lowest level, L: a terminal shows a clean,
// undamaged image, and the smaller code fits an 80×24 terminal with an AWS
// account's URI.
func Terminal(text string) (string, error) {
	hints := map[gozxing.EncodeHintType]any{
		gozxing.EncodeHintType_MARGIN:           2,
		gozxing.EncodeHintType_ERROR_CORRECTION: "L",
	}
	bm, err := qrcode.NewQRCodeWriter().Encode(text, gozxing.BarcodeFormat_QR_CODE, 0, 0, hints)
	if err != nil {
		return "", err
	}
	w, h := bm.GetWidth(), bm.GetHeight()
	light := func(x, y int) bool { return y >= h || !bm.Get(x, y) }
	var b strings.Builder
	b.Grow((w*3 + 1) * (h + 1) / 2)
	for y := 0; y < h; y += 2 {
		if y > 0 {
			b.WriteByte('\n')
		}
		for x := 0; x < w; x++ {
			top, bottom := light(x, y), light(x, y+1)
			switch {
			case top && bottom:
				b.WriteString("█")
			case top:
				b.WriteString("▀")
			case bottom:
				b.WriteString("▄")
			default:
				b.WriteByte(' ')
			}
		}
	}
	return b.String(), nil
}
