//go:build unix

package agent

import "net"

// peerUID returns the uid of the process at the other end of conn, as the
// kernel recorded it when the connection was made.
func peerUID(conn *net.UnixConn) (int, error) {
	raw, err := conn.SyscallConn()
	if err != nil {
		return -1, err
	}
	uid, uidErr := -1, error(nil)
	if err := raw.Control(func(fd uintptr) { uid, uidErr = socketPeerUID(int(fd)) }); err != nil {
		return -1, err
	}
	return uid, uidErr
}
