package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/vmfa/vmfa/internal/settings"
	"github.com/vmfa/vmfa/internal/testenv"
	"github.com/vmfa/vmfa/internal/timesync"
	"github.com/vmfa/vmfa/internal/timesync/ntptest"
)

// vmfa time against SNTP servers of the test's own on 127.0.0.1, whose
// clocks are ahead or behind this machine's; no test needs the internet.

type timeJSON struct {
	Server string  `json:"server"`
	Offset float64 `json:"offset_seconds"`
	RTT    float64 `json:"rtt_ms"`
}

// configEnv keeps vmfa's settings in dir/config.
func configEnv(dir string) string { return "XDG_CONFIG_HOME=" + filepath.Join(dir, "config") }

func settingsPath(dir string) string { return filepath.Join(dir, "config", "vmfa", "settings.json") }

// oathCode is oathtool's TOTP code of awsSecret at t: the reference the
// corrected codes are checked against.
func oathCode(t *testing.T, at time.Time) string {
	t.Helper()
	code, _ := testenv.OathTOTP(t, awsSecret, at)
	return code
}

// codeAt runs fn and checks that the code it returns is oathtool's at the
// time of a clock ahead of this machine's by skew, at some instant while
// fn ran.
func checkCodeAt(t *testing.T, skew time.Duration, what string, fn func() string) {
	t.Helper()
	before := time.Now().Add(skew)
	got := fn()
	after := time.Now().Add(skew)
	if want1, want2 := oathCode(t, before), oathCode(t, after); got != want1 && got != want2 {
		t.Fatalf("%s = %q, want oathtool's %s at %v (or %s at %v)", what, got, want1, before, want2, after)
	}
}

func TestTimeMeasure(t *testing.T) {
	// Not parallel: it checks times vmfa takes or measures, which the other
	// tests' load would skew.
	dir := t.TempDir()
	const skew = 97*time.Second + 312*time.Millisecond
	srv := ntptest.Start(t, ntptest.Reply{Skew: skew})
	env := []string{configEnv(dir)}

	r := vmfa(t, dir, "", env, "time", "--server", srv.Addr, "--json")
	var js timeJSON
	if err := json.Unmarshal([]byte(r.stdout), &js); r.code != 0 || err != nil {
		t.Fatalf("time --json: %+v %v", r, err)
	}
	offset, rtt := time.Duration(js.Offset*float64(time.Second)), time.Duration(js.RTT*float64(time.Millisecond))
	if (offset-skew).Abs() > rtt/2+time.Millisecond || rtt <= 0 || js.Server != srv.Addr {
		t.Fatalf("measured %+v, want an offset of %v give or take half the round trip", js, skew)
	}
	t.Logf("offset %v against a server %v ahead (error %v, round trip %v)", offset, skew, offset-skew, rtt)

	r = vmfa(t, dir, "", env, "time", "--server", srv.Addr)
	expect(t, r, 0, "System clock  1m37s behind (offset +1m37s)\n", "")
	// The advice names the server asked.
	for _, want := range []string{"Server        " + srv.Addr + " (round trip ", "Codes are wrong: they are computed 1m37s behind the server's time.\n",
		"Run 'vmfa time --apply --server " + srv.Addr + "' to compute codes at the server's time.\n"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
		}
	}
	// The server from the environment; nothing was stored by measuring.
	r = vmfa(t, dir, "", append(env, "VMFA_NTP_SERVER="+srv.Addr), "time", "--json")
	if json.Unmarshal([]byte(r.stdout), &js); r.code != 0 || js.Server != srv.Addr {
		t.Fatalf("VMFA_NTP_SERVER: %+v", r)
	}
	// From the environment, the server needs no naming again.
	expect(t, vmfa(t, dir, "", append(env, "VMFA_NTP_SERVER="+srv.Addr), "time"), 0, "Run 'vmfa time --apply' to compute codes", "")
	if _, err := os.Stat(filepath.Join(dir, "config")); err == nil {
		t.Error("measuring without --apply created the settings")
	}

	for _, tt := range []struct {
		skew time.Duration
		want string
	}{
		// The offset is measured to within half the round trip, which a
		// loaded machine stretches to tens of milliseconds: 3s may be 2.99s.
		{-300 * time.Millisecond, `Fine: codes are computed at the right time \(`},
		{-3 * time.Second, `System clock  (3|2\.99|3\.01)s ahead \(offset -(3|2\.99|3\.01)s\)\nFine: codes are computed (3|2\.99|3\.01)s ahead of the server's time, close enough\.\n`},
		{7 * time.Second, `Warning: codes are computed (7|6\.99|7\.01)s behind the server's time; one used late in its window may be refused\.\n`},
		{-20 * time.Second, `Codes are wrong: they are computed (20|19\.99|20\.01)s ahead of the server's time\.`},
	} {
		srv := ntptest.Start(t, ntptest.Reply{Skew: tt.skew})
		r := vmfa(t, dir, "", env, "time", "--server", srv.Addr)
		if r.code != 0 || r.stderr != "" || !regexp.MustCompile(tt.want).MatchString(r.stdout) {
			t.Errorf("skew %v: exit %d, stdout %q, stderr %q; want exit 0, stdout matching %q", tt.skew, r.code, r.stdout, r.stderr, tt.want)
		}
	}
}

