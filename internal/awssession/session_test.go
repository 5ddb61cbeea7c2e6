package awssession

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vmfa/vmfa/internal/ststest"
	"github.com/vmfa/vmfa/vault"
)

const baseConfig = `[profile base]
region = eu-west-1
mfa_serial = ` + device + `

[profile admin]
role_arn = ` + adminRole + `
source_profile = base
mfa_serial = ` + device + `
duration_seconds = 1800

[profile longadmin]
role_arn = ` + adminRole + `
source_profile = base
mfa_serial = ` + device + `
duration_seconds = 7200

[profile chained]
role_arn = ` + adminRole + `
source_profile = base

[profile nomfa]
region = eu-west-1

[profile nokeys]
mfa_serial = ` + device + `

[profile orphan]
role_arn = ` + adminRole + `
source_profile = nokeys
mfa_serial = ` + device + `
`

func session(t *testing.T, profile string, r Request) (Credentials, error) {
	t.Helper()
	if r.Codes == nil {
		r.Codes = (&totp{}).code
	}
	if r.Now == nil {
		r.Now = time.Now
	}
	return load(t, profile).Session(context.Background(), r)
}

func TestGetSessionToken(t *testing.T) {
	srv := ststest.New(t)
	awsFiles(t, srv, baseConfig, true)
	c, err := session(t, "base", Request{})
	if err != nil {
		t.Fatal(err)
	}
	calls := srv.Calls()
	if len(calls) != 1 || calls[0].Action != "GetSessionToken" {
		t.Fatalf("calls %+v, want one GetSessionToken", calls)
	}
	call := calls[0]
	if call.AccessKey != baseKey || call.SessionToken != "" || call.SerialNumber != device || call.Duration != "" {
		t.Fatalf("GetSessionToken signed by %q (token %q) with serial %q, duration %q; want base's long-term key, %s, STS's default",
			call.AccessKey, call.SessionToken, call.SerialNumber, call.Duration, device)
	}
	checkCode(t, call)
	if !srv.Issued(c.AccessKeyID, c.SessionToken) || c.SecretAccessKey == "" || c.Region != "eu-west-1" {
		t.Fatalf("credentials %+v are not the session STS issued, in eu-west-1", c)
	}
	if d := time.Until(c.Expiration); d < 11*time.Hour || d > 13*time.Hour {
		t.Fatalf("expires in %s, want STS's 12 h", d)
	}
	// --duration: asked of STS, in seconds.
	if c, err := session(t, "base", Request{Duration: 2 * time.Hour}); err != nil || srv.Calls()[1].Duration != "7200" ||
		time.Until(c.Expiration) > 2*time.Hour {
		t.Fatalf("base for 2 h: %v, asked for %q s", err, srv.Calls()[1].Duration)
	}
}

// A role asked for longer than AWS gives a role assumed with a session is
// assumed with a code of its own, signed with the source's long-term keys.
func TestAssumeRoleWithMFA(t *testing.T) {
	srv := ststest.New(t)
	awsFiles(t, srv, baseConfig, true)
	c, err := session(t, "longadmin", Request{})
	if err != nil {
		t.Fatal(err)
	}
	calls := srv.Calls()
	if len(calls) != 1 || calls[0].Action != "AssumeRole" {
		t.Fatalf("calls %+v, want one AssumeRole", calls)
	}
	call := calls[0]
	if call.AccessKey != baseKey || call.RoleARN != adminRole || call.SerialNumber != device || call.Duration != "7200" || call.Chained {
		t.Fatalf("AssumeRole %+v: want signed by the source's key, for %s, with %s and duration_seconds 7200", call, adminRole, device)
	}
	checkCode(t, call)
	if !srv.Issued(c.AccessKeyID, c.SessionToken) || !srv.SessionMFA(c.AccessKeyID) {
		t.Fatal("the credentials are not the MFA role session STS issued")
	}
	// --duration wins over duration_seconds: an hour goes through the
	// source's MFA session.
	if _, err := session(t, "longadmin", Request{Duration: time.Hour}); err != nil {
		t.Fatal(err)
	}
	if calls := srv.Calls()[1:]; len(calls) != 2 || calls[0].Action != "GetSessionToken" || calls[1].Duration != "3600" || calls[1].TokenCode != "" {
		t.Fatalf("calls %+v, want GetSessionToken, then AssumeRole for 3600 s with no code", calls)
	}
}

