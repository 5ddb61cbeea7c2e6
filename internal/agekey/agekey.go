// Package agekey reads the keys people already have as age recipients and
// identities: age's own X25519 keys, SSH keys (ssh-ed25519, ssh-rsa) through
// filippo.io/age/agessh, and age plugins (age-plugin-yubikey,
// age-plugin-se, age-plugin-tpm, any age-plugin-NAME on $PATH) through
// filippo.io/age/plugin.
//
// Errors are one line and never quote a key: a line of an identity file is
// secret, and even a public key is only named by its kind.
package agekey

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"filippo.io/age"
	"filippo.io/age/agessh"
	"filippo.io/age/plugin"
	"golang.org/x/crypto/ssh"

	"github.com/vmfa/vmfa/internal/safefile"
	"github.com/vmfa/vmfa/internal/term"
	"github.com/vmfa/vmfa/internal/termsafe"
)

// maxKeyFile bounds what is read of a key file: an SSH RSA key of 16384 bits
// is about 13 KiB, an age identity file a few lines.
const maxKeyFile = 256 << 10

// ParseRecipient parses one public key: "age1…" (X25519), "age1pq1…"
// (post-quantum hybrid), "ssh-ed25519 …" or "ssh-rsa …" (with or without a
// comment), or "age1NAME1…", a recipient of age-plugin-NAME, which ui lets
// talk to the user when it runs. It returns the key's text as age and ssh
// write it, an SSH key's comment included.
func ParseRecipient(text string, ui *plugin.ClientUI) (age.Recipient, string, error) {
	text = strings.TrimSpace(text)
	switch {
	case text == "":
		return nil, "", errors.New("the recipient is empty")
	case strings.Contains(text, "PRIVATE KEY") || strings.HasPrefix(text, "AGE-SECRET-KEY-") || strings.HasPrefix(text, "AGE-PLUGIN-"):
		return nil, "", errors.New("that is a private key, not a recipient: give its public key (an age1… line, or the .pub file of an SSH key)")
	case strings.HasPrefix(text, "ssh-") || strings.ContainsAny(text, " \t"):
		pub, comment, _, _, err := ssh.ParseAuthorizedKey([]byte(text))
		if err != nil && strings.HasPrefix(text, "ssh-") {
			return nil, "", errors.New("malformed SSH public key: give one line of a .pub file, such as ~/.ssh/id_ed25519.pub")
		}
		if err != nil {
			return nil, "", errors.New("a recipient is one word (age1…) or an SSH public key (ssh-ed25519 …, ssh-rsa …)")
		}
		if t := pub.Type(); t != ssh.KeyAlgoED25519 && t != ssh.KeyAlgoRSA {
			return nil, "", fmt.Errorf("age can't encrypt to %s SSH keys: use an ssh-ed25519 or ssh-rsa key", t)
		}
		canonical := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pub)))
		r, err := agessh.ParseRecipient(canonical)
		if err != nil {
			return nil, "", errors.New("unusable SSH public key (an RSA key must have at least 2048 bits)")
		}
		// The comment is shown by 'recipients list': one that could drive
		// the terminal (set its title, clear it) is no one's name.
		if comment = oneLine(comment); termsafe.HasControls(comment) {
			return nil, "", errors.New("the SSH key's comment (after the key) holds control characters or bytes that are not UTF-8: remove them")
		} else if comment != "" {
			canonical += " " + comment // who the key is: "alice@laptop"
		}
		return r, canonical, nil
	case strings.HasPrefix(text, "age1pq1"):
		r, err := age.ParseHybridRecipient(text)
		if err != nil {
			return nil, "", errors.New("malformed post-quantum age recipient (age1pq1…)")
		}
		return r, text, nil
	case strings.HasPrefix(text, "age1"):
		if r, err := age.ParseX25519Recipient(text); err == nil {
			return r, text, nil
		}
		r, err := plugin.NewRecipient(text, ui)
		if err != nil {
			return nil, "", errors.New("malformed age recipient: expected age1… (age-keygen -y) or a plugin's age1NAME1…")
		}
		return pluginRecipient{r}, text, nil
	}
	return nil, "", errors.New("not a recipient: expected an age recipient (age1…), an age plugin recipient (age1yubikey1…) or an SSH public key (ssh-ed25519 …, ssh-rsa …)")
}

// ReadRecipient reads the one recipient in a file such as ~/.ssh/id_ed25519.pub
// or what age-keygen -y wrote; blank lines and # comments are skipped.
func ReadRecipient(r io.Reader, source string, ui *plugin.ClientUI) (age.Recipient, string, error) {
	b, err := readKeyFile(r)
	if err != nil {
		return nil, "", fmt.Errorf("%s: %v", source, err)
	}
	var lines []string
	for _, l := range strings.Split(string(b), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			lines = append(lines, l)
		}
	}
	switch {
	case bytes.Contains(b, []byte("PRIVATE KEY")) || bytes.Contains(b, []byte("AGE-SECRET-KEY-")) || bytes.Contains(b, []byte("AGE-PLUGIN-")):
		return nil, "", fmt.Errorf("%s is a private key: give its public key (age-keygen -y FILE, the .pub file of an SSH key, or the plugin's recipient)", source)
	case len(lines) == 0:
		return nil, "", fmt.Errorf("%s holds no recipient", source)
	case len(lines) > 1:
		return nil, "", fmt.Errorf("%s holds %d recipients: add them one at a time, each with its own name", source, len(lines))
	}
	rec, text, err := ParseRecipient(lines[0], ui)
	if err != nil {
		return nil, "", fmt.Errorf("%s: %v", source, err)
	}
	return rec, text, nil
}