// TestTimeApply: after --apply, code and enroll compute codes at the
// server's time, checked against oathtool at that time; --reset undoes it.
func TestTimeApply(t *testing.T) {
	// Not parallel: it checks times vmfa takes or measures, which the other
	// tests' load would skew.
	dir := t.TempDir()
	const skew = -(3*time.Minute + 17*time.Second) // the server is behind: this clock runs fast
	srv := ntptest.Start(t, ntptest.Reply{Skew: skew})
	env := []string{pw, configEnv(dir)}
	vaultOf(t, dir, awsURI)

	r := vmfa(t, dir, "", env, "time", "--apply", "--server", srv.Addr)
	expect(t, r, 0, "Applied: codes are computed at the system clock -3m17s from now on", "")
	for path, mode := range map[string]os.FileMode{settingsPath(dir): 0o600, filepath.Dir(settingsPath(dir)): 0o700} {
		if info, err := os.Stat(path); err != nil || info.Mode().Perm() != mode {
			t.Fatalf("%s: %v %v, want %v", path, info, err, mode)
		}
	}

	var code struct{ Code string }
	checkCodeAt(t, skew, "code --json", func() string {
		r := vmfa(t, dir, "", env, "code", "aws", "--json")
		if err := json.Unmarshal([]byte(r.stdout), &code); err != nil || r.stderr != "" {
			t.Fatalf("code --json: %+v %v", r, err)
		}
		return code.Code
	})
	checkCodeAt(t, skew, "code", func() string { return strings.TrimSpace(vmfa(t, dir, "", env, "code", "aws").stdout) })
	checkCodeAt(t, skew, "enroll code 1", func() string {
		var js struct{ Code1 string }
		r := vmfa(t, dir, "", env, "enroll", qrImage("screenshot-1x.png"), "--json")
		if err := json.Unmarshal([]byte(r.stdout), &js); err != nil {
			t.Fatalf("enroll --json: %+v %v", r, err)
		}
		return js.Code1
	})
	// --at is a time the user chose, never corrected.
	expect(t, vmfa(t, dir, "", env, "code", "aws", "--at", "2026-11-24T10:00:10Z"), 0, oathCode(t, time.Date(2026, 11, 24, 10, 0, 10, 0, time.UTC)), "")

	// Measuring again shows the correction and what is left of the error.
	r = vmfa(t, dir, "", env, "time", "--server", srv.Addr)
	expect(t, r, 0, "Correction    -3m17s, measured a moment ago\nFine: codes are computed at the", "")

	// A correction over a week old is mentioned once per run.
	b, _ := os.ReadFile(settingsPath(dir))
	old := time.Now().Add(-8*24*time.Hour - time.Hour).UTC().Format(time.RFC3339)
	b = regexp.MustCompile(`"measured_at": "[^"]*"`).ReplaceAll(b, []byte(`"measured_at": "`+old+`"`))
	os.WriteFile(settingsPath(dir), b, 0o600)
	r = vmfa(t, dir, "", env, "enroll", qrImage("screenshot-1x.png"))
	if n := strings.Count(r.stderr, "the clock correction -3m17s was measured 8 days ago"); r.code != 0 || n != 1 {
		t.Fatalf("stale correction mentioned %d times: %+v", n, r)
	}
	checkCodeAt(t, skew, "code with a stale correction", func() string { return strings.TrimSpace(vmfa(t, dir, "", env, "code", "aws").stdout) })

	expect(t, vmfa(t, dir, "", env, "time", "--reset"), 0, "Removed the clock correction -3m17s: codes use the system clock again.", "")
	checkCodeAt(t, 0, "code after --reset", func() string { return strings.TrimSpace(vmfa(t, dir, "", env, "code", "aws").stdout) })
	expect(t, vmfa(t, dir, "", env, "time", "--reset"), 0, "No clock correction was applied", "")
	expect(t, vmfa(t, dir, "", env, "time", "--reset", "--apply"), 2, "", "--reset takes no other flag")

	// Without XDG_CONFIG_HOME the settings go to ~/.config/vmfa.
	expect(t, vmfa(t, dir, "", nil, "time", "--apply", "--server", srv.Addr), 0, "Applied", "")
	if _, err := os.Stat(filepath.Join(dir, ".config", "vmfa", "settings.json")); err != nil {
		t.Fatal(err)
	}
}