// A role without mfa_serial whose source names the device: the code goes
// to the source's GetSessionToken, whose session assumes the role.
func TestSourceProfileMFA(t *testing.T) {
	srv := ststest.New(t)
	awsFiles(t, srv, baseConfig, true)
	c, err := session(t, "chained", Request{})
	if err != nil {
		t.Fatal(err)
	}
	calls := srv.Calls()
	if len(calls) != 2 || calls[0].Action != "GetSessionToken" || calls[1].Action != "AssumeRole" {
		t.Fatalf("calls %+v, want GetSessionToken then AssumeRole", calls)
	}
	checkCode(t, calls[0])
	if calls[0].AccessKey != baseKey || !srv.Issued(calls[1].AccessKey, calls[1].SessionToken) || calls[1].TokenCode != "" {
		t.Fatalf("AssumeRole %+v: want it signed by the MFA session, with no code", calls[1])
	}
	if !srv.Issued(c.AccessKeyID, c.SessionToken) || c.AccessKeyID == calls[1].AccessKey {
		t.Fatal("the credentials are not the role's session")
	}
	// Each call is signed for its profile's region; chained names none:
	// us-east-1, where STS's global endpoint is.
	if calls[0].Region != "eu-west-1" || calls[1].Region != "us-east-1" {
		t.Fatalf("GetSessionToken signed for %q, AssumeRole for %q; want eu-west-1, us-east-1", calls[0].Region, calls[1].Region)
	}
}

// endpoint_url in the profile, rather than the environment, selects STS.
func TestEndpointURLInConfig(t *testing.T) {
	srv := ststest.New(t)
	awsFiles(t, srv, strings.Replace(baseConfig, "region = eu-west-1\n", "region = eu-west-1\nendpoint_url = "+srv.URL+"\n", 1), false)
	if _, err := session(t, "base", Request{}); err != nil {
		t.Fatal(err)
	}
	if srv.Count("GetSessionToken") != 1 {
		t.Fatalf("calls %+v", srv.Calls())
	}
}

func newVault(t testing.TB) *vault.Vault {
	t.Helper()
	v, err := vault.Open(filepath.Join(t.TempDir(), "vault")).Create("correct horse", 10)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestFileCache(t *testing.T) {
	srv := ststest.New(t)
	awsFiles(t, srv, baseConfig, true)
	v := newVault(t)
	dir := filepath.Join(t.TempDir(), "aws-sessions")
	now := time.Now()
	clock := func() time.Time { return now }
	srv.Date = clock
	cache := &FileCache{Dir: dir, Recipient: v.Recipient(), Decrypter: v, Now: clock}
	codes := &totp{at: clock}
	r := Request{Cache: cache, Codes: codes.code, Now: clock}

	first, err := session(t, "base", r)
	if err != nil {
		t.Fatal(err)
	}
	second, err := session(t, "base", r)
	if err != nil {
		t.Fatal(err)
	}
	if second != first || srv.Count("GetSessionToken") != 1 || len(codes.given) != 1 {
		t.Fatalf("the second call was not served from the cache: %d GetSessionToken, %d codes", srv.Count("GetSessionToken"), len(codes.given))
	}

	// On disk: one age file, 0600 in a 0700 directory, no secret in clear.
	files, _ := filepath.Glob(filepath.Join(dir, "*.age"))
	if len(files) != 1 {
		t.Fatalf("cache files %v, want one", files)
	}
	if fi, err := os.Stat(strings.TrimSuffix(files[0], ".age") + ".lock"); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("lock file: %v", err)
	}
	if fi, _ := os.Stat(dir); fi.Mode().Perm() != 0o700 {
		t.Fatalf("cache directory mode %v", fi.Mode().Perm())
	}
	fi, _ := os.Stat(files[0])
	ct, _ := os.ReadFile(files[0])
	if fi.Mode().Perm() != 0o600 || !strings.HasPrefix(string(ct), "age-encryption.org/v1\n") {
		t.Fatalf("cache file mode %v, header %q", fi.Mode().Perm(), ct[:min(len(ct), 22)])
	}
	for _, s := range []string{first.AccessKeyID, first.SecretAccessKey, first.SessionToken, "base", device} {
		if strings.Contains(string(ct), s) || strings.Contains(files[0], s) {
			t.Fatalf("the cache file holds %q in clear", s)
		}
	}
	// Another vault cannot read it: a miss, with a warning.
	other := newVault(t)
	var warnings []string
	otherCache := &FileCache{Dir: dir, Recipient: other.Recipient(), Decrypter: other, Now: clock}
	if _, err := session(t, "base", Request{Cache: otherCache, Now: clock, Warn: func(m string) { warnings = append(warnings, m) }}); err != nil ||
		len(warnings) == 0 || !strings.Contains(warnings[0], "does not open with this vault") || srv.Count("GetSessionToken") != 2 {
		t.Fatalf("another vault's cache read: %v, warnings %q", err, warnings)
	}

	// --refresh fetches a new session.
	r.Refresh = true
	refreshed, err := session(t, "base", r)
	if err != nil || refreshed == first || srv.Count("GetSessionToken") != 3 {
		t.Fatalf("refresh: %v, %d calls", err, srv.Count("GetSessionToken"))
	}
	r.Refresh = false

	// Five minutes before it expires, the cached session is not served.
	now = refreshed.Expiration.Add(-RefreshMargin + time.Second)
	if _, err := session(t, "base", r); err != nil || srv.Count("GetSessionToken") != 4 {
		t.Fatalf("near expiry: %v, %d calls, want a new session", err, srv.Count("GetSessionToken"))
	}
	// Another profile is another entry.
	if _, err := session(t, "admin", r); err != nil || srv.Count("AssumeRole") != 1 {
		t.Fatalf("admin: %v", err)
	}
	if files, _ := filepath.Glob(filepath.Join(dir, "*.age")); len(files) != 2 {
		t.Fatalf("cache files %v, want base's and admin's", files)
	}
}

