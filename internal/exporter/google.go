package exporter

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"

	"github.com/vmfa/vmfa/otp"
	"github.com/vmfa/vmfa/otp/qr"
	"github.com/vmfa/vmfa/vault"
)

// Left is an account an export leaves out, and why.
type Left struct {
	Label  string // "Issuer:Name"
	Reason string // what Google Authenticator cannot hold: "Steam Guard accounts"
}

func (l Left) String() string { return l.Label + " (" + l.Reason + ")" }

// Google writes the accounts Google Authenticator can hold as its export
// URIs (otpauth-migration://), batched as the app batches them
// (otp.MigrationBatchSize a QR code) under one random batch id, and names
// the accounts it cannot hold (otp.Account.MigrationUnfit). uris is empty
// when none fits.
func Google(entries []vault.Entry, random io.Reader) (uris []string, left []Left, err error) {
	var fit []otp.Account
	for _, e := range entries {
		if why := e.MigrationUnfit(); why != "" {
			left = append(left, Left{Label: e.Label(), Reason: why})
			continue
		}
		fit = append(fit, e.Account)
	}
	if len(fit) == 0 {
		return nil, left, nil
	}
	var id [4]byte
	if _, err := io.ReadFull(random, id[:]); err != nil {
		return nil, nil, err
	}
	uris, err = otp.MigrationURIs(fit, int32(binary.BigEndian.Uint32(id[:])))
	return uris, left, err
}

// pngScale is the pixels of a module in PNG: a full batch of ten accounts
// makes a QR code about 600 pixels wide, sharp on any screen.
const pngScale = 6

// PNG draws one export URI as a QR code in PNG, to show on a screen or print.
func PNG(uri string) ([]byte, error) {
	img, err := qr.Image(uri, pngScale)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// PNGName is the file name of QR code i (from 1) of an export of n: the
// number of codes is in every name, so that the parts of two exports never
// pass for one.
func PNGName(i, n int) string {
	return fmt.Sprintf("google-authenticator-%d-of-%d.png", i, n)
}

// IsPNGName reports whether name is one that PNGName gives.
func IsPNGName(name string) bool { return pngNamePattern.MatchString(name) }

var pngNamePattern = regexp.MustCompile(`^google-authenticator-([1-9][0-9]{0,5})-of-([1-9][0-9]{0,5})\.png$`)

// OtherPNGs returns the paths of the regular files in dir named as PNGName
// names the QR codes of an export but for names, those of the export being
// written: an earlier export's, of another number of codes, that a reader
// of dir could take for a part of the new one. Other files are not listed.
func OtherPNGs(dir string, names []string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var paths []string
	for _, e := range entries {
		m := pngNamePattern.FindStringSubmatch(e.Name())
		if m == nil || !e.Type().IsRegular() || slices.Contains(names, e.Name()) {
			continue
		}
		// At most six digits each: Atoi cannot fail.
		i, _ := strconv.Atoi(m[1])
		n, _ := strconv.Atoi(m[2])
		if i <= n {
			paths = append(paths, filepath.Join(dir, e.Name()))
		}
	}
	return paths, nil
}