// TestTimeBadReplies: each bad reply fails in one line, exit 1, and leaves
// the applied correction as it was.
func TestTimeBadReplies(t *testing.T) {
	parallel(t)
	dir := t.TempDir()
	env := []string{pw, configEnv(dir)}
	vaultOf(t, dir, awsURI)
	good := ntptest.Start(t, ntptest.Reply{Skew: 42 * time.Second})
	expect(t, vmfa(t, dir, "", env, "time", "--apply", "--server", good.Addr), 0, "Applied", "")
	before, err := os.ReadFile(settingsPath(dir))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		reply ntptest.Reply
		why   string
	}{
		{ntptest.Reply{Mode: 3}, "wrong mode"},
		{ntptest.Reply{KissCode: "RATE"}, "stratum 0, a kiss of death with code RATE"},
		{ntptest.Reply{ZeroTransmit: true}, "zero transmit time"},
		{ntptest.Reply{Skew: 24*time.Hour + time.Second}, "it puts this clock +24h0m1s off, beyond the 24h0m0s limit"},
		{ntptest.Reply{Skew: -(24*time.Hour + time.Second)}, "it puts this clock -24h0m1s off"},
	} {
		srv := ntptest.Start(t, tt.reply)
		for _, args := range [][]string{{"time", "--apply", "--server", srv.Addr}, {"time", "--json", "--server", srv.Addr}} {
			r := vmfa(t, dir, "", env, args...)
			expect(t, r, 1, "", "vmfa: "+srv.Addr+" sent a bad reply ("+tt.why)
			if strings.Count(r.stderr, "\n") != 1 || r.stdout != "" {
				t.Errorf("%v: not one line: %+v", args, r)
			}
		}
		if after, _ := os.ReadFile(settingsPath(dir)); string(after) != string(before) {
			t.Fatalf("%+v changed the settings:\n%s", tt.reply, after)
		}
	}
	var code struct{ Code string }
	checkCodeAt(t, 42*time.Second, "code after the bad replies", func() string {
		r := vmfa(t, dir, "", env, "code", "aws", "--json")
		json.Unmarshal([]byte(r.stdout), &code)
		return code.Code
	})

	// An unreadable settings file: codes still come, from the system clock,
	// with a warning; --reset refuses to guess and says what to do.
	os.WriteFile(settingsPath(dir), []byte("{garbage"), 0o600)
	checkCodeAt(t, 0, "code with unreadable settings", func() string {
		r := vmfa(t, dir, "", env, "code", "aws")
		expect(t, r, 0, "", "is not a JSON object")
		expect(t, r, 0, "", "codes use the system clock")
		return strings.TrimSpace(r.stdout)
	})
	expect(t, vmfa(t, dir, "", env, "time", "--reset"), 1, "", "fix it, or delete it to start over")
}

