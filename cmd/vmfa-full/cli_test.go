package main

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/vmfa/vmfa/internal/agekey/agekeytest"
	"github.com/vmfa/vmfa/internal/ststest"
	"github.com/vmfa/vmfa/internal/termhandoff"
	"github.com/vmfa/vmfa/internal/testenv"
)

// The command-line contract, driven end to end through the real binary, a
// real vault in a temporary directory and real QR images.

var vmfaBin string

func TestMain(m *testing.M) {
	agekeytest.RunPluginIfInvoked() // the test binary is also age-plugin-vmfatest
	ststest.RunClientIfInvoked()    // and an AWS SDK client (TestAWSParallelMisses)
	dir, err := os.MkdirTemp("", "vmfa-cli")
	if err != nil {
		panic(err)
	}
	if vmfaBin, err = testenv.BuildVmfa(dir); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	// Nearly every test waits, on vmfa processes, windows, clipboards and
	// terminals, far more than it computes; each has directories of its own.
	testenv.Parallel(16)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// parallel runs t in parallel, when one of the 16 turns is free
// (testenv.Turn).
func parallel(t *testing.T) {
	t.Parallel()
	testenv.Turn(t)
}

// parallelWaiting runs t in parallel at once, without a turn: for a test
// that spends most of its time waiting for TOTP windows, which would
// otherwise come last and wait with the CPUs idle; and for one whose
// subtests take turns, which it would hold one of while they wait.
func parallelWaiting(t *testing.T) { t.Parallel() }

// go test caches this package's results by what its test binary links and
// the files its tests open. The front end, built by TestMain, is linked by
// no test here: opening its sources while the tests run makes a change to
// them run the tests again.
var frontSourcesOnce sync.Once

func openFrontSources() {
	sources, _ := filepath.Glob(filepath.Join("..", "vmfa", "*.go"))
	for _, src := range sources {
		if f, err := os.Open(src); err == nil {
			f.Close()
		}
	}
}

// fullBin is the vmfa-full that vmfaBin, the front end, hands to.
func fullBin() string { return filepath.Join(filepath.Dir(vmfaBin), "vmfa-full") }

type result struct {
	stdout, stderr string
	code           int
}

// vmfa runs vmfa, the program users run, with a vault in dir; env adds
// KEY=VALUE pairs. A command line the front end only hands on runs
// vmfa-full as the front end execs it (handedOver): that saves the front
// end's own start, ~8 ms of CPU on a small VM, a thousand times a run.
// TestFrontEndHandsOver checks that the two give the same.
func vmfa(t *testing.T, dir, stdin string, env []string, args ...string) result {
	t.Helper()
	if frontEndsOwn(args) {
		return runBin(t, vmfaBin, dir, stdin, env, args...)
	}
	return runCmd(t, handedOver(t, dir, env, args...), stdin)
}

// frontEndsOwn reports whether the front end may act on args itself:
// 'code' (from the agent) and --version (its own build too).
func frontEndsOwn(args []string) bool {
	return slices.Contains(args, "code") || len(args) == 1 && (args[0] == "--version" || args[0] == "-v")
}

// handedOver returns the command the front end execs for args: vmfa-full
// under the front end's name, with the environment of termhandoff.Handoff.
func handedOver(t *testing.T, dir string, env []string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := testenv.Command(t, fullBin(), dir, env, args...)
	cmd.Args[0] = vmfaBin
	cmd.Env = termhandoff.Handoff(cmd.Env)
	return cmd
}

// runBin is vmfa with the program bin.
func runBin(t *testing.T, bin, dir, stdin string, env []string, args ...string) result {
	t.Helper()
	return runCmd(t, testenv.Command(t, bin, dir, env, args...), stdin)
}

// runCmd runs cmd (testenv.Run): it fails the test on a panic or a stderr
// of more than a few lines.
func runCmd(t *testing.T, cmd *exec.Cmd, stdin string) result {
	t.Helper()
	frontSourcesOnce.Do(openFrontSources)
	out := testenv.Run(t, cmd, stdin)
	r := result{out.Stdout, out.Stderr, out.Code}
	if strings.Contains(r.stderr, "panic") || strings.Count(strings.TrimSpace(r.stderr), "\n") > 20 {
		t.Fatalf("vmfa %v: stderr:\n%s", cmd.Args[1:], r.stderr)
	}
	return r
}

const (
	pw         = "VMFA_PASSPHRASE=correct horse"
	awsSecret  = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
	awsURI     = "otpauth://totp/Amazon%20Web%20Services:alice@123456789012?secret=" + awsSecret + "&issuer=Amazon%20Web%20Services"
	githubURI  = "otpauth://totp/GitHub:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=GitHub"
	githubURI2 = "otpauth://totp/GitHub:bob?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJR&issuer=GitHub&digits=8&algorithm=SHA256"
)

func expect(t *testing.T, r result, code int, stdout, stderr string) {
	t.Helper()
	if r.code != code || !strings.Contains(r.stdout, stdout) || !strings.Contains(r.stderr, stderr) {
		t.Fatalf("exit %d, stdout %q, stderr %q; want exit %d, stdout ~%q, stderr ~%q", r.code, r.stdout, r.stderr, code, stdout, stderr)
	}
}

func noSecrets(t *testing.T, r result) {
	t.Helper()
	for _, s := range []string{awsSecret[:16], "GEZDGNBVGY3TQOJQ", "correct horse"} {
		if strings.Contains(r.stdout+r.stderr, s) {
			t.Fatalf("output leaks a secret: %q %q", r.stdout, r.stderr)
		}
	}
}

func TestLifecycle(t *testing.T) {
	parallel(t)
	dir := t.TempDir()
	expect(t, vmfa(t, dir, "", []string{pw}, "list"), 1, "", "no vault yet")
	expect(t, vmfa(t, dir, "", []string{pw}, "init", "--work-factor", "10"), 0, "", "Created a vault")
	expect(t, vmfa(t, dir, "", []string{pw}, "init", "--work-factor", "10"), 1, "", "already exists")
	info, err := os.Stat(filepath.Join(dir, "vault"))
	if err != nil || info.Mode().Perm() != 0o700 {
		t.Fatalf("vault dir: %v %v", info.Mode(), err)
	}

	r := vmfa(t, dir, awsURI+"\n\n# a comment\n"+githubURI+"\n", []string{pw}, "add", "--uri")
	expect(t, r, 0, "Added Amazon Web Services:alice@123456789012\nAdded GitHub:alice\n", "")
	noSecrets(t, r)
	entries, _ := os.ReadDir(filepath.Join(dir, "vault"))
	for _, e := range entries {
		info, _ := e.Info()
		if info.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s has mode %v", e.Name(), info.Mode())
		}
	}

	// All or none: a duplicate in the batch adds nothing.
	r = vmfa(t, dir, githubURI2+"\n"+awsURI+"\n", []string{pw}, "add", "--uri")
	expect(t, r, 1, "", "already in the vault as Amazon Web Services:alice@123456789012")
	noSecrets(t, r)
	r = vmfa(t, dir, "", []string{pw}, "list")
	expect(t, r, 0, "Amazon Web Services\talice@123456789012\ttotp\nGitHub\talice\ttotp\n", "")

	var list []map[string]string
	r = vmfa(t, dir, "", []string{pw}, "list", "--json")
	if err := json.Unmarshal([]byte(r.stdout), &list); err != nil || len(list) != 2 || list[1]["issuer"] != "GitHub" || list[1]["id"] == "" {
		t.Fatalf("list --json = %q, %v", r.stdout, err)
	}
	noSecrets(t, r)

	// Codes at a fixed instant, checked against an independent computation.
	at := "2026-11-24T10:00:10Z"
	want, wantNext := testenv.OathTOTP(t, awsSecret, time.Date(2026, 11, 24, 10, 0, 10, 0, time.UTC))
	expect(t, vmfa(t, dir, "", []string{pw}, "code", "aws", "--at", at), 0, want+"\n", "")
	if r := vmfa(t, dir, "", []string{pw}, "code", "amazon", "--at", "1795514410", "--next"); r.stdout != want+"\n"+wantNext+"\n" {
		t.Fatalf("code --next = %q, want %q", r.stdout, want+"\n"+wantNext+"\n")
	}
	var js struct {
		Issuer, Name, Code, Next string
		Remaining                int `json:"remaining_seconds"`
		Period                   int
	}
	r = vmfa(t, dir, "", []string{pw}, "code", "alice@", "--at", at, "--json")
	if err := json.Unmarshal([]byte(r.stdout), &js); err != nil || js.Code != want || js.Next != wantNext || js.Remaining != 20 || js.Period != 30 || js.Issuer != "Amazon Web Services" {
		t.Fatalf("code --json = %q, %v", r.stdout, err)
	}

	// Matching: exact wins over substring, ambiguity and absence list candidates.
	expect(t, vmfa(t, dir, githubURI2+"\n", []string{pw}, "add", "--uri"), 0, "Added GitHub:bob", "")
	expect(t, vmfa(t, dir, "", []string{pw}, "code", "github"), 1, "", `matches 2 accounts: "GitHub:alice", "GitHub:bob"`)
	expect(t, vmfa(t, dir, "", []string{pw}, "code", "nope"), 1, "", `no account matches "nope"`)
	if r := vmfa(t, dir, "", []string{pw}, "code", "github:bob"); r.code != 0 || len(strings.TrimSpace(r.stdout)) != 8 {
		t.Fatalf("code github:bob = %+v", r)
	}

	expect(t, vmfa(t, dir, "", []string{"VMFA_PASSPHRASE=wrong"}, "list"), 1, "", "wrong passphrase")
	expect(t, vmfa(t, dir, "", []string{"VMFA_PASSPHRASE_COMMAND=printf 'correct horse\\n'"}, "list"), 0, "GitHub", "")
	pwFile := filepath.Join(dir, "pw")
	os.WriteFile(pwFile, []byte("correct horse\n"), 0o600)
	expect(t, vmfa(t, dir, "", []string{"VMFA_PASSPHRASE_FILE=" + pwFile}, "list"), 0, "GitHub", "")

	expect(t, vmfa(t, dir, "", []string{pw}, "rename", "bob", "robert", "--issuer", "GitHub Enterprise"), 0, "Renamed GitHub:bob to GitHub Enterprise:robert", "")
	expect(t, vmfa(t, dir, "", []string{pw}, "rm", "robert"), 1, "", "--yes")
	expect(t, vmfa(t, dir, "", []string{pw}, "rm", "robert", "--yes"), 0, "Removed GitHub Enterprise:robert", "")
	expect(t, vmfa(t, dir, "", []string{pw, "VMFA_NEW_PASSPHRASE=battery staple"}, "passwd", "--work-factor", "10"), 0, "", "Passphrase changed")
	expect(t, vmfa(t, dir, "", []string{pw}, "list"), 1, "", "wrong passphrase")
	expect(t, vmfa(t, dir, "", []string{"VMFA_PASSPHRASE=battery staple"}, "list"), 0, "GitHub\talice", "")
	if _, err := os.Stat(filepath.Join(dir, "vault", "vault.age.bak")); err != nil {
		t.Errorf("no backup: %v", err)
	}
}

