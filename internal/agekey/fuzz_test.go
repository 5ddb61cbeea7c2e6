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
			if line = strings.TrimSpace(line); len(line) >= 12 && strings.Contains(msg, line) && !inMessageText(t, path, data, line) {
				t.Fatalf("error quotes the file: %q", msg)
			}
		}
	})
}

// inMessageText reports whether line is part of the error's own words (say,
// a line "AGE-SECRET-K" in the hint "AGE-SECRET-KEY-1…"): with the line
// replaced by another in the file, the error still holds it.
func inMessageText(t *testing.T, path string, data []byte, line string) bool {
	other := strings.ReplaceAll(string(data), line, strings.Repeat("x", len(line)))
	if err := os.WriteFile(path, []byte(other), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := agekey.ReadIdentities(path, nil)
	return err != nil && strings.Contains(err.Error(), line)
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
			// Unless it is the error's own words, there whatever the input.
			if _, _, other := agekey.ParseRecipient(strings.Repeat("x", len(in)), nil); other == nil || !strings.Contains(other.Error(), in) {
				t.Fatalf("error quotes the input: %q", err)
			}
		}
	})
}