func TestLoadErrors(t *testing.T) {
	// Durations STS refuses, which would cost a code to hear it: a
	// profile's own, and a role's source's.
	awsFiles(t, nil, baseConfig+`
[profile short]
aws_access_key_id = `+baseKey+`
aws_secret_access_key = `+baseSecret+`
mfa_serial = `+device+`
duration_seconds = 600

[profile long]
role_arn = `+adminRole+`
source_profile = short

[profile toolong]
role_arn = `+adminRole+`
source_profile = base
duration_seconds = 129601
`, false)
	for _, c := range []struct{ profile, want string }{
		{"nosuch", `no AWS profile "nosuch" in ` + os.Getenv("AWS_CONFIG_FILE") + " or " + os.Getenv("AWS_SHARED_CREDENTIALS_FILE")},
		{"nomfa", `AWS profile "nomfa" has no mfa_serial`},
		{"nokeys", `AWS profile "nokeys" has no long-term keys`},
		{"orphan", `its source_profile "nokeys" has no long-term keys`},
		{"short", `AWS profile "short": duration_seconds 600 is outside the 900 to 129600 (15m to 36h) that STS gives`},
		{"long", `AWS profile "short": duration_seconds 600 is outside`},
		{"toolong", `AWS profile "toolong": duration_seconds 129601 is outside`},
		{"", "no profile given"},
	} {
		_, err := Load(context.Background(), c.profile)
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") || errors.Is(err, ErrNoProfile) != (c.profile == "") {
			t.Errorf("Load(%q): %v, want one line with %q", c.profile, err, c.want)
		}
	}
	// Without AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE, the files
	// named are the SDK's own.
	home := t.TempDir()
	t.Setenv("HOME", home)
	os.Unsetenv("AWS_CONFIG_FILE")
	os.Unsetenv("AWS_SHARED_CREDENTIALS_FILE")
	want := `no AWS profile "base" in ` + filepath.Join(home, ".aws", "config") + " or " + filepath.Join(home, ".aws", "credentials")
	if _, err := Load(context.Background(), "base"); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("Load without the files: %v, want %q", err, want)
	}
}

