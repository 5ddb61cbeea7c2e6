package awsmfa

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/vmfa/vmfa/internal/atomicfile"
	"github.com/vmfa/vmfa/internal/safefile"
)

// maxConfigSize bounds the config file read: a real one is a few KiB.
const maxConfigSize = 4 << 20

// ConfigFile is the AWS config file the SDK reads: AWS_CONFIG_FILE, else
// ~/.aws/config.
func ConfigFile() string {
	if p := os.Getenv("AWS_CONFIG_FILE"); p != "" {
		return p
	}
	return config.DefaultSharedConfigFilename()
}

// SetMFASerial sets profile's mfa_serial to arn in the AWS config file at
// path, keeping every other byte, and returns the value it replaced ("" if
// the profile had none). A file that does not exist is created.
func SetMFASerial(path, profile, arn string) (old string, err error) {
	if !writableName(profile) {
		return "", fmt.Errorf("the profile name %q cannot be a section of %s", profile, path)
	}
	if target, err := filepath.EvalSymlinks(path); err == nil {
		path = target // keep a symlink (dotfiles) pointing where it did
	}
	text, err := readConfig(path)
	if err != nil {
		return "", err
	}
	out, old := setMFASerial(text, profile, arn)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", fmt.Errorf("can't save %s: %w", path, err)
	}
	return old, atomicfile.Write(path, out)
}

// readConfig reads the config file at path, none being empty; a named pipe
// or a device there is refused without blocking.
func readConfig(path string) ([]byte, error) {
	f, err := safefile.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxConfigSize+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	if len(b) > maxConfigSize {
		return nil, fmt.Errorf("%s is over %d MiB: not an AWS config file", path, maxConfigSize>>20)
	}
	return b, nil
}

// writableName reports whether a profile name can be written in a section
// header and read back as the same name.
func writableName(name string) bool {
	return name != "" && !strings.ContainsFunc(name, func(r rune) bool {
		return r <= ' ' || r == 0x7f || r == '[' || r == ']' || r == '#' || r == ';'
	})
}

// setMFASerial is SetMFASerial on the file's text.
func setMFASerial(text []byte, profile, arn string) (out []byte, old string) {
	lines := bytes.SplitAfter(text, []byte("\n"))
	if len(lines[len(lines)-1]) == 0 {
		lines = lines[:len(lines)-1]
	}
	eol := "\n"
	if len(lines) > 0 && bytes.HasSuffix(lines[0], []byte("\r\n")) {
		eol = "\r\n"
	}
	setting := "mfa_serial = " + arn + eol
	// The profile's first section, where its mfa_serial line is, and
	// the last line holding a setting in that section.
	first, serialAt, lastSetting := -1, -1, -1
	section, inProfile := -1, false
	for i, l := range lines {
		trimmed := strings.TrimSpace(string(l))
		switch {
		case strings.HasPrefix(trimmed, "["):
			section, inProfile = i, sectionProfile(trimmed) == profile
			if inProfile && first < 0 {
				first, lastSetting = i, i
			}
			continue
		case !inProfile || trimmed == "" || trimmed[0] == '#' || trimmed[0] == ';':
			continue
		case serialAt < 0 && l[0] != ' ' && l[0] != '\t' && settingKey(trimmed) == "mfa_serial":
			serialAt = i
		}
		if section == first {
			lastSetting = i // a nested value's lines too
		}
	}
	var b bytes.Buffer
	switch {
	case serialAt >= 0:
		l := string(lines[serialAt])
		_, value, _ := strings.Cut(l, "=")
		old = strings.TrimSpace(value)
		for _, c := range []string{" #", " ;", "\t#", "\t;"} { // an inline comment
			old, _, _ = strings.Cut(old, c)
		}
		eq := strings.IndexByte(l, '=')
		for i, line := range lines {
			if i == serialAt {
				b.WriteString(l[:eq+1] + " " + arn + lineEnd(l))
				continue
			}
			b.Write(line)
		}
	case first >= 0:
		for i, line := range lines {
			b.Write(line)
			if i == lastSetting {
				if !bytes.HasSuffix(line, []byte("\n")) {
					b.WriteString(eol)
				}
				b.WriteString(setting)
			}
		}
	default:
		b.Write(text)
		if len(text) > 0 {
			if !bytes.HasSuffix(text, []byte("\n")) {
				b.WriteString(eol)
			}
			b.WriteString(eol)
		}
		header := "[profile " + profile + "]"
		if profile == "default" {
			header = "[default]"
		}
		b.WriteString(header + eol + setting)
	}
	return b.Bytes(), old
}

// lineEnd is the end of line l: "" for a last line without one.
func lineEnd(l string) string {
	switch {
	case strings.HasSuffix(l, "\r\n"):
		return "\r\n"
	case strings.HasSuffix(l, "\n"):
		return "\n"
	}
	return ""
}

// settingKey is the lower-case key of a "key = value" line.
func settingKey(trimmed string) string {
	key, _, ok := strings.Cut(trimmed, "=")
	if !ok {
		return ""
	}
	return strings.ToLower(strings.TrimSpace(key))
}

// sectionProfile is the profile a config file's section header names, as
// the SDK reads it: "[default]", "[profile default]" or "[profile NAME]";
// "" for other sections (sso-session, services).
func sectionProfile(header string) string {
	end := strings.IndexByte(header, ']')
	if end < 0 {
		return ""
	}
	section := strings.TrimSpace(header[1:end])
	if section == "default" {
		return "default"
	}
	fields := strings.Fields(section)
	if len(fields) == 2 && fields[0] == "profile" {
		return fields[1]
	}
	return ""
}

// ProfileNames lists the profiles of the AWS config file and of the
// credentials file (AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials),
// each once, for shell completion: only section names are read.
func ProfileNames() []string {
	creds := os.Getenv("AWS_SHARED_CREDENTIALS_FILE")
	if creds == "" {
		creds = config.DefaultSharedCredentialsFilename()
	}
	var names []string
	seen := map[string]bool{}
	for i, path := range []string{ConfigFile(), creds} {
		text, err := readConfig(path)
		if err != nil {
			continue
		}
		for _, l := range strings.Split(string(text), "\n") {
			l = strings.TrimSpace(l)
			if !strings.HasPrefix(l, "[") {
				continue
			}
			name := sectionProfile(l)
			if i == 1 { // the credentials file's sections are bare names
				name = strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(l, "["), "]"))
			}
			if name != "" && !seen[name] {
				seen[name] = true
				names = append(names, name)
			}
		}
	}
	return names
}
