package ststest

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// TestDurationBounds: the server refuses a DurationSeconds STS refuses, as
// STS words it, so that a client sending one fails here as it would there.
func TestDurationBounds(t *testing.T) {
	s := New(t)
	const key, secret = "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	s.AddUser(key, secret, "arn:aws:iam::123456789012:user/alice")
	client := sts.New(sts.Options{
		Region:           "eu-west-1",
		BaseEndpoint:     aws.String(s.URL),
		Credentials:      credentials.NewStaticCredentialsProvider(key, secret, ""),
		RetryMaxAttempts: 1,
	})
	ctx := context.Background()
	for _, c := range []struct {
		call func() error
		want string // "" for none
	}{
		{func() error {
			_, err := client.GetSessionToken(ctx, &sts.GetSessionTokenInput{DurationSeconds: aws.Int32(899)})
			return err
		}, "Value '899' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900"},
		{func() error {
			_, err := client.GetSessionToken(ctx, &sts.GetSessionTokenInput{DurationSeconds: aws.Int32(129601)})
			return err
		}, "Member must have value less than or equal to 129600"},
		{func() error {
			_, err := client.GetSessionToken(ctx, &sts.GetSessionTokenInput{DurationSeconds: aws.Int32(900)})
			return err
		}, ""},
		{func() error {
			_, err := client.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::123456789012:role/admin"),
				RoleSessionName: aws.String("alice"), DurationSeconds: aws.Int32(43201)})
			return err
		}, "Member must have value less than or equal to 43200"},
	} {
		err := c.call()
		if c.want == "" && err != nil || c.want != "" && (err == nil || !strings.Contains(err.Error(), "ValidationError") || !strings.Contains(err.Error(), c.want)) {
			t.Errorf("error %v, want a ValidationError with %q", err, c.want)
		}
	}
}
