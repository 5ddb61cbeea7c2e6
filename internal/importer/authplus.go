package importer

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"path"
)

// Authenticator Plus's backup is a password-protected zip holding
// Accounts.txt, a list of otpauth:// URIs (see uri.go). The zip uses the
// traditional PKWARE encryption ("ZipCrypto"), specified in PKWARE's
// APPNOTE.TXT, section 6.1, which Go's archive/zip does not decrypt: the
// archive is read with archive/zip and the entry decrypted here. The
// decompressed entry is bounded, so a zip bomb stops at the bound.
const (
	authPlusEntry    = "Accounts.txt"
	authPlusMaxEntry = 16 << 20
	zipHeaderSize    = 12 // the encryption header before the data
)

func parseAuthenticatorPlus(data []byte, p *prompt) (*accounts, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, errors.New("Authenticator Plus backup: not a valid zip archive")
	}
	for _, f := range zr.File {
		if path.Base(f.Name) != authPlusEntry {
			continue
		}
		text, err := readZipEntry(f, p)
		if err != nil {
			return nil, fmt.Errorf("Authenticator Plus backup: %w", err)
		}
		return parseURIs(text, p)
	}
	return nil, errors.New("Authenticator Plus backup: the zip has no " + authPlusEntry)
}

// readZipEntry returns the content of a stored or deflated entry,
// decrypting it if it is encrypted, and checks its CRC-32.
func readZipEntry(f *zip.File, p *prompt) ([]byte, error) {
	if f.Method != zip.Store && f.Method != zip.Deflate {
		return nil, fmt.Errorf("%s uses compression or encryption method %d, which vmfa does not read", authPlusEntry, f.Method)
	}
	if f.CompressedSize64 > MaxFileSize {
		return nil, fmt.Errorf("%s is too large", authPlusEntry)
	}
	raw, err := f.OpenRaw()
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(io.LimitReader(raw, int64(f.CompressedSize64)))
	if err != nil || uint64(len(body)) != f.CompressedSize64 {
		return nil, fmt.Errorf("%s is truncated", authPlusEntry)
	}
	wrong := errors.New("the zip is damaged")
	if f.Flags&1 != 0 {
		pw, err := p.password()
		if err != nil {
			return nil, err
		}
		if body, err = zipDecrypt(f, body, pw); err != nil {
			return nil, err
		}
		wrong = ErrWrongPassword
	}
	var r io.Reader = bytes.NewReader(body)
	if f.Method == zip.Deflate {
		r = flate.NewReader(r)
	}
	out, err := io.ReadAll(io.LimitReader(r, authPlusMaxEntry+1))
	switch {
	case len(out) > authPlusMaxEntry:
		return nil, fmt.Errorf("%s unpacks to over %d MiB", authPlusEntry, authPlusMaxEntry>>20)
	case err != nil, crc32.ChecksumIEEE(out) != f.CRC32:
		return nil, wrong
	}
	return out, nil
}

// zipDecrypt removes ZipCrypto from an entry's data and checks the
// password against the header's check byte (APPNOTE 6.1.6): a wrong
// password passes that check once in 256 times, and the CRC-32 then
// catches it.
func zipDecrypt(f *zip.File, body []byte, password string) ([]byte, error) {
	if len(body) < zipHeaderSize {
		return nil, fmt.Errorf("%s is truncated", authPlusEntry)
	}
	k := zipKeys{0x12345678, 0x23456789, 0x34567890}
	for i := range len(password) {
		k.update(password[i])
	}
	plain := make([]byte, len(body))
	for i, c := range body {
		plain[i] = c ^ k.stream()
		k.update(plain[i])
	}
	check := byte(f.CRC32 >> 24)
	if f.Flags&0x8 != 0 { // sizes and CRC in a data descriptor: the time is checked
		check = byte(f.ModifiedTime >> 8)
	}
	if plain[zipHeaderSize-1] != check {
		return nil, ErrWrongPassword
	}
	return plain[zipHeaderSize:], nil
}

// zipKeys is the state of the ZipCrypto stream cipher (APPNOTE 6.1.5).
type zipKeys [3]uint32

func (k *zipKeys) update(c byte) {
	k[0] = crc32Update(k[0], c)
	k[1] = (k[1]+k[0]&0xff)*134775813 + 1
	k[2] = crc32Update(k[2], byte(k[1]>>24))
}

func (k *zipKeys) stream() byte {
	t := k[2] | 2
	return byte((t * (t ^ 1)) >> 8)
}

// crc32Update is one byte of the CRC-32 as APPNOTE defines it for keys:
// without the usual inversions.
func crc32Update(crc uint32, b byte) uint32 {
	return crc32.IEEETable[byte(crc)^b] ^ crc>>8
}
