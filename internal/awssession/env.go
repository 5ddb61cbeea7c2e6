package awssession

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/vmfa/vmfa/internal/shellquote"
)

// ProcessCredentials is a session as an AWS profile's credential_process
// prints it, in JSON: what the AWS CLI, every SDK, Terraform and kubectl's
// AWS authentication read.
type ProcessCredentials struct {
	Version         int
	AccessKeyID     string `json:"AccessKeyId"`
	SecretAccessKey string
	SessionToken    string
	Expiration      string // RFC 3339, UTC
}

// ForProcess is c as a credential_process prints it.
func (c Credentials) ForProcess() ProcessCredentials {
	return ProcessCredentials{1, c.AccessKeyID, c.SecretAccessKey, c.SessionToken, c.Expiration.UTC().Format(time.RFC3339)}
}

// EnvVars are the variables that hand the session for profile to a tool,
// in the order printed: its keys and expiry, the profile's region, if any,
// in AWS_REGION and AWS_DEFAULT_REGION, and VMFA_AWS_PROFILE naming the
// profile, as aws-vault's exec does.
func (c Credentials) EnvVars(profile string) [][2]string {
	vars := [][2]string{
		{"AWS_ACCESS_KEY_ID", c.AccessKeyID},
		{"AWS_SECRET_ACCESS_KEY", c.SecretAccessKey},
		{"AWS_SESSION_TOKEN", c.SessionToken},
		{"AWS_CREDENTIAL_EXPIRATION", c.Expiration.UTC().Format(time.RFC3339)},
	}
	if c.Region != "" {
		vars = append(vars, [2]string{"AWS_REGION", c.Region}, [2]string{"AWS_DEFAULT_REGION", c.Region})
	}
	return append(vars, [2]string{"VMFA_AWS_PROFILE", profile})
}

// unsetForSession are the variables that would make a tool prefer
// something else to the session: a profile, or an old session's parts.
var unsetForSession = []string{"AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SECURITY_TOKEN",
	"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_CREDENTIAL_EXPIRATION",
	"AWS_REGION", "AWS_DEFAULT_REGION", "VMFA_AWS_PROFILE"}

// Environ is environ (os.Environ's form) with the session's variables
// (EnvVars) set and those that conflict with them removed.
func (c Credentials) Environ(environ []string, profile string) []string {
	var env []string
	for _, kv := range environ {
		k, _, _ := strings.Cut(kv, "=")
		if !slices.Contains(unsetForSession, k) {
			env = append(env, kv)
		}
	}
	for _, v := range c.EnvVars(profile) {
		env = append(env, v[0]+"="+v[1])
	}
	return env
}

// Shells are the shells WriteShellEnv writes for: "sh" for POSIX shells
// (sh, bash, zsh), and "fish".
var Shells = []string{"sh", "fish"}

// WriteShellEnv prints vars as commands for shell (one of Shells) to eval:
// first unsetting the profile variables, which a tool would prefer to the
// session, then exporting each variable, its value single-quoted so that
// eval takes it as it is.
func WriteShellEnv(w io.Writer, shell string, vars [][2]string) error {
	if !slices.Contains(Shells, shell) {
		return fmt.Errorf("no shell %q: vmfa writes for %s", shell, strings.Join(Shells, " or "))
	}
	var b strings.Builder
	for _, k := range []string{"AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SECURITY_TOKEN"} {
		if shell == "fish" {
			fmt.Fprintf(&b, "set -e %s;\n", k)
		} else {
			fmt.Fprintf(&b, "unset %s\n", k)
		}
	}
	for _, v := range vars {
		if shell == "fish" {
			fmt.Fprintf(&b, "set -gx %s %s;\n", v[0], shellquote.Fish(v[1]))
		} else {
			fmt.Fprintf(&b, "export %s=%s\n", v[0], shellquote.POSIX(v[1]))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
