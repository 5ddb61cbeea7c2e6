package timesync

import (
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/vmfa/vmfa/internal/timesync/ntptest"
)

// TestMeasure asks servers of our own whose clocks are ahead and behind.
// The offset can be wrong by at most half the round trip (the server stamps
// receipt and reply at one instant somewhere within it).
func TestMeasure(t *testing.T) {
	for _, skew := range []time.Duration{0, 97*time.Second + 312*time.Millisecond, -42*time.Second - 500*time.Millisecond, 23 * time.Hour} {
		srv := ntptest.Start(t, ntptest.Reply{Skew: skew})
		before := time.Now()
		m, err := Measure(srv.Addr, Timeout)
		if err != nil {
			t.Fatalf("skew %v: %v", skew, err)
		}
		if bound := m.RTT/2 + time.Millisecond; (m.Offset - skew).Abs() > bound {
			t.Errorf("skew %v: measured %v, off by %v, more than half the round trip %v", skew, m.Offset, m.Offset-skew, m.RTT)
		}
		if m.RTT <= 0 || m.RTT > time.Second || m.Server != srv.Addr || m.At.Before(before) || m.At.After(time.Now()) {
			t.Errorf("skew %v: %+v", skew, m)
		}
	}
}

// TestBadReplies: every reply that is not a valid, believable server reply
// is refused, in one line that says why.
func TestBadReplies(t *testing.T) {
	tests := []struct {
		reply ntptest.Reply
		why   string
	}{
		{ntptest.Reply{Mode: 3}, "wrong mode"}, // a client's packet
		{ntptest.Reply{Mode: 5}, "wrong mode"}, // a broadcast
		{ntptest.Reply{KissCode: "RATE"}, "kiss of death with code RATE"},
		{ntptest.Reply{KissCode: "DENY"}, "kiss of death with code DENY"},
		{ntptest.Reply{ZeroTransmit: true}, "zero transmit time"},
		{ntptest.Reply{Stratum: 16}, "stratum 16: the server is not synchronised"},
		{ntptest.Reply{Leap: 3}, "leap indicator 3"},
		{ntptest.Reply{Skew: 24*time.Hour + time.Minute}, "it puts this clock +24h1m0s off, beyond the 24h0m0s limit"},
		{ntptest.Reply{Skew: -25 * time.Hour}, "it puts this clock -25h0m0s off"},
		{ntptest.Reply{Skew: -40 * 365 * 24 * time.Hour}, "off, beyond the 24h0m0s limit"},
	}
	for _, tt := range tests {
		srv := ntptest.Start(t, tt.reply)
		m, err := Measure(srv.Addr, Timeout)
		if !errors.Is(err, ErrBadReply) || !strings.Contains(err.Error(), tt.why) || !strings.HasPrefix(err.Error(), srv.Addr+" sent a bad reply") {
			t.Errorf("%+v: %v, want a bad reply error saying %q", tt.reply, err, tt.why)
			continue
		}
		if strings.Contains(err.Error(), "\n") || m.Offset != 0 {
			t.Errorf("%+v: %q, %+v", tt.reply, err, m)
		}
		if srv.Queries() != 1 {
			t.Errorf("%+v: %d queries", tt.reply, srv.Queries())
		}
	}
}

func TestSilentServer(t *testing.T) {
	srv := ntptest.Start(t, ntptest.Reply{Silent: true})
	start := time.Now()
	_, err := Measure(srv.Addr, 300*time.Millisecond)
	took := time.Since(start)
	if err == nil || !strings.Contains(err.Error(), "no answer from "+srv.Addr+" within 300ms") || errors.Is(err, ErrBadReply) {
		t.Errorf("silent server: %v", err)
	}
	// The port named is the one asked, not NTP's 123.
	if _, port, _ := net.SplitHostPort(srv.Addr); err == nil || !strings.HasSuffix(err.Error(), "outgoing UDP port "+port+" is allowed") {
		t.Errorf("silent server on port %s: %v", port, err)
	}
	if took < 300*time.Millisecond || took > time.Second {
		t.Errorf("gave up after %v, want 300ms", took)
	}
	if srv.Queries() != 1 {
		t.Errorf("%d queries reached the server", srv.Queries())
	}
}

func TestNoServer(t *testing.T) {
	l, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.LocalAddr().String()
	l.Close() // nobody listens there now: the kernel answers "port unreachable"
	if _, err := Measure(addr, Timeout); err == nil || !strings.Contains(err.Error(), "refused the query") {
		t.Errorf("closed port: %v", err)
	}
	for _, server := range []string{"", "  ", ":123", "[]"} {
		if _, err := Measure(server, Timeout); err == nil || !strings.Contains(err.Error(), "names no NTP server") {
			t.Errorf("%q: %v", server, err)
		}
	}
}

func TestSplitHostPort(t *testing.T) {
	for in, want := range map[string][2]string{
		"pool.ntp.org":      {"pool.ntp.org", "123"},
		"pool.ntp.org:4123": {"pool.ntp.org", "4123"},
		"127.0.0.1:9":       {"127.0.0.1", "9"},
		"::1":               {"::1", "123"},
		"[::1]":             {"::1", "123"},
		"[::1]:4123":        {"::1", "4123"},
		" time.example ":    {"time.example", "123"},
	} {
		if h, p := splitHostPort(in); h != want[0] || p != want[1] {
			t.Errorf("%q: %q %q, want %q", in, h, p, want)
		}
	}
}

func TestServerFromEnvironment(t *testing.T) {
	t.Setenv("VMFA_NTP_SERVER", "")
	if s := Server(); s != DefaultServer {
		t.Errorf("unset: %q", s)
	}
	t.Setenv("VMFA_NTP_SERVER", "time.example:4123")
	if s := Server(); s != "time.example:4123" {
		t.Errorf("set: %q", s)
	}
}
