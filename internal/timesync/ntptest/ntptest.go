// Package ntptest runs an SNTP server of a test's own on 127.0.0.1: a real
// UDP server speaking NTPv4 (RFC 5905), whose clock is off from the
// machine's by a chosen amount, and whose replies can be made bad in each way
// a client must refuse.
package ntptest

import (
	"encoding/binary"
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Reply says how the server answers. The zero Reply is a good stratum-2
// server whose clock is right.
type Reply struct {
	Skew         time.Duration // the server's clock minus the machine's
	Mode         uint8         // 0 means 4, a server's reply
	Stratum      uint8         // 0 means 2; see KissCode for stratum 0
	KissCode     string        // if set, a stratum-0 "kiss of death" with this code, e.g. "RATE"
	Leap         uint8         // the leap indicator; 3 means unsynchronised
	ZeroTransmit bool          // a transmit timestamp of zero
	Silent       bool          // read queries, never answer
}

// Server is a running SNTP server.
type Server struct {
	Addr    string // 127.0.0.1:port
	queries atomic.Int64
	stop    func()
}

// Queries is the number of queries the server has received.
func (s *Server) Queries() int { return int(s.queries.Load()) }

// Close stops the server; the port is left closed, so that queries to it
// are refused.
func (s *Server) Close() { s.stop() }

// Start starts a server answering as r says, on a random port, and stops
// it when the test ends.
func Start(t testing.TB, r Reply) *Server {
	t.Helper()
	conn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("ntptest: %v", err)
	}
	done := make(chan struct{})
	s := &Server{Addr: conn.LocalAddr().String(), stop: sync.OnceFunc(func() { conn.Close(); <-done })}
	t.Cleanup(s.Close)
	go func() {
		defer close(done)
		buf := make([]byte, 512)
		for {
			n, from, err := conn.ReadFrom(buf)
			if errors.Is(err, net.ErrClosed) {
				return
			}
			if err != nil || n < 48 {
				continue
			}
			s.queries.Add(1)
			if r.Silent {
				continue
			}
			conn.WriteTo(r.answer(buf[:48], time.Now().Add(r.Skew)), from)
		}
	}()
	return s
}

// answer builds the reply to query at the server's time now.
func (r Reply) answer(query []byte, now time.Time) []byte {
	mode, stratum, refID := r.Mode, r.Stratum, []byte("GPS\x00")
	if mode == 0 {
		mode = 4
	}
	if stratum == 0 {
		stratum = 2
	}
	if r.KissCode != "" {
		stratum, refID = 0, []byte((r.KissCode + "    ")[:4])
	}
	version := query[0] >> 3 & 7
	p := make([]byte, 48)
	p[0] = r.Leap<<6 | version<<3 | mode
	p[1] = stratum
	p[2] = query[2] // poll, echoed
	p[3] = 0xec     // precision 2^-20 s
	p[5] = 0x01     // root delay 1/256 s, in 16.16 fixed point
	p[9] = 0x01     // root dispersion 1/256 s
	copy(p[12:16], refID)
	putTime(p[16:], now.Add(-time.Minute)) // last synchronised a minute ago
	copy(p[24:32], query[40:48])           // origin: the client's transmit field
	putTime(p[32:], now)
	if !r.ZeroTransmit {
		putTime(p[40:], now)
	}
	return p
}

// putTime writes t as a 64-bit NTP timestamp: seconds since 1900 and a
// binary fraction.
func putTime(b []byte, t time.Time) {
	const ntpEpoch = 2208988800 // seconds from 1900 to 1970
	secs := uint64(t.Unix() + ntpEpoch)
	frac := uint64(t.Nanosecond()) << 32 / 1e9
	binary.BigEndian.PutUint64(b, secs<<32|frac)
}
