package termsafe

import (
	"bytes"
	"encoding/json"
	"testing"
)

func TestEscape(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"", ""},
		{"GitHub:alice", "GitHub:alice"},
		// Valid non-ASCII text is kept as it is.
		{"Café:José", "Café:José"},
		{"微软:小明", "微软:小明"},
		{"🔐 Bank 👩‍💻", "🔐 Bank 👩‍💻"},
		{"\ufffd stays: it is a character", "\ufffd stays: it is a character"},
		{`C:\Users\a`, `C:\Users\a`},
		// C0 and DEL.
		{"\x1b]0;PWNED\a\x1b[2J", `\x1b]0;PWNED\x07\x1b[2J`},
		{"a\x00b", `a\x00b`},
		{"line\nnext\ttab\rback", `line\x0anext\x09tab\x0dback`},
		{"\x1f\x7f", `\x1f\x7f`},
		{" ~", " ~"},
		// C1 as characters: CSI, OSC, NEL, and the range's ends.
		{"\u009b2J", `\u009b2J`},
		{"\u009d0;PWNED\u009c", `\u009d0;PWNED\u009c`},
		{"\u0080\u0085\u009f\u00a0", `\u0080\u0085\u009f` + "\u00a0"},
		// C1 as raw bytes, and any other byte that is not UTF-8.
		{"\x9b2J", `\x9b2J`},
		{"a\x9db\x80c\x9f", `a\x9db\x80c\x9f`},
		{"\x80", `\x80`},
		{"\xff\xfe", `\xff\xfe`},
		{"\xe2\x82", `\xe2\x82`},         // a cut euro sign
		{"é\xc3", `é\xc3`},               // valid, then a lone lead byte
		{"\xed\xa0\x80", `\xed\xa0\x80`}, // a surrogate, not UTF-8
		{"\xc2\x9b", `\u009b`},           // U+009B written as UTF-8
	} {
		got := Escape(c.in)
		if got != c.want {
			t.Errorf("Escape(%q) = %q, want %q", c.in, got, c.want)
		}
		if HasControls(c.in) != (c.in != c.want) {
			t.Errorf("HasControls(%q) = %v", c.in, HasControls(c.in))
		}
		if HasControls(got) || Escape(got) != got {
			t.Errorf("Escape(%q) = %q still needs escaping", c.in, got)
		}
	}
}

func TestEscapeJSON(t *testing.T) {
	want := map[string]string{"comment": "a\u009b2J\u009d0;x\u0007\u007f é 微 🔐", "plain": "GitHub"}
	raw, err := json.MarshalIndent(want, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	out := EscapeJSON(raw)
	for _, c := range []string{"\u009b", "\u009d", "\x7f", "\x07"} {
		if bytes.Contains(out, []byte(c)) {
			t.Errorf("EscapeJSON left %q raw: %s", c, out)
		}
	}
	var got map[string]string
	if err := json.Unmarshal(out, &got); err != nil || got["comment"] != want["comment"] || got["plain"] != want["plain"] {
		t.Fatalf("EscapeJSON's output %s decodes to %q, %v; want %q", out, got, err, want)
	}
}
