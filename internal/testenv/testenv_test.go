package testenv

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vmfa/vmfa/otp/qr"
)

// The harness's own checks: the tests of every other package lean on it.

// TestOathtool: RFC 6238's and RFC 4226's vectors, as oathtool computes
// them through OathTOTP and OathHOTP.
func TestOathtool(t *testing.T) {
	const key = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ" // "12345678901234567890"
	code, next := OathTOTP(t, key, time.Unix(59, 0), "--digits=8")
	if later, _ := OathTOTP(t, key, time.Unix(60, 0), "--digits=8"); code != "94287082" || next != later || next == code {
		t.Errorf("TOTP at 59 s: %s, then %s; want RFC 6238's 94287082, then the code at 60 s, %s", code, next, later)
	}
	if code, _ := OathTOTP(t, key, time.Unix(1111111109, 0), "--digits=8", "--totp=sha1"); code != "07081804" {
		t.Errorf("TOTP at 1111111109 s: %s, want RFC 6238's 07081804", code)
	}
	for counter, want := range []string{"755224", "287082", "359152"} {
		if got := OathHOTP(t, key, uint64(counter)); got != want {
			t.Errorf("HOTP at %d: %s, want RFC 4226's %s", counter, got, want)
		}
	}
}

// TestQR: a fixture reads back as its text, from the file too.
func TestQR(t *testing.T) {
	const text = "otpauth://totp/GitHub:alice?secret=GEZDGNBVGY3TQOJQ&issuer=GitHub"
	img := QRImage(t, text, 300)
	if b := img.Bounds(); b.Dx() != 300 || b.Dy() != 300 {
		t.Fatalf("QRImage is %v, want 300×300", b)
	}
	path := WriteQR(t, filepath.Join(t.TempDir(), "qr.png"), text, 300)
	for _, src := range []struct {
		what string
		read func() ([]string, error)
	}{
		{"QRImage", func() ([]string, error) { return qr.DecodeImage(img) }},
		{"WriteQR's file", func() ([]string, error) {
			f, err := os.Open(path)
			if err != nil {
				return nil, err
			}
			defer f.Close()
			return qr.Decode(f)
		}},
	} {
		if got, err := src.read(); err != nil || len(got) != 1 || got[0] != text {
			t.Errorf("%s reads as %q, %v; want %q", src.what, got, err, text)
		}
	}
}

// TestEnv: the test's directories, and extra values that win over them.
func TestEnv(t *testing.T) {
	dir := t.TempDir()
	env := Env(t, dir, "VMFA_WORK_FACTOR=12", "EXTRA=1")
	if env2 := Env(t, dir); !slices.Contains(env2, "XDG_RUNTIME_DIR="+RuntimeDir(t, dir)) {
		t.Errorf("a second Env of %s has another runtime directory: %q", dir, env2)
	}
	r := Run(t, Command(t, "sh", dir, []string{"VMFA_WORK_FACTOR=12", "EXTRA=1"}, "-c", `echo "$HOME $VMFA_DIR $VMFA_WORK_FACTOR $EXTRA"; echo err >&2; exit 3`), "")
	want := dir + " " + filepath.Join(dir, "vault") + " 12 1\n"
	if r.Stdout != want || r.Stderr != "err\n" || r.Code != 3 {
		t.Errorf("Run = %+v, want stdout %q, stderr \"err\\n\", exit 3 (env %q)", r, want, env)
	}
	if r := Run(t, exec.Command("cat"), "typed"); r.Stdout != "typed" {
		t.Errorf("stdin: %+v", r)
	}
	var got bytes.Buffer
	sh := exec.Command("sh", "-c", "env -i "+ShellEnv([]string{"A=it's $HOME", "B=`x`"})+` sh -c 'printf "%s|%s" "$A" "$B"'`)
	sh.Stdout = &got
	if err := sh.Run(); err != nil || got.String() != "it's $HOME|`x`" {
		t.Errorf("ShellEnv: %q, %v", got.String(), err)
	}
}

// TestTerminal: a program on the terminal, its prompt, what is typed, its
// piped stdout, and the queries a terminal answers.
func TestTerminal(t *testing.T) {
	script := `printf 'name? ' >&2; read name; echo "hello $name"; printf '\033[6n' >&2; ` +
		`stty -icanon -echo; answer=$(dd bs=1 count=6 2>/dev/null); stty sane; printf 'cursor %s\n' "$answer" | od -c | head -1 >&2; exit 4`
	term := StartTerminal(t, exec.Command("sh", "-c", script), true)
	term.Expect("name? ")
	term.Type("vmfa\r")
	if out := term.ExpectStdout("hello vmfa\n"); out != "hello vmfa\n" {
		t.Errorf("stdout %q", out)
	}
	code, screen := term.Wait()
	if code != 4 || !strings.Contains(screen, `033   [   1   ;   1   R`) {
		t.Errorf("exit %d, terminal %q: want 4, and the cursor's position answered", code, screen)
	}
	if !term.Ended() {
		t.Error("the terminal is still there after the program ended")
	}
}
