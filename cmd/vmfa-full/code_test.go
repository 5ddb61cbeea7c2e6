package main

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/vmfa/vmfa/internal/testenv"
)

// TestCodeAtUnixForms: --at takes Unix seconds bare or after an @, as
// oathtool and date(1) write them.
func TestCodeAtUnixForms(t *testing.T) {
	parallel(t)
	dir := t.TempDir()
	vaultOf(t, dir, awsURI)
	want, _ := testenv.OathTOTP(t, awsSecret, time.Unix(1700000000, 0))
	for _, at := range []string{"1700000000", "@1700000000", "2023-11-14T22:13:20Z"} {
		expect(t, vmfa(t, dir, "", []string{pw}, "code", "aws", "--at", at), 0, want+"\n", "")
	}
	expect(t, vmfa(t, dir, "", []string{pw}, "code", "aws", "--at", "@"), 2, "", "or @1700000000")
}

// TestCodeJSONHOTP: an HOTP code's JSON says its counter and nothing of
// windows; "next" is there, and spent, only with --next.
func TestCodeJSONHOTP(t *testing.T) {
	parallel(t)
	dir := t.TempDir()
	const secret = "KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU"
	expect(t, vmfa(t, dir, "otpauth://hotp/Counter:bob?secret="+secret+"&counter=5\n", []string{pw}, "add", "--uri"), 0, "Added", "")
	for _, c := range []struct {
		args    []string
		counter uint64
		next    bool
	}{{[]string{"--json"}, 5, false}, {[]string{"--json", "--next"}, 6, true}, {[]string{"--json"}, 8, false}} {
		r := vmfa(t, dir, "", []string{pw}, append([]string{"code", "bob"}, c.args...)...)
		var js map[string]any
		if err := json.Unmarshal([]byte(r.stdout), &js); r.code != 0 || err != nil {
			t.Fatalf("code %v: %+v %v", c.args, r, err)
		}
		want := map[string]any{"issuer": "Counter", "name": "bob", "code": testenv.OathHOTP(t, secret, c.counter), "counter": float64(c.counter)}
		if c.next {
			want["next"] = testenv.OathHOTP(t, secret, c.counter+1)
		}
		if len(js) != len(want) {
			t.Fatalf("code %v: %s, want the members %v", c.args, r.stdout, want)
		}
		for k, v := range want {
			if js[k] != v {
				t.Fatalf("code %v: %s, want %q: %v", c.args, r.stdout, k, v)
			}
		}
	}
}
