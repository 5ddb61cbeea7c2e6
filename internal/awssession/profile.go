// Package awssession turns an AWS profile that names an MFA device
// (mfa_serial) into temporary credentials, with the code taken from the
// vault instead of typed.
//
// Profiles are read by the AWS SDK for Go v2, so AWS_CONFIG_FILE,
// AWS_SHARED_CREDENTIALS_FILE, source_profile, region, duration_seconds,
// endpoint_url and AWS_ENDPOINT_URL_STS mean what they mean to every AWS
// tool. Three kinds of profile are served:
//
//   - "session": long-term keys and mfa_serial; STS GetSessionToken with
//     the code.
//   - "role": role_arn, and a source_profile with long-term keys; the MFA
//     device is the role's mfa_serial, else its source's. As aws-vault
//     does, the source's MFA session (GetSessionToken with the code, cached
//     as the source's own session) signs an AssumeRole that sends no code:
//     every role of one device costs one code per MFA session, however
//     many there are. AWS limits a role assumed with a session to an hour,
//     so a role asked for longer is assumed with a code of its own, signed
//     with the source's long-term keys.
//   - "role chain": role_arn and a source_profile that is itself a role
//     profile (of either kind, to any depth); the source's role session
//     signs an AssumeRole that sends no code. AWS limits chained sessions
//     to an hour: a longer one asked for is cut to an hour, and the Warn of
//     the Request says so.
//
// Each link of a chain is cached on its own, so a role's session that
// expires is renewed without a code while its source's lasts.
//
// # Caching
//
// A session is kept in a Cache until RefreshMargin before it expires,
// under a name that hashes what makes it differ from another (profile,
// keys' ID, device, role, duration, region, endpoint), never a secret or
// an ARN. FileCache keeps each encrypted to the vault (age) on disk;
// Tiered puts the agent's memory in front of it, so that sessions outlive
// the agent and the agent serves what the disk has. Processes that miss
// the same session at once take turns through the FileCache's lock
// (Locker): the first spends the code, the others take its session.
//
// A cached session holds its profile's name and kind beside the
// credentials, so that List can say what is cached without a secret;
// Clear forgets them.
//
// # Console
//
// Profile.Console signs in to the AWS console through the federation
// endpoint: a role with its (cached) role session, a session profile with
// GetFederationToken, whose console carries no MFA (login.go says how).
package awssession

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
)

// defaultRegion signs STS calls for a profile that names no region: STS
// answers in every region, and the AWS CLI's global endpoint is there.
const defaultRegion = "us-east-1"

// Kinds of session, Profile.Kind.
const (
	KindSession   = "session"
	KindRole      = "role"
	KindRoleChain = "role chain"
)

// Profile is a profile resolved to the STS calls that give its session.
type Profile struct {
	Name string
	// Region is the profile's region, "" if it names none.
	Region string
	// MFASerial is the ARN of the MFA device whose code the profile's
	// session needs, itself or through its source.
	MFASerial string
	// Kind is KindSession, KindRole or KindRoleChain.
	Kind string

	endpoint string          // endpoint_url and AWS_ENDPOINT_URL, for the cache key
	keys     aws.Credentials // the long-term keys at the root of the chain
	// source is the profile whose session assumes the role: nil for a
	// session profile.
	source      *Profile
	roleARN     string // "" for GetSessionToken
	externalID  string
	sessionName string
	duration    time.Duration // from duration_seconds; 0 for STS's default
}

// ErrNoProfile is Load's error for an empty profile name.
var ErrNoProfile = errors.New("no profile given")

// maxChain bounds a chain of roles: the SDK refuses loops, and no real
// chain is deeper.
const maxChain = 10

// errLongChain is resolve's error for a chain over maxChain roles, which
// Load says of the profile asked for.
var errLongChain = fmt.Errorf("its chain of source_profile is over %d roles long", maxChain)

// Load reads the profile named name the way the AWS SDK does, and checks
// that it can give an MFA session: errors name what is missing.
func Load(ctx context.Context, name string) (*Profile, error) {
	if name == "" {
		return nil, ErrNoProfile
	}
	// The SDK's own reading of the environment and the shared files, as
	// config.LoadDefaultConfig does, but without the HTTP client and its
	// CA bundle (AWS_CA_BUNDLE), which only a call to STS needs: a session
	// served from the cache costs no more than reading two small files.
	env, err := config.NewEnvConfig()
	if err != nil {
		return nil, fmt.Errorf("reading the AWS environment variables: %s", short(err.Error()))
	}
	sc, err := config.LoadSharedConfigProfile(ctx, name, func(o *config.LoadSharedConfigOptions) {
		if env.SharedConfigFile != "" {
			o.ConfigFiles = []string{env.SharedConfigFile}
		}
		if env.SharedCredentialsFile != "" {
			o.CredentialsFiles = []string{env.SharedCredentialsFile}
		}
	})
	var notExist config.SharedConfigProfileNotExistError
	if errors.As(err, &notExist) {
		return nil, fmt.Errorf("no AWS profile %q in %s (AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE name others)", notExist.Profile, sharedFiles(env))
	}
	var roleErr config.SharedConfigAssumeRoleError
	if errors.As(err, &roleErr) {
		return nil, fmt.Errorf("AWS profile %q: its source_profile %q has no long-term keys (aws_access_key_id, aws_secret_access_key) or credentials of its own", name, roleErr.Profile)
	}
	if err != nil {
		return nil, fmt.Errorf("reading AWS profile %q: %s", name, short(err.Error()))
	}
	p, err := resolve(name, sc, env, 0)
	if errors.Is(err, errLongChain) {
		return nil, fmt.Errorf("AWS profile %q: %w", name, err)
	}
	return p, err
}

