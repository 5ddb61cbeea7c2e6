package importer

import "testing"

// An error in a URI list names its line as an editor numbers it, blank
// lines and comments counted.
func TestURIListLineNumbers(t *testing.T) {
	list := "otpauth://totp/a?secret=" + secret + "\n\n# a comment\notpauth://totp/b?secret=x!\n"
	wantErr(t, parseErr(t, "uri", []byte(list), ""), "line 4: ")
}
