package awssession

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/aws/smithy-go/middleware"
)

// CodeSource returns the code of the MFA device whose ARN is serial. It
// must never return a code STS has already seen: STS refuses a code twice.
type CodeSource func(serial string) (code string, err error)

// Credentials are an MFA session's temporary credentials.
type Credentials struct {
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
	Expiration      time.Time
	// Region is the profile's, "" if it names none.
	Region string
}

// RefreshMargin is how long before it expires a session stops being served
// from the cache, so that no command starts with credentials about to die.
const RefreshMargin = 5 * time.Minute

// Request says how to get a session.
type Request struct {
	// Duration asks STS for a session this long; 0 means the profile's
	// duration_seconds, else STS's default (12 h for GetSessionToken, 1 h
	// for AssumeRole).
	Duration time.Duration
	// Refresh skips the cache: a new session is fetched (and cached).
	Refresh bool
	// refused is the access key ID of a cached session STS refused: the
	// cache does not serve it again, but serves another process's new one.
	refused string
	Codes   CodeSource
	// Cache keeps sessions between calls; nil keeps none.
	Cache Cache
	// Now is the time codes are computed at and expiry checked against.
	Now func() time.Time
	// Warn is told when a new session could not be cached: the session
	// is still returned, since its code is spent. Nil ignores it.
	Warn func(msg string)
	// Timeout bounds, each, the wait for another process fetching the
	// same session and the STS calls, retries included; 0 leaves them to
	// ctx. The wait for a code is not counted: a fresh one may be windows
	// away.
	Timeout time.Duration
}

// bound is ctx bounded by r.Timeout.
func (r Request) bound(ctx context.Context) (context.Context, context.CancelFunc) {
	if r.Timeout <= 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, r.Timeout)
}

// Session returns credentials for p: from the cache while they have more
// than RefreshMargin left, else from STS, with a code from r.Codes if no
// cached session of p's source carries the MFA.
func (p *Profile) Session(ctx context.Context, r Request) (Credentials, error) {
	d := r.Duration
	if d == 0 {
		d = p.duration
	}
	note := ""
	if p.Kind == KindRoleChain && d > RoleChainLimit {
		note = fmt.Sprintf("AWS profile %q is a role chain (its source_profile %q is a role): AWS gives chained sessions an hour at most, so it lasts 1h, not %s", p.Name, p.source.Name, d)
		d = RoleChainLimit
	}
	c, _, err := p.session(ctx, r, d, note)
	return c, err
}

// RoleChainLimit is the longest session AWS gives a role assumed with a
// session: a chain of roles, or a role through its source's MFA session.
const RoleChainLimit = time.Hour

// MinDuration and MaxDuration bound the sessions STS gives (DurationSeconds
// 900 to 129600): a duration asked for outside them, in --duration or a
// profile's duration_seconds, is refused before a code is spent on it.
const (
	MinDuration = 15 * time.Minute
	MaxDuration = 36 * time.Hour
)

// viaSession reports whether p's role is assumed with its source's
// session, with no code: a role chain, or a role whose duration AWS allows
// through the source's MFA session.
func (p *Profile) viaSession(duration time.Duration) bool {
	return p.Kind == KindRoleChain || (p.Kind == KindRole && duration <= RoleChainLimit)
}

// session is Session for duration; note, if any, goes to r.Warn when a
// new session is fetched, not each time the cache serves one. cached
// reports whether the cache served it.
func (p *Profile) session(ctx context.Context, r Request, duration time.Duration, note string) (c Credentials, cached bool, err error) {
	key := p.cacheKey(duration)
	if r.Cache != nil && !r.Refresh {
		if c, ok := p.cached(r, key); ok {
			return c, true, nil
		}
	}
	if l, ok := r.Cache.(Locker); ok {
		// Tools such as Terraform start several credential_process at
		// once: the first fetches, the others wait and take its session.
		lockCtx, cancel := r.bound(ctx)
		unlock, err := l.Lock(lockCtx, key)
		cancel()
		if err != nil {
			r.warn(err.Error())
		} else {
			defer unlock()
			if !r.Refresh {
				if c, ok := p.cached(r, key); ok {
					return c, true, nil
				}
			}
		}
	}
	if note != "" {
		r.warn(note)
	}
	c, err = p.fetch(ctx, r, duration)
	if err != nil {
		return Credentials{}, false, err
	}
	c.Region = p.Region
	if r.Cache != nil {
		if ttl := c.Expiration.Add(-RefreshMargin).Sub(r.Now()); ttl > 0 {
			b, err := json.Marshal(cachedSession{Profile: p.Name, Kind: p.Kind, Credentials: c})
			if err != nil {
				return Credentials{}, false, err
			}
			defer clear(b)
			if err := r.Cache.Put(key, b, ttl); err != nil {
				r.warn(fmt.Sprintf("the session was not cached (%s): the next command gets another", err))
			}
		}
	}
	return c, false, nil
}

