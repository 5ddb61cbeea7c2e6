package importer

import (
	"encoding/binary"
	"errors"
	"fmt"
	"unicode/utf16"

	"github.com/vmfa/vmfa/otp"
)

// readJavaStringMap reads a java.util.HashMap<String, String> written by
// java.io.ObjectOutputStream, as FreeOTP 2 writes its backups. It follows
// the Java Object Serialization Specification, chapter 6 (Object
// Serialization Stream Protocol), for exactly this shape: the HashMap's
// class descriptor and fields, then its writeObject data (capacity and
// size) and size keys and values, each a string or a back-reference to one.
// The pairs come back in the order the stream holds them.
func readJavaStringMap(data []byte) ([][2]string, error) {
	r := &javaReader{b: data}
	if r.u16() != javaMagic || r.u16() != javaVersion {
		return nil, errors.New("not a Java serialization stream")
	}
	if r.byte() != tcObject || r.byte() != tcClassDesc {
		return nil, errors.New("the stream does not start with an object")
	}
	if name := r.utf(); name != "java.util.HashMap" {
		return nil, fmt.Errorf("the stream holds a %q, not a HashMap", otp.Shorten(name, 48))
	}
	r.skip(8) // serialVersionUID
	r.newHandle(nil)
	r.byte() // flags
	var values int
	for range r.u16() {
		switch t := r.byte(); t {
		case 'F', 'I': // loadFactor, threshold
			values += 4
		default:
			return nil, fmt.Errorf("unexpected HashMap field of type %q", t)
		}
		r.utf()
	}
	if r.byte() != tcEndBlockData || r.byte() != tcNull { // no annotations, no superclass
		return nil, errors.New("unexpected HashMap class description")
	}
	r.newHandle(nil) // the map itself
	r.skip(values)
	if r.byte() != tcBlockData || r.byte() != 8 {
		return nil, errors.New("unexpected HashMap data")
	}
	r.skip(4) // capacity
	size := int(int32(r.u32()))
	if r.err != nil {
		return nil, r.err
	}
	if size < 0 || size > 3*maxAccounts {
		return nil, fmt.Errorf("the map claims %d entries", size)
	}
	pairs := make([][2]string, 0, min(size, len(data)/4))
	for range size {
		k, v := r.string(), r.string()
		if r.err != nil {
			return nil, r.err
		}
		pairs = append(pairs, [2]string{k, v})
	}
	return pairs, nil
}

// Constants of the serialization protocol (java.io.ObjectStreamConstants).
const (
	javaMagic      = 0xaced
	javaVersion    = 5
	tcNull         = 0x70
	tcReference    = 0x71
	tcClassDesc    = 0x72
	tcObject       = 0x73
	tcString       = 0x74
	tcBlockData    = 0x77
	tcEndBlockData = 0x78
	tcLongString   = 0x7c
	baseHandle     = 0x7e0000
)

// javaReader reads big-endian values; past the end it sets err and reads
// zeros, so that callers check once.
type javaReader struct {
	b       []byte
	err     error
	handles []*string // objects by handle - baseHandle; strings only matter
}

func (r *javaReader) take(n int) []byte {
	if r.err != nil || n < 0 || n > len(r.b) {
		if r.err == nil {
			r.err = errors.New("the stream is truncated")
		}
		return make([]byte, 8)[:min(max(n, 0), 8)]
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v
}

func (r *javaReader) skip(n int)  { r.take(n) }
func (r *javaReader) byte() byte  { return r.take(1)[0] }
func (r *javaReader) u16() int    { return int(binary.BigEndian.Uint16(r.take(2))) }
func (r *javaReader) u32() uint32 { return binary.BigEndian.Uint32(r.take(4)) }
func (r *javaReader) utf() string { return modifiedUTF8(r.take(r.u16())) }
func (r *javaReader) newHandle(s *string) {
	r.handles = append(r.handles, s)
}

// string reads a string object, or a reference to one read before.
func (r *javaReader) string() string {
	switch t := r.byte(); t {
	case tcString:
		s := r.utf()
		r.newHandle(&s)
		return s
	case tcLongString:
		n := binary.BigEndian.Uint64(r.take(8))
		if n > uint64(len(r.b)) {
			r.err = errors.New("the stream is truncated")
			return ""
		}
		s := modifiedUTF8(r.take(int(n)))
		r.newHandle(&s)
		return s
	case tcReference:
		h := int(r.u32()) - baseHandle
		if h < 0 || h >= len(r.handles) || r.handles[h] == nil {
			if r.err == nil {
				r.err = errors.New("the stream refers to an object it does not hold")
			}
			return ""
		}
		return *r.handles[h]
	default:
		if r.err == nil {
			r.err = fmt.Errorf("expected a string in the map, found type 0x%02x", t)
		}
		return ""
	}
}

// modifiedUTF8 decodes Java's "modified UTF-8" (java.io.DataInput): NUL is
// two bytes, and characters beyond the BMP are surrogate pairs, each
// written as three bytes. Malformed input gives U+FFFD.
func modifiedUTF8(b []byte) string {
	units := make([]uint16, 0, len(b))
	for i := 0; i < len(b); {
		c := b[i]
		switch {
		case c < 0x80:
			units = append(units, uint16(c))
			i++
		case c&0xe0 == 0xc0 && i+1 < len(b) && b[i+1]&0xc0 == 0x80:
			units = append(units, uint16(c&0x1f)<<6|uint16(b[i+1]&0x3f))
			i += 2
		case c&0xf0 == 0xe0 && i+2 < len(b) && b[i+1]&0xc0 == 0x80 && b[i+2]&0xc0 == 0x80:
			units = append(units, uint16(c&0x0f)<<12|uint16(b[i+1]&0x3f)<<6|uint16(b[i+2]&0x3f))
			i += 3
		default:
			units = append(units, 0xfffd)
			i++
		}
	}
	return string(utf16.Decode(units))
}
