package vault

import (
	"os/exec"
	"path/filepath"
	"testing"

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
		term := testenv.StartTerminal(t, exec.Command(testenv.Tool(t, "age"), "-d", "-i", keyFile, path), true)
		term.Expect("passphrase")
		term.Type("key passphrase\n")
		if code, screen := term.Wait(); code != 0 {
			t.Fatalf("age -d -i %s: exit %d, terminal %q", typ, code, screen)
		}
		checkHoldsIdentity(t, v, []byte(term.Stdout()))
	}
}
