package qr

import (
	"image"
	"image/color"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// Image encodes text as a QR code image, dark modules on white, each module
// scale pixels square, with the four-module quiet zone ISO/IEC 18004 asks
// for. Error correction is level M: a printed or photographed code is
// smudged or skewed more often than one on a terminal (see Terminal).
func Image(text string, scale int) (image.Image, error) {
	hints := map[gozxing.EncodeHintType]any{
		gozxing.EncodeHintType_MARGIN:           4,
		gozxing.EncodeHintType_ERROR_CORRECTION: "M",
	}
	bm, err := qrcode.NewQRCodeWriter().Encode(text, gozxing.BarcodeFormat_QR_CODE, 0, 0, hints)
	if err != nil {
		return nil, err
	}
	scale = max(scale, 1)
	w, h := bm.GetWidth(), bm.GetHeight()
	img := image.NewGray(image.Rect(0, 0, w*scale, h*scale))
	for y := 0; y < h*scale; y++ {
		for x := 0; x < w*scale; x++ {
			c := color.Gray{Y: 0xff}
			if bm.Get(x/scale, y/scale) {
				c.Y = 0
			}
			img.SetGray(x, y, c)
		}
	}
	return img, nil
}
