package awssession

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/vmfa/vmfa/internal/termsafe"
	"github.com/vmfa/vmfa/otp"
)

// ErrCodeRejected is wrapped by the error of an STS call that refused the
// MFA code.
var ErrCodeRejected = errors.New("STS rejected the MFA code")

// ErrUnreachable is wrapped by the error of an STS call that got no answer.
var ErrUnreachable = errors.New("cannot reach STS")

// ErrRoleChainLimit is wrapped by the error of an AssumeRole that asked a
// role assumed with a session (a role chain) for more than AWS gives one:
// RoleChainLimit.
var ErrRoleChainLimit = errors.New("AWS gives a role assumed with a session (role chaining) an hour at most")

// ErrRoleMaxDuration is wrapped by the error of an AssumeRole that asked
// for more than the role's maximum session duration.
var ErrRoleMaxDuration = errors.New("the duration asked for is longer than the role's maximum session duration")

// ErrSessionKeys is wrapped by the error of a call that only long-term keys
// may make (GetFederationToken, GetSessionToken) made with a session's.
var ErrSessionKeys = errors.New("the profile's keys are a session's, not an IAM user's long-term keys")

// errSignerRefused is wrapped by the error of a call whose signing
// credentials STS does not take (expired, revoked, unknown).
var errSignerRefused = errors.New("STS refused the credentials that signed the call")

// maxSkew is how far this computer's clock may be from AWS's before a
// rejected code is blamed on it: a TOTP period.
const maxSkew = 30 * time.Second

// ClockError is wrapped by the error of an STS answer that this computer's
// clock may explain (a rejected code, expired credentials): by the Date of
// the answer, the clock is Skew off AWS's, more than a TOTP period; or,
// when the answer had no Date, it may be off.
type ClockError struct {
	Skew  time.Duration // this computer's time less AWS's, when Known
	Known bool
}

func (e *ClockError) Error() string {
	if !e.Known {
		return "this computer's clock is off"
	}
	return fmt.Sprintf("this computer's clock is %s AWS's", aheadOrBehind(e.Skew))
}

// skewOf is the ClockError of an answer dated date, or nil when the clock
// agrees with it.
func skewOf(now, date time.Time) *ClockError {
	skew := now.Sub(date).Round(time.Second)
	if skew > maxSkew || skew < -maxSkew {
		return &ClockError{Skew: skew, Known: true}
	}
	return nil
}

// stsError turns the SDK's error for an STS call, which can run to several
// lines of operation, request ID and retry history, into one line that
// says what to do.
func (p *Profile) stsError(op string, mfa mfaCall, err error) error {
	var send *smithyhttp.RequestSendError
	if errors.As(err, &send) {
		host, cause := "", send.Err
		var u *url.Error
		if errors.As(send.Err, &u) {
			if parsed, perr := url.Parse(u.URL); perr == nil {
				host = " at " + parsed.Host
			}
			cause = u.Err
		}
		return fmt.Errorf("%w%s for profile %q (%s): check the network, or the profile's endpoint_url", ErrUnreachable, host, p.Name, short(fmt.Sprint(cause)))
	}
	var api smithy.APIError
	if !errors.As(err, &api) {
		return fmt.Errorf("STS %s for profile %q failed: %s", op, p.Name, short(err.Error()))
	}
	msg := api.ErrorMessage()
	code := api.ErrorCode()
	switch {
	case (code == "AccessDenied" && strings.Contains(msg, "MultiFactorAuthentication failed") || code == "InvalidAuthenticationCode") && mfa.serial != "":
		reason := "MultiFactorAuthentication failed"
		if code == "InvalidAuthenticationCode" {
			reason = code
		}
		return rejected(fmt.Sprintf("%v of %s for profile %q (%s)", ErrCodeRejected, mfa.serial, p.Name, reason), err, mfa.now)
	case strings.Contains(msg, "role chaining"):
		return fmt.Errorf("STS %s for profile %q refused: %w", op, p.Name, ErrRoleChainLimit)
	case strings.Contains(msg, "MaxSessionDuration"):
		return fmt.Errorf("STS %s for profile %q refused: %w", op, p.Name, ErrRoleMaxDuration)
	case code == "ExpiredToken" || code == "InvalidClientTokenId":
		return &stsError{fmt.Sprintf("STS %s for profile %q refused: %s: %s", op, p.Name, short(code), short(msg)), []error{errSignerRefused}}
	case strings.Contains(msg, "with session credentials"):
		return fmt.Errorf("STS %s for profile %q refused (%s): %w", op, p.Name, short(msg), ErrSessionKeys)
	}
	return fmt.Errorf("STS %s for profile %q refused: %s: %s", op, p.Name, short(api.ErrorCode()), short(msg))
}

// rejected is the error of STS's refusal of a code, said in what, with
// why: whether this computer's clock, which the code was computed at, is
// off from AWS's, as the Date of STS's answer tells (a *ClockError when it
// may be). It wraps ErrCodeRejected.
func rejected(what string, err error, now func() time.Time) error {
	var resp *smithyhttp.ResponseError
	if errors.As(err, &resp) && resp.Response != nil {
		if date, perr := http.ParseTime(resp.Response.Header.Get("Date")); perr == nil {
			if c := skewOf(now(), date); c != nil {
				return &stsError{what + ": " + c.Error(), []error{ErrCodeRejected, c}}
			}
			return &stsError{what + ": the clock agrees with AWS's, so the device is not that account's, or the code was already used", []error{ErrCodeRejected}}
		}
	}
	c := &ClockError{}
	return &stsError{what + ": the code was already used or the device is not that account's, unless " + c.Error(), []error{ErrCodeRejected, c}}
}

// stsError is an error of STS's answer: its message, and the errors it
// wraps (ErrCodeRejected, ErrExpiredAnswer, a *ClockError).
type stsError struct {
	msg  string
	errs []error
}

func (e *stsError) Error() string   { return e.msg }
func (e *stsError) Unwrap() []error { return e.errs }

// aheadOrBehind says a clock's skew in words, to the second: a Date
// header has no finer resolution.
func aheadOrBehind(skew time.Duration) string {
	if skew > 0 {
		return skew.String() + " ahead of"
	}
	return (-skew).String() + " behind"
}

// short keeps a library's or a server's message on one line, short, and
// with its terminal controls written out (termsafe.Escape), whichever
// program shows it.
func short(s string) string {
	return termsafe.Escape(otp.Shorten(strings.Join(strings.Fields(s), " "), 200))
}
