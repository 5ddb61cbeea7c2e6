// Package timesync keeps codes right when the machine's clock is wrong.
//
// A TOTP code is only as good as the clock it is computed at, and laptops
// after suspend, VMs, WSL2 and containers drift. Measure asks an NTP server
// (SNTP, RFC 4330) how far off the system clock is; a Correction stored in
// vmfa's settings adds that offset to the system clock for every code, in
// the CLI and the interface alike; Kernel says whether the operating system
// itself believes its clock is synchronised.
package timesync

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/beevik/ntp"
)

// DefaultServer is asked when neither the caller nor $VMFA_NTP_SERVER names
// a server.
const DefaultServer = "pool.ntp.org"

// Timeout bounds a whole measurement, name lookup included, so that a
// silent server fails well within 5 seconds.
const Timeout = 4 * time.Second

// MaxOffset is the largest offset believed. A server that puts the clock
// further off is more likely wrong, or lying, than the clock: a clock that
// far off needs setting, not a correction.
const MaxOffset = 24 * time.Hour

// Server returns the server to ask: $VMFA_NTP_SERVER, else DefaultServer.
func Server() string {
	if s := strings.TrimSpace(os.Getenv("VMFA_NTP_SERVER")); s != "" {
		return s
	}
	return DefaultServer
}

// A Measurement is one SNTP exchange with a server.
type Measurement struct {
	Server string        // as given: host, host:port or [v6]:port
	Offset time.Duration // the server's clock minus the system clock: add it to correct the system clock
	RTT    time.Duration // the round trip, less the server's own processing time
	At     time.Time     // the system clock when the reply came
}

// ErrBadReply is wrapped by every error about a reply that is not a usable
// SNTP server reply.
var ErrBadReply = errors.New("bad SNTP reply")

// badReply is an error naming the server and what was wrong with its reply.
type badReply struct {
	server, reason string
}

func (e *badReply) Error() string {
	return fmt.Sprintf("%s sent a bad reply (%s); it was not used", e.server, e.reason)
}

func (e *badReply) Unwrap() error { return ErrBadReply }

// Measure asks server (host[:port], port 123 by default) for the time and
// returns the system clock's offset from it. It gives up after timeout. A
// reply that is not a valid server reply (wrong mode, a kiss of death, a zero
// transmit time, an unsynchronised server, an offset beyond MaxOffset…) is
// refused with an error wrapping ErrBadReply.
func Measure(server string, timeout time.Duration) (Measurement, error) {
	m := Measurement{Server: server}
	deadline := time.Now().Add(timeout)
	host, port := splitHostPort(server)
	if host == "" {
		return m, fmt.Errorf("%q names no NTP server: give HOST or HOST:PORT", server)
	}
	// The name is looked up here, within the deadline, because the NTP
	// library's lookup has no time limit of its own.
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	addrs, err := net.DefaultResolver.LookupIPAddr(ctx, host)
	if err != nil {
		return m, lookupError(server, timeout, err)
	}
	if len(addrs) == 0 {
		return m, fmt.Errorf("can't find %s: the name has no address", server)
	}
	addr := net.JoinHostPort(addrs[0].String(), port)
	r, err := ntp.QueryWithOptions(addr, ntp.QueryOptions{Timeout: time.Until(deadline)})
	if err != nil {
		return m, queryError(server, timeout, err)
	}
	m.At = time.Now()
	if err := r.Validate(); err != nil {
		return m, &badReply{server, replyProblem(err, r)}
	}
	// The library checks the protocol; whether the answer is believable is
	// ours to judge.
	if r.ClockOffset > MaxOffset || r.ClockOffset < -MaxOffset {
		return m, &badReply{server, fmt.Sprintf("it puts this clock %s off, beyond the %s limit; if that is so, set the system clock instead",
			FormatOffset(r.ClockOffset), MaxOffset)}
	}
	m.Offset, m.RTT = r.ClockOffset, r.RTT
	return m, nil
}

// splitHostPort splits "host", "host:port", "[v6]", "[v6]:port" or a bare
// IPv6 address, with 123 as the default port.
func splitHostPort(s string) (host, port string) {
	s = strings.TrimSpace(s)
	if h, p, err := net.SplitHostPort(s); err == nil {
		return h, p
	}
	return strings.TrimSuffix(strings.TrimPrefix(s, "["), "]"), "123"
}

func lookupError(server string, timeout time.Duration, err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("no answer from %s within %s: looking up the name took too long; check the network", server, timeout)
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		if dns.IsTimeout {
			return fmt.Errorf("no answer from %s within %s: looking up the name took too long; check the network", server, timeout)
		}
		return fmt.Errorf("can't find %s: %s", server, dns.Err)
	}
	return fmt.Errorf("can't find %s: %v", server, err)
}

func queryError(server string, timeout time.Duration, err error) error {
	var netErr net.Error
	switch {
	case errors.As(err, &netErr) && netErr.Timeout():
		_, port := splitHostPort(server)
		return fmt.Errorf("no answer from %s within %s: check the name, the network, and that outgoing UDP port %s is allowed", server, timeout, port)
	case errors.Is(err, syscall.ECONNREFUSED):
		return fmt.Errorf("%s refused the query: no NTP server listens there", server)
	case errors.Is(err, ntp.ErrInvalidMode), errors.Is(err, ntp.ErrInvalidTransmitTime),
		errors.Is(err, ntp.ErrServerTickedBackwards), errors.Is(err, ntp.ErrInvalidTime),
		errors.Is(err, ntp.ErrServerResponseMismatch):
		return &badReply{server, replyProblem(err, nil)}
	}
	return fmt.Errorf("querying %s: %v", server, err)
}

// replyProblem says in words what is wrong with a reply; r is nil when the
// reply could not even be parsed.
func replyProblem(err error, r *ntp.Response) string {
	switch {
	case errors.Is(err, ntp.ErrInvalidMode):
		return "wrong mode: not a server's reply"
	case errors.Is(err, ntp.ErrInvalidTransmitTime):
		return "zero transmit time"
	case errors.Is(err, ntp.ErrServerTickedBackwards):
		return "the server's clock ran backwards between receiving and answering"
	case errors.Is(err, ntp.ErrServerResponseMismatch):
		return "it does not answer our query"
	case errors.Is(err, ntp.ErrInvalidTime) && r == nil:
		return "too short or garbled"
	case errors.Is(err, ntp.ErrInvalidTime):
		return "the server's time is before its own last synchronisation"
	case errors.Is(err, ntp.ErrKissOfDeath):
		if r.KissCode != "" {
			return fmt.Sprintf("stratum 0, a kiss of death with code %s: the server refuses to serve us", r.KissCode)
		}
		return "stratum 0, a kiss of death: the server refuses to serve us"
	case errors.Is(err, ntp.ErrInvalidStratum):
		return fmt.Sprintf("stratum %d: the server is not synchronised", r.Stratum)
	case errors.Is(err, ntp.ErrInvalidLeapSecond):
		return "leap indicator 3: the server is not synchronised"
	case errors.Is(err, ntp.ErrServerClockFreshness):
		return "the server has not synchronised its own clock for over a day"
	case errors.Is(err, ntp.ErrInvalidDispersion):
		return "the server's own error bound is over 16 s"
	}
	return err.Error()
}
