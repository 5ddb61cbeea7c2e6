package wire

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"
)

// TestMessageLimit: a message of exactly MaxMessage bytes of JSON goes
// through; one byte more is refused by the writer and by the reader, which
// reads no further than the length.
func TestMessageLimit(t *testing.T) {
	// A JSON string of n bytes: quotes and n-2 letters.
	str := func(n int) string { return strings.Repeat("a", n-2) }
	var buf bytes.Buffer
	if err := WriteMessage(&buf, str(MaxMessage)); err != nil {
		t.Fatalf("writing %d bytes: %v", MaxMessage, err)
	}
	var got string
	if err := ReadMessage(&buf, &got); err != nil || got != str(MaxMessage) {
		t.Fatalf("reading %d bytes: %v", MaxMessage, err)
	}
	if err := WriteMessage(&buf, str(MaxMessage+1)); err == nil || !strings.Contains(err.Error(), "over the limit") {
		t.Fatalf("writing %d bytes: %v", MaxMessage+1, err)
	}
	over := binary.BigEndian.AppendUint32(nil, MaxMessage+1)
	over = append(over, `"`+str(MaxMessage+1)+`"`...)
	if err := ReadMessage(bytes.NewReader(over), &got); err == nil || !strings.Contains(err.Error(), "over the limit") {
		t.Fatalf("reading %d bytes: %v", MaxMessage+1, err)
	}
}