func TestBadInput(t *testing.T) {
	parallel(t)
	dir := t.TempDir()
	tests := []struct {
		stdin, stderr string
	}{
		{"https://example.com/?secret=JBSWY3DPEHPK3PXP", "not an otpauth"},
		{"otpauth://totp/x?secret=JBSWY3DPEHPK3PX1", "line 1: secret is not valid base32"},
		{"otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&digits=12", "12 digits is not supported"},
		{"otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&period=86400", "period of 86400 seconds"},
		{"otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&algorithm=MD5", "unsupported algorithm"},
		{"otpauth-migration://offline?data=XXXX", "corrupt"},
		{"", "no otpauth:// URI"},
	}
	for _, tt := range tests {
		r := vmfa(t, dir, tt.stdin, []string{pw}, "add", "--uri")
		expect(t, r, 1, "", tt.stderr)
		if strings.Contains(r.stderr, "JBSWY3DPEHPK3PX") || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("stderr %q: leaks the secret or is not one line", r.stderr)
		}
	}
	// Usage errors exit 2.
	for _, args := range [][]string{{"bogus"}, {"code"}, {"list", "--nope"}, {"add"}, {"add", "--uri", "--manual"}} {
		if r := vmfa(t, dir, "", []string{pw}, args...); r.code != 2 {
			t.Errorf("vmfa %v exited %d, want 2 (stderr %q)", args, r.code, r.stderr)
		}
	}
	expect(t, vmfa(t, dir, "", []string{pw}, "code", "x", "--at", "yesterday"), 2, "", "RFC 3339")
	// No passphrase source and no terminal.
	expect(t, vmfa(t, dir, awsURI, nil, "add", "--uri"), 1, "", "VMFA_PASSPHRASE")
}