// resolve makes the Profile of sc, the shared config of profile name, and
// of its sources.
func resolve(name string, sc config.SharedConfig, env config.EnvConfig, depth int) (*Profile, error) {
	p := &Profile{Name: name, Region: sc.Region, endpoint: sc.BaseEndpoint + " " + env.BaseEndpoint, Kind: KindSession}
	if env.Region != "" {
		p.Region = env.Region
	}
	if sc.RoleDurationSeconds != nil {
		p.duration = *sc.RoleDurationSeconds
		if p.duration < MinDuration || p.duration > MaxDuration {
			return nil, fmt.Errorf("AWS profile %q: duration_seconds %d is outside the 900 to 129600 (15m to 36h) that STS gives", name, p.duration/time.Second)
		}
	}
	if sc.RoleARN == "" || (sc.SourceProfileName == name && sc.Credentials.HasKeys()) {
		if sc.MFASerial == "" && sc.CredentialProcess != "" {
			return nil, credentialProcessError(name, sc.CredentialProcess)
		}
		if sc.MFASerial == "" && depth == 0 {
			return nil, fmt.Errorf("AWS profile %q has no mfa_serial: add 'mfa_serial = arn:aws:iam::ACCOUNT:mfa/DEVICE' to it", name)
		}
		if !sc.Credentials.HasKeys() {
			return nil, fmt.Errorf("AWS profile %q has no long-term keys (aws_access_key_id, aws_secret_access_key) to sign GetSessionToken with", name)
		}
		p.MFASerial, p.keys = sc.MFASerial, sc.Credentials
		return p, nil
	}
	p.roleARN, p.externalID, p.sessionName = sc.RoleARN, sc.ExternalID, sc.RoleSessionName
	src := sc.Source
	switch {
	case sc.SourceProfileName == "" || src == nil:
		return nil, fmt.Errorf("AWS profile %q assumes %s but has no source_profile: vmfa signs AssumeRole with a source profile's session or long-term keys", name, sc.RoleARN)
	case depth >= maxChain: // the role at depth is the chain's depth+1st
		return nil, errLongChain
	case src.RoleARN == "" && !src.Credentials.HasKeys():
		return nil, fmt.Errorf("AWS profile %q: its source_profile %q has no long-term keys (aws_access_key_id, aws_secret_access_key), nor a role_arn", name, sc.SourceProfileName)
	}
	source, err := resolve(sc.SourceProfileName, *src, env, depth+1)
	if err != nil {
		return nil, err
	}
	p.source, p.keys = source, source.keys
	if source.roleARN != "" {
		// The source's role session carries its MFA: this role's own
		// mfa_serial, if any, is not sent again.
		p.Kind, p.MFASerial = KindRoleChain, source.MFASerial
		return p, nil
	}
	p.Kind, p.MFASerial = KindRole, sc.MFASerial
	if p.MFASerial == "" {
		p.MFASerial = source.MFASerial
	}
	if p.MFASerial == "" {
		return nil, fmt.Errorf("AWS profile %q has no mfa_serial, nor has its source_profile %q: add 'mfa_serial = arn:aws:iam::ACCOUNT:mfa/DEVICE' to it", name, sc.SourceProfileName)
	}
	if source.MFASerial != p.MFASerial {
		// The device is the source user's: its MFA session is got
		// with this role's mfa_serial.
		mfaSource := *source
		mfaSource.MFASerial = p.MFASerial
		p.source = &mfaSource
	}
	return p, nil
}

// sharedFiles names the config and credentials files the SDK reads.
func sharedFiles(env config.EnvConfig) string {
	cfg, creds := env.SharedConfigFile, env.SharedCredentialsFile
	if cfg == "" {
		cfg = config.DefaultSharedConfigFilename()
	}
	if creds == "" {
		creds = config.DefaultSharedCredentialsFilename()
	}
	return cfg + " or " + creds
}

// CredentialProcessError is the error for a profile whose credentials come
// from its credential_process, not from long-term keys and an MFA device:
// there is nothing for vmfa to sign STS calls with.
type CredentialProcessError struct {
	Profile string
	// ByVMFA is set when the credential_process runs vmfa itself, and
	// Source is then the profile it asks vmfa for ("" if it names none).
	ByVMFA bool
	Source string
}

func (e *CredentialProcessError) Error() string {
	switch {
	case !e.ByVMFA:
		return fmt.Sprintf("AWS profile %q gets its credentials from its credential_process, not from long-term keys and an mfa_serial", e.Profile)
	case e.Source == "":
		return fmt.Sprintf("AWS profile %q is served by vmfa: its credential_process runs vmfa", e.Profile)
	}
	return fmt.Sprintf("AWS profile %q is served by vmfa: its credential_process runs vmfa for profile %q, the one with the MFA device", e.Profile, e.Source)
}

// credentialProcessError says what profile's credential_process command
// is: vmfa for a source profile, or something else.
func credentialProcessError(profile, command string) *CredentialProcessError {
	e := &CredentialProcessError{Profile: profile}
	args := strings.Fields(command)
	for i, a := range args {
		args[i] = strings.Trim(a, `"'`)
	}
	if len(args) == 0 {
		return e
	}
	switch strings.TrimSuffix(filepath.Base(args[0]), ".exe") {
	case "vmfa", "vmfa-full":
		e.ByVMFA = true
	default:
		return e
	}
	for i, a := range args[1:] {
		if v, ok := strings.CutPrefix(a, "--profile="); ok {
			e.Source = v
		} else if a == "--profile" && i+2 < len(args) {
			e.Source = args[i+2]
		}
	}
	return e
}
