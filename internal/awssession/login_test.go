package awssession

import (
	"context"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vmfa/vmfa/internal/ststest"
)

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

// TestConsole signs in through the loopback federation endpoint as a
// browser would: a role with its MFA role session, for the duration asked;
// a chain cut to AWS's hour, and said; a session profile federated, with no
// MFA, for an hour unless asked.
func TestConsole(t *testing.T) {
	srv := ststest.New(t)
	awsFiles(t, srv, roleConfig(), true)
	t.Setenv(FederationEndpointEnv, srv.URL+ststest.FederationPath)
	var warnings []string
	r := Request{Codes: (&totp{}).code, Now: time.Now, Warn: func(m string) { warnings = append(warnings, m) }}
	signIn := func(profile string, d time.Duration) (ConsoleSession, ststest.Login) {
		t.Helper()
		c, err := load(t, profile).Console(context.Background(), r, d)
		if err != nil {
			t.Fatalf("%s: %v", profile, err)
		}
		resp, err := http.Get(c.URL)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		logins := srv.Logins()
		if resp.StatusCode != http.StatusOK || len(logins) == 0 {
			t.Fatalf("%s: the sign-in link answered %s", profile, resp.Status)
		}
		return c, logins[len(logins)-1]
	}

	c, l := signIn("admin", 2*time.Hour)
	if !c.MFA || c.Federated || !l.MFA || l.SessionDuration != "7200" || l.Issuer != "vmfa" ||
		!strings.Contains(l.ARN, ":assumed-role/admin/") || l.Destination != "https://console.aws.amazon.com/" {
		t.Fatalf("admin: %+v, %+v; want its MFA role session for 7200 s, in no region", c, l)
	}
	if _, l := signIn("release", 2*time.Hour); l.SessionDuration != "3600" || len(warnings) != 1 ||
		!strings.Contains(warnings[0], `AWS profile "release" is a role chain: AWS gives its console an hour at most, so it lasts 1h, not 2h0m0s`) {
		t.Fatalf("release: %+v, warnings %q; want an hour, and said", l, warnings)
	}
	if _, l := signIn("release", time.Hour); l.SessionDuration != "3600" || len(warnings) != 1 {
		t.Fatalf("release for an hour: %+v, warnings %q; want an hour, unsaid", l, warnings)
	}
	if _, l := signIn("admin", 0); l.SessionDuration != "" {
		t.Fatalf("admin with no duration: %q, want the endpoint's default", l.SessionDuration)
	}

	c, l = signIn("base", 0)
	calls := srv.Calls()
	fed := calls[len(calls)-1]
	if c.MFA || !c.Federated || l.MFA || l.ARN != "arn:aws:sts::123456789012:federated-user/alice" || l.SessionDuration != "" ||
		fed.Action != "GetFederationToken" || fed.AccessKey != baseKey || fed.Duration != "3600" || fed.Policy != allowAll ||
		l.Destination != "https://console.aws.amazon.com/console/home?region=eu-west-1" {
		t.Fatalf("base: %+v, %+v, %s signed by %s for %q s; want alice federated for an hour, no MFA, in eu-west-1", c, l, fed.Action, fed.AccessKey, fed.Duration)
	}
	if signIn("base", 2*time.Hour); srv.Calls()[len(srv.Calls())-1].Duration != "7200" {
		t.Fatal("base for 2 h: GetFederationToken was not asked for 7200 s")
	}

	// An endpoint that is not http(s), refuses, or is not there: one
	// line, without the request's URL, which holds the session's keys.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()
	for endpoint, want := range map[string]string{
		"http://" + closed + "/federation":     "cannot reach the federation endpoint " + closed + " (dial tcp " + closed + ": connect: connection refused)",
		"ftp://example.com/federation":         `the federation endpoint "ftp://example.com/federation" is not an http(s) URL`,
		srv.URL + ststest.FederationPath + "x": "refused the session (HTTP 403)",
	} {
		t.Setenv(FederationEndpointEnv, endpoint)
		if c, err := load(t, "admin").Console(context.Background(), r, 0); err == nil || c.URL != "" || !strings.Contains(err.Error(), want) ||
			strings.Contains(err.Error(), "Session") || strings.Contains(err.Error(), "\n") {
			t.Errorf("endpoint %s: %v, want %q", endpoint, err, want)
		}
	}
}