func TestHOTPCounterAdvances(t *testing.T) {
	parallel(t)
	dir := t.TempDir()
	vaultOf(t, dir, corpHOTP)
	// RFC 4226 appendix D: the key "12345678901234567890".
	for _, want := range []string{"755224\n", "287082\n", "359152\n969429\n", "338314\n"} {
		args := []string{"code", "bob"}
		if strings.Count(want, "\n") == 2 {
			args = append(args, "--next")
		}
		if r := vmfa(t, dir, "", []string{pw}, args...); r.stdout != want {
			t.Fatalf("vmfa %v = %q (%s), want %q", args, r.stdout, r.stderr, want)
		}
	}
}

// qrImage returns a generated fixture of the QR package.
func qrImage(name string) string {
	return filepath.Join("..", "..", "otp", "qr", "testdata", name)
}

func TestScanAndEnroll(t *testing.T) {
	parallel(t)
	dir := t.TempDir()
	r := vmfa(t, dir, "", nil, "scan", qrImage("screenshot-2x.png"))
	expect(t, r, 0, "otpauth://totp/Amazon%20Web%20Services:alice@123456789012?secret=", "")
	if _, err := os.Stat(filepath.Join(dir, "vault")); err == nil {
		t.Fatal("scan touched the vault")
	}

	// Several files: the good one is printed, each bad one named, exit 1.
	r = vmfa(t, dir, "", nil, "scan", qrImage("no-qr.png"), qrImage("desktop-5k.png"), qrImage("url.png"), qrImage("text.png"), qrImage("truncated.png"), filepath.Join(dir, "missing.png"))
	expect(t, r, 1, "otpauth://totp/Amazon", "no-qr.png: no QR code found")
	for _, want := range []string{"url.png: QR code holds https://", "not an otpauth:// URI", "text.png: not a PNG", "truncated.png: truncated", "missing.png: no such file"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}

	// A dragged-in path with escaped spaces.
	spaced := filepath.Join(dir, "Screen Shot 1.png")
	b, _ := os.ReadFile(qrImage("screenshot-1x.png"))
	os.WriteFile(spaced, b, 0o600)
	expect(t, vmfa(t, dir, "", nil, "scan", strings.ReplaceAll(spaced, " ", `\ `)), 0, "otpauth://", "")
	expect(t, vmfa(t, dir, "", nil, "scan", "'"+spaced+"'"), 0, "otpauth://", "")

	// Enroll creates the vault and prints the two consecutive codes: those
	// of the window it ran in (or, across a boundary, of the one before).
	before := time.Now()
	r = vmfa(t, dir, "", []string{pw}, "enroll", qrImage("screenshot-1x.png"), "--json")
	var js struct{ Code1, Code2 string }
	if err := json.Unmarshal([]byte(r.stdout), &js); r.code != 0 || err != nil {
		t.Fatalf("enroll: %+v %v", r, err)
	}
	c1, c2 := testenv.OathTOTP(t, awsSecret, before)
	d1, d2 := testenv.OathTOTP(t, awsSecret, time.Now())
	if (js.Code1 != c1 || js.Code2 != c2) && (js.Code1 != d1 || js.Code2 != d2) {
		t.Errorf("enroll printed codes %s and %s; oathtool says %s %s, or %s %s a moment later", js.Code1, js.Code2, c1, c2, d1, d2)
	}
	// Enrolling again (AWS refused the codes) still prints them.
	r = vmfa(t, dir, "", []string{pw}, "enroll", qrImage("screenshot-1x.png"))
	expect(t, r, 0, "MFA code 1: ", "already in the vault")
	if !strings.Contains(r.stdout, "\nMFA code 2: ") {
		t.Errorf("enroll = %q", r.stdout)
	}
	// Two codes in one image: one account is new, one a duplicate, so neither is added.
	expect(t, vmfa(t, dir, "", []string{pw}, "add", qrImage("two-codes.png")), 1, "", "already in the vault as Amazon Web Services:alice@123456789012; nothing from it was added")
	expect(t, vmfa(t, t.TempDir(), "", []string{pw}, "add", qrImage("two-codes.png")), 0, "Added Amazon Web Services:alice@123456789012\nAdded Amazon Web Services:bob@123456789012\n", "")
}

