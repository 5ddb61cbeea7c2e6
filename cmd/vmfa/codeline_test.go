package main

import "testing"

// TestParseCodeLine: the front end answers only the command lines it reads
// exactly as vmfa-full's flag parser would; everything else is vmfa-full's.
func TestParseCodeLine(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want codeLine
		ok   bool
	}{
		{[]string{"code", "aws"}, codeLine{query: "aws"}, true},
		{[]string{"code", "--fresh", "arn:aws:iam::123456789012:mfa/alice"}, codeLine{query: "arn:aws:iam::123456789012:mfa/alice", fresh: true}, true},
		{[]string{"--dir", "/v", "code", "aws", "--json", "--next"}, codeLine{dir: "/v", query: "aws", asJSON: true, next: true}, true},
		{[]string{"code", "--dir=/v", "aws"}, codeLine{dir: "/v", query: "aws"}, true},
		{[]string{"code", "Amazon Web Services"}, codeLine{query: "Amazon Web Services"}, true},

		{nil, codeLine{}, false},                                           // the interface
		{[]string{"list"}, codeLine{}, false},                              // another command
		{[]string{"code"}, codeLine{}, false},                              // no query: usage
		{[]string{"code", "a", "b"}, codeLine{}, false},                    // two: usage
		{[]string{"code", " "}, codeLine{}, false},                         // empty: usage
		{[]string{"aws", "code"}, codeLine{}, false},                       // not the code command
		{[]string{"code", "aws", "--at", "1700000000"}, codeLine{}, false}, // a chosen time
		{[]string{"code", "aws", "--help"}, codeLine{}, false},
		{[]string{"code", "-h", "aws"}, codeLine{}, false},
		{[]string{"code", "aws", "--no-agent"}, codeLine{}, false},
		{[]string{"code", "aws", "--identity", "key.txt"}, codeLine{}, false},
		{[]string{"code", "--", "-aws"}, codeLine{}, false},
		{[]string{"code", "aws", "--fresh=false"}, codeLine{}, false},
		{[]string{"code", "aws", "--dir"}, codeLine{}, false},  // --dir without its value
		{[]string{"code", "aws", "--dir="}, codeLine{}, false}, // an empty one
		{[]string{"code", "aws", "--dir", ""}, codeLine{}, false},
		{[]string{"code", "aws", "--verbose"}, codeLine{}, false}, // unknown: vmfa-full says so
		{[]string{"code", "aws", "--copy"}, codeLine{}, false},    // the clipboard: vmfa-full's
		{[]string{"code", "caf\xe9"}, codeLine{}, false},          // not UTF-8: JSON would change it
		{[]string{"code", "café"}, codeLine{query: "café"}, true},
		// code's flags before "code" are unknown to the root: vmfa-full
		// says so, exit 2.
		{[]string{"--fresh", "code", "aws"}, codeLine{}, false},
		{[]string{"--json", "code", "aws"}, codeLine{}, false},
		{[]string{"--dir", "/v", "--next", "code", "aws"}, codeLine{}, false},
		{[]string{"code", "--next", "--dir", "/v", "aws"}, codeLine{dir: "/v", query: "aws", next: true}, true},
	} {
		got, ok := parseCodeLine(tc.args)
		if ok != tc.ok || got != tc.want {
			t.Errorf("parseCodeLine(%q) = %+v, %v; want %+v, %v", tc.args, got, ok, tc.want, tc.ok)
		}
	}
}
