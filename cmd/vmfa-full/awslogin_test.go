package main

import (
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vmfa/vmfa/internal/ststest"
	"github.com/vmfa/vmfa/internal/testenv"
)

// signIn follows a sign-in link as a browser would, and fails the test
// unless the federation endpoint let it in.
func signIn(t *testing.T, link string) {
	t.Helper()
	resp, err := http.Get(strings.TrimSpace(link))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("the sign-in link answered %s", resp.Status)
	}
}

// Console sign-in, --stdout: a role with its MFA role session (the cached
// one: no new code); a profile of long-term keys with GetFederationToken,
// said to carry no MFA.
func TestAWSLoginStdout(t *testing.T) {
	parallel(t)
	s := newAWS(t)
	env := []string{ststest.FederationEnv(s.srv)}
	expect(t, s.vmfa(t, env, "aws", "credentials", "--profile", "admin"), 0, `"SessionToken"`, "")
	r := s.vmfa(t, env, "aws", "login", "--profile", "admin", "--stdout", "--duration", "2h")
	expect(t, r, 0, s.srv.URL+ststest.FederationPath+"?Action=login&", "")
	link, err := url.Parse(strings.TrimSpace(r.stdout))
	if err != nil || link.Query().Get("Destination") != "https://console.aws.amazon.com/console/home?region=eu-west-1" || link.Query().Get("SigninToken") == "" {
		t.Fatalf("link %q (%v)", r.stdout, err)
	}
	signIn(t, r.stdout)
	if n := s.srv.Count("GetSessionToken") + s.srv.Count("AssumeRole"); n != 2 {
		t.Fatalf("STS saw %d calls, want admin's cached session signed in", n)
	}
	logins := s.srv.Logins()
	if len(logins) != 1 || !strings.HasPrefix(logins[0].ARN, "arn:aws:sts::123456789012:assumed-role/admin/") || !logins[0].MFA || logins[0].SessionDuration != "7200" {
		t.Fatalf("logins %+v, want admin's MFA role session for 7200 s", logins)
	}
	// A role's console lasts 12 h at most: said before the passphrase.
	expect(t, vmfa(t, s.dir, "", append(append([]string{}, withoutPassphrase(s.env)...), env...), "aws", "login", "--profile", "admin", "--duration", "13h"),
		2, "", "--duration 13h0m0s: a role's console session lasts 15m to 12h")
	// A link is good once.
	if resp, err := http.Get(strings.TrimSpace(r.stdout)); err != nil || resp.StatusCode == http.StatusOK {
		t.Fatalf("the link signed in twice")
	}

	r = s.vmfa(t, env, "aws", "login", "--profile", "base", "--stdout")
	expect(t, r, 0, "SigninToken=", `AWS profile "base" has long-term keys: its console session comes from GetFederationToken, which takes no MFA code, so it carries no MFA`)
	signIn(t, r.stdout)
	var fed ststest.Call
	for _, c := range s.srv.Calls() {
		if c.Action == "GetFederationToken" {
			fed = c
		}
	}
	if fed.AccessKey != awsBaseKey || fed.Name != "alice" || fed.Duration != "3600" || !strings.Contains(fed.Policy, `"Action":"*"`) || fed.TokenCode != "" {
		t.Fatalf("GetFederationToken %+v: want base's long-term key, alice, an hour, a policy allowing the user's own", fed)
	}
	if l := s.srv.Logins(); len(l) != 2 || l[1].ARN != "arn:aws:sts::123456789012:federated-user/alice" || l[1].MFA || l[1].SessionDuration != "" {
		t.Fatalf("logins %+v", l)
	}
	// Keys that are a session's: AWS's refusal, and what to do.
	creds := "[base]\naws_access_key_id = ASIAEXAMPLE\naws_secret_access_key = x\naws_session_token = y\n"
	if err := os.WriteFile(filepath.Join(s.dir, "credentials"), []byte(creds), 0o600); err != nil {
		t.Fatal(err)
	}
	s.srv.AddSessionKeys("ASIAEXAMPLE", "x", "y", awsBaseARN)
	r = s.vmfa(t, env, "aws", "login", "--profile", "base", "--stdout")
	expect(t, r, 1, "", "Cannot call GetFederationToken with session credentials")
	if !strings.Contains(r.stderr, "give the profile an IAM user's long-term keys") || r.stdout != "" {
		t.Fatalf("stderr %q", r.stderr)
	}
}

// Without --stdout, the browser is handed a one-time link on 127.0.0.1,
// never the sign-in token: the opener's command line holds no secret, and
// the link redirects once.
func TestAWSLoginBrowser(t *testing.T) {
	parallel(t)
	curl := testenv.Tool(t, "curl")
	s := newAWS(t)
	bin := t.TempDir()
	argv := filepath.Join(bin, "argv")
	// The browser: it follows the link, redirects included.
	testenv.WriteExecutable(t, filepath.Join(bin, "xdg-open"), []byte("#!/bin/sh\necho \"$@\" >> "+argv+"\nexec "+curl+
		" -fsSL -o /dev/null \"$1\"\n"), 0o700)
	env := []string{ststest.FederationEnv(s.srv), "PATH=" + bin + string(filepath.ListSeparator) + os.Getenv("PATH")}
	r := s.vmfa(t, env, "aws", "login", "--profile", "admin")
	expect(t, r, 0, "", `Opening the AWS console for profile "admin" in the browser`)
	// vmfa is done once the browser has the redirect, which it follows
	// in its own time.
	for deadline := time.Now().Add(10 * time.Second); len(s.srv.Logins()) == 0 && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	if l := s.srv.Logins(); len(l) != 1 || !l[0].MFA {
		t.Fatalf("logins %+v, want admin's", l)
	}
	opened, _ := os.ReadFile(argv)
	link := strings.TrimSpace(string(opened))
	if !strings.HasPrefix(link, "http://127.0.0.1:") || strings.Contains(link, "Signin") || r.stdout != "" {
		t.Fatalf("the opener was given %q", link)
	}
	// Spent: the loopback server is gone, or answers no more.
	if resp, err := http.Get(link); err == nil && resp.StatusCode != http.StatusNotFound {
		t.Fatalf("the one-time link answered %s a second time", resp.Status)
	}
	// An opener that fails: one line, and what to do.
	testenv.WriteExecutable(t, filepath.Join(bin, "xdg-open"), []byte("#!/bin/sh\nexit 3\n"), 0o700)
	r = s.vmfa(t, env, "aws", "login", "--profile", "admin")
	expect(t, r, 1, "", "vmfa: the browser did not open the link: xdg-open failed (exit status 3): 'vmfa aws login --stdout' prints the link to open by hand\n")
}
