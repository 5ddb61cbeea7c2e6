package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestAWSProfileAddedWhileOpen: a profile added to the AWS config file
// while the interface is open names its device's row within a second or
// two, as the vault's own changes show. The file was read once, at start.
func TestAWSProfileAddedWhileOpen(t *testing.T) {
	parallel(t)
	dir := t.TempDir()
	vaultOf(t, dir, awsPeriodURI)
	config := filepath.Join(dir, "aws-config")
	if err := os.WriteFile(config, []byte("[profile other]\nregion = eu-west-1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	term := onTerminal(t, dir, []string{pw, "AWS_CONFIG_FILE=" + config}, false, nil)
	term.Expect("alice@123456789012")
	if err := os.WriteFile(config, []byte("[profile other]\nregion = eu-west-1\n\n[profile base]\nmfa_serial = "+awsDevice+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	term.Expect("· base")
	term.Type("\x03")
	term.Wait()
}