// TestLoadCredentialProcess: a profile whose credentials come from its
// credential_process is not one to add mfa_serial to; when that process is
// vmfa, the error names the profile it serves.
func TestLoadCredentialProcess(t *testing.T) {
	awsFiles(t, nil, baseConfig+`
[profile dev]
credential_process = /usr/local/bin/vmfa aws credentials --profile base

[profile devq]
credential_process = "vmfa" aws credentials --duration 1h --profile=admin

[profile devnone]
credential_process = vmfa aws credentials

[profile devcut]
credential_process = vmfa aws credentials --profile

[profile vault]
credential_process = aws-vault export --format=json base
`, false)
	for _, c := range []struct {
		profile, want string
		byVMFA        bool
		source        string
	}{
		{"dev", `AWS profile "dev" is served by vmfa: its credential_process runs vmfa for profile "base"`, true, "base"},
		{"devq", `AWS profile "devq" is served by vmfa: its credential_process runs vmfa for profile "admin"`, true, "admin"},
		{"devnone", `AWS profile "devnone" is served by vmfa: its credential_process runs vmfa`, true, ""},
		{"devcut", `AWS profile "devcut" is served by vmfa: its credential_process runs vmfa`, true, ""},
		{"vault", `AWS profile "vault" gets its credentials from its credential_process, not from long-term keys and an mfa_serial`, false, ""},
	} {
		_, err := Load(context.Background(), c.profile)
		var cp *CredentialProcessError
		if !errors.As(err, &cp) || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "add 'mfa_serial") ||
			cp.ByVMFA != c.byVMFA || cp.Source != c.source {
			t.Errorf("Load(%q): %v; want %q", c.profile, err, c.want)
		}
	}
}

func TestRejectedCode(t *testing.T) {
	srv := ststest.New(t)
	awsFiles(t, srv, baseConfig, true)
	srv.RejectCodes = true
	_, err := session(t, "base", Request{})
	if !errors.Is(err, ErrCodeRejected) || !strings.Contains(err.Error(), `for profile "base" (MultiFactorAuthentication failed): the clock agrees`) || strings.Contains(err.Error(), "\n") || errors.As(err, new(*ClockError)) {
		t.Fatalf("got %v, want one line: rejected, clock agrees", err)
	}
	// AWS's clock is 3 minutes ahead: the clock is blamed.
	srv.Date = func() time.Time { return time.Now().Add(3 * time.Minute) }
	_, err = session(t, "admin", Request{})
	var clock *ClockError
	if !errors.Is(err, ErrCodeRejected) || !errors.As(err, &clock) || !clock.Known || !strings.HasSuffix(err.Error(), "behind AWS's") {
		t.Fatalf("got %v, want the clock pointed at", err)
	}
}

func TestUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	awsFiles(t, nil, baseConfig, false)
	t.Setenv("AWS_ENDPOINT_URL_STS", "http://"+addr)
	_, err = session(t, "base", Request{})
	if !errors.Is(err, ErrUnreachable) || !strings.Contains(err.Error(), "cannot reach STS at "+addr+` for profile "base"`) || strings.Contains(err.Error(), "\n") || len(err.Error()) > 400 {
		t.Fatalf("got %v, want one short line naming %s", err, addr)
	}
}

func TestCodeSourceError(t *testing.T) {
	srv := ststest.New(t)
	awsFiles(t, srv, strings.ReplaceAll(baseConfig, device, "arn:aws:iam::999999999999:mfa/bob"), true)
	_, err := session(t, "base", Request{})
	var u *unknownDevice
	if !errors.As(err, &u) || len(srv.Calls()) != 0 {
		t.Fatalf("got %v after %d calls, want the code source's error and no STS call", err, len(srv.Calls()))
	}
}

