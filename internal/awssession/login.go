package awssession

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// Console sign-in, as the AWS console's federation endpoint documents it
// ("Enable custom identity broker access to the AWS console"): the
// endpoint's getSigninToken turns temporary credentials into a sign-in
// token, good for 15 minutes, and its login URL, with that token, opens
// the console in a browser.
//
//   - A role profile (of either kind) signs in with its role session, the
//     one its other commands are served (cached, MFA-backed). A console
//     Duration is the endpoint's SessionDuration, 15m to 12h; AWS gives a
//     chain's console an hour at most, so a longer one is cut and said.
//   - A session profile signs in with GetFederationToken, which only an
//     IAM user's long-term keys may call and which takes no MFA code: such
//     a console session carries no MFA (ConsoleSession.MFA is false). It is
//     given a policy that allows everything, so that it has the user's own
//     permissions (without one it would have none); its Duration, 15m to
//     36h, is the federation token's, 1h unless asked.
//
// The endpoint is the partition's (aws, aws-cn, aws-us-gov: by the
// device's ARN, else the region), or VMFA_AWS_FEDERATION_ENDPOINT.

// FederationEndpointEnv overrides the federation endpoint (for tests).
const FederationEndpointEnv = "VMFA_AWS_FEDERATION_ENDPOINT"

