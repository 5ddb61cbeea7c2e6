//go:build !unix

package safefile

import "io/fs"

// The flags do not exist here; neither do named pipes in the file system,
// and symbolic links need privileges to create.
const (
	oNonBlock = 0
	oNoFollow = 0
)

// CheckOwned checks nothing where permissions are ACLs, which the user's
// profile directory already restricts.
func CheckOwned(string, fs.FileInfo) error { return nil }

// CheckAncestors checks nothing where permissions are ACLs.
func CheckAncestors(string) error { return nil }
