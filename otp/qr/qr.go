// Package qr reads and draws QR codes.
//
// Reading: Decode and DecodeImage find every QR code in an image, a
// screenshot of a web console, a 5K desktop, a dark-mode page, or a phone
// photo of a monitor, within bounds of pixels and memory that an image
// bomb can't pass (ReadImage).
//
// Drawing: Image draws a text as a QR code image (level M, for print and
// for files such as a Google Authenticator export's), and Terminal as half
// blocks for a terminal (level L, light on dark), for showing an account or
// an export to a phone's camera.
//
// Both are a thin, careful layer over github.com/makiuchi-d/gozxing. The
// layer exists because gozxing's defaults miss most real screenshots; see
// DecodeImage for what is done differently and why.
//
// The package knows nothing about files: callers open them and name them in
// their own error messages.
package qr

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"io"
	"io/fs"
	"strings"

	// Image formats understood by Decode.
	_ "image/gif"
	_ "image/jpeg"
	_ "image/png"

	_ "golang.org/x/image/bmp"
	_ "golang.org/x/image/tiff"
	_ "golang.org/x/image/webp"
)

// MaxPixels is the largest image (width*height) Decode accepts: 100 megapixels.
//
// That is twice a 6K display and more than any phone camera. A
// decompression bomb, say a 300 KB PNG claiming 60000×60000 pixels, is
// refused from its header before any pixel is decoded. Under the limit,
// decoding holds the file, the decoder's memory and a byte a pixel of
// luminance, at most maxDecodeBytes, and the search the luminance and its
// own: no image takes the process past 600 MiB (TestBombsMemory).
const MaxPixels = 100_000_000

// maxFileSize caps how much of the input Decode reads. No honest image under
// MaxPixels comes near it: an uncompressed 100-megapixel RGB TIFF or BMP is
// 300 MB (too large to decode besides: see decodingBytes), a PNG of noise as
// much, a PNG of a screenshot a few MB.
const maxFileSize = 320 << 20

var (
	// ErrNoQRCode is returned when the image holds no readable QR code.
	ErrNoQRCode = errors.New("no QR code found")

	// ErrTooLarge is returned, wrapped with the numbers, for an image over
	// MaxPixels or an input over a few hundred megabytes.
	ErrTooLarge = errors.New("image too large")

	// ErrNotImage is returned, possibly wrapped with the details, for input
	// that is not an image in a supported format or is a truncated or corrupt one.
	ErrNotImage = errors.New("not a PNG, JPEG, GIF, WebP, BMP or TIFF image")
)

// tooLargeError says by how much an image is too large; it matches ErrTooLarge.
type tooLargeError struct{ msg string }

func (e *tooLargeError) Error() string        { return e.msg }
func (e *tooLargeError) Is(target error) bool { return target == ErrTooLarge }

func errPixels(w, h, limit int) error {
	return &tooLargeError{fmt.Sprintf("image is %d×%d pixels, over the %d-megapixel limit", w, h, limit/1_000_000)}
}

// corruptError reports an image whose header was recognised but whose
// pixels could not be decoded; it matches ErrNotImage.
type corruptError struct {
	format string
	err    error
}

func (e *corruptError) Error() string {
	return fmt.Sprintf("truncated or corrupt %s image (%v); save or export it again", strings.ToUpper(e.format), e.err)
}
func (e *corruptError) Is(target error) bool { return target == ErrNotImage }
func (e *corruptError) Unwrap() error        { return e.err }

// Decode reads an encoded image and returns the text of every distinct QR
// code in it, in reading order (top-to-bottom, left-to-right).
//
// The input may be PNG, JPEG, GIF, WebP, BMP or TIFF. The image size is
// checked from the header before any pixel is decoded; see MaxPixels.
func Decode(r io.Reader) ([]string, error) {
	return decode(r, MaxPixels)
}

// decode is Decode with a limit of maxPixels, which the fuzz test lowers to
// check the refusal from the header on images small enough to fuzz.
func decode(r io.Reader, maxPixels int) ([]string, error) {
	img, err := readImage(r, maxPixels)
	if err != nil {
		return nil, err
	}
	return DecodeImage(img)
}

// ReadImage reads an encoded image as Decode does, for DecodeImage: the
// format's decoder's image, or, for most PNGs, its luminance, read straight
// from the file. It returns ErrNoQRCode for an image too narrow to hold one.
//
// Nothing larger than the file, the format's decoder and the luminance is
// held at once: PNGs, the usual and the largest images, are decoded without
// an image of their pixels (see pngLuminance); for the other formats, the
// memory their decoders will take is estimated from the header, and bounded
// (see decodingBytes).
func ReadImage(r io.Reader) (image.Image, error) {
	return readImage(r, MaxPixels)
}

