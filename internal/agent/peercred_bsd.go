//go:build darwin || freebsd

package agent

import "golang.org/x/sys/unix"

// socketPeerUID reads LOCAL_PEERCRED, as getpeereid does: the effective uid.
func socketPeerUID(fd int) (int, error) {
	cred, err := unix.GetsockoptXucred(fd, unix.SOL_LOCAL, unix.LOCAL_PEERCRED)
	if err != nil {
		return -1, err
	}
	return int(cred.Uid), nil
}
