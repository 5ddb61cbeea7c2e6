package awssession

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vmfa/vmfa/internal/ststest"
)

// roleConfig is baseConfig with ten roles of base's device, and a chain:
// deploy's source is admin, a role; release's is deploy.
func roleConfig() string {
	config := baseConfig
	for i := range 10 {
		config += fmt.Sprintf("\n[profile role%d]\nrole_arn = arn:aws:iam::12345678901%d:role/r%d\nsource_profile = base\nmfa_serial = %s\n", i, i, i, device)
	}
	return config + `
[profile deploy]
role_arn = arn:aws:iam::210987654321:role/deploy
source_profile = admin
duration_seconds = 7200

[profile release]
role_arn = arn:aws:iam::210987654321:role/release
source_profile = deploy
`
}

func fileCache(t *testing.T) *FileCache {
	v := newVault(t)
	return &FileCache{Dir: filepath.Join(t.TempDir(), "aws-sessions"), Recipient: v.Recipient(), Decrypter: v, Now: time.Now}
}

// Ten role profiles of one device cost one code: the source's MFA session,
// got once with GetSessionToken, signs every AssumeRole, which sends no
// code; the loopback STS refuses an AssumeRole of a role requiring MFA
// that is neither.
func TestRolesShareOneCode(t *testing.T) {
	srv := ststest.New(t)
	awsFiles(t, srv, roleConfig(), true)
	codes := &totp{}
	r := Request{Cache: fileCache(t), Codes: codes.code, Now: time.Now}
	for i := range 10 {
		c, err := session(t, fmt.Sprintf("role%d", i), r)
		if err != nil {
			t.Fatal(err)
		}
		if !srv.Issued(c.AccessKeyID, c.SessionToken) || !srv.SessionMFA(c.AccessKeyID) {
			t.Fatalf("role%d: not an MFA role session STS issued", i)
		}
	}
	// base itself is served that same MFA session.
	b, err := session(t, "base", r)
	if err != nil {
		t.Fatal(err)
	}
	if len(codes.given) != 1 || srv.Count("GetSessionToken") != 1 || srv.Count("AssumeRole") != 10 {
		t.Fatalf("%d codes, %d GetSessionToken, %d AssumeRole; want 1, 1, 10", len(codes.given), srv.Count("GetSessionToken"), srv.Count("AssumeRole"))
	}
	for _, c := range srv.Calls() {
		switch c.Action {
		case "GetSessionToken":
			checkCode(t, c)
		case "AssumeRole":
			if c.AccessKey != b.AccessKeyID || c.SessionToken != b.SessionToken || c.TokenCode != "" || c.SerialNumber != "" || !c.Chained || c.Error != "" {
				t.Fatalf("AssumeRole %+v: want it signed with base's MFA session, no code", c)
			}
		}
	}
	// What the loopback STS checks: a role requiring MFA is not assumed
	// with long-term keys and no code.
	p := load(t, "role0")
	_, err = p.assumeRole(context.Background(), p.keys, mfaCall{now: time.Now}, 0, time.Now())
	if err == nil || !strings.Contains(err.Error(), "AccessDenied: User: "+baseARN+" is not authorized to perform: sts:AssumeRole") {
		t.Fatalf("AssumeRole without MFA: %v, want AccessDenied", err)
	}
}

