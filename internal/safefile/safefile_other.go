//go:build !unix

package safefile

// The flags do not exist here; neither do named pipes in the file system,
// and symbolic links need privileges to create.
const (
	oNonBlock = 0
	oNoFollow = 0
)
