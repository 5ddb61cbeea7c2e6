package awssession

import "testing"

// The console is the partition's: by the device's ARN, else the region.
func TestPartition(t *testing.T) {
	for _, c := range []struct{ serial, region, want string }{
		{"arn:aws:iam::123456789012:mfa/alice", "eu-west-1", "https://signin.aws.amazon.com/federation"},
		{"arn:aws-cn:iam::123456789012:mfa/alice", "", "https://signin.amazonaws.cn/federation"},
		{"arn:aws-us-gov:iam::123456789012:mfa/alice", "", "https://signin.amazonaws-us-gov.com/federation"},
		{"GAHT12345678", "cn-north-1", "https://signin.amazonaws.cn/federation"},
		{"GAHT12345678", "us-gov-west-1", "https://signin.amazonaws-us-gov.com/federation"},
		{"GAHT12345678", "", "https://signin.aws.amazon.com/federation"},
	} {
		if got := (&Profile{MFASerial: c.serial, Region: c.region}).partition().signin; got != c.want {
			t.Errorf("%s in %q: %s, want %s", c.serial, c.region, got, c.want)
		}
	}
}

func TestFederatedName(t *testing.T) {
	for arn, want := range map[string]string{
		"arn:aws:iam::123456789012:user/alice":                                             "alice",
		"arn:aws:iam::123456789012:user/ops/bob.smith@example.com":                         "bob.smith@example.com",
		"arn:aws:iam::123456789012:user/a":                                                 "vmfa",
		"arn:aws:iam::123456789012:user/al":                                                "al",
		"arn:aws:iam::123456789012:user/Zed_AZ+az=09,":                                     "Zed_AZ+az=09,",
		"arn:aws:iam::123456789012:user/" + "x€y" + "0123456789abcdefghijklmnopqrstuvwxyz": "xy0123456789abcdefghijklmnopqrst",
	} {
		if got := federatedName(arn); got != want {
			t.Errorf("federatedName(%q) = %q, want %q", arn, got, want)
		}
	}
}