// A chain: release's source is deploy, whose source is admin, a role of
// base's device. One code; each link signed with the one before; deploy's
// duration_seconds of 2 h is cut to AWS's hour for chains, and said.
func TestRoleChain(t *testing.T) {
	srv := ststest.New(t)
	awsFiles(t, srv, roleConfig(), true)
	codes := &totp{}
	var warnings []string
	r := Request{Cache: fileCache(t), Codes: codes.code, Now: time.Now, Warn: func(m string) { warnings = append(warnings, m) }}
	p := load(t, "release")
	if p.Kind != KindRoleChain || p.MFASerial != device || load(t, "admin").Kind != KindRole || load(t, "base").Kind != KindSession {
		t.Fatalf("release: kind %q, device %q", p.Kind, p.MFASerial)
	}
	c, err := p.Session(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	calls := srv.Calls()
	want := []string{"GetSessionToken", "AssumeRole admin", "AssumeRole deploy", "AssumeRole release"}
	if len(calls) != len(want) {
		t.Fatalf("calls %+v, want %v", calls, want)
	}
	checkCode(t, calls[0])
	for i, call := range calls[1:] {
		if !strings.HasSuffix(call.RoleARN, strings.Fields(want[i+1])[1]) || call.TokenCode != "" || !call.Chained || call.Error != "" ||
			!srv.Issued(call.AccessKey, call.SessionToken) || !srv.SessionMFA(call.AccessKey) {
			t.Fatalf("call %d %+v: want %s signed with the session before it", i+1, call, want[i+1])
		}
	}
	if calls[2].Duration != "3600" || calls[3].Duration != "" || !srv.SessionMFA(c.AccessKeyID) {
		t.Fatalf("deploy asked for %q, release %q: want deploy cut to 3600, release STS's default", calls[2].Duration, calls[3].Duration)
	}
	// deploy itself: its cached session, the one that signed release's.
	d, err := session(t, "deploy", r)
	if err != nil || len(srv.Calls()) != 4 || d.AccessKeyID != calls[3].AccessKey || len(warnings) != 0 {
		t.Fatalf("deploy: %v, %d calls, warnings %q; want the cached session that signed release's", err, len(srv.Calls()), warnings)
	}
	// A new one, for its 2 h: cut to an hour, and said.
	r.Refresh = true
	if _, err := session(t, "deploy", r); err != nil || srv.Calls()[4].Duration != "3600" {
		t.Fatalf("deploy refreshed: %v, %+v", err, srv.Calls()[4:])
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], `AWS profile "deploy" is a role chain (its source_profile "admin" is a role): AWS gives chained sessions an hour at most, so it lasts 1h, not 2h0m0s`) {
		t.Fatalf("warnings %q", warnings)
	}
	if len(codes.given) != 1 {
		t.Fatalf("%d codes for a chain of three, want 1", len(codes.given))
	}
	// AWS's refusal of a chained role longer than an hour, said in one
	// line that wraps ErrRoleChainLimit.
	signer := c
	_, err = p.assumeRole(context.Background(), awsCreds(signer), mfaCall{now: time.Now}, 2*time.Hour, time.Now())
	if !errors.Is(err, ErrRoleChainLimit) || strings.Contains(err.Error(), "\n") {
		t.Fatalf("a chained role for 2 h: %v, want ErrRoleChainLimit", err)
	}
}