// cachedSession is what a Cache holds of a session: the credentials, and
// what List shows of them.
type cachedSession struct {
	Profile string
	Kind    string
	Credentials
}

// cached returns the session r.Cache holds under key, if it has more than
// RefreshMargin left. A cache that cannot be read is a miss, and a warning:
// a new session overwrites what is there.
func (p *Profile) cached(r Request, key string) (Credentials, bool) {
	b, ok, err := r.Cache.Get(key)
	defer clear(b)
	if err != nil {
		r.warn("the cached session was not used: " + err.Error())
	}
	if err != nil || !ok {
		return Credentials{}, false
	}
	var c cachedSession
	if json.Unmarshal(b, &c) != nil || c.AccessKeyID == "" || c.AccessKeyID == r.refused || c.Expiration.Add(-RefreshMargin).Before(r.Now()) {
		return Credentials{}, false
	}
	return c.Credentials, true
}

func (r Request) warn(msg string) {
	if r.Warn != nil {
		r.Warn(short(msg))
	}
}

// cacheKey names p's session in a cache: a hash of everything that makes
// one session differ from another, its source's included (the name holds
// no secret and no ARN).
func (p *Profile) cacheKey(duration time.Duration) string {
	h := sha256.New()
	h.Write([]byte("vmfa aws session v2\x00"))
	for q, d := p, duration; ; q, d = q.source, q.source.sourceDuration() {
		for _, s := range []string{q.Name, q.Kind, q.keys.AccessKeyID, q.MFASerial, q.roleARN, q.externalID,
			q.sessionName, d.String(), q.Region, q.endpoint} {
			h.Write([]byte(s))
			h.Write([]byte{0})
		}
		if q.roleARN == "" || !q.viaSession(d) {
			break // signed with the long-term keys: no source session in it
		}
	}
	return "aws-" + hex.EncodeToString(h.Sum(nil))[:32]
}

// sourceDuration is the duration p's session is asked for as another's
// source: its own duration_seconds, so that every role of a source shares
// one session, the one 'vmfa aws' gives the source itself.
func (p *Profile) sourceDuration() time.Duration {
	if p == nil {
		return 0
	}
	d := p.duration
	if p.Kind == KindRoleChain && d > RoleChainLimit {
		d = RoleChainLimit
	}
	return d
}

// fetch calls STS for p's session: GetSessionToken with the code, or
// AssumeRole, with the code or with the source's session.
func (p *Profile) fetch(ctx context.Context, r Request, duration time.Duration) (Credentials, error) {
	if p.roleARN != "" && p.viaSession(duration) {
		src := r
		src.Refresh = false
		s, cached, err := p.source.session(ctx, src, p.source.sourceDuration(), "")
		if err != nil {
			return Credentials{}, err
		}
		c, err := p.assumeWith(ctx, r, s, duration)
		if errors.Is(err, errSignerRefused) && cached {
			// The cached session is no longer good (revoked, or its
			// user's keys rotated): a new one, once, shared with the
			// processes that found the same.
			r.warn(fmt.Sprintf("STS refused the cached session of profile %q: getting a new one", p.source.Name))
			src.refused = s.AccessKeyID
			if s, _, err = p.source.session(ctx, src, p.source.sourceDuration(), ""); err != nil {
				return Credentials{}, err
			}
			c, err = p.assumeWith(ctx, r, s, duration)
		}
		return c, err
	}
	code, err := r.Codes(p.MFASerial)
	if err != nil {
		return Credentials{}, err
	}
	ctx, cancel := r.bound(ctx)
	defer cancel()
	mfa := mfaCall{serial: p.MFASerial, code: code, now: r.Now}
	if p.roleARN == "" {
		return p.getSessionToken(ctx, p.keys, mfa, duration)
	}
	return p.assumeRole(ctx, p.keys, mfa, duration, r.Now())
}

// assumeWith assumes p's role with the source's session s, no code.
func (p *Profile) assumeWith(ctx context.Context, r Request, s Credentials, duration time.Duration) (Credentials, error) {
	ctx, cancel := r.bound(ctx)
	defer cancel()
	return p.assumeRole(ctx, awsCreds(s), mfaCall{now: r.Now}, duration, r.Now())
}