// Commands that miss the cache at once spend one code and one STS call.
func TestConcurrentMisses(t *testing.T) {
	srv := ststest.New(t)
	awsFiles(t, srv, baseConfig, true)
	v := newVault(t)
	cache := &FileCache{Dir: filepath.Join(t.TempDir(), "aws-sessions"), Recipient: v.Recipient(), Decrypter: v, Now: time.Now}
	p := load(t, "base")
	const n = 4
	got := make(chan Credentials, n)
	errs := make(chan error, n)
	for range n {
		go func() {
			c, err := p.Session(context.Background(), Request{Cache: cache, Codes: (&totp{}).code, Now: time.Now})
			errs <- err
			got <- c
		}()
	}
	first := <-got
	for range n - 1 {
		if c := <-got; c != first {
			t.Fatal("concurrent commands got different sessions")
		}
	}
	for range n {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if c := srv.Count("GetSessionToken"); c != 1 {
		t.Fatalf("STS saw %d GetSessionToken from %d concurrent misses, want 1", c, n)
	}
}

// The loopback STS checks signatures as AWS does: a wrong secret key is
// refused, in one line that names the profile and not the key.
func TestWrongSecretKey(t *testing.T) {
	srv := ststest.New(t)
	awsFiles(t, srv, baseConfig, true)
	creds := "[base]\naws_access_key_id = " + baseKey + "\naws_secret_access_key = notTheRightSecretKey0000000000000000000\n"
	if err := os.WriteFile(os.Getenv("AWS_SHARED_CREDENTIALS_FILE"), []byte(creds), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := session(t, "base", Request{})
	if err == nil || !strings.Contains(err.Error(), `STS GetSessionToken for profile "base" refused: SignatureDoesNotMatch`) ||
		strings.Contains(err.Error(), "notTheRight") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("got %v", err)
	}
}

// A session that cannot be cached is still returned: its code is spent.
func TestCacheWriteFails(t *testing.T) {
	srv := ststest.New(t)
	awsFiles(t, srv, baseConfig, true)
	v := newVault(t)
	blocker := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(blocker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	// The cache directory would be under a regular file.
	cache := &FileCache{Dir: filepath.Join(blocker, "aws-sessions"), Recipient: v.Recipient(), Decrypter: v, Now: time.Now}
	var warnings []string
	c, err := session(t, "base", Request{Cache: cache, Warn: func(m string) { warnings = append(warnings, m) }})
	if err != nil || !srv.Issued(c.AccessKeyID, c.SessionToken) || len(warnings) == 0 || !strings.Contains(warnings[len(warnings)-1], "not cached") {
		t.Fatalf("got %v, warnings %q; want the session and one warning", err, warnings)
	}
}

// The wait for a code is not the STS calls' time: a fresh code may be
// windows away, and a session asked for then must not time out for it.
func TestTimeoutAfterTheCode(t *testing.T) {
	srv := ststest.New(t)
	awsFiles(t, srv, baseConfig, true)
	const timeout = time.Second
	slow := func(serial string) (string, error) {
		time.Sleep(timeout + 200*time.Millisecond) // a fresh code's window to wait for
		return (&totp{}).code(serial)
	}
	c, err := session(t, "base", Request{Codes: slow, Timeout: timeout})
	if err != nil || !srv.Issued(c.AccessKeyID, c.SessionToken) {
		t.Fatalf("a session after a code that took longer than the timeout: %v", err)
	}
	// The timeout still bounds STS: one that never answers.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close() // accepts nothing: the calls hang until the timeout
	t.Setenv("AWS_ENDPOINT_URL_STS", "http://"+l.Addr().String())
	start := time.Now()
	if _, err := session(t, "base", Request{Timeout: timeout}); err == nil || time.Since(start) > 10*timeout {
		t.Fatalf("an STS that never answers: %v after %v, want an error within about %v", err, time.Since(start), timeout)
	}
}

// TestRejectedCodeClockBound: a clock a TOTP period off AWS's, by the Date
// of its answer, still gives codes AWS takes (it accepts the window either
// side), so a rejected code is not blamed on it; a second more is, and the
// error says by how much, and which way.
func TestRejectedCodeClockBound(t *testing.T) {
	srv := ststest.New(t)
	awsFiles(t, srv, baseConfig, true)
	srv.RejectCodes = true
	now := time.Now().Truncate(time.Second)
	for _, c := range []struct {
		awsAhead time.Duration
		want     string // "" for the clock not blamed
	}{
		{30 * time.Second, ""},
		{-30 * time.Second, ""},
		{31 * time.Second, "this computer's clock is 31s behind AWS's"},
		{-31 * time.Second, "this computer's clock is 31s ahead of AWS's"},
	} {
		srv.Date = func() time.Time { return now.Add(c.awsAhead) }
		_, err := session(t, "base", Request{Now: func() time.Time { return now }})
		var clock *ClockError
		blamed := errors.As(err, &clock)
		if !errors.Is(err, ErrCodeRejected) || blamed != (c.want != "") || (blamed && !strings.HasSuffix(err.Error(), c.want)) ||
			(!blamed && !strings.Contains(err.Error(), "the clock agrees with AWS's")) {
			t.Errorf("AWS's clock %v ahead: %v; want the clock blamed: %q", c.awsAhead, err, c.want)
		}
	}
}
