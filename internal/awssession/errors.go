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

// maxSkew is how far this computer's clock may be from AWS's before a
// rejected code is blamed on it: a TOTP period.
const maxSkew = 30 * time.Second

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
	if api.ErrorCode() == "AccessDenied" && strings.Contains(msg, "MultiFactorAuthentication failed") && mfa.serial != "" {
		return fmt.Errorf("%w of %s for profile %q (MultiFactorAuthentication failed): %s", ErrCodeRejected, mfa.serial, p.Name, clockAdvice(err, mfa.now))
	}
	return fmt.Errorf("STS %s for profile %q refused: %s: %s", op, p.Name, short(api.ErrorCode()), short(msg))
}

// clockAdvice says whether this computer's clock, which the code was
// computed at, is off from AWS's, as the Date of STS's answer tells.
func clockAdvice(err error, now func() time.Time) string {
	var resp *smithyhttp.ResponseError
	if errors.As(err, &resp) && resp.Response != nil {
		if date, perr := http.ParseTime(resp.Response.Header.Get("Date")); perr == nil {
			skew := now().Sub(date).Round(time.Second)
			if skew > maxSkew || skew < -maxSkew {
				return fmt.Sprintf("this computer's clock is %s AWS's: 'vmfa time' checks it, 'vmfa time --apply' corrects the codes", aheadOrBehind(skew))
			}
			return "the clock agrees with AWS's, so the device is not that account's, or the code was already used"
		}
	}
	return "if this computer's clock is off, 'vmfa time' checks it and 'vmfa time --apply' corrects the codes; else the code was already used or the device is not that account's"
}

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