// ReadIdentities reads the private keys in the file at path: an age identity
// file (AGE-SECRET-KEY-1… lines, as age-keygen writes; plugin identities,
// AGE-PLUGIN-NAME-1…, as age-plugin-yubikey writes) or an SSH private key
// (OpenSSH or PEM). An SSH key protected by a passphrase asks for it on the
// terminal, and only if a file is encrypted to it.
func ReadIdentities(path string, ui *plugin.ClientUI) ([]age.Identity, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("can't read the key file: %v", err)
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.IsDir() {
		return nil, fmt.Errorf("%s is a directory, not a key file", path)
	}
	b, err := readKeyFile(f)
	defer clear(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	if bytes.HasPrefix(bytes.TrimSpace(b), []byte("-----BEGIN")) {
		return readSSHIdentity(path, b)
	}
	if bytes.HasPrefix(b, []byte("age-encryption.org/")) {
		return nil, fmt.Errorf("%s is encrypted with age: decrypt it to a file only you can read, or use an unencrypted key", path)
	}
	if !utf8.Valid(b) {
		return nil, fmt.Errorf("%s is not a key file: expected an age identity file or an SSH private key", path)
	}
	var ids []age.Identity
	// Not a bufio.Scanner: it stops, quietly, at a line over 64 KiB.
	for i, line := range strings.Split(string(b), "\n") {
		n := i + 1
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		// The line is secret: errors name its number, never its text.
		var id age.Identity
		var err error
		switch {
		case strings.HasPrefix(line, "AGE-SECRET-KEY-PQ-1"):
			id, err = age.ParseHybridIdentity(line)
		case strings.HasPrefix(line, "AGE-SECRET-KEY-1"):
			id, err = age.ParseX25519Identity(line)
		case strings.HasPrefix(line, "AGE-PLUGIN-"):
			var pid *plugin.Identity
			if pid, err = plugin.NewIdentity(line, ui); err == nil {
				id = pluginIdentity{pid}
			}
		case strings.HasPrefix(line, "age1") || strings.HasPrefix(line, "ssh-"):
			return nil, &PublicKeyError{Path: path, Line: n}
		default:
			return nil, fmt.Errorf("%s line %d is not an age identity (AGE-SECRET-KEY-1…, AGE-PLUGIN-…) and the file is not an SSH private key", path, n)
		}
		if err != nil {
			return nil, fmt.Errorf("%s line %d is a malformed age identity", path, n)
		}
		ids = append(ids, id)
	}
	if len(ids) == 0 {
		return nil, fmt.Errorf("%s holds no key: expected an age identity file or an SSH private key", path)
	}
	return ids, nil
}

// readKeyFile reads r to its end: at most maxKeyFile bytes, which a file
// that is not a key, such as a pipe that never ends, may exceed.
func readKeyFile(r io.Reader) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxKeyFile+1))
	if err == nil && len(b) > maxKeyFile {
		clear(b)
		return nil, errors.New("too large to be a key file")
	}
	return b, err
}

// readFile is os.ReadFile with readKeyFile's bound, for a regular file
// only (safefile.Open), which never blocks.
func readFile(path string) ([]byte, error) {
	f, err := safefile.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readKeyFile(f)
}

// readSSHIdentity parses an SSH private key. One with a passphrase needs
// its public key to know which files are its own before asking: OpenSSH
// keys carry it, older PEM keys have it in the .pub beside them.
func readSSHIdentity(path string, pemBytes []byte) ([]age.Identity, error) {
	id, err := agessh.ParseIdentity(pemBytes)
	if err == nil {
		return []age.Identity{id}, nil
	}
	var missing *ssh.PassphraseMissingError
	if !errors.As(err, &missing) {
		if strings.Contains(err.Error(), "unsupported") || strings.Contains(err.Error(), "not supported") {
			return nil, fmt.Errorf("%s is an SSH key of a kind age can't use: use an ssh-ed25519 or ssh-rsa key", path)
		}
		return nil, fmt.Errorf("%s is not a valid SSH private key", path)
	}
	pub := missing.PublicKey
	if pub == nil {
		b, err := readFile(path + ".pub")
		if err == nil {
			pub, _, _, _, err = ssh.ParseAuthorizedKey(b)
		}
		if err != nil {
			return nil, fmt.Errorf("%s is protected by a passphrase and its public key is not in %s.pub: put it there (ssh-keygen -y -f %s > %s.pub)", path, path, path, path)
		}
	}
	// Copy: b is cleared when ReadIdentities returns, and the key is
	// decrypted later, only if a file is encrypted to it.
	keep := bytes.Clone(pemBytes)
	ask := func() ([]byte, error) {
		pass, err := term.ReadSecret("Passphrase for the SSH key " + path + ": ")
		if errors.Is(err, term.ErrNoTTY) {
			return nil, fmt.Errorf("%s is protected by a passphrase and there is no terminal to ask for it: run vmfa on a terminal, or use a key without a passphrase", path)
		}
		return []byte(pass), err
	}
	eid, err := agessh.NewEncryptedSSHIdentity(pub, keep, ask)
	if err != nil {
		return nil, fmt.Errorf("%s is an SSH key of a kind age can't use: use an ssh-ed25519 or ssh-rsa key", path)
	}
	return []age.Identity{sshPassphraseIdentity{eid, path}}, nil
}

