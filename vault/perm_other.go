//go:build !unix

package vault

// oNoFollow is 0 where the open flag does not exist; there, symbolic links
// need privileges to create.
const oNoFollow = 0

// checkDir checks nothing where permissions are ACLs, which the user's
// profile directory already restricts.
func checkDir(string) error { return nil }
