package awssession

import (
	"bufio"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/config"
)

// MFAProfile is a profile of the AWS config file that names an MFA device,
// itself or through its source_profile: one 'vmfa aws' can be asked for.
type MFAProfile struct {
	Name      string
	MFASerial string
}

// MFAProfiles lists, in the order of the AWS config file (AWS_CONFIG_FILE,
// else ~/.aws/config), the profiles with an mfa_serial of their own or on
// their source_profile, as Load takes them. It is for shell completion: it
// reads only the config file's section names, mfa_serial and
// source_profile, never the credentials file, and a file it cannot read
// lists nothing. The SDK that Load uses has no way to list profiles.
func MFAProfiles() []MFAProfile {
	return mfaProfiles(configFile())
}

// configFile is the AWS config file's path: AWS_CONFIG_FILE, else
// ~/.aws/config.
func configFile() string {
	if path := os.Getenv("AWS_CONFIG_FILE"); path != "" {
		return path
	}
	return config.DefaultSharedConfigFilename()
}

// MFAProfileWatch is MFAProfiles for a program that asks again and again
// (the interface, once a second): it reads the config file again only when
// the file changed (another file, size or modification time), and costs a
// stat otherwise.
type MFAProfileWatch struct {
	seen     os.FileInfo // of the file read last; nil before the first read or when there was none
	profiles []MFAProfile
}

// MFAProfiles returns the config file's MFA profiles as MFAProfiles does,
// and whether they may differ from what it returned the call before.
func (w *MFAProfileWatch) MFAProfiles() (profiles []MFAProfile, changed bool) {
	path := configFile()
	fi, err := os.Stat(path)
	if err != nil {
		fi = nil
	}
	same := w.seen != nil && fi != nil && os.SameFile(w.seen, fi) && w.seen.Size() == fi.Size() && w.seen.ModTime().Equal(fi.ModTime())
	if same || w.seen == nil && fi == nil && w.profiles != nil {
		return w.profiles, false
	}
	w.seen, w.profiles = fi, mfaProfiles(path)
	if w.profiles == nil {
		w.profiles = []MFAProfile{} // read: no file is no profile
	}
	return w.profiles, true
}

// mfaProfiles is MFAProfiles of the config file at path.
func mfaProfiles(path string) []MFAProfile {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	type profile struct{ mfaSerial, source string }
	var names []string
	profiles := map[string]*profile{}
	var cur *profile // nil in a section that is not a profile
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		switch {
		case trimmed == "" || trimmed[0] == '#' || trimmed[0] == ';':
			continue
		case trimmed[0] == '[':
			cur = nil
			name, ok := profileSection(trimmed)
			if !ok {
				continue
			}
			if profiles[name] == nil {
				profiles[name] = &profile{}
				names = append(names, name)
			}
			cur = profiles[name]
		case cur == nil || line[0] == ' ' || line[0] == '\t':
			// Outside a profile, or a nested value (such as s3's).
			continue
		default:
			key, value, ok := strings.Cut(trimmed, "=")
			if !ok {
				continue
			}
			switch strings.ToLower(strings.TrimSpace(key)) {
			case "mfa_serial":
				cur.mfaSerial = strings.TrimSpace(value)
			case "source_profile":
				cur.source = strings.TrimSpace(value)
			}
		}
	}
	var out []MFAProfile
	for _, name := range names {
		p := profiles[name]
		serial := p.mfaSerial
		if src := profiles[p.source]; serial == "" && src != nil && p.source != name {
			serial = src.mfaSerial
		}
		if serial != "" {
			out = append(out, MFAProfile{Name: name, MFASerial: serial})
		}
	}
	return out
}

// profileSection returns the profile a config file's section header
// names: "[default]" or "[profile NAME]"; other sections (sso-session,
// services, or a name without "profile ", which the SDK ignores there) are
// not profiles.
func profileSection(header string) (string, bool) {
	end := strings.IndexByte(header, ']')
	if end < 0 {
		return "", false
	}
	section := strings.TrimSpace(header[1:end])
	if strings.EqualFold(section, "default") {
		return "default", true
	}
	fields := strings.Fields(section)
	if len(fields) == 2 && fields[0] == "profile" {
		return fields[1], true
	}
	return "", false
}
