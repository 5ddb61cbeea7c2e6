package awssession

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vmfa/vmfa/internal/ststest"
)

// TestExpiredAnswerRefused: credentials STS answers that had expired, or
// expire within MinLifetime, are refused in one line, never returned or
// cached: every tool given them would fail and ask again, each time for
// another code.
func TestExpiredAnswerRefused(t *testing.T) {
	srv := ststest.New(t)
	awsFiles(t, srv, baseConfig, true)
	v := newVault(t)
	dir := filepath.Join(t.TempDir(), "aws-sessions")
	cache := &FileCache{Dir: dir, Recipient: v.Recipient(), Decrypter: v, Now: time.Now}
	for _, c := range []struct {
		name      string
		expiresIn time.Duration
		profile   string
		want      string
	}{
		{"an hour past", -time.Hour, "base", "answered with credentials that had already expired at "},
		{"a second past", -time.Second, "longadmin", `STS AssumeRole for profile "longadmin" answered with credentials that had already expired`},
		{"within a minute", 30 * time.Second, "base", "answered with credentials that expire at "},
		// The source's session, which would sign AssumeRole, is checked
		// before it is used: one call, no AssumeRole.
		{"chained", -time.Hour, "chained", `STS GetSessionToken for profile "base" answered with credentials that had already expired`},
	} {
		before := len(srv.Calls())
		srv.Expiration = time.Now().Add(c.expiresIn).Truncate(time.Second)
		creds, err := session(t, c.profile, Request{Cache: cache})
		if !errors.Is(err, ErrExpiredAnswer) || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") || creds != (Credentials{}) {
			t.Errorf("%s: credentials returned: %v, %v; want none and one line with %q", c.name, creds.AccessKeyID != "", err, c.want)
			continue
		}
		if !strings.Contains(err.Error(), "the clock agrees with STS's") || !strings.Contains(err.Error(), srv.Expiration.UTC().Format(time.RFC3339)) || errors.As(err, new(*ClockError)) {
			t.Errorf("%s: %v; want the expiry and that the clock agrees", c.name, err)
		}
		if n := len(srv.Calls()) - before; n != 1 {
			t.Errorf("%s: %d STS calls, want 1", c.name, n)
		}
	}
	if files, _ := filepath.Glob(filepath.Join(dir, "*.age")); len(files) > 0 {
		t.Fatalf("refused credentials were cached: %v", files)
	}

	// More than MinLifetime left: returned (too short-lived to cache).
	srv.Expiration = time.Now().Add(3 * time.Minute).Truncate(time.Second)
	if c, err := session(t, "base", Request{}); err != nil || !srv.Issued(c.AccessKeyID, c.SessionToken) {
		t.Fatalf("3 minutes left: %+v, %v; want the session", c, err)
	}
}

// TestExpiredAnswerBlamesClock: when the Date of STS's answer shows this
// computer's clock ahead, the error says so and names 'vmfa time'.
func TestExpiredAnswerBlamesClock(t *testing.T) {
	srv := ststest.New(t)
	awsFiles(t, srv, baseConfig, true)
	// AWS's clock is two hours behind ours; the session it issued has an
	// hour left by its clock, and expired an hour ago by ours.
	srv.Date = func() time.Time { return time.Now().Add(-2 * time.Hour) }
	srv.Expiration = time.Now().Add(-time.Hour)
	// The code is right by AWS's clock: only the expiry is in question.
	_, err := session(t, "base", Request{Codes: (&totp{at: srv.Date}).code})
	var clock *ClockError
	if !errors.Is(err, ErrExpiredAnswer) || !errors.As(err, &clock) || !clock.Known || clock.Skew < 2*time.Hour-time.Minute ||
		!strings.HasSuffix(err.Error(), "; this computer's clock is "+clock.Skew.String()+" ahead of AWS's") {
		t.Fatalf("got %v, want the clock blamed", err)
	}
}

// TestLifetimeBounds, by one clock for vmfa and STS: a session with
// MinLifetime left is returned; one expiring now had expired, and one an
// hour past says how long ago. A session returned with no more than
// RefreshMargin left is not written to the cache, which would never serve
// it.
func TestLifetimeBounds(t *testing.T) {
	srv := ststest.New(t)
	awsFiles(t, srv, baseConfig, true)
	cache := fileCache(t)
	now := time.Now().Truncate(time.Second)
	srv.Date = func() time.Time { return now }
	cache.Now = srv.Date
	r := Request{Cache: cache, Now: srv.Date}
	for _, c := range []struct {
		expiresIn time.Duration
		want      string // the error's, "" for the session
	}{
		{MinLifetime, ""},
		{RefreshMargin, ""},
		{RefreshMargin - time.Second, ""},
		{0, "answered with credentials that had already expired at " + now.UTC().Format(time.RFC3339) + " (0s ago)"},
		{-time.Hour, " (1h0m0s ago)"},
		{MinLifetime - time.Second, "answered with credentials that expire at " + now.Add(MinLifetime-time.Second).UTC().Format(time.RFC3339) + ", in 59s: too soon to use"},
	} {
		srv.Expiration = now.Add(c.expiresIn)
		r.Refresh = true
		creds, err := session(t, "base", r)
		if c.want == "" {
			if err != nil || !srv.Issued(creds.AccessKeyID, creds.SessionToken) {
				t.Errorf("%v left: %v, want the session", c.expiresIn, err)
			}
		} else if !errors.Is(err, ErrExpiredAnswer) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v left: %v, want %q", c.expiresIn, err, c.want)
		}
		if files, _ := filepath.Glob(filepath.Join(cache.Dir, "*.age")); len(files) > 0 {
			t.Fatalf("%v left: the session was cached, which would never serve it", c.expiresIn)
		}
	}
}