// allowAll is the policy a federation token is given: the session's
// permissions are those of the user that asks AND the policy's.
const allowAll = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`

// defaultFederationDuration is a console session's length, from
// GetFederationToken, when none is asked.
const defaultFederationDuration = time.Hour

// ConsoleSession is a console sign-in URL and what it signs in as.
type ConsoleSession struct {
	URL string // the login URL: holds the sign-in token, a secret
	// MFA reports whether the session behind it was got with an MFA code.
	MFA bool
	// Federated: a session profile's GetFederationToken.
	Federated bool
}

// partition is the console's and its federation endpoint's hosts of one
// AWS partition.
type partition struct{ signin, console string }

var partitions = map[string]partition{
	"aws":        {"https://signin.aws.amazon.com/federation", "https://console.aws.amazon.com/"},
	"aws-cn":     {"https://signin.amazonaws.cn/federation", "https://console.amazonaws.cn/"},
	"aws-us-gov": {"https://signin.amazonaws-us-gov.com/federation", "https://console.amazonaws-us-gov.com/"},
}

// partition is p's: its device's ARN says it, else its region.
func (p *Profile) partition() partition {
	if parts := strings.Split(p.MFASerial, ":"); len(parts) > 1 {
		if q, ok := partitions[parts[1]]; ok {
			return q
		}
	}
	switch {
	case strings.HasPrefix(p.Region, "cn-"):
		return partitions["aws-cn"]
	case strings.HasPrefix(p.Region, "us-gov-"):
		return partitions["aws-us-gov"]
	}
	return partitions["aws"]
}

// Console signs in to the console as p (see above), duration 0 for the
// default, and returns the login URL.
func (p *Profile) Console(ctx context.Context, r Request, duration time.Duration) (ConsoleSession, error) {
	var (
		c   Credentials
		out = ConsoleSession{MFA: true}
		err error
	)
	sessionDuration := ""
	if p.roleARN == "" {
		out.MFA, out.Federated = false, true
		if duration == 0 {
			duration = cmpOr(p.duration, defaultFederationDuration)
		}
		if c, err = p.federationToken(ctx, r, duration); err != nil {
			return ConsoleSession{}, err
		}
	} else {
		if c, err = p.Session(ctx, r); err != nil {
			return ConsoleSession{}, err
		}
		if p.Kind == KindRoleChain && duration > RoleChainLimit {
			r.warn(fmt.Sprintf("AWS profile %q is a role chain: AWS gives its console an hour at most, so it lasts 1h, not %s", p.Name, duration))
			duration = RoleChainLimit
		}
		if duration > 0 {
			sessionDuration = strconv.Itoa(int(duration / time.Second))
		}
	}
	ctx, cancel := r.bound(ctx)
	defer cancel()
	part := p.partition()
	endpoint := part.signin
	if e := os.Getenv(FederationEndpointEnv); e != "" {
		endpoint = e
	}
	token, err := signinToken(ctx, endpoint, c, sessionDuration)
	if err != nil {
		return ConsoleSession{}, fmt.Errorf("console sign-in for profile %q: %w", p.Name, err)
	}
	destination := part.console
	if p.Region != "" {
		destination += "console/home?region=" + url.QueryEscape(p.Region)
	}
	q := url.Values{"Action": {"login"}, "Issuer": {"vmfa"}, "Destination": {destination}, "SigninToken": {token}}
	out.URL = endpoint + "?" + q.Encode()
	return out, nil
}

func cmpOr(d, dflt time.Duration) time.Duration {
	if d == 0 {
		return dflt
	}
	return d
}

// federationToken calls GetFederationToken with p's long-term keys, named
// after the IAM user.
func (p *Profile) federationToken(ctx context.Context, r Request, duration time.Duration) (Credentials, error) {
	ctx, cancel := r.bound(ctx)
	defer cancel()
	client, err := p.client(ctx, p.keys)
	if err != nil {
		return Credentials{}, err
	}
	id, err := client.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return Credentials{}, p.stsError("GetCallerIdentity", mfaCall{now: r.Now}, err)
	}
	out, err := client.GetFederationToken(ctx, &sts.GetFederationTokenInput{
		Name:            aws.String(federatedName(aws.ToString(id.Arn))),
		Policy:          aws.String(allowAll),
		DurationSeconds: aws.Int32(int32(duration / time.Second)),
	})
	if err != nil {
		return Credentials{}, p.stsError("GetFederationToken", mfaCall{now: r.Now}, err)
	}
	return p.fromSTS("GetFederationToken", out.Credentials, out.ResultMetadata, r.Now())
}

// federatedName is the name a federated user is given: the IAM user's
// (the last part of its ARN), in the characters and length AWS takes.
func federatedName(arn string) string {
	name := arn[strings.LastIndexAny(arn, "/:")+1:]
	name = strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("_+=,.@-", r) {
			return r
		}
		return -1
	}, name)
	if len(name) > 32 {
		name = name[:32]
	}
	if len(name) < 2 {
		name = "vmfa"
	}
	return name
}

// maxSigninAnswer bounds the federation endpoint's answer.
const maxSigninAnswer = 64 << 10

// signinToken asks the federation endpoint for a sign-in token for c.
func signinToken(ctx context.Context, endpoint string, c Credentials, sessionDuration string) (string, error) {
	session, err := json.Marshal(map[string]string{"sessionId": c.AccessKeyID, "sessionKey": c.SecretAccessKey, "sessionToken": c.SessionToken})
	if err != nil {
		return "", err
	}
	defer clear(session)
	q := url.Values{"Action": {"getSigninToken"}, "Session": {string(session)}}
	if sessionDuration != "" {
		q.Set("SessionDuration", sessionDuration)
	}
	u, err := url.Parse(endpoint)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", fmt.Errorf("the federation endpoint %q is not an http(s) URL", short(endpoint))
	}
	// GET, as AWS documents it; over HTTPS, a proxy sees only the host.
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, endpoint+"?"+q.Encode(), nil)
	if err != nil {
		return "", err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return "", fmt.Errorf("cannot reach the federation endpoint %s (%s)", u.Host, short(err.Error()))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxSigninAnswer))
	if err != nil {
		return "", fmt.Errorf("reading the federation endpoint's answer: %s", short(err.Error()))
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("the federation endpoint %s refused the session (HTTP %d)", u.Host, resp.StatusCode)
	}
	var answer struct{ SigninToken string }
	if json.Unmarshal(body, &answer) != nil || answer.SigninToken == "" || !printableASCII(answer.SigninToken) {
		return "", fmt.Errorf("the federation endpoint %s answered without a sign-in token", u.Host)
	}
	return answer.SigninToken, nil
}
