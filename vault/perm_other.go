//go:build !unix

package vault

// checkDir checks nothing where permissions are ACLs, which the user's
// profile directory already restricts.
func checkDir(string) error { return nil }
