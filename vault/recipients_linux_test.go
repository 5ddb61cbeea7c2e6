package vault

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/vmfa/vmfa/internal/testenv"
)

// TestRecipientsStockAgeSSHPassphrase: stock age asks for the passphrase of
// an SSH key on the terminal and opens the recipients file with it.
func TestRecipientsStockAgeSSHPassphrase(t *testing.T) {
	s, v := newTestVault(t)
	for _, typ := range []string{"ed25519", "rsa"} {
		keyFile, public := sshKey(t, typ, "key passphrase")
		name := "locked-" + typ
		addRecipient(t, v, name, sshRecipient(t, public), public)
		path := filepath.Join(s.Dir(), recipientsDir, name+recipientSuffix)
		out, err := runWithTerminal(t, "key passphrase\n", 20*time.Second, testenv.Tool(t, "age"), "-d", "-i", keyFile, path)
		if err == errNoTerminal {
			testenv.Skip(t, "no pseudo-terminal")
		}
		if err != nil {
			t.Fatalf("age -d -i %s: %v", typ, err)
		}
		checkHoldsIdentity(t, v, out)
	}
}