// TestTimeNoServer: a silent server fails within 5 s, a closed port at
// once, each in one line with exit 1.
func TestTimeNoServer(t *testing.T) {
	// Not parallel: it checks times vmfa takes or measures, which the other
	// tests' load would skew.
	dir := t.TempDir()
	env := []string{configEnv(dir)}
	// The server has timesync.Timeout, 4 s, to answer (as the hidden
	// --timeout's default says); here, a shorter time, which tests alone
	// set.
	if def := timeCmd().Flags().Lookup("timeout").DefValue; def != "4s" {
		t.Errorf("vmfa time waits %s for the server, want 4s", def)
	}
	silent := ntptest.Start(t, ntptest.Reply{Silent: true})
	start := time.Now()
	r := vmfa(t, dir, "", env, "time", "--apply", "--server", silent.Addr, "--timeout", "1s")
	took := time.Since(start)
	_, port, _ := strings.Cut(silent.Addr, ":")
	expect(t, r, 1, "", "vmfa: no answer from "+silent.Addr+" within 1s: check the name, the network, and that outgoing UDP port "+port+" is allowed\n")
	if took >= 2*time.Second || strings.Count(r.stderr, "\n") != 1 || silent.Queries() != 1 {
		t.Fatalf("silent server: took %v, %d queries, stderr %q", took, silent.Queries(), r.stderr)
	}
	t.Logf("a silent server failed after %v", took)

	closed := ntptest.Start(t, ntptest.Reply{})
	addr := closed.Addr
	closed.Close()
	r = vmfa(t, dir, "", env, "time", "--server", addr)
	expect(t, r, 1, "", "vmfa: "+addr+" refused the query: no NTP server listens there\n")
	// A server vmfa chose (VMFA_NTP_SERVER, else pool.ntp.org, which an
	// offline machine can't find): the error says how to name another.
	r = vmfa(t, dir, "", append(env, "VMFA_NTP_SERVER="+addr), "time")
	expect(t, r, 1, "", "vmfa: "+addr+" refused the query: no NTP server listens there; --server HOST[:PORT] asks another server\n")
	if _, err := os.Stat(filepath.Join(dir, "config")); err == nil {
		t.Error("a failed measurement created the settings")
	}
	expect(t, vmfa(t, dir, "", env, "time", "extra"), 2, "", "unknown command")
	for _, timeout := range []string{"5s", "0s"} {
		expect(t, vmfa(t, dir, "", env, "time", "--timeout", timeout), 2, "", "--timeout "+timeout+": use a duration up to 4s")
	}
}

