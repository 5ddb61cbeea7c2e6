package importer

import (
	"slices"
	"strings"
	"testing"
)

// A serialized HashMap is believed up to 30000 entries (three a token, at
// most 10000 tokens), empty strings and a stream ending with its last
// string included.
func TestJavaStringMap(t *testing.T) {
	stream := append(javaMapHeader(2), javaString("")...)
	stream = append(stream, javaString("empty key")...)
	stream = append(stream, javaString("last")...)
	stream = append(stream, javaString("value")...)
	pairs, err := readJavaStringMap(stream)
	if want := [][2]string{{"", "empty key"}, {"last", "value"}}; err != nil || !slices.Equal(pairs, want) {
		t.Errorf("got %q, %v; want %q", pairs, err, want)
	}
	if pairs, err := readJavaStringMap(javaMapHeader(0)); err != nil || len(pairs) != 0 {
		t.Errorf("an empty map: %q, %v", pairs, err)
	}
	// Believed, then found to be cut short.
	if _, err := readJavaStringMap(javaMapHeader(3 * maxAccounts)); err == nil || !strings.Contains(err.Error(), "truncated") {
		t.Errorf("30000 entries claimed: %v", err)
	}
	if _, err := readJavaStringMap(javaMapHeader(3*maxAccounts + 1)); err == nil || err.Error() != "the map claims 30001 entries" {
		t.Errorf("30001 entries claimed: %v", err)
	}
}