func readImage(r io.Reader, maxPixels int) (image.Image, error) {
	// The whole input is buffered: the header has to be read twice (once
	// for the size check, once to decode), and the formats' decoders would
	// otherwise wrap r in their own bufio.Readers and lose bytes in between.
	data, err := readInput(r)
	if err != nil {
		return nil, err
	}
	cfg, format, err := safely(image.DecodeConfig, data)
	if err != nil {
		if errors.Is(err, image.ErrFormat) {
			return nil, ErrNotImage
		}
		return nil, &corruptError{format: sniff(data), err: err}
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, &corruptError{format, errors.New("zero width or height")}
	}
	if int64(cfg.Width)*int64(cfg.Height) > int64(maxPixels) {
		return nil, errPixels(cfg.Width, cfg.Height, maxPixels)
	}
	if min(cfg.Width, cfg.Height) < minSide {
		return nil, ErrNoQRCode
	}
	var pngErr error
	if format == "png" {
		lum, w, h, colour, err := pngLuminance(data, avgWeights, maxPixels)
		if err == nil {
			img := &lumImage{Gray: &image.Gray{Pix: lum, Stride: w, Rect: image.Rect(0, 0, w, h)}}
			if colour && w*h <= largeImage {
				img.bt601 = func() []byte {
					lum, _, _, _, _ := pngLuminance(data, bt601Weights, maxPixels)
					return lum
				}
			}
			return img, nil
		}
		if !errors.Is(err, errPNGKind) {
			pngErr = err // image/png may still say it better, if it fits
		}
	}
	if need := decodingBytes(format, data, cfg); need > maxDecodeBytes {
		if pngErr != nil {
			return nil, &corruptError{format, pngErr}
		}
		return nil, errMemory(format, cfg, need)
	}
	img, _, err := safely(image.Decode, data)
	if err != nil {
		return nil, &corruptError{format, err}
	}
	return img, nil
}

// A lumImage is an image read as its luminance with gozxing's weights, and,
// for a colour image of up to largeImage pixels, a way to read it with
// BT.601's (see weights).
type lumImage struct {
	*image.Gray
	bt601 func() []byte // nil: grey, or large
}

// readInput reads r to its end, or to a byte past maxFileSize, which it
// refuses. A file, or a reader that knows its length, is read into a buffer
// of that size: growing one as the bytes come would hold the old and the new
// at once, twice the file.
func readInput(r io.Reader) ([]byte, error) {
	var size int64
	switch r := r.(type) {
	case interface{ Stat() (fs.FileInfo, error) }: // *os.File
		if fi, err := r.Stat(); err == nil && fi.Mode().IsRegular() {
			size = fi.Size()
		}
	case interface{ Len() int }: // *bytes.Reader
		size = int64(r.Len())
	}
	if size > maxFileSize {
		return nil, errFileSize()
	}
	// ReadFrom grows a buffer with less than MinRead bytes free before
	// each read, the one that finds the end too.
	buf := bytes.NewBuffer(make([]byte, 0, size+bytes.MinRead))
	if _, err := buf.ReadFrom(io.LimitReader(r, maxFileSize+1)); err != nil {
		return nil, err
	}
	if buf.Len() > maxFileSize {
		return nil, errFileSize()
	}
	return buf.Bytes(), nil
}

func errFileSize() error {
	return &tooLargeError{fmt.Sprintf("image file is over %d MB", maxFileSize>>20)}
}

// safely calls image.Decode or image.DecodeConfig on data, turning a panic
// into an error: the decoders of golang.org/x/image have panicked on crafted
// input before, and a bad file must never crash the caller.
func safely[T any](decode func(io.Reader) (T, string, error), data []byte) (v T, format string, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("decoder failed: %v", p)
		}
	}()
	return decode(bytes.NewReader(data))
}

// sniff names the format of data whose header image.DecodeConfig recognised
// but could not parse (DecodeConfig returns no format name with an error),
// so that the error message can say which kind of file is damaged.
func sniff(data []byte) string {
	switch {
	case bytes.HasPrefix(data, []byte("\x89PNG")):
		return "png"
	case bytes.HasPrefix(data, []byte("\xff\xd8")):
		return "jpeg"
	case bytes.HasPrefix(data, []byte("GIF8")):
		return "gif"
	case bytes.HasPrefix(data, []byte("RIFF")):
		return "webp"
	case bytes.HasPrefix(data, []byte("BM")):
		return "bmp"
	case bytes.HasPrefix(data, []byte("II*\x00")), bytes.HasPrefix(data, []byte("MM\x00*")):
		return "tiff"
	}
	return "image"
}
