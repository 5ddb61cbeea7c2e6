package vault

import "strings"

// The note of an entry holding an AWS virtual MFA device's seed, as 'vmfa
// aws enroll' writes it: it names the device's ARN, which Find then matches
// exactly, and says whether AWS has yet to enable the device.
const (
	awsNotePrefix  = "AWS MFA device "
	awsNotePending = " (unconfirmed: not enabled at AWS)"
)

// AWSNote is the note of the entry holding the seed of the AWS MFA device
// arn, unconfirmed while the device is created but not enabled.
func AWSNote(arn string, unconfirmed bool) string {
	if unconfirmed {
		return awsNotePrefix + arn + awsNotePending
	}
	return awsNotePrefix + arn
}

// ParseAWSNote returns the device ARN an AWSNote names and whether it says
// unconfirmed; ok is false for any other note.
func ParseAWSNote(note string) (arn string, unconfirmed, ok bool) {
	rest, ok := strings.CutPrefix(note, awsNotePrefix)
	if !ok {
		return "", false, false
	}
	arn, unconfirmed = strings.CutSuffix(rest, awsNotePending)
	if _, _, ok := parseMFAARN(arn); !ok {
		return "", false, false
	}
	return arn, unconfirmed, true
}