// A cached MFA session STS no longer takes (revoked) is replaced, once:
// the role is assumed with a new one, and the warning says why a code was
// spent.
func TestRevokedSourceSession(t *testing.T) {
	srv := ststest.New(t)
	awsFiles(t, srv, roleConfig(), true)
	cache := fileCache(t)
	var warnings []string
	r := Request{Cache: cache, Codes: (&totp{}).code, Now: time.Now, Warn: func(m string) { warnings = append(warnings, m) }}
	if _, err := session(t, "role0", r); err != nil {
		t.Fatal(err)
	}
	mfa := srv.Calls()[1].AccessKey // what signed role0's AssumeRole
	srv.Revoke(mfa)
	c, err := session(t, "role1", r)
	if err != nil || !srv.Issued(c.AccessKeyID, c.SessionToken) {
		t.Fatalf("role1 after the MFA session was revoked: %v", err)
	}
	calls := srv.Calls()
	if len(calls) != 5 || calls[2].Error != "InvalidClientTokenId" || calls[3].Action != "GetSessionToken" || calls[4].Error != "" || calls[4].AccessKey == mfa {
		t.Fatalf("calls %+v: want the refused AssumeRole, a new GetSessionToken, and AssumeRole with it", calls)
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], `STS refused the cached session of profile "base": getting a new one`) {
		t.Fatalf("warnings %q", warnings)
	}
	// Processes that find it refused at once get one new session: the
	// first replaces it, the others take that one.
	srv.Revoke(calls[4].AccessKey)
	const n = 4
	errs := make(chan error, n)
	for i := range n {
		go func() {
			p := load(t, fmt.Sprintf("role%d", i+2))
			_, err := p.Session(context.Background(), Request{Cache: cache, Codes: (&totp{}).code, Now: time.Now})
			errs <- err
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if g := srv.Count("GetSessionToken"); g != 3 {
		t.Fatalf("%d processes that found the MFA session refused made %d GetSessionToken in all, want 3", n, g)
	}
}

// TestAssumeRoleNames: AssumeRole sends the profile's external_id (a third
// party's role refuses to be assumed without it) and role_session_name,
// as the AWS CLI does; a profile without role_session_name has its session
// named vmfa-UNIXTIME, which CloudTrail shows.
func TestAssumeRoleNames(t *testing.T) {
	srv := ststest.New(t)
	awsFiles(t, srv, baseConfig+`
[profile partner]
role_arn = `+adminRole+`
source_profile = base
external_id = ext-0123
role_session_name = alice@partner
`, true)
	now := time.Now()
	r := Request{Now: func() time.Time { return now }}
	for _, c := range []struct{ profile, externalID, sessionName string }{
		{"partner", "ext-0123", "alice@partner"},
		{"admin", "", fmt.Sprintf("vmfa-%d", now.Unix())},
	} {
		if _, err := session(t, c.profile, r); err != nil {
			t.Fatalf("%s: %v", c.profile, err)
		}
		calls := srv.Calls()
		last := calls[len(calls)-1]
		if last.Action != "AssumeRole" || last.ExternalID != c.externalID || last.SessionName != c.sessionName {
			t.Errorf("%s: %s with ExternalId %q, RoleSessionName %q; want AssumeRole with %q, %q",
				c.profile, last.Action, last.ExternalID, last.SessionName, c.externalID, c.sessionName)
		}
	}
}

// TestRoleChainOfAnHour: a chain asked for an hour, AWS's limit, gets it
// without a word about cutting it.
func TestRoleChainOfAnHour(t *testing.T) {
	srv := ststest.New(t)
	awsFiles(t, srv, roleConfig(), true)
	var warnings []string
	r := Request{Duration: time.Hour, Codes: (&totp{}).code, Now: time.Now, Warn: func(m string) { warnings = append(warnings, m) }}
	if _, err := load(t, "deploy").Session(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	calls := srv.Calls()
	if last := calls[len(calls)-1]; !strings.HasSuffix(last.RoleARN, "/deploy") || last.Duration != "3600" || len(warnings) != 0 {
		t.Fatalf("deploy for an hour: %s for %q s, warnings %q; want AssumeRole of deploy for 3600 s and no warning", last.RoleARN, last.Duration, warnings)
	}
}

// TestRoleDeviceNotSource's: a role whose mfa_serial names a device its
// source profile does not (the source has none) gets the source's MFA
// session with the role's device, and the role through it: one code.
func TestRoleDeviceNotSource(t *testing.T) {
	srv := ststest.New(t)
	awsFiles(t, srv, `[profile base]
region = eu-west-1

[profile admin]
role_arn = `+adminRole+`
source_profile = base
mfa_serial = `+device+`
`, true)
	codes := &totp{}
	c, err := session(t, "admin", Request{Codes: codes.code})
	if err != nil {
		t.Fatal(err)
	}
	calls := srv.Calls()
	if len(calls) != 2 || calls[0].Action != "GetSessionToken" || calls[0].SerialNumber != device || calls[1].TokenCode != "" ||
		!srv.SessionMFA(c.AccessKeyID) || len(codes.given) != 1 {
		t.Fatalf("calls %+v: want GetSessionToken with %s, then AssumeRole with its session", calls, device)
	}
}

// TestRoleCacheFollowsSourceKeys: a role's cached session is its source's
// keys': once the credentials file holds other keys (rotated, or another
// user's), the role is not served what the old keys got, and a new session
// is signed with the new keys.
func TestRoleCacheFollowsSourceKeys(t *testing.T) {
	srv := ststest.New(t)
	awsFiles(t, srv, baseConfig, true)
	r := Request{Cache: fileCache(t), Codes: (&totp{}).code, Now: time.Now}
	first, err := session(t, "admin", r)
	if err != nil {
		t.Fatal(err)
	}
	const rotatedKey, rotatedSecret = "AKIAROTATEDEXAMPLE01", "rotatedSecretKeyEXAMPLE000000000000000000"
	srv.AddUser(rotatedKey, rotatedSecret, baseARN)
	if err := os.WriteFile(os.Getenv("AWS_SHARED_CREDENTIALS_FILE"),
		[]byte("[base]\naws_access_key_id = "+rotatedKey+"\naws_secret_access_key = "+rotatedSecret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	second, err := session(t, "admin", r)
	if err != nil {
		t.Fatal(err)
	}
	calls := srv.Calls()
	if second == first || len(calls) != 4 || calls[2].Action != "GetSessionToken" || calls[2].AccessKey != rotatedKey {
		t.Fatalf("after the keys changed: %d calls, the same session %v; want a new MFA session signed with the new key", len(calls), second == first)
	}
}

// TestSelfSourceProfile: a role profile whose source_profile names itself
// assumes its role with its own keys (as AWS's documentation shows); as
// another role's source, such a profile signs with its keys, as the AWS
// CLI takes a source profile with keys of its own.
func TestSelfSourceProfile(t *testing.T) {
	srv := ststest.New(t)
	const selfKey, selfSecret = "AKIASELFEXAMPLE00001", "selfSecretKeyEXAMPLE00000000000000000000"
	awsFiles(t, srv, baseConfig+`
[profile self]
role_arn = `+adminRole+`
source_profile = self
mfa_serial = `+device+`

[profile top]
role_arn = arn:aws:iam::123456789012:role/top
source_profile = self
mfa_serial = `+device+`
`, true)
	srv.AddUser(selfKey, selfSecret, baseARN)
	if err := os.WriteFile(os.Getenv("AWS_SHARED_CREDENTIALS_FILE"),
		[]byte("[self]\naws_access_key_id = "+selfKey+"\naws_secret_access_key = "+selfSecret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, profile := range []string{"self", "top"} {
		before := len(srv.Calls())
		c, err := session(t, profile, Request{})
		if err != nil {
			t.Fatalf("%s: %v", profile, err)
		}
		calls := srv.Calls()[before:]
		if len(calls) != 2 || calls[0].Action != "GetSessionToken" || calls[0].AccessKey != selfKey || calls[1].Action != "AssumeRole" ||
			!srv.Issued(c.AccessKeyID, c.SessionToken) || !srv.SessionMFA(c.AccessKeyID) {
			t.Fatalf("%s: %d calls; want GetSessionToken signed with self's keys, then AssumeRole with its session", profile, len(calls))
		}
		if want := map[string]string{"self": adminRole, "top": "arn:aws:iam::123456789012:role/top"}[profile]; calls[1].RoleARN != want {
			t.Fatalf("%s assumed %s, want %s", profile, calls[1].RoleARN, want)
		}
	}
}

// TestRoleChainLength: a chain of maxChain roles is served; one more is
// refused, naming the profile asked for.
func TestRoleChainLength(t *testing.T) {
	config := baseConfig
	for i := 1; i <= maxChain+1; i++ {
		config += fmt.Sprintf("\n[profile r%d]\nrole_arn = arn:aws:iam::123456789012:role/r%d\nsource_profile = r%d\n", i, i, i-1)
	}
	awsFiles(t, nil, strings.Replace(config, "source_profile = r0\n", "source_profile = base\n", 1), false)
	top := fmt.Sprintf("r%d", maxChain)
	if p := load(t, top); p.Kind != KindRoleChain || p.MFASerial != device {
		t.Fatalf("%s: kind %q, device %q; want a chain of base's device", top, p.Kind, p.MFASerial)
	}
	over := fmt.Sprintf("r%d", maxChain+1)
	want := fmt.Sprintf("AWS profile %q: its chain of source_profile is over %d roles long", over, maxChain)
	if _, err := Load(context.Background(), over); err == nil || err.Error() != want {
		t.Fatalf("Load(%q): %v, want %q", over, err, want)
	}
}