// TestTimeCheck: --check exits 1 when codes are wrong (more than 15 s off
// the server's time, correction included), after printing what plain
// 'vmfa time' prints, which exits 0 whatever the offset.
func TestTimeCheck(t *testing.T) {
	// Not parallel: it checks times vmfa takes or measures, which the other
	// tests' load would skew.
	dir := t.TempDir()
	env := []string{configEnv(dir)}
	// The skews at once: a few milliseconds of load are nothing to
	// thresholds of seconds.
	t.Run("skews", func(t *testing.T) {
		for _, tt := range []struct {
			skew time.Duration
			code int
		}{{7 * time.Second, 0}, {-14 * time.Second, 0}, {20 * time.Second, 1}, {-16 * time.Second, 1}, {-3 * time.Hour, 1}} {
			t.Run(tt.skew.String(), func(t *testing.T) {
				parallel(t)
				srv := ntptest.Start(t, ntptest.Reply{Skew: tt.skew})
				plain := vmfa(t, dir, "", env, "time", "--server", srv.Addr)
				r := vmfa(t, dir, "", env, "time", "--check", "--server", srv.Addr)
				if plain.code != 0 || r.code != tt.code || r.stderr != "" || !strings.Contains(r.stdout, "System clock  ") {
					t.Errorf("skew %v: plain exit %d, --check exit %d %+v; want 0 and %d, the measurement printed, nothing on stderr", tt.skew, plain.code, r.code, r, tt.code)
				}
				var js timeJSON
				r = vmfa(t, dir, "", env, "time", "--check", "--json", "--server", srv.Addr)
				if err := json.Unmarshal([]byte(r.stdout), &js); err != nil || r.code != tt.code || js.Server != srv.Addr {
					t.Errorf("skew %v: --check --json: %+v %v", tt.skew, r, err)
				}
			})
		}
	})
	// A correction applied makes the codes right: --check passes.
	srv := ntptest.Start(t, ntptest.Reply{Skew: 40 * time.Second})
	expect(t, vmfa(t, dir, "", env, "time", "--check", "--server", srv.Addr), 1, "Codes are wrong", "")
	expect(t, vmfa(t, dir, "", env, "time", "--check", "--apply", "--server", srv.Addr), 0, "Applied", "")
	expect(t, vmfa(t, dir, "", env, "time", "--check", "--server", srv.Addr), 0, "Correction    +40s", "")
	expect(t, vmfa(t, dir, "", env, "time", "--check", "--reset"), 2, "", "--reset takes no other flag")
}

// TestClockNotes: the CLI's clock (timesync.Clock, tested there) says what
// is wrong with it once, on stderr, as vmfa's messages go, and nothing when
// the interface's header has said it; an untrusted settings file is said
// with what to do about it. In process, with a fixed system clock.
func TestClockNotes(t *testing.T) {
	dir := t.TempDir()
	f := settings.Open(dir)
	system := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	var notes strings.Builder
	cliClock := func() *timesync.Clock {
		c := newClock(&notes)
		c.System, c.Dir = func() time.Time { return system }, dir
		return c
	}
	if _, err := timesync.Apply(f, timesync.Measurement{Server: "s", Offset: -2 * time.Second, At: system.Add(-10 * 24 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	c := cliClock()
	c.Header()
	c.Now()
	if notes.Len() != 0 {
		t.Errorf("printed under the interface: %q", notes.String())
	}
	c = cliClock()
	c.Now()
	c.Now()
	if got := notes.String(); strings.Count(got, "measured 10 days ago") != 1 || !strings.HasPrefix(got, "vmfa: ") {
		t.Errorf("CLI notes %q", got)
	}

	os.WriteFile(f.Path(), []byte("{garbage"), 0o600)
	notes.Reset()
	c = cliClock()
	if got := c.Now(); !got.Equal(system) || !strings.Contains(notes.String(), "is not a JSON object") || !strings.Contains(notes.String(), "codes use the system clock") {
		t.Errorf("unreadable settings: %v, %q", got, notes.String())
	}

	if runtime.GOOS == "windows" {
		return // no modes to trust or not
	}
	os.Chmod(f.Path(), 0o666)
	notes.Reset()
	c = cliClock()
	want := f.Path() + " is not trusted: " + f.Path() + " is writable by others"
	if got := c.Now(); !got.Equal(system) || !strings.Contains(notes.String(), want) ||
		!strings.Contains(notes.String(), "make it writable by you alone (chmod go-w ") || strings.Count(notes.String(), "\n") != 1 {
		t.Errorf("untrusted settings: %v, %q", got, notes.String())
	}
}
