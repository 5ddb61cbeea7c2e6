// Package awsmfa is the life of an AWS IAM virtual MFA device whose seed
// lives in the vault: enrolled, resynchronised and listed through IAM, and
// named in the AWS config file.
//
// # Enrolling
//
// Enroll, with a profile's long-term keys (an IAM user's: a profile with
// role_arn or without keys is refused), asks STS GetCallerIdentity who the
// user is, then IAM CreateVirtualMFADevice for a device named as asked
// (default: the user's name). The seed AWS answers with goes straight into
// the vault, labelled as AWS's own QR code labels it, issuer "Amazon Web
// Services" and name USER@ACCOUNT; it is never printed nor written
// anywhere else. The entry's note names the device's ARN and says it is
// unconfirmed (vault.AWSNote) until IAM EnableMFADevice has taken two
// consecutive codes (the caller's Codes, which waits for the second's
// window); then the note names the ARN alone, and the profile's mfa_serial
// is set to it (SetMFASerial).
//
// When enabling fails, the device exists at AWS and its seed stays in the
// vault marked unconfirmed: the error is an *EnableError. Enrolling the
// same profile and device name again reuses that seed (no second
// CreateVirtualMFADevice, which AWS would refuse as EntityAlreadyExists).
//
// # Matching devices to accounts
//
// An entry is a device's when its note names the device's ARN, or else its
// label holds the ARN's account ID and its name, before any "@", is the
// device's name (EntryFor).
//
// # The config file
//
// SetMFASerial writes "mfa_serial = ARN" into one profile's section of the
// AWS config file (AWS_CONFIG_FILE, else ~/.aws/config), replacing the
// section's mfa_serial line if it has one, else after its last setting, or
// in a new section at the end when the file has none for the profile; every
// other byte is kept (comments, order, other profiles, CRLF line ends). The
// file is replaced atomically, through a symlink to where it points.
//
// # Errors
//
// IAM's refusals are errors that say what happened and wrap
// ErrCodesRejected (InvalidAuthenticationCode), ErrDeviceExists
// (EntityAlreadyExists), ErrDeviceLimit (LimitExceeded: eight devices a
// user) or ErrAccessDenied; what to do is for the program to say.
package awsmfa