// sshPassphraseIdentity rewords agessh's errors: "failed to obtain
// passphrase: failed to decrypt SSH key file: x509: decryption password
// incorrect" says less than "wrong passphrase for KEY".
type sshPassphraseIdentity struct {
	*agessh.EncryptedSSHIdentity
	path string
}

func (i sshPassphraseIdentity) Unwrap(stanzas []*age.Stanza) ([]byte, error) {
	key, err := i.EncryptedSSHIdentity.Unwrap(stanzas)
	switch {
	case err == nil || errors.Is(err, age.ErrIncorrectIdentity):
		return key, err
	case strings.Contains(err.Error(), "no terminal"):
		return nil, errors.New(strings.TrimPrefix(err.Error(), "failed to obtain passphrase: "))
	case strings.Contains(err.Error(), "failed to decrypt SSH key file"):
		return nil, fmt.Errorf("wrong passphrase for the SSH key %s", i.path)
	}
	return nil, err
}

// pluginIdentity and pluginRecipient say what to install when the plugin
// is missing.
type (
	pluginIdentity  struct{ *plugin.Identity }
	pluginRecipient struct{ *plugin.Recipient }
)

func (i pluginIdentity) Unwrap(stanzas []*age.Stanza) ([]byte, error) {
	key, err := i.Identity.Unwrap(stanzas)
	return key, pluginError(i.Name(), err)
}

func (r pluginRecipient) Wrap(fileKey []byte) ([]*age.Stanza, error) {
	stanzas, err := r.Recipient.Wrap(fileKey)
	return stanzas, pluginError(r.Name(), err)
}

func (r pluginRecipient) WrapWithLabels(fileKey []byte) ([]*age.Stanza, []string, error) {
	stanzas, labels, err := r.Recipient.WrapWithLabels(fileKey)
	return stanzas, labels, pluginError(r.Name(), err)
}

func pluginError(name string, err error) error {
	var notFound *plugin.NotFoundError
	if errors.As(err, &notFound) {
		return fmt.Errorf("the key needs age-plugin-%s, which is not on $PATH: install it", name)
	}
	return err
}

// TerminalUI lets a plugin talk to the user: its messages ("touch your
// YubiKey") go to msgs, its questions (a PIN) to the terminal.
func TerminalUI(msgs io.Writer) *plugin.ClientUI {
	return &plugin.ClientUI{
		DisplayMessage: func(name, message string) error {
			fmt.Fprintf(msgs, "vmfa: age-plugin-%s: %s\n", name, shown(message))
			return nil
		},
		RequestValue: func(name, prompt string, secret bool) (string, error) {
			prompt = "age-plugin-" + name + ": " + shown(prompt) + " "
			var v string
			var err error
			if secret {
				v, err = term.ReadSecret(prompt)
			} else {
				v, err = term.ReadLine(prompt)
			}
			if err != nil {
				fmt.Fprintf(msgs, "vmfa: age-plugin-%s asked a question and %v\n", name, err)
			}
			return v, err
		},
		Confirm: func(name, prompt, yes, no string) (bool, error) {
			if no == "" {
				_, err := term.ReadLine(fmt.Sprintf("age-plugin-%s: %s (press Enter to %s) ", name, shown(prompt), shown(yes)))
				return err == nil, err
			}
			for {
				a, err := term.ReadLine(fmt.Sprintf("age-plugin-%s: %s [1: %s, 2: %s] ", name, shown(prompt), shown(yes), shown(no)))
				if err != nil {
					fmt.Fprintf(msgs, "vmfa: age-plugin-%s asked a question and %v\n", name, err)
					return false, err
				}
				switch a {
				case "1":
					return true, nil
				case "2":
					return false, nil
				}
			}
		},
		WaitTimer: func(name string) {
			fmt.Fprintf(msgs, "vmfa: waiting for age-plugin-%s (touch the key?)…\n", name)
		},
	}
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// shown is a plugin's text as the terminal shows it: on one line, with
// its terminal controls written out.
func shown(s string) string { return termsafe.Escape(oneLine(s)) }

// PublicKeyError is the error for a key file that holds a public key where
// the private one belongs: the .pub beside it, most often.
type PublicKeyError struct {
	Path string
	Line int
}

func (e *PublicKeyError) Error() string {
	return fmt.Sprintf("%s line %d is a public key", e.Path, e.Line)
}