func TestGoogleExportImages(t *testing.T) {
	parallel(t)
	img := testenv.SharedCorpus(t, "migration/scito/example_export.png")
	dir := t.TempDir()
	r := vmfa(t, dir, "", []string{pw}, "add", img)
	expect(t, r, 0, "Added Test1:test1@example1.com\nAdded Test2:test2@example2.com\nAdded Test3:test3@example3.com\n", "")
	bad := testenv.SharedCorpus(t, "migration/scito/qr_but_without_otp.png")
	expect(t, vmfa(t, dir, "", []string{pw}, "add", bad), 1, "", "qr_but_without_otp.png: QR code holds")
}

// TestSplitExport adds a Google Authenticator export shown as three QR codes,
// screenshotted in any order, and names a missing part.
func TestSplitExport(t *testing.T) {
	parallel(t)
	var v struct {
		Vectors []struct{ ID, URI string }
	}
	b, err := os.ReadFile(testenv.SharedCorpus(t, "migration/vectors.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	part := map[string]string{}
	for _, vec := range v.Vectors {
		if strings.HasPrefix(vec.ID, "jc_") && strings.HasSuffix(vec.ID, "of3") {
			part[vec.ID] = testenv.WriteQR(t, filepath.Join(dir, vec.ID+".png"), vec.URI, 400)
		}
	}
	good := testenv.WriteQR(t, filepath.Join(dir, "good.png"), githubURI, 400)

	// Part 2 missing: the other images are still added, exit 1.
	r := vmfa(t, dir, "", []string{pw}, "add", part["jc_3of3"], good, part["jc_1of3"])
	expect(t, r, 1, "Added GitHub:alice\n", "QR 2 of 3 missing")
	if strings.Count(r.stdout, "Added") != 1 {
		t.Fatalf("an incomplete export was added: %q", r.stdout)
	}
	r = vmfa(t, dir, "", []string{pw}, "add", part["jc_3of3"], part["jc_1of3"], part["jc_2of3"])
	expect(t, r, 0, "Added", "")
	if n := strings.Count(r.stdout, "Added"); n != 22 {
		t.Fatalf("added %d accounts, want 22:\n%s", n, r.stdout)
	}
}

// TestBombImage feeds vmfa scan a 300 KB PNG that claims 60000×60000 pixels:
// refused from its header, with the whole process staying small.
func TestBombImage(t *testing.T) {
	parallel(t)
	dir := t.TempDir()
	var buf bytes.Buffer
	buf.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, data []byte) {
		binary.Write(&buf, binary.BigEndian, uint32(len(data)))
		buf.WriteString(typ)
		buf.Write(data)
		binary.Write(&buf, binary.BigEndian, crc32.ChecksumIEEE(append([]byte(typ), data...)))
	}
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], 60000)
	binary.BigEndian.PutUint32(ihdr[4:], 60000)
	ihdr[8] = 8 // 8-bit grey
	chunk("IHDR", ihdr)
	var z bytes.Buffer
	// Huffman coding alone, a bit a zero byte: 300 KB from 2.5 MB of rows
	// in milliseconds, where matching them made it from 250 MB in a second.
	zw, _ := zlib.NewWriterLevel(&z, zlib.HuffmanOnly)
	for z.Len() < 300<<10 {
		zw.Write(make([]byte, 60001))
	}
	zw.Close()
	chunk("IDAT", z.Bytes())
	bomb := filepath.Join(dir, "bomb.png")
	os.WriteFile(bomb, buf.Bytes(), 0o600)

	r, rss := testenv.RunMeasured(t, testenv.Command(t, vmfaBin, dir, nil, "scan", bomb), "")
	if out := r.Stdout + r.Stderr; r.Code != 1 || !strings.Contains(out, "bomb.png: image is 60000×60000 pixels, over the 100-megapixel limit") {
		t.Fatalf("vmfa scan bomb.png: exit %d, %s", r.Code, out)
	}
	if rss > 100<<20 {
		t.Errorf("peak RSS %d MB, want under 100 MB", rss>>20)
	} else {
		t.Logf("peak RSS %d KB", rss>>10)
	}
}