// awsCreds is c as the SDK signs with it.
func awsCreds(c Credentials) aws.Credentials {
	return aws.Credentials{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken}
}

// mfaCall is the MFA device and code an STS call sends, if any.
type mfaCall struct {
	serial, code string
	now          func() time.Time
}

// client is an STS client configured by the SDK from the profile (region,
// endpoints, retries, CA bundle) that signs with signer.
func (p *Profile) client(ctx context.Context, signer aws.Credentials) (*sts.Client, error) {
	// Credentials of our own stop the SDK from resolving the profile's:
	// it would refuse a role with mfa_serial and no code at hand.
	cfg, err := config.LoadDefaultConfig(ctx,
		config.WithSharedConfigProfile(p.Name),
		config.WithCredentialsProvider(credentials.StaticCredentialsProvider{Value: signer}))
	if err != nil {
		return nil, fmt.Errorf("reading AWS profile %q: %s", p.Name, short(err.Error()))
	}
	if cfg.Region == "" {
		cfg.Region = defaultRegion
	}
	return sts.NewFromConfig(cfg), nil
}

func (p *Profile) getSessionToken(ctx context.Context, signer aws.Credentials, mfa mfaCall, duration time.Duration) (Credentials, error) {
	in := &sts.GetSessionTokenInput{SerialNumber: aws.String(mfa.serial), TokenCode: aws.String(mfa.code)}
	if duration > 0 {
		in.DurationSeconds = aws.Int32(int32(duration / time.Second))
	}
	client, err := p.client(ctx, signer)
	if err != nil {
		return Credentials{}, err
	}
	out, err := client.GetSessionToken(ctx, in)
	if err != nil {
		return Credentials{}, p.stsError("GetSessionToken", mfa, err)
	}
	return p.fromSTS("GetSessionToken", out.Credentials, out.ResultMetadata, mfa.now())
}

func (p *Profile) assumeRole(ctx context.Context, signer aws.Credentials, mfa mfaCall, duration time.Duration, now time.Time) (Credentials, error) {
	name := p.sessionName
	if name == "" {
		name = "vmfa-" + strconv.FormatInt(now.Unix(), 10)
	}
	in := &sts.AssumeRoleInput{RoleArn: aws.String(p.roleARN), RoleSessionName: aws.String(name)}
	if p.externalID != "" {
		in.ExternalId = aws.String(p.externalID)
	}
	if mfa.serial != "" {
		in.SerialNumber, in.TokenCode = aws.String(mfa.serial), aws.String(mfa.code)
	}
	if duration > 0 {
		in.DurationSeconds = aws.Int32(int32(duration / time.Second))
	}
	client, err := p.client(ctx, signer)
	if err != nil {
		return Credentials{}, err
	}
	out, err := client.AssumeRole(ctx, in)
	if err != nil {
		return Credentials{}, p.stsError("AssumeRole", mfa, err)
	}
	return p.fromSTS("AssumeRole", out.Credentials, out.ResultMetadata, mfa.now())
}

// fromSTS takes the credentials of STS's answer to op, refusing them when
// they are missing or expire within MinLifetime of now.
func (p *Profile) fromSTS(op string, c *types.Credentials, meta middleware.Metadata, now time.Time) (Credentials, error) {
	if c == nil || c.AccessKeyId == nil || c.SecretAccessKey == nil || c.SessionToken == nil || c.Expiration == nil {
		return Credentials{}, fmt.Errorf("STS answered without credentials")
	}
	creds := Credentials{
		AccessKeyID:     *c.AccessKeyId,
		SecretAccessKey: *c.SecretAccessKey,
		SessionToken:    *c.SessionToken,
		Expiration:      c.Expiration.UTC(),
	}
	for _, f := range []struct{ name, value string }{
		{"access key ID", creds.AccessKeyID}, {"secret access key", creds.SecretAccessKey}, {"session token", creds.SessionToken},
	} {
		if !printableASCII(f.value) {
			// Not a credential, and printed to a terminal by 'vmfa aws
			// env': refused, its value never shown.
			return Credentials{}, fmt.Errorf("STS %s for profile %q answered with a %s that is not printable ASCII, as no AWS credential is", op, p.Name, f.name)
		}
	}
	if err := p.checkLifetime(op, creds.Expiration, meta, now); err != nil {
		return Credentials{}, err
	}
	return creds, nil
}

// printableASCII reports whether s is all ASCII from '!' to '~', as AWS's
// keys and tokens are.
func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '!' || s[i] > '~' {
			return false
		}
	}
	return true
}
