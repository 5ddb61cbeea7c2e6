package testenv

import (
	"bytes"
	"image"
	"image/png"
	"os"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// QR code fixtures, drawn by ZXing's encoder: not by vmfa's own, so that a
// fault of vmfa's drawing can't hide one of its reading.

// QRImage returns a QR code holding text, black on white, size by size
// pixels, its quiet zone included.
func QRImage(t testing.TB, text string, size int) *image.Gray {
	t.Helper()
	m, err := qrcode.NewQRCodeWriter().Encode(text, gozxing.BarcodeFormat_QR_CODE, size, size, nil)
	if err != nil {
		t.Fatal(err)
	}
	img := image.NewGray(image.Rect(0, 0, m.GetWidth(), m.GetHeight()))
	for y := range m.GetHeight() {
		for x := range m.GetWidth() {
			if !m.Get(x, y) {
				img.Pix[y*img.Stride+x] = 0xff
			}
		}
	}
	return img
}

// QRPNG returns QRImage(t, text, size) as a PNG file's bytes.
func QRPNG(t testing.TB, text string, size int) []byte {
	t.Helper()
	return PNG(t, QRImage(t, text, size))
}

// PNG returns img encoded as a PNG file's bytes.
func PNG(t testing.TB, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// WriteQR writes QRPNG(t, text, size) to the file path, and returns path.
func WriteQR(t testing.TB, path, text string, size int) string {
	t.Helper()
	if err := os.WriteFile(path, QRPNG(t, text, size), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