// TestAddManual types a secret, as for "can't scan the QR code? type the key".
// With no terminal, the secret comes from stdin, never from the arguments.
func TestAddManual(t *testing.T) {
	parallel(t)
	dir := t.TempDir()
	r := vmfa(t, dir, "jbsw y3dp ehpk 3pxp\n", []string{pw}, "add", "--manual", "--issuer", "Corp VPN", "--name", "alice", "--digits", "8", "--period", "60", "--algorithm", "sha256")
	expect(t, r, 0, "Added Corp VPN:alice\n", "")
	noSecrets(t, r)
	want, _ := testenv.OathTOTP(t, "JBSWY3DPEHPK3PXP", time.Unix(1_800_000_000, 0), "--totp=sha256", "--digits=8", "--time-step-size=60s")
	expect(t, vmfa(t, dir, "", []string{pw}, "code", "vpn", "--at", "1800000000"), 0, want+"\n", "")
	expect(t, vmfa(t, dir, "not base32!\n", []string{pw}, "add", "--manual", "--issuer", "X", "--name", "y"), 1, "", "secret is not valid base32")
	expect(t, vmfa(t, dir, "JBSWY3DPEHPK3PXP\n", []string{pw}, "add", "--manual", "--issuer", "X", "--name", "y", "--digits", "12"), 2, "", "--digits 12: use 6 to 8")
}

