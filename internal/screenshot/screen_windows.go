package screenshot

import (
	"fmt"
	"image"
	"unsafe"

	"golang.org/x/sys/windows"
)

const noQRHint = ""

var (
	user32                 = windows.NewLazySystemDLL("user32.dll")
	gdi32                  = windows.NewLazySystemDLL("gdi32.dll")
	procSetProcessDPIAware = user32.NewProc("SetProcessDPIAware")
	procGetSystemMetrics   = user32.NewProc("GetSystemMetrics")
	procGetDC              = user32.NewProc("GetDC")
	procReleaseDC          = user32.NewProc("ReleaseDC")
	procCreateCompatibleDC = gdi32.NewProc("CreateCompatibleDC")
	procCreateCompatibleBM = gdi32.NewProc("CreateCompatibleBitmap")
	procSelectObject       = gdi32.NewProc("SelectObject")
	procBitBlt             = gdi32.NewProc("BitBlt")
	procGetDIBits          = gdi32.NewProc("GetDIBits")
	procDeleteObject       = gdi32.NewProc("DeleteObject")
	procDeleteDC           = gdi32.NewProc("DeleteDC")
)

const (
	smXVirtualScreen  = 76
	smYVirtualScreen  = 77
	smCXVirtualScreen = 78
	smCYVirtualScreen = 79
	srcCopy           = 0x00CC0020
	captureBlt        = 0x40000000 // include layered windows
	dibRGBColors      = 0
)

// bitmapInfoHeader is BITMAPINFOHEADER.
type bitmapInfoHeader struct {
	Size          uint32
	Width, Height int32
	Planes        uint16
	BitCount      uint16
	Compression   uint32
	SizeImage     uint32
	XPelsPerMeter int32
	YPelsPerMeter int32
	ClrUsed       uint32
	ClrImportant  uint32
}

// bitmapInfo is BITMAPINFO, with room for the colour masks GetDIBits may
// write after the header.
type bitmapInfo struct {
	header bitmapInfoHeader
	colors [3]uint32
}

// capture copies the virtual screen, which spans every monitor, through
// GDI into memory.
func capture() ([]image.Image, error) {
	// Unaware of the display's scaling, the process would get a shrunken
	// copy of a scaled display, its QR modules blurred.
	procSetProcessDPIAware.Call()
	metric := func(i uintptr) int32 { v, _, _ := procGetSystemMetrics.Call(i); return int32(v) }
	x, y := metric(smXVirtualScreen), metric(smYVirtualScreen)
	w, h := metric(smCXVirtualScreen), metric(smCYVirtualScreen)
	if w <= 0 || h <= 0 {
		return nil, fmt.Errorf("no screen to capture: the virtual screen is %d×%d", w, h)
	}
	screenDC, _, _ := procGetDC.Call(0)
	if screenDC == 0 {
		return nil, fmt.Errorf("no screen to capture: GetDC failed (no interactive desktop?)")
	}
	defer procReleaseDC.Call(0, screenDC)
	memDC, _, _ := procCreateCompatibleDC.Call(screenDC)
	if memDC == 0 {
		return nil, fmt.Errorf("capturing the screen: CreateCompatibleDC failed")
	}
	defer procDeleteDC.Call(memDC)
	bitmap, _, _ := procCreateCompatibleBM.Call(screenDC, uintptr(w), uintptr(h))
	if bitmap == 0 {
		return nil, fmt.Errorf("capturing the screen: CreateCompatibleBitmap failed for %d×%d", w, h)
	}
	defer procDeleteObject.Call(bitmap)
	old, _, _ := procSelectObject.Call(memDC, bitmap)
	if ok, _, err := procBitBlt.Call(memDC, 0, 0, uintptr(w), uintptr(h), screenDC, uintptr(x), uintptr(y), srcCopy|captureBlt); ok == 0 {
		procSelectObject.Call(memDC, old)
		return nil, fmt.Errorf("capturing the screen: BitBlt: %v", err)
	}
	// 32-bit top-down rows (negative height): B, G, R, unused.
	var info bitmapInfo
	info.header = bitmapInfoHeader{Width: w, Height: -h, Planes: 1, BitCount: 32}
	info.header.Size = uint32(unsafe.Sizeof(info.header))
	img := image.NewRGBA(image.Rect(0, 0, int(w), int(h)))
	// The bitmap must not be selected into a DC while GetDIBits reads it.
	procSelectObject.Call(memDC, old)
	if n, _, err := procGetDIBits.Call(memDC, bitmap, 0, uintptr(h), uintptr(unsafe.Pointer(&img.Pix[0])), uintptr(unsafe.Pointer(&info)), dibRGBColors); n == 0 {
		return nil, fmt.Errorf("capturing the screen: GetDIBits: %v", err)
	}
	for i := 0; i < len(img.Pix); i += 4 {
		img.Pix[i], img.Pix[i+2], img.Pix[i+3] = img.Pix[i+2], img.Pix[i], 0xff
	}
	return []image.Image{img}, nil
}
