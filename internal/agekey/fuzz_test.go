package agekey_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vmfa/vmfa/internal/agekey"
)

// FuzzReadIdentities: whatever the key file holds, ReadIdentities does not
// panic, and its error is one line that quotes none of the file (a line of
// an identity file is secret).
func FuzzReadIdentities(f *testing.F) {
	for _, seed := range []string{
		"AGE-SECRET-KEY-1QQQQ\n",
		"# c\nAGE-PLUGIN-YUBIKEY-1QQQQQ\n",
		"-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n",
		"-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n\n-----END RSA PRIVATE KEY-----\n",
		"age1qqqq\n", "age-encryption.org/v1\n", "\xff\x00",
	} {
		f.Add([]byte(seed))
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(dir, "key")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := agekey.ReadIdentities(path, nil)
		if err == nil {
			return
		}
		msg := strings.ReplaceAll(err.Error(), path, "")
		if strings.Contains(msg, "\n") {
			t.Fatalf("error spans lines: %q", msg)
		}
		for _, line := range strings.Split(string(data), "\n") {
			if line = strings.TrimSpace(line); len(line) >= 12 && strings.Contains(msg, line) {
				t.Fatalf("error quotes the file: %q", msg)
			}
		}
	})
}

// FuzzParseRecipient: no panic, one line, and a private key given by
// mistake is never quoted back.
func FuzzParseRecipient(f *testing.F) {
	for _, seed := range []string{"age1qqqq", "age1yubikey1qqqq", "ssh-ed25519 AAAA x", "ssh-rsa AAAAB3NzaC1yc2E", "AGE-SECRET-KEY-1QQ", "age1pq1qq", "sk-ssh-ed25519@openssh.com AAAA"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		_, _, err := agekey.ParseRecipient(text, nil)
		if err == nil {
			return
		}
		if strings.Contains(err.Error(), "\n") {
			t.Fatalf("error spans lines: %q", err)
		}
		if in := strings.TrimSpace(text); len(in) >= 12 && strings.Contains(err.Error(), in) {
			t.Fatalf("error quotes the input: %q", err)
		}
	})
}