// TestAddPaste puts a real screenshot on a real X11 clipboard (Xvfb and
// xclip) and adds it with vmfa add --paste.
func TestAddPaste(t *testing.T) {
	parallel(t)
	display := testenv.Xvfb(t)
	img, err := os.Open(qrImage("screenshot-1x.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer img.Close()
	testenv.PutClipboard(t, display, "image/png", img)
	dir := t.TempDir()
	expect(t, vmfa(t, dir, "", []string{pw, "DISPLAY=" + display}, "add", "--paste"), 0, "Added Amazon Web Services:alice@123456789012\n", "")
	testenv.PutClipboard(t, display, "", strings.NewReader("hello"))
	expect(t, vmfa(t, dir, "", []string{pw, "DISPLAY=" + display}, "add", "--paste"), 1, "", "image")
}

// TestHostileInput covers what a reviewer found by trying to break things.
func TestHostileInput(t *testing.T) {
	parallel(t)
	dir := t.TempDir()
	vaultOf(t, dir, githubURI, githubURI2)

	// Renames that would make an account unreachable by name.
	expect(t, vmfa(t, dir, "", []string{pw}, "rename", "alice", " "), 2, "", "the new name is empty")
	expect(t, vmfa(t, dir, "", []string{pw}, "rename", "alice", "BOB"), 1, "", "another account is called GitHub:bob already")
	expect(t, vmfa(t, dir, "", []string{pw}, "rm", ""), 2, "", "the query is empty")
	expect(t, vmfa(t, dir, "", []string{pw}, "rm", "bob"), 1, "", "no terminal to ask on to confirm: pass --yes")

	// Times before 1970 have no TOTP window.
	expect(t, vmfa(t, dir, "", []string{pw}, "code", "bob", "--at", "-5"), 2, "", "before 1970")
	expect(t, vmfa(t, dir, "", []string{pw}, "code", "bob", "--at", "0001-01-01T00:00:00Z"), 2, "", "before 1970")

	// Files that are not images, or not files at all.
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	r := vmfa(t, dir, "", nil, "scan", fifo, "/dev/zero", dir)
	expect(t, r, 1, "", "fifo: not a regular file")
	if !strings.Contains(r.stderr, "/dev/zero: not a regular file") || !strings.Contains(r.stderr, dir+": not a regular file") || time.Since(start) > 5*time.Second {
		t.Errorf("scan of a FIFO, /dev/zero and a directory: %q", r.stderr)
	}
	expect(t, vmfa(t, dir, "", []string{"VMFA_PASSPHRASE_FILE=/dev/zero"}, "list"), 1, "", "over 64 KiB")
	expect(t, vmfa(t, t.TempDir(), githubURI, []string{pw, "VMFA_WORK_FACTOR=abc"}, "add", "--uri"), 1, "", "VMFA_WORK_FACTOR")
	expect(t, vmfa(t, dir, "", []string{pw}, "passwd", "--work-factor", "99"), 2, "", "--work-factor 99")

	// An HOTP counter at its end refuses rather than wrapping to zero.
	expect(t, vmfa(t, dir, "otpauth://hotp/h2?secret=GEZDGNBVGY3TQOK5&counter=18446744073709551614\n", []string{pw}, "add", "--uri"), 0, "Added h2", "")
	expect(t, vmfa(t, dir, "", []string{pw}, "code", "h2", "--next"), 1, "", "exhausted")
	expect(t, vmfa(t, dir, "", []string{pw}, "code", "h2"), 0, "", "")
	expect(t, vmfa(t, dir, "", []string{pw}, "code", "h2"), 1, "", "exhausted")
}

// TestSkipExisting re-imports an export that holds accounts already there.
func TestSkipExisting(t *testing.T) {
	parallel(t)
	dir := t.TempDir()
	vaultOf(t, dir, githubURI)
	both := githubURI + "\n" + githubURI2 + "\n"
	expect(t, vmfa(t, dir, both, []string{pw}, "add", "--uri"), 1, "", "already in the vault as GitHub:alice; nothing from it was added (--skip-existing adds the others)")
	expect(t, vmfa(t, dir, both, []string{pw}, "add", "--uri", "--skip-existing"), 0, "Added GitHub:bob\n", "Skipped GitHub:alice (already in the vault as GitHub:alice)")
	if r := vmfa(t, dir, "", []string{pw}, "list"); strings.Count(r.stdout, "\n") != 2 {
		t.Errorf("list = %q", r.stdout)
	}
}

// TestEnrollHOTP refuses to enroll a counter-based account, whose codes
// enrollment would show without spending.
func TestEnrollHOTP(t *testing.T) {
	parallel(t)
	dir := t.TempDir()
	img := testenv.WriteQR(t, filepath.Join(dir, "hotp.png"), "otpauth://hotp/Corp:h?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&counter=5", 400)
	expect(t, vmfa(t, dir, "", []string{pw}, "enroll", img), 1, "", "Corp:h is an HOTP (counter-based) account")
	if _, err := os.Stat(filepath.Join(dir, "vault")); err == nil {
		t.Error("enroll of an HOTP account created a vault")
	}
}

// TestCompletion completes account labels while the agent holds the vault,
// and nothing otherwise, not even with the passphrase in the environment:
// a TAB never unlocks (TestCompleteLockedAsksNothing has the details).
func TestCompletion(t *testing.T) {
	parallel(t)
	dir := t.TempDir()
	expect(t, vmfa(t, dir, githubURI+"\n"+awsURI+"\n", []string{pw}, "add", "--uri"), 0, "Added", "")
	if r := vmfa(t, dir, "", []string{pw}, "__complete", "code", ""); r.code != 0 || strings.Contains(r.stdout, "GitHub") {
		t.Errorf("completion with the agent locked: %+v", r)
	}
	expect(t, vmfa(t, dir, "", []string{pw}, "unlock"), 0, "", "Unlocked")
	expect(t, vmfa(t, dir, "", nil, "__complete", "code", ""), 0, "GitHub:alice\nAmazon Web Services:alice@123456789012\n", "")
	expect(t, vmfa(t, dir, "", nil, "completion", "bash"), 0, "bash completion", "")
}

// TestEnrollWait checks that --wait prints code 2 only once its window has
// begun, with an account whose period is 5 s so the test waits at most that.
func TestEnrollWait(t *testing.T) {
	parallelWaiting(t)
	dir := t.TempDir()
	const secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
	img := testenv.WriteQR(t, filepath.Join(dir, "short.png"), "otpauth://totp/Short:window?secret="+secret+"&period=5", 400)
	start := time.Now()
	r := vmfa(t, dir, "", []string{pw}, "enroll", "--wait", img)
	end := time.Now()
	if r.code != 0 {
		t.Fatalf("enroll --wait: %+v", r)
	}
	var code1, code2 string
	fmt.Sscanf(r.stdout, "MFA code 1: %s\nMFA code 2: %s\n", &code1, &code2)
	// Code 1 is the code of the window the command computed it in: that of
	// start, or of a later one if it started on a boundary or slowly.
	window := start.Unix() / 5
	c1, c2 := testenv.OathTOTP(t, secret, start, "--time-step-size=5s")
	for w := window + 1; code1 != c1 && w <= end.Unix()/5; w++ {
		window = w
		c1, c2 = testenv.OathTOTP(t, secret, time.Unix(w*5, 0), "--time-step-size=5s")
	}
	if code1 != c1 || code2 != c2 {
		t.Errorf("codes %s and %s; oathtool says %s and %s", code1, code2, c1, c2)
	}
	if end.Unix()/5 <= window {
		t.Fatalf("enroll --wait returned within the window of code 1 (after %v)", end.Sub(start))
	}
	if !strings.Contains(r.stderr, "Code 2 in") {
		t.Errorf("no countdown on stderr: %q", r.stderr)
	}
}
